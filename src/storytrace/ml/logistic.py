"""Small standardised logistic models and the weight files they are read from.

Each stage that decides with a model ships its weights as ``weights.json`` in its package,
fitted by a script under ``benchmarks/`` on development data named in the file. The
file's hash is part of the stage's parameters (``weights_fingerprint``), so new weights
redo exactly the results they decide.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import resources

import numpy as np

from storytrace.errors import StorytraceError


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
        f"refit it with `python -m benchmarks.{script} --fit`"
    )


@functools.cache
def weights_fingerprint(package: str) -> str:
    """A short hash of a package's ``weights.json``: recorded with the results it decided."""
    raw = json.dumps(read_weights(package), sort_keys=True)
    return hashlib.sha1(raw.encode()).hexdigest()[:12]
