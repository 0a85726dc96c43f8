"""Candidate pairs: which documents are worth comparing sentence by sentence.

Two sources, because news reuse comes in two shapes. Copies and light rewrites share word
bigrams: MinHash signatures (rensa) banded into an LSH index find them. Paraphrases, summaries
and simplifications share few words but sit close in embedding space: the nearest neighbours
of each document's mean sentence vector (faiss) find those. Neither compares all pairs, so the
cost grows with the corpus, not with its square.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

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
# Jaccard, here 11 of 128) met by chance in one band: below it, shared bigrams are stock
# phrases, and paraphrases that share few words come from the neighbour search instead. At
# 0.05 (7 of 128), 10,000 planted documents gave 421,132 such pairs, three quarters of the
# reuse stage's work; 0.08 keeps 144,133, and the planted families' recall is unchanged
# (one accepted link of 3,909 came from a dropped pair: docs/benchmarks.md).
MIN_JACCARD = 0.08
_COMPACT_AT = 20_000_000  # pair codes held before deduplicating (160 MB)
# Exact search costs n x n x dimensions; beyond this budget (50k documents of 384
# dimensions, 120k of 64) the search is approximate (HNSW).
_EXACT_SEARCH_WORK = 50_000 * 50_000 * 384


def signatures(shingle_sets: Iterable[Sequence[str]]) -> np.ndarray:
    """MinHash signatures (uint32, one row per document) of word-bigram sets."""
    from rensa import RMinHash

    sets = [list(s) or ["<empty>"] for s in shingle_sets]
    if not sets:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    rows = RMinHash.digests_from_token_sets(sets, num_perm=NUM_PERM, seed=SEED)
    return np.asarray(rows, dtype=np.uint32)


def lsh_pairs(sigs: np.ndarray, query: np.ndarray, bands: int = BANDS) -> set[tuple[int, int]]:
    """Row pairs (i < j) that share a band bucket, keeping pairs with a row in ``query``."""
    return {(int(i), int(j)) for i, j in lsh_pair_array(sigs, query, bands)}


def lsh_pair_array(
    sigs: np.ndarray,
    query: np.ndarray,
    bands: int = BANDS,
    floor: float = MIN_JACCARD,
    min_bands: int = 1,
) -> np.ndarray:
    """Like :func:`lsh_pairs`, as an ``(k, 2)`` array of row indices, sorted, keeping pairs
    that share at least ``min_bands`` buckets and whose signatures agree on at least
    ``floor`` of their positions.

    Banding is a group-by on (band, band values): sort each band's keys, then emit the pairs
    of every bucket of one size at once (a bucket of m rows gives the m(m-1)/2 pairs of an
    upper triangle). ``query`` marks the rows being added, so an incremental run only pays
    for pairs that involve new documents. Pairs are kept as ``i * n + j`` codes and
    deduplicated with a sort, never as Python objects, so memory and time grow with the
    number of pairs emitted, which the bucket cap keeps linear in the corpus.

    ``min_bands`` is for high floors: pairs that agree on 30 % of positions share two of 64
    two-row bands 98 % of the time, while most chance pairs share one, so requiring two
    spares checking the signatures of almost all of them.
    """
    n = len(sigs)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    codes, counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    found: list[np.ndarray] = []
    pending, limit = 0, _COMPACT_AT
    for band in range(bands):
        for emitted in band_pair_codes(_band_keys(sigs, band, bands), query):
            found.append(emitted)
            pending += len(emitted)
        if pending > limit or band == bands - 1:  # bound memory: repeats go early
            codes, counts = _merge_tallies(codes, counts, found)
            found, pending = [], len(codes)
            # Next compaction once the new codes could double the array: compacting at a
            # fixed size would re-sort every pair after every band (quadratic).
            limit = max(_COMPACT_AT, 2 * pending)
    codes = codes[counts >= min_bands]
    pairs = np.stack([codes // n, codes % n], axis=1)
    return pairs[pair_agreement(pairs, sigs) >= floor]


def _merge_tallies(
    codes: np.ndarray, counts: np.ndarray, found: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct codes with how often each was emitted, old tallies plus ``found``."""
    ordered = np.sort(np.concatenate(found)) if found else codes[:0]
    if not len(ordered):
        return codes, counts
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    new, times = ordered[starts], np.diff(np.r_[starts, len(ordered)]).astype(np.int32)
    merged = distinct(np.concatenate([codes, new]))
    total = np.zeros(len(merged), dtype=np.int32)
    total[np.searchsorted(merged, codes)] += counts  # each array is distinct: no lost adds
    total[np.searchsorted(merged, new)] += times
    return merged, total


