"""Claims inside events: the sentences of one event that state the same proposition.

The event clusters (``cluster.py``) hold sentences *about* one event; a reader needs to know
which pages *state* a given thing. Inside each event, every pair of sentences from two
documents that is close enough to matter is read by the claim-pair model
(``storytrace.ml.pairs``), both ways:

- **equivalent** (paraphrase, or each entails the other): the same claim; sentences are
  grouped by average link over that score, so a chain of near-paraphrases cannot glue two
  different claims together;
- **entails** (the sentence states the claim and more): it supports the claim;
- **partial** (the claim states the sentence and more: a part of a compound claim) and
  **contradicts**: quoted with the claim, never counted as support;
- a **conflict** (the same fact with another number, date or name, read by
  ``conflicts.claim_facts``) is never merged or counted, whatever the model says (the
  disagreement is reported by ``conflicts.find_disagreements``); a model contradiction is
  reported as a disagreement too, both sentences quoted.

Near-identical sentences (copies) are equivalent without asking the model, and pairs from
one document or with a low sentence-vector cosine are not read (they cannot change a count).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from storytrace.claims.conflicts import ClaimFacts, conflicts
from storytrace.ml.cluster import average_link
from storytrace.ml.pairs import PairScores, Thresholds
from storytrace.model import Disagreement
from storytrace.text import (
    POSSESSIVE,
    content_terms,
    jaccard,
    numbers_in_digits,
    specific_tokens,
    words,
)

# Pairs of one event below this cosine are "related" without being read: a sentence that
# states another's claim in other words still shares much of its meaning. The model's cost
# decides the value (it reads about 70 pairs a second on 2 cores): on the ecbplus-dev sample
# of benchmarks/citations.py, of the 84 pairs read at 0.45 that the model found equivalent,
# entailing or contradicting, 3 had a cosine below 0.65 (a claim can only be undercounted).
READ_COSINE = 0.65
# Below this cosine the model found no contradiction on that sample (all 13 were at 0.76
# or more): pairs where neither sentence says every detail of the other are read only above
# it, for the contradictions they may hold.
CONTRADICTION_COSINE = 0.75
COPY_JACCARD = 0.8  # content-word Jaccard at which two sentences are one claim, unread
SAME = 0.8  # average equivalence at which two groups of sentences are one claim
# A sentence states a claim and more when the model reads that it entails the claim this
# surely (on the judged citations of docs/benchmarks.md, 0.5 cites too many pages that
# state a part only).
ENTAILS = 0.7
# A sentence states a claim only if it also repeats this share of the claim's content
# words: the model alone reads some sentences with a few shared words as paraphrases ("North
# Korea is interested in Russian food aid" for "North Korea hopes to get humanitarian aid to
# help with its food shortages"). On the judged citations of the code before this change,
# it took the precision of the pairs the model calls equivalent from 0.85 to 0.97 and kept
# 37 of their 39 supporting pairs (docs/benchmarks.md, issue 20).
COVER = 0.6

Scorer = Callable[[Sequence[tuple[str, str]]], list[PairScores]]


@dataclass(slots=True)
class Proposition:
    """One claim: sentence indices that state it, and those related to it otherwise."""

    label: int  # the member that represents it
    states: list[int]  # equivalent to the label (the label included)
    entails: list[int] = field(default_factory=list)  # state it, and more
    partial: list[int] = field(default_factory=list)  # state a part of it
    contradicts: list[int] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)  # same fact, another value

    @property
    def supporting(self) -> list[int]:
        return self.states + self.entails


@dataclass(slots=True)
class PairReading:
    """What is known of one pair (i < j)."""

    cosine: float
    scores: PairScores | None = None  # None: not read by the model
    copy: bool = False
    conflict: bool = False

    def equivalence(self) -> float:
        return self._read(lambda s: 0.0)

    def states(self, first: bool) -> float:
        """How surely the first (``first``) or second sentence of the pair states the
        other: copies and equivalents do; otherwise the model's entailment that way."""
        return self._read(lambda s: s.entails if first else s.entailed_by)

    def _read(self, direction: Callable[[PairScores], float]) -> float:
        if self.conflict or (self.scores is None and not self.copy):
            return 0.0
        if self.scores is None:
            return 1.0  # a copy
        s = self.scores
        # The paraphrase head alone (MSRP) calls loosely related news sentences paraphrases;
        # with the similarity head it is strict (docs/benchmarks.md, issue 20).
        return max(min(s.paraphrase, s.similarity), min(s.entails, s.entailed_by), direction(s))


