"""The pipeline object: one ordered registry, checked at start-up; each stage run once and
only when it is stale; versions and parameters recorded with the results."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import example_stage
from storytrace import pipeline
from storytrace.cli import app
from storytrace.ingest import read
from storytrace.ml import candidates
from storytrace.pipeline import STAGES, Pipeline, PipelineError, check_order
from storytrace.provenance import independent_origins
from storytrace.stage import Inputs, Stage, StageResult
from storytrace.store import Store
from support import DEMO_PAGES, build, settings_for

runner = CliRunner()
PAGE = """Ferry service resumes after the storm

The ferry between Port Elden and Lowmarsh ran again on Friday after three days of storms,
the operator said. Captain Ines Moreau said the first crossing was full.
"""


def _noop(name: str, requires: tuple[str, ...], produces: tuple[str, ...]) -> Stage:
    return Stage(name, f"{name}/1", requires, produces, lambda ctx: StageResult(False))


def test_the_registry_is_in_an_order_that_satisfies_every_stage() -> None:
    check_order(STAGES)  # also done when storytrace.pipeline is imported
    names = [s.name for s in STAGES]
    assert names == ["read", "clean", "annotate", "embed", "index", "reuse", "stories",
                     "claims", "timeline"]  # fmt: skip
    assert all(s.version.startswith(f"{s.name}/") and s.about for s in STAGES)


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ([_noop("a", (), ("x",)), _noop("b", ("y",), ("z",))], "requires y"),
        ([_noop("a", ("x",), ()), _noop("b", (), ("x",))], "requires x"),  # wrong order
        ([_noop("a", (), ("x",)), _noop("b", (), ("x",))], "produced by both"),
        ([_noop("a", (), ("x",)), _noop("a", ("x",), ("y",))], "two stages"),
    ],
)
def test_an_impossible_order_fails_at_start_up(stages: list[Stage], message: str) -> None:
    with pytest.raises(PipelineError, match=message):
        Pipeline(stages)


def test_a_plan_holds_what_a_stage_needs_in_order() -> None:
    plan = [s.name for s in pipeline.PIPELINE.plan("stories")]
    assert plan == ["read", "clean", "annotate", "embed", "reuse", "stories"]
    assert [s.name for s in pipeline.PIPELINE.plan("annotate")] == ["read", "clean", "annotate"]
    with pytest.raises(PipelineError, match="no stage 'nope'"):
        pipeline.PIPELINE.plan("nope")


@pytest.mark.slow
def test_analyze_runs_each_stage_once(tmp_path: Path, monkeypatch) -> None:
    runs: list[str] = []

    def counted(stage: Stage) -> Stage:
        def run(ctx):  # type: ignore[no-untyped-def]
            runs.append(stage.name)
            return stage.run(ctx)

        return dataclasses.replace(stage, run=run)

    monkeypatch.setattr(pipeline, "PIPELINE", Pipeline([counted(s) for s in STAGES]))
    pages = tmp_path / "in"
    pages.mkdir()
    for name in ("velmora-coastline-herald.txt", "velmora-syndicated-newsfeedhub.txt"):
        (pages / name).write_bytes((DEMO_PAGES / name).read_bytes())
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(pages), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert runs == [s.name for s in STAGES]  # every stage, once, in order
    runs.clear()
    again = runner.invoke(app, ["analyze", str(pages), "--out", str(out), "-q"])
    assert again.exit_code == 0, again.output
    assert runs == ["read"]  # nothing new was read: nothing else is redone
    assert "reuse: up to date" in again.output


@pytest.mark.slow
def test_the_timeline_of_a_fresh_store_counts_origins_through_families(tmp_path: Path) -> None:
    """Asking for the timeline alone runs what it depends on: copies are linked first, so
    a copy and its origin are one origin, not two."""
    db = tmp_path / "s.db"
    pages = sorted(DEMO_PAGES.glob("velmora-*"))
    run = build(db, *pages, until="timeline")
    assert run.ran == ["read", "clean", "annotate", "embed", "reuse", "stories", "claims",
                       "timeline"]  # fmt: skip
    with Store(db) as store:
        families = store.reuse.families()
        entries = store.timeline.entries()
        stories = store.stories.stories()
    assert families and entries
    for entry in entries:
        docs = {s.doc_id for s in entry.sources}
        assert entry.origins == independent_origins(docs, families)
    assert any(s.origins < len(s.doc_ids) for s in stories)


def test_an_interrupted_stage_counts_as_a_change(tmp_path: Path, monkeypatch) -> None:
    """Pages stored by a read that died before it finished are cleaned and annotated by the
    next run, even though that run reads nothing new."""
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(PAGE)
    second.write_text(PAGE.replace("Friday", "Monday").replace("three", "four"))
    db = tmp_path / "s.db"
    build(db, first, until="annotate")

    real = read.STAGE.run

    def dies_after_reading(ctx):  # type: ignore[no-untyped-def]
        real(ctx)
        raise KeyboardInterrupt

    broken = [dataclasses.replace(s, run=dies_after_reading) if s.name == "read" else s
              for s in STAGES]  # fmt: skip
    with Store(db) as store, pytest.raises(KeyboardInterrupt):
        Pipeline(broken).run(store, settings_for(db), "annotate", Inputs([second]))
    rerun = build(db, second, until="annotate")
    assert rerun.result("read").summary["new_documents"] == 0
    assert rerun.ran == ["read", "clean", "annotate"]
    with Store(db) as store:
        assert len(store.ids_with_status("annotated")) == 2


@pytest.mark.slow
def test_new_minhash_parameters_redo_the_signatures_and_not_the_vectors(
    demo_db: Path, monkeypatch
) -> None:
    with Store(demo_db) as store:
        ids = store.reuse.signature_rows()
        vectors = {d: store.reuse.get_doc(d).vectors.tobytes() for d in ids}
        monkeypatch.setattr(candidates, "SEED", candidates.SEED + 1)
        run = pipeline.run(store, settings_for(demo_db), until="reuse")
        after = {d: store.reuse.get_doc(d) for d in vectors}
        record = store.runs.record("embed")
    embed = next(o for o in run.outcomes if o.stage == "embed")
    assert embed.reason == "changed: minhash"
    assert embed.result.summary == {"prepared": 0, "signatures_redone": len(vectors)}
    assert run.ran == ["embed", "reuse"]
    assert all(after[d].vectors.tobytes() == v for d, v in vectors.items())  # kept
    assert record.params["minhash"]["seed"] == candidates.SEED  # recorded with the results


@pytest.mark.slow
def test_a_new_stage_version_redoes_it_and_what_follows(demo_db: Path) -> None:
    bumped = [dataclasses.replace(s, version="stories/999") if s.name == "stories" else s
              for s in STAGES]  # fmt: skip
    with Store(demo_db) as store:
        before = sorted(sorted(s.doc_ids) for s in store.stories.stories())
        run = Pipeline(bumped).run(store, settings_for(demo_db))
        after = sorted(sorted(s.doc_ids) for s in store.stories.stories())
        assert store.runs.record("stories").version == "stories/999"
    assert run.ran == ["stories", "claims", "timeline"]
    assert next(o for o in run.outcomes if o.stage == "stories").reason == "changed: version"
    assert after == before  # grouped afresh, to the same stories


@pytest.mark.slow
def test_a_stage_added_with_one_module_and_one_registry_line(demo_db: Path) -> None:
    extended = Pipeline([*STAGES, example_stage.STAGE])
    with Store(demo_db) as store:
        run = extended.run(store, settings_for(demo_db))
        assert run.ran == ["word_counts"]  # the others are up to date
        counts = store.stage_data.items("word_counts")
        assert len(counts) == store.count("documents") and all(n > 0 for n in counts.values())
        assert extended.run(store, settings_for(demo_db)).ran == []
    with pytest.raises(PipelineError, match="requires sentences"):
        Pipeline([example_stage.STAGE, *STAGES])  # before the stage that makes sentences


@pytest.mark.slow
def test_cli_stages_shows_the_registry_and_what_is_up_to_date(demo_db: Path) -> None:
    result = runner.invoke(app, ["stages", "--db", str(demo_db), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["stage"] for r in rows] == [s.name for s in STAGES]
    assert all(r["up_to_date"] for r in rows)
    assert rows[3]["params"]["minhash"] == {"permutations": 128, "seed": 42,
                                            "shingles": "content-word-bigrams/1"}  # fmt: skip
    table = runner.invoke(app, ["stages", "--db", str(demo_db)])
    assert table.exit_code == 0 and "up to date" in table.output and "embed" in table.output
