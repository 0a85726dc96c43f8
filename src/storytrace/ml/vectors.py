"""Sentence vectors for any stage: the ones the reuse stage stored, the rest encoded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from storytrace.ml import encode
from storytrace.store import Store


def sentence_vectors(
    store: Store | None, items: Sequence[tuple[str, int, str]], threads: int = 1
) -> np.ndarray:
    """Unit vectors of (doc id, sentence index, text) items: the ones the reuse stage stored,
    and the sentences it skipped (too short for reuse) encoded here."""
    stored: dict[str, dict[int, np.ndarray]] = {}
    rows: list[np.ndarray | None] = []
    missing: list[tuple[int, str]] = []
    for doc_id, index, text in items:
        if doc_id not in stored:
            stored[doc_id] = _stored(store, doc_id)
        vector = stored[doc_id].get(index)
        if vector is None:
            missing.append((len(rows), text))
        rows.append(vector)
    encoder = encode.store_encoder(store)
    encoded = encode.encode([text for _, text in missing], threads, encoder=encoder)
    for (position, _), vector in zip(missing, encoded, strict=True):
        rows[position] = vector
    if not rows:
        return np.zeros((0, encode.dimensions(encoder)), dtype=np.float32)
    matrix = np.stack([np.asarray(v, dtype=np.float32) for v in rows])
    # Stored vectors are float16: renormalise so that dot products stay cosines.
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)


def _stored(store: Store | None, doc_id: str) -> dict[int, np.ndarray]:
    if store is None:
        return {}
    try:
        kept = store.reuse.get_doc(doc_id)
    except KeyError:
        return {}
    return dict(zip(kept.sentence_ids, kept.vectors, strict=True))


def mean_vector(vectors: np.ndarray) -> np.ndarray:
    """Unit-length mean of sentence vectors: the document's position for neighbour search."""
    if len(vectors) == 0:
        return np.zeros(vectors.shape[1] if vectors.ndim == 2 else 0, dtype=np.float32)
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm else mean).astype(np.float32)
