"""What the web app's routes depend on: its settings, a store per request, and the
check that guards writes."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, Header, HTTPException, Request

from storytrace.workspace import Workspace


@dataclass(frozen=True, slots=True)
class WebSettings:
    db: Path
    token: str | None = None  # required for write endpoints when set
    read_only: bool = False
    max_upload_bytes: int = 20_000_000  # per request
    max_files: int = 200
    max_urls: int = 500


def workspace(request: Request) -> Iterator[Workspace]:
    """The store opened per request (SQLite in WAL mode: readers never wait), showing
    documents by URL or file name, never by the server's paths."""
    with Workspace(request.app.state.settings, public=True) as opened:
        yield opened


def check_write(
    request: Request,
    authorization: str | None = Header(default=None),
    x_storytrace_token: str | None = Header(default=None),
) -> None:
    """Writes need the token when one is set (``Authorization: Bearer TOKEN`` or the
    ``X-Storytrace-Token`` header) and are refused read-only."""
    given = x_storytrace_token
    if authorization and authorization.lower().startswith("bearer "):
        given = authorization[7:].strip()
    allow_write(request.app.state.web, given)


def allow_write(web: WebSettings, given: str | None) -> None:
    if web.read_only:
        raise HTTPException(403, "this server is read-only")
    if web.token is None:
        return
    if not given or not secrets.compare_digest(given.encode(), web.token.encode()):
        raise HTTPException(401, "a valid token is needed to write (see `storytrace serve --help`)")


WorkspaceDep = Depends(workspace)
WriteDep = Depends(check_write)
