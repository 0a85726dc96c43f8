"""Large news corpora with planted derivation families and stories, seeded from real articles.

``benchmarks/planted.py`` writes its originals from invented templates. This generator writes
them from real article text instead, so detectors meet real sentence lengths, quotes, datelines
and vocabulary at any scale, while the ground truth stays exact.

Base articles, read at run time:

* the project's demo corpus ``examples/demo/pages``: the 14 documents that
  ``examples/demo/truth.json`` marks as independent originals (``.txt`` and ``.html`` pages and
  four ``wire.jsonl`` records, extracted with storytrace's own ``extract_record``; furniture lines
  listed in ``truth.json`` are dropped). The demo's derivatives (rewrites, SEO pages, ...) are
  not used as bases: they would plant families nobody labelled. Events and topics are the
  demo's gold ``story`` and ``topic``;
* ``../shared/eval/ecbplus-dev`` when present: 772 real ECB+ articles (CC BY 3.0) with gold
  ``topic`` and ``subtopic`` (= event). Articles with fewer than three body sentences are
  skipped (87), and within a subtopic wire copies are reduced to the longest one (word-trigram
  containment >= 0.4; ``eval/scorers/reuse_eval.py`` uses 0.5, but dropped sentences raise
  containment), which leaves 577. Without the folder the demo alone is used (a note goes to
  stderr). This text is read at run time only: nothing of it is stored in the project.

Each base sentence is compiled once into literal pieces and slots: names (capitalised words
that the base texts capitalise more often than not mid-sentence), acronyms, numbers, years,
months and weekdays. A spaCy pass over the ECB+ texts takes about 40 s on two cores, so names
come from that case statistic instead; a name's kind (first name, surname, place, other) is a
vote over the contexts it occurs in (runs of two or more names are people, a single name after
"in"/"at"/"from" a place, a run next to "Labs", "Union", "Center", ... an organisation).

A *topic instance* takes one base topic and draws a cast: every name gets an invented
replacement of its kind (planted's name makers), numbers are perturbed, and each event's years
are shifted to the publication year, its months and weekdays by a drawn offset; the same base
word maps to the same replacement throughout the instance. The instance yields one event per
used subtopic (the first always, the sibling ECB+ subtopic with probability 0.3; siblings share
the cast, as two events of one broader story share people and places), and each event 1-4
independent originals written from *different* base articles of that subtopic: same-event
reports that share names, numbers and dates but not wording, which a detector must not call
copies but should put in one story. Every original keeps its base's first sentence and drops
others at random (more often sentences without any slot), so repeated uses of one base differ.
Note that one base is reused under many casts (under 600 bases for 1M documents): as with
planted's templates, two originals of different events may share their wording (median
word-trigram containment 0.56 at 10k documents), never their names, numbers or dates.
``root_bases`` lists each document's bases so a scorer can leave such pairs unscored.

About ``derivative_share`` of the documents are derivatives of recent documents, made by
planted's own machinery (``planted._derivative``: copy, rewrite, simplified, seo_padded,
summary, chain, combined, with the same weights, windows and outlets). Planted's paraphraser
was written for its template vocabulary, so rewrites of real text keep more of the original
wording than planted's rewrites do (median word-trigram containment of a rewrite in its origin
0.93 here, 0.61 in planted; seo_padded 0.75 against 0.45).

Documents stream: only planted's ring buffers of recent documents, the pending reports of open
topic instances (about ``_PENDING_CAP``) and a bounded event -> topic map are kept, so 1M
documents need no more memory than 10k (peak RSS 105 MB at 5k documents, 107 MB at 20k).
The same seed and base texts give the same bytes.

Output (as planted's ``write_corpus``): ``docs.jsonl`` rows ``{"id", "title", "text",
"published", "source"}`` (or ``docs-00000.jsonl``, ... with ``--shards``) and ``truth.jsonl``
rows ``{"doc", "parents", "root_sources", "style", "event", "topic"}`` plus ``"base"`` (the
base article's key, e.g. ``ecb:1_10ecb``) for originals. Originals have no parents, style
``None`` and are their own root; a combined derivative's event and topic join its two
origins' with "+". ``planted.gold_pairs`` reads this truth unchanged.

Usage: python -m benchmarks.seeded_corpus OUT_DIR --docs N [--seed S] [--derivative-share F]
       [--shards K] [--shared PATH | --demo-only]
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import sys
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from benchmarks import planted

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"
SHARED = REPO.parent / "shared"

_MIN_SENTENCES = 3
_WIRE_CONTAINMENT = 0.4  # reuse_eval.py's wire rule is 0.5; dropped sentences raise containment
_SIBLING_RATE = 0.3  # topic instances that also report the topic's other event
_REPORTS = (1, 1, 1, 1, 1, 2, 2, 2, 3, 4)  # independent originals per event, drawn uniformly
_PENDING_CAP = 64  # open reports; beyond this the oldest goes out first
_DROP = 0.15  # chance that an original drops a base sentence (never the first)
_DROP_PLAIN = 0.4  # ... a sentence without names, numbers or dates (shared by every cast)
_MAX_PARAGRAPHS = 16  # planted's seo_padded has filler lines for 16 paragraphs
_EVENT_MEMORY = 20_000  # event -> topic entries kept; rings hold at most ~3,800 events

Paragraphs = list[list[str]]


# -- base articles ---------------------------------------------------------------------------
@dataclass(slots=True)
class _Raw:
    """A base article as read: plain sentences in paragraphs."""

    key: str
    title: str
    paragraphs: Paragraphs
    event: str
    topic: str
    year: int | None  # publication year and month, when known
    month: int | None
    flat: bool  # no paragraph structure in the source (ECB+: one sentence a line)


def _demo_records(pages: Path, key: str) -> tuple[str, str, str | None]:
    """(content, format, title) of one demo document keyed as in truth.json."""
    if "#" not in key:
        path = pages / key
        return path.read_text(encoding="utf-8"), "html" if key.endswith(".html") else "text", None
    name, wanted = key.split("#", 1)
    for line in (pages / name).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("id") == wanted:
            if row.get("html"):
                return row["html"], "html", row.get("title")
            return row["text"], "text", row.get("title")
    raise KeyError(key)


def load_demo(demo: Path = DEMO) -> list[_Raw]:
    """The demo corpus's independent originals, extracted the way storytrace reads them."""
    from storytrace.extract.record import extract_record
    from storytrace.model import RawRecord

    truth = json.loads((demo / "truth.json").read_text(encoding="utf-8"))
    raws = []
    for entry in truth["documents"]:
        if entry["parents"]:  # derivatives would plant families that nobody labelled
            continue
        content, fmt, title = _demo_records(demo / "pages", entry["key"])
        doc, lines = extract_record(RawRecord(entry["key"], content, fmt, title=title))
        furniture = set(entry["furniture_lines"])
        body = [ln.text for ln in lines if ln.kind != "heading" and ln.text not in furniture]
        year, month = _year_month(entry.get("published") or doc.published or "")
        raws.append(_Raw(
            f"demo:{entry['key']}", doc.title or entry["title"], [split_sentences(p) for p in body],
            f"demo:{entry['story']}", f"demo:{entry['topic']}", year, month, flat=False,
        ))  # fmt: skip
    return raws


