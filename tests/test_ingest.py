"""Ingest end to end (the read, clean and annotate stages through the facade, as `storytrace
ingest` runs them): extraction, cleaning, annotation, resume and bad input."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from storytrace.extract.record import assemble
from storytrace.ingest import read
from storytrace.model import Line
from storytrace.settings import Settings
from storytrace.store import Store
from storytrace.workspace import IngestReport, Workspace

ARTICLE = """Harbour cranes stand idle as dock strike enters third day

Published: 4 March 2025

Share this article

Dock workers in Port Elden kept the container terminal closed on Tuesday as talks between \
the transport union and the harbour authority broke down again.

Union leader Mara Quist said members would not return until the authority withdrew its plan \
to cut night-shift pay. "We have offered three compromises," she said.

What happens next?

The authority said forty ships were waiting offshore and that it had asked the labour \
ministry to mediate.

Leave a Reply

Your email address will not be published. Required fields are marked *
"""

SECOND = """Lowmarsh library reopens after flood repairs

The Lowmarsh public library reopened on Saturday, eight months after flood water filled its \
ground floor. Librarian Theo Brandt said about two thousand books had been replaced.

Volunteers spent the weekend shelving donated books, and the children's room will open next \
month once new carpets are fitted.

Tags: Lowmarsh, library, flood
"""


def ingest(paths: list[Path], settings: Settings, urls_file: Path | None = None) -> IngestReport:
    with Workspace(settings, create=True) as ws:
        return ws.ingest(paths, urls_file)


def _settings(tmp_path: Path, **changes: object) -> Settings:
    return Settings().with_(db=tmp_path / "s.db", progress=False, workers=1, **changes)


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "strike.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "library.txt").write_text(SECOND, encoding="utf-8")
    rows = [
        {"id": 1, "url": "https://example.org/a", "title": "Ferry timetable changes",
         "published": "2025-03-05", "source": "Quay Times",
         "text": "New ferry timings start on Monday. The operator said crossings would run "
                 "every forty minutes instead of every hour."},
    ]  # fmt: skip
    (folder / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return folder


def _snapshot(db: Path) -> dict[str, object]:
    with Store(db) as store:
        docs = {s.id: store.get(s.id) for s in store.summaries()}
        return {
            "ids": sorted(docs),
            "texts": sorted(d.text for d in docs.values()),
            "sentences": store.count("sentences"),
            "entities": store.count("entities"),
            "removed": store.count("removed_lines"),
        }


@pytest.mark.slow
def test_ingest_extracts_cleans_and_annotates(tmp_path: Path) -> None:
    report = ingest([_corpus(tmp_path)], _settings(tmp_path))
    assert report.ok, report.errors
    assert report.new_documents == 3
    with Store(tmp_path / "s.db") as store:
        strike = store.get(store.resolve_id(str(tmp_path / "in" / "strike.txt")))
        assert strike.title == "Harbour cranes stand idle as dock strike enters third day"
        assert strike.published == "2025-03-04"
        assert "Share this article" not in strike.text
        assert "Leave a Reply" not in strike.text
        assert {"Share this article", "Leave a Reply"} <= {r.text for r in strike.removed}
        # Headings stay in the text as blocks but are never sentences.
        assert any(b.kind == "heading" for b in strike.blocks)
        assert all("What happens next" not in s.text for s in strike.sentences)
        # Sentence and entity offsets point into the clean text.
        for s in strike.sentences:
            assert strike.text[s.start : s.end] == s.text
        for e in strike.entities:
            assert strike.text[e.start : e.end] == e.text
        assert "Mara Quist" in {e.text for e in strike.entities}
        ferry = store.get(store.resolve_id(str(tmp_path / "in" / "feed.jsonl") + "#L1"))
        assert ferry.site == "Quay Times"
        assert ferry.published == "2025-03-05"
        assert ferry.url == "https://example.org/a"


@pytest.mark.slow
def test_reingest_is_a_no_op(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    ingest([folder], _settings(tmp_path))
    before = _snapshot(tmp_path / "s.db")
    again = ingest([folder], _settings(tmp_path))
    assert again.new_documents == 0
    assert again.units_skipped == 3
    assert again.annotated == 0
    assert _snapshot(tmp_path / "s.db") == before


@pytest.mark.slow
def test_same_content_elsewhere_is_one_document_with_two_locations(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    (folder / "copy.txt.gz").write_bytes(gzip.compress(ARTICLE.replace("\n", "\r\n").encode()))
    report = ingest([folder], _settings(tmp_path))
    assert report.new_documents == 3
    assert report.duplicates == 1
    with Store(tmp_path / "s.db") as store:
        doc_id = store.resolve_id(str(folder / "strike.txt"))
        assert store.locations(doc_id) == sorted(
            [str(folder / "copy.txt.gz"), str(folder / "strike.txt")]
        )


@pytest.mark.slow
def test_interrupted_read_resumes_to_the_same_result(tmp_path: Path, monkeypatch) -> None:
    folder = _corpus(tmp_path)
    clean_run = tmp_path / "clean"
    clean_run.mkdir()
    ingest([folder], _settings(clean_run))
    expected = _snapshot(clean_run / "s.db")

    real = read.extract_record
    calls = {"n": 0}

    def crash_on_third(record):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(record)

    monkeypatch.setattr(read, "extract_record", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        ingest([folder], _settings(tmp_path, batch_size=1))
    with Store(tmp_path / "s.db") as store:
        assert store.count() == 2  # the batches committed before the crash survive
    monkeypatch.setattr(read, "extract_record", real)
    resumed = ingest([folder], _settings(tmp_path, batch_size=1))
    assert resumed.new_documents == 1
    assert _snapshot(tmp_path / "s.db") == expected


@pytest.mark.slow
def test_interrupted_annotation_resumes(tmp_path: Path, monkeypatch) -> None:
    folder = _corpus(tmp_path)
    real = Store.set_annotations
    calls = {"n": 0}

    def crash_on_second(self, *args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(self, *args)

    monkeypatch.setattr(Store, "set_annotations", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        ingest([folder], _settings(tmp_path, batch_size=1))
    monkeypatch.setattr(Store, "set_annotations", real)
    resumed = ingest([folder], _settings(tmp_path))
    assert resumed.new_documents == 0
    assert resumed.annotated == 2
    with Store(tmp_path / "s.db") as store:
        assert store.ids_with_status("annotated") == sorted(s.id for s in store.summaries())


@pytest.mark.slow
def test_bad_inputs_are_reported_and_good_ones_kept(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    ingest([folder], _settings(tmp_path))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (bad / "empty.txt").write_bytes(b"")
    (bad / "broken.jsonl").write_text('{"text": "A fine line of text about the ferry."}\n{oops\n')
    (bad / "page.html").write_text("<html><body><script>x()</script></body></html>")
    report = ingest([bad, tmp_path / "missing.txt"], _settings(tmp_path))
    failed = {e.location for e in report.errors}
    assert str(bad / "image.txt") in failed
    assert str(bad / "empty.txt") in failed
    assert str(bad / "broken.jsonl") + "#L2" in failed
    assert str(bad / "page.html") in failed
    assert str(tmp_path / "missing.txt") in failed
    assert not report.ok
    assert report.new_documents == 1  # the good JSONL line
    with Store(tmp_path / "s.db") as store:
        assert store.count() == 4  # nothing stored earlier was lost
        assert len(store.errors()) >= 4


def test_assemble_builds_blocks_that_point_into_the_text() -> None:
    text, blocks = assemble([Line("Title-like heading", "heading"), Line(" Body. "), Line("  ")])
    assert text == "Title-like heading\n\nBody."
    assert [text[b.start : b.end] for b in blocks] == ["Title-like heading", "Body."]
    assert [b.kind for b in blocks] == ["heading", "paragraph"]


HTML_PAGE = """<!doctype html><html><head><title>Ferry strike ends</title>
<meta property="article:published_time" content="2025-03-07T08:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Ferry strike ends after four days</h1>
<p>Ferry crews on the North Quay route returned to work on Friday after the operator agreed \
to hire twelve more deckhands, the union said in a statement.</p>
<p>Services were expected to run normally by Saturday morning, although the first sailings \
might be delayed while crews inspected the vessels.</p></article>
<footer>Copyright 2025 Quay Times</footer></body></html>"""


@pytest.fixture
def http_site():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/story":
                body = HTML_PAGE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_url_list_ingest_with_a_failing_url(tmp_path: Path, http_site: str, monkeypatch) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# two pages\n{http_site}/story\n{http_site}/gone\n")
    # The site is on this machine: only the explicit setting lets it be fetched.
    report = ingest([], _settings(tmp_path, allow_private_urls=True), urls_file=urls)
    assert report.new_documents == 1
    assert [(e.location, e.message) for e in report.errors] == [
        (f"{http_site}/gone", "HTTP 404 Not Found")
    ]
    with Store(tmp_path / "s.db") as store:
        doc = store.get(store.resolve_id(f"{http_site}/story"))
        assert doc.published == "2025-03-07"
        assert "twelve more deckhands" in doc.text
        assert "Copyright 2025 Quay Times" not in doc.text
        assert doc.sentences
    # The failed URL is retried on the next run; the stored one is not fetched again.
    again = ingest([], _settings(tmp_path, allow_private_urls=True), urls_file=urls)
    assert again.new_documents == 0
    assert again.units_skipped == 1
    assert len(again.errors) == 1


@pytest.mark.slow
def test_killed_ingest_resumes_to_the_same_result(tmp_path: Path) -> None:
    """A real `kill -9` mid-run: the store stays readable and a re-run completes it."""
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(120):
        body = SECOND.replace("Lowmarsh", f"Town{i:03d}").replace("two thousand", f"{i} hundred")
        (folder / f"doc{i:03d}.txt").write_text(body)
    clean_run = tmp_path / "clean"
    clean_run.mkdir()
    ingest([folder], _settings(clean_run))
    expected = _snapshot(clean_run / "s.db")

    db = tmp_path / "s.db"
    cmd = [sys.executable, "-m", "storytrace.cli", "ingest", str(folder), "--db", str(db), "-q"]
    # One record per transaction: reading takes long enough to be caught in the middle.
    proc = subprocess.Popen(cmd, env={**os.environ, "STORYTRACE_BATCH_SIZE": "1"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists() and _counts(db)[0] > 0:
            break
        time.sleep(0.01)
    running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored, annotated = _counts(db)
    assert running, "the ingest finished before it could be killed"
    assert stored > 0 and annotated < 120, (stored, annotated)  # killed with work left
    resumed = ingest([folder], _settings(tmp_path))
    assert resumed.ok
    assert _snapshot(db) == expected


def _counts(db: Path) -> tuple[int, int]:
    """Documents stored, and of them annotated (0, 0 while the store is being created)."""
    import sqlite3

    try:
        with sqlite3.connect(db, timeout=1) as conn:
            rows = conn.execute("SELECT status, count(*) FROM documents GROUP BY status")
            counts = dict(rows.fetchall())
    except sqlite3.Error:
        return 0, 0
    return sum(counts.values()), counts.get("annotated", 0)
