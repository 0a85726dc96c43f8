"""The JSON API: everything the pages show, for programs. Reads are open; writes (ingest)
need the token when one is set. Bad parameters get a 4xx with a message, never a 500."""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from pydantic import BaseModel, Field

from storytrace.ask import SentenceIndex
from storytrace.web.deps import WebSettings, WorkspaceDep, WriteDep
from storytrace.web.jobs import Job
from storytrace.workspace import Workspace

router = APIRouter(prefix="/api", tags=["api"])
# Upload names are reduced to safe characters: no folders, no "..", no hidden files.
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_ACCEPTED = {".txt", ".html", ".htm", ".jsonl", ".json", ".warc", ".gz", ".xml", ".rss", ".md"}
_TYPES = {
    "application/octet-stream", "application/json", "application/x-ndjson",
    "application/jsonl", "application/warc", "application/gzip", "application/x-gzip",
    "application/xml", "application/rss+xml", "application/atom+xml", "application/xhtml+xml",
}  # fmt: skip
_ID = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]


class Urls(BaseModel):
    urls: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(min_length=1)


@router.get("/topics")
def topics(ws: Workspace = WorkspaceDep) -> dict[str, Any]:
    """Topics and their stories, with sizes, independent origins and dates."""
    return {"topics": ws.topics()}


@router.get("/stories")
def stories(ws: Workspace = WorkspaceDep) -> dict[str, Any]:
    return {"stories": ws.story_list()}


@router.get("/stories/{story_id}")
def story(story_id: _ID, ws: Workspace = WorkspaceDep) -> dict[str, Any]:
    """One story: brief, timeline, claims, disagreements and provenance graph."""
    try:
        return ws.story_view(ws.resolve_story(story_id) or "")
    except KeyError as exc:
        raise HTTPException(404, f"no story {story_id!r}") from exc


@router.get("/documents")
def documents(ws: Workspace = WorkspaceDep) -> dict[str, Any]:
    return {"documents": ws.documents()}


@router.get("/documents/{doc_id}")
def document(doc_id: _ID, ws: Workspace = WorkspaceDep) -> dict[str, Any]:
    """One document: clean text, removed furniture, relatives with aligned sentences."""
    try:
        return ws.document_view(ws.resolve_document(doc_id))
    except KeyError as exc:
        raise HTTPException(404, f"no document {doc_id!r}") from exc


@router.get("/ask")
def ask(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description="the question")],
    mode: Literal["fused", "bm25", "embedding"] = "fused",
    ws: Workspace = WorkspaceDep,
) -> dict[str, Any]:
    """The answer's words (or null and why there is none), the sentences that answer
    grouped by claim with their support, and every ranked sentence with its scores."""
    if not q.strip():
        raise HTTPException(400, "the question is empty")
    _, data = ws.ask(q, mode, _index(request, ws))
    return data


@router.post("/ingest", status_code=202, dependencies=[WriteDep])
def ingest_files(
    request: Request, files: Annotated[list[UploadFile], File(description="pages to add")]
) -> dict[str, Any]:
    """Add uploaded files (text, HTML, JSONL, WARC, feeds); the pipeline runs in the
    background: follow it at /api/jobs/{id}."""
    return asdict(save_uploads(request, files))


@router.post("/ingest/urls", status_code=202, dependencies=[WriteDep])
def ingest_urls(request: Request, body: Urls) -> dict[str, Any]:
    """Fetch and add pages from a list of URLs (http and https only)."""
    return asdict(save_urls(request, body.urls))


@router.get("/jobs/{job_id}")
def job(request: Request, job_id: _ID) -> dict[str, Any]:
    found = request.app.state.jobs.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id!r}")
    return asdict(found)


def save_uploads(request: Request, files: list[UploadFile]) -> Job:
    web: WebSettings = request.app.state.web
    if not files:
        raise HTTPException(400, "no file given")
    if len(files) > web.max_files:
        raise HTTPException(413, f"at most {web.max_files} files per upload")
    jobs = request.app.state.jobs
    folder = jobs.new_folder()
    try:
        names = _save_files(files, folder, web.max_upload_bytes)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # a refused upload leaves nothing behind
        raise
    return jobs.submit(folder, names)


def _save_files(files: list[UploadFile], folder: Path, limit: int) -> list[str]:
    total, names = 0, []
    for upload in files:
        name = _safe_name(upload.filename or "upload.txt")
        _check_type(upload)
        data = upload.file.read(limit + 1)
        total += len(data)
        if total > limit:
            raise HTTPException(413, f"uploads are limited to {limit:,} bytes")
        target = _unique(folder / name)
        target.write_bytes(data)
        names.append(target.name)
    return names


def save_urls(request: Request, urls: list[str]) -> Job:
    web: WebSettings = request.app.state.web
    cleaned = [u.strip() for u in urls if u.strip()]
    if not cleaned:
        raise HTTPException(400, "no URL given")
    if len(cleaned) > web.max_urls:
        raise HTTPException(413, f"at most {web.max_urls} URLs per request")
    bad = [u for u in cleaned if not re.match(r"^https?://[^\s/]+", u)]
    if bad:
        raise HTTPException(400, f"not an http(s) URL: {bad[0][:200]!r}")
    jobs = request.app.state.jobs
    folder = jobs.new_folder()
    urls_file = folder / "urls.txt"
    urls_file.write_text("\n".join(cleaned) + "\n", encoding="utf-8")
    return jobs.submit(folder, [f"{len(cleaned)} URLs"], urls_file)


def _safe_name(name: str) -> str:
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).lstrip("._") or "upload"
    suffix = "".join(Path(base).suffixes[-2:]).lower()
    if not any(suffix.endswith(s) for s in _ACCEPTED):
        raise HTTPException(415, f"{name!r}: send text, HTML, JSONL, WARC or feed files")
    return base[:120]


def _check_type(upload: UploadFile) -> None:
    """The declared type must be one a page can have: text, markup, JSON, an archive of
    pages or unknown ("application/octet-stream", what browsers send for .warc)."""
    kind = (upload.content_type or "application/octet-stream").split(";")[0].strip().lower()
    if kind.startswith("text/") or kind in _TYPES:
        return
    raise HTTPException(415, f"{upload.filename!r}: type {kind!r} is not a page")


def _unique(path: Path) -> Path:
    n = 1
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def _index(request: Request, ws: Workspace) -> SentenceIndex:
    """The sentence index, rebuilt when the store has changed since it was built."""
    count = ws.sentence_count()
    cached = getattr(request.app.state, "index", None)
    if cached is None or cached[0] != count:
        request.app.state.index = (count, ws.sentence_index())
    index = copy.copy(request.app.state.index[1])  # shares the vectors
    index.store = ws.store  # with this request's connection (requests run in several threads)
    return index
