"""The embedded SQLite store every stage reads from and writes to."""

from storytrace.store.sqlite import DocSummary, Store

__all__ = ["DocSummary", "Store"]
