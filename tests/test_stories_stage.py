"""The story stage end to end on the demo corpus, with the real models.

The demo (examples/demo, ground truth in truth.json) was written for this project, so these
are regression checks of behaviour, not quality figures: those come from
benchmarks/stories.py on data storytrace did not write.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storytrace import pipeline
from storytrace.cli import app
from storytrace.stage import Inputs
from storytrace.store import Store
from storytrace.stories.stage import build_stories
from support import DEMO, settings_for

TRUTH = {t["key"]: t for t in json.loads((DEMO / "truth.json").read_text())["documents"]}
runner = CliRunner()

pytestmark = pytest.mark.slow


def _names(store: Store) -> dict[str, str]:
    return {
        doc_id: Path(location).name
        for location, doc_id in store.conn.execute("SELECT location, doc_id FROM locations")
    }


@pytest.fixture(scope="module")
def demo_store(module_demo_db: Path) -> Path:
    with Store(module_demo_db) as store:
        summary = store.runs.record("stories").summary
    assert summary["stories"] > 1 and summary["new_pairs"] > 0
    return module_demo_db


def test_derivatives_share_their_origins_story(demo_store: Path) -> None:
    with Store(demo_store) as store:
        story_of, _ = store.stories.assignment()
        families = store.reuse.families()
    assert families
    for family in families:
        assert {story_of[d] for d in family.doc_ids} == {story_of[family.root_id]}


def test_two_earthquakes_are_two_stories_of_one_topic(demo_store: Path) -> None:
    with Store(demo_store) as store:
        story_of, topic_of = store.stories.assignment()
        names = _names(store)
    quakes = {
        TRUTH[names[d]]["story"]: story_of[d]
        for d in story_of
        if names[d] in TRUTH and TRUTH[names[d]]["topic"] == "coastal-earthquakes"
    }
    velmora, tolvik = quakes["velmora-quake-2025-03"], quakes["tolvik-quake-2025-10"]
    assert velmora != tolvik
    assert topic_of[velmora] == topic_of[tolvik]
    launch = next(
        s for d, s in story_of.items() if TRUTH.get(names[d], {}).get("story") == "pebble-launch"
    )
    assert topic_of[launch] != topic_of[velmora]


def test_stories_carry_labels_dates_entities_and_origin_counts(demo_store: Path) -> None:
    with Store(demo_store) as store:
        stories = store.stories.stories()
        titles = {r.id: r.title for r in store.summaries()}
        topics = store.stories.topics()
        families = store.reuse.families()
        derived = {m.doc_id for f in families for m in f.members if m.role == "derivative"}
    biggest = stories[0]
    labeller = next(d for d in biggest.doc_ids if d not in derived)
    assert biggest.label == titles[labeller]  # the most central original report's title
    assert biggest.first_date and biggest.first_date <= biggest.last_date
    assert biggest.entities and all(e.documents >= 2 for e in biggest.entities)
    assert 1 <= biggest.origins < len(biggest.doc_ids)  # copies count once
    assert sum(len(t.story_ids) for t in topics) == len(stories)


def test_second_run_changes_nothing(demo_db: Path) -> None:
    with Store(demo_db) as store:
        before = store.stories.assignment()
        changes = len(store.stories.changes())
        run = pipeline.run(store, settings_for(demo_db), until="stories")
        report = build_stories(store, settings_for(demo_db))  # the stage itself finds no work
        assert store.stories.assignment() == before
        assert len(store.stories.changes()) == changes
    assert run.ran == []
    assert (report.prepared, report.new_pairs) == (0, 0)


def test_documents_added_later_join_the_stories_a_one_shot_run_finds(
    demo_store: Path, split_db: tuple[Path, Path]
) -> None:
    db, later = split_db
    with Store(db) as store:
        first_ids = set(store.stories.assignment()[0].values())
        run = pipeline.run(store, settings_for(db), until="stories", inputs=Inputs([later]))
        report = run.result("stories").report
        story_of, _ = store.stories.assignment()
        names = _names(store)
        kinds = {c.kind for c in store.stories.changes()}
    assert report.prepared == 2 and report.changes["grow"] >= 1 and "grow" in kinds
    assert first_ids <= set(story_of.values())  # every earlier story keeps its id
    with Store(demo_store) as store:
        one_shot = store.stories.assignment()[0]
        shot_names = _names(store)

    def partition(assignment: dict[str, str], name_of: dict[str, str]) -> list[list[str]]:
        groups: dict[str, list[str]] = {}
        for doc_id, story in assignment.items():
            groups.setdefault(story, []).append(name_of[doc_id])
        return sorted(sorted(g) for g in groups.values())

    assert partition(story_of, names) == partition(one_shot, shot_names)


def test_cli_lists_stories_and_shows_one_as_json(demo_store: Path) -> None:
    listing = runner.invoke(app, ["stories", "--db", str(demo_store), "--no-update"])
    assert listing.exit_code == 0, listing.output
    assert "topic" in listing.output and "independent origins" in listing.output
    data = json.loads(
        runner.invoke(app, ["stories", "--db", str(demo_store), "--json", "--no-update"]).output
    )
    assert data["schema"] == "storytrace.stories/1"
    story_id = data["topics"][0]["stories"][0]["id"]
    one = runner.invoke(app, ["story", story_id[:6], "--db", str(demo_store), "--json"])
    assert one.exit_code == 0, one.output
    shown = json.loads(one.output)
    assert shown["story"]["id"] == story_id
    assert [d["id"] for d in shown["documents"]] == shown["story"]["doc_ids"]
    assert shown["changes"][0]["kind"] == "new"


def test_cli_unknown_story_is_a_clear_error(demo_store: Path) -> None:
    result = runner.invoke(app, ["story", "zzz", "--db", str(demo_store)])
    assert result.exit_code == 1
    assert "no story 'zzz'" in result.output
