"""Sentence retrieval: BM25 (FTS5), embeddings, and their reciprocal-rank fusion."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import numpy as np

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


class SentenceIndex:
    """Every stored sentence with its vector, loaded once per store and question batch."""

    def __init__(self, store: Store, threads: int = 1) -> None:
        self.store = store
        self.items: list[tuple[str, int, str]] = store.sentence_rows()
        self.position = {(d, i): k for k, (d, i, _) in enumerate(self.items)}
        self.vectors = sentence_vectors(store, self.items, threads)
        self.threads = threads
        self.encoder = encode.store_encoder(store)  # questions in the space of the sentences

    def search(self, question: str, mode: Mode = "fused", limit: int = 10) -> list[Hit]:
        """Sentences for ``question``, best first."""
        if not self.items or not question.strip():
            return []
        qvec = encode.encode([question], self.threads, encoder=self.encoder)[0]
        cosines = self.vectors @ qvec
        asked = content_terms(words(question))
        lists: list[list[int]] = []
        if mode in {"bm25", "fused"}:
            lists.append(self._bm25(asked))
        if mode in {"embedding", "fused"}:
            lists.append([int(k) for k in np.argsort(-cosines)[:POOL]])
        scores: dict[int, float] = defaultdict(float)
        for ranked in lists:
            for rank, k in enumerate(ranked, 1):
                scores[k] += 1.0 / (RRF_K + rank)
        best = sorted(scores, key=lambda k: (-scores[k], k))[:limit]
        return [self._hit(k, scores[k], float(cosines[k]), asked) for k in best]

    def _bm25(self, asked: frozenset[str]) -> list[int]:
        if not asked:
            return []
        query = " OR ".join('"' + term.replace('"', '""') + '"' for term in sorted(asked))
        found = self.store.search_sentences(query, POOL)
        return [self.position[(d, i)] for d, i, _ in found if (d, i) in self.position]

    def _hit(self, k: int, score: float, cosine: float, asked: frozenset[str]) -> Hit:
        doc_id, index, text = self.items[k]
        said = content_terms(words(text))
        overlap = len(asked & said) / len(asked) if asked else 0.0
        return Hit(doc_id, index, text, score, cosine, overlap)
