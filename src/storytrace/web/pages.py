"""HTML pages, rendered on the server from the API's data (no script needed: progress
pages refresh themselves, furniture and aligned sentences open as <details>)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from storytrace.report.svg import provenance_svg, timeline_svg
from storytrace.web import api
from storytrace.web.deps import WorkspaceDep, allow_write
from storytrace.workspace import Workspace

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    web = request.app.state.web
    return templates.TemplateResponse(request, name, {"web": web, **context}, status_code=status)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ws: Workspace = WorkspaceDep) -> HTMLResponse:
    return _page(request, "home.html", topics=ws.topics(), counts=ws.counts())


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: str, ws: Workspace = WorkspaceDep) -> HTMLResponse:
    data = api.story(story_id, ws)
    names = ws.titles()
    return _page(
        request, "story.html", story=data, names=names,
        timeline_svg=timeline_svg(data["timeline"]),
        provenance_svg=provenance_svg(data["provenance"], names, lambda d: f"/documents/{d}"),
    )  # fmt: skip


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document(request: Request, doc_id: str, ws: Workspace = WorkspaceDep) -> HTMLResponse:
    return _page(request, "document.html", doc=api.document(doc_id, ws), names=ws.titles())


@router.get("/ask", response_class=HTMLResponse)
def ask(
    request: Request,
    q: Annotated[str, Query(max_length=500)] = "",
    ws: Workspace = WorkspaceDep,
) -> HTMLResponse:
    answer = api.ask(request, q, "fused", ws) if q.strip() else None
    return _page(request, "ask.html", q=q, answer=answer, names=ws.titles())


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    return _page(request, "ingest.html")


@router.post("/ingest", response_class=HTMLResponse)
def ingest_upload(
    request: Request,
    files: Annotated[list[UploadFile], File()],
    token: Annotated[str, Form()] = "",
) -> RedirectResponse:
    allow_write(request.app.state.web, token or None)
    job = api.save_uploads(request, [f for f in files if f.filename])
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/ingest/urls", response_class=HTMLResponse)
def ingest_urls(
    request: Request,
    urls: Annotated[str, Form(max_length=200_000)],
    token: Annotated[str, Form()] = "",
) -> RedirectResponse:
    allow_write(request.app.state.web, token or None)
    job = api.save_urls(request, urls.splitlines())
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job(request: Request, job_id: str) -> HTMLResponse:
    found = request.app.state.jobs.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id!r}")
    return _page(request, "job.html", job=found)


@router.get("/api", response_class=HTMLResponse)
def api_page(request: Request) -> HTMLResponse:
    """The API's endpoints, listed from its OpenAPI spec."""
    spec = request.app.openapi()
    endpoints = [
        (method.upper(), path, op.get("summary", ""), (op.get("description") or "").strip())
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    ]
    return _page(request, "api.html", endpoints=endpoints)
