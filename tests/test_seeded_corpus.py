"""The real-text seeded corpus generator (benchmarks/seeded_corpus.py), run on the demo corpus
only so it needs no ../shared: determinism, truth and docs in step, derivatives whose roots
exist, shards, and originals that carry an invented cast instead of the demo's names."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pytest
from benchmarks import planted, seeded_corpus

N = 300
# Distinctive names in the demo originals: the cast substitution must replace every one.
DEMO_NAMES = (
    "Velmora", "Kestria", "Sarnhollow", "Tolvik", "Ostrevia", "Grennick", "Quillon", "Meridian",
    "Aldbridge", "Varnek", "Calden", "Solberg", "Lindqvall", "Northwind", "Feyn", "Brevik",
)  # fmt: skip


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_corpus.write_corpus(tmp_path_factory.mktemp("seeded"), N, seed=5, shared=None)


@pytest.fixture(scope="module")
def rows(corpus: Path) -> tuple[list[dict], list[dict]]:
    return _rows(corpus / "docs.jsonl"), _rows(corpus / "truth.jsonl")


def test_same_seed_same_bytes_other_seed_other_corpus(corpus: Path, tmp_path: Path) -> None:
    again = seeded_corpus.write_corpus(tmp_path / "again", N, seed=5, shared=None)
    other = seeded_corpus.write_corpus(tmp_path / "other", N, seed=6, shared=None)
    for name in ("docs.jsonl", "truth.jsonl"):
        assert (again / name).read_bytes() == (corpus / name).read_bytes()
    assert (other / "docs.jsonl").read_bytes() != (corpus / "docs.jsonl").read_bytes()


def test_docs_and_truth_align(rows: tuple[list[dict], list[dict]]) -> None:
    docs, truth = rows
    assert [d["id"] for d in docs] == [t["doc"] for t in truth] == [f"d{i:07d}" for i in range(N)]
    assert all(d["title"] and d["text"].strip() and d["source"] for d in docs)
    assert [d["published"] for d in docs] == sorted(d["published"] for d in docs)
    originals = [t for t in truth if not t["parents"]]
    for t in originals:
        assert t["style"] is None and t["root_sources"] == [t["doc"]]
        assert t["base"].startswith("demo:") and t["event"] and t["topic"]
    assert 0.2 <= 1 - len(originals) / N <= 0.4
    styles = {t["style"] for t in truth if t["parents"]}
    assert styles <= set(planted.STYLES) and len(styles) >= 5


def test_derivatives_have_earlier_roots_of_their_event(
    rows: tuple[list[dict], list[dict]],
) -> None:
    _, truth = rows
    seen: dict[str, dict] = {}
    for t in truth:
        if t["parents"]:
            assert all(p in seen for p in t["parents"])
            roots = [seen[r] for r in t["root_sources"]]
            assert all(not r["parents"] for r in roots)
            assert t["event"] == "+".join(r["event"] for r in roots)
            assert t["topic"] == "+".join(dict.fromkeys(r["topic"] for r in roots))
        seen[t["doc"]] = t
    gold = planted.gold_pairs(truth)
    originals = {t["doc"] for t in truth if not t["parents"]}
    assert gold and not any(pair <= originals for pair in gold)
    for t in truth:
        for root in t["root_sources"] if t["parents"] else []:
            assert frozenset((t["doc"], root)) in gold
    bases = seeded_corpus.root_bases(truth)
    assert all(b.startswith("demo:") for doc_bases in bases.values() for b in doc_bases)


def test_demo_names_and_sentences_do_not_survive(rows: tuple[list[dict], list[dict]]) -> None:
    docs, truth = rows
    base_sentences = [s for r in seeded_corpus.load_demo() for p in r.paragraphs for s in p]
    base_text = " ".join(base_sentences)
    assert all(name in base_text for name in DEMO_NAMES)  # else the check below proves nothing
    for doc in docs:
        for name in DEMO_NAMES:
            assert name not in doc["title"] and name not in doc["text"], (doc["id"], name)
    # a base sentence with a name or a number in it never appears as it was
    marked = re.compile("|".join(DEMO_NAMES) + r"|\d")
    sentences = [s for s in base_sentences if marked.search(s)]
    originals = "\n".join(d["text"] for d, t in zip(docs, truth, strict=True) if not t["parents"])
    assert len(sentences) > 80
    assert not [s for s in sentences if len(s) > 30 and s in originals]


def test_same_event_originals_share_cast_not_wording(rows: tuple[list[dict], list[dict]]) -> None:
    docs, truth = rows
    text = {d["id"]: f"{d['title']} {d['text']}" for d in docs}
    events: defaultdict[str, list[dict]] = defaultdict(list)
    for t in truth:
        if not t["parents"]:
            events[t["event"]].append(t)
    pairs = [pair for members in events.values() for pair in combinations(members, 2)]
    assert len(pairs) >= 20
    sharing = 0
    for a, b in pairs:
        assert a["base"] != b["base"] and a["topic"] == b["topic"]
        grams_a, grams_b = _trigrams(text[a["doc"]]), _trigrams(text[b["doc"]])
        assert len(grams_a & grams_b) < 0.5 * min(len(grams_a), len(grams_b))
        names_a = set(re.findall(r"\b[A-Z][a-z]{4,}\b", text[a["doc"]]))
        sharing += len(names_a & set(re.findall(r"\b[A-Z][a-z]{4,}\b", text[b["doc"]]))) >= 2
    assert sharing >= 0.9 * len(pairs)  # the same invented places, people and firms


def test_shards_split_the_single_file(tmp_path: Path) -> None:
    single = seeded_corpus.write_corpus(tmp_path / "one", 100, seed=2, shared=None)
    sharded = seeded_corpus.write_corpus(tmp_path / "three", 100, seed=2, shards=3, shared=None)
    parts = sorted(sharded.glob("docs-*.jsonl"))
    assert [p.name for p in parts] == ["docs-00000.jsonl", "docs-00001.jsonl", "docs-00002.jsonl"]
    assert [len(_rows(p)) for p in parts] == [34, 33, 33]
    assert b"".join(p.read_bytes() for p in parts) == (single / "docs.jsonl").read_bytes()
    assert (sharded / "truth.jsonl").read_bytes() == (single / "truth.jsonl").read_bytes()
    assert not (sharded / "docs.jsonl").exists()


def test_split_sentences_keeps_abbreviations_and_initials() -> None:
    text = 'Dr. Ana Ruiz met Mr. J. Smith at 4 p.m. on Friday. "It went well," she said. Next.'
    assert seeded_corpus.split_sentences(text) == [
        "Dr. Ana Ruiz met Mr. J. Smith at 4 p.m. on Friday.",
        '"It went well," she said.',
        "Next.",
    ]


ECB = seeded_corpus.SHARED / "eval" / "ecbplus-dev"


@pytest.mark.skipif(not (ECB / "docs.jsonl").is_file(), reason="needs ../shared/eval")
def test_ecb_bases_are_used_when_present(tmp_path: Path) -> None:
    folder = seeded_corpus.write_corpus(tmp_path, 400, seed=3)
    truth = _rows(folder / "truth.jsonl")
    bases = {t["base"].split(":")[0] for t in truth if not t["parents"]}
    assert bases == {"demo", "ecb"}