def load_ecb(folder: Path) -> list[_Raw]:
    """ECB+ articles: one sentence a line; the title and date lines are metadata."""
    raws = []
    for line in (folder / "docs.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        text = (folder / "docs" / f"{meta['doc']}.txt").read_text(encoding="utf-8")
        skip = {(meta.get("title") or "").strip(), (meta.get("date_raw") or "").strip()}
        sentences = [s.strip() for s in text.splitlines() if s.strip() and s.strip() not in skip]
        if len(sentences) < _MIN_SENTENCES:
            continue
        year, month = _year_month(meta.get("date_raw") or "")
        raws.append(_Raw(
            f"ecb:{meta['doc']}", meta.get("title") or _headline(sentences[0]), [sentences],
            f"ecb:{meta['subtopic']}", f"ecb:{meta['topic']}", year, month, flat=True,
        ))  # fmt: skip
    return _without_wire_copies(raws)


_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "sen", "rep", "gov", "lt", "col", "capt",
    "sgt", "prof", "no", "vs", "inc", "co", "corp", "ltd", "jan", "feb", "aug", "sept", "oct",
    "nov", "dec", "u.s", "mt", "ft",
})  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*(\s+)(?=[\"“‘(]?[A-Z0-9])")


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph: a regex split that skips abbreviations and initials (the
    project's splitter is spaCy, far too slow to run on every base at every start)."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(paragraph):
        before = paragraph[start : m.start()].rsplit(" ", 1)[-1].lower()
        if before in _ABBREVIATIONS or (len(before) == 1 and before.isalpha()):
            continue
        out.append(paragraph[start : m.start(1)].strip())
        start = m.end(1)
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


def _headline(sentence: str) -> str:
    """A title for an untitled article: its first clause, at most a dozen words."""
    clause = sentence.split(", ", 1)[0]
    words = (clause if len(clause.split()) >= 4 else sentence).split()
    return " ".join(words[:12]).rstrip(".,;:!?\"”'’")


_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def _year_month(date: str) -> tuple[int | None, int | None]:
    year = _YEAR.search(date)
    month = next((i for i, m in enumerate(planted._MONTHS) if m[:3] in date), None)
    if month is None and (iso := re.search(r"\d{4}-(\d\d)-\d\d", date)):
        month = int(iso[1]) - 1
    return (int(year[1]) if year else None), month


def _trigrams(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


def _without_wire_copies(raws: list[_Raw]) -> list[_Raw]:
    """Keep the longest article of each wire-copy group within an event: two copies given one
    cast would be near-duplicates labelled independent."""
    by_event: dict[str, list[_Raw]] = {}
    for raw in raws:
        by_event.setdefault(raw.event, []).append(raw)
    kept: set[str] = set()
    for group in by_event.values():
        chosen: list[set[str]] = []
        for raw in sorted(group, key=lambda r: -sum(len(s) for p in r.paragraphs for s in p)):
            grams = _trigrams(" ".join(s for p in raw.paragraphs for s in p))
            if all(len(grams & c) < _WIRE_CONTAINMENT * max(1, len(grams)) for c in chosen):
                chosen.append(grams)
                kept.add(raw.key)
    return [raw for raw in raws if raw.key in kept]


# -- compiling sentences into pieces and slots -----------------------------------------------
class _Slot(NamedTuple):
    kind: str  # name, upper (a name in capitals), acro, num, pct, day, year, month, wday
    key: str  # the base text's word or number
    sub: str = ""  # for names: first, last, place or word
    ref: str = ""  # kind and key: what an event caches the filled-in text under


def _new_slot(kind: str, key: str, sub: str = "") -> _Slot:
    return _Slot(kind, key, sub, f"{kind}:{key}")


Pieces = tuple[str | _Slot, ...]

_NUMBER = r"(?<![\w.,:/-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w:/]|[.,]\d)"
_CAP = r"(?<![\w'’-])[A-ZÀ-Þ][^\W_]*(?:['’-][A-ZÀ-Þ][^\W_]*)*"
_SCAN = re.compile(f"(?P<num>{_NUMBER})|(?P<cap>{_CAP})")
_LOWER = re.compile(r"(?<![\w'’-])[a-zß-ÿ][^\W\d_]*")
_YEAR_NUMBER = re.compile(r"(?:19|20)\d\d")
_MONTH_INDEX = {m: i for i, m in enumerate(planted._MONTHS)}
_MONTH_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov",
                "Dec")  # fmt: skip
_MONTH_INDEX |= {m: i for i, m in enumerate(_MONTH_SHORT) if m not in _MONTH_INDEX}
_MONTH_INDEX |= {"Sep": 8, "Jun": 5, "Jul": 6}
_DATELINE = re.compile(r"\s[-—–]\s$")  # "SARNHOLLOW, March 13 (Northwind) - A powerful ..."
_TITLES = frozenset(w.capitalize() for w in _ABBREVIATIONS if "." not in w) | {"Mt", "Ft"}
_PERCENT = re.compile(r"\s?(?:%|percent\b|per cent\b)")
_MONTH_NAMES = "|".join(_MONTH_INDEX)
_MONTH_AFTER = re.compile(rf" (?:{_MONTH_NAMES})\b")
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTH_NAMES})\.? $")
_BEFORE_NUMBER = re.compile(r"\.? \d")
_WEEKDAY_INDEX = {d: i for i, d in enumerate(planted._WEEKDAYS)}
_KEEP_UPPER = frozenset({
    "TV", "CEO", "AM", "PM", "OK", "DNA", "GPS", "FAQ", "US", "UK", "UN", "EU", "USA", "AP",
    "CNN", "BBC", "NBC", "CBS", "ABC", "PR", "ID", "IT", "HIV", "AIDS", "GDP", "CFO", "MP",
})  # fmt: skip
_ORG_WORDS = frozenset({
    "Inc", "Corp", "Company", "Co", "Ltd", "Group", "Labs", "University", "College", "School",
    "Council", "Association", "Center", "Centre", "Department", "Ministry", "Party", "Bank",
    "Agency", "Club", "Union", "Committee", "Foundation", "Institute", "Hospital", "Court",
    "Police", "Airlines", "Airways", "News", "Times", "Post", "Journal", "Service", "Terminals",
    "Board", "Commission", "Corporation", "Network", "Records", "Studios", "Team", "League",
})  # fmt: skip
_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|near|outside|across|around|into|towards)\s$")


