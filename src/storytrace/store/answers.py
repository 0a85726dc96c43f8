"""The answer index: per document, the sentences a question may be answered from, with
their vectors (float16), so that ``storytrace ask`` loads them instead of encoding."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np


class AnswerIndexTables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def pending_ids(self) -> list[str]:
        """Annotated documents with comparison vectors but no answer index yet."""
        rows = self.conn.execute(
            "SELECT doc_id FROM reuse_docs WHERE doc_id NOT IN "
            "(SELECT doc_id FROM answer_index) ORDER BY doc_id"
        )
        return [r[0] for r in rows]

    def put(
        self, doc_id: str, encoder: str, sentence_ids: Sequence[int], vectors: np.ndarray
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO answer_index(doc_id, encoder, sentence_ids, vectors) "
            "VALUES (?, ?, ?, ?)",
            (
                doc_id,
                encoder,
                np.asarray(sentence_ids, dtype=np.int32).tobytes(),
                np.asarray(vectors, dtype=np.float16).tobytes(),
            ),
        )

    def load(self) -> tuple[list[tuple[str, int, str]], np.ndarray]:
        """Every indexed sentence as (doc id, sentence index, text), in document order, and
        their vectors (float32 rows, renormalised after float16 storage)."""
        items: list[tuple[str, int, str]] = []
        blocks: list[np.ndarray] = []
        texts: dict[tuple[str, int], str] = {}
        rows = self.conn.execute(
            "SELECT a.doc_id, a.sentence_ids, a.vectors, s.idx, s.text FROM answer_index a "
            "JOIN sentences s ON s.doc_id = a.doc_id ORDER BY a.doc_id, s.idx"
        )
        current, ids, vectors = None, None, None
        for doc_id, raw_ids, raw_vectors, idx, text in rows:
            if doc_id != current:
                if current is not None:
                    self._add(current, ids, vectors, texts, items, blocks)
                current, texts = doc_id, {}
                ids = np.frombuffer(raw_ids, dtype=np.int32)
                vectors = np.frombuffer(raw_vectors, dtype=np.float16)
            texts[(doc_id, idx)] = text
        if current is not None:
            self._add(current, ids, vectors, texts, items, blocks)
        if not blocks:
            return items, np.zeros((0, 0), dtype=np.float32)
        matrix = np.vstack(blocks).astype(np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
        return items, matrix

    @staticmethod
    def _add(doc_id, ids, vectors, texts, items, blocks) -> None:
        if ids is None or not len(ids):
            return
        blocks.append(vectors.reshape(len(ids), -1))
        items.extend((doc_id, int(i), texts[(doc_id, int(i))]) for i in ids)

    def doc_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT doc_id FROM answer_index")}

    def forget(self, doc_id: str) -> None:
        self.conn.execute("DELETE FROM answer_index WHERE doc_id = ?", (doc_id,))

    def reset(self) -> None:
        self.conn.execute("DELETE FROM answer_index")

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM answer_index").fetchone()[0])