def read_pairs(
    texts: Sequence[str],
    docs: Sequence[str],
    events: Sequence[int],
    vectors: np.ndarray,
    facts: Sequence[ClaimFacts],
    scorer: Scorer,
) -> dict[tuple[int, int], PairReading]:
    """Every pair (i < j) of one event from two documents above READ_COSINE that could
    make a page count for a claim (one sentence says every detail of the other) or that
    gives one fact two values (a disagreement, if the model finds them close), or above
    CONTRADICTION_COSINE, read. The pairs skipped can only be related or state part of
    each other: they never change a count."""
    terms = [content_terms(words(t)) for t in texts]
    known = [details(t) for t in texts]
    readings: dict[tuple[int, int], PairReading] = {}
    for members in _by_event(events).values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if docs[i] == docs[j]:
                    continue
                cosine = float(vectors[i] @ vectors[j])
                if cosine < READ_COSINE:
                    continue
                conflict = bool(conflicts(facts[i], facts[j]))  # read: a disagreement?
                nested = known[i].within(known[j]) or known[j].within(known[i])
                if not (nested or conflict) and cosine < CONTRADICTION_COSINE:
                    continue
                reading = PairReading(cosine, conflict=conflict)
                reading.copy = not reading.conflict and jaccard(terms[i], terms[j]) >= COPY_JACCARD
                readings[(min(i, j), max(i, j))] = reading
    unread = [pair for pair, r in readings.items() if not r.copy]
    for pair, scores in zip(unread, scorer([(texts[i], texts[j]) for i, j in unread]), strict=True):
        readings[pair].scores = scores
    return readings


def propositions(
    events: Sequence[int],
    readings: dict[tuple[int, int], PairReading],
    thresholds: Thresholds,
    score: Sequence[float],
    texts: Sequence[str],
) -> list[Proposition]:
    """The claims of a story's sentences: grouped within their event by equivalence, each
    with the sentences that entail, partly state, contradict or conflict with it.

    A group of equivalent sentences is one claim only as far as its sentences share their
    details (names, numbers, dates: :func:`details`): "a 6.8 quake hit on Thursday" and "a
    6.8 quake hit" are near paraphrases, but a page saying the second does not state the
    first. Each group is split into claims labelled by the sentence whose details most of
    the others contain; a sentence that lacks some of a claim's details states only part
    of it."""
    n = len(events)
    pairs = ((i, j, r.equivalence()) for (i, j), r in readings.items() if events[i] == events[j])
    labels = average_link(n, pairs, SAME)
    groups: dict[int, list[int]] = defaultdict(list)
    for k, label in enumerate(labels):
        groups[label].append(k)
    known = [details(t) for t in texts]
    by_event = _by_event(events)
    found = []
    for members in groups.values():
        for claim in _split(sorted(members), readings, score, known):
            found.append(_relate(claim, events, by_event, readings, thresholds, known))
    return sorted(found, key=lambda p: p.label)


@dataclass(frozen=True, slots=True)
class Details:
    """What another sentence must also say to state this one: its names, numbers and
    dates (capitalised words after the first, and numbers, also written as words), and
    most of its content words; and what it says itself (every word, so a name that opens
    a sentence still counts as said)."""

    needed: frozenset[str]
    terms: frozenset[str]
    said: frozenset[str]

    def within(self, other: Details) -> bool:
        if not self.needed <= other.said:
            return False
        return not self.terms or len(self.terms & other.said) >= COVER * len(self.terms)


