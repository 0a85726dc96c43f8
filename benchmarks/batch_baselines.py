"""Batch mode against the baselines (issue 9): storytrace, datasketch and rensa, same run.

Data: a `benchmarks/planted.py` corpus (`batch_scale.make_corpus`: docs.jsonl and the same
records split into shards under out/bench/batch/planted-nN). The libraries read docs.jsonl,
storytrace reads the shards (batch mode shares work out per file). Metric: wall time per
stage and in all, documents per second, peak RSS, and pairwise family membership against
the planted truth (`planted.gold_pairs`; a predicted pair is two records in one family or
of one content id). Each contender runs in a fresh spawned process, one after the other,
so its peak RSS is its own (an engine's worker processes: the largest one's peak, apart);
imports and spaCy's stop words are loaded before the clock starts, and the RSS after them
is reported too, so the work's own memory is the difference.

Contenders, all at 128 permutations, the same LSH shape (`BANDS` bands of `NUM_PERM //
BANDS` rows), verification at signature agreement >= `MIN_AGREEMENT` and connected
components as families:

1. ``storytrace``: `storytrace.engine.run_local` end to end with ``encoder="none"`` (no
   lead vectors, no stories: the families only), which still does more than the others:
   extraction and furniture removal through the ingest readers, content ids and
   de-duplication, Parquet shards and outputs; its files are prepared in one process per
   core. Its own seconds per step are kept as ``engine_*`` stages. ``--storytrace-options``
   passes keyword arguments (e.g. '{"encoder": "static"}').
2. ``datasketch_batched``: datasketch used the fast way: `MinHash.bulk` over all
   documents (one set of permutations, `update_batch` per document), an
   `insertion_session` into `MinHashLSH(num_perm=128, params=(BANDS, rows))`, a query per
   document, verification vectorised over the stacked hash values, union-find.
3. ``datasketch_loop``: the straightforward one-process pipeline a user writes without
   storytrace: per document `MinHash(num_perm=128)` and `update()` per shingle, `insert`
   into the same `MinHashLSH`, a query per document, `MinHash.jaccard` per candidate,
   union-find.
4. ``rensa_loop``: the same loop with rensa (the Rust MinHash storytrace uses): per
   document `RMinHash(128, seed 42).update(shingles)`, `RMinHashLSH(num_bands=BANDS)`,
   `RMinHash.jaccard`, union-find. Same signatures as storytrace's for the same text.

Contenders 2-4 shingle as storytrace does (content-word bigrams of the cleaned text:
`storytrace.text.text_shingles`); stages ``read`` (JSON lines),
``shingle`` (the same code in all three: the shared cost), ``signatures``, ``lsh`` (index
and query), ``verify_components``. datasketch hashes with other permutations than rensa, so
its pairs differ slightly. Neither library caps bucket sizes: stock phrases fill buckets,
and candidate pairs grow faster than the corpus (storytrace drops buckets over
`MAX_BUCKET`). They keep every record; storytrace keeps one per content id. Their
families are of records; storytrace's, of content ids, are scored by `batch_scale.score`
from its output tables.

Ratios: contender total / storytrace total. Results: benchmarks/results/batch_baselines.json,
one entry per corpus size (a run replaces its own size).

Usage: python -m benchmarks.batch_baselines [--docs 10000]
       [--contenders storytrace,datasketch_batched,datasketch_loop,rensa_loop]
       [--storytrace-options JSON] [--note TEXT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import planted
from storytrace.engine.batch import MIN_AGREEMENT
from storytrace.ml.candidates import BANDS, NUM_PERM, SEED
from storytrace.text import stop_words, text_shingles

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "batch_baselines.json"
WORK = REPO / "out" / "bench" / "batch"
ROWS = NUM_PERM // BANDS
CONTENDERS = ("storytrace", "datasketch_batched", "datasketch_loop", "rensa_loop")
QUERY_CHUNK = 1000  # documents queried before their candidates are verified: bounds memory


# -- shared helpers (run in the contenders' processes) -------------------------------------
def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


class Clock:
    """Seconds per stage; a stage entered more than once adds up."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving keeps trees flat
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """Components of two or more members (a family needs a pair)."""
        found: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            found.setdefault(self.find(i), []).append(i)
        return [g for g in found.values() if len(g) > 1]


