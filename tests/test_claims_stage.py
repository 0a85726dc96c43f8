"""The claim stage end to end on the demo corpus, with the real models.

The demo was written for this project, so these are behaviour checks (support counted in
independent origins, resumable and incremental runs, interfaces), not quality figures:
those come from benchmarks/claims.py on data storytrace did not write.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from demo_pages import split_demo
from storytrace.claims import build_claims
from storytrace.claims import stage as claim_stage
from storytrace.cli import app
from storytrace.pipeline import ingest
from storytrace.reuse import link_documents
from storytrace.reuse.links import independent_origins
from storytrace.settings import Settings
from storytrace.store import Store

runner = CliRunner()
pytestmark = pytest.mark.slow


def _settings(db: Path, **changes: object) -> Settings:
    return Settings().with_(db=db, progress=False, workers=1, **changes)


def _build(db: Path, pages: Path) -> None:
    assert ingest([pages], _settings(db)).ok
    with Store(db) as store:
        link_documents(store, _settings(db))
        build_claims(store, _settings(db))


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return split_demo(tmp_path_factory.mktemp("claims-demo"))


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory, split: tuple[Path, Path]) -> Path:
    db = tmp_path_factory.mktemp("claims") / "demo.db"
    pages, later = split
    _build(db, pages)
    assert ingest([later], _settings(db)).ok
    with Store(db) as store:
        link_documents(store, _settings(db))
        build_claims(store, _settings(db))
    return db


def test_claims_are_statements_with_their_sentence(demo_store: Path) -> None:
    with Store(demo_store) as store:
        ids = [d.id for d in store.summaries()]
        claims = store.claims.doc_claims(ids)
        sentences = store.count("sentences")
    assert 0.2 * sentences < len(claims) < sentences
    assert all(c.text and not c.text.endswith("?") for c in claims)
    assert {c.hedge for c in claims} == {"fact", "reported", "speculative"}
    assert {c.source_kind for c in claims} == {"outlet", "named", "unnamed"}


def test_support_counts_independent_origins_not_pages(demo_store: Path) -> None:
    with Store(demo_store) as store:
        clusters = store.claims.clusters()
        families = store.reuse.families()
    assert clusters
    for cluster in clusters:
        docs = {m.doc_id for m in cluster.members}
        assert cluster.documents == len(docs)
        assert cluster.origins == independent_origins(docs, families)
        assert cluster.label in {m.text for m in cluster.members}
    # Copies and rewrites of one origin repeat its claims: somewhere they must count once.
    assert any(c.origins < c.documents for c in clusters)
    ranked = [(c.origins, c.documents) for c in clusters]
    assert ranked == sorted(ranked, key=lambda x: (-x[0], -x[1]))


def test_the_death_toll_disagreement_is_found(demo_store: Path) -> None:
    # The demo's quake story reports 12 dead early and 14 later.
    with Store(demo_store) as store:
        found = store.claims.disagreements()
    numbers = {frozenset((d.first_value, d.second_value)) for d in found if d.kind == "number"}
    assert frozenset(("12 people", "14 people")) in numbers
    for d in found:
        assert d.first.doc_id != d.second.doc_id
        assert d.first.text and d.second.text


def test_entities_are_linked_within_stories(demo_store: Path) -> None:
    with Store(demo_store) as store:
        entities = store.claims.entities()
    assert entities
    short = [e for e in entities if any(" " not in a for a in e.aliases) and " " in e.name]
    assert short, "some person is named in full and by surname alone"
    for e in entities:
        assert e.mentions >= e.documents >= 1


def test_a_second_run_changes_nothing(demo_store: Path) -> None:
    with Store(demo_store) as store:
        before = store.claims.clusters()
        report = build_claims(store, _settings(demo_store))
        after = store.claims.clusters()
    assert (report.documents, report.stories) == (0, 0)
    assert [c.id for c in before] == [c.id for c in after]


def test_incremental_equals_one_shot(tmp_path: Path, demo_store: Path, split: tuple) -> None:
    pages, later = split
    db = tmp_path / "oneshot.db"
    _build(db, pages)
    assert ingest([later], _settings(db)).ok
    with Store(db) as store:
        link_documents(store, _settings(db))
        report = build_claims(store, _settings(db))
        stories = len(store.stories.stories())
        one_shot = sorted(
            sorted((m.doc_id, m.sentence_index) for m in c.members) for c in store.claims.clusters()
        )
    assert report.documents == 2  # only the new pages' claims are detected
    assert 1 <= report.stories < stories  # only the stories they joined are redone
    with Store(demo_store) as store:
        incremental = sorted(
            sorted((m.doc_id, m.sentence_index) for m in c.members) for c in store.claims.clusters()
        )
    assert one_shot == incremental


def test_an_interrupted_run_resumes(tmp_path: Path, split: tuple, monkeypatch) -> None:
    pages, _ = split
    db = tmp_path / "interrupted.db"
    assert ingest([pages], _settings(db)).ok
    real = claim_stage.detect
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(claim_stage, "detect", failing)
    with Store(db) as store, pytest.raises(KeyboardInterrupt):
        build_claims(store, _settings(db, batch_size=5))
    with Store(db) as store:
        done = store.conn.execute("SELECT count(*) FROM claim_docs").fetchone()[0]
    assert done == 5  # the first batch was committed, the second rolled back
    monkeypatch.setattr(claim_stage, "detect", real)
    with Store(db) as store:
        report = build_claims(store, _settings(db, batch_size=5))
        total = store.count("documents")
    assert report.documents == total - 5


def test_cli_claims_json_and_table(demo_store: Path) -> None:
    result = runner.invoke(app, ["claims", "--db", str(demo_store), "--json", "--no-update"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["schema"] == "storytrace.claims/1"
    cluster = payload["clusters"][0]
    assert {"label", "origins", "documents", "outlets", "members", "single_source"} <= set(cluster)
    assert {"source", "source_kind", "hedge", "cues"} <= set(cluster["members"][0])
    story = cluster["story_id"]
    result = runner.invoke(app, ["claims", story[:6], "--db", str(demo_store), "--no-update"])
    assert result.exit_code == 0, result.output
    assert "origins" in result.output
    result = runner.invoke(app, ["claims", "nosuchstory", "--db", str(demo_store)])
    assert result.exit_code == 1
    assert "no story" in result.output


def test_new_matching_weights_redo_the_clusters_only(demo_store: Path) -> None:
    import dataclasses

    from storytrace.claims.classifier import load_claim_weights

    shipped = load_claim_weights()
    stricter = dataclasses.replace(shipped, match_threshold=0.95, matching_version="test")
    with Store(demo_store) as store:
        before = len(store.claims.clusters())
        stories = len(store.stories.stories())
        report = build_claims(store, _settings(demo_store), weights=stricter)
        assert (report.documents, report.stories) == (0, stories)  # claims kept, clusters redone
        assert len(store.claims.clusters()) > before
        build_claims(store, _settings(demo_store), weights=shipped)
        assert len(store.claims.clusters()) == before
