"""The claim stage's tables: claims per document and, per story, linked entities, claim
clusters and disagreements. Reached as ``Store.claims``."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from storytrace.model import (
    Claim,
    ClaimCluster,
    ClaimRef,
    Disagreement,
    EntityMention,
    LinkedEntity,
)
from storytrace.util import batched


class ClaimTables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # -- per document ----------------------------------------------------------------------
    def pending_ids(self, model: str) -> list[str]:
        """Annotated documents without claims from this detector version."""
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE status = 'annotated' AND id NOT IN "
            "(SELECT doc_id FROM claim_docs WHERE model = ?) ORDER BY id",
            (model,),
        )
        return [r[0] for r in rows]

    def set_doc_claims(self, doc_id: str, model: str, claims: Sequence[Claim]) -> None:
        self.conn.execute("DELETE FROM claims WHERE doc_id = ?", (doc_id,))
        self.conn.executemany(
            "INSERT INTO claims(doc_id, sentence_idx, score, source, source_kind, hedge, cues, "
            "triggers) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c.doc_id, c.sentence_index, round(c.score, 4), c.source, c.source_kind,
                    c.hedge, json.dumps(c.cues, ensure_ascii=False), json.dumps(c.triggers),
                )
                for c in claims
            ],
        )  # fmt: skip
        self.conn.execute(
            "INSERT OR REPLACE INTO claim_docs(doc_id, model, claims) VALUES (?, ?, ?)",
            (doc_id, model, len(claims)),
        )

    def doc_claims(self, doc_ids: Iterable[str]) -> list[Claim]:
        """Claims of the given documents with their sentence text, in document order."""
        found: list[Claim] = []
        for doc_id in sorted(set(doc_ids)):
            rows = self.conn.execute(
                "SELECT c.sentence_idx, s.text, c.score, c.source, c.source_kind, c.hedge, "
                "c.cues, c.triggers FROM claims c JOIN sentences s "
                "ON s.doc_id = c.doc_id AND s.idx = c.sentence_idx "
                "WHERE c.doc_id = ? ORDER BY c.sentence_idx",
                (doc_id,),
            )
            found.extend(
                Claim(
                    doc_id, idx, text, score, source, kind, hedge, json.loads(cues),
                    [(a, b, pos) for a, b, pos in json.loads(triggers)],
                )
                for idx, text, score, source, kind, hedge, cues, triggers in rows
            )  # fmt: skip
        return found

    def count(self, table: str = "claims") -> int:
        """Rows of ``claims``, ``claim_clusters`` or ``disagreements``."""
        if table not in {"claims", "claim_clusters", "disagreements"}:
            raise ValueError(table)
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def mentions(self, doc_ids: Iterable[str]) -> dict[str, list[EntityMention]]:
        """Entity mentions of the given documents, in text order."""
        return {doc_id: entity_mentions(self.conn, doc_id) for doc_id in sorted(set(doc_ids))}

    def outlets(self, doc_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """doc id -> (outlet: site name or URL host, publication date)."""
        found: dict[str, tuple[str | None, str | None]] = {}
        for doc_id in sorted(set(doc_ids)):
            row = self.conn.execute(
                "SELECT site, url, published FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
            if row is not None:
                found[doc_id] = (row[0] or _host(row[1]), row[2])
        return found

    def forget_doc_claims(self) -> None:
        """Drop every document's claims (another detector): they are found again."""
        self.conn.execute("DELETE FROM claims")
        self.conn.execute("DELETE FROM claim_docs")

    def membership(
        self, sentences: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], tuple[str, str]]:
        """(doc, sentence) -> (claim id, story id) of the claim each sentence states."""
        found: dict[tuple[str, int], tuple[str, str]] = {}
        for doc_id, index in sentences:
            row = self.conn.execute(
                "SELECT m.cluster_id, c.story_id FROM claim_members m JOIN claim_clusters c "
                "ON c.id = m.cluster_id WHERE m.doc_id = ? AND m.sentence_idx = ? "
                "AND m.relation = 'states'",
                (doc_id, index),
            ).fetchone()
            if row is not None:
                found[(doc_id, index)] = (row[0], row[1])
        return found

    def supporting(self, cluster_ids: Iterable[str]) -> dict[str, list[ClaimRef]]:
        """Claim id -> the sentences that support it (relation "states" or "entails"), one
        query per claim: what an answer cites, without loading its story's claims."""
        found: dict[str, list[ClaimRef]] = {}
        for cid in dict.fromkeys(cluster_ids):
            rows = self.conn.execute(
                "SELECT m.doc_id, m.sentence_idx, s.text, m.relation FROM claim_members m "
                "LEFT JOIN sentences s ON s.doc_id = m.doc_id AND s.idx = m.sentence_idx "
                "WHERE m.cluster_id = ? AND m.relation IN ('states', 'entails') "
                "ORDER BY m.relation = 'entails', m.doc_id, m.sentence_idx",
                (cid,),
            )
            found[cid] = [ClaimRef(d, i, t or "", r) for d, i, t, r in rows]
        return found

    # -- the claim-pair model's readings, by content --------------------------------------
    def readings(self, keys: Sequence[bytes]) -> dict[bytes, tuple[float, ...]]:
        """Stored readings of these pair keys (entails, entailed_by, contradicts,
        paraphrase, similarity); keys never read are absent."""
        found: dict[bytes, tuple[float, ...]] = {}
        for chunk in batched(keys, 500):
            marks = ",".join("?" * len(chunk))
            for key, *scores in self.conn.execute(
                "SELECT key, entails, entailed_by, contradicts, paraphrase, similarity "
                f"FROM pair_readings WHERE key IN ({marks})",
                chunk,
            ):
                found[bytes(key)] = tuple(scores)
        return found

    def add_readings(self, rows: Iterable[tuple[bytes, float, float, float, float, float]]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO pair_readings VALUES (?, ?, ?, ?, ?, ?)", rows
        )

    def forget_readings(self) -> None:
        self.conn.execute("DELETE FROM pair_readings")

    # -- per story -------------------------------------------------------------------------
    def fingerprints(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT story_id, fingerprint FROM claim_stories"))

    def drop_stories(self, story_ids: Iterable[str]) -> None:
        ids = [(s,) for s in story_ids]
        self.conn.executemany(
            "DELETE FROM claim_members WHERE cluster_id IN "
            "(SELECT id FROM claim_clusters WHERE story_id = ?)",
            ids,
        )
        # A story's timeline is drawn from its claims: rebuilt claims make it stale.
        tables = ("claim_clusters", "disagreements", "story_entities", "claim_stories",
                  "timeline_stories")  # fmt: skip
        for table in tables:
            self.conn.executemany(f"DELETE FROM {table} WHERE story_id = ?", ids)

    def set_story(
        self,
        story_id: str,
        fingerprint: str,
        clusters: Sequence[ClaimCluster],
        disagreements: Sequence[Disagreement],
        entities: Sequence[LinkedEntity],
    ) -> None:
        self.drop_stories([story_id])
        self.conn.executemany(
            "INSERT INTO claim_clusters(id, story_id, label, documents, origins, outlets, "
            "first_seen, last_seen, hedges, sources, event_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c.id, story_id, c.label, c.documents, c.origins, c.outlets, c.first_seen,
                    c.last_seen, json.dumps(c.hedges), json.dumps(c.sources, ensure_ascii=False),
                    c.event_id,
                )
                for c in clusters
            ],
        )  # fmt: skip
        self.conn.executemany(
            "INSERT INTO claim_members(cluster_id, doc_id, sentence_idx, relation) "
            "VALUES (?, ?, ?, ?)",
            [(c.id, m.doc_id, m.sentence_index, m.relation) for c in clusters for m in c.members],
        )
        self.conn.executemany(
            "INSERT INTO disagreements(story_id, kind, doc_id, sentence_idx, other_doc_id, "
            "other_sentence_idx, value, other_value, similarity) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    story_id, d.kind, d.first.doc_id, d.first.sentence_index, d.second.doc_id,
                    d.second.sentence_index, d.first_value, d.second_value,
                    round(d.similarity, 4),
                )
                for d in disagreements
            ],
        )  # fmt: skip
        self.conn.executemany(
            "INSERT INTO story_entities(story_id, key, name, label, aliases, mentions, documents) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    story_id, e.key, e.name, e.label, json.dumps(e.aliases, ensure_ascii=False),
                    e.mentions, e.documents,
                )
                for e in entities
            ],
        )  # fmt: skip
        self.conn.execute(
            "INSERT INTO claim_stories(story_id, fingerprint) VALUES (?, ?)",
            (story_id, fingerprint),
        )

    def clusters(self, story_id: str | None = None) -> list[ClaimCluster]:
        """Claim clusters, best supported first (independent origins, then documents)."""
        query = (
            "SELECT id, story_id, label, documents, origins, outlets, first_seen, last_seen, "
            "hedges, sources, event_id FROM claim_clusters"
        )
        args: tuple[str, ...] = ()
        if story_id is not None:
            query += " WHERE story_id = ?"
            args = (story_id,)
        members: dict[str, list[ClaimRef]] = defaultdict(list)
        member_query = (
            "SELECT m.cluster_id, m.doc_id, m.sentence_idx, s.text, m.relation "
            "FROM claim_members m "
            "JOIN claim_clusters c ON c.id = m.cluster_id "
            "LEFT JOIN sentences s ON s.doc_id = m.doc_id AND s.idx = m.sentence_idx"
        )
        if story_id is not None:
            member_query += " WHERE c.story_id = ?"
        order = (
            " ORDER BY CASE m.relation WHEN 'states' THEN 0 WHEN 'entails' THEN 1 ELSE 2 END, "
            "m.doc_id, m.sentence_idx"
        )
        for cid, doc_id, idx, text, relation in self.conn.execute(member_query + order, args):
            members[cid].append(ClaimRef(doc_id, idx, text or "", relation))
        found = [
            ClaimCluster(
                id=cid, story_id=sid, label=label, members=members[cid], documents=docs,
                origins=origins, outlets=outlets, first_seen=first, last_seen=last,
                hedges=json.loads(hedges), sources=json.loads(sources), event_id=event,
            )
            for cid, sid, label, docs, origins, outlets, first, last, hedges, sources, event
            in self.conn.execute(query, args)
        ]  # fmt: skip
        return sorted(found, key=lambda c: (-c.origins, -c.documents, -c.outlets, c.id))

    def disagreements(self, story_id: str | None = None) -> list[Disagreement]:
        query = (
            "SELECT d.story_id, d.kind, d.doc_id, d.sentence_idx, a.text, d.other_doc_id, "
            "d.other_sentence_idx, b.text, d.value, d.other_value, d.similarity "
            "FROM disagreements d "
            "LEFT JOIN sentences a ON a.doc_id = d.doc_id AND a.idx = d.sentence_idx "
            "LEFT JOIN sentences b ON b.doc_id = d.other_doc_id AND b.idx = d.other_sentence_idx"
        )
        args: tuple[str, ...] = ()
        if story_id is not None:
            query += " WHERE d.story_id = ?"
            args = (story_id,)
        return [
            Disagreement(
                sid, kind, ClaimRef(da, ia, ta or ""), ClaimRef(db, ib, tb or ""), va, vb, sim
            )
            for sid, kind, da, ia, ta, db, ib, tb, va, vb, sim in self.conn.execute(
                query + " ORDER BY d.similarity DESC", args
            )
        ]

    def entities(self, story_id: str | None = None) -> list[LinkedEntity]:
        query = (
            "SELECT story_id, key, name, label, aliases, mentions, documents FROM story_entities"
        )
        args: tuple[str, ...] = ()
        if story_id is not None:
            query += " WHERE story_id = ?"
            args = (story_id,)
        rows = self.conn.execute(query + " ORDER BY mentions DESC, key", args)
        return [
            LinkedEntity(sid, key, name, label, json.loads(aliases), mentions, docs)
            for sid, key, name, label, aliases, mentions, docs in rows
        ]


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def entity_mentions(conn: sqlite3.Connection, doc_id: str) -> list[EntityMention]:
    """One document's entity mentions, in text order."""
    rows = conn.execute(
        "SELECT sentence_idx, start, end, text, label FROM entities WHERE doc_id = ? "
        "ORDER BY start",
        (doc_id,),
    )
    return [EntityMention(i, s, e, t, label) for i, s, e, t, label in rows]
