"""Reports: HTML (self-contained, escaped), Markdown and JSON of the same content."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storytrace.cli import app
from storytrace.report.svg import provenance_svg, timeline_svg
from support import SEEDS, copy_store

runner = CliRunner()
HOSTILE = (
    "Harbor officials said <script>alert('owned')</script> the cranes would stay. "
    "The union said <img src=x onerror=alert(1)> talks would resume on Monday.\n"
)


def test_drawings_escape_text_and_place_entries_in_time_order() -> None:
    entries = [
        {"sort_key": "2025-03-13", "value": "2025-03-13", "origins": 2, "label": "<b>quake</b>"},
        {"sort_key": "2025-03-20", "value": "2025-03-20", "origins": 1, "label": "later"},
    ]
    svg = timeline_svg(entries)
    assert svg.startswith("<svg") and "<b>" not in svg and "&lt;b&gt;quake" in svg
    assert timeline_svg([]) == ""
    graph = {
        "nodes": [{"id": "a", "kind": "origin"}, {"id": "b", "kind": "derivative"},
                  {"id": "external:RFE", "kind": "external", "label": "<RFE>"}],
        "edges": [{"from": "b", "to": "a", "kind": "rewrite", "confidence": 0.9},
                  {"from": "a", "to": "external:RFE", "kind": "declared source",
                   "confidence": None}],
    }  # fmt: skip
    drawn = provenance_svg(graph, {"a": "a.txt", "b": "b.txt"})
    assert "&lt;RFE&gt;" in drawn and drawn.count("<line") == 2
    linked = provenance_svg(graph, {}, lambda d: f"#doc-{d}")
    assert '<a href="#doc-a">' in linked and "#doc-external" not in linked
    assert provenance_svg({"nodes": [{"id": "a"}], "edges": []}, {}) == ""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    """`analyze` adding a hostile page to the demo store: the report covers the whole store."""
    root = tmp_path_factory.mktemp("report")
    (root / "hostile-page.txt").write_text(HOSTILE, encoding="utf-8")
    out = root / "out"
    db = copy_store(demo_template, out / "storytrace.db")
    result = runner.invoke(app, ["analyze", str(root / "hostile-page.txt"), "--out", str(out),
                                 "--db", str(db), "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_report_html_is_self_contained_and_escapes_article_text(report: Path) -> None:
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<script" not in html  # not ours, and not the article's
    assert "<img" not in html and "&lt;script&gt;alert(" in html
    assert "http://" not in html.split("<body>")[1].split("</style>")[-1].replace(
        "http://www.w3.org/2000/svg", ""
    )  # nothing loads from elsewhere (the SVG namespace is a name, not a request)
    stories = json.loads((report / "report.json").read_text(encoding="utf-8"))["stories"]
    assert html.count("<section") == len(stories) >= 4  # the demo's four, and the hostile page
    assert "<svg" in html and "Provenance" in html and "removed furniture" in html


@pytest.mark.slow
def test_report_json_and_markdown_hold_the_same_stories(report: Path) -> None:
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert data["schema"] == "storytrace.report/1"
    markdown = (report / "report.md").read_text(encoding="utf-8")
    html = (report / "report.html").read_text(encoding="utf-8")
    for story in data["stories"]:
        assert story["brief"]["items"] and story["provenance"]["nodes"]
        assert story["id"] in markdown and f'id="story-{story["id"]}"' in html
    assert any(s["timeline"] for s in data["stories"])
    assert any(d["relatives"] and d["relatives"][0]["aligned"] for d in data["documents"])
    assert any(d["removed"] for d in data["documents"])


@pytest.mark.slow
def test_cli_report_writes_the_three_files(report: Path, tmp_path: Path) -> None:
    db = report / "storytrace.db"
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "r"),
                                 "--no-update"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "r").iterdir()} == {
        "report.html",
        "report.md",
        "report.json",
    }


@pytest.mark.slow
def test_report_of_the_largest_stories_says_so(report: Path, tmp_path: Path) -> None:
    db = report / "storytrace.db"
    full = json.loads((report / "report.json").read_text(encoding="utf-8"))
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "r"),
                                 "--no-update", "--largest", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    largest = full["stories"][0]
    assert [s["id"] for s in data["stories"]] == [largest["id"]]
    assert {d["id"] for d in data["documents"]} == set(largest["doc_ids"])
    assert [t["id"] for t in data["topics"]] == [largest["topic_id"]]
    assert data["topics"][0]["story_ids"] == [largest["id"]]  # stories shown, no others
    assert data["counts"] == full["counts"] and data["shown"]["stories"] == 1
    assert "shows the 1 largest stories" in (tmp_path / "r" / "report.md").read_text("utf-8")
    assert "shows the 1 largest stories" in (tmp_path / "r" / "report.html").read_text("utf-8")
    assert "largest stories" not in (report / "report.md").read_text("utf-8")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_report_renders_in_headless_chromium(report: Path) -> None:
    page = (report / "report.html").resolve().as_uri()
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    shot = report / "report.png"
    subprocess.run(["chromium", *flags, "--window-size=1100,2400", f"--screenshot={shot}", page],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    assert shot.stat().st_size > 50_000  # a page with text and charts, not a blank one
    dom = subprocess.run(["chromium", *flags, "--dump-dom", page], check=True,
                         capture_output=True, text=True, timeout=120).stdout  # fmt: skip
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert all(s["label"] in dom or s["id"] in dom for s in data["stories"])
    assert "alert('owned')" in dom and "<script>alert" not in dom  # shown as text, not run


@pytest.mark.slow
@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not available")
def test_seed_report_shows_001_and_004_under_radio_free_europe(seeds_db: Path, tmp_path) -> None:
    db = seeds_db
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "r"), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    names = {d["id"]: Path(d["location"]).name[:3] for d in data["documents"]}
    edges = {
        (names.get(e["from"], e["from"]), names.get(e["to"], e["to"]))
        for s in data["stories"] for e in s["provenance"]["edges"]
    }  # fmt: skip
    assert ("004", "001") in edges and ("001", "external:Radio Free Europe") in edges
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    for furniture in ("Spread the love", "Leave a Reply", "Similar Posts"):
        brief_part = html.split("<h3>Brief</h3>")[1].split("<h3>Timeline</h3>")[0]
        assert furniture not in brief_part
