"""The two small models of the reuse stage, read from ``weights.json``.

``family``: the probability that two documents belong to one derivation family, from the
pair features (storytrace.reuse.features.FEATURE_NAMES). ``direction``: the probability that
the first document derives from the second, from content evidence alone (dates and declared
sources are applied as rules before it, in storytrace.reuse.links). Both are standardised
logistic regressions fitted by ``python -m benchmarks.reuse --fit`` on the development data named
in the file; their figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from storytrace.ml.logistic import LogisticModel, read_weights, stale_weights
from storytrace.reuse.features import DIRECTION_NAMES, FEATURE_NAMES


@dataclass(frozen=True, slots=True)
class LinkRules:
    """How pair scores become links (see storytrace.reuse.links)."""

    threshold: float = 0.2  # a document links to its best match at or above this score
    margin: float = 0.2  # ... and to other matches within this margin of the best
    possible: float = 0.1  # below the threshold, at or above this: "possibly derived"


CONFIDENCE_NAMES = ("score_logit",)


@dataclass(frozen=True, slots=True)
class Weights:
    family: LogisticModel
    direction: LogisticModel
    rules: LinkRules
    trained_on: str
    # P(a link is right | its pair score), fitted on links the linking rules accepted: a
    # pair score is a probability over all candidate pairs, not over accepted links.
    confidence: LogisticModel | None = None

    def calibrate(self, score: float) -> float:
        if self.confidence is None:
            return score
        return float(self.confidence.probability(np.asarray(confidence_features(score))))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def confidence_features(score: float) -> list[float]:
    return [_logit(score)]


@functools.cache
def load_weights() -> Weights:
    data = read_weights("storytrace.reuse")
    weights = Weights(
        family=LogisticModel.from_json(data["family"]),
        direction=LogisticModel.from_json(data["direction"]),
        rules=LinkRules(**data["rules"]),
        trained_on=data["trained_on"],
        confidence=LogisticModel.from_json(data["confidence"]) if "confidence" in data else None,
    )
    if weights.family.names != FEATURE_NAMES or weights.direction.names != DIRECTION_NAMES:
        raise stale_weights("storytrace.reuse", "reuse")
    return weights
