"""Average-link agglomerative clustering over a sparse similarity graph.

Two clusters merge while the mean similarity over *all* pairs of their members reaches the
threshold; pairs that were never scored count as similarity 0. That is plain average-link
(UPGMA) when every pair is scored, and a conservative version of it when only candidate
pairs are: one strong bridge between two stories cannot chain them together, because the
unscored pairs pull the mean down.

Why not a library: scipy's and fastcluster's average linkage need the dense n x n distance
matrix (40 GB at 100k documents); scikit-learn's connectivity-constrained variant averages
only the pairs that are connected, which is exactly the chaining this avoids. Clustering can
also start from given clusters (the stories already stored), which is what makes adding
documents incremental: old stories keep their members and new documents join or merge them
under the same rule a one-shot run uses.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np


def average_link(
    n: int,
    pairs: Iterable[tuple[int, int, float]],
    threshold: float,
    initial: Sequence[Sequence[int]] = (),
) -> list[int]:
    """Cluster label (0..k-1) of each item 0..n-1.

    ``pairs`` are (i, j, similarity) with similarity in [0, 1]; a pair given twice counts
    once (the last value wins). ``initial`` clusters start merged; items not in any start
    alone. Labels are numbered in order of each cluster's smallest item, so the result does
    not depend on the order pairs arrive in.
    """
    owner = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for group in initial:
        group = sorted(set(group))
        if not group:
            continue
        head = group[0]
        for item in group[1:]:
            members.pop(item, None)
            owner[item] = head
        members[head] = group
    sums: dict[int, dict[int, float]] = defaultdict(dict)
    seen: dict[tuple[int, int], float] = {}
    for i, j, s in pairs:
        if i != j:
            seen[(i, j) if i < j else (j, i)] = float(s)
    for (i, j), s in seen.items():
        a, b = owner[i], owner[j]
        if a != b:
            sums[a][b] = sums[a].get(b, 0.0) + s
            sums[b][a] = sums[b].get(a, 0.0) + s
    heap = [
        (-_mean(total, members, a, b), a, b)
        for a, row in sums.items()
        for b, total in row.items()
        if a < b
    ]
    heapq.heapify(heap)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if -neg < threshold:
            break
        if a not in members or b not in members:
            continue  # one side was merged away since this entry was pushed
        current = _mean(sums[a].get(b, 0.0), members, a, b)
        if abs(current + neg) > 1e-12:
            continue  # stale: the pair's mean changed after a merge
        _merge(a, b, members, sums, heap)
    return _labels(n, members)


def _mean(total: float, members: dict[int, list[int]], a: int, b: int) -> float:
    return total / (len(members[a]) * len(members[b]))


def _merge(
    a: int,
    b: int,
    members: dict[int, list[int]],
    sums: dict[int, dict[int, float]],
    heap: list[tuple[float, int, int]],
) -> None:
    """Merge b into a and push the new means of a with each of its neighbours."""
    keep, gone = (a, b) if a < b else (b, a)
    members[keep] = members[keep] + members.pop(gone)
    row = sums.pop(gone, {})
    row.pop(keep, None)
    sums[keep].pop(gone, None)
    for other, total in row.items():
        sums[other].pop(gone, None)
        sums[keep][other] = sums[keep].get(other, 0.0) + total
        sums[other][keep] = sums[keep][other]
    for other, total in sums[keep].items():
        x, y = (keep, other) if keep < other else (other, keep)
        heapq.heappush(heap, (-_mean(total, members, keep, other), x, y))


def _labels(n: int, members: dict[int, list[int]]) -> list[int]:
    labels = [0] * n
    for label, head in enumerate(sorted(members, key=lambda h: min(members[h]))):
        for item in members[head]:
            labels[item] = label
    return labels


# -- the same clustering, one connected component at a time --------------------------------
# Two clusters merge only when the mean over their pairs reaches the threshold, so at least
# one pair between them does: every cluster lies inside one connected component of the
# pairs at or above the threshold. Clustering each such component on its own, with every
# pair inside it (below the threshold too), gives the clusters of the whole graph: what
# happens in one component never changes a mean in another. Components are found in arrays
# (scipy), so only one component's pairs are ever Python objects, and components can be
# clustered on different machines.


def components(n: int, edges: np.ndarray) -> np.ndarray:
    """Connected component of each of ``n`` rows (edges: row pairs), numbered by the
    component's first row."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if n == 0:
        return np.zeros(0, dtype=np.int64)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    ones = np.ones(len(edges), dtype=np.int8)
    graph = coo_matrix((ones, (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    first = np.full(label.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, label, np.arange(n))
    return first[label]


def threshold_components(
    n: int, left: np.ndarray, right: np.ndarray, similarity: np.ndarray, threshold: float
) -> np.ndarray:
    """The component (its first row) of each row in the graph of pairs at or above
    ``threshold``: no cluster of :func:`average_link` spans two of them."""
    strong = similarity >= threshold
    return components(n, np.column_stack([left[strong], right[strong]]))


def average_link_components(
    left: np.ndarray,
    right: np.ndarray,
    similarity: np.ndarray,
    threshold: float,
    component: np.ndarray,
) -> dict[int, int]:
    """:func:`average_link` over each component of ``component`` (a label per pair; both
    ends of a pair in it), pairs kept in their given order: the cluster of each row that
    is in a pair, as the cluster's first row."""
    cluster: dict[int, int] = {}
    order = np.argsort(component, kind="stable")
    cuts = np.flatnonzero(np.diff(component[order])) + 1
    for rows in np.split(order, cuts):
        if not len(rows):
            continue
        a, b, s = left[rows], right[rows], similarity[rows]
        # Local numbers in the order of the global rows, so ties break as in one run.
        members, local = np.unique(np.concatenate([a, b]), return_inverse=True)
        pairs = zip(local[: len(a)].tolist(), local[len(a) :].tolist(), s.tolist(), strict=True)
        labels = average_link(len(members), pairs, threshold)
        first: dict[int, int] = {}
        for row, label in zip(members.tolist(), labels, strict=True):
            cluster[row] = first.setdefault(label, row)  # members ascend: the first row
    return cluster
