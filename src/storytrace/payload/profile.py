"""The cost of a pipeline run, stage by stage (``storytrace analyze --profile``)."""

from __future__ import annotations

from typing import Any

from storytrace import __version__
from storytrace.pipeline import RunReport, StageOutcome

PROFILE_SCHEMA = "storytrace.profile/1"


def profile_payload(
    run: RunReport,
    stored: tuple[int, int],
    added: tuple[int, int] | None = None,
    outputs_seconds: float | None = None,
) -> dict[str, Any]:
    """Per stage that ran: seconds, documents and sentences per second, peak memory, and
    what each expensive model was given; and the seconds spent writing the outputs (they
    cover the whole store, so they are not a stage's cost).

    ``stored`` and ``added``: (documents, sentences) in the store and added by the run.
    Rates are over what the run added when it added something (10 pages added to 10,000
    are 10 documents of work, not 10,000), else over everything stored."""
    documents, sentences = added or stored
    stages = [_row(o, documents, sentences) for o in run.outcomes if o.ran]
    total = sum(row["seconds"] for row in stages)
    return {
        "schema": PROFILE_SCHEMA,
        "version": __version__,
        "documents": stored[0],
        "sentences": stored[1],
        "rates_over": {
            "documents": documents,
            "sentences": sentences,
            "of": "added by this run" if added else "stored",
        },
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
