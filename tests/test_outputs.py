"""What `analyze` prints and writes for a whole store: the terminal overview and the JSON
files (issue 23 made both cheaper at 10,000 documents; they must say the same)."""

from __future__ import annotations

import json
from pathlib import Path

from storytrace.brief import store_briefs
from storytrace.cli import render
from storytrace.cli.render import console
from storytrace.payload import claims_payload, documents_payload, overview, report_data, to_json
from storytrace.store import Store


def test_the_terminal_overview_shows_the_largest_stories_and_counts_the_rest(
    module_demo_db: Path,
) -> None:
    with Store(module_demo_db) as store:
        stories = store.stories.stories()
        shown = overview(store, limit=2)
        assert [row["story_id"] for row in shown["stories"]] == [s.id for s in stories[:2]]
        assert shown["more"] == len(stories) - 2 > 0
        for row in shown["stories"]:
            (brief,) = store_briefs(store, row["story_id"], 1)
            assert row["claim"] == brief.items[0].text  # the brief's best-supported claim
            assert row["claim_origins"] == brief.items[0].origins
        assert overview(store, limit=len(stories))["more"] == 0
        firsts = store_briefs(store, None, 1, first=2)  # only the shown stories' briefs
        assert [b.story_id for b in firsts] == [s.id for s in stories[:2]]
    with console.capture() as captured:
        render.overview(shown)
    assert f"and {len(stories) - 2} smaller stories" in captured.get()


def test_json_outputs_are_the_text_the_standard_library_writes(module_demo_db: Path) -> None:
    # orjson writes them (10x faster); readers and diffs see the same indented text.
    with Store(module_demo_db) as store:
        for data in (documents_payload(store), claims_payload(store), report_data(store)):
            assert to_json(data) == json.dumps(data, indent=2, ensure_ascii=False)
    assert to_json({1: [0.5, "é"]}) == json.dumps({1: [0.5, "é"]}, indent=2, ensure_ascii=False)
