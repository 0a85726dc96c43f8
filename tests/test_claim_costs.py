"""What makes the claim stage cheaper must not change what it finds: batched word-vector
features equal the pair-by-pair ones, the pair model's readings are kept by content and
read again only for new pairs, repeated texts are encoded once, and results do not depend
on Python's string hashing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from storytrace.claims import stage as claim_stage
from storytrace.claims.tokens import TokenVectors, pair_token_features, token_features
from storytrace.ml.pairs import PairScores
from storytrace.store import Store


def _unit(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


def _reference(a: TokenVectors | None, b: TokenVectors | None) -> tuple[float, ...]:
    """The features read one pair at a time, as written before batching."""
    if a is None or b is None or not len(a.pieces) or not len(b.pieces):
        return (0.0, 0.0, 0.0, 0.0)
    sims = a.pieces @ b.pieces.T
    forward, backward = float(sims.max(axis=1).mean()), float(sims.max(axis=0).mean())
    trigger = (
        float((a.triggers @ b.triggers.T).max()) if len(a.triggers) and len(b.triggers) else 0.0
    )
    verbs = 0.0
    if len(a.verbs) and len(b.verbs):
        s = a.verbs @ b.verbs.T
        verbs = float(max((s.max(axis=1) > 0.7).sum(), (s.max(axis=0) > 0.7).sum()))
    return (max(forward, backward), min(forward, backward), trigger, verbs)


def _vectors(rng: np.random.Generator, near: TokenVectors | None = None) -> TokenVectors:
    pieces = _unit(rng.normal(size=(int(rng.integers(1, 30)), 384)))
    if near is not None:  # some pieces and verbs close to another text's: matches above 0.7
        pieces = _unit(np.concatenate([near.pieces[:4] + rng.normal(scale=0.03, size=(
            len(near.pieces[:4]), 384)), pieces]))  # fmt: skip
    triggers = pieces[: int(rng.integers(0, 6))]
    return TokenVectors(pieces, triggers, triggers[: int(rng.integers(0, len(triggers) + 1))])


def test_batched_word_features_equal_the_pair_by_pair_ones() -> None:
    rng = np.random.default_rng(7)
    texts = [_vectors(rng) for _ in range(30)]
    texts += [_vectors(rng, near=t) for t in texts[:10]]
    left, right = [], []
    for k, text in enumerate(texts):
        for other in rng.choice(len(texts), 12, replace=False):
            left.append(text)
            right.append(texts[other] if other != k else None)
    rows = pair_token_features(left, right)
    expected = np.asarray([_reference(a, b) for a, b in zip(left, right, strict=True)])
    assert rows.shape == (len(left), 4)
    np.testing.assert_allclose(rows, expected, atol=1e-6)
    assert (expected[:, 3] > 0).any() and (expected[:, 2] > 0.7).any()  # matches were tested
    assert token_features(texts[0], None) == (0.0, 0.0, 0.0, 0.0)


class _CountingModel:
    """Stands in for the claim-pair model: scores from the texts, and counts what it reads."""

    def __init__(self) -> None:
        self.read: list[tuple[str, str]] = []

    def score(self, pairs: list[tuple[str, str]], prune: bool = False) -> list[PairScores]:
        self.read += pairs
        return [
            PairScores(len(a) / 100, len(b) / 100, 0.01, 0.5, (len(a) + len(b)) / 200)
            for a, b in pairs
        ]


def test_pair_readings_are_kept_and_only_new_pairs_are_read(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    model = _CountingModel()
    first = [("A quake hit.", "An earthquake struck."), ("Two died.", "2 people were killed.")]
    scores = claim_stage.read_with_cache(store, model, first + first[:1])  # type: ignore[arg-type]
    assert model.read == first  # a pair asked for twice is read once
    assert scores[0] == scores[2] == _CountingModel().score(first[:1])[0]

    again = [*first, ("Two died.", "A quake hit.")]
    scores_again = claim_stage.read_with_cache(store, model, again)  # type: ignore[arg-type]
    assert model.read == [*first, again[2]]  # only the new pair; the order of a pair counts
    assert scores_again[:2] == scores[:2]

    claim_stage.reset(store, frozenset({"matching"}))  # new matchers: the readings stay
    claim_stage.read_with_cache(store, model, first)  # type: ignore[arg-type]
    assert len(model.read) == 3
    claim_stage.reset(store, frozenset({"pairs"}))  # another pair model: read again
    claim_stage.read_with_cache(store, model, first)  # type: ignore[arg-type]
    assert len(model.read) == 5
    store.close()


def test_repeated_texts_are_encoded_once() -> None:
    from storytrace.ml import encode
    from storytrace.profiling import measured

    bridge = "The bridge reopened on Monday."
    texts = [bridge, "Rain is expected.", bridge]
    with measured() as cost:
        vectors = encode.encode(texts)
    assert cost.calls == {"MiniLM": 2}
    assert vectors.shape == (3, encode.DIMENSIONS)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert float(vectors[0] @ vectors[1]) < 0.9


def test_repeated_claims_get_their_word_vectors_once() -> None:
    from storytrace.claims.tokens import token_vectors
    from storytrace.profiling import measured

    claim = "The quake struck the coast."
    spans = [(4, 9, "NOUN"), (10, 16, "VERB")]
    with measured() as cost:
        first, other, again = token_vectors([claim, "Rain fell.", claim], [spans, [], spans])
    assert cost.calls == {"MiniLM words": 2}
    assert again is first and len(first.triggers) == 2 and len(first.verbs) == 1
    assert len(other.triggers) == 0


_LINKING = """
from storytrace.claims.entities import link_entities
from storytrace.claims.stage import _name_index
from storytrace.model import Document, EntityMention
from storytrace.stories.text import _names
people = ["Anna Berg", "Carl Berg", "Dora Berg", "Emil Berg"]
mentions = [EntityMention(0, 10 * k, 10 * k + 9, name, "PERSON") for k, name in enumerate(people)]
mentions.append(EntityMention(1, 50, 54, "Berg", "PERSON"))
_, keys = link_entities("s", {"d": mentions})
doc = Document(id="d", text="x" * 60, format="text", location="d.txt", entities=mentions)
print(keys[("d", 50)], _name_index(mentions)["berg"], _names(doc)["person"][-1])
"""


def test_names_are_linked_the_same_whatever_the_hash_seed() -> None:
    """Same-length names that a short form could stand for were ordered by Python's string
    hashing, which changes per process: the claim stage gave different clusters run to run."""
    outputs = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _LINKING], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(done.stdout.strip())
    assert outputs == {"anna_berg Anna Berg anna_berg"}


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
