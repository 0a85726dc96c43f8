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

from storytrace import pipeline
from storytrace.claims import stage as claim_stage
from storytrace.claims.stage import build_claims
from storytrace.cli import app
from storytrace.provenance import independent_origins
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store

runner = CliRunner()
pytestmark = pytest.mark.slow


def _settings(db: Path, **changes: object) -> Settings:
    return Settings().with_(db=db, progress=False, workers=1, **changes)


@pytest.fixture(scope="module")
def demo_store(module_demo_db: Path) -> Path:
    """The demo corpus through every stage (the tests here only read it)."""
    return module_demo_db


def _members(store: Store) -> list[list[tuple[str, int]]]:
    return sorted(
        sorted((m.doc_id, m.sentence_index) for m in c.members) for c in store.claims.clusters()
    )


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
        docs = {m.doc_id for m in cluster.supporting}  # pages that state it, nothing else
        assert cluster.documents == len(docs)
        assert cluster.origins == independent_origins(docs, families)
        assert cluster.label in {m.text for m in cluster.supporting}
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


def test_a_second_run_changes_nothing(demo_db: Path) -> None:
    with Store(demo_db) as store:
        before = store.claims.clusters()
        run = pipeline.run(store, _settings(demo_db))
        report = build_claims(store, _settings(demo_db))  # the stage itself finds no work
        after = store.claims.clusters()
    assert run.ran == []  # nothing changed, so no stage runs
    assert (report.documents, report.stories) == (0, 0)
    assert [c.id for c in before] == [c.id for c in after]


def test_incremental_equals_one_shot(split_db: tuple[Path, Path], demo_template: Path) -> None:
    db, later = split_db
    with Store(db) as store:
        stories = len(store.stories.stories())
        run = pipeline.run(store, _settings(db), inputs=Inputs([later]))
        report = run.result("claims").report
        incremental = _members(store)
    assert report.documents == 2  # only the new pages' claims are detected
    assert 1 <= report.stories < stories  # only the stories they joined are redone
    with Store(demo_template) as store:
        assert _members(store) == incremental


def test_an_interrupted_run_resumes(demo_db: Path, monkeypatch) -> None:
    with Store(demo_db) as store, store.transaction():
        store.claims.forget_doc_claims()
        store.runs.forget("claims")  # as if the claim stage had never run
    real = claim_stage.detect
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(claim_stage, "detect", failing)
    with Store(demo_db) as store, pytest.raises(KeyboardInterrupt):
        pipeline.run(store, _settings(demo_db, batch_size=5), until="claims")
    with Store(demo_db) as store:
        pending = len(
            store.claims.pending_ids(claim_stage.detector_version(claim_stage.load_claim_weights()))
        )
        total = store.count("documents")
    assert pending == total - 5  # the first batch was committed, the second rolled back
    monkeypatch.setattr(claim_stage, "detect", real)
    with Store(demo_db) as store:
        run = pipeline.run(store, _settings(demo_db, batch_size=5), until="claims")
    assert run.result("claims").report.documents == total - 5


def test_cli_claims_json_and_table(demo_store: Path) -> None:
    result = runner.invoke(app, ["claims", "--db", str(demo_store), "--json", "--no-update"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["schema"] == "storytrace.claims/2"
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


def test_new_matching_weights_redo_the_clusters_only(demo_db: Path, monkeypatch) -> None:
    """New weights are a parameter change the pipeline sees: exactly the results they
    decide are redone (clusters of every story), and the claims found are kept."""
    import dataclasses

    shipped = claim_stage.load_claim_weights()
    stricter = dataclasses.replace(shipped, match_threshold=0.95, matching_version="test")

    def events(store: Store) -> int:
        return len({c.event_id for c in store.claims.clusters()})

    with Store(demo_db) as store:
        before = events(store)
        stories = len(store.stories.stories())
        monkeypatch.setattr(claim_stage, "load_claim_weights", lambda: stricter)
        run = pipeline.run(store, _settings(demo_db))
        assert run.ran == ["claims", "timeline"]
        report = run.result("claims").report
        assert (report.documents, report.stories) == (0, stories)  # claims kept, clusters redone
        assert events(store) > before  # a stricter event threshold: more, smaller events
        monkeypatch.setattr(claim_stage, "load_claim_weights", lambda: shipped)
        assert pipeline.run(store, _settings(demo_db)).ran == ["claims", "timeline"]
        assert events(store) == before


def test_a_document_moved_to_a_story_rebuilt_earlier_keeps_its_claims(demo_db: Path) -> None:
    # Claim ids come from the stating sentence: the story rebuilt first must not meet the
    # ids its new document's claims still hold in the story it left.
    with Store(demo_db) as store:
        stories = store.stories.stories()
        claimed = {c.members[0].doc_id: c.story_id for c in store.claims.clusters()}
        donor = next(s for s in stories[1:] if len(s.doc_ids) > 1 and s.doc_ids[-1] in claimed)
        moved = donor.doc_ids[-1]
        donor.doc_ids.remove(moved)
        stories[0].doc_ids.append(moved)  # the first story is rebuilt first
        with store.transaction():
            store.stories.replace(stories, store.stories.topics(), {})
        report = build_claims(store, _settings(demo_db))
        assert report.stories == 2
        homes = {c.story_id for c in store.claims.clusters() if c.members[0].doc_id == moved}
    assert homes == {stories[0].id}
