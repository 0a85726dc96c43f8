"""The answer ranking: which retrieved sentences answer the question, as P(answers).

A logistic regression over signals of each retrieved sentence, fitted on the dev question
sets (``python -m benchmarks.ask_eval --fit``; cross-validated by topic there, figures in
docs/benchmarks.md) and shipped in ``ranking.json``:

- ``cosine``: the MiniLM cosine of question and sentence;
- ``words``: the share of the question's content words the sentence holds, weighted by
  how rare each is in the store (inverse document frequency: a name counts more than
  "said"), matched by stem;
- ``bm25``: 1 / rank in the BM25 list (0 when BM25 did not find it);
- ``span``: the best candidate answer of the asked kind in the sentence (storytrace.ask
  .span; 0 when there is none), and ``untyped``: 1 for questions that ask for no kind;
- ``length``: log of the sentence's word count;
- ``position``: 1 / (1 + the sentence's index in its page), and ``first``: 1 for the
  first sentence (news states the main facts first).

A cross-encoder fine-tuned on TrecQA (``benchmarks/answer_selection.py``) was measured as a
further signal and added nothing on the dev questions, at 0.3-0.5 s per question: it is not
used (docs/benchmarks.md, "Answers").
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np

from storytrace.ask.retrieve import Hit
from storytrace.ask.span import Asked, Sentence, find_spans, stem
from storytrace.errors import StorytraceError

FEATURES = ("cosine", "words", "bm25", "span", "untyped", "length", "position", "first")
WEIGHTS = "ranking.json"


def features(
    want: Asked,
    hits: Sequence[Hit],
    entities: dict[tuple[str, int], list[tuple[int, int, str, str]]],
    frequencies: dict[str, int],
    documents: int,
) -> np.ndarray:
    """One row of FEATURES per hit."""
    weights = _term_weights(want.terms, frequencies, documents)
    total = sum(weights.values()) or 1.0
    rows = []
    for hit in hits:
        said = {stem(w) for w in re.findall(r"\w+", hit.text)}
        held = sum(w for term, w in weights.items() if stem(term) in said)
        found = entities.get((hit.doc_id, hit.sentence_index), [])
        spans = find_spans(want, [Sentence(hit.doc_id, hit.sentence_index, hit.text, 1.0, found)])
        rows.append([
            hit.similarity,
            held / total,
            1.0 / hit.lexical_rank if hit.lexical_rank else 0.0,
            spans[0].score if spans else 0.0,
            1.0 if want.kind is None else 0.0,
            math.log(1 + len(hit.text.split())),
            1.0 / (1 + hit.sentence_index),
            1.0 if hit.sentence_index == 0 else 0.0,
        ])  # fmt: skip
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def _term_weights(terms: frozenset[str], frequencies: dict[str, int], documents: int) -> dict:
    n = max(documents, 1)
    return {t: math.log(1 + n / (1 + frequencies.get(t, 0))) for t in terms}


def probabilities(rows: np.ndarray, model: dict[str, Any] | None = None) -> np.ndarray:
    """P(answers) for each row, by the shipped (or given) weights."""
    model = model or read_weights()
    coefficients = np.asarray([model["coefficients"][f] for f in FEATURES])
    mean = np.asarray([model["mean"][f] for f in FEATURES])
    scale = np.asarray([model["scale"][f] for f in FEATURES])
    z = ((rows - mean) / scale) @ coefficients + model["intercept"]
    return 1.0 / (1.0 + np.exp(-z))


@functools.cache
def read_weights() -> dict[str, Any]:
    try:
        raw = resources.files("storytrace.ask").joinpath(WEIGHTS).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise StorytraceError(
            f"storytrace/ask/{WEIGHTS} is missing; reinstall storytrace or fit it with "
            "`python -m benchmarks.ask_eval --fit`"
        ) from exc
    return json.loads(raw)
