"""The answer index (the index stage): what a question is answered from, kept in the store."""

from __future__ import annotations

from pathlib import Path

from storytrace.answer_index import candidate, candidates
from storytrace.ask import SentenceIndex
from storytrace.sentences import fragment_reason
from storytrace.store import Store
from support import build


def test_only_sentences_fit_to_quote_and_headlines_are_candidates() -> None:
    assert candidate("The quake killed 14 people on Friday.", first=False)
    assert not candidate("com / product-name.", first=False)
    assert not candidate("About Quillon, Inc.", first=False)
    # A headline has no full stop and still states the story's main fact.
    assert candidate("Magnitude 6.8 quake hits southern Kestria", first=True)
    assert not candidate("Magnitude 6.8 quake hits southern Kestria", first=False)
    assert not candidate("Share this", first=True)


def test_every_document_is_indexed_with_its_candidates_and_their_vectors(demo_db: Path) -> None:
    with Store(demo_db) as store:
        ids = store.ids_with_status("annotated")
        assert store.answers.doc_ids() == set(ids)
        items, vectors = store.answers.load()
        expected = [(d, i, t) for d in sorted(ids) for i, t in candidates(store.get(d))]
        assert sorted(items) == sorted(expected)
        assert vectors.shape == (len(items), 384)
        first = {d: min(i for dd, i, _ in items if dd == d) for d in ids if any(
            dd == d for dd, _, _ in items)}  # fmt: skip
        for d, i, text in items:
            assert fragment_reason(text) is None or i == first[d]


def test_new_documents_cost_only_their_own_index_rows(split_db: tuple[Path, Path]) -> None:
    db, later = split_db
    with Store(db) as store:
        before = store.answers.count()
    report = build(db, later)
    indexed = report.result("index")
    with Store(db) as store:
        added = store.answers.count() - before
    assert indexed is not None and indexed.summary["indexed"] == added > 0
    assert added < before  # only the new pages, not the store again


def test_documents_the_index_stage_has_not_reached_are_indexed_in_memory(demo_db: Path) -> None:
    with Store(demo_db) as store:
        full = SentenceIndex(store)
        dropped = sorted(store.answers.doc_ids())[:3]
        for doc_id in dropped:
            store.answers.forget(doc_id)
        partial = SentenceIndex(store)
        assert sorted(partial.items) == sorted(full.items)
        k, j = full.position[partial.items[-1][:2]], len(partial.items) - 1
        assert abs(float(full.vectors[k] @ partial.vectors[j]) - 1.0) < 1e-2
