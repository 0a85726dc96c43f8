"""Reuse decisions without any model: candidates, links, directions, families, counts."""

from __future__ import annotations

import numpy as np
import pytest

from storytrace.ml import candidates
from storytrace.provenance import independent_origins
from storytrace.reuse.classifier import LinkRules, load_weights
from storytrace.reuse.features import DIRECTION_NAMES, FEATURE_NAMES
from storytrace.reuse.links import DocInfo, ScoredPair, decide, lowest_deciding_score

RULES = LinkRules(threshold=0.3, margin=0.1, possible=0.15)


def pair(a: str, b: str, score: float, direction: float = 0.5, **kw: float) -> list[ScoredPair]:
    """Both directions of a pair; ``direction`` = P(a derives from b)."""
    trigrams = kw.get("trigrams", 0.2)
    return [
        ScoredPair(
            a, b, score, direction, trigrams, kw.get("coverage", 0.8), int(kw.get("size_a", 10))
        ),
        ScoredPair(
            b, a, score, 1 - direction, trigrams, kw.get("back", 0.8), int(kw.get("size_b", 10))
        ),
    ]


def infos(*ids: str, **extra: DocInfo) -> dict[str, DocInfo]:
    return {i: extra.get(i, DocInfo(i)) for i in ids}


def test_star_family_rooted_at_the_origin_and_unrelated_doc_left_out() -> None:
    pairs = pair("d1", "o", 0.95, 0.9) + pair("d2", "o", 0.9, 0.8) + pair("x", "o", 0.05)
    decision = decide(pairs, infos("o", "d1", "d2", "x"), RULES)
    assert len(decision.families) == 1
    family = decision.families[0]
    assert family.root_id == "o"
    assert sorted(family.doc_ids) == ["d1", "d2", "o"]
    assert {(link.doc_id, link.origin_id) for link in decision.links} == {("d1", "o"), ("d2", "o")}


def test_combined_page_joins_two_families_without_merging_them() -> None:
    pairs = pair("c", "a", 0.9, 0.9) + pair("c", "b", 0.85, 0.9) + pair("a", "b", 0.05)
    pairs += pair("a2", "a", 0.95, 0.9)
    decision = decide(pairs, infos("a", "b", "c", "a2"), RULES)
    members = sorted(sorted(f.doc_ids) for f in decision.families)
    assert members == [["a", "a2", "c"], ["b", "c"]]
    assert {link.kind for link in decision.links if link.doc_id == "c"} == {"combined"}
    assert independent_origins(["a", "b"], decision.families) == 2
    assert independent_origins(["a", "a2"], decision.families) == 1


def test_below_threshold_best_match_is_only_possible() -> None:
    decision = decide(pair("d", "o", 0.2, 0.9), infos("d", "o"), RULES)
    assert decision.families == []
    assert [(x.doc_id, x.kind) for x in decision.possible] == [("d", "possible")]


def test_margin_keeps_only_matches_close_to_the_best() -> None:
    # p's own best match is q, so the weaker d-p pair is nobody's best: no link.
    pairs = pair("d", "o", 0.95, 0.9) + pair("d", "p", 0.5, 0.9) + pair("p", "q", 0.9, 0.9)
    decision = decide(pairs, infos("d", "o", "p", "q"), RULES)
    assert {(x.doc_id, x.origin_id) for x in decision.links} == {("d", "o"), ("p", "q")}


def test_documents_choose_sources_not_derivatives() -> None:
    # r is a long rewrite of o. s, a short report of its own, matches r best, but on the
    # evidence s is r's source, not r's copy, and r chose o: s joins no family.
    pairs = pair("r", "o", 0.95, 0.9) + pair("s", "r", 0.8, 0.2) + pair("s", "o", 0.3, 0.5)
    decision = decide(pairs, infos("o", "r", "s"), RULES)
    assert {(x.doc_id, x.origin_id) for x in decision.links} == {("r", "o")}
    assert [sorted(f.doc_ids) for f in decision.families] == [["o", "r"]]


