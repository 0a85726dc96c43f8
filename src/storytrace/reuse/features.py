"""Comparing two documents sentence by sentence.

Every sentence of one document is matched to its most similar sentence of the other, by the
larger of embedding cosine and an even mix of cosine and idf-weighted word overlap (the mix
rescues simplified sentences whose embedding drifts while names and numbers stay). From that
alignment come the features the link classifier reads, per direction: how much of one
document the other explains (at several similarity levels, plain and weighted by how specific
each sentence is), whether the order is kept, how much is verbatim, how many specific tokens
are shared. The aligned pairs themselves are the evidence a user sees.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from storytrace.model import AlignedPair
from storytrace.text import DocText

EVIDENCE_MIN = 0.5  # aligned pairs below this combined similarity are not shown as evidence
_COVERAGE_LEVELS = (0.5, 0.6, 0.7, 0.8)
_WEIGHTED_LEVELS = (0.6, 0.7, 0.8)
_ORDER_MIN = 0.6
_VERBATIM = 0.8  # share of a sentence's word trigrams found in the other document
_PARTIAL = 0.3

DIRECTIONAL = (
    *(f"cov{int(t * 100)}" for t in _COVERAGE_LEVELS),
    *(f"wcov{int(t * 100)}" for t in _WEIGHTED_LEVELS),
    "mean",
    "wmean",
    "terms",
    "specific",
    "trigrams",
    "order",
    "verbatim",
    "partial",
)
PAIRWISE = ("doc_cosine", "novel_max", "novel_min", "length_gap", "length_min")
# Symmetric on purpose: "one family" does not depend on which side is the copy, and a
# summary (well covered one way, poorly the other) then looks like a rewrite seen from its
# better-covered side. Which side derives is the direction model's question.
FEATURE_NAMES = (*(f"{m}_{n}" for n in DIRECTIONAL for m in ("max", "min")), *PAIRWISE)
DIRECTION_NAMES = (
    "coverage_gap", "terms_gap", "specific_gap", "specificity", "longer_origin",
    "shorter_origin", "questions", "dropped_facts",
)  # fmt: skip


class Vocabulary:
    """Term -> column id, shared by all documents of one run.

    The id is a hash of the term, not its arrival order: shared term weights are summed in
    id order, and an order that depended on which document came first (or on Python's
    per-process string hashing, through sets of terms) changed the last bits of the sums
    between two runs of the same pairs (batch mode's engines must give equal tables).
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def column(self, term: str) -> int:
        found = self.ids.get(term)
        if found is None:
            digest = hashlib.blake2b(term.encode(), digest_size=8).digest()
            found = self.ids[term] = int.from_bytes(digest, "little") >> 1  # fits int64
        return found


@dataclass(slots=True)
class Prepared:
    """A document ready for comparison: its text parts, vectors and term matrices."""

    text: DocText
    vectors: np.ndarray  # one unit vector per compared sentence
    doc_vector: np.ndarray
    # (sentence, term id, idf) of every term occurrence, as parallel arrays
    term_rows: np.ndarray
    term_ids: np.ndarray
    term_idf: np.ndarray
    sentence_weight: np.ndarray  # sum of idf of a sentence's terms, + 1
    term_weight: float  # sum of idf over the document's terms
    idf: Mapping[str, float]


def prepare(
    text: DocText,
    vectors: np.ndarray,
    doc_vector: np.ndarray,
    idf: Mapping[str, float],
    vocab: Vocabulary,
) -> Prepared:
    rows, cols, vals = [], [], []
    for i, terms in enumerate(text.terms):
        for term in terms:
            rows.append(i)
            cols.append(vocab.column(term))
            vals.append(idf.get(term, 0.0))
    term_rows = np.asarray(rows, dtype=np.int32)
    term_idf = np.asarray(vals, dtype=np.float32)
    sentence_weight = np.bincount(term_rows, weights=term_idf, minlength=text.size) + 1.0
    return Prepared(
        text=text,
        vectors=vectors,
        doc_vector=doc_vector,
        term_rows=term_rows,
        term_ids=np.asarray(cols, dtype=np.int64),
        term_idf=term_idf,
        sentence_weight=sentence_weight,
        term_weight=math.fsum(idf.get(t, 0.0) for t in text.all_terms),
        idf=idf,
    )


@dataclass(slots=True)
class Comparison:
    """One compared pair: symmetric family features, and direction evidence both ways."""

    a: Prepared
    b: Prepared
    combined: np.ndarray  # a-sentences x b-sentences
    cosine: np.ndarray
    overlap: np.ndarray

    def features(self) -> np.ndarray:
        """Pair features (FEATURE_NAMES): each directional measure as (larger, smaller)."""
        fwd = _directional(self.a, self.b, self.combined)
        back = _directional(self.b, self.a, self.combined.T)
        novel = len(self.a.text.specific - self.b.text.specific)
        novel_other = len(self.b.text.specific - self.a.text.specific)
        values = [v for x, y in zip(fwd, back, strict=True) for v in (max(x, y), min(x, y))]
        values += [
            float(self.a.doc_vector @ self.b.doc_vector),
            math.log1p(max(novel, novel_other)),
            math.log1p(min(novel, novel_other)),
            abs(math.log(self.a.text.size / self.b.text.size)),
            math.log1p(min(self.a.text.size, self.b.text.size)),
        ]
        return np.asarray(values, dtype=np.float32)

    def direction_features(self, reverse: bool = False) -> np.ndarray:
        """Evidence that the first document is the derived one (positive values say so)."""
        first, second = (self.b, self.a) if reverse else (self.a, self.b)
        fwd = _best(self._matrix(reverse))
        back = _best(self._matrix(not reverse))
        spec_first, spec_second = len(first.text.specific), len(second.text.specific)
        return np.asarray(
            [
                float((fwd >= 0.7).mean() - (back >= 0.7).mean()),
                _term_containment(first, second) - _term_containment(second, first),
                _specific_containment(first, second) - _specific_containment(second, first),
                math.log((spec_second + 1) / (spec_first + 1)),
                # Split so a linear model can weigh "the origin is much longer" (summaries)
                # apart from "the origin is shorter" (padding, FAQs, explainers add length).
                max(0.0, math.log(second.text.size / first.text.size)),
                max(0.0, math.log(first.text.size / second.text.size)),
                first.text.questions / first.text.size - second.text.questions / second.text.size,
                # An origin has sentences with names and numbers its derivative dropped;
                # padding and FAQ questions a derivative adds carry none of those.
                _new_fact_share(second, first, back) - _new_fact_share(first, second, fwd),
            ],
            dtype=np.float32,
        )

    def coverage(self, reverse: bool = False, level: float = 0.7) -> float:
        return float((_best(self._matrix(reverse)) >= level).mean())

    def evidence(self, reverse: bool = False) -> list[AlignedPair]:
        """For each sentence of the derived side, its best match, where it is close enough."""
        first, second = (self.b, self.a) if reverse else (self.a, self.b)
        matrix = self._matrix(reverse)
        cosine = self.cosine.T if reverse else self.cosine
        overlap = self.overlap.T if reverse else self.overlap
        pairs = []
        for i, j in enumerate(matrix.argmax(axis=1)):
            if matrix[i, j] < EVIDENCE_MIN:
                continue
            pairs.append(
                AlignedPair(
                    doc_sentence=first.text.sentence_ids[i],
                    origin_sentence=second.text.sentence_ids[j],
                    similarity=round(float(cosine[i, j]), 4),
                    overlap=round(float(overlap[i, j]), 4),
                    doc_text=first.text.sentences[i],
                    origin_text=second.text.sentences[j],
                )
            )
        return pairs

    def _matrix(self, reverse: bool) -> np.ndarray:
        return self.combined.T if reverse else self.combined


def compare(a: Prepared, b: Prepared) -> Comparison:
    cosine = a.vectors @ b.vectors.T
    shared = _shared_weight(a, b)
    smaller = np.minimum(a.sentence_weight[:, None], b.sentence_weight[None, :]) - 1.0
    overlap = np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0)
    combined = np.maximum(cosine, 0.5 * cosine + 0.5 * overlap)
    return Comparison(a=a, b=b, combined=combined, cosine=cosine, overlap=overlap)