class _Case:
    """How often each word is written in lower case, and capitalised mid-sentence, in the
    base bodies: a word capitalised more often than not is a name."""

    def __init__(self, raws: list[_Raw]) -> None:
        self.lower: Counter[str] = Counter()
        self.capital: Counter[str] = Counter()
        for raw in raws:
            for sentence in (s for p in raw.paragraphs for s in p):
                self.lower.update(_LOWER.findall(sentence))
                first = re.search(r"[^\W\d_]", sentence)
                for m in re.finditer(_CAP, sentence):
                    opens = (first and m.start() == first.start()) or _DATELINE.search(
                        sentence, 0, m.start()
                    )
                    if not opens:
                        self.capital[m[0]] += 1

    def is_name(self, word: str) -> bool:
        if word in _TITLES:
            return False
        capital, lower = self.capital[word], self.lower[word.lower()]
        # rare words break ties toward names ("Pebble" the product, 3 to 3)
        return len(word) > 1 and (capital > lower or (capital >= max(2, lower) and lower <= 3))


def _name_kinds(raws: list[_Raw], case: _Case) -> dict[str, str]:
    """Each name's kind by a vote over its contexts (see the module docstring)."""
    votes: dict[str, Counter[str]] = {}
    for raw in raws:
        for sentence in (s for p in raw.paragraphs for s in p):
            for run, before, after in _name_runs(sentence, case):
                for i, word in enumerate(run):
                    votes.setdefault(word, Counter())[_vote(run, i, before, after)] += 1
    kinds = {}
    for word, counter in votes.items():
        counter.pop("single", None)  # a lone name says nothing about its kind
        kinds[word] = counter.most_common(1)[0][0] if counter else "word"
    return kinds


