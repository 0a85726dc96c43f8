"""TimeML reading and TIMEX3 scoring as in TempEval-3 task A (issue 6).

``read_timeml(path)`` returns a document's plain text (the content of its ``<TEXT>``
element, tags removed), its creation time (DCT) and its gold TIMEX3 expressions as
character spans into that text.

``score(gold, system)`` compares expressions per document, as TempEval-3 does:

- **strict span**: the same start and end;
- **relaxed span**: the spans overlap (each gold and each system expression is matched at
  most once, greedily by largest overlap);
- **value** (and type): over the relaxed matches, P = matches with the right value / system
  expressions, R = matches with the right value / gold expressions, F1 of those.

Used by benchmarks/tempeval.py; tested in tests/test_timex_eval.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Timex:
    start: int
    end: int
    type: str  # DATE, TIME, DURATION, SET
    value: str  # TIMEX3 value: 1998-10, PXD, PRESENT_REF, ...
    text: str = ""


@dataclass(slots=True)
class TimeMLDoc:
    name: str
    text: str
    dct: str  # the creation time's value (1998-11-20T19:30)
    timexes: list[Timex]


def read_timeml(path: Path) -> TimeMLDoc:
    root = ET.parse(path).getroot()
    dct_node = root.find("DCT/TIMEX3")
    dct = dct_node.get("value", "") if dct_node is not None else ""
    text_node = root.find("TEXT")
    if text_node is None:
        raise ValueError(f"{path}: no <TEXT> element")
    parts: list[str] = []
    timexes: list[Timex] = []

    def walk(node: ET.Element) -> None:
        start = sum(len(p) for p in parts)
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if node.tag == "TIMEX3":
            end = sum(len(p) for p in parts)
            text = "".join(parts)[start:end]
            timexes.append(Timex(start, end, node.get("type", ""), node.get("value", ""), text))

    walk(text_node)
    return TimeMLDoc(path.stem, "".join(parts), dct, sorted(timexes, key=lambda t: t.start))


@dataclass(slots=True)
class Counts:
    gold: int = 0
    system: int = 0
    strict: int = 0
    relaxed: int = 0
    value: int = 0
    type: int = 0

    def add(self, other: Counts) -> None:
        for name in ("gold", "system", "strict", "relaxed", "value", "type"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def scores(self) -> dict[str, dict[str, float]]:
        return {
            name: _prf(getattr(self, name), self.system, self.gold)
            for name in ("strict", "relaxed", "value", "type")
        }


def compare(gold: Iterable[Timex], system: Iterable[Timex]) -> Counts:
    """Counts for one document."""
    gold, system = list(gold), list(system)
    counts = Counts(gold=len(gold), system=len(system))
    counts.strict = len({(t.start, t.end) for t in gold} & {(t.start, t.end) for t in system})
    overlaps = sorted(
        (
            (min(g.end, s.end) - max(g.start, s.start), i, j)
            for i, g in enumerate(gold)
            for j, s in enumerate(system)
            if min(g.end, s.end) > max(g.start, s.start)
        ),
        reverse=True,
    )
    used_gold: set[int] = set()
    used_system: set[int] = set()
    for _, i, j in overlaps:
        if i in used_gold or j in used_system:
            continue
        used_gold.add(i)
        used_system.add(j)
        counts.relaxed += 1
        counts.value += gold[i].value == system[j].value
        counts.type += gold[i].type == system[j].type
    return counts


def score(pairs: Iterable[tuple[Iterable[Timex], Iterable[Timex]]]) -> dict[str, dict[str, float]]:
    """Micro-averaged scores over (gold, system) expression lists, one pair per document."""
    total = Counts()
    for gold, system in pairs:
        total.add(compare(gold, system))
    return total.scores()


def _prf(correct: int, system: int, gold: int) -> dict[str, float]:
    p = correct / system if system else 0.0
    r = correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}
