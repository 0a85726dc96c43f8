"""The bundled demo corpus against its ground truth (examples/demo/truth.json).

The demo is what a new user sees first, so it must come out right: furniture removed and
nothing else, dates and declared sources read into metadata.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storytrace.store import Store
from support import DEMO

TRUTH = json.loads((DEMO / "truth.json").read_text())["documents"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_docs(module_demo_db: Path) -> dict:
    with Store(module_demo_db) as store:
        docs = {}
        for truth in TRUTH:
            location = str(DEMO / "pages" / truth["key"])
            if "#" in truth["key"]:  # a JSONL record: find it by its id among the wire lines
                location = _jsonl_location(truth["key"])
            docs[truth["key"]] = store.get(store.resolve_id(location))
    return docs


def _jsonl_location(key: str) -> str:
    name, record_id = key.split("#")
    lines = (DEMO / "pages" / name).read_text().splitlines()
    for number, line in enumerate(lines, 1):
        if line.strip() and json.loads(line).get("id") == record_id:
            return f"{DEMO / 'pages' / name}#L{number}"
    raise KeyError(key)


def test_every_page_becomes_one_document(demo_docs: dict) -> None:
    assert len(demo_docs) == len(TRUTH)
    assert len({d.id for d in demo_docs.values()}) == len(TRUTH)


@pytest.mark.parametrize(
    "truth", [t for t in TRUTH if t["format"] == "text"], ids=lambda t: t["key"]
)
def test_furniture_removed_and_article_kept(demo_docs: dict, truth: dict) -> None:
    doc = demo_docs[truth["key"]]
    removed = [r.text for r in doc.removed if r.reason != "metadata:title"]
    furniture = truth["furniture_lines"]
    assert sorted(removed) == sorted(furniture)
    for line in furniture:
        assert line not in doc.text.split("\n\n")


@pytest.mark.parametrize("truth", TRUTH, ids=lambda t: t["key"])
def test_dates_and_declared_sources(demo_docs: dict, truth: dict) -> None:
    doc = demo_docs[truth["key"]]
    assert doc.published == truth["published"]
    assert doc.declared_source == truth["declared_source"]
    assert doc.title == truth["title"]


def test_script_in_an_article_never_reaches_the_text(demo_docs: dict) -> None:
    # One demo page carries <script>alert(...)</script> inside its article body.
    for doc in demo_docs.values():
        assert "alert(" not in doc.text
        assert "<script" not in doc.text
