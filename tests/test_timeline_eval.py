"""The SemEval-2015 Task 4 timeline scorer (benchmarks/timeline_eval.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.timeline_eval import (
    BEFORE,
    INCLUDED,
    SIMULTANEOUS,
    Graph,
    normal_anchor,
    parse_timeline,
    read_timeline,
    reduce,
    relations,
    score_timeline,
    write_timeline,
)

from support import EVAL

TIMELINES = EVAL / "timeline-dev"

GOLD = [
    "0\tXXXX-XX-XX\t1-4-named",
    "1\t2003-XX-XX\t1-11-sold",
    "2\t2005-02-17\t1-0-unveils\t1-2-unveiled",
    "3\t2005-02-17\t2-3-said",
    "4\t2006-01-XX\t1-7-delivered",
]


def timeline(rows: list[str]):
    return parse_timeline("Boeing 777", rows)


def test_reading_and_writing_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "boeing_777.txt"
    path.write_text(write_timeline(timeline(GOLD)), encoding="utf-8")
    read = read_timeline(path)
    assert read.entity == "Boeing 777"
    assert [r.mentions for r in read.rows][2] == ["1-0-unveils", "1-2-unveiled"]


def test_anchors_are_written_out_in_full() -> None:
    assert normal_anchor("2006-03") == "2006-03-XX"
    assert normal_anchor("1968") == "1968-XX-XX"
    assert normal_anchor("XXX-XX-XX") == "XXXX-XX-XX"


def test_relations_chain_ordinals_and_include_events_in_their_dates() -> None:
    found = set(relations(timeline(GOLD)))
    assert (SIMULTANEOUS, "1-0-unveils", "1-2-unveiled") in found
    assert (BEFORE, "1-11-sold", "1-0-unveils") in found
    assert (INCLUDED, "1-0-unveils", "t:2005-02-17") in found
    assert not any("1-4-named" in r for r in found)  # not ordered, not dated: nothing


def test_closure_derives_order_through_chains_and_dates() -> None:
    graph = Graph(relations(timeline(GOLD)))
    assert graph.holds((BEFORE, "1-11-sold", "1-7-delivered"))  # 1 < 2 < 3 < 4
    assert graph.holds((SIMULTANEOUS, "1-2-unveiled", "1-0-unveils"))
    assert graph.holds((INCLUDED, "1-2-unveiled", "t:2005-02-17"))
    assert not graph.holds((BEFORE, "1-7-delivered", "1-11-sold"))
    assert not graph.holds((SIMULTANEOUS, "1-11-sold", "1-7-delivered"))


def test_an_event_between_two_of_one_day_falls_on_that_day_and_is_reduced_away() -> None:
    rows = ["1\t2005-06-06\ta", "2\t2005-06-06\tb", "3\t2005-06-06\tc"]
    found = relations(timeline(rows))
    reduced = reduce(found)
    assert len(reduced) == len(found) - 1
    assert Graph(reduced).holds((INCLUDED, "b", "t:2005-06-06"))


def test_perfect_output_scores_one_and_a_reversed_order_loses_precision_and_recall() -> None:
    gold = timeline(GOLD)
    assert score_timeline(gold, gold).summary()["f1"] == 1.0
    flipped = timeline([GOLD[0], GOLD[4].replace("4\t", "1\t"), GOLD[1].replace("1\t", "2\t"),
                        GOLD[2].replace("2\t", "3\t"), GOLD[3].replace("3\t", "4\t")])  # fmt: skip
    result = score_timeline(flipped, gold).summary()
    assert 0 < result["f1"] < 1
    assert result["mention_f1"] == 1.0 and result["anchor_accuracy"] == 1.0


def test_an_extra_event_costs_precision_only() -> None:
    gold = timeline(GOLD)
    extra = timeline([*GOLD, "5\t2007-XX-XX\t9-1-crashed"])
    result = score_timeline(extra, gold).summary()
    assert result["recall"] == 1.0 and result["precision"] < 1.0


@pytest.mark.skipif(not TIMELINES.is_dir(), reason="../shared/eval/timeline-dev not present")
def test_every_gold_timeline_scores_one_against_itself() -> None:
    for path in sorted(TIMELINES.glob("*/gold/*.txt")):
        gold = read_timeline(path)
        assert score_timeline(gold, gold).summary()["f1"] == 1.0, path.name
