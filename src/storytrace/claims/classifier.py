"""The claim stage's two small models, read from ``weights.json``.

``detector``: P(a sentence is a check-worthy claim), over storytrace.claims.detect features;
``match``: P(two sentences of a story report the same event), which builds claim clusters;
``same``: P(two sentences state the same claim), the stricter decision behind disagreements
(two sentences that say the same thing with different numbers). The last two share
storytrace.claims.cluster.FEATURES. All are standardised logistic regressions fitted by
``python -m benchmarks.claims --fit`` on the development data named in the file; their figures are
in docs/benchmarks.md.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

from storytrace.claims.cluster import FEATURES
from storytrace.claims.detect import SURFACE, feature_names
from storytrace.ml.logistic import LogisticModel, read_weights, stale_weights

MATCHING_KEYS = ("match", "match_threshold", "also_margin", "same", "same_threshold")


@dataclass(frozen=True, slots=True)
class ClaimWeights:
    detector: LogisticModel
    detector_threshold: float  # a sentence is a claim at or above this probability
    match: LogisticModel
    match_threshold: float  # average-link merge threshold on P(same event)
    also_margin: float  # a claim also joins another cluster at match_threshold - also_margin
    same: LogisticModel  # P(two sentences state the same claim): the stricter decision
    same_threshold: float
    version: str  # changes whenever the detector changes: claims are then redone
    trained_on: str = "-"
    # Changes whenever the matchers or their thresholds change: clusters are then redone.
    matching_version: str = "-"


@functools.cache
def load_claim_weights() -> ClaimWeights:
    data = read_weights("storytrace.claims")
    weights = ClaimWeights(
        detector=LogisticModel.from_json(data["detector"]),
        detector_threshold=float(data["detector_threshold"]),
        match=LogisticModel.from_json(data["match"]),
        match_threshold=float(data["match_threshold"]),
        also_margin=float(data.get("also_margin", 0.0)),
        same=LogisticModel.from_json(data["same"]),
        same_threshold=float(data["same_threshold"]),
        version=str(data["version"]),
        trained_on=str(data["trained_on"]),
        matching_version=hashlib.sha1(
            json.dumps([data[k] for k in MATCHING_KEYS], sort_keys=True).encode()
        ).hexdigest()[:10],
    )
    detector_names = feature_names(len(weights.detector.names) - len(SURFACE))
    matchers = (weights.match.names, weights.same.names)
    if weights.detector.names != detector_names or matchers != (FEATURES, FEATURES):
        raise stale_weights("storytrace.claims", "claims")
    return weights
