"""The annotate stage: sentences and named entities (spaCy) for every document whose
clean text changed."""

from __future__ import annotations

import importlib.metadata
from typing import Any

from storytrace.nlp import UNUSED_PIPES, annotate
from storytrace.progress import Progress, QuietProgress
from storytrace.settings import Settings
from storytrace.stage import RunContext, Stage, StageResult
from storytrace.store import Store
from storytrace.util import batched

# Worker processes pay a model load each; only worth it for larger runs.
_PROCESSES_FROM = 200
# Paragraphs per spaCy batch: with worker processes, batches of 64 short paragraphs spent a
# fifth of the time passing them between processes (ecbplus-dev: 43.7 s -> 34.4 s at 256,
# the same sentences and entities; docs/benchmarks.md, issue 23).
_BATCH = 256


def run(ctx: RunContext) -> StageResult:
    done = annotate_pending(ctx.store, ctx.settings, ctx.progress)
    return StageResult(done > 0, {"annotated": done}, f"annotate: {done} documents")


def annotate_pending(store: Store, settings: Settings, progress: Progress | None = None) -> int:
    """Sentences and entities for every document whose clean text changed."""
    progress = progress or QuietProgress()
    pending = store.ids_with_status("cleaned")
    if not pending:
        return 0
    progress.start("Sentences and entities", len(pending))
    workers = settings.workers if len(pending) >= _PROCESSES_FROM else 1
    docs = (store.get(doc_id) for doc_id in pending)
    done = 0
    annotated = annotate(docs, settings.spacy_model, _BATCH, workers)
    for batch in batched(annotated, settings.batch_size):
        with store.transaction():
            for doc in batch:
                store.set_annotations(doc.id, doc.sentences, doc.entities)
        done += len(batch)
        progress.advance(len(batch))
    return done


def params(store: Store, settings: Settings) -> dict[str, Any]:
    return {
        "model": settings.spacy_model,
        "model_version": _installed(settings.spacy_model),
        "spacy": _installed("spacy"),
        "skipped_pipes": list(UNUSED_PIPES),
    }


def reset(store: Store, changed: frozenset[str]) -> None:
    """Another model or spaCy: every document is annotated again (and everything built on
    its sentences is redone)."""
    with store.transaction():
        store.reannotate()


def _installed(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


STAGE = Stage(
    name="annotate",
    version="annotate/2",
    requires=("clean_text",),
    produces=("sentences", "entities"),
    run=run,
    params=params,
    reset=reset,
    about="sentences (bad splits at URLs, decimals and initials joined) and named entities "
    "(spaCy), headings left out",
)
