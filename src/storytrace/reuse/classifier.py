"""The two small models of the reuse stage, read from ``weights.json``.

``family``: the probability that two documents belong to one derivation family, from the
pair features (storytrace.reuse.features.FEATURE_NAMES). ``direction``: the probability that
the first document derives from the second, from content evidence alone (dates and declared
sources are applied as rules before it, in storytrace.reuse.links). Both are standardised
logistic regressions fitted by ``benchmarks/reuse.py --fit`` on the development data named
in the file; their figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

import numpy as np

from storytrace.errors import StorytraceError
from storytrace.reuse.features import DIRECTION_NAMES, FEATURE_NAMES


@dataclass(frozen=True, slots=True)
class LogisticModel:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(positive) for one feature row or a matrix of rows."""
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self) -> dict[str, object]:
        return {
            "names": list(self.names),
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "coef": self.coef.round(6).tolist(),
            "intercept": round(self.intercept, 6),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> LogisticModel:
        return cls(
            names=tuple(data["names"]),  # type: ignore[arg-type]
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=float(data["intercept"]),  # type: ignore[arg-type]
        )


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


def untrained(names: tuple[str, ...]) -> LogisticModel:
    """A model that answers 0.5 for everything: for computing features before fitting."""
    zeros = np.zeros(len(names))
    return LogisticModel(names, zeros, np.ones(len(names)), zeros, 0.0)


def read_weights(package: str) -> dict:
    """The ``weights.json`` shipped in a stage package, as a dict."""
    try:
        raw = resources.files(package).joinpath("weights.json").read_text()
    except FileNotFoundError as exc:
        path = package.replace(".", "/")
        raise StorytraceError(f"{path}/weights.json is missing; reinstall storytrace") from exc
    return json.loads(raw)


def stale_weights(package: str, script: str) -> StorytraceError:
    path = package.replace(".", "/")
    return StorytraceError(
        f"{path}/weights.json does not match this version's features; "
        f"refit it with `python benchmarks/{script} --fit`"
    )


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
        raise stale_weights("storytrace.reuse", "reuse.py")
    return weights