def read_texts(docs: Path) -> list[str]:
    with docs.open(encoding="utf-8") as f:
        return [json.loads(line)["text"] or "" for line in f if line.strip()]


def shingle(texts: list[str]) -> list[list[str]]:
    """prepare's shingles: content-word bigrams of the cleaned text, as a sorted set.

    An empty set becomes one ``<empty>`` token, as `candidates.signatures` does, so that
    empty documents hash alike in every library."""
    return [text_shingles(t) or ["<empty>"] for t in texts]


def query_chunks(n: int, query: Callable[[int], list[int]]) -> Iterator[list[tuple[int, int]]]:
    """Candidate pairs (i < j) of ``QUERY_CHUNK`` documents at a time."""
    for start in range(0, n, QUERY_CHUNK):
        yield [(i, j) for i in range(start, min(n, start + QUERY_CHUNK)) for j in query(i) if j > i]


def finish(clock: Clock, n: int, pairs: int, found: UnionFind) -> dict[str, Any]:
    with clock.stage("verify_components"):
        groups = found.groups()
    return {"pairs": pairs, "families": groups, "family_ids": "record", "docs": n}


# -- contenders ----------------------------------------------------------------------------
def run_storytrace(docs: Path, clock: Clock, options: dict[str, Any]) -> dict[str, Any]:
    """Batch mode's local engine on the corpus's shards (the same records, split in files
    as batch mode wants them), into a fresh folder kept for scoring."""
    import shutil

    from storytrace.engine import run_local

    out = docs.parent / "out-baselines"
    shutil.rmtree(out, ignore_errors=True)  # a finished folder would make a no-op re-run
    with clock.stage("total"):
        run = run_local([docs.parent / "shards"], out, **{"encoder": "none", **options})
    clock.stages.update({f"engine_{k}": float(v) for k, v in run.seconds.items()})
    # The parts of "prepare", summed over its worker processes (CPU-side seconds).
    clock.stages.update({f"engine_prepare_{k}": v for k, v in run.prepare_seconds.items()})
    return {"pairs": len(run.pairs), "families": [], "family_ids": "content",
            "docs": run.documents, "out": str(out)}  # fmt: skip


def read_and_shingle(docs: Path, clock: Clock) -> list[list[str]]:
    """The shared first stages of the three library contenders."""
    with clock.stage("read"):
        texts = read_texts(docs)
    with clock.stage("shingle"):
        return shingle(texts)


def run_datasketch_batched(docs: Path, clock: Clock, _: dict[str, Any]) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    sets = read_and_shingle(docs, clock)
    with clock.stage("signatures"):
        hashes = MinHash.bulk([[s.encode() for s in doc] for doc in sets], num_perm=NUM_PERM,
                              seed=SEED)  # fmt: skip
        matrix = np.stack([h.hashvalues for h in hashes])  # for vectorised verification
    with clock.stage("lsh"):
        lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
        with lsh.insertion_session() as session:
            for i, h in enumerate(hashes):
                session.insert(i, h, check_duplication=False)
    found, kept = UnionFind(len(hashes)), 0
    for chunk in _timed(clock, "lsh", query_chunks(len(hashes), lambda i: lsh.query(hashes[i]))):
        with clock.stage("verify_components"):
            if not chunk:
                continue
            pairs = np.asarray(chunk)
            agree = (matrix[pairs[:, 0]] == matrix[pairs[:, 1]]).mean(axis=1)
            for a, b in pairs[agree >= MIN_AGREEMENT].tolist():
                found.union(a, b)
                kept += 1
    return finish(clock, len(hashes), kept, found)


def run_datasketch_loop(docs: Path, clock: Clock, _: dict[str, Any]) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    sets = read_and_shingle(docs, clock)
    with clock.stage("signatures"):
        hashes = []
        for doc in sets:
            m = MinHash(num_perm=NUM_PERM, seed=SEED)
            for s in doc:
                m.update(s.encode())
            hashes.append(m)
    with clock.stage("lsh"):
        lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
        for i, m in enumerate(hashes):
            lsh.insert(i, m)
    return _verify_loop(clock, hashes, lambda i: lsh.query(hashes[i]))


