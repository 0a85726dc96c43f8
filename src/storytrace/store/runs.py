"""The pipeline's record: what each stage last ran with, and when each artefact changed.

Reached as ``Store.runs``. A *generation* is a number that grows with every change to any
artefact, so "has X changed since stage S read it" is one comparison.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class StageRecord:
    """A stage's last finished run."""

    stage: str
    version: str
    params: dict[str, Any]
    inputs: dict[str, int]  # artefact -> the generation the run read
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)
    finished_at: str = ""


class RunTables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record(self, stage: str) -> StageRecord | None:
        row = self.conn.execute(
            "SELECT stage, version, params, inputs, seconds, summary, finished_at "
            "FROM stage_runs WHERE stage = ?",
            (stage,),
        ).fetchone()
        return _record(row) if row else None

    def records(self) -> list[StageRecord]:
        rows = self.conn.execute(
            "SELECT stage, version, params, inputs, seconds, summary, finished_at "
            "FROM stage_runs ORDER BY finished_at, stage"
        )
        return [_record(row) for row in rows]

    def generations(self, artefacts: tuple[str, ...] | list[str]) -> dict[str, int]:
        """The current generation of each artefact (0: never produced)."""
        found = dict(self.conn.execute("SELECT name, generation FROM artefacts"))
        return {name: int(found.get(name, 0)) for name in artefacts}

    def begin(self, stage: str) -> bool:
        """Mark ``stage`` as started; True when an earlier start never finished (the run
        was interrupted, and may have written part of its results)."""
        row = self.conn.execute("SELECT 1 FROM stage_started WHERE stage = ?", (stage,))
        interrupted = row.fetchone() is not None
        self.conn.execute("INSERT OR IGNORE INTO stage_started(stage) VALUES (?)", (stage,))
        return interrupted

    def finish(
        self,
        record: StageRecord,
        changed: tuple[str, ...] | list[str],
    ) -> None:
        """Record a finished run; the artefacts it ``changed`` get a new generation."""
        self.conn.execute("DELETE FROM stage_started WHERE stage = ?", (record.stage,))
        self.conn.execute(
            "INSERT OR REPLACE INTO stage_runs(stage, version, params, inputs, seconds, summary) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.stage,
                record.version,
                json.dumps(record.params, sort_keys=True),
                json.dumps(record.inputs, sort_keys=True),
                round(record.seconds, 3),
                json.dumps(record.summary, sort_keys=True, default=str),
            ),
        )
        if not changed:
            return
        latest = self.conn.execute("SELECT coalesce(max(generation), 0) FROM artefacts")
        generation = int(latest.fetchone()[0]) + 1
        self.conn.executemany(
            "INSERT OR REPLACE INTO artefacts(name, generation, stage) VALUES (?, ?, ?)",
            [(name, generation, record.stage) for name in changed],
        )

    def forget(self, stage: str) -> None:
        """Drop a stage's record: its next run starts as if it had never run."""
        self.conn.execute("DELETE FROM stage_runs WHERE stage = ?", (stage,))


def _record(row: tuple) -> StageRecord:
    stage, version, params, inputs, seconds, summary, finished = row
    return StageRecord(
        stage, version, json.loads(params), json.loads(inputs), seconds, json.loads(summary),
        finished,
    )  # fmt: skip
