"""Sentence retrieval: BM25 (FTS5), embeddings, and their reciprocal-rank fusion, over the
answer index (the sentences fit to answer from, with their stored vectors)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from storytrace.answer_index import candidates
from storytrace.ml import encode
from storytrace.ml.vectors import sentence_vectors
from storytrace.store import Store
from storytrace.text import content_terms, words

Mode = Literal["bm25", "embedding", "fused"]
RRF_K = 60  # the usual reciprocal-rank constant: rank 1 and rank 5 differ, 50 and 55 barely
POOL = 50  # hits taken from each list before fusing


@dataclass(frozen=True, slots=True)
class Hit:
    doc_id: str
    sentence_index: int
    text: str
    score: float  # the fused (or single-list) score: higher is better
    similarity: float  # cosine between question and sentence
    overlap: float  # share of the question's content words the sentence contains
    lexical_rank: int = 0  # rank in the BM25 list (0: not in it)
    answers: float | None = None  # P(this sentence answers the question), once reranked

    def reranked(self, probability: float) -> Hit:
        return replace(self, answers=probability)


class SentenceIndex:
    """The store's answer index in memory: loaded once per process (the web app keeps it
    while the store is unchanged). Documents the index stage has not reached yet (a store
    used with ``--no-update``) are indexed in memory."""

    def __init__(self, store: Store, threads: int = 1) -> None:
        self.store = store
        self.threads = threads
        self.encoder = encode.store_encoder(store)  # questions in the space of the sentences
        self.items, self.vectors = store.answers.load()
        self._add_unindexed(store)
        self.position = {(d, i): k for k, (d, i, _) in enumerate(self.items)}

    def _add_unindexed(self, store: Store) -> None:
        indexed = store.answers.doc_ids()
        missing = [d for d in store.ids_with_status("annotated") if d not in indexed]
        extra = [(d, i, t) for d in missing for i, t in candidates(store.get(d))]
        if not extra:
            return
        vectors = sentence_vectors(store, extra, self.threads)
        self.items = self.items + extra
        self.vectors = np.vstack([self.vectors, vectors]) if len(self.vectors) else vectors

    def search(self, question: str, mode: Mode = "fused", limit: int = 10) -> list[Hit]:
        """Sentences for ``question``, best first."""
        if not self.items or not question.strip():
            return []
        qvec = encode.encode([question], self.threads, encoder=self.encoder)[0]
        cosines = self.vectors @ qvec
        asked = content_terms(words(question))
        lists: list[list[int]] = []
        lexical: dict[int, int] = {}
        if mode in {"bm25", "fused"}:
            lists.append(self._bm25(asked))
            lexical = {k: rank for rank, k in enumerate(lists[0], 1)}
        if mode in {"embedding", "fused"}:
            top = np.argpartition(-cosines, min(POOL, len(cosines) - 1))[:POOL]
            lists.append([int(k) for k in sorted(top, key=lambda k: (-cosines[k], k))])
        scores: dict[int, float] = defaultdict(float)
        for ranked in lists:
            for rank, k in enumerate(ranked, 1):
                scores[k] += 1.0 / (RRF_K + rank)
        best = sorted(scores, key=lambda k: (-scores[k], k))[:limit]
        return [self._hit(k, scores[k], float(cosines[k]), asked, lexical.get(k, 0)) for k in best]

    def _bm25(self, asked: frozenset[str]) -> list[int]:
        if not asked:
            return []
        query = " OR ".join('"' + term.replace('"', '""') + '"' for term in sorted(asked))
        # Sentences outside the index (fragments) are dropped: ask for more than the pool.
        found = self.store.search_sentences(query, 3 * POOL)
        ranked = [self.position[(d, i)] for d, i, _ in found if (d, i) in self.position]
        return ranked[:POOL]

    def _hit(
        self, k: int, score: float, cosine: float, asked: frozenset[str], lexical_rank: int
    ) -> Hit:
        doc_id, index, text = self.items[k]
        said = content_terms(words(text))
        overlap = len(asked & said) / len(asked) if asked else 0.0
        return Hit(doc_id, index, text, score, cosine, overlap, lexical_rank)
