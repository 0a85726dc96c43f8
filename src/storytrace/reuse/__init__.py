"""Reuse detection and provenance: who copied whom.

Stage entry points: :func:`link_documents` (bring links and families up to date with the
store) and :func:`independent_origins` (how many independent origins a set of documents
represents, for any later stage that counts support).
"""

from storytrace.reuse.stage import ReuseReport, independent_origins, link_documents

__all__ = ["ReuseReport", "independent_origins", "link_documents"]
