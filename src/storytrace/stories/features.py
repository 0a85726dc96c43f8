"""Pair features for "same story" and "same topic", computed for many pairs at once.

A :class:`StoryIndex` holds the documents of one run as sparse tf-idf matrices (one per bag:
words, event-kind words, names by type) and dense vectors (MiniLM: the mean of the
sentence vectors, the lead, the name-free lead). Features for arrays of pairs are then row
products, so scoring a million candidate pairs is a few vectorised passes, not a Python
loop per pair.

Besides similarities, each pair gets *ranks*: how far down each document's own candidate
list the other sits. A report on the same event is usually among a document's closest
matches even when the absolute similarity is modest (short briefs), and a sibling event's
report is not, even when it shares the vocabulary.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain

import numpy as np
from scipy import sparse

from storytrace.model import STORY_BAGS, StoryText

BAGS = STORY_BAGS
SIMILARITIES = (
    "terms", "rare_terms", "names", "people", "places", "orgs", "plain",
    "doc_vector", "lead_vector", "plain_vector",
)  # fmt: skip
FACTS = ("numbers", "years_differ", "years_shared", "dates_apart")
# (similarity ranked, feature name)
RANKS = (
    ("terms", "terms_rank"), ("doc_vector", "doc_vector_rank"), ("names", "name_rank"),
    ("plain", "plain_rank"), ("plain_vector", "plain_vector_rank"),
)  # fmt: skip
# log of the number of documents in the run: idf, "rare" words and ranks mean different
# things in a pile of twenty pages and in a crawl of thousands, and the models know which.
FEATURE_NAMES = (*SIMILARITIES, *FACTS, *(name for _, name in RANKS), "corpus_size")
RANK_CAP = 50  # ranks beyond this are all "far"
DATES_APART_DAYS = 7
_RARE_SHARE = 0.05  # rare words: in at most this share of the documents (and at least 2)
# Pairs whose rows are gathered at once. A document's bag of words has ~150 terms, so
# 200,000 pairs held 1.2 GB of gathered rows (the story stage's peak at 10,000 documents);
# 20,000 hold a tenth of that and take no longer.
_CHUNK = 20_000


@dataclass(slots=True)
class StoryIndex:
    """The documents of one run, ready for pair features: arrays only, so that a corpus's
    index can be assembled from its partitions' (``storytrace.engine.regroup``)."""

    doc_ids: list[str]
    doc_vectors: np.ndarray  # (n, d) unit rows
    lead_vectors: np.ndarray
    plain_vectors: np.ndarray
    bags: dict[str, sparse.csr_matrix]  # l2-normalised tf-idf rows, columns in term order
    rare_terms: sparse.csr_matrix
    numbers: sparse.csr_matrix  # documents x distinct numbers: 1 where a document has one
    years: sparse.csr_matrix
    days: np.ndarray  # publication date as a day number (date.toordinal); -1: none

    @property
    def size(self) -> int:
        return len(self.doc_ids)


def build_index(
    texts: Sequence[StoryText],
    doc_vectors: np.ndarray,
    lead_vectors: np.ndarray,
    plain_vectors: np.ndarray,
    df: Mapping[str, Mapping[str, int]] | None = None,
    corpus_size: int | None = None,
) -> StoryIndex:
    """``df`` (bag -> term -> document frequency) defaults to the frequencies in ``texts``;
    the store passes its corpus-wide counts so that idf does not depend on the batch."""
    texts = list(texts)
    df = df or {bag: _frequencies(texts, bag) for bag in BAGS}
    n = corpus_size or len(texts)
    bags, rare = tfidf_bags(texts, df, n)
    return StoryIndex(
        doc_ids=[t.doc_id for t in texts],
        doc_vectors=_unit(doc_vectors),
        lead_vectors=_unit(lead_vectors),
        plain_vectors=_unit(plain_vectors),
        bags=bags,
        rare_terms=rare,
        numbers=set_matrix([sorted(t.numbers) for t in texts]),
        years=set_matrix([sorted(t.years) for t in texts]),
        days=day_numbers([t.published for t in texts]),
    )


