"""Packing groups of documents into partitions of a given size, similar groups together.

Batch mode's full analysis (``storytrace.engine.full``) packs twice: lead groups of the
light pass into the partitions that annotate and embed, then the components of the story
graph into the partitions that finish the analysis (``storytrace.engine.regroup``).
"""

from __future__ import annotations

import numpy as np

# Up to this many groups, partitions are subtrees of the groups' average-link tree (its
# distance matrix: 8 bytes per pair of groups); beyond, recursive bisection.
_TREE_GROUPS = 8_000


def unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1)


def pack(label: np.ndarray, vectors: np.ndarray, capacity: int) -> np.ndarray:
    """A partition number per document: groups kept whole (a group larger than
    ``capacity`` is cut in pieces), similar groups together.

    The groups are split in two along the main direction of their mean vectors, at the
    widest gap between neighbouring groups that leaves each side a quarter of the
    documents or more, and each side again until it fits a partition; then neighbouring
    parts (similar, by construction) are joined while they fit. A cut at the widest gap
    falls between events rather than through one. Without vectors (no columns), groups fill
    the partitions in the order of their first row."""
    groups: dict[int, list[int]] = {}
    for row, g in enumerate(label.tolist()):
        groups.setdefault(g, []).append(row)
    pieces = [
        rows[start : start + capacity]
        for rows in sorted(groups.values(), key=lambda rows: rows[0])
        for start in range(0, len(rows), capacity)
    ]
    sizes = np.asarray([len(p) for p in pieces], dtype=np.int64)
    width = vectors.shape[1] if vectors.ndim == 2 else 0
    centres = (
        np.vstack([vectors[p].mean(axis=0) for p in pieces])
        if width and pieces
        else np.zeros((len(pieces), 0))
    )
    leaves: list[np.ndarray] = []
    if not width:  # nothing to place near: partitions filled in input order
        leaves = [np.asarray([k]) for k in range(len(pieces))]
    elif 2 <= len(pieces) <= _TREE_GROUPS:
        _subtrees(centres, sizes, capacity, leaves)
    else:
        _bisect(np.arange(len(pieces)), centres, sizes, capacity, leaves)
    assignment = np.zeros(len(label), dtype=np.int64)
    number, filled = -1, capacity
    for leaf in leaves:  # neighbouring leaves joined while they fit
        size = int(sizes[leaf].sum())
        if filled + size > capacity:
            number, filled = number + 1, 0
        filled += size
        for k in leaf.tolist():
            assignment[pieces[k]] = number
    return assignment


def _subtrees(
    centres: np.ndarray, sizes: np.ndarray, capacity: int, leaves: list[np.ndarray]
) -> None:
    """Leaves: the largest subtrees of the groups' average-link tree that fit."""
    from scipy.cluster.hierarchy import linkage, to_tree
    from scipy.spatial.distance import pdist

    # A group without a vector (a document without evidence) is far from every other.
    distances = np.nan_to_num(pdist(centres, metric="cosine"), nan=1.0)
    tree = to_tree(linkage(distances, method="average"))
    stack = [tree]
    while stack:
        node = stack.pop()
        members = np.asarray(node.pre_order(), dtype=np.int64)
        if sizes[members].sum() <= capacity or node.is_leaf():
            leaves.append(members)
        else:
            stack += [node.get_right(), node.get_left()]


def _bisect(
    items: np.ndarray, centres: np.ndarray, sizes: np.ndarray, capacity: int,
    leaves: list[np.ndarray],
) -> None:  # fmt: skip
    if sizes[items].sum() <= capacity or len(items) == 1:
        leaves.append(items)
        return
    order = items[np.argsort(_projection(centres[items], sizes[items]), kind="stable")]
    cut = _widest_gap(centres[order], sizes[order])
    _bisect(order[:cut], centres, sizes, capacity, leaves)
    _bisect(order[cut:], centres, sizes, capacity, leaves)


def _projection(centres: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Positions along the main direction of the centres (weighted by group size)."""
    if centres.shape[1] == 0:
        return np.zeros(len(centres))
    weights = sizes / sizes.sum()
    centred = centres - weights @ centres
    _, _, vt = np.linalg.svd(centred * np.sqrt(weights)[:, None], full_matrices=False)
    return centred @ vt[0]


def _widest_gap(centres: np.ndarray, sizes: np.ndarray) -> int:
    """Where to cut an ordered list: between the two neighbours least alike (cosine of
    their mean vectors), among cuts leaving each side a quarter of the documents."""
    before = np.cumsum(sizes)[:-1]
    total = sizes.sum()
    allowed = np.nonzero((before >= total / 4) & (total - before >= total / 4))[0]
    if not len(allowed):
        allowed = np.arange(len(sizes) - 1)
    if centres.shape[1] == 0:
        return int(allowed[len(allowed) // 2]) + 1
    unit = centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    alike = np.einsum("ij,ij->i", unit[:-1], unit[1:])
    return int(allowed[np.argmin(alike[allowed])]) + 1
