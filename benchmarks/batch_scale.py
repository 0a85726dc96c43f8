"""Batch mode at scale (issue 9): time and memory per step, family and story quality, local
vs Ray, at one corpus size per run.

Data: a generated corpus with ground truth, split into ``--shards`` JSONL files (batch mode
shares work out per file): ``planted`` (benchmarks/planted.py: invented texts) or ``seeded``
(benchmarks/seeded_corpus.py: the demo corpus and eval/ecbplus-dev articles with new casts).
Metrics: pairwise family membership P/R/F1 against the planted derivations
(``planted.gold_pairs``; a predicted pair is two records of one content id or of one batch
family) and document-level B-cubed P/R/F1 of the batch stories against the planted events
(eval/scorers/bcubed.py; pages combining two events are left out). For ``seeded``, pairs of
originals written from the same base article are left unscored (they share its wording by
construction, like wire copies in eval/reuse-dev).

Each engine runs in a fresh process; the memory figures are the peak of the sum of RSS over
that process and all its descendants (engine workers, Ray's raylet and workers), sampled
every 0.2 s with psutil, plus the driver's own peak after each step.

Results: benchmarks/results/batch_scale.json, keyed by corpus and size; a run replaces its
own entry. Usage:

    python -m benchmarks.batch_scale --docs 10000 [--engines local,ray] [--corpus planted]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import subprocess
import sys
import threading
import time
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "batch_scale.json"
WORK = REPO / "out" / "bench" / "batch"
SCORERS = REPO.parent / "shared" / "eval" / "scorers"


def make_corpus(kind: str, docs: int, shards: int) -> Path:
    """The corpus folder with ``shards/`` (the inputs) and ``truth.jsonl``; reused if made."""
    folder = WORK / f"{kind}-n{docs}"
    shard_dir = folder / "shards"
    if (folder / "truth.jsonl").exists() and len(list(shard_dir.glob("*.jsonl"))) == shards:
        return folder
    if kind == "planted":
        from benchmarks import planted

        planted.write_corpus(folder, docs)
    else:
        from benchmarks import seeded_corpus

        seeded_corpus.write_corpus(folder, docs)
    _split(folder / "docs.jsonl", shard_dir, shards)
    return folder


def _split(source: Path, target: Path, shards: int) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.jsonl"):
        old.unlink()
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    size = -(-len(lines) // shards)
    for n in range(shards):
        chunk = lines[n * size : (n + 1) * size]
        (target / f"docs-{n:05d}.jsonl").write_text("".join(chunk), encoding="utf-8")


# -- one engine, in its own process ----------------------------------------------------------
class TreeMemory:
    """Peak of the summed RSS of this process and its descendants."""

    def __init__(self) -> None:
        import psutil

        self.root = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(0.2):
            total = 0
            for proc in [self.root, *self.root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a worker that just ended
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_engine(engine: str, folder: Path, out: Path, encoder: str) -> dict:
    import shutil

    from storytrace.engine import run_local, run_ray

    shutil.rmtree(out, ignore_errors=True)  # a measurement never resumes
    with TreeMemory() as memory:
        started = time.perf_counter()
        if engine == "ray":
            import ray

            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
            run = run_ray([folder / "shards"], out, encoder)
            ray.shutdown()
        else:
            run = run_local([folder / "shards"], out, encoder)
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "step_seconds": run.seconds,
        "prepare_part_seconds_all_workers": run.prepare_seconds,
        "driver_peak_mb_after_step": run.peak_mb,
        "tree_peak_mb": round(memory.peak / 2**20),
        "documents": run.documents,
        "duplicates": run.duplicates,
        "errors": run.errors,
        "pairs": len(run.pairs),
        # Keys kept from before the rename (batch_scale.json holds runs of both).
        "families": len(run.copy_groups),
        "stories": len(run.lead_groups),
    }


# -- scoring ---------------------------------------------------------------------------------
def score(folder: Path, out: Path) -> dict:
    import pyarrow.parquet as pq

    from benchmarks import planted

    truth = [json.loads(line) for line in (folder / "truth.jsonl").open(encoding="utf-8")]
    key_of = _record_keys(folder)
    content: dict[str, str] = {}
    for table in ("documents", "duplicates"):
        for row in pq.read_table(out / f"{table}.parquet", columns=["input", "id"]).to_pylist():
            content[key_of[row["input"]]] = row["id"]
    gold = planted.gold_pairs(truth)
    unscored = _same_base_pairs(truth)
    groups = _groups(out, "copy_groups", "copy_group")
    family = {d: n for n, group in enumerate(groups) for d in group}
    members: dict[object, list[str]] = {}
    for key, cid in content.items():
        members.setdefault(family.get(cid, cid), []).append(key)
    predicted = {frozenset(p) for m in members.values() for p in combinations(m, 2)}
    predicted -= unscored
    report = {"family_quality": _prf(predicted, gold - unscored)}
    story_rows = pq.read_table(out / "lead_groups.parquet").to_pylist()
    if story_rows:
        groups = {r["id"]: r["lead_group"] for r in story_rows}
        report["story_quality"] = _bcubed(truth, content, groups)
    return report


def _record_keys(folder: Path) -> dict[str, str]:
    """Batch input location ("path#L12") -> the generator's document key."""
    keys = {}
    for shard in sorted((folder / "shards").glob("*.jsonl")):
        with shard.open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                keys[f"{shard}#L{n}"] = json.loads(line)["id"]
    return keys


