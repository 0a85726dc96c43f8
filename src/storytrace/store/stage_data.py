"""Results of stages that keep no table of their own: a JSON value per (stage, key).

Reached as ``Store.stage_data``. A new stage stores its per-document results here
(``put(stage, doc_id, value)``) and needs no schema migration; a stage whose results are
read in many ways, or are large, deserves its own tables (see ``storytrace.store.schema``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any


class StageDataTables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def put(self, stage: str, key: str, value: Any) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO stage_data(stage, key, value) VALUES (?, ?, ?)",
            (stage, key, json.dumps(value, ensure_ascii=False, sort_keys=True)),
        )

    def get(self, stage: str, key: str) -> Any:
        """The value stored under ``key`` (None when there is none)."""
        row = self.conn.execute(
            "SELECT value FROM stage_data WHERE stage = ? AND key = ?", (stage, key)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def items(self, stage: str) -> dict[str, Any]:
        rows = self.conn.execute(
            "SELECT key, value FROM stage_data WHERE stage = ? ORDER BY key", (stage,)
        )
        return {key: json.loads(value) for key, value in rows}

    def keys(self, stage: str) -> set[str]:
        rows = self.conn.execute("SELECT key FROM stage_data WHERE stage = ?", (stage,))
        return {r[0] for r in rows}

    def delete(self, stage: str, keys: Iterable[str] | None = None) -> None:
        """Forget the given keys of a stage, or all of them (None)."""
        if keys is None:
            self.conn.execute("DELETE FROM stage_data WHERE stage = ?", (stage,))
            return
        self.conn.executemany(
            "DELETE FROM stage_data WHERE stage = ? AND key = ?", [(stage, k) for k in keys]
        )
