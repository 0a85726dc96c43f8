"""The timeline stage's tables: entries per story, unresolved expressions, document dates.
Reached as ``Store.timeline``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import asdict

from storytrace.model import DocDate, StoryTimeline, TimelineEntry, TimelineSource


class TimelineTables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def fingerprints(self) -> dict[str, str]:
        """What each stored story timeline was built from (see the timeline stage)."""
        return dict(self.conn.execute("SELECT story_id, fingerprint FROM timeline_stories"))

    def drop_stories(self, story_ids: Iterable[str]) -> None:
        """Forget the timelines of these stories (their document dates stay)."""
        ids = [(s,) for s in story_ids]
        for table in ("timeline_entries", "timeline_unresolved", "timeline_stories"):
            self.conn.executemany(f"DELETE FROM {table} WHERE story_id = ?", ids)

    def keep_doc_dates(self, doc_ids: Collection[str]) -> None:
        """Forget the dates of documents not in ``doc_ids`` (no longer in any story)."""
        stale = [(d,) for (d,) in self.conn.execute("SELECT doc_id FROM doc_dates")
                 if d not in doc_ids]  # fmt: skip
        self.conn.executemany("DELETE FROM doc_dates WHERE doc_id = ?", stale)

    def update(self, timelines: dict[str, StoryTimeline], fingerprints: dict[str, str]) -> None:
        """Replace the timelines of the given stories (others are kept)."""
        self.drop_stories(timelines)
        self.conn.executemany(
            "INSERT INTO timeline_stories(story_id, fingerprint) VALUES (?, ?)",
            [(story_id, fingerprints[story_id]) for story_id in timelines],
        )
        self._insert(timelines)

    def _insert(self, timelines: dict[str, StoryTimeline]) -> None:
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

    def counts(self) -> tuple[int, int, int]:
        """Stored entries, unresolved expressions and documents with an estimated date."""
        return (
            int(self.conn.execute("SELECT count(*) FROM timeline_entries").fetchone()[0]),
            int(self.conn.execute("SELECT count(*) FROM timeline_unresolved").fetchone()[0]),
            int(self.conn.execute("SELECT count(*) FROM doc_dates WHERE estimated").fetchone()[0]),
        )

    def doc_dates(self) -> dict[str, DocDate]:
        rows = self.conn.execute(
            "SELECT doc_id, earliest, latest, estimated, reason FROM doc_dates"
        )
        return {d: DocDate(d, e, la, bool(est), r) for d, e, la, est, r in rows}
