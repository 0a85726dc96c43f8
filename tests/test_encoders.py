"""The two sentence encoders: MiniLM and the static model distilled from it; a store keeps
the vectors of one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storytrace.errors import StorytraceError
from storytrace.ml import encode
from storytrace.ml.static import STATIC_DIMENSIONS, STATIC_NAME, encode_static
from storytrace.store import Store
from support import DEMO_PAGES, build


def test_static_vectors_are_unit_length_and_put_paraphrases_closer() -> None:
    vectors = encode_static([
        "The harbour workers ended their strike on Monday.",
        "Dock workers called off the strike at the port on Monday.",
        "A new phone with a folding screen goes on sale next week.",
    ])  # fmt: skip
    assert vectors.shape == (3, STATIC_DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert encode_static([]).shape == (0, STATIC_DIMENSIONS)


def test_unknown_encoder_is_a_clear_error() -> None:
    with pytest.raises(StorytraceError, match="unknown encoder 'glove'"):
        encode.encode(["a sentence"], encoder="glove")


@pytest.mark.slow
def test_a_store_keeps_the_encoder_it_was_built_with(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    build(db, *sorted(DEMO_PAGES.glob("strike-deal-*")), until="reuse", encoder="static")
    with Store(db) as store:
        assert store.reuse.encoders() == [STATIC_NAME]
        assert encode.store_encoder(store) == "static"  # later runs follow the store
        assert encode.store_encoder(store, "static") == "static"
        with pytest.raises(StorytraceError, match="made with the static encoder"):
            encode.store_encoder(store, "minilm")
    assert encode.store_encoder(None) == "minilm"
