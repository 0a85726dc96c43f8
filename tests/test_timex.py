"""Temporal expressions: spans and TIMEX3 values against an anchor date."""

from __future__ import annotations

from datetime import date

import pytest

from storytrace.timeline.timex import find_timexes

ANCHOR = date(2024, 6, 20)  # a Thursday


def _values(text: str, anchor: date | None = ANCHOR) -> dict[str, tuple[str, str]]:
    return {t.text: (t.type, t.value) for t in find_timexes(text, anchor)}


@pytest.mark.parametrize(
    ("text", "expression", "kind", "value"),
    [
        ("Putin last visited in 2000.", "2000", "DATE", "2000"),
        ("This was his first visit since 2000.", "2000", "DATE", "2000"),
        ("Shoigu visited in July 2023.", "July 2023", "DATE", "2023-07"),
        ("The pact was signed on June 19, 2024.", "June 19, 2024", "DATE", "2024-06-19"),
        ("It was signed on 19 June 2024.", "19 June 2024", "DATE", "2024-06-19"),
        ("Talks resumed last year.", "last year", "DATE", "2023"),
        ("Prices rose this month.", "this month", "DATE", "2024-06"),
        ("He left yesterday.", "yesterday", "DATE", "2024-06-19"),
        ("They met two weeks ago.", "two weeks ago", "DATE", "2024-W23"),
        ("The search lasted three days.", "three days", "DURATION", "P3D"),
        # a quarter that has not begun yet at the anchor is last year's (reported results)
        ("Profits fell in the third quarter.", "the third quarter", "DATE", "2023-Q3"),
        ("Profits rose in the first quarter.", "the first quarter", "DATE", "2024-Q1"),
        ("Inspections happen daily.", "daily", "SET", "P1D"),
        ("The quake hit at 4:12 a.m.", "4:12 a.m.", "TIME", "2024-06-20T04:12"),
        ("The economy is weak now.", "now", "DATE", "PRESENT_REF"),
        ("Sales grew in the 1990s.", "the 1990s", "DATE", "199"),
    ],
)
def test_expression_and_value(text: str, expression: str, kind: str, value: str) -> None:
    assert _values(text)[expression] == (kind, value)


def test_a_bare_weekday_is_the_last_one_and_says_it_is_an_estimate() -> None:
    (found,) = find_timexes("On Wednesday, they signed an agreement.", ANCHOR)
    assert (found.text, found.value, found.estimated) == ("Wednesday", "2024-06-19", True)
    (later,) = find_timexes("They meet again next Wednesday.", ANCHOR)
    assert (later.value, later.estimated) == ("2024-06-26", False)


def test_without_an_anchor_relative_expressions_stay_unresolved() -> None:
    found = {t.text: t for t in find_timexes("On Wednesday, months after last year's talks.", None)}
    assert found["Wednesday"].value == "" and found["Wednesday"].precision == "unresolved"
    assert found["last year"].precision == "unresolved"
    absolute = find_timexes("The pact was signed on June 19, 2024.", None)
    assert [t.value for t in absolute] == ["2024-06-19"]


def test_a_month_or_day_without_a_year_is_the_nearest_one() -> None:
    december = date(1998, 12, 5)
    assert _values("Elections are due in April.", december)["April"] == ("DATE", "1999-04")
    assert _values("Sales fell in September.", december)["September"] == ("DATE", "1998-09")
    assert _values("He resigned last April.", date(1989, 10, 27))["last April"][1] == "1989-04"
    assert _values("The vote is on Feb. 1.", date(1989, 10, 26))["Feb. 1"][1] == "1990-02-01"


def test_words_that_only_look_temporal_are_left_alone() -> None:
    assert find_timexes("He may resign and the 6-year-old boy may fall.", ANCHOR) == []
    assert find_timexes("Thousands joined the march.", ANCHOR) == []


def test_expressions_do_not_overlap_and_the_longest_wins() -> None:
    found = find_timexes("Late on Nov. 20, 1998, and in the past two months, it rained.", ANCHOR)
    assert [t.text for t in found] == ["Nov. 20, 1998", "the past two months"]
    assert found[1].value == "P2M"
