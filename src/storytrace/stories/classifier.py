"""The story stage's two small models, read from ``weights.json``.

``event``: the probability that two documents report the same event; ``topic``: that they
belong to the same broader topic (fitted on pairs from *different* events, since topics are
unions of stories). Both are standardised logistic regressions over
storytrace.stories.features.FEATURE_NAMES, fitted by ``python -m benchmarks.stories --fit`` on the
development data named in the file, with the clustering thresholds chosen there. Their
figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from storytrace.ml.logistic import LogisticModel, read_weights, stale_weights, untrained
from storytrace.stories.features import FEATURE_NAMES


@dataclass(frozen=True, slots=True)
class StoryWeights:
    event: LogisticModel
    topic: LogisticModel
    event_threshold: float = 0.4  # mean P(same event) at which two clusters merge
    topic_threshold: float = 0.25
    trained_on: str = "-"


def untrained_weights() -> StoryWeights:
    """Models that answer 0.5 everywhere: for computing features before fitting."""
    return StoryWeights(untrained(FEATURE_NAMES), untrained(FEATURE_NAMES))


@functools.cache
def load_story_weights() -> StoryWeights:
    data = read_weights("storytrace.stories")
    weights = StoryWeights(
        event=LogisticModel.from_json(data["event"]),
        topic=LogisticModel.from_json(data["topic"]),
        event_threshold=float(data["event_threshold"]),
        topic_threshold=float(data["topic_threshold"]),
        trained_on=data["trained_on"],
    )
    if weights.event.names != FEATURE_NAMES or weights.topic.names != FEATURE_NAMES:
        raise stale_weights("storytrace.stories", "stories")
    return weights
