"""Questions answered from the documents, with citations: ``storytrace ask "..."``.

1. **Retrieve** sentences two ways: BM25 over SQLite's FTS5 index of every sentence (the
   question's content words, OR-ed), and MiniLM embeddings (cosine between the question
   and every sentence; the vectors the reuse stage stored, the rest encoded once and
   kept in memory per call);
2. **fuse** the two rankings by reciprocal rank (each list contributes 1 / (60 + rank));
3. **group** the fused hits by claim cluster (a sentence outside any cluster is its own
   group), so that five pages repeating one claim are one answer with five citations,
   and count each group's support in independent origins (reuse families count once);
4. **answer** with the best groups, each quoting its best-ranked sentence; or "no answer in
   these documents" when the best sentence is not close enough to the question (cosine
   below ``min_similarity`` and too few of the question's content words in it).

Retrieval modes ``bm25`` and ``embedding`` exist for comparison (benchmarks/ask_eval.py).
"""

from __future__ import annotations

from storytrace.ask.answer import Answer, AnswerGroup, answer_question
from storytrace.ask.retrieve import Hit, SentenceIndex

__all__ = ["Answer", "AnswerGroup", "Hit", "SentenceIndex", "answer_question"]
