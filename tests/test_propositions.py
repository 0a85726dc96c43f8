"""Claims inside events: which pages state a claim, and which only touch on it.

The claim-pair model is replaced by a table of scores here, so each rule is tested on its
own; tests/test_compare.py runs the shipped model.
"""

from __future__ import annotations

import numpy as np

from storytrace.claims import stage as claim_stage
from storytrace.claims.conflicts import claim_facts, conflicts
from storytrace.claims.propositions import contradictions, details, propositions, read_pairs
from storytrace.ml.pairs import PairScores, Thresholds
from storytrace.model import Claim, ClaimRef, Family, FamilyMember

TEXTS = [
    "The quake killed 23 people.",  # a
    "23 people died in the quake.",  # b: says the same
    "The quake killed 23 people and destroyed 40 homes.",  # c: says it, and more
    "The quake killed 25 people.",  # d: another number
    "Nobody was killed by the quake.",  # e: denies it
    "The quake killed 23 people.",  # f: a copy of a (one family)
]
DOCS = ["a", "b", "c", "d", "e", "f"]
SAME = PairScores(0.95, 0.95, 0.01, 0.9, 0.9)
MORE = PairScores(0.95, 0.2, 0.01, 0.3, 0.8)  # first entails second, not back
DENY = PairScores(0.01, 0.01, 0.97, 0.02, 0.5)
OTHER = PairScores(0.1, 0.1, 0.05, 0.1, 0.75)


def scores_of(a: str, b: str) -> PairScores:
    key = {TEXTS.index(a), TEXTS.index(b)}
    if 4 in key:
        return DENY
    if key == {0, 1}:
        return SAME
    if 2 in key:  # c states a's claim and more
        return MORE if TEXTS.index(a) == 2 else PairScores(0.2, 0.95, 0.01, 0.3, 0.8)
    return OTHER


def scorer(pairs):
    return [scores_of(a, b) for a, b in pairs]


def read(events: list[int]):
    vectors = np.ones((len(TEXTS), 4), dtype=np.float32) / 2  # cosine 1: every pair is read
    facts = [claim_facts(ClaimRef(d, 0, t)) for d, t in zip(DOCS, TEXTS, strict=True)]
    return read_pairs(TEXTS, DOCS, events, vectors, facts, scorer), facts


def test_only_sentences_that_state_the_claim_support_it() -> None:
    events = [0] * len(TEXTS)
    readings, _ = read(events)
    assert readings[(0, 5)].copy and readings[(0, 5)].scores is None  # a copy: not read
    assert readings[(0, 3)].conflict  # 23 vs 25 people
    found = propositions(events, readings, Thresholds(), [1.0] * len(TEXTS), TEXTS)
    claim = next(p for p in found if 0 in p.states)
    assert sorted(claim.states) == [0, 1, 5]
    assert claim.entails == [2]  # states it and more: supports it
    assert claim.conflicts == [3] and claim.contradicts == [4]  # never support
    assert sorted(claim.supporting) == [0, 1, 2, 5]
    partial = next(p for p in found if p.label == 2)
    assert partial.partial == [0, 1, 5]  # each states a part of what c states


def test_sentences_of_different_events_are_never_one_claim() -> None:
    events = [0, 1, 0, 0, 0, 0]  # b reports another event
    readings, _ = read(events)
    found = propositions(events, readings, Thresholds(), [1.0] * len(TEXTS), TEXTS)
    claim = next(p for p in found if 0 in p.states)
    assert 1 not in claim.states + claim.entails


def test_denials_are_disagreements_with_both_sentences() -> None:
    events = [0] * len(TEXTS)
    readings, facts = read(events)
    found = contradictions("s1", facts, readings, Thresholds())
    pairs = {(d.first.doc_id, d.second.doc_id) for d in found}
    assert pairs == {("a", "e"), ("b", "e"), ("c", "e"), ("d", "e"), ("e", "f")}
    assert all(d.kind == "contradiction" and d.first.text and d.second.text for d in found)
    assert ("a", "d") not in pairs  # another number: conflicts.find_disagreements reports it


def test_counts_come_from_the_pages_that_state_the_claim() -> None:
    events = [0] * len(TEXTS)
    readings, _ = read(events)
    claim = next(
        p for p in propositions(events, readings, Thresholds(), [1.0] * 6, TEXTS) if 0 in p.states
    )
    claims = [Claim(d, 0, t, 0.9) for d, t in zip(DOCS, TEXTS, strict=True)]
    copies = [Family("f1", "a", [FamilyMember("a", "origin"), FamilyMember("f", "derivative")],
                     0.9)]  # fmt: skip
    cluster = claim_stage._cluster("s1", claims, claim, events, copies, {})
    assert cluster.documents == 4  # a, b, c, f: not d (25 people) nor e (denies it)
    assert cluster.origins == 3  # f copies a
    relation = {m.doc_id: m.relation for m in cluster.members}
    assert relation == {"a": "states", "b": "states", "f": "states", "c": "entails",
                        "d": "conflicts", "e": "contradicts"}  # fmt: skip
    assert {m.doc_id for m in cluster.supporting} == {"a", "b", "c", "f"}


def test_a_page_lacking_a_detail_of_the_claim_states_only_part_of_it() -> None:
    texts = ["A 6.8 quake hit Velmora on Thursday.", "A 6.8 quake killing 12 struck Velmora.",
             "Velmora was hit by a 6.8 quake."]  # fmt: skip
    docs = ["a", "b", "c"]
    vectors = np.ones((3, 4), dtype=np.float32) / 2
    facts = [claim_facts(ClaimRef(d, 0, t)) for d, t in zip(docs, texts, strict=True)]
    readings = read_pairs(texts, docs, [0, 0, 0], vectors, facts, lambda p: [SAME] * len(p))
    (claim,) = propositions([0, 0, 0], readings, Thresholds(), [1.0] * 3, texts)
    # Each page says the quake; a adds Thursday, b adds 12 dead: the claim all three
    # state is the one without either, quoted from c.
    assert claim.label == 2 and sorted(claim.states) == [0, 1, 2]
    texts[2] = "A 6.8 quake hit Velmora on Thursday, killing 12."
    facts = [claim_facts(ClaimRef(d, 0, t)) for d, t in zip(docs, texts, strict=True)]
    readings = read_pairs(texts, docs, [0, 0, 0], vectors, facts, lambda p: [SAME] * len(p))
    found = propositions([0, 0, 0], readings, Thresholds(), [1.0] * 3, texts)
    # a and b each lack a detail of the other: two claims; c states both.
    thursday, twelve = sorted(found, key=lambda p: p.label)
    assert (thursday.label, thursday.states, thursday.partial) == (0, [0, 2], [1])
    assert (twelve.label, twelve.states, twelve.entails, twelve.partial) == (1, [1], [2], [0])


def test_numbers_in_words_are_details_and_can_conflict() -> None:
    two, three = "Two undersea cables were cut near Sicily.", "Three undersea cables were cut."
    assert not details(two).within(details(three))
    assert details("2 undersea cables were cut.").within(details(two))
    found = conflicts(claim_facts(ClaimRef("a", 0, two)), claim_facts(ClaimRef("b", 0, three)))
    assert [kind for kind, *_ in found] == ["number"]
