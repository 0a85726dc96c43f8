"""The stage contract: what a stage declares, and what it is given when it runs.

A stage is a plain record (:class:`Stage`): a name, a version, the *artefacts* it reads
(``requires``) and writes (``produces``), a function that does the work, and the
parameters its results depend on. Stages never call each other: the pipeline
(``storytrace.pipeline``) orders them by what they require and produce, runs the ones whose
inputs, version or parameters changed since their last run, and records each run in the
store. See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storytrace.model import InputError, RawRecord
from storytrace.progress import Progress
from storytrace.settings import Settings
from storytrace.store import Store


@dataclass(slots=True)
class Inputs:
    """What a run reads in: files and folders, a file of URLs, and records already read
    (batch mode's partitions hand their documents' records over, keeping each one's
    location)."""

    paths: list[Path] = field(default_factory=list)
    urls_file: Path | None = None
    records: list[RawRecord] = field(default_factory=list)


@dataclass(slots=True)
class RunContext:
    """Everything a stage's ``run`` is given."""

    store: Store
    settings: Settings
    progress: Progress
    inputs: Inputs | None = None
    # What differs from the stage's last run: "version", or the names of parameters. The
    # stage's ``reset`` has already dealt with it; a stage may read it to say so.
    changed: frozenset[str] = frozenset()


@dataclass(slots=True)
class StageResult:
    """What a run did. ``changed``: whether it wrote anything later stages read (if not,
    they need not run again)."""

    changed: bool
    summary: dict[str, Any] = field(default_factory=dict)  # counts, for the record
    message: str = ""  # one line for the user
    report: Any = None  # the stage's own report object, for callers that want detail
    errors: list[InputError] = field(default_factory=list)


def no_params(store: Store, settings: Settings) -> dict[str, Any]:
    return {}


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the analysis.

    ``version`` names the algorithm (``"reuse/3"``): bump it when stored results would
    come out differently. ``params`` gives the settings, model weights and constants the
    results depend on; they are recorded with the results. When the version or a parameter
    differs from the last run, ``reset`` is called with what changed, to forget exactly
    the results it invalidates, before ``run``. A stage that ``takes_inputs`` runs when
    the pipeline is given inputs (reading them), and only then.
    """

    name: str
    version: str
    requires: tuple[str, ...]
    produces: tuple[str, ...]
    run: Callable[[RunContext], StageResult]
    params: Callable[[Store, Settings], dict[str, Any]] = no_params
    reset: Callable[[Store, frozenset[str]], None] | None = None
    takes_inputs: bool = False
    about: str = ""  # one line: what it does
