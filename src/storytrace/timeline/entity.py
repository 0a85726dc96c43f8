"""Entity timelines over the store: ``storytrace timeline --entity NAME``.

Reads the stored documents (of one story, or all), parses the sentences of those that
name the entity with spaCy's full pipeline, and runs :func:`events.entity_timeline`. Each
row is counted in documents and in independent origins (reuse families), as claims are.
Computed on demand, not stored: it depends on the name asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from storytrace.nlp import load_parser
from storytrace.profiling import count
from storytrace.progress import Progress, QuietProgress
from storytrace.provenance import independent_origins
from storytrace.store import Store
from storytrace.timeline.events import (
    EventDocument,
    EventRow,
    entity_aliases,
    entity_timeline,
)


@dataclass(frozen=True, slots=True)
class EntityTimelineRow:
    row: EventRow
    documents: int
    origins: int


def store_entity_timeline(
    store: Store,
    entity: str,
    doc_ids: Iterable[str],
    model: str,
    progress: Progress | None = None,
) -> list[EntityTimelineRow]:
    """The entity's events in ``doc_ids``, ordered, with document and origin counts."""
    names = sorted({" ".join(a) for a in entity_aliases(entity)})
    naming = _naming(store, names)
    wanted = [store.get(doc_id) for doc_id in sorted(set(doc_ids) & naming)]
    nlp = load_parser(model)
    bar = progress or QuietProgress()
    bar.start(f"Events of {entity}", len(wanted))
    parsed_docs = []
    for document in wanted:
        texts = [s.text for s in document.sentences]
        count("spaCy parse", len(texts))
        sentences = [parsed[:] for parsed in nlp.pipe(texts, batch_size=64)]
        parsed_docs.append(EventDocument(document.id, _published(document.published), sentences))
        bar.advance(1)
    families = store.reuse.families()
    rows = []
    for row in entity_timeline(parsed_docs, entity):
        docs = sorted({m.doc_id for m in row.mentions})
        rows.append(EntityTimelineRow(row, len(docs), independent_origins(docs, families)))
    return rows


def _naming(store: Store, names: list[str]) -> set[str]:
    """Documents whose clean text contains one of ``names`` (case-sensitive, as the
    matching is): only those are parsed."""
    found: set[str] = set()
    for name in names:
        found |= store.documents_containing(name)
    return found


def _published(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
