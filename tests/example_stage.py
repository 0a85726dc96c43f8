"""A stage that counts each document's words: the worked example of docs/architecture.md
(which shows this file; tests/test_pipeline.py runs it)."""

from __future__ import annotations

from storytrace.stage import RunContext, Stage, StageResult
from storytrace.text import words

NAME = "word_counts"


def run(ctx: RunContext) -> StageResult:
    store = ctx.store
    done = store.stage_data.keys(NAME)
    todo = [d for d in store.ids_with_status("annotated") if d not in done]
    ctx.progress.start("Counting words", len(todo))
    with store.transaction():
        for doc_id in todo:
            sentences = store.get(doc_id).sentences
            store.stage_data.put(NAME, doc_id, sum(len(words(s.text)) for s in sentences))
            ctx.progress.advance()
    return StageResult(bool(todo), {"counted": len(todo)}, f"word counts: {len(todo)} documents")


STAGE = Stage(
    name=NAME,
    version="word_counts/1",
    requires=("sentences",),
    produces=("word_counts",),
    run=run,
    about="how many words each document's sentences hold",
)
