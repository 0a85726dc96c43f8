"""What the story stage reads from a document, and its pair features."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from storytrace.model import Document, EntityMention, Sentence
from storytrace.stories import features
from storytrace.stories.features import FEATURE_NAMES, RANK_CAP, build_index, pair_features
from storytrace.stories.stage import shared_name_pairs
from storytrace.stories.text import story_text
from storytrace.text import entity_key


def test_entity_keys_unify_spelling_possessives_and_articles() -> None:
    assert entity_key("Kim Jong-un") == entity_key("Kim Jong Un") == "kim jong un"
    assert entity_key("Kim Jong Un's") == "kim jong un"
    assert entity_key("the Kremlin’s") == "kremlin"
    assert entity_key("Quillon Labs'") == entity_key("Quillon Labs") == "quillon labs"


def _doc(doc_id: str, text: str, entities: list[tuple[str, str]], published=None) -> Document:
    mentions = []
    for name, label in entities:
        start = text.index(name)
        mentions.append(EntityMention(0, start, start + len(name), name, label))
    return Document(
        id=doc_id,
        text=text,
        format="text",
        location=doc_id,
        published=published,
        sentences=[Sentence(0, 0, len(text), text)],
        entities=mentions,
    )


def test_a_short_name_counts_as_the_full_name_and_names_leave_the_plain_words() -> None:
    text = "Kim Jong Un met Putin in 2023. Kim said 23 ships would sail."
    doc = _doc("d1", text, [("Kim Jong Un", "PERSON"), ("Putin", "PERSON"), ("Kim", "PERSON")])
    doc.entities[2] = EntityMention(0, 31, 34, "Kim", "PERSON")
    found = story_text(doc)
    assert found.names["person"] == Counter({"kim_jong_un": 2, "putin": 1})
    assert "putin" not in found.plain and "ships" in found.plain
    assert found.years == {"2023"} and found.numbers == {"23"}


def _index(docs: list[Document]):
    texts = [story_text(d) for d in docs]
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(docs), 8))
    return build_index(texts, vectors, vectors, vectors)


def test_pair_features_see_shared_names_and_distant_dates() -> None:
    docs = [
        _doc("a", "Quake hits Velmora, 12 dead.", [("Velmora", "GPE")], "2025-03-01"),
        _doc("b", "Velmora quake toll rises to 12.", [("Velmora", "GPE")], "2025-03-02"),
        _doc("c", "Quake hits Ostrava, 3 dead.", [("Ostrava", "GPE")], "2025-09-01"),
    ]
    index = _index(docs)
    left, right = np.asarray([0, 0, 1]), np.asarray([1, 2, 2])
    x = pair_features(index, left, right)
    assert x.shape == (3, len(FEATURE_NAMES))
    column = {name: k for k, name in enumerate(FEATURE_NAMES)}
    assert x[0, column["places"]] > 0.99 and x[1, column["places"]] == 0
    assert x[0, column["numbers"]] == 1.0
    assert x[0, column["dates_apart"]] == 0 and x[1, column["dates_apart"]] == 1


def test_pair_features_do_not_depend_on_how_many_pairs_are_gathered_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Rows are gathered in chunks to bound memory; the chunk size must not change a value.
    docs = [
        _doc(f"d{k}", f"Quake hits Velmora, {k} dead. Rescue teams from Ostrava arrived.",
             [("Velmora", "GPE"), ("Ostrava", "GPE")], f"2025-03-0{1 + k % 9}")
        for k in range(9)
    ]  # fmt: skip
    index = _index(docs)
    left, right = np.triu_indices(len(docs), k=1)
    whole = pair_features(index, left, right)
    monkeypatch.setattr(features, "_CHUNK", 4)  # 36 pairs in 9 chunks
    assert np.array_equal(pair_features(index, left, right), whole)


def test_ranks_count_how_far_down_each_documents_own_list_the_other_is() -> None:
    from storytrace.stories.features import _mutual_rank

    # a's list: b (0.9), c (0.5), d (0.1); b, c and d each have only a: all rank a first.
    left, right = np.asarray([0, 0, 0]), np.asarray([1, 2, 3])
    assert _mutual_rank(np.asarray([0.9, 0.5, 0.1]), left, right).tolist() == [0, 0, 0]
    # Add (c, d) at 0.95: c's list is d, a; d's list is c, a. (a, c): a ranks c second and c
    # ranks a second; (a, d): a ranks d third, d ranks a second; the better rank counts.
    left, right = np.asarray([0, 0, 0, 2]), np.asarray([1, 2, 3, 3])
    ranks = _mutual_rank(np.asarray([0.9, 0.5, 0.1, 0.95]), left, right)
    assert np.allclose(np.expm1(ranks), [0, 1, 1, 0])
    # A pair far down both lists is capped: 0 and 1 each have 60 better partners.
    left = np.asarray([0] * 60 + [1] * 60 + [0])
    right = np.asarray(list(range(2, 62)) + list(range(62, 122)) + [1])
    sims = np.asarray([0.9] * 120 + [0.1])
    assert np.expm1(_mutual_rank(sims, left, right))[-1] == RANK_CAP


def test_shared_rare_names_pair_documents_but_common_names_do_not() -> None:
    docs = [
        _doc("a", "Velmora quake.", [("Velmora", "GPE")]),
        _doc("b", "In Velmora today.", [("Velmora", "GPE")]),
        _doc("c", "Nothing here.", []),
    ]
    index = build_index([story_text(d) for d in docs], np.eye(3, 8), np.eye(3, 8), np.eye(3, 8))
    query = np.ones(3, dtype=bool)
    assert shared_name_pairs(index, query) == {(0, 1)}
    assert shared_name_pairs(index, query, max_df=1) == set()


def test_a_pair_that_shares_nothing_ranks_last_even_as_the_only_candidate() -> None:
    from storytrace.stories.features import _mutual_rank

    ranks = _mutual_rank(np.asarray([0.0]), np.asarray([0]), np.asarray([1]))
    assert np.expm1(ranks).tolist() == pytest.approx([RANK_CAP])


def test_two_documents_that_share_nothing_are_not_one_event() -> None:
    from storytrace.stories.classifier import load_story_weights

    docs = [
        _doc("a", "The council voted on Tuesday to build bike lanes.", []),
        _doc("b", "Only a title here.", []),
    ]
    texts = [story_text(d) for d in docs]
    vectors = np.eye(2, 8)  # orthogonal: no embedding similarity either
    index = build_index(texts, vectors, vectors, vectors)
    weights = load_story_weights()
    x = pair_features(index, np.asarray([0]), np.asarray([1]))
    assert weights.event.probability(x)[0] < weights.event_threshold


def test_large_runs_search_neighbours_in_a_projection_and_still_find_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from storytrace.stories import stage

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(40, 128))
    vectors = centres.repeat(3, axis=0) + 0.05 * rng.normal(size=(120, 128))
    docs = [_doc(f"d{i:03d}", f"text {i}", []) for i in range(120)]
    index = build_index([story_text(d) for d in docs], vectors, vectors, vectors)
    monkeypatch.setattr(stage, "_PROJECT_ABOVE", 50)
    monkeypatch.setattr(stage, "_PROJECTED_DIMS", 16)
    found = stage.find_candidates(index, np.ones(120, dtype=bool), k=2)
    same_centre = {(i, j) for i in range(120) for j in range(i + 1, 120) if i // 3 == j // 3}
    assert same_centre <= found


def test_only_pairs_with_a_queried_document_are_candidates() -> None:
    from storytrace.stories import stage

    docs = [_doc(f"d{i}", f"Report {i} from Velmora.", [("Velmora", "GPE")]) for i in range(4)]
    texts = [story_text(d) for d in docs]
    query = np.asarray([False, False, True, False])
    index = build_index(texts, np.eye(4, 8), np.eye(4, 8), np.eye(4, 8))
    assert shared_name_pairs(index, query) == {(0, 2), (1, 2), (2, 3)}
    found = stage.candidate_array(index, query, k=1)
    codes = found[:, 0] * 4 + found[:, 1]
    assert (np.diff(codes) > 0).all() and (found[:, 0] < found[:, 1]).all()  # sorted, distinct
    assert {2} <= set(found.ravel().tolist()) and all(2 in pair for pair in found.tolist())
    assert stage.find_candidates(index, query, k=1) == {tuple(p) for p in found.tolist()}


def test_fact_features_count_shared_numbers_years_and_dates_apart() -> None:
    docs = [
        _doc("a", "In 2023, 12 ships and 40 crew left.", [], "2025-03-01"),
        _doc("b", "In 2023, 12 ships and 7 planes came.", [], "2025-03-05"),
        _doc("c", "In 2019, 12 ships.", [], "2025-03-20"),
        _doc("d", "No figures at all.", [], "not a date"),
    ]
    texts = [story_text(d) for d in docs]
    index = _index(docs)
    left, right = np.asarray([0, 0, 0, 1]), np.asarray([1, 2, 3, 3])
    x = pair_features(index, left, right)
    column = {name: k for k, name in enumerate(FEATURE_NAMES)}
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        a, b = texts[i].numbers, texts[j].numbers
        jaccard = len(a & b) / len(a | b) if a and b else 0.0
        assert x[k, column["numbers"]] == np.float32(jaccard)
    assert x[0, column["numbers"]] > 0 and x[2, column["numbers"]] == 0  # d has no numbers
    assert x[:, column["years_shared"]].tolist() == [1, 0, 0, 0]
    assert x[:, column["years_differ"]].tolist() == [0, 1, 0, 0]
    assert x[:, column["dates_apart"]].tolist() == [0, 1, 0, 0]  # 4 days; 19 days; no date


def test_tfidf_rows_are_the_same_bits_in_a_partition_as_in_the_corpus() -> None:
    docs = [
        _doc(f"d{i}", f"Ships {'and crews ' * i}left port {i} in Velmora.", [("Velmora", "GPE")])
        for i in range(6)
    ]
    texts = [story_text(d) for d in docs]
    df = {bag: features._frequencies(texts, bag) for bag in features.BAGS}
    whole, _ = features.tfidf_bags(texts, df, 6)
    part, _ = features.tfidf_bags(texts[3:], df, 6)
    for bag in features.BAGS:
        assert part[bag].shape[1] == len(df[bag])  # the corpus's columns, in term order
        assert np.array_equal(part[bag].toarray(), whole[bag][3:].toarray())
        assert part[bag].has_sorted_indices