def tfidf_bags(
    texts: Sequence[StoryText], df: Mapping[str, Mapping[str, int]], n: int
) -> tuple[dict[str, sparse.csr_matrix], sparse.csr_matrix]:
    """Each bag's tf-idf rows and the rare terms' (``_RARE_SHARE``), for a corpus of ``n``
    documents with document frequencies ``df``.

    A bag's columns are its terms of ``df`` in sorted order (then any term ``df`` lacks), so
    every row holds its terms in term order whatever else the corpus holds: rows built in
    different partitions from the same ``df`` stack into one matrix, and a row product sums
    in the same order (the same last bits) as in one store.
    """
    bags: dict[str, sparse.csr_matrix] = {}
    terms: dict[str, int] = {}
    for bag in BAGS:
        vocab = {term: k for k, term in enumerate(sorted(df[bag]))}
        bags[bag] = _tfidf([bag_counts(t, bag) for t in texts], df[bag], n, vocab)
        if bag == "terms":
            terms = vocab
    rare_cut = max(2, int(_RARE_SHARE * n))
    rare = _tfidf(
        [bag_counts(t, "terms") for t in texts], df["terms"], n, terms,
        keep=lambda c: 2 <= c <= rare_cut,
    )  # fmt: skip
    return bags, rare


def set_matrix(sets: Sequence[Iterable[str]]) -> sparse.csr_matrix:
    """Documents x distinct values, 1.0 where a document has the value: a row product is
    the size of two documents' intersection (exact: sums of ones)."""
    codes: dict[str, int] = {}
    columns = [[codes.setdefault(v, len(codes)) for v in values] for values in sets]
    offsets = np.cumsum([0, *map(len, columns)])
    return binary_rows(offsets, np.fromiter(chain(*columns), np.int64), len(codes))


def binary_rows(offsets: np.ndarray, columns: np.ndarray, width: int) -> sparse.csr_matrix:
    """The 0/1 matrix whose row ``r`` has ones at ``columns[offsets[r]:offsets[r + 1]]``."""
    ones = np.ones(len(columns), dtype=np.float32)
    matrix = sparse.csr_matrix((ones, columns, offsets), shape=(len(offsets) - 1, width))
    matrix.sort_indices()
    return matrix


def day_numbers(published: Sequence[str | None]) -> np.ndarray:
    """Publication dates as day numbers; -1 where a document has none (or not a date)."""
    days = (_date(value) for value in published)
    return np.fromiter((d.toordinal() if d else -1 for d in days), np.int64, len(published))


def _frequencies(texts: Sequence[StoryText], bag: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(bag_counts(text, bag).keys())
    return counts


def bag_counts(text: StoryText, bag: str) -> Mapping[str, int]:
    """A document's counts in one of BAGS."""
    return text.bag(bag)


def _tfidf(
    rows: Sequence[Mapping[str, int]],
    df: Mapping[str, int],
    n: int,
    vocab: Mapping[str, int],
    keep: Callable[[int], bool] = lambda count: True,
) -> sparse.csr_matrix:
    """Sublinear tf times smoothed idf, rows scaled to unit length; columns from ``vocab``
    (a term it lacks gets a column after them)."""
    extra: dict[str, int] = {}
    indptr, indices, values = [0], [], []
    for row in rows:
        for term, tf in row.items():
            count = df.get(term, 1)
            if not keep(count):
                continue
            column = vocab.get(term)
            indices.append(extra.setdefault(term, len(vocab) + len(extra)) if column is None
                           else column)  # fmt: skip
            values.append((1.0 + math.log(tf)) * (math.log((1 + n) / (1 + count)) + 1.0))
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
        shape=(len(rows), len(vocab) + len(extra)),
    )
    return unit_rows(matrix)


def unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """``matrix`` with sorted columns and rows scaled to unit length, in place: sums run in
    column (term) order, the same in every partition."""
    matrix.sort_indices()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix.data *= np.repeat((1.0 / norms).astype(np.float32), np.diff(matrix.indptr))
    return matrix


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def pair_features(index: StoryIndex, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Feature rows (FEATURE_NAMES) for the pairs (left[k], right[k]) of index rows.

    Ranks are taken within the given pairs: pass every candidate pair of the run at once.
    """
    out = np.empty((len(left), len(FEATURE_NAMES)), dtype=np.float32)
    column = {name: k for k, name in enumerate(FEATURE_NAMES)}
    # Each feature written into its column as computed: no list of columns to stack (at a
    # million documents there are tens of millions of pairs).
    for name, matrix in _sparse_sources(index):
        out[:, column[name]] = _sparse_cos(matrix, left, right)
    for name, vectors in _dense_sources(index):
        out[:, column[name]] = _dense_cos(vectors, left, right)
    for name, value in zip(FACTS, _facts(index, left, right), strict=True):
        out[:, column[name]] = value
    for similarity, name in RANKS:
        out[:, column[name]] = _mutual_rank(out[:, column[similarity]], left, right)
    out[:, -1] = np.log(max(1, index.size))
    return out


def _sparse_sources(index: StoryIndex) -> list[tuple[str, sparse.csr_matrix]]:
    bags = index.bags
    return [("terms", bags["terms"]), ("rare_terms", index.rare_terms), ("names", bags["name"]),
            ("people", bags["person"]), ("places", bags["place"]), ("orgs", bags["org"]),
            ("plain", bags["plain"])]  # fmt: skip


def _dense_sources(index: StoryIndex) -> list[tuple[str, np.ndarray]]:
    return [("doc_vector", index.doc_vectors), ("lead_vector", index.lead_vectors),
            ("plain_vector", index.plain_vectors)]  # fmt: skip


def _sparse_cos(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    out = np.empty(len(left), dtype=np.float32)
    step = _CHUNK  # bounded memory: the row products of a chunk at a time
    for start in range(0, len(left), step):
        a = matrix[left[start : start + step]]
        b = matrix[right[start : start + step]]
        out[start : start + step] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return out


def _dense_cos(vectors: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    out = np.empty(len(left), dtype=np.float32)
    step = _CHUNK
    for start in range(0, len(left), step):
        a, b = vectors[left[start : start + step]], vectors[right[start : start + step]]
        out[start : start + step] = np.einsum("ij,ij->i", a, b)
    return out


def _facts(index: StoryIndex, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, ...]:
    """Shared numbers (Jaccard), years that differ or match, publication dates apart."""
    common, held_a, held_b = _overlap(index.numbers, left, right)
    union = (held_a + held_b - common).astype(np.float64)
    numbers = np.divide(common, union, out=np.zeros(len(left)), where=(held_a > 0) & (held_b > 0))
    common, held_a, held_b = _overlap(index.years, left, right)
    both = (held_a > 0) & (held_b > 0)
    shared, differ = both & (common > 0), both & (common == 0)
    a, b = index.days[left], index.days[right]
    apart = (a >= 0) & (b >= 0) & (np.abs(a - b) > DATES_APART_DAYS)
    return tuple(x.astype(np.float32) for x in (numbers, differ, shared, apart))


def _overlap(
    matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For 0/1 rows: the size of each pair's intersection and of its two sets."""
    held = np.diff(matrix.indptr)
    return _sparse_cos(matrix, left, right), held[left], held[right]


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _mutual_rank(sim: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """log(1 + the better of the two ranks), each document ranking its own candidates.

    A pair with no similarity at all is ranked last whatever the list's length: being a
    document's only candidate is not evidence when nothing is shared.
    """
    m = len(sim)
    if m == 0:
        return np.zeros(0, dtype=np.float32)
    owner = np.concatenate([left, right])
    values = np.concatenate([sim, sim])
    order = np.lexsort((-values, owner))
    sorted_owner = owner[order]
    starts = np.flatnonzero(np.r_[True, sorted_owner[1:] != sorted_owner[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    rank = np.empty(2 * m, dtype=np.int64)
    rank[order] = np.arange(2 * m) - first
    best = np.minimum(rank[:m], rank[m:])
    best[sim <= 0] = RANK_CAP
    return np.log1p(np.minimum(best, RANK_CAP)).astype(np.float32)
