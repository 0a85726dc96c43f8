"""Reuse detection and provenance: who copied whom.

Stage entry points: :func:`link_documents` (bring links and families up to date with the
store) and :func:`independent_origins` (how many independent origins a set of documents
represents, for any later stage that counts support). Loaded lazily: the store imports this
package's text helpers, and the stage imports the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storytrace.reuse.stage import ReuseReport, independent_origins, link_documents

__all__ = ["ReuseReport", "independent_origins", "link_documents"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from storytrace.reuse import stage

        return getattr(stage, name)
    raise AttributeError(name)
