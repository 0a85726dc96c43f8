"""Ingest jobs of the web app: uploads and URL lists run through the whole pipeline
(``Workspace.analyze``) in a background thread (one at a time: the store has one writer),
with their progress readable while they run."""

from __future__ import annotations

import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from storytrace.model import InputError
from storytrace.settings import Settings
from storytrace.workspace import Workspace

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

    def __init__(self, job: Job, lock: threading.Lock) -> None:
        self.job, self.lock = job, lock

    def start(self, task: str, total: int | None) -> None:
        with self.lock:
            self.job.stage, self.job.done, self.job.total = task, 0, total

    def advance(self, n: int = 1) -> None:
        with self.lock:
            self.job.done += n

    def error(self, error: InputError) -> None:
        with self.lock:
            self.job.errors.append(str(error))


class Jobs:
    """Queued and finished ingest jobs; the newest 100 are kept."""

    def __init__(self, settings: Settings, spool: Path) -> None:
        self.settings = settings
        self.spool = spool
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
        folder = self.spool / uuid.uuid4().hex
        folder.mkdir(parents=True)
        return folder

    def _run(self, job: Job, folder: Path, urls_file: Path | None) -> None:
        progress = _JobProgress(job, self.lock)
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
            with self.lock:
                job.status, job.message = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)
