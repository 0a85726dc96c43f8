"""Word-level evidence for claim matching: MiniLM's contextual token vectors.

Two reports of one event share its *trigger*: "struck" / "hit" / "shook", "resigned" /
"stepped down", in context. A sentence vector blurs that with everything else the sentence
says; the best match between the two sentences' verbs and nouns does not. The claim stage
keeps, for each claim, the character spans of its verbs and nouns (from the spaCy parse it
already runs for attribution) and, when it clusters a story, runs MiniLM once more over the
claims to get one vector per word piece; a word's vector is the mean of its pieces.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from storytrace.ml import encode
from storytrace.profiling import count

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
    """Piece and trigger vectors for each text (one MiniLM pass over the distinct ones:
    copied pages repeat their claims word for word)."""
    keys = [(text, tuple(map(tuple, own))) for text, own in zip(texts, spans, strict=True)]
    distinct = list(dict.fromkeys(keys))
    encoded = _encode([text for text, _ in distinct], [own for _, own in distinct], threads)
    found = dict(zip(distinct, encoded, strict=True))
    return [found[key] for key in keys]


def _encode(
    texts: Sequence[str], spans: Sequence[Sequence[Span]], threads: int
) -> list[TokenVectors]:
    if not texts:
        return []
    count("MiniLM words", len(texts))
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
    return tuple(float(v) for v in pair_token_features([a], [b])[0])


def pair_token_features(
    a: Sequence[TokenVectors | None], b: Sequence[TokenVectors | None]
) -> np.ndarray:
    """token_features of each pair (a[k], b[k]), one row per pair. Pairs that share their
    first side (the same object) are read with one matrix product against all their
    second sides: a story's claims are compared with dozens of others each, and one small
    product per pair cost more in Python than in arithmetic."""
    rows = np.zeros((len(a), 4), dtype=np.float32)
    groups: dict[int, list[int]] = defaultdict(list)
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        if x is not None and y is not None and len(x.pieces) and len(y.pieces):
            groups[id(x)].append(k)
    for pairs in groups.values():
        first = a[pairs[0]]
        assert first is not None
        rows[pairs] = _against(first, [b[k] for k in pairs])  # type: ignore[misc]
    return rows


def _against(x: TokenVectors, others: Sequence[TokenVectors]) -> np.ndarray:
    forward, backward = _alignment(x.pieces, [o.pieces for o in others])
    trigger = _best_match(x.triggers, [o.triggers for o in others])
    verbs = _verbs_matched(x.verbs, [o.verbs for o in others])
    return np.column_stack(
        [np.maximum(forward, backward), np.minimum(forward, backward), trigger, verbs]
    )


def _segments(blocks: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The blocks stacked, where each starts, and how long each is (all non-empty)."""
    lengths = np.asarray([len(m) for m in blocks])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.concatenate(blocks), starts, lengths


def _alignment(pieces: np.ndarray, blocks: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Mean best match of x's pieces in each block (forward) and of each block's pieces in
    x (backward)."""
    stacked, starts, lengths = _segments(blocks)
    sims = pieces @ stacked.T
    forward = np.maximum.reduceat(sims, starts, axis=1).astype(np.float64).mean(axis=0)
    backward = np.add.reduceat(sims.max(axis=0).astype(np.float64), starts) / lengths
    return forward, backward


def _best_match(vectors: np.ndarray, blocks: Sequence[np.ndarray]) -> np.ndarray:
    """The highest similarity between a row of ``vectors`` and a row of each block (0
    where either side has none)."""
    out = np.zeros(len(blocks))
    present = [k for k, m in enumerate(blocks) if len(m)]
    if len(vectors) and present:
        stacked, starts, _ = _segments([blocks[k] for k in present])
        out[present] = np.maximum.reduceat((vectors @ stacked.T).max(axis=0), starts)
    return out


def _verbs_matched(verbs: np.ndarray, blocks: Sequence[np.ndarray]) -> np.ndarray:
    """How many verbs of the side with more matches have a match above 0.7 in the other."""
    out = np.zeros(len(blocks))
    present = [k for k, m in enumerate(blocks) if len(m)]
    if len(verbs) and present:
        stacked, starts, _ = _segments([blocks[k] for k in present])
        sims = verbs @ stacked.T
        mine = (np.maximum.reduceat(sims, starts, axis=1) > 0.7).sum(axis=0)
        theirs = np.add.reduceat((sims.max(axis=0) > 0.7).astype(np.int64), starts)
        out[present] = np.maximum(mine, theirs)
    return out
