"""Which sentences are claims: check-worthy factual statements.

A sentence is scored by a logistic model over its MiniLM embedding and a few surface
features (numbers, names by type, pronouns, modals, length), fitted on the ClaimBuster
development set by ``python -m benchmarks.claims --fit`` (figures in docs/benchmarks.md). The
embedding carries what the sentence is about; the surface features carry what makes a
statement checkable (a number, a named actor, a date).

Some sentences are never claims, whatever the model says: questions, fragments, and the
page's address to its reader ("In this article we will explore...", "You might be
wondering..."), which content farms add as padding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from storytrace.ml.logistic import LogisticModel
from storytrace.text import NAME_LABELS
from storytrace.util import word_set

MIN_WORDS = 5
SURFACE = (
    "log_words",
    "numbers",
    "person",
    "org",
    "place",
    "date",
    "quantity",
    "first_person",
    "second_person",
    "modal",
    "quote",
    "exclaim",
)
# Entity groups a check-worthy sentence tends to have: actors, places, dates, quantities.
_ENTITY_GROUP = {label: group for label, group in NAME_LABELS.items() if group != "other"} | {
    "DATE": "date",
    "TIME": "date",
    "CARDINAL": "quantity",
    "MONEY": "quantity",
    "PERCENT": "quantity",
    "QUANTITY": "quantity",
    "ORDINAL": "quantity",
}
_FIRST = word_set("i we me us my our mine ours")
_SECOND = word_set("you your yours guys")
_MODAL = word_set("may might could would should must can")
_WORD = re.compile(r"[A-Za-z']+|\d+(?:[.,]\d+)*")
# The page talking to its reader: padding, not a statement about the world.
_READER_ADDRESS = re.compile(
    r"^(?:so,?\s+)?(?:in this (?:article|post|guide)|let'?s\b|you (?:might|may|probably) "
    r"(?:be )?(?:wonder|ask|think)|(?:we|i)(?:'ll| will) (?:explore|look|discuss|dive|cover)|"
    r"(?:keep|stay) (?:reading|tuned)|read on\b|click\b|subscribe\b|share this\b)",
    re.IGNORECASE,
)


def surface_features(text: str, labels: Sequence[str]) -> np.ndarray:
    """SURFACE features of one sentence; ``labels``: its entities' spaCy labels."""
    tokens = _WORD.findall(text)
    lowered = [t.lower() for t in tokens]
    groups = [_ENTITY_GROUP.get(label) for label in labels]
    return np.asarray(
        [
            np.log1p(len(tokens)),
            sum(t[0].isdigit() for t in tokens),
            groups.count("person"),
            groups.count("org"),
            groups.count("place"),
            groups.count("date"),
            groups.count("quantity"),
            sum(t in _FIRST for t in lowered),
            sum(t in _SECOND for t in lowered),
            sum(t in _MODAL for t in lowered),
            float(any(q in text for q in '"“”')),
            float(text.rstrip().endswith("!")),
        ],
        dtype=np.float32,
    )


def excluded(text: str) -> bool:
    """Never a claim: a question, a fragment, or the page addressing its reader."""
    stripped = text.strip()
    return (
        stripped.endswith("?")
        or len(_WORD.findall(stripped)) < MIN_WORDS
        or bool(_READER_ADDRESS.match(stripped))
    )


def feature_matrix(
    texts: Sequence[str], vectors: np.ndarray, labels: Sequence[Sequence[str]]
) -> np.ndarray:
    surface = np.stack([surface_features(t, lab) for t, lab in zip(texts, labels, strict=True)])
    return np.hstack([vectors.astype(np.float32), surface]) if len(texts) else surface


def feature_names(dimensions: int) -> tuple[str, ...]:
    return (*(f"embedding_{i}" for i in range(dimensions)), *SURFACE)


def claim_probability(
    model: LogisticModel,
    texts: Sequence[str],
    vectors: np.ndarray,
    labels: Sequence[Sequence[str]],
) -> np.ndarray:
    """P(check-worthy claim) per sentence; excluded sentences get 0."""
    if not texts:
        return np.zeros(0)
    scores = model.probability(feature_matrix(texts, vectors, labels))
    scores[[excluded(t) for t in texts]] = 0.0
    return scores