def details(text: str) -> Details:
    text = numbers_in_digits(text)  # "two cables" needs "2" or "two"; "three" is neither
    needed = frozenset(POSSESSIVE.sub("", t) for t in specific_tokens(text))
    tokens = [POSSESSIVE.sub("", w) for w in words(text)]
    return Details(needed, content_terms(tokens), frozenset(tokens) | needed)


def _split(
    members: list[int],
    readings: dict[tuple[int, int], PairReading],
    score: Sequence[float],
    known: Sequence[Details],
) -> list[Proposition]:
    found = []
    remaining = members
    while remaining:
        label = max(
            remaining,
            key=lambda k: (
                sum(known[k].within(known[o]) for o in remaining),
                _core(k, remaining, readings),
                score[k],
                -k,
            ),
        )
        states = [o for o in remaining if known[label].within(known[o])]
        found.append(Proposition(label, states))
        remaining = [o for o in remaining if o not in states]
    return found


def _core(k: int, members: list[int], readings: dict[tuple[int, int], PairReading]) -> float:
    """How surely the other members state sentence ``k``: the claim is labelled (and quoted)
    by the sentence the others state best, so that each page cited for it states all of it
    (a label with a detail the others lack would make them partial support)."""
    others = [o for o in members if o != k]
    if not others:
        return 0.0
    total = 0.0
    for o in others:
        reading = readings.get((min(k, o), max(k, o)))
        total += reading.states(first=o < k) if reading else 0.0
    return total / len(others)


def _by_event(events: Sequence[int]) -> dict[int, list[int]]:
    """Sentence indices of each event, in order."""
    found: dict[int, list[int]] = defaultdict(list)
    for k, event in enumerate(events):
        found[event].append(k)
    return found


def _relate(
    claim: Proposition,
    events: Sequence[int],
    event_members: dict[int, list[int]],
    readings: dict[tuple[int, int], PairReading],
    thresholds: Thresholds,
    known: Sequence[Details],
) -> Proposition:
    """Sentences of the claim's event outside it, by how they read against its label."""
    inside = set(claim.states)
    label = claim.label
    for k in event_members[events[label]]:
        if k in inside:
            continue
        reading = readings.get((min(k, label), max(k, label)))
        if reading is None:
            continue
        if reading.conflict:
            claim.conflicts.append(k)
            continue
        complete = known[label].within(known[k])  # k says every name, number and date of it
        if reading.copy:
            (claim.entails if complete else claim.partial).append(k)
            continue
        if reading.scores is None:
            continue
        s = reading.scores
        # Scores are of (first, second) = (smaller index, larger index).
        k_states_label = s.entails if k < label else s.entailed_by
        label_states_k = s.entailed_by if k < label else s.entails
        close = reading.equivalence() >= SAME
        if s.contradicts >= thresholds.contradicts:
            claim.contradicts.append(k)
        elif complete and (close or k_states_label >= max(ENTAILS, thresholds.entails)):
            claim.entails.append(k)
        elif close or label_states_k >= thresholds.entails or k_states_label >= ENTAILS:
            claim.partial.append(k)
    return claim


def contradictions(
    story_id: str,
    facts: Sequence[ClaimFacts],
    readings: dict[tuple[int, int], PairReading],
    thresholds: Thresholds,
) -> list[Disagreement]:
    """Pairs where the model reads one sentence denying the other, each with both
    sentences (disagreements over values are ``conflicts.find_disagreements``)."""
    found = []
    for (i, j), reading in sorted(readings.items()):
        s = reading.scores
        if s is not None and not reading.conflict and s.contradicts >= thresholds.contradicts:
            found.append(Disagreement(story_id, "contradiction", facts[i].ref, facts[j].ref,
                                      "", "", round(s.similarity, 4)))  # fmt: skip
    return found
