"""Questions answered from the documents, with citations: ``storytrace ask "..."``.

1. **Retrieve** from the answer index (the index stage, ``storytrace.answer_index``:
   sentences fit to quote and headlines, with their stored vectors) two ways: BM25 over
   SQLite's FTS5 index (the question's content words, OR-ed) and MiniLM embeddings
   (cosine); **fuse** the two rankings by reciprocal rank (each list contributes 1 / (60 + rank));
2. **rank** the fused top 30 by P(the sentence answers the question): a logistic
   regression (``rank``) over the cosine, the question's rare words the sentence holds,
   its BM25 rank, whether it holds an answer of the asked kind, its length and position,
   fitted on the dev question sets;
3. **pick the answer's words** (``span``): for who / where / when / how many / name
   questions, the entity of the asked kind in the best sentences that stands by what the
   question asks about, never one the question names or a person quoted as a source;
4. **refuse** ("no answer in these documents", with the reason) when no sentence is likely
   enough to answer, or when the question asks for a kind of answer that none of the best
   sentences holds;
5. **group** the sentences likely to answer by the claim they state (five pages repeating
   one claim are one answer with five citations), ordered by the ranking, each with its
   support in independent origins as the claims stage counts it.

Retrieval modes ``bm25`` and ``embedding`` exist for comparison (benchmarks/ask_eval.py).
"""

from __future__ import annotations

from storytrace.ask.answer import Answer, AnswerGroup, answer_question
from storytrace.ask.retrieve import Hit, SentenceIndex

__all__ = ["Answer", "AnswerGroup", "Hit", "SentenceIndex", "answer_question"]
