"""Batch mode's full analysis at scale (issue 24): time per step, driver and worker memory.

Data: the planted corpus of `benchmarks/batch_scale.py` (benchmarks/planted.py, seed 7:
invented texts with planted events and derivation families; claims are its sentences),
split into JSONL shards. One engine per invocation, in this process: the global pass, then
the partitions' phases (read; clean to story evidence; the story graph; links, stories,
claims, timelines on story partitions) and the merge. Memory: the peak of the summed RSS
of this process and its descendants (sampled every 0.2 s with psutil), each phase's
largest worker, and the driver's own peak. When both engines have run at a size, their
tables are compared (clock columns aside).

With ``--address`` the Ray engine joins a running cluster: the multi-node run simulated on
one machine (`ray start --head --num-cpus 0`, then worker nodes with `ray start --address`),
where no task can run in the driver's node, so what the driver holds is its own memory.

Results: benchmarks/results/full_scale.json, keyed by size and engine. Usage:

    python -m benchmarks.full_scale --docs 2000 --engine local [--partition-docs 500]
    python -m benchmarks.full_scale --docs 2000 --engine ray [--address auto]
    python -m benchmarks.full_scale --docs 1000000 --shards 200 --engine ray --global-only

``--global-only`` measures the driver's part alone (the light pass without lead groups,
as the full analysis runs it, and the partition plan), where the driver's memory grows
with the corpus.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from benchmarks.batch_scale import TreeMemory, make_corpus
from storytrace.engine import batch, run_local, run_ray
from storytrace.engine.full import plan, run_full
from storytrace.engine.local import peak_rss_mb
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
    with TreeMemory() as memory, _engine(engine, address):
        started = time.perf_counter()
        first, run = run_full([folder / "shards"], out, "none", engine, partition_docs, settings)
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "documents": first.documents,
        "seconds_per_document": round(seconds / max(1, first.documents), 4),
        "global_pass_seconds": first.seconds,
        "partition_seconds": run.seconds,
        "partitions": run.partitions,
        "story_partitions": run.story_partitions,
        "story_graph": asdict(run.graph) if run.graph else None,
        "peak_mb": run.peak_mb,
        "tree_peak_mb": round(memory.peak / 2**20),
        "tables": {k: run.tables.get(k, 0) for k in SHOWN},
    }


def run_global(
    docs: int, engine: str, partition_docs: int, shards: int, address: str | None = None
) -> dict:
    """Only what the driver does before the partitions: the light pass (no lead groups,
    as the full analysis runs it) and the partition plan; the driver's peak memory."""
    folder = _corpus_apart(docs, shards)
    out = WORK / f"n{docs}-{engine}-global"
    shutil.rmtree(out, ignore_errors=True)
    settings = Settings.from_env().with_(progress=False)
    paths = [folder / "shards"]
    with TreeMemory() as memory, _engine(engine, address):
        started = time.perf_counter()
        if engine == "ray":
            first = run_ray(paths, out, "none", address, None, settings)
        else:
            first = run_local(paths, out, "none", settings.workers, None, settings)
        light = time.perf_counter() - started
        parts = plan(out, batch.input_files(paths, settings), "none", partition_docs)
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "documents": first.documents,
        "global_pass_seconds": first.seconds,
        "plan_seconds": round(seconds - light, 1),
        "partitions": len(parts),
        "driver_peak_mb": peak_rss_mb(),
        "tree_peak_mb": round(memory.peak / 2**20),
    }


@contextmanager
def _engine(engine: str, address: str | None) -> Iterator[None]:
    """Ray started (or joined at ``address``) for the Ray engine; nothing for local."""
    if engine != "ray":
        yield
        return
    import ray

    ray.init(address=address, include_dashboard=False, log_to_driver=False,
             configure_logging=False)  # fmt: skip
    try:
        yield
    finally:
        ray.shutdown()


def _corpus_apart(docs: int, shards: int) -> Path:
    """The corpus, made in a process of its own: making it holds every text, and this
    process's peak is the driver's measurement."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(make_corpus, "planted", docs, shards).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--engine", choices=("local", "ray"), default="local")
    parser.add_argument("--partition-docs", type=int, default=500)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument(
        "--address", help="a running Ray cluster (e.g. head and worker nodes from `ray start`)"
    )
    parser.add_argument(
        "--global-only", action="store_true",
        help="only the light pass and the partition plan (the driver's part)",
    )  # fmt: skip
    args = parser.parse_args()
    report = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    key = f"planted-{args.docs}"
    row = report.setdefault(key, {})
    name = "ray-nodes" if args.address else args.engine
    measure = run_global if args.global_only else run_engine
    name = f"global-{name}" if args.global_only else name
    row[name] = measure(args.docs, args.engine, args.partition_docs, args.shards, args.address)
    row["machine"] = f"{platform.machine()}, {platform.python_version()}"
    row["partition_docs"] = args.partition_docs
    local = WORK / f"n{args.docs}-local" / "analysis"
    if local.is_dir() and args.engine == "ray" and not args.global_only:
        ray = WORK / f"n{args.docs}-ray" / "analysis"
        row[f"{name}_tables_differing_from_local"] = differing_tables(local, ray)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(row, indent=1))


if __name__ == "__main__":
    main()
