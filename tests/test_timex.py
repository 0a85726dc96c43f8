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
    (found,) = find_timexes("On Wednesday, the two sides signed a treaty.", ANCHOR)
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


def test_a_year_ago_in_a_story_about_quarterly_results_is_that_quarter_last_year() -> None:
    october = date(2024, 10, 24)  # results for the third quarter come out in October
    story = (
        "Acme Corp. said third-quarter profit rose 12% to $40 million. "
        "Sales climbed to $300 million from $270 million a year earlier."
    )
    assert _values(story, october)["a year earlier"] == ("DATE", "2023-Q3")
    assert _values("It earned $8 million in the year-ago quarter.", october)[
        "the year-ago quarter"
    ] == ("DATE", "2023-Q3")
    # a comparison of the nine months, or a story without quarters, stays a year back
    nine = story + " For the nine months, profit was $90 million, up from $80 million a year ago."
    assert _values(nine, october)["a year ago"] == ("DATE", "2023")
    assert _values("Rents are higher than a year ago.", october)["a year ago"][1] == "2023"


def test_the_current_quarter_and_the_latest_period_in_an_earnings_story() -> None:
    october = date(2024, 10, 24)
    text = "Quarterly sales in the latest period rose, and the current quarter began well."
    found = _values(text, october)
    assert found["the latest period"] == ("DATE", "2024-Q3")
    assert found["the current quarter"] == ("DATE", "2024-Q4")


def test_the_year_ended_is_a_span_of_a_year() -> None:
    found = _values("Revenue for the year ended March 31 was $5 million.")
    assert found["the year"] == ("DURATION", "P1Y")


def test_a_weekday_after_words_of_plan_or_schedule_is_the_coming_one() -> None:
    assert _values("The union plans to strike on Monday.")["Monday"][1] == "2024-06-24"
    assert _values("A vote is scheduled for Friday.")["Friday"][1] == "2024-06-21"
    assert _values("The union went on strike on Monday.")["Monday"][1] == "2024-06-17"


def test_a_clock_time_on_a_weekday_and_a_weekday_with_its_date_are_one_expression() -> None:
    found = _values("Polls closed at 8 p.m. Tuesday, and counting ended at noon Wednesday.")
    assert found["8 p.m. Tuesday"] == ("TIME", "2024-06-18T20:00")
    assert found["noon Wednesday"] == ("TIME", "2024-06-19T12:00")
    assert _values("The court sat on Monday, June 17.")["Monday, June 17"] == ("DATE", "2024-06-17")


def test_a_reporting_verb_does_not_push_a_date_into_the_past_a_past_event_stays_past() -> None:
    # "said" is the reporter's tense, "payable" looks ahead
    found = _values("The board said the dividend is payable July 15.")
    assert found["July 15"][1] == "2024-07-15"
    # a reported past event is in the past even when the month is near: a timeline must
    # not move last July's visit into the coming weeks
    assert _values("In July, the minister visited the port.")["July"][1] == "2023-07"
    assert _values("They said the plant reopened in December.")["December"][1] == "2023-12"


def test_recent_years_is_one_vague_span_and_an_age_is_not_a_time() -> None:
    found = _values("In recent years the town grew; its mayor, 61 years old, stayed.")
    assert found == {"recent years": ("DURATION", "PXY")}


def test_now_opening_a_sentence_with_a_comma_is_a_discourse_marker() -> None:
    assert _values("Now, consider the costs.") == {}
    assert _values("Prices are high now, traders say.")["now"] == ("DATE", "PRESENT_REF")


def test_a_modifier_before_a_month_and_day_and_this_month_name() -> None:
    spring = date(2024, 3, 5)
    assert _values("The mill closed last Dec. 20, workers recalled.", spring)["last Dec. 20"] == (
        "DATE",
        "2023-12-20",
    )
    # "this September" is the one in the anchor's year, even when last September is nearer
    assert _values("A referendum is due this September.", spring)["this September"][1] == "2024-09"


def test_an_irregular_past_verb_keeps_a_month_in_the_past() -> None:
    assert _values("In August, the firm sold its harbour depot.")["August"][1] == "2023-08"


def test_the_verb_next_to_a_weekday_or_date_says_which_way_it_points() -> None:
    # a past participle right before the weekday outweighs the "would" earlier on
    found = _values("Farmers said they would contest the levy, announced Wednesday by the state.")
    assert found["Wednesday"][1] == "2024-06-19"
    assert _values("The hearing was postponed until Tuesday.")["Tuesday"][1] == "2024-06-25"
    assert _values("Road works, set to start Monday, will close the bridge.")["Monday"][1] == (
        "2024-06-24"
    )
    assert _values("Nurses were planning to march on Saturday.")["Saturday"][1] == "2024-06-22"
    assert _values("She said she would fly to Lagos on Monday.")["Monday"][1] == "2024-06-24"
    # "will be paid" is not a past verb
    winter = date(2024, 2, 10)
    assert _values("The bonus will be paid Aug. 15 to staff.", winter)["Aug. 15"][1] == "2024-08-15"
    # "through" ends a range whose direction the verb gives, unlike a deadline
    assert _values("The fund had bought shares through August.", winter)["August"][1] == "2023-08"


def test_holidays_take_their_date_and_the_direction_of_the_sentence() -> None:
    january = date(2000, 1, 7)
    assert _values("The raft was spotted on Thanksgiving Day.", january)["Thanksgiving Day"] == (
        "DATE",
        "1999-11-25",
    )
    assert _values("Shops reopened after Christmas.", january)["Christmas"][1] == "1999-12-25"
    (found,) = find_timexes("The raft was spotted on Thanksgiving Day.", None)
    assert found.precision == "unresolved"


def test_an_anaphoric_period_counts_from_the_last_date_named_before_it() -> None:
    text = (
        "On March 3, 2011, the plant flooded. The following month it was sold, "
        "and later that year it was pulled down."
    )
    found = {t.text: t for t in find_timexes(text, ANCHOR)}
    assert found["The following month"].value == "2011-04"
    assert found["later that year"].value == "2011"
    flood = "The dam broke on March 3, 2011. That same day, the valley was evacuated."
    assert _values(flood)["That same day"] == ("DATE", "2011-03-03")
    # the reference is a date written out in full, so no anchor is needed
    assert {t.text: t.value for t in find_timexes(text, None)}["later that year"] == "2011"
    # a day after only a month is not known, and nothing before means nothing to count from
    vague = {t.text: t for t in find_timexes("In May they met. That same day it rained.", None)}
    assert vague["That same day"].precision == "unresolved"


def test_these_days_is_the_present() -> None:
    assert _values("Few people write letters these days.")["these days"] == ("DATE", "PRESENT_REF")
