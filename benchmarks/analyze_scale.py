"""`storytrace analyze` on a planted corpus, then 10 documents added (issue 23).

Data: `benchmarks/planted.py` (seed 7): N documents with planted events and derivation
families (about 10 sentences each), written as JSONL; the last 10 of N + 10 are held back.
Runs, each `analyze --profile` in a fresh process:

1. the first N documents into a new store: wall seconds, documents/s, peak memory, the
   per-stage table;
2. the same store with the 10 held-back documents added: what an addition costs, stage by
   stage, against run 1.

With ``--more K`` the store of the last run is kept and K further batches of 10 documents
(the planted corpus's next ones) are added one ``analyze`` at a time: what additions cost
once the store is large, and the first addition after a code change apart from later ones.

``--families DB`` scores the derivation families of a store made by run 1 (or 2) against the
planted truth: pairs of documents in one family, precision / recall / F1 (the gold of
`benchmarks/planted.py: gold_pairs`; exact copies stored once count for each of their lines).

Usage: python -m benchmarks.analyze_scale [--docs N] [--more K] [--families DB]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from benchmarks.planted import gold_pairs, write_corpus

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "out" / "bench" / "analyze_scale"
ADDED = 10


def split_corpus(n: int) -> tuple[Path, Path]:
    """``base.jsonl`` (the first n documents) and ``added.jsonl`` (the next ADDED)."""
    corpus = write_corpus(WORK / "corpus", n + ADDED)
    lines = (corpus / "docs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    base, added = WORK / "base.jsonl", WORK / "added.jsonl"
    base.write_text("".join(lines[:n]), encoding="utf-8")
    added.write_text("".join(lines[n:]), encoding="utf-8")
    return base, added


def analyze(inputs: list[Path], out: Path) -> dict:
    command = [sys.executable, "-m", "storytrace.cli", "analyze", *map(str, inputs),
               "--out", str(out), "--profile", "-q"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"analyze failed: {done.stderr[-2000:]}")
    profile = json.loads((out / "profile.json").read_text(encoding="utf-8"))
    print(f"{len(inputs)} input(s): {seconds:.1f} s", file=sys.stderr, flush=True)
    return {"wall_seconds": round(seconds, 1), **profile}


def more_batches(n: int, batches: int) -> list[Path]:
    """Files of ADDED documents each, the planted corpus's documents after the first n + ADDED."""
    corpus = write_corpus(WORK / "corpus_more", n + ADDED * (batches + 1))
    lines = (corpus / "docs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    files = []
    for k in range(1, batches + 1):
        path = WORK / f"more_{k}.jsonl"
        path.write_text("".join(lines[n + ADDED * k : n + ADDED * (k + 1)]), encoding="utf-8")
        files.append(path)
    return files


def add_more(n: int, batches: int) -> int:
    out = WORK / "out"
    if not (out / "storytrace.db").exists():
        raise SystemExit(f"no store at {out}: run with --docs {n} first")
    runs = [analyze([batch], out) for batch in more_batches(n, batches)]
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "data": f"benchmarks/planted.py seed 7: the store of {n} + {ADDED} documents, then "
        f"{batches} batches of {ADDED} more, each given alone to analyze",
        "batches": runs,
    }
    path = REPO / "benchmarks" / "results" / f"analyze_scale_{n}_more.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("; ".join(f"+{ADDED}: {r['wall_seconds']} s" for r in runs))
    return 0


def family_scores(db: Path) -> dict:
    """Family-pair precision, recall and F1 of a store's families against the planted truth
    (documents of the first two runs' inputs only: their lines name them)."""
    keys = {
        name: [json.loads(x)["id"] for x in (WORK / name).open(encoding="utf-8")]
        for name in ("base.jsonl", "added.jsonl")
    }
    conn = sqlite3.connect(db)
    keys_of: dict[str, list[str]] = defaultdict(list)
    for location, doc_id in conn.execute("SELECT location, doc_id FROM locations"):
        path, _, line = location.rpartition("#L")
        if Path(path).name in keys:
            keys_of[doc_id].append(keys[Path(path).name][int(line) - 1])
    members: dict[str, list[str]] = defaultdict(list)
    for family_id, doc_id in conn.execute("SELECT family_id, doc_id FROM family_members"):
        members[family_id].extend(keys_of.get(doc_id, []))
    found = {frozenset(p) for ks in members.values() for p in combinations(sorted(set(ks)), 2)}
    held = {k for ks in keys_of.values() for k in ks}
    truth = (json.loads(x) for x in (WORK / "corpus" / "truth.jsonl").open(encoding="utf-8"))
    gold = {p for p in gold_pairs(t for t in truth if t["doc"] in held) if p <= held}
    hits = len(found & gold)
    precision, recall = hits / max(1, len(found)), hits / max(1, len(gold))
    return {
        "documents": len(held), "gold_pairs": len(gold), "found_pairs": len(found),
        "precision": round(precision, 4), "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if hits else 0.0,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents in the first run")
    parser.add_argument(
        "--more", type=int, default=0, metavar="K",
        help="keep the last run's store and add K batches of 10 further documents",
    )  # fmt: skip
    parser.add_argument(
        "--families", type=Path, metavar="DB",
        help="score this store's derivation families against the planted truth",
    )  # fmt: skip
    args = parser.parse_args()
    if args.families:
        print(json.dumps(family_scores(args.families), indent=2))
        return 0
    if args.more:
        return add_more(args.docs, args.more)
    shutil.rmtree(WORK, ignore_errors=True)
    base, added = split_corpus(args.docs)
    out = WORK / "out"
    first = analyze([base], out)
    more = analyze([base, added], out)
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "data": f"benchmarks/planted.py seed 7: {args.docs} documents, then {ADDED} added",
        "first": {**first, "docs_per_s": round(args.docs / first["wall_seconds"], 2)},
        "added": more,
        "added_over_first": round(more["wall_seconds"] / first["wall_seconds"], 4),
    }
    path = REPO / "benchmarks" / "results" / f"analyze_scale_{args.docs}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"{args.docs} docs: {first['wall_seconds']} s; +{ADDED}: {more['wall_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