def run_rensa_loop(docs: Path, clock: Clock, _: dict[str, Any]) -> dict[str, Any]:
    from rensa import RMinHash, RMinHashLSH

    sets = read_and_shingle(docs, clock)
    with clock.stage("signatures"):
        hashes = []
        for doc in sets:
            m = RMinHash(num_perm=NUM_PERM, seed=SEED)
            m.update(doc)
            hashes.append(m)
    with clock.stage("lsh"):
        lsh = RMinHashLSH(threshold=MIN_AGREEMENT, num_perm=NUM_PERM, num_bands=BANDS)
        for i, m in enumerate(hashes):
            lsh.insert(i, m)
    return _verify_loop(clock, hashes, lambda i: lsh.query(hashes[i]))


def _verify_loop(clock: Clock, hashes: list[Any], query: Callable[[int], list[int]]) -> dict:
    """One library call per candidate pair: what the per-document pipeline does."""
    found, kept = UnionFind(len(hashes)), 0
    for chunk in _timed(clock, "lsh", query_chunks(len(hashes), query)):
        with clock.stage("verify_components"):
            for a, b in chunk:
                if hashes[a].jaccard(hashes[b]) >= MIN_AGREEMENT:
                    found.union(a, b)
                    kept += 1
    return finish(clock, len(hashes), kept, found)


def _timed(clock: Clock, name: str, items: Iterator[Any]) -> Iterator[Any]:
    """The items of a generator, the time spent producing them added to stage ``name``."""
    while True:
        with clock.stage(name):
            item = next(items, None)
        if item is None:
            return
        yield item


RUNNERS: dict[str, Callable[[Path, Clock, dict[str, Any]], dict[str, Any]]] = {
    "storytrace": run_storytrace,
    "datasketch_batched": run_datasketch_batched,
    "datasketch_loop": run_datasketch_loop,
    "rensa_loop": run_rensa_loop,
}


