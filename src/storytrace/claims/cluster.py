"""Claim clusters: the same claim in different words, within one story.

Two claims match when a small logistic model over their sentence-embedding cosine and their
word and name overlap says so (``ClaimWeights.match``, fitted by
``python -m benchmarks.claims --fit``). Clusters are average-link over those probabilities (the
story stage's clusterer: a chain of pairwise matches does not glue unrelated claims).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import LCSseq

from storytrace.claims.tokens import TokenVectors, pair_token_features
from storytrace.ml.cluster import average_link
from storytrace.ml.logistic import LogisticModel
from storytrace.text import content_terms, words

# Pairs below this cosine are never compared: on ECB+ event mentions it drops about 3 % of
# the same-event pairs, and it keeps large stories from growing quadratically.
MIN_COSINE = 0.2
# Above this many claims, each claim is compared with its nearest neighbours only.
_DENSE_LIMIT = 600
_NEIGHBOURS = 40


@dataclass(slots=True)
class ClaimText:
    """What matching reads from a claim besides its vector."""

    tokens: tuple[str, ...]  # every word, in order
    terms: frozenset[str]  # content words
    names: frozenset[str]  # normalised names
    numbers: frozenset[str]
    vectors: TokenVectors | None = None  # contextual word vectors (storytrace.claims.tokens)


def claim_text(
    text: str, names: Sequence[str] = (), vectors: TokenVectors | None = None
) -> ClaimText:
    tokens = words(text)
    keep = content_terms(tokens)
    return ClaimText(
        tokens=tuple(tokens),
        terms=frozenset(t for t in tokens if t in keep and not t.isdigit()),
        names=frozenset(names),
        numbers=frozenset(t.replace(",", "") for t in tokens if t[:1].isdigit()),
        vectors=vectors,
    )


FEATURES = (
    "cosine",
    "term_jaccard",
    "term_containment",
    "name_jaccard",
    "number_both",
    "number_clash",
    "lcs_ratio",
    "length_ratio",
    "unmatched_max",
    "unmatched_sum",
    "weighted_jaccard",
    "piece_best",
    "piece_worst",
    "trigger_best",
    "verbs_matched",
)


def story_idf(texts: Sequence[ClaimText]) -> dict[str, float]:
    """Inverse frequency of each content word among a story's claims: within one story the
    shared subject ("quake", "strike") is everywhere and the details that tell its events
    apart ("bakery", "ballot") are rare."""
    df: dict[str, int] = defaultdict(int)
    for text in texts:
        for term in text.terms:
            df[term] += 1
    n = len(texts)
    return {term: float(np.log((n + 1) / (count + 0.5))) for term, count in df.items()}


def pair_features(
    cosine: np.ndarray,
    a: Sequence[ClaimText],
    b: Sequence[ClaimText],
    idf: dict[str, float] | None = None,
) -> np.ndarray:
    """One row per pair (a[k], b[k]) with its cosine, in FEATURES order; ``idf`` from
    story_idf (without it every word weighs 1)."""
    rows = np.zeros((len(a), len(FEATURES)), dtype=np.float32)
    rows[:, -4:] = pair_token_features([x.vectors for x in a], [y.vectors for y in b])
    weight = idf or {}
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        shared = len(x.terms & y.terms)
        union = len(x.terms | y.terms) or 1
        smaller = min(len(x.terms), len(y.terms)) or 1
        names_union = len(x.names | y.names)
        both = bool(x.numbers and y.numbers)
        longer = max(len(x.tokens), len(y.tokens)) or 1
        missing = (len(x.terms - y.terms), len(y.terms - x.terms))
        rows[k, :-4] = (
            cosine[k],
            shared / union,
            shared / smaller,
            len(x.names & y.names) / names_union if names_union else 0.0,
            float(both),
            float(both and x.numbers != y.numbers),
            _lcs(x.tokens, y.tokens) / longer,
            (min(len(x.tokens), len(y.tokens)) / longer),
            np.log1p(max(missing)),
            np.log1p(sum(missing)),
            _weighted_jaccard(x.terms, y.terms, weight),
        )
    return rows


def _weighted_jaccard(x: frozenset[str], y: frozenset[str], weight: dict[str, float]) -> float:
    # fsum: exact whatever the sets' order (it follows the process's string hashes).
    union = math.fsum(weight.get(t, 1.0) for t in x | y)
    return math.fsum(weight.get(t, 1.0) for t in x & y) / union if union else 0.0


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two word sequences (rapidfuzz's C++:
    the pure-Python table took half of the claim stage's time on ecbplus-dev)."""
    return int(LCSseq.similarity(a, b)) if a and b else 0


