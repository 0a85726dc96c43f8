"""The web app in a real browser: Playwright driving Debian's Chromium.

Clicks through adding pages -> story -> document -> ask on the demo corpus, checks what is
shown, and proves that a page carrying a <script> in its article text does not run it.
Screenshots of the story and document pages are saved to out/screenshots/ for a person
to look at. Skipped where Playwright or Chromium is missing.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from storytrace.settings import Settings
from support import REPO

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
]
SHOTS = REPO / "out" / "screenshots"
HOSTILE = (
    "Pier Repairs Finished Early\n\nThe council said the pier repairs were finished two "
    "weeks early. <script>document.title = 'owned'; alert('owned')</script> Anglers "
    "welcomed the news.\n"
)


@pytest.fixture(scope="module")
def server(module_demo_db: Path):
    import uvicorn

    from storytrace.web import WebSettings, create_app

    db = module_demo_db  # this module's own copy: the test adds pages to it
    app = create_app(WebSettings(db), Settings().with_(workers=1))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def page(server: str):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.dialogs = []  # type: ignore[attr-defined]
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        yield page
        browser.close()


def test_add_pages_then_story_document_and_ask(server: str, page, tmp_path: Path) -> None:
    upload = tmp_path / "pier-repairs.txt"
    upload.write_text(HOSTILE, encoding="utf-8")
    page.goto(f"{server}/ingest")
    page.set_input_files("input[name=files]", str(upload))
    page.click("form[action='/ingest'] button")
    page.wait_for_url("**/jobs/*")
    # The job page refreshes itself until the pipeline (ingest to timelines) is done.
    page.wait_for_selector("text=See the stories", timeout=300_000)
    assert "done" in page.inner_text("#status")

    page.click("text=See the stories")
    links = page.locator("a[href^='/stories/']")
    assert links.count() >= 4
    links.first.click()
    assert page.locator("#brief li").count() >= 1
    assert page.locator("svg").count() >= 1  # the timeline chart or the provenance graph
    graph_links = page.locator("svg a")
    if graph_links.count():  # the provenance graph's pages open their document page
        assert graph_links.first.get_attribute("href").startswith("/documents/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "story.png"), full_page=True)

    page.locator("a[href^='/documents/']").first.click()
    assert page.inner_text("#clean-text").strip()
    removed = page.locator("#furniture .removed")
    assert not removed.is_visible()  # furniture is folded away ...
    page.click("#furniture summary")
    assert removed.is_visible()  # ... and a click shows it
    page.screenshot(path=str(SHOTS / "document.png"), full_page=True)

    page.goto(f"{server}/ask")
    page.fill("input[name=q]", "How deep was the Tolvik quake?")
    page.click("form.inline button")
    assert page.locator(".answer").count() >= 1
    assert page.locator(".answer a[href^='/documents/']").count() >= 1


def test_a_script_in_an_article_is_shown_not_run(server: str, page) -> None:
    page.goto(f"{server}/")
    page.goto(f"{server}/api/documents")
    docs = page.evaluate("() => JSON.parse(document.body.innerText).documents")
    hostile = next(d for d in docs if d["title"] == "Pier Repairs Finished Early")
    page.goto(f"{server}/documents/{hostile['id']}")
    assert "<script>document.title" in page.inner_text("#clean-text")
    assert page.title() != "owned" and page.dialogs == []
