"""parse_text: title, date, byline, declared source, line kinds; seeds when available."""

from __future__ import annotations

import pytest

from storytrace.extract.text import parse_text
from support import SHARED

ARTICLE = """Harbour Ferry Returns After Winter Repairs

Posted on March 3, 2011 by Coastal Desk

The old ferry sailed again on Monday after four months in dry dock, the operator said.

Why It Matters

Hundreds of commuters rely on the crossing each day, and the detour by road adds an hour.

SOURCE: Photo from Coastal Times
"""


def removed_reasons(text: str) -> dict[str, str]:
    return {r.text: r.reason for r in parse_text(text).removed}


def test_title_date_byline_and_source_are_read_and_removed() -> None:
    result = parse_text(ARTICLE)
    assert result.title == "Harbour Ferry Returns After Winter Repairs"
    assert result.published == "2011-03-03"
    assert result.published_text == "Posted on March 3, 2011 by Coastal Desk"
    assert result.author == "Coastal Desk"
    assert result.declared_source == "Coastal Times"
    reasons = removed_reasons(ARTICLE)
    assert reasons["Harbour Ferry Returns After Winter Repairs"] == "metadata:title"
    assert reasons["Posted on March 3, 2011 by Coastal Desk"] == "metadata:date"
    assert reasons["SOURCE: Photo from Coastal Times"] == "metadata:source"


def test_line_numbers_and_kinds() -> None:
    result = parse_text(ARTICLE)
    assert [(ln.line_no, ln.kind) for ln in result.lines] == [
        (4, "paragraph"),
        (6, "heading"),
        (8, "paragraph"),
    ]


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Published: 2nd February 2019", "2019-02-02"),
        ("Updated: August 9, 2015", "2015-08-09"),
        ("Last updated: October 1, 2014", "2014-10-01"),
        ("Posted: November 22, 2012", "2012-11-22"),
        ("January 11th, 2016, 8: 05 pm", "2016-01-11"),
        ("May 30, 2017 | Local Politics", "2017-05-30"),
        ("THURSDAY, JULY 4, 2019, 10: 12 AM", "2019-07-04"),
    ],
)
def test_date_lines(line: str, iso: str) -> None:
    result = parse_text(f"Some Headline Here\n{line}\nThe body sentence goes on for a while here.")
    assert result.published == iso
    assert result.published_text == line
    assert result.lines[0].text.startswith("The body")


def test_published_wins_over_updated() -> None:
    text = "Updated: May 9, 2016\nPublished: May 2, 2016\nA sentence of the body runs on here."
    assert parse_text(text).published == "2016-05-02"


def test_dates_inside_sentences_are_not_date_lines() -> None:
    text = "Budget Talks Resume\nThe council met on March 3, 2011 to discuss the budget again."
    result = parse_text(text)
    assert result.published is None
    assert len(result.lines) == 1


def test_relative_weekday_is_never_resolved() -> None:
    text = "Pact Signed\nOn Wednesday, they signed an agreement in the capital city."
    assert parse_text(text).published is None


def test_opening_dateline_gives_the_date_and_stays_in_the_body() -> None:
    text = "Mill Closes\n\nSPRINGFIELD (April 2, 2010) - The paper mill closed its doors for good."
    result = parse_text(text)
    assert result.published == "2010-04-02"
    assert result.lines[0].text.startswith("SPRINGFIELD")


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By Weekend Staff", "Weekend Staff"),
        ("Posted by: Metro Desk", "Metro Desk"),
        ("Written by Lena Okafor", "Lena Okafor"),
    ],
)
def test_bylines(line: str, author: str) -> None:
    result = parse_text(f"Storm Knocks Out Power\n{line}\nThe storm cut power to many homes.")
    assert result.author == author
    assert removed_reasons(f"Storm Knocks Out Power\n{line}\nx y z.")[line] == "metadata:byline"


def test_sentence_starting_with_by_is_not_a_byline() -> None:
    text = "Fire Contained\nBy the time crews arrived, the roof had already collapsed."
    result = parse_text(text)
    assert result.author is None
    assert len(result.lines) == 1


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("Source: Valley Herald", "Valley Herald"),
        ("via Northern Courier", "Northern Courier"),
        ("Originally published by Metro Wire", "Metro Wire"),
        ("This article first appeared on Lakeside Journal.", "Lakeside Journal"),
    ],
)
def test_declared_sources(line: str, source: str) -> None:
    result = parse_text(f"Bridge Reopens\nThe bridge reopened to traffic today at noon.\n{line}")
    assert result.declared_source == source


def test_plural_sources_headline_is_a_title_not_a_source() -> None:
    result = parse_text("Sources: Club Near Deal For Striker\nThe club is close to a deal.")
    assert result.declared_source is None
    assert result.title == "Sources: Club Near Deal For Striker"


def test_lead_sentence_is_not_taken_as_title() -> None:
    text = "The river rose two metres overnight. Residents left their homes.\n\nMore text here."
    assert parse_text(text).title is None


def test_site_name_above_headline_is_not_the_title() -> None:
    text = (
        "Plain Words Weekly\nLibrary Opens Late On Fridays\n"
        "The town library will stay open until nine on Fridays, the council said.\n"
        "© 2015 Plain Words Weekly. All rights reserved."
    )
    result = parse_text(text)
    assert result.title == "Library Opens Late On Fridays"
    assert removed_reasons(text)["Plain Words Weekly"] == "pattern:site"


def test_list_items_after_a_colon_are_kept() -> None:
    text = (
        "Driver Charged\nThe driver now faces three charges:\nReckless driving\n"
        "Leaving the scene\nDriving without a licence\nA court date has been set for next month."
    )
    kinds = [(ln.text, ln.kind) for ln in parse_text(text).lines]
    assert ("Reckless driving", "list_item") in kinds
    assert ("Driving without a licence", "list_item") in kinds
    assert len(kinds) == 5


# --- seeds (real pages, read from ../shared; never copied into the project) -----------------


def seed(prefix: str) -> str:
    folder = SHARED / "seeds"
    if not folder.is_dir():
        pytest.skip("shared seeds not available")
    paths = sorted(folder.glob(f"{prefix}_*.txt"))
    if not paths:
        pytest.skip(f"seed {prefix} not available")
    return paths[0].read_text(encoding="utf-8")


def test_seed_004_published_date() -> None:
    assert parse_text(seed("004")).published == "2024-06-18"


def test_seed_001_declared_source() -> None:
    assert parse_text(seed("001")).declared_source == "Radio Free Europe"


def test_seed_003_weekday_is_not_resolved() -> None:
    assert parse_text(seed("003")).published is None


def test_seed_headings_are_kept_and_marked() -> None:
    lines = parse_text(seed("000")).lines
    headings = [ln for ln in lines if ln.kind == "heading"]
    assert len(headings) >= 5
    assert all(ln.kind == "paragraph" for ln in lines if len(ln.text.split()) > 25)
