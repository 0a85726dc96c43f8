"""The planted-families corpus generator (benchmarks/planted.py): determinism, truth, gold
pairs, JSONL output storytrace can read, and that copies overlap their origin while independent
reports of one event do not."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from benchmarks import planted

from storytrace.ingest.readers import InputUnit, discover, read_unit
from storytrace.model import RawRecord
from storytrace.settings import Settings


@pytest.fixture(scope="module")
def docs() -> list:
    return list(planted.generate_documents(2000, seed=11))


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _containment(part: str, whole: str) -> float:
    """Share of ``part``'s word trigrams that also occur in ``whole``."""
    grams = _trigrams(part)
    return len(grams & _trigrams(whole)) / max(1, len(grams))


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    first = list(planted.generate(300, seed=5))
    assert first == list(planted.generate(300, seed=5))
    assert first != list(planted.generate(300, seed=6))
    assert [key for key, _, _ in first] == [f"d{i:07d}" for i in range(300)]


def test_derivative_share(docs: list) -> None:
    derived = sum(1 for doc in docs if doc.truth["parents"])
    assert 0.27 <= derived / len(docs) <= 0.33
    few = sum(1 for _, _, truth in planted.generate(2000, seed=11, derivative_share=0.1)
              if truth["parents"])  # fmt: skip
    assert 0.07 <= few / 2000 <= 0.13


def test_parents_exist_and_precede(docs: list) -> None:
    seen: dict[str, dict] = {}
    styles = set()
    for doc in docs:
        truth = doc.truth
        assert truth["doc"] == doc.key and doc.text.strip() and doc.title
        if not truth["parents"]:
            assert truth["style"] is None and truth["root_sources"] == [doc.key]
        else:
            styles.add(truth["style"])
            assert all(parent in seen for parent in truth["parents"])
            assert all(seen[root]["style"] is None for root in truth["root_sources"])
            assert all(seen[p]["published"] < doc.published for p in truth["parents"])
            if truth["style"] == "chain":
                (parent,) = truth["parents"]
                assert seen[parent]["style"] is not None
                assert truth["root_sources"] == seen[parent]["root_sources"]
            expected_roots = 2 if truth["style"] == "combined" else 1
            assert len(truth["root_sources"]) == expected_roots
        seen[doc.key] = {**truth, "published": doc.published}
    assert styles == set(planted.STYLES)


def test_gold_pairs_on_hand_made_truth() -> None:
    def record(doc: str, parents: list[str], roots: list[str], style: str | None) -> dict:
        return {"doc": doc, "parents": parents, "root_sources": roots, "style": style,
                "event": "e"}  # fmt: skip

    truth = [
        record("a", [], ["a"], None),
        record("b", [], ["b"], None),
        record("c", [], ["c"], None),  # an original nobody copied
        record("a1", ["a"], ["a"], "copy"),
        record("a2", ["a1"], ["a"], "chain"),
        record("b1", ["b"], ["b"], "rewrite"),
        record("ab", ["a", "b"], ["a", "b"], "combined"),
    ]
    pair = frozenset
    assert planted.gold_pairs(truth) == {
        pair(("a1", "a")), pair(("a2", "a")), pair(("a1", "a2")),
        pair(("b1", "b")),
        pair(("ab", "a")), pair(("ab", "b")), pair(("ab", "a1")), pair(("ab", "a2")),
        pair(("ab", "b1")),
    }  # fmt: skip
    assert planted.gold_pairs(truth[:3]) == set()


def test_written_corpus_reads_with_storytrace(tmp_path: Path) -> None:
    folder = planted.write_corpus(tmp_path / "corpus", 2000, seed=3)
    truth = [json.loads(line) for line in (folder / "truth.jsonl").open(encoding="utf-8")]
    assert [t["doc"] for t in truth] == [f"d{i:07d}" for i in range(2000)]
    settings = Settings()
    (unit,) = list(discover([folder / "docs.jsonl"], settings))
    assert isinstance(unit, InputUnit)
    records = list(read_unit(unit, settings))
    assert len(records) == 2000
    assert all(isinstance(r, RawRecord) and r.format == "text" for r in records)
    first = json.loads((folder / "docs.jsonl").open(encoding="utf-8").readline())
    assert records[0].content == first["text"]
    assert records[0].title == first["title"]
    assert records[0].published == first["published"]
    assert records[0].source == first["source"]


def test_copies_overlap_their_origin_but_same_event_reports_do_not(docs: list) -> None:
    by_key = {doc.key: doc for doc in docs}
    copies = [
        _containment(doc.text, by_key[doc.truth["parents"][0]].text)
        for doc in docs
        if doc.truth["style"] == "copy"
    ]
    assert len(copies) > 50
    assert min(copies) > 0.6
    assert sum(copies) / len(copies) > 0.8

    events: defaultdict[str, list[str]] = defaultdict(list)
    for doc in docs:
        if doc.truth["style"] is None:
            events[doc.truth["event"]].append(doc.text)
    reports = [texts for texts in events.values() if len(texts) > 1]
    assert len(reports) > 20
    same_event = [_containment(texts[0], texts[1]) for texts in reports]
    assert max(same_event) < 0.25
    assert sum(same_event) / len(same_event) < 0.1
