"""Corpus-wide figures given from outside the store (reached as ``Store.corpus``).

Batch mode's full analysis (``storytrace.engine.full``) runs the pipeline on partitions of
a corpus, each in a store of its own. Idf, the story features' corpus size and the
furniture rules depend on the whole corpus, so the engine writes the whole corpus's figures
here and the stages read them instead of their own store's. In an ordinary store these
tables are empty and every getter returns None: the stages use their store's figures.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Mapping
from typing import Any


class CorpusTables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def set_figure(self, name: str, value: Any) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO corpus_figures(name, value) VALUES (?, ?)",
            (name, json.dumps(value, sort_keys=True)),
        )

    def figure(self, name: str) -> Any:
        """The figure stored under ``name``; None when none was given."""
        row = self.conn.execute(
            "SELECT value FROM corpus_figures WHERE name = ?", (name,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def set_frequencies(self, kind: str, df: Mapping[str, Mapping[str, int]]) -> None:
        """Document frequencies per bag (``{"": {...}}`` for a kind without bags)."""
        self.conn.execute("DELETE FROM corpus_df WHERE kind = ?", (kind,))
        self.conn.executemany(
            "INSERT INTO corpus_df(kind, bag, term, df) VALUES (?, ?, ?, ?)",
            ((kind, bag, term, n) for bag, terms in df.items() for term, n in terms.items()),
        )

    def frequencies(self, kind: str) -> dict[str, Counter[str]] | None:
        """The frequencies given for ``kind``, per bag; None when none were given."""
        found: dict[str, Counter[str]] = {}
        rows = self.conn.execute("SELECT bag, term, df FROM corpus_df WHERE kind = ?", (kind,))
        for bag, term, n in rows:
            found.setdefault(bag, Counter())[term] = n
        return found if self.figure(f"{kind}_documents") is not None else None

    def documents(self, kind: str) -> int | None:
        """The corpus's document count for ``kind``'s statistics; None when not given."""
        value = self.figure(f"{kind}_documents")
        return int(value) if value is not None else None
