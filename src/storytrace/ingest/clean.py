"""The clean stage: template furniture found by corpus statistics, and each document's
clean text.

Lines that repeat across documents in different contexts (share prompts, newsletter
boxes, "Also read" lists) are removed, each kept with its reason; each document's clean
text and blocks are (re)built. Statistics change as documents arrive, so every document
is re-checked; a document whose clean text changes is annotated again.
"""

from __future__ import annotations

from collections.abc import Iterable

from storytrace.extract.furniture import CorpusStats, Templates, remove_repeated
from storytrace.extract.record import assemble
from storytrace.model import Line
from storytrace.progress import Progress, QuietProgress
from storytrace.stage import RunContext, Stage, StageResult
from storytrace.store import Store
from storytrace.util import batched


def run(ctx: RunContext) -> StageResult:
    changed = clean_corpus(ctx.store, ctx.progress)
    return StageResult(changed > 0, {"changed": changed}, f"clean: {changed} documents changed")


def clean_corpus(store: Store, progress: Progress | None = None) -> int:
    """Remove template furniture found by corpus statistics; returns documents changed."""
    progress = progress or QuietProgress()
    corpus = list(store.iter_candidate_lines())
    given = store.corpus.figure("templates")  # a partition of a larger corpus (batch mode)
    stats: CorpusStats | Templates = (
        Templates.from_json(given) if given is not None else line_statistics(corpus)
    )
    progress.start("Cleaning", len(corpus))
    changed = 0
    for batch in batched(corpus, 500):
        with store.transaction():
            for doc_id, _site, lines in batch:
                kept, removed = remove_repeated(lines, stats)
                text, blocks = assemble(kept)
                changed += store.set_clean(doc_id, text, blocks, removed)
        progress.advance(len(batch))
    return changed


def line_statistics(corpus: Iterable[tuple[str, str | None, list[Line]]]) -> CorpusStats:
    """Where each candidate line occurs across the documents given."""
    return CorpusStats.build(
        (doc_id, site, [ln.text for ln in lines]) for doc_id, site, lines in corpus
    )


STAGE = Stage(
    name="clean",
    version="clean/1",
    requires=("documents",),
    produces=("clean_text",),
    run=run,
    about="page furniture found by corpus statistics removed (kept with the reason)",
)
