"""Disagreements: two claims of one story that say the same thing with different values.

Two sentences from different documents are compared when the claim stage's "same claim"
model says they state the same thing (``ClaimWeights.same``). They disagree on

- a **number** when both count the same thing ("23 people", "25 people") with different
  values;
- a **date** when both name a weekday, a month or a year and none of those agree, and the
  two are in one claim cluster too (a story's sentences about two of its moments often name
  two days);
- a **name** when each names exactly one person and the two differ (strict on purpose:
  "the minister" vs "her deputy" is not flagged).

Only values stated in the text are compared; nothing is inferred.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from storytrace.model import ClaimRef, ConflictKind, Disagreement
from storytrace.text import numbers_in_digits
from storytrace.util import word_set

# Different people in two sentences often means two different statements, not a conflict:
# only sentences that are near paraphrases of each other are compared on names.
MIN_NAME_SIMILARITY = 0.85
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%|percent\b|per cent\b|[A-Za-z]+)?"
)
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_WEEKDAYS = word_set("monday tuesday wednesday thursday friday saturday sunday")
_MONTHS = word_set(
    "january february march april may june july august september october november december"
)
_UNIT_SKIP = word_set("a an the of and or to in on at per more than about some")
_MAGNITUDES = word_set("million billion trillion thousand hundred")


@dataclass(slots=True)
class ClaimFacts:
    """The values a claim states."""

    ref: ClaimRef
    numbers: dict[str, str]  # unit -> value ("people" -> "23")
    values: frozenset[str]  # every number in the sentence
    weekdays: frozenset[str]
    months: frozenset[str]
    years: frozenset[str]
    people: frozenset[str]  # normalised person names


def claim_facts(ref: ClaimRef, people: Iterable[str] = ()) -> ClaimFacts:
    text = numbers_in_digits(ref.text)  # "two cables" and "three cables" disagree too
    numbers: dict[str, str] = {}
    years: set[str] = set()
    found = _NUMBER.findall(text)
    for value, unit in found:
        if _YEAR.match(value) and not unit.strip("%"):
            years.add(value)
            continue
        unit = _unit(unit)
        if unit and unit not in numbers:
            numbers[unit] = value.replace(",", "")
    lowered = set(re.findall(r"[a-z]+", text.lower()))
    months = {m for m in _MONTHS if m in lowered and (m != "may" or "May" in text)}
    return ClaimFacts(
        ref=ref,
        numbers=numbers,
        values=frozenset(v.replace(",", "") for v, _ in found),
        weekdays=frozenset(lowered & _WEEKDAYS),
        months=frozenset(months),
        years=frozenset(years | {y for y in re.findall(r"\b(?:19|20)\d\d\b", text)}),
        people=frozenset(people),
    )


def _unit(word: str) -> str:
    word = word.lower()
    if word in {"%", "percent", "per cent"}:
        return "percent"
    if not word or word in _UNIT_SKIP:
        return ""
    if word in _MAGNITUDES:
        return word
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def find_disagreements(
    story_id: str,
    facts: Sequence[ClaimFacts],
    same: Mapping[tuple[int, int], float],
    labels: Sequence[int],
) -> list[Disagreement]:
    """Disagreements among one story's claims. ``same``: (i, j) -> cosine for the pairs
    (i < j) judged to state the same claim; ``labels``: each claim's cluster."""
    found: list[Disagreement] = []
    for (i, j), similarity in sorted(same.items()):
        a, b = facts[i], facts[j]
        if a.ref.doc_id == b.ref.doc_id:
            continue
        for kind, first, second in _conflicts(a, b):
            if kind == "name" and similarity < MIN_NAME_SIMILARITY:
                continue
            if kind == "date" and labels[i] != labels[j]:
                continue
            found.append(Disagreement(story_id, kind, a.ref, b.ref, first, second, similarity))
    return found


def conflicts(a: ClaimFacts, b: ClaimFacts) -> list[tuple[ConflictKind, str, str]]:
    """The values two sentences give differently: (kind, value in a, value in b)."""
    return _conflicts(a, b)


def _conflicts(a: ClaimFacts, b: ClaimFacts) -> list[tuple[ConflictKind, str, str]]:
    out: list[tuple[ConflictKind, str, str]] = []
    # A number both sentences state, under different units ("38 languages ... 12 offline"
    # vs "12 languages"), means the units are not a safe guide: no number conflict.
    shared_values = a.values & b.values
    for unit in sorted(a.numbers.keys() & b.numbers.keys()):
        if shared_values:
            break
        if _value(a.numbers[unit]) != _value(b.numbers[unit]):
            out.append(("number", f"{a.numbers[unit]} {unit}", f"{b.numbers[unit]} {unit}"))
    for first, second in ((a.weekdays, b.weekdays), (a.months, b.months), (a.years, b.years)):
        if first and second and not first & second:
            out.append(("date", ", ".join(sorted(first)), ", ".join(sorted(second))))
    if len(a.people) == 1 and len(b.people) == 1 and a.people != b.people:
        out.append(("name", next(iter(a.people)), next(iter(b.people))))
    return out


def _value(text: str) -> float:
    return float(text)
