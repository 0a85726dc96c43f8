"""Batch mode's full analysis at scale (issue 24): time per step, driver and worker memory.

Data: the planted corpus of `benchmarks/batch_scale.py` (benchmarks/planted.py, seed 7:
invented texts with planted events and derivation families; claims are its sentences),
split into JSONL shards. One engine per invocation, in this process: the global pass, then
the partitions' three phases (read; clean to story evidence; links, stories, claims,
timelines) and the merge. Memory: the peak of the summed RSS of this process and its
descendants (sampled every 0.2 s with psutil), each phase's largest worker, and the
driver's own peak. When both engines have run at a size, their tables are compared (clock
columns aside).

With ``--address`` the Ray engine joins a running cluster: the multi-node run simulated on
one machine (`ray start --head --num-cpus 0`, then worker nodes with `ray start --address`),
where no task can run in the driver's node, so what the driver holds is its own memory.

Results: benchmarks/results/full_scale.json, keyed by size and engine. Usage:

    python -m benchmarks.full_scale --docs 2000 --engine local [--partition-docs 500]
    python -m benchmarks.full_scale --docs 2000 --engine ray [--address auto]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import time
from pathlib import Path

from benchmarks.batch_scale import TreeMemory, make_corpus
from storytrace.engine.full import run_full
from storytrace.settings import Settings
from storytrace.store.tables import differing_tables

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "full_scale.json"
WORK = REPO / "out" / "bench" / "full"
SHOWN = ("documents", "reuse_links", "families", "stories", "claim_clusters", "timeline_entries")


def run_engine(
    docs: int, engine: str, partition_docs: int, shards: int, address: str | None = None
) -> dict:
    folder = make_corpus("planted", docs, shards)
    out = WORK / f"n{docs}-{engine}"
    shutil.rmtree(out, ignore_errors=True)  # a measurement never resumes
    settings = Settings.from_env().with_(progress=False)
    with TreeMemory() as memory:
        started = time.perf_counter()
        if engine == "ray":
            import ray

            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     configure_logging=False)  # fmt: skip
        try:
            first, run = run_full(
                [folder / "shards"], out, "static", engine, partition_docs, settings
            )
        finally:
            if engine == "ray":
                ray.shutdown()
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "documents": first.documents,
        "seconds_per_document": round(seconds / max(1, first.documents), 4),
        "global_pass_seconds": first.seconds,
        "partition_seconds": run.seconds,
        "partitions": run.partitions,
        "peak_mb": run.peak_mb,
        "tree_peak_mb": round(memory.peak / 2**20),
        "tables": {k: run.tables.get(k, 0) for k in SHOWN},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--engine", choices=("local", "ray"), default="local")
    parser.add_argument("--partition-docs", type=int, default=500)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument(
        "--address", help="a running Ray cluster (e.g. head and worker nodes from `ray start`)"
    )
    args = parser.parse_args()
    report = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    key = f"planted-{args.docs}"
    row = report.setdefault(key, {})
    name = "ray-nodes" if args.address else args.engine
    row[name] = run_engine(args.docs, args.engine, args.partition_docs, args.shards, args.address)
    row["machine"] = f"{platform.machine()}, {platform.python_version()}"
    row["partition_docs"] = args.partition_docs
    local = WORK / f"n{args.docs}-local" / "analysis"
    if local.is_dir() and args.engine == "ray":
        ray = WORK / f"n{args.docs}-ray" / "analysis"
        row[f"{name}_tables_differing_from_local"] = differing_tables(local, ray)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(row, indent=1))


if __name__ == "__main__":
    main()