def _name_runs(sentence: str, case: _Case) -> Iterator[tuple[list[str], str, str]]:
    """Runs of consecutive names with the text before and the capitalised word after."""
    run: list[str] = []
    start = end = 0
    for m in re.finditer(_CAP, sentence):
        if case.is_name(m[0]) and not _date_word(m[0], sentence, m.end()):
            if run and sentence[end : m.start()] == " ":
                run.append(m[0])
            else:
                if run:
                    yield run, sentence[:start], _next_word(sentence, end)
                run, start = [m[0]], m.start()
            end = m.end()
    if run:
        yield run, sentence[:start], _next_word(sentence, end)


def _next_word(sentence: str, end: int) -> str:
    m = re.match(r" ([A-Z]\w*)", sentence[end:])
    return m[1] if m else ""


def _vote(run: list[str], i: int, before: str, after: str) -> str:
    if after in _ORG_WORDS or any(w in _ORG_WORDS for w in run):
        return "word"
    if _PLACE_BEFORE.search(before):
        return "place"
    if len(run) >= 2:
        return "first" if i == 0 else "last"
    return "single"


def _date_word(word: str, sentence: str, end: int) -> bool:
    """A weekday or a month name; "May" and abbreviations ("Jan") only before a number."""
    if word in _WEEKDAY_INDEX or (word in planted._MONTHS and word != "May"):
        return True
    return word in _MONTH_INDEX and bool(_BEFORE_NUMBER.match(sentence, end))


def _compile(sentence: str, case: _Case, kinds: dict[str, str]) -> Pieces:
    """Literal text and slots, adjacent literals merged."""
    pieces: list[str | _Slot] = []
    pos = 0
    for m in _SCAN.finditer(sentence):
        slot = _slot(m, sentence, case, kinds)
        if slot is None:
            continue
        pieces.append(sentence[pos : m.start()])
        pieces.append(slot)
        pos = m.end()
    pieces.append(sentence[pos:])
    merged: list[str | _Slot] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        elif piece != "":
            merged.append(piece)
    return tuple(merged)