def distinct(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array. ``np.unique`` does the same, but NumPy
    2.4 hashes before sorting, 15x slower on the tens of millions of pair codes here."""
    ordered = np.sort(codes)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _band_keys(sigs: np.ndarray, band: int, bands: int) -> np.ndarray:
    rows = sigs.shape[1] // bands
    block = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
    if block.dtype.itemsize * rows == 8:  # two uint32 values: one uint64, sorts fastest
        return block.view(np.uint64).ravel()
    return block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()


def band_pair_codes(keys: np.ndarray, query: np.ndarray) -> Iterator[np.ndarray]:
    """Pairs of rows sharing a key (one band's buckets) as ``i * n + j`` codes, i < j, in
    arrays per bucket size; buckets over ``MAX_BUCKET`` rows give none."""
    n = len(keys)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, n])
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= MAX_BUCKET)]):
        members = np.sort(order[starts[sizes == size][:, None] + np.arange(size)], axis=1)
        left, right = np.triu_indices(int(size), k=1)
        i, j = members[:, left].ravel(), members[:, right].ravel()
        keep = query[i] | query[j]
        yield i[keep].astype(np.int64) * n + j[keep]


def pair_agreement(pairs: np.ndarray, sigs: np.ndarray) -> np.ndarray:
    """Share of signature positions on which each row pair agrees (an estimate of the two
    documents' bigram Jaccard)."""
    agree = np.empty(len(pairs))
    # Chunks of 20k pairs keep the gathered rows in cache: 2x faster than 100k, bounded memory.
    for start in range(0, len(pairs), 20_000):
        chunk = pairs[start : start + 20_000]
        agree[start : start + len(chunk)] = row_agreement(sigs[chunk[:, 0]], sigs[chunk[:, 1]])
    return agree


def row_agreement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of positions on which two signature matrices agree, row by row."""
    return np.count_nonzero(a == b, axis=1) / a.shape[1]


def neighbour_pairs(
    vectors: np.ndarray, query: np.ndarray, k: int = NEIGHBOURS, threads: int = 1
) -> set[tuple[int, int]]:
    """Each queried row with its ``k`` nearest rows by cosine (rows are unit vectors)."""
    return {(int(i), int(j)) for i, j in neighbour_array(vectors, query, k, threads)}


def neighbour_array(
    vectors: np.ndarray, query: np.ndarray, k: int = NEIGHBOURS, threads: int = 1
) -> np.ndarray:
    """Like :func:`neighbour_pairs`, as a sorted ``(m, 2)`` array of row pairs (i < j):
    no Python tuple per pair, for millions of rows."""
    import faiss

    n = len(vectors)
    if n < 2 or not query.any():
        return np.zeros((0, 2), dtype=np.int64)
    faiss.omp_set_num_threads(max(1, threads))
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    if n * n * data.shape[1] <= _EXACT_SEARCH_WORK:
        index = faiss.IndexFlatIP(data.shape[1])
    else:
        index = faiss.IndexHNSWFlat(data.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 2 * k
    index.add(data)
    queried = np.flatnonzero(query)
    _, found = index.search(data[queried], min(n, k + 1))
    rows = np.repeat(queried, found.shape[1])
    cols = found.ravel()
    keep = (cols >= 0) & (cols != rows)
    low, high = np.minimum(rows[keep], cols[keep]), np.maximum(rows[keep], cols[keep])
    codes = distinct(low.astype(np.int64) * n + high)
    return np.stack([codes // n, codes % n], axis=1)


def project(vectors: np.ndarray, dims: int = 64) -> np.ndarray:
    """Unit rows in a PCA projection fitted on (at most) 20,000 of them: neighbour search
    in 64 dimensions finds the same close pairs several times faster."""
    import faiss

    data = np.ascontiguousarray(vectors, dtype=np.float32)
    pca = faiss.PCAMatrix(data.shape[1], dims)
    pca.train(np.ascontiguousarray(data[:: max(1, len(data) // 20_000)]))
    out = pca.apply(data)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms
