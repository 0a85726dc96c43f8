"""The read stage: inputs (files, folders, URLs) into stored documents.

Each input unit (a file, a URL) is read and extracted into documents with candidate body
lines. A unit is marked done only when all its records are stored without error, and
records already stored (by location) are skipped, so an interrupted run resumes and a
re-run is a no-op.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx

from storytrace.errors import ExtractionError
from storytrace.extract.record import extract_record
from storytrace.ingest.readers import InputUnit, discover, discover_urls, new_http_client, read_unit
from storytrace.model import InputError, RawRecord
from storytrace.progress import Progress
from storytrace.settings import Settings
from storytrace.stage import Inputs, RunContext, Stage, StageResult
from storytrace.store import Store
from storytrace.util import batched


@dataclass(slots=True)
class ReadReport:
    units: int = 0
    units_skipped: int = 0  # finished in an earlier run
    records: int = 0
    new_documents: int = 0
    duplicates: int = 0  # same content as a stored document, seen at a new location
    already_stored: int = 0  # same location stored by an earlier (interrupted) run
    errors: list[InputError] = field(default_factory=list)


def run(ctx: RunContext) -> StageResult:
    report = read_inputs(ctx.store, ctx.inputs or Inputs(), ctx.settings, ctx.progress)
    summary = {
        "units": report.units,
        "records": report.records,
        "new_documents": report.new_documents,
        "duplicates": report.duplicates,
        "errors": len(report.errors),
    }
    message = (
        f"read: {report.new_documents} new documents from {report.records} records "
        f"({report.duplicates} duplicates of stored content)"
    )
    return StageResult(report.new_documents > 0, summary, message, report, report.errors)


def read_inputs(store: Store, inputs: Inputs, settings: Settings, progress: Progress) -> ReadReport:
    report = ReadReport()
    units = _discover_all(inputs, settings, report, progress)
    progress.start("Reading", len(units))
    needs_http = any(u.kind == "url" for u in units)
    with new_http_client(settings) if needs_http else contextlib.nullcontext() as client:
        for unit in units:
            if store.input_done(unit.key):
                report.units_skipped += 1
            else:
                _read_unit(store, unit, settings, report, progress, client)
            progress.advance()
    if inputs.records:
        _read_records(store, inputs.records, settings, report, progress)
    return report


def _read_records(
    store: Store,
    records: list[RawRecord],
    settings: Settings,
    report: ReadReport,
    progress: Progress,
) -> None:
    """Store records read elsewhere (batch mode's partitions), in batches."""
    progress.start("Storing records", len(records))
    for batch in batched(records, settings.batch_size):
        with store.transaction():
            for record in batch:
                _store_record(store, record, report, progress)
        progress.advance(len(batch))


def _discover_all(
    inputs: Inputs, settings: Settings, report: ReadReport, progress: Progress
) -> list[InputUnit]:
    found: Iterable[InputUnit | InputError] = discover(inputs.paths, settings)
    if inputs.urls_file is not None:
        found = [*found, *discover_urls(inputs.urls_file, settings)]
    units = []
    for item in found:
        if isinstance(item, InputError):
            _fail(item, report, progress)
        else:
            units.append(item)
    report.units = len(units)
    return units


def _fail(error: InputError, report: ReadReport, progress: Progress) -> None:
    report.errors.append(error)
    progress.error(error)


def _read_unit(
    store: Store,
    unit: InputUnit,
    settings: Settings,
    report: ReadReport,
    progress: Progress,
    client: httpx.Client | None,
) -> None:
    """Store a unit's records in batches; the unit is marked done with its last batch."""
    errors_before = len(report.errors)
    records = 0
    for batch in batched(read_unit(unit, settings, client), settings.batch_size):
        with store.transaction():
            for item in batch:
                if isinstance(item, InputError):
                    store.add_error(item)
                    _fail(item, report, progress)
                    continue
                records += 1
                _store_record(store, item, report, progress)
    unit_errors = len(report.errors) - errors_before
    if unit_errors == 0:  # units with errors are retried next time (a URL may work later)
        with store.transaction():
            store.mark_input_done(unit.key, unit.location, records, unit_errors)


def _store_record(store: Store, record: RawRecord, report: ReadReport, progress: Progress) -> None:
    report.records += 1
    if store.has_location(record.location):
        report.already_stored += 1
        return
    try:
        doc, lines = extract_record(record)
    except ExtractionError as exc:
        error = InputError(record.location, str(exc))
        store.add_error(error)
        _fail(error, report, progress)
        return
    if store.add_document(doc, lines):
        report.new_documents += 1
    else:
        report.duplicates += 1


STAGE = Stage(
    name="read",
    version="read/1",
    requires=(),
    produces=("documents",),
    run=run,
    takes_inputs=True,
    about="files, folders, feeds and URLs into documents with candidate body lines",
)
