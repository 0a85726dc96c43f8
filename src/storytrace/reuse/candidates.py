"""Candidate pairs: which documents are worth comparing sentence by sentence.

Two sources, because news reuse comes in two shapes. Copies and light rewrites share word
bigrams: MinHash signatures (rensa) banded into an LSH index find them. Paraphrases, summaries
and simplifications share few words but sit close in embedding space: the nearest neighbours
of each document's mean sentence vector (faiss) find those. Neither compares all pairs, so the
cost grows with the corpus, not with its square.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

NUM_PERM = 128
SEED = 42
# Loose on purpose: rewrites keep few bigrams. 64 bands of 2 rows is what datasketch's
# MinHashLSH picks for a Jaccard threshold of 0.1 at 128 permutations.
BANDS = 64
NEIGHBOURS = 20
# A bucket this full is a stock phrase, not reuse: reused text shares many buckets, so the
# documents that matter still meet in the small ones. Bounds the pairs a band can emit.
MAX_BUCKET = 50
# Pairs whose signatures agree on fewer positions than this (an estimate of their bigram
# Jaccard) met by chance in one band: below it, shared bigrams are noise, and paraphrases that
# share few words come from the neighbour search instead.
MIN_JACCARD = 0.05
_EXACT_SEARCH_MAX = 50_000  # beyond this many documents, approximate search (HNSW)


def signatures(shingle_sets: Iterable[Sequence[str]]) -> np.ndarray:
    """MinHash signatures (uint32, one row per document) of word-bigram sets."""
    from rensa import RMinHash

    sets = [list(s) or ["<empty>"] for s in shingle_sets]
    if not sets:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    rows = RMinHash.digests_from_token_sets(sets, num_perm=NUM_PERM, seed=SEED)
    return np.asarray(rows, dtype=np.uint32)


def lsh_pairs(sigs: np.ndarray, query: np.ndarray, bands: int = BANDS) -> set[tuple[int, int]]:
    """Row pairs (i < j) that share a band bucket, keeping pairs with a row in ``query``.

    Banding is a group-by on (band, band values): sort each band's keys and pair up runs of
    equal keys. ``query`` marks the rows being added, so an incremental run only pays for
    pairs that involve new documents.
    """
    n, perms = sigs.shape
    rows = perms // bands
    pairs: set[tuple[int, int]] = set()
    if n < 2:
        return pairs
    for band in range(bands):
        block = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        ends = np.r_[starts[1:], n]
        for s, e in zip(starts, ends, strict=True):
            if e - s < 2 or e - s > MAX_BUCKET:
                continue
            members = np.sort(order[s:e])
            if not query[members].any():
                continue
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    i, j = int(members[x]), int(members[y])
                    if query[i] or query[j]:
                        pairs.add((i, j))
    return _likely(pairs, sigs)


def _likely(pairs: set[tuple[int, int]], sigs: np.ndarray) -> set[tuple[int, int]]:
    if not pairs:
        return pairs
    index = np.asarray(sorted(pairs), dtype=np.int64)
    agree = np.empty(len(index))
    for start in range(0, len(index), 100_000):  # bounded memory for large runs
        chunk = index[start : start + 100_000]
        agree[start : start + len(chunk)] = (sigs[chunk[:, 0]] == sigs[chunk[:, 1]]).mean(axis=1)
    return {(int(i), int(j)) for (i, j), a in zip(index, agree, strict=True) if a >= MIN_JACCARD}


def neighbour_pairs(
    vectors: np.ndarray, query: np.ndarray, k: int = NEIGHBOURS, threads: int = 1
) -> set[tuple[int, int]]:
    """Each queried row with its ``k`` nearest rows by cosine (rows are unit vectors)."""
    import faiss

    n = len(vectors)
    pairs: set[tuple[int, int]] = set()
    if n < 2 or not query.any():
        return pairs
    faiss.omp_set_num_threads(max(1, threads))
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    if n <= _EXACT_SEARCH_MAX:
        index = faiss.IndexFlatIP(data.shape[1])
    else:
        index = faiss.IndexHNSWFlat(data.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 2 * k
    index.add(data)
    queried = np.flatnonzero(query)
    _, found = index.search(data[queried], min(n, k + 1))
    for i, row in zip(queried, found, strict=True):
        for j in row:
            if j >= 0 and j != i:
                pairs.add((min(int(i), int(j)), max(int(i), int(j))))
    return pairs
