"""The reuse stage's tables: comparison data, scored pairs, links and families.

Reached as ``Store.reuse``. Vectors are stored as float16 (half the size; cosine changes in
the fourth decimal), signatures as raw uint32.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from storytrace.model import AlignedPair, Family, FamilyMember, ReuseLink
from storytrace.util import batched


@dataclass(slots=True)
class ReuseDoc:
    doc_id: str
    sentence_ids: list[int]
    vectors: np.ndarray  # float32
    doc_vector: np.ndarray
    minhash: np.ndarray
    terms: list[str]


@dataclass(slots=True)
class PairRow:
    doc_id: str
    other_id: str
    score: float
    direction: float
    trigrams: float
    coverage: float
    size: int
    features: np.ndarray
    direction_features: np.ndarray


@dataclass(slots=True)
class DocMetadata:
    """What the direction rules read of a document."""

    published: str | None
    declared_source: str | None
    site: str | None
    url: str | None
    author: str | None
    furniture: int  # page-furniture lines removed by cleaning (metadata lines not counted)


class ReuseTables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # -- per-document comparison data ------------------------------------------------------
    def pending_ids(self) -> list[str]:
        """Annotated documents not yet prepared for comparison."""
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE status = 'annotated' "
            "AND id NOT IN (SELECT doc_id FROM reuse_docs) ORDER BY id"
        )
        return [r[0] for r in rows]

    def encoders(self) -> list[str]:
        """Names of the models whose vectors the store holds (one, normally)."""
        rows = self.conn.execute("SELECT DISTINCT encoder FROM reuse_docs ORDER BY encoder")
        return [r[0] for r in rows]

    def add_doc(self, doc: ReuseDoc, encoder: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO reuse_docs(doc_id, encoder, sentence_ids, vectors, "
            "doc_vector, minhash, terms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                doc.doc_id,
                encoder,
                np.asarray(doc.sentence_ids, dtype=np.int32).tobytes(),
                doc.vectors.astype(np.float16).tobytes(),
                doc.doc_vector.astype(np.float32).tobytes(),
                doc.minhash.astype(np.uint32).tobytes(),
                " ".join(doc.terms),
            ),
        )
        self.conn.executemany(
            "INSERT INTO reuse_terms(term, df) VALUES (?, 1) "
            "ON CONFLICT(term) DO UPDATE SET df = df + 1",
            [(t,) for t in doc.terms],
        )

    def forget(self, doc_id: str) -> None:
        """Drop a document's comparison data (its text changed): counts, pairs, vectors."""
        row = self.conn.execute(
            "SELECT terms FROM reuse_docs WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            return
        self.conn.executemany(
            "UPDATE reuse_terms SET df = df - 1 WHERE term = ?", [(t,) for t in row[0].split()]
        )
        self.conn.execute("DELETE FROM reuse_docs WHERE doc_id = ?", (doc_id,))

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM reuse_docs").fetchone()[0])

    def recount(self) -> None:
        """Term document frequencies counted again from the stored documents (after
        documents were copied in from other stores, which carries no counts)."""
        self.conn.execute("DELETE FROM reuse_terms")
        df: Counter[str] = Counter()
        for (terms,) in self.conn.execute("SELECT terms FROM reuse_docs"):
            df.update(terms.split())
        self.conn.executemany("INSERT INTO reuse_terms(term, df) VALUES (?, ?)", df.items())

    def frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """Document frequencies of the given content terms (absent: not in any document)."""
        found = {}
        for term in set(terms):
            row = self.conn.execute("SELECT df FROM reuse_terms WHERE term = ?", (term,)).fetchone()
            if row and row[0] > 0:
                found[term] = int(row[0])
        return found

    def document_frequencies(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT term, df FROM reuse_terms WHERE df > 0"))

    def index_rows(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """(ids, signatures, document vectors, compared flags) of every prepared document
        with at least one compared sentence, in id order."""
        ids, sigs, vecs, flags = [], [], [], []
        rows = self.conn.execute(
            "SELECT doc_id, minhash, doc_vector, compared FROM reuse_docs "
            "WHERE length(sentence_ids) > 0 ORDER BY doc_id"
        )
        for doc_id, sig, vec, compared in rows:
            ids.append(doc_id)
            sigs.append(np.frombuffer(sig, dtype=np.uint32))
            vecs.append(np.frombuffer(vec, dtype=np.float32))
            flags.append(bool(compared))
        if not ids:
            return [], np.zeros((0, 0), np.uint32), np.zeros((0, 0), np.float32), np.zeros(0, bool)
        return ids, np.vstack(sigs), np.vstack(vecs), np.asarray(flags)

    def get_doc(self, doc_id: str) -> ReuseDoc:
        row = self.conn.execute(
            "SELECT sentence_ids, vectors, doc_vector, minhash, terms FROM reuse_docs "
            "WHERE doc_id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"no comparison data for {doc_id!r}")
        ids = np.frombuffer(row[0], dtype=np.int32)
        vectors = np.frombuffer(row[1], dtype=np.float16).astype(np.float32)
        doc_vector = np.frombuffer(row[2], dtype=np.float32)
        return ReuseDoc(
            doc_id=doc_id,
            sentence_ids=ids.tolist(),
            vectors=vectors.reshape(len(ids), -1) if len(ids) else vectors.reshape(0, 0),
            doc_vector=doc_vector,
            minhash=np.frombuffer(row[3], dtype=np.uint32),
            terms=row[4].split(),
        )

    def mark_compared(self, doc_ids: Iterable[str]) -> None:
        self.conn.executemany(
            "UPDATE reuse_docs SET compared = 1 WHERE doc_id = ?", [(d,) for d in doc_ids]
        )

    def doc_metadata(self, doc_ids: Iterable[str]) -> dict[str, DocMetadata]:
        found = {}
        for doc_id in doc_ids:
            row = self.conn.execute(
                "SELECT published, declared_source, site, url, author, "
                "(SELECT count(*) FROM removed_lines r WHERE r.doc_id = d.id "
                "AND r.reason NOT LIKE 'metadata:%') FROM documents d WHERE id = ?",
                (doc_id,),
            ).fetchone()
            if row is not None:
                found[doc_id] = DocMetadata(*row)
        return found

    def signature_rows(self) -> list[str]:
        """Ids of every prepared document (whose signature a new MinHash setting redoes)."""
        return [r[0] for r in self.conn.execute("SELECT doc_id FROM reuse_docs ORDER BY doc_id")]

    def set_signature(self, doc_id: str, minhash: np.ndarray) -> None:
        self.conn.execute(
            "UPDATE reuse_docs SET minhash = ?, compared = 0 WHERE doc_id = ?",
            (minhash.astype(np.uint32).tobytes(), doc_id),
        )

    def reset(self) -> None:
        """Forget every document's comparison data and every scored pair."""
        self.conn.execute("DELETE FROM reuse_docs")
        self.conn.execute("DELETE FROM reuse_terms")

    def mark_uncompared(self) -> None:
        """Every document's candidates are searched again (scored pairs are kept)."""
        self.conn.execute("UPDATE reuse_docs SET compared = 0")

    def reset_pairs(self) -> None:
        """Forget every scored pair (features changed): the next run compares again."""
        self.conn.execute("DELETE FROM reuse_pairs")
        self.conn.execute("UPDATE reuse_docs SET compared = 0")

    # -- scored pairs ----------------------------------------------------------------------
    def known_pairs(self, doc_ids: Collection[str] | None = None) -> set[tuple[str, str]]:
        """Scored pairs (both directions), all or those with a document in ``doc_ids``."""
        if doc_ids is None:
            return set(self.conn.execute("SELECT doc_id, other_id FROM reuse_pairs"))
        found: set[tuple[str, str]] = set()
        for chunk in batched(sorted(doc_ids), 500):  # SQLite binds at most 32,766 values
            marks = ",".join("?" * len(chunk))
            query = f"SELECT doc_id, other_id FROM reuse_pairs WHERE doc_id IN ({marks})"
            found |= set(self.conn.execute(query, chunk))
        return found

    def add_pairs(self, rows: Iterable[PairRow]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO reuse_pairs(doc_id, other_id, score, direction, trigrams, "
            "coverage, size, features, direction_features) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.doc_id, r.other_id, r.score, r.direction, r.trigrams, r.coverage, r.size,
                    r.features.astype(np.float32).tobytes(),
                    r.direction_features.astype(np.float32).tobytes(),
                )
                for r in rows
            ],
        )  # fmt: skip

    def pairs(self) -> Iterator[PairRow]:
        rows = self.conn.execute(
            "SELECT doc_id, other_id, score, direction, trigrams, coverage, size, features, "
            "direction_features FROM reuse_pairs ORDER BY doc_id, other_id"
        )
        for row in rows:
            yield PairRow(
                *row[:7],
                features=np.frombuffer(row[7], dtype=np.float32),
                direction_features=np.frombuffer(row[8], dtype=np.float32),
            )

    def scored(
        self, min_score: float = 0.0
    ) -> Iterator[tuple[str, str, float, float, float, float, int]]:
        """(doc, other, score, direction, trigrams, coverage, size) of the scored pairs at or
        above ``min_score``, without their feature vectors."""
        yield from self.conn.execute(
            "SELECT doc_id, other_id, score, direction, trigrams, coverage, size "
            "FROM reuse_pairs WHERE score >= ? ORDER BY doc_id, other_id",
            (min_score,),
        )

    def rescore(self, scores: Iterable[tuple[float, float, str, str]]) -> None:
        """(score, direction, doc, other) rows: new model weights, same features."""
        self.conn.executemany(
            "UPDATE reuse_pairs SET score = ?, direction = ? WHERE doc_id = ? AND other_id = ?",
            list(scores),
        )

    # -- decided links and families ----------------------------------------------------------
    def replace_results(self, links: list[ReuseLink], families: list[Family]) -> None:
        self.conn.execute("DELETE FROM reuse_alignments")
        self.conn.execute("DELETE FROM reuse_links")
        self.conn.execute("DELETE FROM family_members")
        self.conn.execute("DELETE FROM families")
        for link in links:
            cur = self.conn.execute(
                "INSERT INTO reuse_links(doc_id, origin_id, kind, confidence, "
                "direction_confidence, coverage, origin_coverage, reasons) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    link.doc_id, link.origin_id, link.kind, link.confidence,
                    link.direction_confidence, link.coverage, link.origin_coverage,
                    json.dumps(link.reasons),
                ),
            )  # fmt: skip
            self.conn.executemany(
                "INSERT INTO reuse_alignments(link_id, doc_sentence, origin_sentence, "
                "similarity, overlap) VALUES (?, ?, ?, ?, ?)",
                [
                    (cur.lastrowid, p.doc_sentence, p.origin_sentence, p.similarity, p.overlap)
                    for p in link.pairs
                ],
            )
        for family in families:
            self.conn.execute(
                "INSERT INTO families(id, root_id, confidence, external_origin) "
                "VALUES (?, ?, ?, ?)",
                (family.id, family.root_id, family.confidence, family.external_origin),
            )
            self.conn.executemany(
                "INSERT INTO family_members(family_id, doc_id, role, depth, parents) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (family.id, m.doc_id, m.role, m.depth, json.dumps(m.parents))
                    for m in family.members
                ],
            )

    def links(self, doc_id: str | None = None, with_pairs: bool = False) -> list[ReuseLink]:
        """All links, or those where ``doc_id`` is either side, strongest first."""
        query = (
            "SELECT id, doc_id, origin_id, kind, confidence, direction_confidence, coverage, "
            "origin_coverage, reasons FROM reuse_links"
        )
        args: tuple[str, ...] = ()
        if doc_id is not None:
            query += " WHERE doc_id = ? OR origin_id = ?"
            args = (doc_id, doc_id)
        rows = self.conn.execute(query + " ORDER BY confidence DESC, doc_id", args).fetchall()
        links = []
        for row in rows:
            link = ReuseLink(*row[1:8], reasons=json.loads(row[8]))
            if with_pairs:
                link.pairs = self._alignments(row[0], link.doc_id, link.origin_id)
            links.append(link)
        return links

    def _alignments(self, link_id: int, doc_id: str, origin_id: str) -> list[AlignedPair]:
        rows = self.conn.execute(
            """
            SELECT a.doc_sentence, a.origin_sentence, a.similarity, a.overlap, s.text, o.text
            FROM reuse_alignments a
            LEFT JOIN sentences s ON s.doc_id = ? AND s.idx = a.doc_sentence
            LEFT JOIN sentences o ON o.doc_id = ? AND o.idx = a.origin_sentence
            WHERE a.link_id = ? ORDER BY a.doc_sentence
            """,
            (doc_id, origin_id, link_id),
        )
        return [AlignedPair(i, j, sim, ov, st or "", ot or "") for i, j, sim, ov, st, ot in rows]

    def families(self, doc_id: str | None = None) -> list[Family]:
        query = "SELECT id, root_id, confidence, external_origin FROM families"
        args: tuple[str, ...] = ()
        if doc_id is not None:
            query += " WHERE id IN (SELECT family_id FROM family_members WHERE doc_id = ?)"
            args = (doc_id,)
        families = []
        for fid, root, confidence, external in self.conn.execute(query, args).fetchall():
            members = [
                FamilyMember(d, role, json.loads(parents), depth)
                for d, role, depth, parents in self.conn.execute(
                    "SELECT doc_id, role, depth, parents FROM family_members "
                    "WHERE family_id = ? ORDER BY depth, doc_id",
                    (fid,),
                )
            ]
            families.append(Family(fid, root, members, confidence, external))
        return sorted(families, key=lambda f: (-len(f.members), f.id))
