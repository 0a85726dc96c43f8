"""The story stage's tables: grouping evidence per document, candidate pairs, stories,
topics and the record of story changes. Reached as ``Store.stories``."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict

import numpy as np

from storytrace.model import STORY_BAGS, Story, StoryChange, StoryEntity, StoryText, Topic


class StoryTables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # -- per-document evidence -------------------------------------------------------------
    def pending_ids(self) -> list[str]:
        """Documents prepared for reuse comparison (they carry sentence vectors) that have no
        story evidence yet."""
        rows = self.conn.execute(
            "SELECT doc_id FROM reuse_docs "
            "WHERE doc_id NOT IN (SELECT doc_id FROM story_docs) ORDER BY doc_id"
        )
        return [r[0] for r in rows]

    def add_doc(self, text: StoryText, lead: np.ndarray, plain: np.ndarray) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO story_docs(doc_id, data, lead_vector, plain_vector) "
            "VALUES (?, ?, ?, ?)",
            (
                text.doc_id,
                json.dumps(_text_json(text), ensure_ascii=False),
                lead.astype(np.float16).tobytes(),
                plain.astype(np.float16).tobytes(),
            ),
        )
        self.conn.executemany(
            "INSERT INTO story_df(bag, term, df) VALUES (?, ?, 1) "
            "ON CONFLICT(bag, term) DO UPDATE SET df = df + 1",
            [(bag, term) for bag in STORY_BAGS for term in text.bag(bag)],
        )

    def forget(self, doc_id: str) -> None:
        """Drop a document's evidence and pairs (its text changed)."""
        row = self.conn.execute(
            "SELECT data FROM story_docs WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            return
        text = _text_from_json(doc_id, json.loads(row[0]))
        self.conn.executemany(
            "UPDATE story_df SET df = df - 1 WHERE bag = ? AND term = ?",
            [(bag, term) for bag in STORY_BAGS for term in text.bag(bag)],
        )
        self.conn.execute("DELETE FROM story_df WHERE df <= 0")
        self.conn.execute(
            "DELETE FROM story_pairs WHERE doc_id = ? OR other_id = ?", (doc_id, doc_id)
        )
        self.conn.execute("DELETE FROM story_docs WHERE doc_id = ?", (doc_id,))

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM story_docs").fetchone()[0])

    def recount(self) -> None:
        """Document frequencies counted again from the evidence (after evidence was copied
        in from other stores, which carries no counts)."""
        self.conn.execute("DELETE FROM story_df")
        df: Counter[tuple[str, str]] = Counter()
        for doc_id, data in self.conn.execute("SELECT doc_id, data FROM story_docs"):
            text = _text_from_json(doc_id, json.loads(data))
            df.update((bag, term) for bag in STORY_BAGS for term in text.bag(bag))
        self.conn.executemany(
            "INSERT INTO story_df(bag, term, df) VALUES (?, ?, ?)",
            ((bag, term, n) for (bag, term), n in df.items()),
        )

    def reset(self) -> None:
        """Drop the evidence, pairs, stories and topics (made by another version of the
        stage): the next run groups every document afresh. The record of changes stays."""
        for table in ("story_pairs", "story_docs", "story_df", "story_members", "stories",
                      "topics"):  # fmt: skip
            self.conn.execute(f"DELETE FROM {table}")

    def load(self) -> tuple[list[StoryText], np.ndarray, np.ndarray, np.ndarray]:
        """Every prepared document: texts and (doc, lead, plain) vectors, ordered by id."""
        texts, doc_vectors, leads, plains = [], [], [], []
        rows = self.conn.execute(
            "SELECT s.doc_id, s.data, r.doc_vector, s.lead_vector, s.plain_vector "
            "FROM story_docs s JOIN reuse_docs r ON r.doc_id = s.doc_id ORDER BY s.doc_id"
        )
        for doc_id, data, doc_vector, lead, plain in rows:
            texts.append(_text_from_json(doc_id, json.loads(data)))
            doc_vectors.append(np.frombuffer(doc_vector, dtype=np.float32))
            leads.append(np.frombuffer(lead, dtype=np.float16).astype(np.float32))
            plains.append(np.frombuffer(plain, dtype=np.float16).astype(np.float32))
        if not texts:
            empty = np.zeros((0, 0), dtype=np.float32)
            return [], empty, empty, empty
        return texts, np.stack(doc_vectors), np.stack(leads), np.stack(plains)

    def document_frequencies(self) -> dict[str, Counter[str]]:
        df: dict[str, Counter[str]] = {bag: Counter() for bag in STORY_BAGS}
        for bag, term, count in self.conn.execute("SELECT bag, term, df FROM story_df"):
            if bag in df:
                df[bag][term] = count
        return df

    # -- candidate pairs -------------------------------------------------------------------
    def pair_ids(self) -> list[tuple[str, str]]:
        return [(a, b) for a, b in self.conn.execute("SELECT doc_id, other_id FROM story_pairs")]

    def add_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO story_pairs(doc_id, other_id) VALUES (?, ?)",
            [(a, b) if a < b else (b, a) for a, b in pairs],
        )

    def pair_scores(self) -> list[tuple[str, str, float, float]]:
        """(doc_id, other_id, event, topic) of every pair, in the table's order."""
        return list(self.conn.execute("SELECT doc_id, other_id, event, topic FROM story_pairs"))

    def set_scores(self, rows: Iterable[tuple[float, float, str, str]]) -> None:
        """(event, topic, doc_id, other_id) rows."""
        self.conn.executemany(
            "UPDATE story_pairs SET event = ?, topic = ? WHERE doc_id = ? AND other_id = ?",
            rows,
        )

    # -- results ---------------------------------------------------------------------------
    def assignment(self) -> tuple[dict[str, str], dict[str, str]]:
        """Stored document -> story and story -> topic."""
        story_of = dict(self.conn.execute("SELECT doc_id, story_id FROM story_members"))
        topic_of = dict(self.conn.execute("SELECT id, topic_id FROM stories"))
        return story_of, topic_of

    def replace(
        self, stories: list[Story], topics: list[Topic], centrality: dict[str, float]
    ) -> None:
        for table in ("story_members", "stories", "topics"):
            self.conn.execute(f"DELETE FROM {table}")
        self.conn.executemany(
            "INSERT INTO topics(id, label) VALUES (?, ?)", [(t.id, t.label) for t in topics]
        )
        self.conn.executemany(
            "INSERT INTO stories(id, topic_id, label, first_date, last_date, undated, origins, "
            "entities) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    s.id, s.topic_id, s.label, s.first_date, s.last_date, s.undated, s.origins,
                    json.dumps([asdict(e) for e in s.entities], ensure_ascii=False),
                )
                for s in stories
            ],
        )  # fmt: skip
        self.conn.executemany(
            "INSERT INTO story_members(doc_id, story_id, centrality) VALUES (?, ?, ?)",
            [(d, s.id, round(centrality.get(d, 0.0), 4)) for s in stories for d in s.doc_ids],
        )

    def add_changes(self, changes: Iterable[StoryChange]) -> None:
        self.conn.executemany(
            "INSERT INTO story_changes(kind, story_id, others, documents, detail) "
            "VALUES (?, ?, ?, ?, ?)",
            [(c.kind, c.story_id, json.dumps(c.others), c.documents, c.detail) for c in changes],
        )

    def stories(self, story_id: str | None = None) -> list[Story]:
        """Stories, largest first (or the one asked for), members by centrality."""
        query = (
            "SELECT id, topic_id, label, first_date, last_date, undated, origins, entities "
            "FROM stories"
        )
        args: tuple[str, ...] = ()
        if story_id is not None:
            query += " WHERE id = ?"
            args = (story_id,)
        members: dict[str, list[str]] = defaultdict(list)
        member_rows = self.conn.execute(
            "SELECT story_id, doc_id FROM story_members ORDER BY centrality DESC, doc_id"
        )
        for sid, doc_id in member_rows:
            members[sid].append(doc_id)
        found = [
            Story(
                id=sid, topic_id=topic, label=label, doc_ids=members[sid],
                entities=[StoryEntity(**e) for e in json.loads(entities)],
                first_date=first, last_date=last, undated=undated, origins=origins,
            )
            for sid, topic, label, first, last, undated, origins, entities
            in self.conn.execute(query, args)
        ]  # fmt: skip
        return sorted(found, key=lambda s: (-len(s.doc_ids), s.first_date or "9999", s.id))

    def topics(self) -> list[Topic]:
        """Topics, largest first; each one's stories in time order (undated last)."""
        stories = self.stories()
        by_topic: dict[str, list[Story]] = defaultdict(list)
        for story in stories:
            by_topic[story.topic_id].append(story)
        topics = [
            Topic(
                id=tid,
                label=label,
                story_ids=[
                    s.id
                    for s in sorted(by_topic[tid], key=lambda s: (s.first_date or "9999", s.id))
                ],
            )
            for tid, label in self.conn.execute("SELECT id, label FROM topics")
        ]
        return sorted(topics, key=lambda t: (-sum(len(s.doc_ids) for s in by_topic[t.id]), t.id))

    def changes(self, story_id: str | None = None) -> list[StoryChange]:
        query = "SELECT kind, story_id, others, documents, detail, at FROM story_changes"
        args: tuple[str, ...] = ()
        if story_id is not None:
            query += " WHERE story_id = ? OR others LIKE ?"
            args = (story_id, f'%"{story_id}"%')
        rows = self.conn.execute(query + " ORDER BY id", args)
        return [StoryChange(k, s, json.loads(o), n, d, at) for k, s, o, n, d, at in rows]

    def resolve(self, prefix: str) -> str:
        """A story id from a unique prefix (KeyError with a one-line reason otherwise)."""
        rows = self.conn.execute(
            "SELECT id FROM stories WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
            (prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",),
        ).fetchall()
        if not rows:
            raise KeyError(f"no story {prefix!r}; `storytrace stories` lists them")
        if len(rows) > 1:
            raise KeyError(f"story id prefix {prefix!r} is ambiguous; give more characters")
        return str(rows[0][0])


def _text_json(text: StoryText) -> dict[str, object]:
    return {
        "published": text.published,
        "terms": dict(text.terms),
        "plain": dict(text.plain),
        "names": {group: dict(c) for group, c in text.names.items()},
        "numbers": sorted(text.numbers),
        "years": sorted(text.years),
        "lead": text.lead,
        "plain_lead": text.plain_lead,
        "surface": text.surface,
    }


def _text_from_json(doc_id: str, data: dict) -> StoryText:
    return StoryText(
        doc_id=doc_id,
        published=data["published"],
        terms=Counter(data["terms"]),
        plain=Counter(data["plain"]),
        names={group: Counter(c) for group, c in data["names"].items()},
        numbers=frozenset(data["numbers"]),
        years=frozenset(data["years"]),
        lead=data["lead"],
        plain_lead=data["plain_lead"],
        surface=data["surface"],
    )
