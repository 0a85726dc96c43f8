"""URL units against a local HTTP server (127.0.0.1 only): pages, redirects, errors, caps."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from storytrace.ingest.readers import InputUnit, discover_urls, new_http_client, read_unit
from storytrace.model import InputError, RawRecord
from storytrace.settings import Settings

PAGE = "<html><head><title>Strike</title></head><body><p>Dock workers – day 3</p></body></html>"
LATIN1_PAGE = "<html><body><p>Café à Zürich, señor</p></body></html>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
BIG = 50_000
SLOW_SECONDS = 1.0

# The test server listens on loopback, which only this explicit setting lets a fetch reach
# (the refusal itself is tested in test_safety.py).
SETTINGS = Settings(
    url_timeout=5.0, url_max_bytes=20_000, url_max_redirects=3, allow_private_urls=True
)


class Handler(BaseHTTPRequestHandler):
    """Routes by path; each endpoint is one behaviour the fetcher must handle."""

    def do_GET(self) -> None:
        path = self.path
        if path == "/page":
            self._send(200, "text/html; charset=utf-8", PAGE.encode())
        elif path == "/notes":
            self._send(200, "text/plain", b"Plain notes\r\nline two\r\n")
        elif path == "/xhtml":
            self._send(200, "application/xhtml+xml", b"<html><p>x</p></html>")
        elif path == "/latin1":
            self._send(200, "text/html; charset=ISO-8859-1", LATIN1_PAGE.encode("latin-1"))
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            self._redirect("/page" if left == 0 else f"/hop/{left - 1}")
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/missing":
            self._send(404, "text/html", b"<p>not here</p>")
        elif path == "/broken":
            self._send(500, "text/html", b"<p>oops</p>")
        elif path == "/image":
            self._send(200, "image/png", PNG)
        elif path == "/big":
            self._send(200, "text/html", b"<p>" + b"b" * BIG + b"</p>")
        elif path == "/big-unsized":
            self._send(200, "text/html", b"<p>" + b"u" * BIG + b"</p>", sized=False)
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._send(200, "text/html", b"<p>late</p>")
        elif path == "/empty":
            self._send(200, "text/html", b"")
        elif path == "/agent":
            self._send(200, "text/plain", self.headers.get("User-Agent", "").encode())
        else:
            self._send(404, "text/plain", b"no route")

    def _send(self, status: int, content_type: str, body: bytes, sized: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if sized:
            self.send_header("Content-Length", str(len(body)))
        else:  # HTTP/1.0 without a length: the body ends when the connection closes
            self.close_connection = True
        self.end_headers()
        # The client may stop reading (over the cap, timed out): that is expected.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True  # a slow handler must not hold up teardown
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx honours proxy variables; requests to the local server must not go through one.
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


def _fetch(url: str, settings: Settings = SETTINGS) -> RawRecord | InputError:
    (item,) = read_unit(InputUnit(url, "url", None, 0, 0), settings)
    return item


def _error_message(url: str, settings: Settings = SETTINGS) -> str:
    item = _fetch(url, settings)
    assert isinstance(item, InputError), item
    assert item.location == url
    assert "\n" not in item.message
    return item.message


def test_html_page(server: str) -> None:
    url = f"{server}/page"
    assert _fetch(url) == RawRecord(
        location=url, content=PAGE, format="html", url=url, encoding="utf-8"
    )


def test_plain_text_and_xhtml_pages(server: str) -> None:
    notes = _fetch(f"{server}/notes")
    assert isinstance(notes, RawRecord)
    assert (notes.format, notes.content) == ("text", "Plain notes\nline two\n")
    xhtml = _fetch(f"{server}/xhtml")
    assert isinstance(xhtml, RawRecord) and xhtml.format == "html"


def test_latin1_page_uses_the_charset_header(server: str) -> None:
    record = _fetch(f"{server}/latin1")
    assert isinstance(record, RawRecord)
    assert record.content == LATIN1_PAGE
    assert record.encoding == "cp1252"  # latin-1 labels are read as windows-1252


def test_redirect_chain_records_the_final_url(server: str) -> None:
    start = f"{server}/hop/2"  # /hop/2 -> /hop/1 -> /hop/0 -> /page: three redirects
    record = _fetch(start)
    assert isinstance(record, RawRecord)
    assert (record.location, record.url, record.content) == (start, f"{server}/page", PAGE)


def test_redirects_over_the_limit(server: str) -> None:
    assert _error_message(f"{server}/hop/3") == "too many redirects (more than 3)"
    assert _error_message(f"{server}/loop") == "too many redirects (more than 3)"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404 Not Found"),
        ("/broken", "HTTP 500 Internal Server Error"),
        ("/image", "not an HTML or text page (image/png)"),
        ("/big", "response is over the 20,000-byte limit (url_max_bytes)"),
        ("/big-unsized", "response is over the 20,000-byte limit (url_max_bytes)"),
        ("/empty", "empty response body"),
    ],
)
def test_bad_responses(server: str, path: str, message: str) -> None:
    assert _error_message(server + path) == message


def test_slow_server_times_out(server: str) -> None:
    started = time.monotonic()
    message = _error_message(f"{server}/slow", SETTINGS.with_(url_timeout=0.3))
    assert message == "timed out after 0.3s"
    assert time.monotonic() - started < SLOW_SECONDS


def test_connection_refused() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago has no listener now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = _error_message(f"http://127.0.0.1:{port}/")
    assert message.startswith("connection failed: ")


def test_user_agent_from_settings_also_with_a_shared_client(server: str) -> None:
    settings = SETTINGS.with_(user_agent="storytrace-test/1.0")
    own = _fetch(f"{server}/agent", settings)
    assert isinstance(own, RawRecord) and own.content == "storytrace-test/1.0"
    with httpx.Client(headers={"User-Agent": "someone-else"}) as client:
        unit = InputUnit(f"{server}/agent", "url", None, 0, 0)
        (shared,) = read_unit(unit, settings, client)
    assert isinstance(shared, RawRecord) and shared.content == "storytrace-test/1.0"


def test_url_list_read_with_one_shared_client(server: str, tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(
        f"# evening run\n{server}/page\n{server}/missing\nmailto:desk@example.com\n",
        encoding="utf-8",
    )
    found = list(discover_urls(urls, SETTINGS))
    assert found[2] == InputError(f"{urls}#L4", "not an http(s) URL: 'mailto:desk@example.com'")
    results = []
    with new_http_client(SETTINGS) as client:
        for unit in found[:2]:
            assert isinstance(unit, InputUnit)
            results.extend(read_unit(unit, SETTINGS, client))
    assert isinstance(results[0], RawRecord) and results[0].content == PAGE
    assert results[1] == InputError(f"{server}/missing", "HTTP 404 Not Found")
