"""Dates in odd forms (issue 22): parsed to the right day where the form is unambiguous, by
the documented day/month rule of storytrace.extract.dates where it is not ("03-02-2009" is
2 March, "02.03.2009" is 2 March), never a crash; the same string gives the same date in a
feed, a text page and an HTML page, anchors relative dates, and is read by the SemEval
timeline benchmark."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from benchmarks.semeval_timelines import read_task_doc

from storytrace.extract.dates import parse_date
from storytrace.extract.record import extract_record
from storytrace.model import RawRecord
from storytrace.timeline.stage import _anchor
from storytrace.timeline.timex import find_timexes

# (as written, the ISO date it means; None: no date)
FORMS = [
    ("03-02-2009", "2009-03-02"),  # ambiguous: month first, as US English and TimeML write it
    ("2009-03-02", "2009-03-02"),
    ("March 2, 2009", "2009-03-02"),
    ("2 March 2009", "2009-03-02"),
    ("Mon, 02 Mar 2009 10:00:00 GMT", "2009-03-02"),
    ("02.03.2009", "2009-03-02"),  # ambiguous: dotted dates are day first
    ("99-99-9999", None),
]
BODY = (
    "Dock workers in Port Elden kept the container terminal closed as talks with the harbour "
    "authority broke down again.\n\nUnion leader Mara Quist said members would not return "
    "until the authority withdrew its plan to cut night-shift pay."
)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        *FORMS,
        ("03/02/2009", "2009-03-02"),
        ("13-02-2009", "2009-02-13"),
        ("31.12.2009", "2009-12-31"),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_a_caller_that_knows_the_convention_gives_the_order() -> None:
    assert parse_date("03-02-2009", order="DMY") == "2009-02-03"
    assert parse_date("02.03.2009", order="MDY") == "2009-02-03"
    assert parse_date("13-02-2009", order="MDY") == "2009-02-13"  # no 13th month: no choice
    assert parse_date("99-99-9999", order="DMY") is None


def _html(head: str = "", line: str = "", lang: str = "en") -> str:
    paragraphs = "".join(f"<p>{part}</p>" for part in BODY.split("\n\n"))
    return (
        f'<html lang="{lang}"><head><title>Harbour strike</title>{head}</head><body><article>'
        f"<h1>Harbour strike enters third day</h1><p>{line}</p>{paragraphs}</article></body></html>"
    )


def _meta(text: str) -> str:
    return f'<meta property="article:published_time" content="{text}">'


@pytest.mark.parametrize(("text", "iso"), FORMS)
def test_a_date_reads_the_same_in_every_kind_of_english_input(text: str, iso: str | None) -> None:
    records = [
        RawRecord("feed.jsonl#L1", BODY, "text", published=text),
        RawRecord("page.txt", f"Harbour strike\n\nPublished: {text}\n\n{BODY}\n", "text"),
        RawRecord("meta.html", _html(head=_meta(text)), "html"),
        RawRecord("dated.html", _html(line=f"Published: {text}", lang="en-US"), "html"),
    ]
    found = {record.location: extract_record(record)[0].published for record in records}
    assert found == dict.fromkeys(found, iso)


@pytest.mark.parametrize("lang", ["pt-BR", "en-GB", ""])
def test_other_html_pages_read_numeric_dates_day_first(lang: str) -> None:
    # htmldate's reading, kept where the page does not say it is (US) English.
    for page in (
        _html(head=_meta("05/10/2018"), lang=lang),
        _html(line="Em 05/10/2018", lang=lang),
    ):
        page = page if lang else page.replace(' lang=""', "")
        doc, _ = extract_record(RawRecord("page.html", page, "html"))
        assert doc.published == "2018-10-05"


@pytest.mark.parametrize(("text", "iso"), FORMS)
def test_the_publication_date_anchors_relative_dates(text: str, iso: str | None) -> None:
    doc, _ = extract_record(RawRecord("feed.jsonl#L1", BODY, "text", published=text))
    (yesterday,) = find_timexes("The talks broke down yesterday.", _anchor(doc.published))
    if iso is None:
        assert yesterday.value == ""  # unresolved, never guessed
    else:
        assert yesterday.value == (date.fromisoformat(iso) - timedelta(days=1)).isoformat()


TIMEML = """<?xml version='1.0' encoding='utf-8'?>
<TimeML><DOCID>4242</DOCID>
<DCT><TIMEX3 functionInDocument="CREATION_TIME" tid="t0" type="DATE"
  value="{value}">{value}</TIMEX3></DCT>
<TEXT><s id="1">Harbour strike ends</s><s id="2">The dock workers returned to work yesterday .</s>
</TEXT></TimeML>
"""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2009-03-02", date(2009, 3, 2)),
        ("03-02-2009", date(2009, 3, 2)),  # month first, as TimeML writes numeric dates
        ("March 2, 2009", date(2009, 3, 2)),
        ("99-99-9999", None),  # read undated, not a crash
    ],
)
def test_semeval_reader_reads_creation_times_in_odd_forms(
    tmp_path: Path, value: str, expected: date | None
) -> None:
    import spacy

    path = tmp_path / "4242_Harbour_strike_ends.tml"
    path.write_text(TIMEML.format(value=value), encoding="utf-8")
    document = read_task_doc(path, spacy.blank("en"))
    assert (document.doc_id, document.published) == ("4242", expected)
    assert [s.text for s in document.sentences] == [
        "Harbour strike ends",
        "The dock workers returned to work yesterday.",
    ]
