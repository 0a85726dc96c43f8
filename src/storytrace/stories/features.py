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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

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
    """The documents of one run, ready for pair features."""

    texts: list[StoryText]
    doc_vectors: np.ndarray  # (n, d) unit rows
    lead_vectors: np.ndarray
    plain_vectors: np.ndarray
    bags: dict[str, sparse.csr_matrix]  # l2-normalised tf-idf rows
    rare_terms: sparse.csr_matrix

    @property
    def size(self) -> int:
        return len(self.texts)


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
    bags = {bag: _tfidf([bag_counts(t, bag) for t in texts], df[bag], n) for bag in BAGS}
    rare_cut = max(2, int(_RARE_SHARE * n))
    rare = _tfidf(
        [bag_counts(t, "terms") for t in texts], df["terms"], n, keep=lambda c: 2 <= c <= rare_cut
    )
    return StoryIndex(
        texts=texts,
        doc_vectors=_unit(doc_vectors),
        lead_vectors=_unit(lead_vectors),
        plain_vectors=_unit(plain_vectors),
        bags=bags,
        rare_terms=rare,
    )


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
    keep: Callable[[int], bool] = lambda count: True,
) -> sparse.csr_matrix:
    """Sublinear tf times smoothed idf, rows scaled to unit length."""
    vocab: dict[str, int] = {}
    indptr, indices, values = [0], [], []
    for row in rows:
        for term, tf in row.items():
            count = df.get(term, 1)
            if not keep(count):
                continue
            indices.append(vocab.setdefault(term, len(vocab)))
            values.append((1.0 + math.log(tf)) * (math.log((1 + n) / (1 + count)) + 1.0))
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), indices, indptr), shape=(len(rows), len(vocab))
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def pair_features(index: StoryIndex, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Feature rows (FEATURE_NAMES) for the pairs (left[k], right[k]) of index rows.

    Ranks are taken within the given pairs: pass every candidate pair of the run at once.
    """
    sims = {
        "terms": _sparse_cos(index.bags["terms"], left, right),
        "rare_terms": _sparse_cos(index.rare_terms, left, right),
        "names": _sparse_cos(index.bags["name"], left, right),
        "people": _sparse_cos(index.bags["person"], left, right),
        "places": _sparse_cos(index.bags["place"], left, right),
        "orgs": _sparse_cos(index.bags["org"], left, right),
        "plain": _sparse_cos(index.bags["plain"], left, right),
        "doc_vector": _dense_cos(index.doc_vectors, left, right),
        "lead_vector": _dense_cos(index.lead_vectors, left, right),
        "plain_vector": _dense_cos(index.plain_vectors, left, right),
    }
    columns = [sims[name] for name in SIMILARITIES]
    columns += list(_facts(index.texts, left, right))
    columns += [_mutual_rank(sims[name], left, right) for name, _ in RANKS]
    columns.append(np.full(len(left), np.log(max(1, index.size)), dtype=np.float32))
    return np.stack(columns, axis=1).astype(np.float32)


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


def _facts(
    texts: Sequence[StoryText], left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Shared numbers (Jaccard), years that differ or match, publication dates apart."""
    numbers = np.zeros(len(left), dtype=np.float32)
    differ = np.zeros(len(left), dtype=np.float32)
    shared = np.zeros(len(left), dtype=np.float32)
    apart = np.zeros(len(left), dtype=np.float32)
    dates = [_date(t.published) for t in texts]
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        a, b = texts[i], texts[j]
        if a.numbers and b.numbers:
            numbers[k] = len(a.numbers & b.numbers) / len(a.numbers | b.numbers)
        if a.years and b.years:
            common = bool(a.years & b.years)
            shared[k], differ[k] = float(common), float(not common)
        if dates[i] and dates[j]:
            apart[k] = float(abs((dates[i] - dates[j]).days) > DATES_APART_DAYS)
    return numbers, differ, shared, apart


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
