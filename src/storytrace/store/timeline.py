"""The timeline stage's tables: entries per story, unresolved expressions, document dates.
Reached as ``Store.timeline``."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict

from storytrace.model import DocDate, StoryTimeline, TimelineEntry, TimelineSource


class TimelineTables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def replace(self, timelines: dict[str, StoryTimeline]) -> None:
        for table in ("timeline_entries", "timeline_unresolved", "doc_dates"):
            self.conn.execute(f"DELETE FROM {table}")
        self.conn.executemany(
            "INSERT INTO timeline_entries(story_id, value, sort_key, precision, label, "
            "cluster_id, documents, origins, sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.story_id, e.value, e.sort_key, e.precision, e.label, e.cluster_id,
                    e.documents, e.origins,
                    json.dumps([asdict(s) for s in e.sources], ensure_ascii=False),
                )
                for t in timelines.values()
                for e in t.entries
            ],
        )  # fmt: skip
        self.conn.executemany(
            "INSERT INTO timeline_unresolved(story_id, source) VALUES (?, ?)",
            [
                (story_id, json.dumps(asdict(s), ensure_ascii=False))
                for story_id, t in timelines.items()
                for s in t.unresolved
            ],
        )
        self.conn.executemany(
            "INSERT OR REPLACE INTO doc_dates(doc_id, earliest, latest, estimated, reason) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (d.doc_id, d.earliest, d.latest, int(d.estimated), d.reason)
                for t in timelines.values()
                for d in t.doc_dates
            ],
        )

    def entries(self, story_id: str | None = None) -> list[TimelineEntry]:
        """Entries in time order (per story when several stories are asked for)."""
        query = (
            "SELECT story_id, value, sort_key, precision, label, cluster_id, documents, "
            "origins, sources FROM timeline_entries"
        )
        args: tuple[str, ...] = ()
        if story_id is not None:
            query += " WHERE story_id = ?"
            args = (story_id,)
        rows = self.conn.execute(query + " ORDER BY story_id, sort_key, origins DESC, id", args)
        return [
            TimelineEntry(
                sid, value, key, precision, label, cluster, docs, origins,
                [TimelineSource(**s) for s in json.loads(sources)],
            )
            for sid, value, key, precision, label, cluster, docs, origins, sources in rows
        ]  # fmt: skip

    def unresolved(self, story_id: str | None = None) -> list[tuple[str, TimelineSource]]:
        query = "SELECT story_id, source FROM timeline_unresolved"
        args: tuple[str, ...] = ()
        if story_id is not None:
            query += " WHERE story_id = ?"
            args = (story_id,)
        rows = self.conn.execute(query + " ORDER BY rowid", args)
        return [(sid, TimelineSource(**json.loads(source))) for sid, source in rows]

    def doc_dates(self) -> dict[str, DocDate]:
        rows = self.conn.execute(
            "SELECT doc_id, earliest, latest, estimated, reason FROM doc_dates"
        )
        return {d: DocDate(d, e, la, bool(est), r) for d, e, la, est, r in rows}
