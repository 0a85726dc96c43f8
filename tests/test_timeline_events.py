"""Entity timelines: names, events, dates and merging (storytrace.timeline.events)."""

from __future__ import annotations

from datetime import date

import pytest

from storytrace.nlp import load_parser
from storytrace.settings import Settings
from storytrace.timeline.events import (
    UNANCHORED,
    EventDocument,
    entity_aliases,
    entity_timeline,
    task_value,
    write_rows,
)
from storytrace.timeline.timex import find_timexes

MODEL = Settings().spacy_model


@pytest.fixture(scope="module")
def nlp():
    return load_parser(MODEL)


def document(nlp, doc_id: str, published: date | None, *sentences: str) -> EventDocument:
    return EventDocument(doc_id, published, [nlp(s)[:] for s in sentences])


def rows_by_word(rows) -> dict[str, tuple[int, str, list[str]]]:
    return {
        m.word: (r.ordinal, r.value, [x.key for x in r.mentions]) for r in rows for m in r.mentions
    }


def test_aliases_are_short_forms_that_still_name_the_entity() -> None:
    assert ("Gallois",) in entity_aliases("Louis Gallois")
    assert ("A380",) in entity_aliases("Airbus A380")
    assert ("iTunes",) in entity_aliases("iTunes Store")
    assert ("Air", "Force") in entity_aliases("United States Air Force")
    assert ("USAF",) in entity_aliases("United States Air Force")
    assert ("Un",) not in entity_aliases("Kim Jong Un")  # too short to be a name alone
    assert ("Store",) not in entity_aliases("iTunes Store")
    assert entity_aliases("Boeing")[0] == ("Boeing",)


def test_task_values_keep_only_what_is_known() -> None:
    anchor = date(2005, 2, 17)
    (day,) = find_timexes("on March 3, 2004", anchor)
    (month,) = find_timexes("in January 2006", anchor)
    (year,) = find_timexes("since 2003", anchor)
    assert [task_value(t) for t in (day, month, year)] == ["2004-03-03", "2006-01-XX", "2003-XX-XX"]


def test_events_are_dated_by_their_clause_the_lead_or_left_undated(nlp) -> None:
    doc = document(
        nlp, "7", date(2005, 2, 17),
        "Boeing unveiled a new version of its 777 airliner.",
        "The jet was first shown to reporters in Seattle.",
        "Analysts expect more orders soon.",
        "Boeing will deliver the first aircraft in January 2006.",
        "Boeing could build a larger model later.",
    )  # fmt: skip
    found = rows_by_word(entity_timeline([doc], "Boeing"))
    assert found["unveiled"][1] == "2005-02-17"  # the lead: the publication day
    assert found["deliver"][1] == "2006-01-XX"  # its own date
    assert found["build"][1] == UNANCHORED  # a possibility with no date: not guessed
    assert found["build"][0] == 0
    assert found["unveiled"][0] < found["deliver"][0]


def test_an_undated_page_dates_only_what_it_states(nlp) -> None:
    doc = document(
        nlp, "9", None,
        "Ryanair ordered ten jets on Wednesday.",
        "Ryanair bought its first Boeing in 1994.",
    )  # fmt: skip
    found = rows_by_word(entity_timeline([doc], "Ryanair"))
    assert found["ordered"][1] == UNANCHORED  # "on Wednesday" of an unknown week
    assert found["bought"][1] == "1994-XX-XX"


def test_pronouns_follow_the_person_last_named(nlp) -> None:
    doc = document(
        nlp, "3", date(2010, 6, 8),
        "Steve Jobs unveiled the phone yesterday.",
        "He said it was the thinnest phone made.",
        "Analyst Mark Reed said he was not impressed.",
    )  # fmt: skip
    found = rows_by_word(entity_timeline([doc], "Steve Jobs"))
    assert found["unveiled"][1] == "2010-06-07"  # "yesterday", read against the page's date
    assert "3-1-said" in found["said"][2]  # "He" is Jobs
    assert all("3-2-" not in key for row in found.values() for key in row[2])  # "he" is Reed


def test_one_event_in_two_documents_is_one_row(nlp) -> None:
    first = document(nlp, "1", date(2007, 10, 15), "Airbus delivered the first A380 on Monday.")
    second = document(nlp, "2", date(2007, 10, 16), "Airbus delivered the first A380 on Monday.")
    rows = entity_timeline([first, second], "Airbus")
    (row,) = [r for r in rows if r.mentions[0].word == "delivered"]
    assert row.value == "2007-10-15" and {m.doc_id for m in row.mentions} == {"1", "2"}
    assert row.mentions[0].evidence == "Monday"  # the words that dated it
    text = write_rows("Airbus", rows)
    assert text.splitlines()[0] == "Airbus"
    assert "1\t2007-10-15\t1-0-delivered\t2-0-delivered" in text