def test_a_document_that_derives_from_its_match_still_links_to_it() -> None:
    pairs = pair("s", "r", 0.8, 0.9) + pair("r", "o", 0.95, 0.9)
    decision = decide(pairs, infos("o", "r", "s"), RULES)
    assert {(x.doc_id, x.origin_id) for x in decision.links} == {("r", "o"), ("s", "r")}


def test_dates_decide_direction_against_content() -> None:
    docs = infos("old", "new", old=DocInfo("old", "2024-01-02"), new=DocInfo("new", "2024-03-01"))
    decision = decide(pair("old", "new", 0.9, 0.9), docs, RULES)
    link = decision.links[0]
    assert (link.doc_id, link.origin_id) == ("new", "old")
    assert "published 2024-03-01" in link.reasons[0]


def test_declared_source_naming_the_other_outlet_decides_direction() -> None:
    docs = infos(
        "farm", "paper",
        farm=DocInfo("farm", declared_source="Harbor Daily News"),
        paper=DocInfo("paper", outlet_names=["Harbor Daily News"]),
    )  # fmt: skip
    link = decide(pair("paper", "farm", 0.9, 0.8), docs, RULES).links[0]
    assert (link.doc_id, link.origin_id) == ("farm", "paper")


def test_root_declaring_an_outside_source_makes_it_the_external_origin() -> None:
    docs = infos("a", "b", a=DocInfo("a", declared_source="Radio Free Europe"))
    family = decide(pair("b", "a", 0.9, 0.9), docs, RULES).families[0]
    assert family.root_id == "a"
    assert family.external_origin == "Radio Free Europe"


def test_derivative_naming_its_origins_outlet_is_not_external() -> None:
    docs = infos("a", "b", b=DocInfo("b", declared_source="Harbor Daily News"))
    family = decide(pair("b", "a", 0.9, 0.9), docs, RULES).families[0]
    assert family.external_origin is None


def test_copy_and_duplicate_kinds_from_shared_wording() -> None:
    copy = decide(pair("c", "o", 0.99, 0.9, trigrams=0.7), infos("c", "o"), RULES).links[0]
    assert copy.kind == "copy"
    same = decide(pair("c", "o", 0.99, 0.9, trigrams=0.99), infos("c", "o"), RULES).links[0]
    assert same.kind == "duplicate"


def test_summary_kind_when_short_and_covering_little_of_the_origin() -> None:
    pairs = pair("s", "o", 0.9, 0.9, size_a=4, size_b=20, back=0.2)
    assert decide(pairs, infos("s", "o"), RULES).links[0].kind == "summary"


def test_weak_content_direction_falls_back_to_less_furniture() -> None:
    docs = infos("p", "q", p=DocInfo("p", furniture=9), q=DocInfo("q", furniture=0))
    link = decide(pair("p", "q", 0.9, 0.52, trigrams=0.95), docs, RULES).links[0]
    assert (link.doc_id, link.origin_id) == ("p", "q")
    assert "less page furniture" in link.reasons[0]


@pytest.mark.parametrize("rules", [RULES, LinkRules(0.4, 0.2, 0.1), LinkRules(0.2, 0.0, 0.05)])
def test_pairs_below_the_lowest_deciding_score_change_no_decision(rules: LinkRules) -> None:
    # The reuse stage reads only pairs at or above it (most pairs of a large store are not).
    rng = np.random.default_rng(11)
    docs = [f"d{i:02d}" for i in range(30)]
    dates = {d: f"2024-01-{rng.integers(1, 4):02d}" for d in docs[::3]}
    pairs = []
    for a, b in sorted({tuple(sorted(rng.choice(docs, 2, replace=False))) for _ in range(120)}):
        score = float(rng.choice([rng.random() * 0.3, rng.random()]))  # many low scores
        pairs += pair(str(a), str(b), score, float(rng.random()), trigrams=float(rng.random()))
    infos_ = {d: DocInfo(d, published=dates.get(d)) for d in docs}
    floor = lowest_deciding_score(rules)
    kept = [p for p in pairs if p.score >= floor]
    assert len(kept) < len(pairs) and any(
        p.score >= floor for p in pairs
    )  # the filter drops some pairs and keeps some
    every, read = decide(pairs, infos_, rules), decide(kept, infos_, rules)
    assert every.links and every.possible  # decisions of both kinds are compared
    assert read.links == every.links and read.possible == every.possible
    assert read.families == every.families


