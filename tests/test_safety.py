"""Safe to put on a server (issue 22): URLs are never fetched from the machine's own
networks (through redirects and DNS tricks too), the web app shows no server paths,
`serve` starts on an empty store, upload folders are removed, and worker processes die
with their parent."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from storytrace.cli.app import app as cli_app
from storytrace.ingest import guard
from storytrace.ingest.readers import InputUnit, read_unit
from storytrace.model import InputError, RawRecord
from storytrace.settings import Settings
from storytrace.web import WebSettings, create_app
from support import DEMO_PAGES

runner = CliRunner()
SECRET = "internal-service-secret"
SETTINGS = Settings(url_timeout=5.0, progress=False, workers=1)
# 127.0.0.2 plays a public news site (the tests tell the guard so); 127.0.0.1 an internal
# service that must never be read.
PUBLIC_IP = "127.0.0.2"


class Site(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]
    redirect_to = ""


class Handler(BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        if self.path == "/jump" and self.server.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = f"<html><body><p>{SECRET} at {self.path}.</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _site(host: str) -> contextlib.AbstractContextManager[Site]:
    return _site_at(host, 0)


@contextlib.contextmanager
def _site_at(host: str, port: int) -> Iterator[Site]:
    site = Site((host, port), Handler)
    site.hits = []
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.shutdown()
        site.server_close()


def _url(site: Site, path: str = "/page") -> str:
    host, port = site.server_address[:2]
    return f"http://{host}:{port}{path}"


@pytest.fixture
def internal() -> Iterator[Site]:
    with _site("127.0.0.1") as site:
        yield site


@pytest.fixture
def public(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A site the guard is told is public (it listens on a second loopback address)."""
    try:
        site_cm = _site(PUBLIC_IP)
        site = site_cm.__enter__()
    except OSError:
        pytest.skip(f"cannot listen on {PUBLIC_IP}")
    real = guard.refusal
    monkeypatch.setattr(guard, "refusal", lambda a: None if str(a) == PUBLIC_IP else real(a))
    yield site
    site_cm.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


def _fetch(url: str, settings: Settings = SETTINGS) -> RawRecord | InputError:
    (item,) = read_unit(InputUnit(url, "url", None, 0, 0), settings)
    return item


# -- 1. server-side request forgery -----------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "kind"),
    [("127.0.0.1", "loopback"), ("localhost", "loopback"), ("[::ffff:127.0.0.1]", "loopback")],
)
def test_internal_addresses_are_refused(internal: Site, host: str, kind: str) -> None:
    url = _url(internal).replace("127.0.0.1", host)
    item = _fetch(url)
    assert isinstance(item, InputError) and item.location == url
    assert item.message.startswith("refused to fetch from") and kind in item.message
    assert "\n" not in item.message
    assert internal.hits == []  # not a byte reached the service


@pytest.mark.parametrize(
    ("address", "kind"),
    [("10.1.2.3", "private"), ("192.168.0.1", "private"), ("169.254.169.254", "link-local"),
     ("::1", "loopback"), ("fe80::1", "link-local"), ("fd00::1", "private"),
     ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("240.0.0.1", "reserved"),
     ("100.64.0.1", "not globally routable"), ("::ffff:10.0.0.1", "private")],
)  # fmt: skip
def test_every_kind_of_internal_address_is_named(address: str, kind: str) -> None:
    reason = guard.refusal(guard.ipaddress.ip_address(address))
    assert reason is not None and kind in reason


def test_public_addresses_pass() -> None:
    for address in ("93.184.215.14", "2606:4700::6810:85e5", "8.8.8.8"):
        assert guard.refusal(guard.ipaddress.ip_address(address)) is None


def test_a_redirect_to_an_internal_address_is_refused(public: Site, internal: Site) -> None:
    public.redirect_to = _url(internal, "/admin")
    item = _fetch(_url(public, "/jump"))
    assert isinstance(item, InputError) and "refused to fetch from 127.0.0.1" in item.message
    assert public.hits == ["/jump"] and internal.hits == []