def _shared_weight(a: Prepared, b: Prepared) -> np.ndarray:
    """Sum of idf over the terms each sentence pair has in common (a-sentences x b)."""
    common = np.intersect1d(a.term_ids, b.term_ids)
    out = np.zeros((a.text.size, b.text.size), dtype=np.float32)
    if len(common) == 0:
        return out
    in_a = np.isin(a.term_ids, common)
    in_b = np.isin(b.term_ids, common)
    left = np.zeros((a.text.size, len(common)), dtype=np.float32)
    np.add.at(
        left, (a.term_rows[in_a], np.searchsorted(common, a.term_ids[in_a])), a.term_idf[in_a]
    )
    right = np.zeros((b.text.size, len(common)), dtype=np.float32)
    right[b.term_rows[in_b], np.searchsorted(common, b.term_ids[in_b])] = 1.0
    return left @ right.T


def _best(matrix: np.ndarray) -> np.ndarray:
    return matrix.max(axis=1)


def _directional(first: Prepared, second: Prepared, matrix: np.ndarray) -> list[float]:
    best = matrix.max(axis=1)
    weight = first.sentence_weight
    values = [float((best >= t).mean()) for t in _COVERAGE_LEVELS]
    values += [float((weight * (best >= t)).sum() / weight.sum()) for t in _WEIGHTED_LEVELS]
    values += [float(best.mean()), float((weight * best).sum() / weight.sum())]
    values.append(_term_containment(first, second))
    values.append(_specific_containment(first, second))
    grams = first.text.all_trigrams
    values.append(len(grams & second.text.all_trigrams) / len(grams) if grams else 0.0)
    aligned = np.nonzero(best >= _ORDER_MIN)[0]
    order = matrix.argmax(axis=1)[aligned]
    values.append(_increasing_run(order.tolist()) / len(aligned) if len(aligned) else 0.0)
    verbatim, partial = _verbatim_shares(first, second)
    values += [verbatim, partial]
    return values


