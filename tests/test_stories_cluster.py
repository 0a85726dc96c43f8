"""Average-link clustering over sparse pairs, and the story/topic assignment around it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from storytrace.ml.cluster import (
    average_link,
    average_link_components,
    components,
    threshold_components,
)
from storytrace.model import Family, FamilyMember
from storytrace.stories.assign import ScoredPairs, group


def _partition(labels) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    return sorted(groups.values())


@pytest.mark.parametrize("seed", range(8))
def test_with_every_pair_it_is_scipy_average_linkage(seed: int) -> None:
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(30, 4))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    sim = np.clip(points @ points.T, 0, 1)
    pairs = [(i, j, sim[i, j]) for i in range(30) for j in range(i + 1, 30)]
    distance = 1 - sim
    np.fill_diagonal(distance, 0)
    expected = fcluster(linkage(squareform(distance, checks=False), "average"), 0.65, "distance")
    assert _partition(average_link(30, pairs, 0.35)) == _partition(expected)


def test_one_strong_bridge_does_not_chain_two_groups() -> None:
    # Two tight triangles joined by one 0.85 pair: unscored pairs count as 0, so the mean
    # between the groups is 0.85 / 9, far below the threshold (averaging only the scored
    # pairs between them would give 0.85 and chain them).
    pairs = [(0, 1, 0.9), (0, 2, 0.9), (1, 2, 0.9), (3, 4, 0.9), (3, 5, 0.9), (4, 5, 0.9)]
    pairs.append((2, 3, 0.85))
    assert _partition(average_link(6, pairs, 0.5)) == [[0, 1, 2], [3, 4, 5]]


def test_initial_clusters_are_kept_and_labels_do_not_depend_on_pair_order() -> None:
    pairs = [(0, 1, 0.1), (2, 3, 0.8), (1, 4, 0.7)]
    labels = average_link(5, pairs, 0.5, initial=[[0, 1]])
    assert _partition(labels) == [[0, 1], [2, 3], [4]]  # (1,4) is 0.7 / 2 against {0,1}
    assert labels == average_link(5, list(reversed(pairs)), 0.5, initial=[[1, 0]])


def _sparse_graph(seed: int, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense groups, weak and strong pairs between them, similarities rounded so that ties
    between pairs are common."""
    rng = np.random.default_rng(seed)
    group_of = rng.integers(0, 15, n)
    left, right = np.triu_indices(n, 1)
    same = group_of[left] == group_of[right]
    chance = np.where(same, 0.7, 0.003)
    keep = rng.random(len(left)) < chance
    left, right = left[keep], right[keep]
    sim = np.where(same[keep], rng.uniform(0.3, 1.0, keep.sum()), rng.uniform(0, 0.7, keep.sum()))
    order = rng.permutation(len(left))
    return left[order], right[order], np.round(sim[order], 1)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_component_by_component_it_gives_the_clusters_of_the_whole_graph(
    seed: int, threshold: float
) -> None:
    left, right, sim = _sparse_graph(seed)
    n = 120
    whole = average_link(
        n, zip(left.tolist(), right.tolist(), sim.tolist(), strict=True), threshold
    )
    component = threshold_components(n, left, right, sim, threshold)
    inside = component[left] == component[right]
    cluster = average_link_components(
        left[inside], right[inside], sim[inside], threshold, component[left[inside]]
    )
    labels = [cluster.get(row, row) for row in range(n)]
    assert _partition(labels) == _partition(whole)
    assert all(labels[row] == min(g) for g in _partition(labels) for row in g)
    pieces = len(set(component.tolist()))
    # Not trivial: several clusters, and (above the lowest threshold) several components.
    assert pieces < n and len(_partition(whole)) > 5 and (threshold < 0.5 or pieces > 1)


def test_components_number_rows_by_their_first_row() -> None:
    edges = np.array([[3, 1], [4, 5], [5, 6]])
    assert components(7, edges).tolist() == [0, 1, 2, 1, 4, 4, 4]
    assert components(0, np.zeros((0, 2), dtype=np.int64)).tolist() == []
    assert components(3, np.zeros((0, 2), dtype=np.int64)).tolist() == [0, 1, 2]


def _scored(ids: list[str], edges: list[tuple[int, int, float, float]]) -> ScoredPairs:
    return ScoredPairs(
        ids,
        np.asarray([e[0] for e in edges]),
        np.asarray([e[1] for e in edges]),
        np.asarray([e[2] for e in edges]),
        np.asarray([e[3] for e in edges]),
    )


def test_new_documents_join_a_story_and_two_stories_merge_when_evidence_links_them() -> None:
    ids = ["a", "b", "c", "d", "e"]
    first = group(_scored(ids[:4], [(0, 1, 0.9, 0.9), (2, 3, 0.9, 0.9)]), 0.5, 0.5)
    ab, cd = first.story_of["a"], first.story_of["c"]
    assert ab != cd and first.story_of["b"] == ab
    assert sorted(c.kind for c in first.changes) == ["new", "new"]
    # e reports the same event as all four; the pairs between the stories now hold too.
    edges = [(0, 1, 0.9, 0.9), (2, 3, 0.9, 0.9), (0, 2, 0.8, 0.9), (1, 3, 0.8, 0.9)]
    edges += [(0, 3, 0.7, 0.9), (1, 2, 0.7, 0.9)] + [(k, 4, 0.9, 0.9) for k in range(4)]
    second = group(_scored(ids, edges), 0.5, 0.5, first.story_of, first.topic_of)
    assert len(set(second.story_of.values())) == 1
    (merge,) = [c for c in second.changes if c.kind == "merge"]
    assert merge.story_id == min(ab, cd) and merge.others == [max(ab, cd)]
    assert second.story_of["e"] == merge.story_id


def test_a_story_splits_when_its_documents_no_longer_hold_together() -> None:
    ids = ["a", "b", "c", "d", "e"]
    previous = dict.fromkeys(ids[:4], "s1")
    # e resembles all four and joins s1; clustered again, s1's documents form two groups.
    edges = [(0, 1, 0.9, 0.9), (2, 3, 0.9, 0.9)] + [(k, 4, 0.9, 0.9) for k in range(4)]
    result = group(_scored(ids, edges), 0.5, 0.5, previous, {"s1": "t1"})
    (split,) = [c for c in result.changes if c.kind == "split"]
    assert split.story_id == "s1" and len(split.others) == 1
    assert result.story_of["a"] == result.story_of["b"] == result.story_of["e"] == "s1"
    assert result.story_of["c"] == result.story_of["d"] == split.others[0]


def test_derivatives_join_their_origins_story_and_topics_keep_their_ids() -> None:
    ids = ["orig", "other", "rewrite"]
    scored = _scored(ids, [(0, 1, 0.9, 0.9), (1, 2, 0.1, 0.9)])
    family = Family(
        "f1", "orig", [FamilyMember("orig", "origin"), FamilyMember("rewrite", "derivative")], 0.9
    )
    first = group(scored, 0.5, 0.5, families=[family])
    assert first.story_of["rewrite"] == first.story_of["orig"]
    again = group(scored, 0.5, 0.5, first.story_of, first.topic_of, [family])
    assert again.topic_of == first.topic_of and again.story_of == first.story_of
    assert not again.changes
