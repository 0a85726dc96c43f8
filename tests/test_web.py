"""The web app over a demo store: pages, JSON API, security, uploads and jobs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storytrace.errors import StoreError
from storytrace.web import WebSettings, create_app
from support import build

pytestmark = pytest.mark.slow
HOSTILE = "Officials said <script>alert('owned')</script> the harbour wall held up well.\n"


@pytest.fixture(scope="module")
def db(module_demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with a hostile page added (this module's own copy)."""
    hostile = tmp_path_factory.mktemp("web") / "hostile.txt"
    hostile.write_text(HOSTILE, encoding="utf-8")
    build(module_demo_db, hostile)
    return module_demo_db


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    with TestClient(create_app(WebSettings(db))) as c:
        yield c


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        create_app(WebSettings(tmp_path / "none.db"))


def test_pages_show_stories_and_every_response_carries_the_policy(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and "Stories" in home.text
    stories = client.get("/api/stories").json()["stories"]
    assert len(stories) >= 4
    page = client.get(f"/stories/{stories[0]['id']}")
    assert page.status_code == 200
    assert 'id="brief"' in page.text and "<svg" in page.text and "Provenance" in page.text
    for response in (home, page, client.get("/api/stories"), client.get("/nope")):
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"


def test_api_story_and_document_hold_what_the_pages_show(client: TestClient) -> None:
    topics = client.get("/api/topics").json()["topics"]
    story_id = topics[0]["stories"][0]["id"]
    story = client.get(f"/api/stories/{story_id[:6]}").json()  # a unique prefix works
    assert story["id"] == story_id
    assert {"brief", "timeline", "claims", "provenance"} <= set(story)
    doc_id = next(n["id"] for n in story["provenance"]["nodes"] if n["kind"] == "derivative")
    doc = client.get(f"/api/documents/{doc_id}").json()
    assert doc["relatives"] and doc["relatives"][0]["aligned"]
    page = client.get(f"/documents/{doc_id}")
    assert page.status_code == 200 and 'id="furniture"' in page.text
    assert doc["relatives"][0]["aligned"][0]["similarity"] is not None


def test_article_script_is_shown_as_text_never_as_markup(client: TestClient) -> None:
    docs = client.get("/api/documents").json()["documents"]
    hostile = next(d for d in docs if d["location"].endswith("hostile.txt"))
    page = client.get(f"/documents/{hostile['id']}")
    assert "<script" not in page.text and "&lt;script&gt;alert(" in page.text
    answer = client.get("/ask", params={"q": "Did the harbour wall hold up?"})
    assert answer.status_code == 200 and "<script" not in answer.text


def test_bad_requests_get_clear_4xx_never_500(client: TestClient) -> None:
    assert client.get("/api/stories/nope").status_code == 404
    assert client.get("/api/documents/zzzz").status_code == 404
    assert client.get("/api/documents/a b").status_code in {400, 404}
    empty = client.get("/api/ask", params={"q": " "})
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    bad_mode = client.get("/api/ask", params={"q": "x", "mode": "magic"})
    assert bad_mode.status_code == 400 and "mode" in bad_mode.json()["detail"]
    assert client.get("/api/ask").status_code == 400
    assert client.get("/api/jobs/unknown").status_code == 404
    assert client.get("/stories/nope").status_code == 404


def test_ask_answers_with_citations_and_says_when_there_is_none(client: TestClient) -> None:
    answer = client.get("/api/ask", params={"q": "How deep was the Tolvik quake?"}).json()
    assert answer["answered"] and answer["groups"][0]["citations"]
    assert answer["answer"]["text"] and answer["ranked"][0]["answers"] is not None
    page = client.get("/ask", params={"q": "How deep was the Tolvik quake?"}).text
    assert answer["answer"]["text"] in page
    assert page.index('id="answer-span"') < page.index('class="answer"')  # the words first
    none = client.get("/api/ask", params={"q": "Who won the football league in 2024?"}).json()
    assert not none["answered"] and none["reason"].startswith("no answer")


def test_writes_need_the_token_and_read_only_refuses_them(db: Path) -> None:
    files = {"files": ("page.txt", b"A short page about nothing.", "text/plain")}
    with TestClient(create_app(WebSettings(db, token="s3cret"))) as c:
        assert c.post("/api/ingest", files=files).status_code == 401
        wrong = c.post("/api/ingest", files=files, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        form = c.post("/ingest", files=files, data={"token": "nope"})
        assert form.status_code == 401
    with TestClient(create_app(WebSettings(db, read_only=True))) as c:
        assert c.post("/api/ingest", files=files).status_code == 403
        assert "add pages" not in c.get("/").text


def test_uploads_are_checked_for_type_size_and_names(db: Path) -> None:
    with TestClient(create_app(WebSettings(db, max_upload_bytes=1000))) as c:
        exe = c.post("/api/ingest", files={"files": ("tool.exe", b"MZ", "application/x")})
        assert exe.status_code == 415
        image = c.post("/api/ingest", files={"files": ("photo.txt", b"\x89PNG", "image/png")})
        assert image.status_code == 415 and "image/png" in image.json()["detail"]
        big = c.post("/api/ingest", files={"files": ("big.txt", b"x" * 2000, "text/plain")})
        assert big.status_code == 413
        urls = c.post("/api/ingest/urls", json={"urls": ["file:///etc/passwd"]})
        assert urls.status_code == 400 and "http" in urls.json()["detail"]


def test_an_upload_runs_the_pipeline_in_the_background_with_progress(db: Path) -> None:
    text = (
        b"Ferry Service Resumes After Storm\n\nThe island ferry resumed service on Tuesday "
        b"after a three-day suspension caused by the storm, the operator said. About 400 "
        b"passengers crossed on the first sailing.\n"
    )
    with TestClient(create_app(WebSettings(db, token="s3cret"))) as c:
        sent = c.post(
            "/api/ingest",
            files={"files": ("../../escape/ferry.txt", text, "text/plain")},
            headers={"X-Storytrace-Token": "s3cret"},
        )
        assert sent.status_code == 202, sent.text
        job = sent.json()
        assert job["inputs"] == ["ferry.txt"]  # no folders, no "..": a plain name
        deadline = time.monotonic() + 300
        while job["status"] in {"queued", "running"} and time.monotonic() < deadline:
            time.sleep(0.5)
            job = c.get(f"/api/jobs/{job['id']}").json()
        assert job["status"] == "done", job
        assert job["new_documents"] == 1
        page = c.get(f"/jobs/{job['id']}")
        assert page.status_code == 200 and "done" in page.text
        docs = c.get("/api/documents").json()["documents"]
        assert any(d["title"] == "Ferry Service Resumes After Storm" for d in docs)
