"""Reuse detection and provenance: who copied whom.

The stage (:data:`storytrace.reuse.stage.STAGE`) turns candidate pairs into aligned,
classified, oriented links and derivation families; ``features``, ``links`` and
``classifier`` are its parts. How many independent origins a set of documents represents
is a shared helper: :mod:`storytrace.provenance`.
"""