def test_the_checked_address_is_the_one_connected_to(
    public: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name resolves to a public address when checked and to an internal
    one (a service on the same port) a moment later. The guard connects to the address it
    checked, so the internal service is never reached."""
    port = public.server_address[1]
    answers = iter([PUBLIC_IP] + ["127.0.0.1"] * 10)
    real = socket.getaddrinfo

    def rebinding(host: str, *args: object, **kwargs: object) -> list:
        return real(next(answers) if host == "news.example" else host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with _site_at("127.0.0.1", port) as same_port:
        item = _fetch(f"http://news.example:{port}/page")
        assert isinstance(item, RawRecord) and "/page" in item.content
        assert public.hits == ["/page"] and same_port.hits == []
        # The same name, now pointing inside: refused.
        refused = _fetch(f"http://news.example:{port}/again")
        assert isinstance(refused, InputError) and "news.example (127.0.0.1)" in refused.message
        assert same_port.hits == []


def test_the_command_line_fetches_private_addresses_only_when_asked(
    internal: Site, tmp_path: Path
) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(_url(internal) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    refused = runner.invoke(cli_app, ["ingest", "--urls", str(urls), "--db", str(db), "-q"])
    assert refused.exit_code == 1 and "refused to fetch from 127.0.0.1" in refused.output
    assert internal.hits == []
    allowed = runner.invoke(
        cli_app, ["ingest", "--urls", str(urls), "--db", str(db), "-q", "--allow-private-urls"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert internal.hits == ["/page"]


@pytest.mark.slow
def test_the_web_app_never_fetches_internal_addresses(
    internal: Site, public: Site, tmp_path: Path
) -> None:
    """Even when its settings (or STORYTRACE_ALLOW_PRIVATE_URLS) would allow it."""
    db = tmp_path / "web.db"
    _new_store(db)
    public.redirect_to = _url(internal, "/metadata")
    app = create_app(WebSettings(db), SETTINGS.with_(allow_private_urls=True))
    with TestClient(app) as client:
        sent = client.post(
            "/api/ingest/urls", json={"urls": [_url(internal), _url(public, "/jump")]}
        )
        assert sent.status_code == 202
        job = _wait(client, sent.json()["id"])
        assert job["new_documents"] == 0
        assert len(job["errors"]) == 2 and all("refused" in e for e in job["errors"])
        assert SECRET not in client.get("/api/documents").text
    assert internal.hits == []


# -- 2. no server paths -------------------------------------------------------------------------
def test_the_web_app_shows_file_names_never_server_paths(module_demo_db: Path) -> None:
    folder = str(DEMO_PAGES.resolve())
    with TestClient(create_app(WebSettings(module_demo_db), SETTINGS)) as client:
        listing = client.get("/api/documents")
        docs = listing.json()["documents"]
        assert docs and folder not in listing.text
        names = {p.name for p in DEMO_PAGES.iterdir()}
        assert {d["location"].partition("#")[0] for d in docs} <= names
        doc = docs[0]
        story = client.get("/api/stories").json()["stories"][0]["id"]
        pages = [
            f"/api/documents/{doc['id']}", f"/documents/{doc['id']}", f"/api/stories/{story}",
            f"/stories/{story}", "/api/ask?q=How+deep+was+the+Tolvik+quake%3F",
            "/ask?q=How+deep+was+the+Tolvik+quake%3F", "/", "/api/topics",
        ]  # fmt: skip
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            assert folder not in response.text, page


def test_shown_location_keeps_urls_and_records() -> None:
    from storytrace.payload import shown_location

    assert shown_location("https://news.example/a/b?x=1#top") == "https://news.example/a/b?x=1#top"
    assert shown_location("/srv/data/dump.jsonl#L12") == "dump.jsonl#L12"
    assert shown_location("C:\\crawl\\page.html") == "page.html"
    assert shown_location("page.txt") == "page.txt"


# -- 4. serve on a new path ---------------------------------------------------------------------
def test_serve_creates_an_empty_store_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append(app))
    db = tmp_path / "new" / "first.db"
    db.parent.mkdir()
    result = runner.invoke(cli_app, ["serve", "--db", str(db)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "created an empty one" in result.output and db.exists()
    with TestClient(served[0]) as client:
        assert client.get("/").status_code == 200
        assert client.get("/api/documents").json() == {"documents": []}
        assert "add pages" in client.get("/").text.lower()
    read_only = runner.invoke(cli_app, ["serve", "--db", str(tmp_path / "x.db"), "--read-only"])
    assert read_only.exit_code == 1 and "no store here" in " ".join(read_only.output.split())
    assert not (tmp_path / "x.db").exists()


# -- 5. temporary upload folders -------------------------------------------------------------
@pytest.mark.slow
def test_upload_folders_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    db = tmp_path / "s.db"
    _new_store(db)
    text = b"Pier Repairs Finished\n\nThe council said the pier repairs were finished early.\n"
    with TestClient(create_app(WebSettings(db, max_upload_bytes=5000), SETTINGS)) as client:
        assert _uploads(spool) == []  # nothing until something is uploaded
        big = client.post("/api/ingest", files={"files": ("big.txt", b"x" * 6000, "text/plain")})
        assert big.status_code == 413
        sent = client.post("/api/ingest", files={"files": ("pier.txt", text, "text/plain")})
        assert _wait(client, sent.json()["id"])["new_documents"] == 1
        (folder,) = _uploads(spool)
        assert list(folder.iterdir()) == []  # the job's folder went when the job ended
    assert _uploads(spool) == []


# -- 8. worker processes die with their parent ------------------------------------------------
@pytest.mark.slow
def test_spacy_workers_die_when_the_ingest_is_killed(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(400):  # enough for the annotate stage to start worker processes
        (folder / f"doc{i:03d}.txt").write_text(
            f"Harbour report {i}\n\n" + f"The ferry from Port {i} left at {i % 12} o'clock. " * 40
        )
    cmd = [sys.executable, "-m", "storytrace.cli", "ingest", str(folder),
           "--db", str(tmp_path / "s.db"), "-q"]  # fmt: skip
    proc = subprocess.Popen(cmd, env={**os.environ, "STORYTRACE_WORKERS": "2"})
    parent = psutil.Process(proc.pid)
    workers: list[psutil.Process] = []
    deadline = time.monotonic() + 180
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        with contextlib.suppress(psutil.Error):
            workers = parent.children(recursive=True)
    assert len(workers) >= 2, "the ingest never started its worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _gone, alive = psutil.wait_procs(workers, timeout=5)
    for orphan in alive:
        orphan.kill()
    assert alive == [], f"{len(alive)} worker processes outlived their parent"


# -- helpers ----------------------------------------------------------------------------------
def _uploads(folder: Path) -> list[Path]:
    """storytrace's upload folders (torch keeps a cache of its own in the temp folder)."""
    return list(folder.glob("storytrace-uploads-*"))


def _new_store(db: Path) -> None:
    from storytrace.workspace import Workspace

    with Workspace(SETTINGS.with_(db=db), create=True):
        pass


def _wait(client: TestClient, job_id: str) -> dict:
    deadline = time.monotonic() + 300
    job = client.get(f"/api/jobs/{job_id}").json()
    while job["status"] in {"queued", "running"} and time.monotonic() < deadline:
        time.sleep(0.3)
        job = client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "done", job
    return job
