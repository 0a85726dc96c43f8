"""SemEval-2015 Task 4 timelines: reading and temporal-awareness scoring (issue 6).

A timeline file is the entity's name on its first line, then one row per event:
``ordinal<TAB>anchor<TAB>mention[<TAB>mention...]``, where a mention is
``doc-sentence-word`` and the mentions of one row are the same event. Ordinal 0 means
"not ordered"; the anchor is a date (``2005-02-17``, ``2005-02-XX``, ``2005-XX-XX``) or
``XXXX-XX-XX`` when none is known.

The task scores a timeline with TempEval-3's *temporal awareness* (UzZaman and Allen,
2011): each timeline becomes a graph of temporal relations, and

    P = |reduced(system) ∩ closure(gold)| / |reduced(system)|
    R = |reduced(gold) ∩ closure(system)| / |reduced(gold)|

micro-averaged over the timelines of a corpus. The task's description turns a timeline
into relations as follows, and so does ``relations``:

- every date anchor is a time node; an event is related to the time node of its anchor;
- events of one row, and events sharing an ordinal, are SIMULTANEOUS;
- an event of a lower ordinal is BEFORE one of a higher ordinal (ordinal 0 is not ordered).

Two points are our reading where the description is silent or cannot hold as written:

- an event is IS_INCLUDED in its date rather than SIMULTANEOUS with it: the gold
  timelines order several events within one day (two ordinals share an anchor), which is
  contradictory if each event were simultaneous with the day;
- ``XXXX-XX-XX`` is not a time node: an unanchored event is related to nothing but the
  events it is ordered with (otherwise every unanchored event would be simultaneous with
  every other).

Closure and reduction work on interval end points (each node is an interval [start, end]
with start < end; BEFORE is a.end < b.start, SIMULTANEOUS equal end points, IS_INCLUDED
b.start <= a.start and a.end <= b.end), so any consistent combination is closed correctly.
The reduced graph drops, one at a time in a fixed order, each relation the others imply
(only inclusions in a date can be; see ``reduce``).

Also reported, because the graph score is hard to read on its own: event mentions
(P/R/F1 of the ``doc-sentence-word`` ids) and, for the mentions both sides found, how
often the anchor is the same.

Used by benchmarks/semeval_timelines.py; tested in tests/test_timeline_eval.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

UNKNOWN = "XXXX-XX-XX"
BEFORE, SIMULTANEOUS, INCLUDED = "BEFORE", "SIMULTANEOUS", "IS_INCLUDED"

_SUMS = ("sys_correct", "sys_total", "gold_correct", "gold_total", "mentions_found",
         "mentions_sys", "mentions_gold", "anchors_same")  # fmt: skip
Relation = tuple[str, str, str]  # (kind, a, b): a BEFORE b, a IS_INCLUDED b, a SIMULTANEOUS b


@dataclass(slots=True)
class Row:
    ordinal: int
    anchor: str
    mentions: list[str]


@dataclass(slots=True)
class Timeline:
    entity: str
    rows: list[Row]


@dataclass(slots=True)
class Counts:
    """Sums for micro-averaging: graph relations and event mentions."""

    sys_correct: int = 0
    sys_total: int = 0
    gold_correct: int = 0
    gold_total: int = 0
    mentions_found: int = 0
    mentions_sys: int = 0
    mentions_gold: int = 0
    anchors_same: int = 0
    per_timeline: dict[str, dict[str, float]] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        for name in _SUMS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.per_timeline.update(other.per_timeline)

    def summary(self) -> dict[str, float]:
        p = _ratio(self.sys_correct, self.sys_total)
        r = _ratio(self.gold_correct, self.gold_total)
        mp = _ratio(self.mentions_found, self.mentions_sys)
        mr = _ratio(self.mentions_found, self.mentions_gold)
        return {
            "precision": p, "recall": r, "f1": _f1(p, r),
            "mention_precision": mp, "mention_recall": mr, "mention_f1": _f1(mp, mr),
            "anchor_accuracy": _ratio(self.anchors_same, self.mentions_found),
            "relations_system": self.sys_total, "relations_gold": self.gold_total,
        }  # fmt: skip


def read_timeline(path: Path) -> Timeline:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise ValueError(f"{path}: empty timeline file")
    return parse_timeline(lines[0].strip(), lines[1:])


def parse_timeline(entity: str, lines: Iterable[str]) -> Timeline:
    rows = []
    for line in lines:
        parts = [p.strip() for p in line.strip().split("\t") if p.strip()]
        if len(parts) < 3:
            continue
        rows.append(Row(int(parts[0]), normal_anchor(parts[1]), parts[2:]))
    return Timeline(entity, rows)


def normal_anchor(anchor: str) -> str:
    """``YYYY-MM-DD`` with X for what is unknown: some gold files write 2006-03 or 1968."""
    parts = anchor.split("-")
    if not parts[0].isdigit() or len(parts[0]) != 4:
        return UNKNOWN
    parts += ["XX"] * (3 - len(parts))
    return "-".join(parts[:3])


def write_timeline(timeline: Timeline) -> str:
    lines = [timeline.entity]
    for row in timeline.rows:
        lines.append("\t".join([str(row.ordinal), row.anchor, *row.mentions]))
    return "\n".join(lines) + "\n"


def relations(timeline: Timeline) -> list[Relation]:
    """The timeline as relations, without the ones implied by a chain (first mention of
    each ordinal to the next ordinal's first mention, one inclusion per anchor)."""
    seen: set[str] = set()
    groups: dict[int, list[tuple[str, str]]] = {}
    unordered: list[tuple[str, str]] = []
    for row in timeline.rows:
        mentions = [m for m in dict.fromkeys(row.mentions) if m not in seen]
        seen.update(mentions)
        target = groups.setdefault(row.ordinal, []) if row.ordinal > 0 else unordered
        target.extend((m, row.anchor) for m in mentions)
    found: list[Relation] = []
    for members in [*groups.values(), *([m] for m in unordered)]:
        for (a, _), (b, _) in pairwise(members):
            found.append((SIMULTANEOUS, a, b))
        for anchor in dict.fromkeys(anchor for _, anchor in members if anchor != UNKNOWN):
            first = next(m for m, a in members if a == anchor)
            found.append((INCLUDED, first, f"t:{anchor}"))
    ordinals = sorted(o for o, members in groups.items() if members)
    for low, high in pairwise(ordinals):
        found.append((BEFORE, groups[low][0][0], groups[high][0][0]))
    return found


class Graph:
    """Interval end-point closure of a set of relations, answered per query.

    Each node is two points (start < end); a relation adds ``<=`` or ``<`` edges between
    points. ``a <= b`` holds when b is reachable from a, ``a < b`` when some path to it
    takes a strict edge; both are found by one search per starting point, cached.
    """

    def __init__(self, found: Sequence[Relation]) -> None:
        self.nodes = {n for _, a, b in found for n in (a, b)}
        self.edges: dict[tuple[str, int], list[tuple[tuple[str, int], bool]]] = {}
        for node in self.nodes:
            self._edge((node, 0), (node, 1), strict=True)
        for kind, a, b in found:
            if kind == BEFORE:
                self._edge((a, 1), (b, 0), strict=True)
            elif kind == SIMULTANEOUS:
                for end in (0, 1):
                    self._edge((a, end), (b, end))
                    self._edge((b, end), (a, end))
            else:  # a IS_INCLUDED b
                self._edge((b, 0), (a, 0))
                self._edge((a, 1), (b, 1))
        self._cache: dict[tuple[str, int], tuple[set, set]] = {}

    def _edge(self, a: tuple[str, int], b: tuple[str, int], strict: bool = False) -> None:
        self.edges.setdefault(a, []).append((b, strict))

    def _reach(self, point: tuple[str, int]) -> tuple[set, set]:
        """(points reachable, points reachable through a strict edge) from ``point``."""
        if point not in self._cache:
            weak, strict = {point}, set()
            stack = [(point, False)]
            while stack:
                current, through = stack.pop()
                for target, is_strict in self.edges.get(current, ()):
                    now = through or is_strict
                    seen = strict if now else weak
                    if target not in seen:
                        seen.add(target)
                        stack.append((target, now))
            self._cache[point] = (weak | strict, strict)
        return self._cache[point]

    def _le(self, a: tuple[str, int], b: tuple[str, int]) -> bool:
        return b in self._reach(a)[0]

    def holds(self, relation: Relation) -> bool:
        kind, a, b = relation
        if a not in self.nodes or b not in self.nodes:
            return False
        if kind == BEFORE:
            return (b, 0) in self._reach((a, 1))[1]
        le = self._le
        same = all(le((a, e), (b, e)) and le((b, e), (a, e)) for e in (0, 1))
        if kind == SIMULTANEOUS:
            return same
        return le((b, 0), (a, 0)) and le((a, 1), (b, 1)) and not same


def reduce(found: Sequence[Relation]) -> list[Relation]:
    """Drop, in a fixed order, every relation the remaining ones imply.

    Only an inclusion in a date can be implied by the relations a timeline yields (one
    SIMULTANEOUS chain per ordinal, one BEFORE between consecutive ordinals, dates unrelated
    to each other): events of ordinals 9 and 11 inside one day put ordinal 10 inside it
    too. So only inclusions are tested, each against a graph of all the others.
    """
    kept = list(dict.fromkeys(found))
    for relation in sorted(r for r in kept if r[0] == INCLUDED):
        others = [r for r in kept if r != relation]
        if Graph(others).holds(relation):
            kept = others
    return kept


def score_timeline(system: Timeline, gold: Timeline) -> Counts:
    sys_all, gold_all = relations(system), relations(gold)
    sys_graph, gold_graph = Graph(sys_all), Graph(gold_all)
    sys_rel, gold_rel = reduce(sys_all), reduce(gold_all)
    counts = Counts(
        sys_correct=sum(gold_graph.holds(r) for r in sys_rel),
        sys_total=len(sys_rel),
        gold_correct=sum(sys_graph.holds(r) for r in gold_rel),
        gold_total=len(gold_rel),
    )
    sys_anchor = _anchors(system)
    gold_anchor = _anchors(gold)
    both = set(sys_anchor) & set(gold_anchor)
    counts.mentions_found = len(both)
    counts.mentions_sys, counts.mentions_gold = len(sys_anchor), len(gold_anchor)
    counts.anchors_same = sum(sys_anchor[m] == gold_anchor[m] for m in both)
    counts.per_timeline[gold.entity] = Counts(**{k: getattr(counts, k) for k in _SUMS}).summary()
    return counts


def _anchors(timeline: Timeline) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in timeline.rows:
        for mention in row.mentions:
            found.setdefault(mention, row.anchor)
    return found


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0
