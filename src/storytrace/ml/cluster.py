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
