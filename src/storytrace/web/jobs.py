"""Ingest jobs of the web app: uploads and URL lists run through the whole pipeline
(``Workspace.analyze``) in a background thread (one at a time: the store has one writer),
with their progress readable while they run."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from storytrace.model import InputError
from storytrace.payload import shown_location
from storytrace.settings import Settings
from storytrace.workspace import Workspace

log = logging.getLogger(__name__)
SPOOL_PREFIX = "storytrace-uploads-"
Status = Literal["queued", "running", "done", "failed"]


@dataclass(slots=True)
class Job:
    id: str
    inputs: list[str]  # what the user sent: file names or "N URLs"
    status: Status = "queued"
    stage: str = ""  # the step now running ("Reading", "Reuse", "Claims", ...)
    done: int = 0
    total: int | None = None
    errors: list[str] = field(default_factory=list)
    new_documents: int = 0
    message: str = ""


class _JobProgress:
    """The pipeline's progress protocol, written into a job."""

    def __init__(self, job: Job, lock: threading.Lock, folder: Path) -> None:
        self.job, self.lock, self.folder = job, lock, folder

    def start(self, task: str, total: int | None) -> None:
        with self.lock:
            self.job.stage, self.job.done, self.job.total = task, 0, total

    def advance(self, n: int = 1) -> None:
        with self.lock:
            self.job.done += n

    def error(self, error: InputError) -> None:
        # The file's name, not the upload folder it was saved in on the server.
        shown = f"{shown_location(error.location)}: {error.message}"
        with self.lock:
            self.job.errors.append(shown.replace(str(self.folder), ""))


class Jobs:
    """Queued and finished ingest jobs; the newest 100 are kept."""

    def __init__(self, settings: Settings, spool_parent: Path | None = None) -> None:
        self.settings = settings
        # Made at the first upload (a server that only reads leaves nothing in the temp
        # folder) and removed by close(); each job's own folder goes when the job ends.
        self.spool_parent = spool_parent
        self.spool: Path | None = None
        self.lock = threading.Lock()
        self.jobs: dict[str, Job] = {}
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storytrace-ingest")

    def submit(self, folder: Path, inputs: list[str], urls_file: Path | None = None) -> Job:
        job = Job(uuid.uuid4().hex[:12], inputs)
        with self.lock:
            self.jobs[job.id] = job
            for old in list(self.jobs)[:-100]:
                del self.jobs[old]
        self.pool.submit(self._run, job, folder, urls_file)
        return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def new_folder(self) -> Path:
        with self.lock:
            if self.spool is None:
                self.spool = Path(tempfile.mkdtemp(prefix=SPOOL_PREFIX, dir=self.spool_parent))
        folder = self.spool / uuid.uuid4().hex
        folder.mkdir()
        return folder

    def _run(self, job: Job, folder: Path, urls_file: Path | None) -> None:
        progress = _JobProgress(job, self.lock, folder)
        with self.lock:
            job.status = "running"
        try:
            paths = [p for p in folder.iterdir() if p != urls_file]
            with Workspace(self.settings, create=True) as ws:
                report, _ = ws.analyze(paths, urls_file, progress)
            with self.lock:
                job.new_documents = report.new_documents
                job.status, job.stage = "done", "finished"
                job.message = f"{report.new_documents} new documents"
        except Exception as exc:  # the job fails with its reason; the server goes on
            log.exception("ingest job %s failed", job.id)  # the whole story, for the operator
            reason = str(exc).replace(str(folder), "").replace(str(self.settings.db), "the store")
            with self.lock:
                job.status, job.message = "failed", f"{type(exc).__name__}: {reason}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        """Wait for the jobs already queued, then remove the upload folder and all in it."""
        self.pool.shutdown(wait=True, cancel_futures=False)
        if self.spool is not None:
            shutil.rmtree(self.spool, ignore_errors=True)
