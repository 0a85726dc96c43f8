"""The index stage: the sentences a question can be answered from, with their vectors.

Per document, the sentences fit to quote (``sentences.fragment_reason``: no cut pieces,
contact lines or credits) and its headline (the first sentence, which may lack a full
stop), each with the vector the embed stage made (the few it skipped are encoded here).
Stored in the ``answer_index`` table, one row per document, so ``storytrace ask`` loads
the index in a fraction of a second and a new document costs only its own row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from storytrace.ml import encode
from storytrace.model import Document
from storytrace.progress import Progress, QuietProgress
from storytrace.sentences import MIN_QUOTE_WORDS, fragment_reason
from storytrace.settings import Settings
from storytrace.stage import RunContext, Stage, StageResult
from storytrace.store import Store
from storytrace.util import batched

HEADLINE_REASON = "no sentence end"


def candidate(text: str, first: bool) -> bool:
    """Whether a question may be answered from this sentence: one fit to quote, or the
    headline (the first sentence, often without a full stop, yet a statement of fact)."""
    reason = fragment_reason(text)
    if reason is None:
        return True
    return first and reason.startswith(HEADLINE_REASON) and len(text.split()) >= MIN_QUOTE_WORDS


def candidates(doc: Document) -> list[tuple[int, str]]:
    return [(s.index, s.text) for k, s in enumerate(doc.sentences) if candidate(s.text, k == 0)]


def run(ctx: RunContext) -> StageResult:
    done = index_pending(ctx.store, ctx.settings, ctx.progress)
    return StageResult(done > 0, {"indexed": done}, f"index: {done} documents")


def index_pending(store: Store, settings: Settings, bar: Progress | None = None) -> int:
    """An answer-index row for every embedded document without one."""
    bar = bar or QuietProgress()
    pending = store.answers.pending_ids()
    if not pending:
        return 0
    encoder = encode.store_encoder(store, settings.encoder)
    bar.start("Indexing sentences for questions", len(pending))
    for ids in batched(pending, 64):
        rows = [_row(store, doc_id) for doc_id in ids]
        missing = [
            text
            for _, found, texts in rows
            for v, text in zip(found, texts, strict=True)
            if v is None
        ]
        encoded = iter(encode.encode(missing, settings.workers, encoder=encoder))
        with store.transaction():
            for doc_id, found, _ in rows:
                vectors = [v if v is not None else next(encoded) for v in found]
                sentence_ids = [k for k, _ in candidates(store.get(doc_id))]
                matrix = (
                    np.vstack(vectors) if vectors else np.zeros((0, encode.dimensions(encoder)))
                )
                store.answers.put(doc_id, encode.name_of(encoder), sentence_ids, matrix)
        bar.advance(len(ids))
    return len(pending)


def _row(store: Store, doc_id: str) -> tuple[str, list[np.ndarray | None], list[str]]:
    """A document's candidate sentences: their stored vectors (None: to encode) and texts."""
    doc = store.get(doc_id)
    stored = store.reuse.get_doc(doc_id)
    by_index = dict(zip(stored.sentence_ids, stored.vectors, strict=True))
    found = candidates(doc)
    return doc_id, [by_index.get(k) for k, _ in found], [text for _, text in found]


def params(store: Store, settings: Settings) -> dict[str, Any]:
    return {"encoder": encode.name_of(encode.store_encoder(store, settings.encoder))}


def reset(store: Store, changed: frozenset[str]) -> None:
    with store.transaction():
        store.answers.reset()


STAGE = Stage(
    name="index",
    version="index/1",
    requires=("sentences", "sentence_vectors"),
    produces=("answer_index",),
    run=run,
    params=params,
    reset=reset,
    about="the sentences questions are answered from, with their vectors (storytrace ask)",
)