def candidate_pairs(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, cosine) with i < j and cosine >= MIN_COSINE."""
    n = len(vectors)
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    if n <= _DENSE_LIMIT:
        sims = vectors @ vectors.T
        i, j = np.nonzero(np.triu(sims >= MIN_COSINE, k=1))
        return i, j, sims[i, j]
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    sims, neighbours = index.search(vectors, _NEIGHBOURS + 1)
    found: dict[tuple[int, int], float] = {}
    for i in range(n):
        for s, j in zip(sims[i], neighbours[i], strict=True):
            if j > i and s >= MIN_COSINE:
                found[(i, int(j))] = float(s)
            elif 0 <= j < i and s >= MIN_COSINE:
                found[(int(j), i)] = float(s)
    keys = sorted(found)
    return (
        np.asarray([k[0] for k in keys], dtype=np.int64),
        np.asarray([k[1] for k in keys], dtype=np.int64),
        np.asarray([found[k] for k in keys], dtype=np.float32),
    )


@dataclass(slots=True)
class ClaimGrouping:
    labels: list[int]  # cluster of each claim
    cosine: dict[tuple[int, int], float]  # every compared pair (i < j)
    probability: dict[tuple[int, int], float]  # P(same event) of those pairs
    same: dict[tuple[int, int], float]  # P(same claim) of those pairs (when asked for)
    also: list[tuple[int, int]]  # (claim, other cluster) it belongs to as well


def cluster_claims(
    vectors: np.ndarray,
    texts: Sequence[ClaimText],
    match: LogisticModel,
    threshold: float,
    same: LogisticModel | None = None,
    also_margin: float | None = None,
) -> ClaimGrouping:
    """Event clusters of a story's claims; ``also_margin``: also list the claims that join
    a second cluster (the claims benchmark measures it; the claim stage does not use it)."""
    i, j, cosine = candidate_pairs(vectors)
    if len(i) == 0:
        return ClaimGrouping(list(range(len(texts))), {}, {}, {}, [])
    features = pair_features(cosine, [texts[k] for k in i], [texts[k] for k in j], story_idf(texts))
    keys = [(int(a), int(b)) for a, b in zip(i, j, strict=True)]
    scored = dict(zip(keys, match.probability(features).tolist(), strict=True))
    labels = average_link(len(texts), ((a, b, p) for (a, b), p in scored.items()), threshold)
    return ClaimGrouping(
        labels,
        dict(zip(keys, cosine.tolist(), strict=True)),
        scored,
        dict(zip(keys, same.probability(features).tolist(), strict=True)) if same else {},
        also_members(labels, scored, threshold - also_margin) if also_margin is not None else [],
    )


def also_members(
    labels: Sequence[int], probability: dict[tuple[int, int], float], threshold: float
) -> list[tuple[int, int]]:
    """(claim, cluster) pairs for claims that also belong to a second cluster.

    One sentence often reports two events ("after the quake, the minister resigned"), so a
    claim joins every other cluster whose members it matches, on average, at ``threshold``
    (the clustering threshold less a margin fitted with it; unscored pairs count 0, as in
    the clustering itself).
    """
    size: dict[int, int] = defaultdict(int)
    for label in labels:
        size[label] += 1
    sums: dict[tuple[int, int], float] = defaultdict(float)
    for (a, b), p in probability.items():
        if labels[a] != labels[b]:
            sums[(a, labels[b])] += p
            sums[(b, labels[a])] += p
    return sorted(
        (claim, cluster)
        for (claim, cluster), total in sums.items()
        if total / size[cluster] >= threshold
    )
