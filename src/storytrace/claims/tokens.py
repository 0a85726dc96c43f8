"""Word-level evidence for claim matching: MiniLM's contextual token vectors.

Two reports of one event share its *trigger*: "struck" / "hit" / "shook", "resigned" /
"stepped down", in context. A sentence vector blurs that with everything else the sentence
says; the best match between the two sentences' verbs and nouns does not. The claim stage
keeps, for each claim, the character spans of its verbs and nouns (from the spaCy parse it
already runs for attribution) and, when it clusters a story, runs MiniLM once more over the
claims to get one vector per word piece; a word's vector is the mean of its pieces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from storytrace.ml import encode

Span = tuple[int, int, str]  # start, end (character offsets in the sentence), "VERB" / "NOUN"
TRIGGER_POS = frozenset({"VERB", "NOUN"})


@dataclass(slots=True)
class TokenVectors:
    pieces: np.ndarray  # unit vectors of the word pieces that hold a letter or digit
    triggers: np.ndarray  # unit vectors of the verbs and nouns
    verbs: np.ndarray  # the verbs among them


def trigger_spans(tokens: Sequence) -> list[Span]:
    """Verbs and nouns of a parsed sentence (spaCy tokens), stop words left out, as
    character spans relative to the sentence start."""
    if not tokens:
        return []
    base = tokens[0].idx
    return [
        (t.idx - base, t.idx - base + len(t.text), t.pos_)
        for t in tokens
        if t.pos_ in TRIGGER_POS and not t.is_stop
    ]


def token_vectors(
    texts: Sequence[str], spans: Sequence[Sequence[Span]], threads: int = 1
) -> list[TokenVectors]:
    """Piece and trigger vectors for each text (one MiniLM pass)."""
    if not texts:
        return []
    model = encode._model(threads)
    outputs = model.encode(
        list(texts), output_value="token_embeddings", convert_to_numpy=False, batch_size=64
    )
    offsets = model.tokenizer(
        list(texts),
        return_offsets_mapping=True,
        truncation=True,
        max_length=model.max_seq_length,
    )["offset_mapping"]
    found = []
    for text, output, offset, text_spans in zip(texts, outputs, offsets, spans, strict=True):
        vectors = _unit(output.float().numpy())
        found.append(_for_text(text, vectors, offset, text_spans))
    return found


def _for_text(
    text: str, vectors: np.ndarray, offsets: Sequence[tuple[int, int]], spans: Sequence[Span]
) -> TokenVectors:
    keep = [
        k
        for k, (start, end) in enumerate(offsets[: len(vectors)])
        if end > start and any(c.isalnum() for c in text[start:end])
    ]
    triggers, verbs = [], []
    for start, end, pos in spans:
        pieces = [k for k in keep if offsets[k][0] < end and offsets[k][1] > start]
        if pieces:
            vector = _unit(vectors[pieces].mean(axis=0, keepdims=True))[0]
            triggers.append(vector)
            if pos == "VERB":
                verbs.append(vector)
    return TokenVectors(vectors[keep], _stack(triggers), _stack(verbs))


def _stack(rows: list[np.ndarray]) -> np.ndarray:
    return np.stack(rows) if rows else np.zeros((0, encode.DIMENSIONS), dtype=np.float32)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-9)).astype(np.float32)


def token_features(a: TokenVectors | None, b: TokenVectors | None) -> tuple[float, ...]:
    """(piece alignment best side, worst side, best trigger match, verbs matched at 0.7)."""
    if a is None or b is None or not len(a.pieces) or not len(b.pieces):
        return (0.0, 0.0, 0.0, 0.0)
    sims = a.pieces @ b.pieces.T
    forward, backward = float(sims.max(axis=1).mean()), float(sims.max(axis=0).mean())
    trigger = (
        float((a.triggers @ b.triggers.T).max()) if len(a.triggers) and len(b.triggers) else 0.0
    )
    verbs = 0.0
    if len(a.verbs) and len(b.verbs):
        verb_sims = a.verbs @ b.verbs.T
        verbs = float(max((verb_sims.max(axis=1) > 0.7).sum(), (verb_sims.max(axis=0) > 0.7).sum()))
    return (max(forward, backward), min(forward, backward), trigger, verbs)
