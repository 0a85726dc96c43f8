"""The facade the command line and the web app share: one store, its settings, the
pipeline that keeps it up to date, and the outputs read from it.

Interfaces never run stages or read store tables themselves: they open a
:class:`Workspace`, bring it up to date (``ingest``, ``update``, ``analyze``) and ask for
payloads (``storytrace.payload``), which they print, serve or write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storytrace import payload, pipeline
from storytrace.ask import Answer, SentenceIndex, answer_question
from storytrace.ask.retrieve import Mode
from storytrace.brief import Brief, store_briefs
from storytrace.errors import StoreError
from storytrace.ingest.read import ReadReport
from storytrace.model import InputError
from storytrace.payload.profile import profile_payload
from storytrace.pipeline import RunReport
from storytrace.progress import Progress
from storytrace.report import write_report
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store
from storytrace.timeline.entity import EntityTimelineRow, store_entity_timeline

# Stages each view needs up to date before it is read (the last stage of each chain).
UNTIL: dict[str, str | tuple[str, ...]] = {
    "documents": "annotate",
    "reuse": "reuse",
    "stories": "stories",
    "claims": "claims",
    "brief": "claims",
    "ask": ("claims", "index"),
    "timeline": "timeline",
    "report": "timeline",
}


@dataclass(slots=True)
class IngestReport:
    """What reading, cleaning and annotating inputs did."""

    db: Path
    units: int = 0
    units_skipped: int = 0  # finished in an earlier run
    records: int = 0
    new_documents: int = 0
    new_sentences: int = 0  # sentences of the new documents
    duplicates: int = 0  # same content as a stored document, seen at a new location
    already_stored: int = 0  # same location stored by an earlier (interrupted) run
    cleaned: int = 0
    annotated: int = 0
    errors: list[InputError] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each stage

    @property
    def ok(self) -> bool:
        return not self.errors

    @classmethod
    def from_run(cls, db: Path, run: RunReport) -> IngestReport:
        report = cls(db=db)
        read = run.result("read")
        if read is not None and isinstance(read.report, ReadReport):
            for name in ("units", "units_skipped", "records", "new_documents", "duplicates",
                         "already_stored", "errors"):  # fmt: skip
                setattr(report, name, getattr(read.report, name))
        cleaned, annotated = run.result("clean"), run.result("annotate")
        report.cleaned = cleaned.summary.get("changed", 0) if cleaned else 0
        report.annotated = annotated.summary.get("annotated", 0) if annotated else 0
        report.seconds = {
            o.stage: o.seconds for o in run.outcomes if o.stage in {"read", "clean", "annotate"}
        }
        return report


class Workspace:
    """A store opened with settings. ``create``: make the store file when it is missing
    (ingest, analyze); otherwise a missing store is an error that says what to run."""

    def __init__(self, settings: Settings, create: bool = False, public: bool = False) -> None:
        if not create and not settings.db.exists():
            raise StoreError(
                f"{settings.db}: no such store; run `storytrace ingest PATH --db {settings.db}`"
            )
        self.settings = settings
        self.store = Store(settings.db)
        # A public workspace (the web app's) shows where documents were read without the
        # server's folders: URLs, file names (payload/public.py).
        self.shown = payload.public if public else _as_is

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keeping it up to date -------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[Path],
        urls_file: Path | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Read inputs in, clean and annotate them (later stages are left for later)."""
        inputs = Inputs(list(paths), urls_file)
        run = pipeline.run(self.store, self.settings, "annotate", inputs, progress)
        return IngestReport.from_run(self.settings.db, run)

    def analyze(
        self,
        paths: Iterable[Path],
        urls_file: Path | None = None,
        progress: Progress | None = None,
    ) -> tuple[IngestReport, RunReport]:
        """Read inputs in and run every stage."""
        inputs = Inputs(list(paths), urls_file)
        sentences = self.store.count("sentences")
        run = pipeline.run(self.store, self.settings, None, inputs, progress)
        report = IngestReport.from_run(self.settings.db, run)
        report.new_sentences = self.store.count("sentences") - sentences
        return report, run

    def update(self, view: str, progress: Progress | None = None) -> RunReport:
        """Bring the stages ``view`` reads up to date (see ``UNTIL``)."""
        wanted = UNTIL[view]
        report = RunReport()
        for until in (wanted,) if isinstance(wanted, str) else wanted:
            run = pipeline.run(self.store, self.settings, until, None, progress)
            done = {o.stage for o in report.outcomes}
            report.outcomes += [o for o in run.outcomes if o.stage not in done or o.ran]
        return report

    # -- finding things --------------------------------------------------------------------
    def resolve_document(self, ref: str) -> str:
        """A document id from a unique prefix or a location (KeyError with a reason)."""
        return self.store.resolve_id(ref)

    def resolve_story(self, ref: str | None) -> str | None:
        """A story id from a unique prefix; None stays None (every story)."""
        return None if ref is None else self.store.stories.resolve(ref)

    # -- payloads --------------------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        return self.shown(payload.document_list(self.store))

    def document(self, doc_id: str) -> dict[str, Any]:
        return self.shown(payload.document_payload(self.store, doc_id))

    def reuse(self, doc_id: str | None = None) -> dict[str, Any]:
        return self.shown(payload.reuse_payload(self.store, doc_id))

    def stories(self) -> dict[str, Any]:
        return self.shown(payload.stories_payload(self.store))

    def story(self, story_id: str) -> dict[str, Any]:
        return self.shown(payload.story_payload(self.store, story_id))

    def claims(self, story_id: str | None = None) -> dict[str, Any]:
        return self.shown(payload.claims_payload(self.store, story_id))

    def timeline(self, story_id: str | None = None) -> dict[str, Any]:
        return self.shown(payload.timeline_payload(self.store, story_id))

    def entity_timeline(
        self, entity: str, story_id: str | None = None, progress: Progress | None = None
    ) -> dict[str, Any]:
        doc_ids = payload.story_doc_ids(self.store, story_id)
        rows: list[EntityTimelineRow] = store_entity_timeline(
            self.store, entity, doc_ids, self.settings.spacy_model, progress
        )
        return payload.entity_timeline_payload(entity, story_id, rows, len(doc_ids))

    def briefs(self, story_id: str | None = None, limit: int = 8) -> list[Brief]:
        return store_briefs(self.store, story_id, limit)

    def brief_payload(self, briefs: list[Brief], story_id: str | None = None) -> dict[str, Any]:
        return payload.brief_payload(briefs, story_id)

    def ask(
        self, question: str, mode: Mode = "fused", index: SentenceIndex | None = None
    ) -> tuple[Answer, dict[str, Any]]:
        """The answer and its payload (``index``: a sentence index to reuse)."""
        index = index or SentenceIndex(self.store, threads=self.settings.workers)
        answer = answer_question(index, question, mode)
        return answer, self.shown(payload.answer_payload(answer, self.store.first_locations()))

    def sentence_index(self) -> SentenceIndex:
        return SentenceIndex(self.store, threads=self.settings.workers)

    def report(self, out: Path, largest: int | None = None) -> list[Path]:
        """report.html, report.md and report.json in ``out`` (of the largest stories only,
        with ``largest``)."""
        return write_report(self.store, out, largest)

    def export(self, out: Path) -> list[Path]:
        """documents.json, reuse.json, stories.json, claims.json, timeline.json and
        summary.md in ``out``."""
        return payload.write_outputs(self.store, out)

    def profile(
        self,
        run: RunReport,
        outputs_seconds: float | None = None,
        added: IngestReport | None = None,
    ) -> dict[str, Any]:
        """What each stage of ``run`` cost, and what writing the outputs and report took.
        Rates are over the documents the run added (``added``), or over the whole store when
        it added none (a stage rerun for new models or settings works on every document)."""
        stored = (self.store.count("documents"), self.store.count("sentences"))
        new = (added.new_documents, added.new_sentences) if added else (0, 0)
        return profile_payload(run, stored, new if new[0] else None, outputs_seconds)

    def overview(self) -> dict[str, Any]:
        return self.shown(payload.overview(self.store))

    # -- what the web app shows ------------------------------------------------------------
    def topics(self) -> list[dict[str, Any]]:
        return self.shown(payload.topic_list(self.store))

    def story_list(self) -> list[dict[str, Any]]:
        return self.shown(payload.story_list(self.store))

    def story_view(self, story_id: str) -> dict[str, Any]:
        """One story as the report shows it: brief, timeline, claims, provenance."""
        return self.shown(payload.story_data(self.store, story_id))

    def document_view(self, doc_id: str) -> dict[str, Any]:
        """One document as the report shows it: text, furniture, aligned relatives."""
        return self.shown(payload.document_data(self.store, doc_id))

    def counts(self) -> dict[str, int]:
        return payload.counts(self.store)

    def titles(self) -> dict[str, str]:
        return payload.display_titles(self.store)

    def sentence_count(self) -> int:
        return self.store.count("sentences")


def _as_is(data: Any) -> Any:
    return data
