"""The story graph's three steps at scale (issue 24): seconds and peak memory of each task.

Reads the preparing partitions of a finished (or interrupted after its *prepare* phase)
full-analysis run, e.g. one of `benchmarks/full_scale.py`, and runs the story graph's
steps again into a scratch folder, each in a fresh spawned process (as a worker task
runs it), so that each peak is that step's own: *evidence* (each partition's evidence as
arrays, one process per partition), *pairs* (the arrays stacked, candidates found and
scored over the corpus, components), *stories* (every block, one after the other, each in
its own process), *partitions* (packing). The corpus's document frequencies are summed
from the partitions, as the run does.

Results: benchmarks/results/story_graph.json, keyed by the run folder's name. Usage:

    python -m benchmarks.story_graph out/bench/full/n10000-local [--partition-docs 1000]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "story_graph.json"


def _measured(work: Callable[..., Any], *args: Any) -> tuple[Any, float, int]:
    """``work(*args)`` in this (fresh) process: its result, seconds, peak RSS in MB."""
    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    with threadpool_limits(limits=1):  # one core, as the full analysis runs a task
        value = work(*args)
    seconds = time.perf_counter() - started
    return (
        value,
        round(seconds, 2),
        round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )


def _apart(work: Callable[..., Any], *args: Any) -> tuple[Any, float, int]:
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_measured, work, *args).result()


def _frequencies(stores: list[Path]) -> tuple[dict[str, Counter[str]], int]:
    from storytrace.store import Store

    df: dict[str, Counter[str]] = {}
    documents = 0
    for path in stores:
        with Store(path) as store:
            for bag, terms in store.stories.document_frequencies().items():
                df.setdefault(bag, Counter()).update(terms)
            documents += store.stories.count()
    return df, documents


def measure(run: Path, partition_docs: int) -> dict[str, Any]:
    from storytrace.engine import regroup

    stores = sorted((run / ".work" / "partitions").glob("[0-9]*/store.db"))
    if not stores:
        raise SystemExit(f"no preparing partitions under {run}/.work/partitions")
    df, documents = _frequencies(stores)
    folder = REPO / "out" / "bench" / "story_graph" / run.name
    shutil.rmtree(folder.parent / f"{run.name}-evidence", ignore_errors=True)
    evidence = [folder.parent / f"{run.name}-evidence" / f"{k:05d}" for k in range(len(stores))]
    evidence_s, evidence_mb = [], []
    for store, place in zip(stores, evidence, strict=True):
        _, seconds, peak = _apart(regroup.write_evidence, store, place, df, documents)
        evidence_s.append(seconds)
        evidence_mb.append(peak)
    shutil.rmtree(folder, ignore_errors=True)
    blocks, pair_s, pair_mb = _apart(regroup.score_corpus, evidence, folder)
    group_s, group_mb = [], []
    for block in range(blocks):
        _, seconds, peak = _apart(regroup.group_block, folder, block)
        group_s.append(seconds)
        group_mb.append(peak)
    copy_groups = run / "copy_groups.parquet"
    graph, pack_s, pack_mb = _apart(regroup.pack_stories, copy_groups, partition_docs, folder)
    return {
        "documents": documents,
        "preparing_partitions": len(stores),
        "evidence": {"seconds": round(sum(evidence_s), 2), "largest_peak_mb": max(evidence_mb)},
        "pairs": {"seconds": pair_s, "peak_mb": pair_mb},
        "stories": {
            "blocks": blocks,
            "seconds": sum(group_s),
            "largest_peak_mb": max(group_mb, default=0),
        },
        "partitions": {"seconds": pack_s, "peak_mb": pack_mb},
        "graph": _fields(graph),
        "scratch_mb": round(
            sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1
        ),
    }


def _fields(graph: Any) -> dict[str, Any]:
    from dataclasses import asdict

    found = asdict(graph)
    found["story_partitions"] = len(found.pop("sizes"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a full-analysis output folder (--out)")
    parser.add_argument("--partition-docs", type=int, default=1000)
    args = parser.parse_args()
    report = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    row = measure(args.run, args.partition_docs)
    row["machine"] = f"{platform.machine()}, {platform.python_version()}, one core per task"
    row["partition_docs"] = args.partition_docs
    report[args.run.name] = row
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(row, indent=1))


if __name__ == "__main__":
    main()
