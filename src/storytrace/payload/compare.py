"""``storytrace compare``: how two sentences relate, read by the claim-pair model.

The public face of the model that decides which pages state a claim
(``storytrace.ml.pairs``): a fact-checker can check one pair, or a file of pairs, and see
the same relation and scores the claim stage acts on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storytrace import __version__
from storytrace.errors import StorytraceError
from storytrace.ml.pairs import model_version, pair_scorer, relation

COMPARE_SCHEMA = "storytrace.compare/1"
MAX_PAIRS = 100_000  # a file of pairs is read whole; beyond this, run it in parts


def read_pair_file(path: Path) -> list[tuple[str, str]]:
    """Pairs from a UTF-8 file, one per line: sentence A, a tab, sentence B. Blank lines and
    lines starting with ``#`` are skipped; any other line without exactly one tab is an
    error naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise StorytraceError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise StorytraceError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise StorytraceError(f"{path}: cannot read it ({exc.strerror})") from exc
    pairs = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise StorytraceError(
                f"{path}, line {number}: expected two sentences separated by one tab"
            )
        pairs.append((parts[0].strip(), parts[1].strip()))
    if not pairs:
        raise StorytraceError(f"{path}: no pairs in it (one pair per line, tab-separated)")
    if len(pairs) > MAX_PAIRS:
        raise StorytraceError(f"{path}: {len(pairs)} pairs; at most {MAX_PAIRS} per call")
    return pairs


def compare_payload(pairs: list[tuple[str, str]], threads: int = 1) -> dict[str, Any]:
    """Each pair's relation (equivalent / entails / entailed-by / contradicts / related /
    unrelated) and the model's scores (probabilities, similarity 0-1)."""
    scorer = pair_scorer(threads)
    scored = scorer.score(pairs)
    return {
        "schema": COMPARE_SCHEMA,
        "storytrace": __version__,
        "model": model_version(),
        "thresholds": {k: getattr(scorer.thresholds, k) for k in scorer.thresholds.__slots__},
        "pairs": [
            {"a": a, "b": b, "relation": relation(s, scorer.thresholds), "scores": s.as_dict()}
            for (a, b), s in zip(pairs, scored, strict=True)
        ],
    }
