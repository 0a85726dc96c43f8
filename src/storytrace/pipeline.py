"""The pipeline: every stage, in order, and the one function that runs them.

``STAGES`` below is the only place the order is written. Each stage declares the artefacts
it requires and produces (``storytrace.stage.Stage``); the order is checked when this
module is imported, so a stage that needs something no earlier stage makes fails at once.

``run(store, settings, until=...)`` runs the stages ``until`` depends on (all of them by
default), each one only when it is *stale*: never run, a new version or new parameters, or
an input artefact that changed since its last run. Every run is recorded in the store with
its version, parameters and the generations of the inputs it read. The CLI, the web app,
batch mode and the tests all go through here.

Adding a stage: write a module that defines a ``Stage`` (docs/architecture.md has a worked
example) and add it to ``STAGES``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from storytrace import answer_index, embed
from storytrace.claims import stage as claims
from storytrace.errors import StorytraceError
from storytrace.ingest import annotate, clean, read
from storytrace.profiling import Measure, measured
from storytrace.progress import Progress, QuietProgress
from storytrace.reuse import stage as reuse
from storytrace.settings import Settings
from storytrace.stage import Inputs, RunContext, Stage, StageResult
from storytrace.store import Store
from storytrace.store.runs import StageRecord
from storytrace.stories import stage as stories
from storytrace.timeline import stage as timeline

STAGES: tuple[Stage, ...] = (
    read.STAGE,  # inputs -> documents
    clean.STAGE,  # documents -> clean_text
    annotate.STAGE,  # clean_text -> sentences, entities
    embed.STAGE,  # sentences -> sentence_vectors, signatures
    answer_index.STAGE,  # sentences, sentence_vectors -> answer_index
    reuse.STAGE,  # sentence_vectors, signatures -> links, families
    stories.STAGE,  # sentence_vectors, entities, families -> stories, topics
    claims.STAGE,  # sentences, entities, sentence_vectors, stories, families -> claims, ...
    timeline.STAGE,  # claim_clusters, stories, families -> timelines
)


class PipelineError(StorytraceError):
    """The stages cannot run in the order given, or a stage name is unknown."""


@dataclass(slots=True)
class StageOutcome:
    """What the pipeline did with one stage: ran it (and why), or skipped it."""

    stage: str
    ran: bool
    reason: str  # why it ran ("never run", "new sentences", ...) or "up to date"
    seconds: float = 0.0
    result: StageResult | None = None
    cost: Measure | None = None  # peak memory and model work while it ran (profiling.py)


@dataclass(slots=True)
class RunReport:
    outcomes: list[StageOutcome] = field(default_factory=list)

    def result(self, stage: str) -> StageResult | None:
        """The result of ``stage`` in this run (None when it did not run)."""
        return next((o.result for o in self.outcomes if o.stage == stage), None)

    @property
    def ran(self) -> list[str]:
        return [o.stage for o in self.outcomes if o.ran]


class Pipeline:
    """Stages in an order that satisfies every requirement (checked here)."""

    def __init__(self, stages: Sequence[Stage]) -> None:
        check_order(stages)
        self.stages = tuple(stages)
        self.by_name = {s.name: s for s in self.stages}

    def plan(self, until: str | None = None) -> list[Stage]:
        """The stages ``until`` needs, itself included, in pipeline order (all: None)."""
        if until is None:
            return list(self.stages)
        if until not in self.by_name:
            known = ", ".join(self.by_name)
            raise PipelineError(f"no stage {until!r} (stages: {known})")
        needed = {until}
        for stage in reversed(self.stages):
            if stage.name in needed:
                needed |= {self._maker(a) for a in stage.requires}
        return [s for s in self.stages if s.name in needed]

    def _maker(self, artefact: str) -> str:
        return next(s.name for s in self.stages if artefact in s.produces)

    def run(
        self,
        store: Store,
        settings: Settings,
        until: str | None = None,
        inputs: Inputs | None = None,
        progress: Progress | None = None,
    ) -> RunReport:
        """Run what is missing or stale, up to ``until``; return what was done."""
        progress = progress or QuietProgress()
        report = RunReport()
        for stage in self.plan(until):
            report.outcomes.append(_run_stage(stage, store, settings, inputs, progress))
        return report

    def status(self, store: Store, settings: Settings) -> list[dict[str, Any]]:
        """Each stage with its declaration, its last run and whether it is up to date."""
        rows = []
        for stage in self.stages:
            record = store.runs.record(stage.name)
            params = _plain(stage.params(store, settings))
            seen = store.runs.generations(stage.requires)
            reason = _staleness(stage, record, params, seen, None)
            if stage.takes_inputs:
                reason = None  # it runs when given inputs, and has nothing to redo otherwise
            rows.append({
                "stage": stage.name, "version": stage.version, "about": stage.about,
                "requires": list(stage.requires), "produces": list(stage.produces),
                "params": params, "finished_at": record.finished_at if record else None,
                "seconds": record.seconds if record else None,
                "summary": record.summary if record else {},
                "up_to_date": reason is None, "state": reason or "up to date",
            })  # fmt: skip
        return rows


def check_order(stages: Sequence[Stage]) -> None:
    """Fail unless every required artefact is produced by an earlier stage, each artefact
    by one stage only, and stage names are unique."""
    made: dict[str, str] = {}
    names: set[str] = set()
    for stage in stages:
        if stage.name in names:
            raise PipelineError(f"two stages are named {stage.name!r}")
        names.add(stage.name)
        missing = [a for a in stage.requires if a not in made]
        if missing:
            raise PipelineError(
                f"stage {stage.name!r} requires {', '.join(missing)}, which no earlier stage "
                "produces"
            )
        for artefact in stage.produces:
            if artefact in made:
                raise PipelineError(
                    f"{artefact!r} is produced by both {made[artefact]!r} and {stage.name!r}"
                )
            made[artefact] = stage.name


def _run_stage(
    stage: Stage,
    store: Store,
    settings: Settings,
    inputs: Inputs | None,
    progress: Progress,
) -> StageOutcome:
    params = _plain(stage.params(store, settings))
    seen = store.runs.generations(stage.requires)
    record = store.runs.record(stage.name)
    reason = _staleness(stage, record, params, seen, inputs)
    if reason is None:
        return StageOutcome(stage.name, False, "no inputs" if stage.takes_inputs else "up to date")
    with store.transaction():
        interrupted = store.runs.begin(stage.name)
    changed = _changed(stage, record, params)
    if changed and stage.reset is not None:
        stage.reset(store, changed)
    with measured() as cost:
        result = stage.run(RunContext(store, settings, progress, inputs, changed))
    seconds = cost.seconds
    done = StageRecord(stage.name, stage.version, params, seen, seconds, result.summary)
    # An interrupted earlier attempt may have written results that nothing downstream saw.
    wrote = result.changed or interrupted or bool(changed)
    with store.transaction():
        store.runs.finish(done, stage.produces if wrote else ())
    return StageOutcome(stage.name, True, reason, seconds, result, cost)


def _staleness(
    stage: Stage,
    record: StageRecord | None,
    params: dict[str, Any],
    seen: dict[str, int],
    inputs: Inputs | None,
) -> str | None:
    """Why the stage must run, or None when its stored results are up to date."""
    if stage.takes_inputs:
        return "new inputs" if inputs is not None else None
    if record is None:
        return "never run"
    changed = _changed(stage, record, params)
    if changed:
        return "changed: " + ", ".join(sorted(changed))
    newer = [a for a in stage.requires if seen[a] > record.inputs.get(a, 0)]
    return ("new " + ", ".join(newer)) if newer else None


def _changed(stage: Stage, record: StageRecord | None, params: dict[str, Any]) -> frozenset[str]:
    """ "version" and the parameters that differ from the last run (none: never run)."""
    if record is None:
        return frozenset()
    keys = params.keys() | record.params.keys()
    found = {k for k in keys if params.get(k) != record.params.get(k)}
    if record.version != stage.version:
        found.add("version")
    return frozenset(found)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as they read back from the store (JSON: tuples become lists)."""
    return json.loads(json.dumps(params, sort_keys=True))


PIPELINE = Pipeline(STAGES)


def run(
    store: Store,
    settings: Settings,
    until: str | None = None,
    inputs: Inputs | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Run the pipeline on ``store`` (see :meth:`Pipeline.run`)."""
    return PIPELINE.run(store, settings, until, inputs, progress)
