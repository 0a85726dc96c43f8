"""The cost of a pipeline run, stage by stage (``storytrace analyze --profile``)."""

from __future__ import annotations

from typing import Any

from storytrace import __version__
from storytrace.pipeline import RunReport, StageOutcome

PROFILE_SCHEMA = "storytrace.profile/1"


def profile_payload(
    run: RunReport, documents: int, sentences: int, outputs_seconds: float | None = None
) -> dict[str, Any]:
    """Per stage that ran: seconds, documents and sentences per second (over the store's
    ``documents`` and ``sentences``: every one of them on a first run), peak memory, and
    what each expensive model was given; and the seconds spent writing the outputs (they
    cover the whole store, so they are not a stage's cost)."""
    stages = [_row(o, documents, sentences) for o in run.outcomes if o.ran]
    total = sum(row["seconds"] for row in stages)
    return {
        "schema": PROFILE_SCHEMA,
        "version": __version__,
        "documents": documents,
        "sentences": sentences,
        "seconds": round(total, 2),
        "docs_per_s": _rate(documents, total),
        "peak_rss_mb": max((row["peak_rss_mb"] for row in stages), default=0),
        "outputs_seconds": None if outputs_seconds is None else round(outputs_seconds, 2),
        "stages": stages,
    }


def _row(outcome: StageOutcome, documents: int, sentences: int) -> dict[str, Any]:
    cost = outcome.cost
    return {
        "stage": outcome.stage,
        "reason": outcome.reason,
        "seconds": round(outcome.seconds, 2),
        "docs_per_s": _rate(documents, outcome.seconds),
        "sentences_per_s": _rate(sentences, outcome.seconds),
        "peak_rss_mb": cost.peak_rss_mb if cost else 0,
        "worker_peak_mb": cost.worker_peak_mb if cost else 0,
        "model_inputs": dict(sorted(cost.calls.items())) if cost else {},
    }


def _rate(items: int, seconds: float) -> float | None:
    return round(items / seconds, 1) if seconds > 0 else None
