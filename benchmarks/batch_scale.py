"""Batch mode at scale (issue 9): time, memory and family F1, local vs Ray, same run.

Data: `benchmarks/planted.py` corpora (events with invented casts; 30 % content-farm
derivatives: copies, rewrites, simplified, SEO-padded, summaries, chains, combined), written
as JSONL. Metric: pairwise family membership against the planted truth
(`planted.gold_pairs`): a predicted pair is two records with the same content id or in one
batch family. Batch mode's first slice links by MinHash agreement only, so it finds copies
and close rewrites, not paraphrases or summaries: recall is bounded by that.

Peak memory is the driver process's (Ray's workers are separate processes; their peak is
not included).

Results: benchmarks/results/batch_scale.json, one entry per corpus size.

Usage: python benchmarks/batch_scale.py [--docs 10000] [--engines local,ray]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import planted
from storytrace.engine import run_local, run_ray
from storytrace.engine.batch import prepare, read_records

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "batch_scale.json"
WORK = REPO / "out" / "bench" / "batch"


def score(records: list[dict], families: list[list[str]], gold: set[frozenset[str]]) -> dict:
    ids = prepare({"text": [r["text"] for r in records], "title": [r.get("title") for r in records],
                   "input": [r["id"] for r in records]})  # fmt: skip
    content = dict(zip(ids["input"], ids["id"], strict=True))
    family = {d: n for n, group in enumerate(families) for d in group}
    groups: dict[object, list[str]] = {}
    for key, cid in content.items():
        groups.setdefault(family.get(cid, cid), []).append(key)
    predicted = {frozenset(p) for members in groups.values() for p in combinations(members, 2)}
    tp = len(predicted & gold)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(gold) if gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--engines", default="local,ray")
    args = parser.parse_args()
    folder = planted.write_corpus(WORK / f"n{args.docs}", args.docs)
    truth = [json.loads(line) for line in (folder / "truth.jsonl").read_text().splitlines()]
    gold = planted.gold_pairs(truth)
    records = list(read_records([folder / "docs.jsonl"]))
    report: dict = {"docs": args.docs, "gold_pairs": len(gold)}
    for engine in args.engines.split(","):
        started = time.perf_counter()
        if engine == "ray":
            import ray

            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
            result = run_ray([folder / "docs.jsonl"])
            ray.shutdown()
        else:
            result = run_local([folder / "docs.jsonl"])
        seconds = time.perf_counter() - started
        report[engine] = {
            "seconds": round(seconds, 1),
            "docs_per_s": round(args.docs / seconds, 1),
            "pairs": len(result.pairs),
            "families": len(result.families),
            "driver_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            **score(records, result.families, gold),
        }
        print(engine, report[engine], file=sys.stderr, flush=True)
    report["machine"] = f"{platform.machine()}, {platform.python_version()}, 2 cores"
    # One file for every size run so far: a run replaces its own size only.
    runs = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    runs = runs if "docs" not in runs else {str(runs["docs"]): runs}
    runs[str(args.docs)] = report
    RESULTS.write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
