"""Ingest: read inputs, extract, clean and annotate, into the store.

Three passes, each resumable:

1. **read + extract** each input unit (file, URL) into documents with candidate body lines;
   a unit is marked done only when all its records are stored without error, and records
   already stored (by location) are skipped, so an interrupted run resumes and a re-run is a
   no-op;
2. **clean**: corpus statistics over all candidate lines find template furniture that repeats
   across documents; each document's clean text and blocks are (re)built;
3. **annotate**: spaCy sentences and entities for every document whose clean text changed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from storytrace.errors import ExtractionError
from storytrace.extract.dates import parse_date
from storytrace.extract.furniture import CorpusStats, remove_patterns, remove_repeated
from storytrace.extract.html import extract_html
from storytrace.extract.text import parse_text
from storytrace.ingest.readers import (
    InputUnit,
    discover,
    discover_urls,
    new_http_client,
    read_unit,
)
from storytrace.model import (
    Block,
    Document,
    Extraction,
    InputError,
    Line,
    RawRecord,
    document_id,
)
from storytrace.nlp import annotate
from storytrace.progress import Progress, QuietProgress
from storytrace.settings import Settings
from storytrace.store import Store
from storytrace.util import batched


@dataclass(slots=True)
class IngestReport:
    db: Path
    units: int = 0
    units_skipped: int = 0  # finished in an earlier run
    records: int = 0
    new_documents: int = 0
    duplicates: int = 0  # same content as a stored document, seen at a new location
    already_stored: int = 0  # same location stored by an earlier (interrupted) run
    cleaned: int = 0
    annotated: int = 0
    errors: list[InputError] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each pass

    @property
    def ok(self) -> bool:
        return not self.errors


def ingest(
    paths: Iterable[str | Path],
    settings: Settings,
    urls_file: Path | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest files, folders and (optionally) a URL list into ``settings.db``."""
    progress = progress or QuietProgress()
    report = IngestReport(db=settings.db)
    with Store(settings.db) as store:
        with _timed(report, "read"):
            units = _discover_all(paths, urls_file, settings, report, progress)
            _read_units(store, units, settings, report, progress)
        with _timed(report, "clean"):
            report.cleaned = clean_corpus(store, settings, progress)
        with _timed(report, "annotate"):
            report.annotated = annotate_pending(store, settings, progress)
    return report


@contextlib.contextmanager
def _timed(report: IngestReport, name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        report.seconds[name] = time.perf_counter() - start


def _discover_all(
    paths: Iterable[str | Path],
    urls_file: Path | None,
    settings: Settings,
    report: IngestReport,
    progress: Progress,
) -> list[InputUnit]:
    found: Iterable[InputUnit | InputError] = discover(paths, settings)
    if urls_file is not None:
        found = [*found, *discover_urls(urls_file, settings)]
    units = []
    for item in found:
        if isinstance(item, InputError):
            _fail(item, report, progress)
        else:
            units.append(item)
    report.units = len(units)
    return units


def _fail(error: InputError, report: IngestReport, progress: Progress) -> None:
    report.errors.append(error)
    progress.error(error)


# -- pass 1: read and extract -------------------------------------------------------------
def _read_units(
    store: Store,
    units: list[InputUnit],
    settings: Settings,
    report: IngestReport,
    progress: Progress,
) -> None:
    progress.start("Reading", len(units))
    needs_http = any(u.kind == "url" for u in units)
    with new_http_client(settings) if needs_http else contextlib.nullcontext() as client:
        for unit in units:
            if store.input_done(unit.key):
                report.units_skipped += 1
            else:
                _read_unit(store, unit, settings, report, progress, client)
            progress.advance()


def _read_unit(
    store: Store,
    unit: InputUnit,
    settings: Settings,
    report: IngestReport,
    progress: Progress,
    client: httpx.Client | None,
) -> None:
    """Store a unit's records in batches; the unit is marked done with its last batch."""
    errors_before = len(report.errors)
    records = 0
    items = read_unit(unit, settings, client)
    for batch in batched(items, settings.batch_size):
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


def _store_record(
    store: Store, record: RawRecord, report: IngestReport, progress: Progress
) -> None:
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


def extract_record(record: RawRecord) -> tuple[Document, list[Line]]:
    """A document (metadata, raw text, per-document removals) and its candidate lines."""
    if record.format == "html":
        found = extract_html(record.content, record.url)
        kept, removed = remove_patterns(found.lines)
        found.lines, found.removed = kept, [*found.removed, *removed]
    else:
        found = parse_text(record.content)
    doc = Document(
        id=_content_id(record, found),
        text="",
        format=record.format,
        location=record.location,
        raw=record.content,
        title=record.title or found.title,
        url=record.url or found.url,
        author=record.author or found.author,
        declared_source=found.declared_source,
        removed=sorted(found.removed, key=lambda r: r.line_no),
    )
    doc.site = record.source or found.site or _host(doc.url)
    doc.published, doc.published_text = _published(record, found)
    return doc, found.lines


def _content_id(record: RawRecord, found: Extraction) -> str:
    """Stable id from the normalized visible content: for text the whole input, for HTML the
    extracted title, body and the page text around it (markup and scripts do not count)."""
    if record.format == "text":
        return document_id(None, [record.content])
    visible = sorted([*found.lines, *found.removed], key=lambda x: x.line_no)
    return document_id(found.title, [x.text for x in visible])


def _published(record: RawRecord, found: Extraction) -> tuple[str | None, str | None]:
    """The container's date wins over one found in the page (it is usually more reliable)."""
    if record.published:
        parsed = parse_date(record.published)
        if parsed:
            return parsed, record.published
    return found.published, found.published_text


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


# -- pass 2: corpus statistics and clean text ---------------------------------------------
def clean_corpus(store: Store, settings: Settings, progress: Progress | None = None) -> int:
    """Remove template furniture found by corpus statistics; returns documents changed."""
    progress = progress or QuietProgress()
    corpus = list(store.iter_candidate_lines())
    stats = CorpusStats.build(
        (doc_id, site, [ln.text for ln in lines]) for doc_id, site, lines in corpus
    )
    progress.start("Cleaning", len(corpus))
    changed = 0
    for batch in batched(corpus, 500):
        with store.transaction():
            for doc_id, _site, lines in batch:
                kept, removed = remove_repeated(lines, stats)
                text, blocks = assemble(kept)
                changed += store.set_clean(doc_id, text, blocks, removed)
        progress.advance(len(batch))
    return changed


def assemble(lines: list[Line]) -> tuple[str, list[Block]]:
    """Clean text from kept lines: one block per line, blocks separated by a blank line."""
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        if parts:
            offset += 2
        blocks.append(Block(offset, offset + len(text), line.kind))
        parts.append(text)
        offset += len(text)
    return "\n\n".join(parts), blocks


# -- pass 3: sentences and entities -------------------------------------------------------
def annotate_pending(store: Store, settings: Settings, progress: Progress | None = None) -> int:
    """Sentences and entities for every document whose clean text changed."""
    progress = progress or QuietProgress()
    pending = store.ids_with_status("cleaned")
    if not pending:
        return 0
    progress.start("Sentences and entities", len(pending))
    # Worker processes pay a model load each; only worth it for larger runs.
    workers = settings.workers if len(pending) >= 200 else 1
    docs = (store.get(doc_id) for doc_id in pending)
    done = 0
    for batch in batched(annotate(docs, settings.spacy_model, 64, workers), settings.batch_size):
        with store.transaction():
            for doc in batch:
                store.set_annotations(doc.id, doc.sentences, doc.entities)
        done += len(batch)
        progress.advance(len(batch))
    return done
