"""Story timelines end to end on the demo corpus (dated pages written for this project)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storytrace.cli import app
from storytrace.store import Store
from storytrace.timeline import stage as timeline_stage
from storytrace.timeline.stage import build_timelines
from storytrace.timeline.timex import find_timexes

runner = CliRunner()
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_store(module_demo_db: Path) -> Path:
    with Store(module_demo_db) as store:
        assert store.runs.record("timeline").summary["entries"] > 0
    return module_demo_db


def test_entries_are_dated_ordered_and_carry_their_evidence(demo_store: Path) -> None:
    with Store(demo_store) as store:
        entries = store.timeline.entries()
        families = store.reuse.families()
    by_story: dict[str, list[str]] = {}
    for entry in entries:
        by_story.setdefault(entry.story_id, []).append(entry.sort_key)
        assert entry.sources and entry.documents == len({s.doc_id for s in entry.sources})
        assert entry.origins <= entry.documents
        for source in entry.sources:
            assert source.expression in source.text  # the words that gave the date
            if source.anchor is None:  # an undated page: only absolute dates count
                (alone,) = find_timexes(source.expression, None)
                assert alone.precision != "unresolved"
        assert entry.label in {s.text for s in entry.sources}
    for keys in by_story.values():
        assert keys == sorted(keys)
    assert families  # the demo has copies: somewhere an event counts fewer origins than pages
    assert any(e.origins < e.documents for e in entries)


def test_the_quake_day_is_one_entry_from_several_pages(demo_store: Path) -> None:
    # The Velmora quake struck on Thursday 13 March 2025; pages dated 13-16 March say so.
    with Store(demo_store) as store:
        entries = store.timeline.entries()
    quake = [e for e in entries if e.value == "2025-03-13"]
    assert quake and max(e.documents for e in quake) >= 2


def test_a_second_run_gives_the_same_timeline(demo_db: Path) -> None:
    with Store(demo_db) as store:
        before = [(e.story_id, e.value, e.label) for e in store.timeline.entries()]
        build_timelines(store)
        after = [(e.story_id, e.value, e.label) for e in store.timeline.entries()]
    assert before == after


def test_cli_timeline_json_and_table(demo_store: Path) -> None:
    result = runner.invoke(app, ["timeline", "--db", str(demo_store), "--json", "--no-update"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["schema"] == "storytrace.timeline/1"
    assert {"value", "precision", "sources", "origins"} <= set(payload["entries"][0])
    for document in payload["documents"]:
        assert document["estimated"] == (document["reason"] != "publication date")
    result = runner.invoke(app, ["timeline", "--db", str(demo_store), "--no-update"])
    assert result.exit_code == 0 and "timeline" in result.output


def test_cli_entity_timeline_lists_dated_events_with_their_evidence(demo_store: Path) -> None:
    args = ["timeline", "--db", str(demo_store), "--no-update", "--entity", "Meridian", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["schema"] == "storytrace.entity-timeline/1"
    rows = payload["rows"]
    assert rows and all(r["origins"] <= r["documents"] for r in rows)
    dated = [r for r in rows if r["ordinal"] > 0]
    assert dated and [r["ordinal"] for r in dated] == sorted(r["ordinal"] for r in dated)
    for row in rows:
        for mention in row["mentions"]:
            assert mention["word"].split("_")[0] in mention["sentence"]
            assert (mention["evidence"] != "") == (row["ordinal"] > 0)
    table = runner.invoke(
        app, ["timeline", "--db", str(demo_store), "--no-update", "-e", "Meridian"]
    )
    assert table.exit_code == 0 and "events of Meridian" in table.output
    none = runner.invoke(app, ["timeline", "--db", str(demo_store), "--no-update", "-e", "Zorblax"])
    assert none.exit_code == 0 and "No events" in none.output


def _snapshot(store: Store) -> tuple[list, list, dict]:
    entries = [
        (e.story_id, e.value, e.label, e.origins, e.sources) for e in store.timeline.entries()
    ]
    return entries, store.timeline.unresolved(), store.timeline.doc_dates()


def test_only_stories_whose_claims_were_rebuilt_get_a_new_timeline(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(demo_db) as store:
        before = _snapshot(store)
        assert build_timelines(store).rebuilt == 0  # nothing changed
        stories = store.stories.stories()
        changed = next(s.id for s in stories if store.timeline.entries(s.id))
        with store.transaction():  # as the claim stage does when it rebuilds a story
            store.claims.drop_stories([changed])
        report = build_timelines(store)
        assert report.rebuilt == 1 and report.stories == len(stories)
        assert not store.timeline.entries(changed)  # drawn from the story's claims: none now
        incremental = _snapshot(store)
        assert incremental[0] == [e for e in before[0] if e[0] != changed]
        with store.transaction():
            store.timeline.drop_stories([s.id for s in stories])
        assert build_timelines(store).rebuilt == len(stories)
        assert _snapshot(store) == incremental  # the same as rebuilding every story
        monkeypatch.setattr(timeline_stage, "_READ_ALL_AT", 0)  # clusters read in one query
        with store.transaction():
            store.timeline.drop_stories([s.id for s in stories])
        assert build_timelines(store).rebuilt == len(stories)
        assert _snapshot(store) == incremental
