"""The web application: ``storytrace serve`` (FastAPI, served by uvicorn).

One app over one store: HTML pages for people (`pages.py`) and a JSON API for programs
(`api.py`, OpenAPI at /openapi.json, listed at /api), both built from the same payloads as
the command line and the report (`storytrace.payload`); request dependencies (a store per
request, the write check) are in `deps.py`. Article content is untrusted: pages are rendered by
Jinja2 with autoescaping, no page runs script from content (the only script allowed is
none: every page works without JavaScript), and every response carries a strict
Content-Security-Policy. Writing (ingest) needs the token when one is configured, and is
refused in read-only mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from storytrace import __version__
from storytrace.errors import StoreError
from storytrace.settings import Settings
from storytrace.web.api import router as api_router
from storytrace.web.deps import WebSettings
from storytrace.web.jobs import Jobs
from storytrace.web.pages import router as pages_router

# Pages and API answers: nothing from elsewhere, no script, no plugin, not framed.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
STATIC = Path(__file__).resolve().parent / "static"


def create_app(web: WebSettings, settings: Settings | None = None) -> FastAPI:
    # URLs sent to a server come from its users: never fetched from its own networks,
    # whatever the environment says (STORYTRACE_ALLOW_PRIVATE_URLS is for the command line).
    settings = (settings or Settings.from_env()).with_(
        db=web.db, progress=False, allow_private_urls=False
    )
    if not web.db.exists():
        raise StoreError(
            f"{web.db}: no store here (`storytrace serve` creates an empty one, except with "
            "--read-only)"
        )
    jobs = Jobs(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Iterator[None]:  # type: ignore[misc]
        yield
        jobs.close()  # waits for the running job, then removes the upload folder

    app = FastAPI(
        title="storytrace",
        version=__version__,
        description="What is known about a news story, from how many independent sources, "
        "and who copied whom. Every page of the web app is built from these endpoints' data.",
        lifespan=lifespan,
        # Swagger UI and ReDoc load their code from a CDN: nothing here may. The spec is at
        # /openapi.json and listed as a page at /api.
        docs_url=None,
        redoc_url=None,
    )
    app.state.web = web
    app.state.settings = settings
    app.state.jobs = jobs

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}"
            for e in exc.errors()
        ]
        return JSONResponse({"detail": "; ".join(problems) or "bad request"}, status_code=400)

    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