def contender(name: str, docs: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Run one contender in this (fresh) process: imports first, then the clock."""
    import datasketch  # noqa: F401  (imports are not what is measured)
    import networkx  # noqa: F401
    import rensa  # noqa: F401

    import storytrace.engine  # noqa: F401

    stop_words()  # spaCy's import, paid once per process by every contender
    before = rss_mb()
    clock = Clock()
    out = RUNNERS[name](docs, clock, options)
    total = clock.stages.pop("total", None)
    total = total if total is not None else sum(clock.stages.values())
    stages = {k: round(v, 2) for k, v in clock.stages.items()}
    return {**out, "stages_s": stages, "total_s": round(total, 2),
            "rss_after_imports_mb": round(before), "peak_rss_mb": round(rss_mb()),
            # An engine's worker processes: the largest one's peak (0: it started none).
            "workers_peak_rss_mb": round(rss_mb(resource.RUSAGE_CHILDREN))}  # fmt: skip


def in_fresh_process(name: str, docs: Path, options: dict[str, Any]) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(contender, name, docs, options).result()


# -- scoring -------------------------------------------------------------------------------
def score_records(families: list[list[int]], keys: list[str], gold: set[frozenset[str]]) -> dict:
    """`batch_scale.score` for families of record indices: predicted pairs are the pairs
    inside families (counted, not listed). Records of one content id need no grouping of
    their own here: their signatures are equal, so they always share a family."""
    family = {i: n for n, group in enumerate(families) for i in group}
    index = {k: i for i, k in enumerate(keys)}
    predicted = sum(len(g) * (len(g) - 1) // 2 for g in families)
    tp = 0
    for a, b in map(tuple, gold):
        fa = family.get(index[a])
        tp += fa is not None and fa == family.get(index[b])
    p = tp / predicted if predicted else 0.0
    r = tp / len(gold) if gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}  # fmt: skip


def score(run: dict[str, Any], folder: Path, gold: set[frozenset[str]]) -> dict[str, float]:
    if run["family_ids"] == "record":
        docs = folder / "docs.jsonl"
        keys = [json.loads(line)["id"] for line in docs.open(encoding="utf-8")]
        return score_records(run["families"], keys, gold)
    from benchmarks import (
        batch_scale,  # content-id families: batch_scale's scorer reads the outputs
    )

    return batch_scale.score(folder, Path(run["out"]))["family_quality"]


# -- driver --------------------------------------------------------------------------------
def corpus(n: int) -> Path:
    """The planted corpus of ``n`` documents (batch_scale's, with its shards), written once."""
    from benchmarks import batch_scale

    return batch_scale.make_corpus("planted", n, max(2, min(200, n // 5000)))


def git_state() -> str:
    """The commit measured, ``-dirty`` when src/ has uncommitted changes."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (
        "-dirty" if git("status", "--porcelain", "src") else ""
    )


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def report_row(run: dict[str, Any], docs: int, base: float | None) -> dict:
    keys = ("stages_s", "total_s", "rss_after_imports_mb", "peak_rss_mb", "workers_peak_rss_mb")
    row = {k: run[k] for k in keys}
    row["docs_per_s"] = round(docs / run["total_s"], 1) if run["total_s"] else None
    row["pairs"] = run["pairs"]
    row["families"] = len(run["families"])
    row["ratio_vs_storytrace"] = round(run["total_s"] / base, 2) if base else None
    return row


def print_table(report: dict) -> None:
    head = f"{'contender':<20}{'read':>7}{'shingle':>8}{'sigs':>7}{'lsh':>7}{'verify':>8}"
    print(head + f"{'total':>8}{'docs/s':>9}{'peakMB':>8}{'F1':>7}{'ratio':>7}")
    for name in CONTENDERS:
        row = report.get(name)
        if row is None:
            continue
        s = row["stages_s"]
        cells = [s.get(k) for k in ("read", "shingle", "signatures", "lsh", "verify_components")]
        stages = "".join(f"{c:>{w}.2f}" if c is not None else f"{'-':>{w}}"
                         for c, w in zip(cells, (7, 8, 7, 7, 8), strict=True))  # fmt: skip
        print(
            f"{name:<20}{stages}{row['total_s']:>8.2f}{row['docs_per_s']:>9.0f}"
            f"{row['peak_rss_mb']:>8}{row['f1'] or 0:>7.3f}{row['ratio_vs_storytrace'] or 0:>7.2f}"
        )
    engine = {k[7:]: v for k, v in report.get("storytrace", {}).get("stages_s", {}).items()}
    if engine:  # where storytrace's own time goes
        print("storytrace steps (s):", ", ".join(f"{k} {v:.2f}" for k, v in engine.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--storytrace-options", type=json.loads, default={},
                        help="JSON keyword arguments for run_local")  # fmt: skip
    parser.add_argument("--note", help="kept with the results (e.g. the machine was shared)")
    args = parser.parse_args()
    names = [c for c in args.contenders.split(",") if c]
    if unknown := set(names) - set(RUNNERS):
        parser.error(f"unknown contenders: {', '.join(sorted(unknown))}")
    folder = corpus(args.docs)
    docs = folder / "docs.jsonl"
    docs.read_bytes()  # into the page cache, so the first contender does not pay the disk
    report: dict[str, Any] = {"docs": args.docs, "git": git_state(), "note": args.note,
                              "load_avg_at_start": round(os.getloadavg()[0], 2),
                              "storytrace_options": args.storytrace_options}  # fmt: skip
    runs = {}
    for name in names:
        runs[name] = in_fresh_process(name, docs, args.storytrace_options)
        print(name, runs[name]["total_s"], "s", file=sys.stderr, flush=True)
    # Scoring after all timing, so it never shares the cores with a contender.
    truth = [json.loads(line) for line in (folder / "truth.jsonl").read_text().splitlines()]
    gold = planted.gold_pairs(truth)
    report["gold_pairs"] = len(gold)
    base = runs["storytrace"]["total_s"] if "storytrace" in runs else None
    for name, run in runs.items():
        report[name] = {**report_row(run, args.docs, base), **score(run, folder, gold)}
    report["machine"] = f"{platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores"
    # One file for every size run so far: a run replaces its own size only.
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[str(args.docs)] = report
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