def _same_base_pairs(truth: list[dict]) -> set[frozenset[str]]:
    """Originals written from one base article (seeded corpora only)."""
    by_base: dict[str, list[str]] = {}
    for row in truth:
        if row.get("base"):
            by_base.setdefault(row["base"], []).append(row["doc"])
    return {frozenset(p) for docs in by_base.values() for p in combinations(docs, 2)}


def _groups(out: Path, table: str, column: str) -> list[list[str]]:
    from storytrace.engine import read_groups

    return read_groups(out, table, column)


def _prf(predicted: set, gold: set) -> dict:
    tp = len(predicted & gold)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(gold) if gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}


def _bcubed(truth: list[dict], content: dict[str, str], story: dict[str, str]) -> dict:
    sys.path.insert(0, str(SCORERS))
    from bcubed import bcubed

    pred, gold = {}, {}
    for row in truth:
        if row["style"] != "combined" and row["doc"] in content:
            pred[row["doc"]] = story[content[row["doc"]]]
            gold[row["doc"]] = row["event"]
    p, r, f1 = bcubed(pred, gold)
    return {"bcubed_precision": round(p, 4), "bcubed_recall": round(r, 4),
            "bcubed_f1": round(f1, 4)}  # fmt: skip


# -- main ------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--engines", default="local,ray")
    parser.add_argument("--corpus", choices=("planted", "seeded"), default="planted")
    parser.add_argument("--shards", type=int, default=0, help="default: one per 5,000 docs")
    parser.add_argument("--encoder", default="static")
    parser.add_argument("--engine-only", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    shards = args.shards or max(2, min(200, args.docs // 5000))
    folder = WORK / f"{args.corpus}-n{args.docs}"
    if args.engine_only:
        out = folder / f"out-{args.engine_only}"
        print(json.dumps(run_engine(args.engine_only, folder, out, args.encoder)))
        return 0
    started = time.perf_counter()
    folder = make_corpus(args.corpus, args.docs, shards)
    report: dict = {"corpus": args.corpus, "docs": args.docs, "shards": shards,
                    "encoder": args.encoder,
                    "generate_s": round(time.perf_counter() - started, 1)}  # fmt: skip
    for engine in args.engines.split(","):
        command = [sys.executable, "-m", "benchmarks.batch_scale", "--docs", str(args.docs),
                   "--corpus", args.corpus, "--encoder", args.encoder,
                   "--engine-only", engine]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
        if done.returncode:
            print(done.stderr[-3000:], file=sys.stderr)
            report[engine] = {"failed": done.stderr.strip().splitlines()[-1:]}
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["docs_per_s"] = round(args.docs / result["seconds"], 1)
        result["measured"] = time.strftime("%Y-%m-%d %H:%M")
        result |= score(folder, folder / f"out-{engine}")
        report[engine] = result
        print(engine, json.dumps(result), file=sys.stderr, flush=True)
    report["machine"] = f"{platform.machine()}, Python {platform.python_version()}, 2 cores"
    runs = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    runs = {k: v for k, v in runs.items() if "-" in k}  # entries of the first version go
    key = f"{args.corpus}-{args.docs}"
    # An engine run alone (e.g. --engines ray at 1M) keeps the other engine's last result.
    kept = {e: v for e, v in runs.get(key, {}).items() if e in ("local", "ray") and e not in report}
    runs[key] = report | kept
    RESULTS.write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