def _slot(m: re.Match[str], sentence: str, case: _Case, kinds: dict[str, str]) -> _Slot | None:
    word = m[0]
    if m["num"]:
        if _YEAR_NUMBER.fullmatch(word):
            return _new_slot("year", word)
        by_month = _MONTH_BEFORE.search(sentence, 0, m.start()) or _MONTH_AFTER.match(
            sentence, m.end()
        )
        if by_month and word.isdigit() and 1 <= int(word) <= 31:
            return _new_slot("day", word)
        return _new_slot("pct" if _PERCENT.match(sentence, m.end()) else "num", word)
    if word in _WEEKDAY_INDEX:
        return _new_slot("wday", word)
    if _date_word(word, sentence, m.end()):
        return _new_slot("month", word)
    if word.isupper() and len(word) > 1:
        title = word.capitalize()
        if title in kinds:
            return _new_slot("upper", title, kinds[title])
        if len(word) <= 5 and word not in _KEEP_UPPER and case.capital[word]:
            return _new_slot("acro", word)
        return None
    if word in kinds and case.is_name(word):
        return _new_slot("name", word, kinds[word])
    return None


@dataclass(slots=True)
class _Base:
    """A base article compiled once: title and sentences as pieces."""

    key: str
    title: Pieces
    paragraphs: list[list[Pieces]]
    flat: bool
    year: int | None
    month: int | None


@dataclass(slots=True)
class _TopicBases:
    key: str
    events: list[list[_Base]]  # per event (subtopic / story): its base articles


class Bases(NamedTuple):
    topics: list[_TopicBases]
    sources: str  # what was loaded, for messages


@functools.cache
def load_bases(shared: Path | None = SHARED, demo: Path = DEMO) -> Bases:
    """Demo originals plus ECB+ (from ``shared/eval/ecbplus-dev``, when there), compiled."""
    raws = load_demo(demo)
    sources = f"demo ({len(raws)} originals)"
    ecb = shared / "eval" / "ecbplus-dev" if shared else None
    if ecb and (ecb / "docs.jsonl").is_file():
        found = load_ecb(ecb)
        raws += found
        sources += f" + ECB+ dev ({len(found)} articles)"
    else:
        print(f"seeded_corpus: no {ecb or 'shared folder'}; using the demo corpus only",
              file=sys.stderr)  # fmt: skip
    case = _Case(raws)
    kinds = _name_kinds(raws, case)
    topics: dict[str, dict[str, list[_Base]]] = {}
    for raw in raws:
        base = _Base(
            raw.key, _compile(raw.title, case, kinds),
            [[_compile(s, case, kinds) for s in p] for p in raw.paragraphs],
            raw.flat, raw.year if raw.year else _text_year(raw), raw.month,
        )  # fmt: skip
        topics.setdefault(raw.topic, {}).setdefault(raw.event, []).append(base)
    grouped = [_TopicBases(t, list(events.values())) for t, events in topics.items()]
    return Bases(grouped, sources)


def _text_year(raw: _Raw) -> int | None:
    """The year the text mentions most, as the event's year when the date is unknown."""
    years = Counter(int(y) for p in raw.paragraphs for s in p for y in _YEAR.findall(s))
    return years.most_common(1)[0][0] if years else None


