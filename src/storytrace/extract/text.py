"""Plain-text pages: title, date, byline and declared source read from their lines, then
furniture removed and the remaining lines typed as headings, list items or paragraphs.

Metadata lines are taken out of the body (with a ``metadata:*`` reason, so the cleaning can
be audited) because they describe the article rather than belong to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storytrace.extract.dates import parse_date
from storytrace.extract.furniture import (
    clean,
    is_name,
    is_navigation,
    is_sentence,
    is_site_echo,
    match_pattern,
    remove_patterns,
    words,
)
from storytrace.model import Extraction, Line, RemovedLine

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:{_MONTH}\s+{_DAY},?\s+\d{{4}}|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    r"|\d{4}\s?[-/.]\s?\d{1,2}\s?[-/.]\s?\d{1,2}|\d{1,2}\s?/\s?\d{1,2}\s?/\s?\d{2,4}"
    # "03-02-2009", "02.03.2009": read by the day/month rule of storytrace.extract.dates
    r"|\d{1,2}-\d{1,2}-\d{4}|\d{1,2}\.\d{1,2}\.\d{4})"
)
_DATE_RE = re.compile(_DATE, re.IGNORECASE)
# Everything a date line may hold besides the date itself: labels, weekday, time, zone.
_DATE_NOISE = re.compile(
    r"\b(?:(?:last|first|originally)\s+)?(?:published|posted|updated|modified|date|time)"
    r"(?:\s+(?:on|at|time))?"
    r"|\b(?:on|at|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|\d{1,2}\s?[:.]\s?\d{2}(?:\s?[:.]\s?\d{2})?\s*(?:[ap]\.?\s?m\b\.?)?"
    r"|[ap]\.?m\.?|[A-Z]{2,4}|GMT[+-]?[\d:]*|UTC[+-]?[\d:]*|\d+\s*(?:hours?|mins?|minutes?)\s+ago)\b"
    r"|[(),:|•·\-]",
    re.IGNORECASE,
)
_DATE_LABEL = re.compile(
    r"^\s*(?:originally\s+|first\s+)?(?P<label>(?:last\s+)?(?:published|posted|updated|modified))",
    re.IGNORECASE,
)
_BY_TAIL = re.compile(r"\s+by\s*:?\s+(?P<name>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})\s*$")
_SECTION_TAIL = re.compile(r"^(?P<head>.*?)\s+[|•·]\s+(?P<tail>[^|]{1,40})$")
_BYLINE = re.compile(
    r"^(?:(?:posted|written|reported|words|story)\s+by|by|author)\s*:?\s+"
    r"(?P<name>(?-i:[A-Z][\w.'-]*)(?:\s+(?:and\s+|&\s+)?(?-i:[A-Z][\w.'-]*)){0,4})"
    r"(?:\s*[,|]\s*[\w .'-]{1,40})?$",
    re.IGNORECASE,
)
_SOURCE = re.compile(r"^source\s*:?\s+(?P<name>[^.]{2,60})\.?$", re.IGNORECASE)
_SOURCE_FILLER = re.compile(
    r"^(?:(?:ref(?:erence)?\s+)?(?:image|photo|picture)s?\s+(?:from|by|:)\s*|ref\s+|via\s+)",
    re.IGNORECASE,
)
_SOURCE_PHRASE = re.compile(
    r"^(?:via|(?:this (?:article|story|post) )?(?:was )?(?:originally|first) "
    r"(?:published|appeared|posted)(?: (?:by|in|on|at))?|this (?:article|story|post) "
    r"(?:originally|first) appeared (?:on|in|at))\s+(?P<name>[A-Za-z][^.]{1,60})\.?$",
    re.IGNORECASE,
)
# "PHILADELPHIA (May 24, 2005) - ..." or "March 5, 2009 - ...": a dateline opening the story.
_DATELINE = re.compile(rf"^(?:[A-Z][A-Z .,'-]+\s*)?\(?(?P<date>{_DATE})\)?\s*[-:]\s", re.IGNORECASE)
_BARE_BY_LABEL = re.compile(r"^(?:written|posted|reported)?\s*by\s*:?$", re.IGNORECASE)
_LIST_MARK = re.compile(r"^(?:[-*•●▪◦]|\d{1,2}[.)])\s+")
_PRIORITY = {"published": 0, "posted": 0, "": 1, "updated": 2, "last updated": 2, "modified": 2}


@dataclass(slots=True)
class _DateLine:
    line_no: int
    text: str
    iso: str | None
    rank: int
    author: str | None


def parse_text(content: str) -> Extraction:
    """Read a plain-text page into metadata, removed furniture and typed body lines."""
    # Rules read a cleaned spelling (plain quotes and dashes); what is stored is the original.
    original = {n: t.strip() for n, t in enumerate(content.splitlines()) if t.strip()}
    lines = [Line(clean(t), "paragraph", n) for n, t in original.items()]
    result = Extraction()
    lines = _take_metadata(lines, result)
    lines = _take_title(lines, result)
    kept, removed = remove_patterns(lines)
    result.removed.extend(removed)
    result.removed.sort(key=lambda r: r.line_no)
    result.lines = _typed(kept)
    if result.published is None:
        _dateline(result)
    _restore_original(result, original)
    return result


def _restore_original(result: Extraction, original: dict[int, str]) -> None:
    for line in result.lines:
        line.text = original[line.line_no]
    for removed in result.removed:
        removed.text = original.get(removed.line_no, removed.text)
        if removed.reason == "metadata:title":
            result.title = removed.text


# --- metadata ----------------------------------------------------------------------------


def _take_metadata(lines: list[Line], result: Extraction) -> list[Line]:
    kept: list[Line] = []
    dates: list[_DateLine] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        following = lines[i + 1].text if i + 1 < len(lines) else ""
        date = _date_line(line)
        if date:
            dates.append(date)
            result.removed.append(RemovedLine(line.line_no, line.text, "metadata:date"))
            result.author = result.author or date.author
        elif author := _byline(line.text):
            result.author = result.author or author
            result.removed.append(RemovedLine(line.line_no, line.text, "metadata:byline"))
        elif _BARE_BY_LABEL.match(line.text) and is_name(following):
            # "Written by" on its own line, the name on the next: both are the byline.
            result.author = result.author or following
            for taken in lines[i : i + 2]:
                result.removed.append(RemovedLine(taken.line_no, taken.text, "metadata:byline"))
            i += 1
        elif source := _declared_source(line.text):
            result.declared_source = result.declared_source or source
            result.removed.append(RemovedLine(line.line_no, line.text, "metadata:source"))
        else:
            kept.append(line)
        i += 1
    _pick_date(dates, result)
    return kept


def _date_line(line: Line) -> _DateLine | None:
    """A line that is only a date (with labels, time, zone, a "by X" or "| Section" tail)."""
    text, author = line.text, None
    if len(text) > 120:
        return None
    by = _BY_TAIL.search(text)
    if by:
        text, author = text[: by.start()], by["name"]
    section = _SECTION_TAIL.match(text)
    if section and not _DATE_RE.search(section["tail"]) and len(section["tail"].split()) <= 4:
        text = section["head"]
    match = _DATE_RE.search(text)
    if not match or _DATE_NOISE.sub(" ", _DATE_RE.sub(" ", text)).strip():
        return None
    label = _DATE_LABEL.match(text)
    rank = _PRIORITY.get(label["label"].lower() if label else "", 1)
    return _DateLine(line.line_no, line.text, parse_date(match.group()), rank, author)


def _pick_date(dates: list[_DateLine], result: Extraction) -> None:
    # Published/Posted beats a bare date, which beats Updated; ties go to the first line.
    parsed = sorted((d for d in dates if d.iso), key=lambda d: (d.rank, d.line_no))
    if parsed:
        result.published, result.published_text = parsed[0].iso, parsed[0].text


def _byline(text: str) -> str | None:
    match = _BYLINE.match(text)
    return match["name"] if match and not _DATE_RE.search(text) else None


def _declared_source(text: str) -> str | None:
    match = _SOURCE.match(text) or _SOURCE_PHRASE.match(text)
    if not match or len(text.split()) > 12:
        return None
    name = _SOURCE_FILLER.sub("", match["name"].strip()).strip(" .:-")
    return name or None


# --- title and dateline ------------------------------------------------------------------


def _take_title(lines: list[Line], result: Extraction) -> list[Line]:
    """The first line is the title when it reads like one. Menus, labels and a site name
    printed above the headline (the footer repeats the site name) are skipped first."""
    texts = [line.text for line in lines]
    start = 0
    while start < min(3, len(lines)) and _above_headline(texts, start):
        start += 1
    if start >= len(lines) or not _looks_like_title(texts[start]):
        return lines
    title = lines[start]
    result.title = title.text
    result.removed.append(RemovedLine(title.line_no, title.text, "metadata:title"))
    for line in lines[:start]:
        reason = "pattern:site" if is_site_echo(line.text, texts) else "pattern:navigation"
        result.removed.append(
            RemovedLine(line.line_no, line.text, match_pattern(line.text) or reason)
        )
    return lines[start + 1 :]


def _above_headline(texts: list[str], i: int) -> bool:
    """Furniture above the headline: a menu or label line, or the site's name, followed
    (possibly after more such lines) by a line that reads like a title."""
    text = texts[i]
    if not (is_navigation(text) or match_pattern(text) or is_site_echo(text, texts[i + 1 :])):
        return False
    return any(_looks_like_title(t) for t in texts[i + 1 : i + 3])


def _looks_like_title(text: str) -> bool:
    # Headlines do not end with a full stop; a first line that does is the lead sentence,
    # unless it is short and in title case ("Big Quake Hits Coast. 12 People Die.").
    n = len(words(text))
    if n == 0 or n > 30 or match_pattern(text):
        return False
    if _title_case(text) and n <= 16:
        return True
    return not text.endswith(".") and not re.search(r"[.!?]\s+[A-Z]", text)


def _title_case(text: str) -> bool:
    alpha = [w for w in words(text) if w[0].isalpha() and len(w) > 3]
    return len(alpha) >= 3 and sum(w[0].isupper() for w in alpha) / len(alpha) >= 0.8


def _dateline(result: Extraction) -> None:
    for line in result.lines[:3]:
        match = _DATELINE.match(line.text)
        iso = parse_date(match["date"]) if match else None
        if iso:
            result.published, result.published_text = iso, match.group().rstrip(" -:")
            return


# --- line kinds ----------------------------------------------------------------------------


def _typed(lines: list[Line]) -> list[Line]:
    typed: list[Line] = []
    in_list = False
    for i, line in enumerate(lines):
        following = lines[i + 1].text if i + 1 < len(lines) else ""
        in_list = _is_list_item(line.text, typed[-1] if typed else None, in_list)
        kind = "list_item" if in_list else _kind(line.text, following)
        typed.append(Line(line.text, kind, line.line_no))
    return typed


def _is_list_item(text: str, previous: Line | None, in_list: bool) -> bool:
    if _LIST_MARK.match(text):
        return True
    if previous is None or is_sentence(text) or len(words(text)) > 12:
        return False
    return in_list or previous.text.endswith(":")


def _kind(text: str, following: str) -> str:
    n = len(words(text))
    heading = n <= 15 and not text.endswith((".", ",", ";", ":")) and bool(following)
    question_heading = text.endswith("?") and n <= 15 and not re.search(r"[.!]\s", text)
    if heading and (not is_sentence(text) or question_heading):
        return "heading"
    return "paragraph"