def _new_fact_share(doc: Prepared, other: Prepared, best: np.ndarray) -> float:
    """Share of ``doc``'s sentences that the other does not restate and that carry a name or
    number the other lacks."""
    missing = [
        bool(spec - other.text.specific)
        for spec, match in zip(doc.text.sentence_specific, best, strict=True)
        if match < EVIDENCE_MIN
    ]
    return sum(missing) / doc.text.size


def _term_containment(first: Prepared, second: Prepared) -> float:
    if first.term_weight <= 0:
        return 0.0
    shared = first.text.all_terms & second.text.all_terms
    # fsum: a set's order follows the process's string hashes, and a plain sum's last bits
    # follow the order, so two workers (or two runs) would differ.
    return math.fsum(first.idf.get(t, 0.0) for t in shared) / first.term_weight


def _specific_containment(first: Prepared, second: Prepared) -> float:
    mine = first.text.specific
    return len(mine & second.text.specific) / len(mine) if mine else 0.0


def _verbatim_shares(first: Prepared, second: Prepared) -> tuple[float, float]:
    """Share of sentences copied word for word, and share copied in part."""
    other = second.text.all_trigrams
    shares = [len(g & other) / len(g) for g in first.text.trigrams if len(g) >= 3]
    if not shares:
        return 0.0, 0.0
    values = np.asarray(shares)
    verbatim = float((values >= _VERBATIM).mean())
    return verbatim, float(((values >= _PARTIAL) & (values < _VERBATIM)).mean())


def _increasing_run(sequence: list[int]) -> int:
    """Length of the longest increasing subsequence: how much of the order is kept."""
    tails: list[int] = []
    for x in sequence:
        i = bisect.bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)