def test_lsh_pairs_find_identical_signatures_and_respect_the_query_mask() -> None:
    sigs = candidates.signatures([["a b", "b c", "c d"], ["a b", "b c", "c d"], ["x y", "y z"]])
    assert candidates.lsh_pairs(sigs, np.array([True, True, True])) == {(0, 1)}
    assert candidates.lsh_pairs(sigs, np.array([False, False, True])) == set()


def _brute_force_buckets(sigs: np.ndarray) -> list[list[int]]:
    """Rows of every band bucket within the size cap, one dict per band."""
    rows = candidates.NUM_PERM // candidates.BANDS
    found = []
    for band in range(candidates.BANDS):
        buckets: dict[bytes, list[int]] = {}
        for i, sig in enumerate(sigs[:, band * rows : (band + 1) * rows]):
            buckets.setdefault(sig.tobytes(), []).append(i)
        found += [m for m in buckets.values() if 2 <= len(m) <= candidates.MAX_BUCKET]
    return found


def test_lsh_banding_equals_a_brute_force_bucket_check() -> None:
    # Small value ranges make buckets of many sizes, some over the cap.
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 3, size=(120, candidates.NUM_PERM), dtype=np.uint32)
    sigs[:60, :64] = 7  # agree on half the positions: passes the Jaccard floor
    query = rng.random(120) < 0.5
    expected = set()
    for members in _brute_force_buckets(sigs):
        expected |= {(i, j) for i in members for j in members if i < j and (query[i] or query[j])}
    expected = {
        (i, j) for i, j in expected if (sigs[i] == sigs[j]).mean() >= candidates.MIN_JACCARD
    }
    assert expected  # the check means something
    assert candidates.lsh_pairs(sigs, query) == expected
    array = candidates.lsh_pair_array(sigs, query)
    assert array.shape == (len(expected), 2) and (array[:, 0] < array[:, 1]).all()


def test_lsh_counts_shared_buckets_across_compactions(monkeypatch: pytest.MonkeyPatch) -> None:
    # Batch mode keeps pairs seen in two buckets or more; the tally must survive the
    # compactions that bound memory (forced here after every few dozen codes).
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 4, size=(80, candidates.NUM_PERM), dtype=np.uint32)
    sigs[:30, :50] = 9
    sigs[40:] = rng.integers(10, 2**31, size=(40, candidates.NUM_PERM), dtype=np.uint32)
    sigs[41, ::2] = sigs[40, ::2]  # agree on half the positions, one per band...
    sigs[41, 1] = sigs[40, 1]  # ...and on the whole of band 0: one shared bucket
    everyone = np.ones(80, dtype=bool)
    shared: dict[tuple[int, int], int] = {}
    for members in _brute_force_buckets(sigs):
        for pair in ((i, j) for i in members for j in members if i < j):
            shared[pair] = shared.get(pair, 0) + 1
    expected = {
        pair for pair, times in shared.items()
        if times >= 2 and (sigs[pair[0]] == sigs[pair[1]]).mean() >= 0.3
    }  # fmt: skip
    assert expected and len(expected) < sum(
        (sigs[i] == sigs[j]).mean() >= 0.3 for i, j in shared
    )  # some agreeing pairs share one bucket only: the rule is tested
    monkeypatch.setattr(candidates, "_COMPACT_AT", 40)
    found = candidates.lsh_pair_array(sigs, everyone, floor=0.3, min_bands=2)
    assert {(int(i), int(j)) for i, j in found} == expected


def test_neighbour_pairs_link_each_query_to_its_nearest() -> None:
    vectors = np.eye(4, dtype=np.float32)
    vectors[1] = [0.9, 0.1, 0, 0]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    pairs = candidates.neighbour_pairs(vectors, np.array([True, False, False, False]), k=1)
    assert pairs == {(0, 1)}


def test_shipped_weights_match_the_feature_names() -> None:
    weights = load_weights()
    assert weights.family.names == FEATURE_NAMES
    assert weights.direction.names == DIRECTION_NAMES
    p = weights.family.probability(np.zeros(len(FEATURE_NAMES)))
    assert 0.0 < float(p) < 1.0