# -- casts and events ------------------------------------------------------------------------
class _Cast:
    """Invented replacements for one topic instance, drawn on first use."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.values: dict[tuple[str, str], str] = {}
        self.used: set[str] = set()
        self.scale = rng.uniform(0.6, 1.5)  # one factor keeps the base's orders and ratios

    def get(self, slot: _Slot) -> str:
        key = ("name", slot.key) if slot.kind in ("name", "upper") else (slot.kind, slot.key)
        value = self.values.get(key)
        if value is None:
            value = self._draw(slot)
            self.values[key] = value
        return value

    def _draw(self, slot: _Slot) -> str:
        if slot.kind in ("num", "pct"):
            return _perturb(self.rng, slot.key, self.scale, slot.kind == "pct")
        if slot.kind == "day":
            day = str(self.rng.randint(1, 28))
            return day.zfill(2) if slot.key.startswith("0") else day
        for _ in range(10):  # two base names must not become one
            value = self._invent(slot)
            if value not in self.used:
                break
        self.used.add(value)
        return value

    def _invent(self, slot: _Slot) -> str:
        rng = self.rng
        if slot.kind == "acro":
            return "".join(rng.choice("ABCDEFGHKLMNPRSTVW") for _ in slot.key)
        if slot.sub == "first":
            return planted._first_name(rng)
        if slot.sub == "last":
            return planted._last_name(rng)
        if slot.sub == "place":
            return planted._place(rng)
        word = ""
        while len(word) < 4:
            word = planted._cap(planted._syllable(rng) + planted._syllable(rng))
        return word


def _perturb(rng: random.Random, number: str, scale: float, percent: bool) -> str:
    """Another number written the same way (thousands separators, decimals): small counts
    move by a few, small decimals by up to 15 %, larger numbers by the cast's scale (give or
    take 5 %), percentages stay under 100."""
    whole, _, decimals = number.replace(",", "").partition(".")
    value = float(f"{whole}.{decimals or 0}")
    text = number
    for _ in range(5):  # a few tries for a number that differs from the base's
        if not decimals and value < 10:
            new = float(rng.randint(max(1, int(value) - 2), int(value) + 3)) if value else 0.0
        elif value < 10:  # magnitudes, ratings: a 6.8 quake should not become 9.9
            new = value * rng.uniform(0.85, 1.15)
        else:
            new = value * scale * rng.uniform(0.95, 1.05)
        if percent and value < 100:
            new = min(new, 99.0)
        text = f"{new:,.{len(decimals)}f}" if "," in number else f"{new:.{len(decimals)}f}"
        if text != number or value < 2:
            break
    return text


@dataclass(slots=True)
class _Event:
    key: str
    topic: str
    cast: _Cast
    year_shift: int
    month_shift: int
    weekday_shift: int

    cache: dict[str, str] = field(default_factory=dict)  # slot ref -> text, for speed

    def fill(self, pieces: Pieces) -> str:
        cache, out = self.cache, []
        for piece in pieces:
            if piece.__class__ is str:
                out.append(piece)
                continue
            value = cache.get(piece.ref)
            if value is None:
                value = cache[piece.ref] = self._value(piece)
            out.append(value)
        return "".join(out)

    def _value(self, slot: _Slot) -> str:
        kind = slot.kind
        if kind == "year":
            return str(int(slot.key) + self.year_shift)
        if kind == "month":
            names = planted._MONTHS if slot.key in planted._MONTHS else _MONTH_SHORT
            return names[(_MONTH_INDEX[slot.key] + self.month_shift) % 12]
        if kind == "wday":
            return planted._WEEKDAYS[(_WEEKDAY_INDEX[slot.key] + self.weekday_shift) % 7]
        value = self.cast.get(slot)
        return value.upper() if kind == "upper" else value


@dataclass(slots=True)
class _Stories:
    """Topic instances and their pending reports, in a deterministic order."""

    rng: random.Random
    bases: Bases
    deck: list[int] = field(default_factory=list)
    pending: deque[tuple[_Event, _Base]] = field(default_factory=deque)
    events: int = 0
    topics: int = 0

    def next_report(self, when: datetime) -> tuple[_Event, _Base]:
        if self.pending and (len(self.pending) >= _PENDING_CAP or self.rng.random() < 0.5):
            return self.pending.popleft()
        first, *rest = self._new_topic(when)
        self.pending.extend(rest)
        return first

    def _new_topic(self, when: datetime) -> list[tuple[_Event, _Base]]:
        rng = self.rng
        if not self.deck:  # every base topic once before any comes again
            self.deck = list(range(len(self.bases.topics)))
            rng.shuffle(self.deck)
        topic = self.bases.topics[self.deck.pop()]
        cast = _Cast(random.Random(rng.getrandbits(64)))
        key = f"t{self.topics:07d}"
        self.topics += 1
        groups = list(topic.events)
        rng.shuffle(groups)
        chosen = groups[:1] + [g for g in groups[1:] if rng.random() < _SIBLING_RATE]
        reports = []
        for group in chosen:
            event = self._new_event(key, cast, group, when)
            count = min(len(group), rng.choice(_REPORTS))
            reports += [(event, base) for base in rng.sample(group, count)]
        return reports

    def _new_event(self, topic: str, cast: _Cast, group: list[_Base], when: datetime) -> _Event:
        rng = self.rng
        year = next((b.year for b in group if b.year), None)
        month = next((b.month for b in group if b.month is not None), None)
        event = _Event(
            f"e{self.events:07d}", topic, cast,
            year_shift=when.year - year if year else 0,
            month_shift=(when.month - 1 - month) % 12 if month is not None else rng.randrange(12),
            weekday_shift=rng.randrange(7),
        )  # fmt: skip
        self.events += 1
        return event


def _write_original(rng: random.Random, base: _Base, event: _Event) -> tuple[str, Paragraphs]:
    paragraphs: Paragraphs = []
    first = True
    for para in base.paragraphs:
        kept = []
        for pieces in para:
            plain = all(isinstance(p, str) for p in pieces)
            if first or rng.random() >= (_DROP_PLAIN if plain else _DROP):
                kept.append(event.fill(pieces))
            first = False
        if kept:
            paragraphs.append(kept)
    if base.flat:  # ECB+ has no paragraphs: news-like ones of one to three sentences
        sentences = [s for p in paragraphs for s in p]
        low, high = max(1, len(sentences) // 3), max(1, len(sentences) // 2 + 1)
        paragraphs = planted._split_paragraphs(
            rng, sentences, min(low, _MAX_PARAGRAPHS), min(high, _MAX_PARAGRAPHS)
        )
    elif len(paragraphs) > _MAX_PARAGRAPHS:
        paragraphs[_MAX_PARAGRAPHS - 1 :] = [
            [s for p in paragraphs[_MAX_PARAGRAPHS - 1 :] for s in p]
        ]
    return event.fill(base.title), paragraphs


# -- the generator -------------------------------------------------------------------------
def generate_documents(
    n: int, seed: int = 7, derivative_share: float = 0.3, *, shared: Path | None = SHARED
) -> Iterator[planted.PlantedDoc]:
    """Yield ``n`` documents (planted's ``PlantedDoc``) in publication order.

    Keys are ``d0000000``, ``d0000001``, ...; parents precede their derivatives. ``shared``
    is the folder holding ``eval/ecbplus-dev`` (None: demo bases only).
    """
    if not 0.0 <= derivative_share < 1.0:
        raise ValueError(f"derivative_share must be in [0, 1), got {derivative_share}")
    rng = random.Random(seed)
    outlets = planted._outlets(rng, planted._OUTLET_PATTERNS, 400)
    farms = planted._outlets(rng, planted._FARM_PATTERNS, 150)
    originals = planted._Ring(planted._WINDOW_ORIGINALS)
    derived = planted._Ring(planted._WINDOW_DERIVED)
    stories = _Stories(rng, load_bases(shared))
    topic_of: dict[str, str] = {}
    for index in range(n):
        key = f"d{index:07d}"
        published = planted._START + timedelta(
            seconds=index * planted._STEP_S + rng.randrange(planted._STEP_S)
        )
        if len(originals) >= 2 and rng.random() < derivative_share:
            doc, truth = planted._derivative(rng, key, originals, derived, farms, outlets)
            derived.add(doc)
            topics = dict.fromkeys(topic_of[e] for e in doc.event.split("+"))
            truth["topic"] = "+".join(topics)
        else:
            doc, truth = _original(rng, key, stories.next_report(published), outlets)
            originals.add(doc)
            topic_of[doc.event] = str(truth["topic"])
            if len(topic_of) > _EVENT_MEMORY:  # the oldest event is long out of the rings
                del topic_of[next(iter(topic_of))]
        text = "\n\n".join(" ".join(p) for p in doc.paragraphs)
        stamp = published.strftime("%Y-%m-%dT%H:%M:%SZ")
        yield planted.PlantedDoc(key, doc.title, text, stamp, doc.source, truth)


def _original(
    rng: random.Random, key: str, report: tuple[_Event, _Base], outlets: list[str]
) -> tuple[planted._Doc, dict[str, object]]:
    event, base = report
    title, paragraphs = _write_original(rng, base, event)
    doc = planted._Doc(key, title, paragraphs, [key], event.key, rng.choice(outlets))
    truth = {"doc": key, "parents": [], "root_sources": [key], "style": None,
             "event": event.key, "topic": event.topic, "base": base.key}  # fmt: skip
    return doc, truth


def write_corpus(
    folder: Path,
    n: int,
    seed: int = 7,
    derivative_share: float = 0.3,
    *,
    shards: int = 1,
    shared: Path | None = SHARED,
) -> Path:
    """Write ``folder/docs.jsonl`` (or ``docs-00000.jsonl`` ... for ``shards`` > 1, split
    evenly in order) and ``folder/truth.jsonl`` for ``n`` documents; return ``folder``."""
    if shards < 1:
        raise ValueError(f"shards must be at least 1, got {shards}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = ["docs.jsonl"] if shards == 1 else [f"docs-{i:05d}.jsonl" for i in range(shards)]
    with (folder / "truth.jsonl").open("w", encoding="utf-8") as truth:
        shard, docs = 0, (folder / names[0]).open("w", encoding="utf-8")
        try:
            stream = generate_documents(n, seed, derivative_share, shared=shared)
            for index, doc in enumerate(stream):
                if index * shards // n != shard:  # shard i holds documents [i*n/K, (i+1)*n/K)
                    docs.close()
                    shard = index * shards // n
                    docs = (folder / names[shard]).open("w", encoding="utf-8")
                row = {"id": doc.key, "title": doc.title, "text": doc.text,
                       "published": doc.published, "source": doc.source}  # fmt: skip
                docs.write(json.dumps(row, ensure_ascii=False) + "\n")
                truth.write(json.dumps(doc.truth) + "\n")
        finally:
            docs.close()
        for name in names[shard + 1 :]:  # fewer documents than shards: empty files
            (folder / name).touch()
    return folder


def root_bases(truth: Iterable[dict]) -> dict[str, frozenset[str]]:
    """Each document's base articles, through its root sources (truth in key order).

    One base is reused under many casts, so two documents of different families whose root
    bases intersect share wording by construction; a scorer may leave such predicted pairs
    unscored, as eval/scorers/reuse_eval.py leaves wire copies among ECB+ originals.
    """
    bases: dict[str, frozenset[str]] = {}
    for record in truth:
        if record.get("parents"):
            bases[record["doc"]] = frozenset().union(*(bases[r] for r in record["root_sources"]))
        else:
            bases[record["doc"]] = frozenset([record["base"]])
    return bases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder for docs.jsonl and truth.jsonl")
    parser.add_argument("--docs", type=int, default=10_000, help="number of documents")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--derivative-share", type=float, default=0.3)
    parser.add_argument("--shards", type=int, default=1, help="split docs into K files")
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder holding eval/")
    parser.add_argument("--demo-only", action="store_true", help="ignore ../shared/eval")
    args = parser.parse_args(argv)
    shared = None if args.demo_only else args.shared
    started = time.perf_counter()
    bases = load_bases(shared)
    loaded = time.perf_counter()
    write_corpus(args.out_dir, args.docs, args.seed, args.derivative_share,
                 shards=args.shards, shared=shared)  # fmt: skip
    done = time.perf_counter()
    print(f"bases: {bases.sources}, {len(bases.topics)} topics; loaded in {loaded - started:.1f}s")
    rate = args.docs / max(done - loaded, 1e-9)
    print(f"wrote {args.docs:,} documents to {args.out_dir} in {done - loaded:.1f}s "
          f"({rate:,.0f} docs/s, seed {args.seed})")  # fmt: skip
    _print_summary(args.out_dir)
    return 0


def _print_summary(folder: Path) -> None:
    styles: Counter[str] = Counter()
    events: Counter[str] = Counter()
    topics: dict[str, set[str]] = {}
    with (folder / "truth.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            styles[record["style"] or "original"] += 1
            if record["style"] is None:
                events[record["event"]] += 1
                topics.setdefault(record["topic"], set()).add(record["event"])
    grouped = sum(count for count in events.values() if count > 1)
    multi = sum(1 for members in topics.values() if len(members) > 1)
    print(f"  originals: {styles.pop('original', 0):,} in {len(events):,} events "
          f"({grouped:,} in same-event groups), {len(topics):,} topics "
          f"({multi:,} with two events)")  # fmt: skip
    for style in planted.STYLES:
        print(f"  {style}: {styles[style]:,}")
    for path in sorted(folder.glob("*.jsonl")):
        print(f"  {path.name}: {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
