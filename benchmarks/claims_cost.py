"""Cost of the claim stage, this code against an earlier checkout (issue 20: within 1.5x).

Times the claim stage alone (loading its models included) on copies of stores that
`benchmarks/citations.py` built (every earlier stage done): its claims and claim clusters
are forgotten, then `build_claims` runs in a fresh process. Runs alternate between the two
checkouts, `--reps` times each, on the demo corpus and the ecbplus-dev sample.

Usage: python -m benchmarks.claims_cost --baseline DIR [--baseline-tag before]
       [--tag after] [--reps 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "claims_cost.json"
STORES = REPO / "out" / "bench" / "citations"
_CHILD = """
import json, shutil, sys, time
from pathlib import Path
from storytrace.claims import stage
from storytrace.settings import Settings
from storytrace.store import Store
source, copy = Path(sys.argv[1]), Path(sys.argv[2])
for suffix in ("", "-wal", "-shm"):
    if Path(str(source) + suffix).exists():
        shutil.copy(str(source) + suffix, str(copy) + suffix)
with Store(copy) as store:
    with store.transaction():
        store.claims.forget_doc_claims()
        store.claims.drop_stories(store.claims.fingerprints())
    started = time.perf_counter()
    report = stage.build_claims(store, Settings(db=copy))
    print(json.dumps({"version": stage.STAGE.version, "documents": store.count("documents"),
                      "seconds": round(time.perf_counter() - started, 2),
                      "parts": {k: round(v, 2) for k, v in report.seconds.items()}}))
"""


def time_once(code: Path, store: Path, scratch: Path) -> dict:
    env = os.environ | {"PYTHONPATH": str(code / "src"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(store), str(scratch)], env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the earlier checkout")
    parser.add_argument("--baseline-tag", default="before")
    parser.add_argument("--tag", default="after")
    parser.add_argument("--reps", type=int, default=2)
    args = parser.parse_args()
    scratch = REPO / "out" / "bench" / "claims_cost"
    scratch.mkdir(parents=True, exist_ok=True)
    report: dict = {"machine": f"{platform.machine()}, Python {platform.python_version()}",
                    "reps": args.reps, "corpora": {}}  # fmt: skip
    for corpus in ("demo", "ecbplus"):
        runs: dict[str, list[dict]] = {"before": [], "after": []}
        for _ in range(args.reps):
            runs["before"].append(time_once(args.baseline.resolve(),
                                            STORES / args.baseline_tag / corpus / "store.db",
                                            scratch / "before.db"))  # fmt: skip
            runs["after"].append(time_once(REPO, STORES / args.tag / corpus / "store.db",
                                           scratch / "after.db"))  # fmt: skip
        before = statistics.median(r["seconds"] for r in runs["before"])
        after = statistics.median(r["seconds"] for r in runs["after"])
        docs = runs["after"][0]["documents"]
        report["corpora"][corpus] = {
            "documents": docs,
            "runs": runs,
            "median_seconds": {"before": before, "after": after},
            "ms_per_document": {"before": round(1000 * before / docs, 1),
                                "after": round(1000 * after / docs, 1)},
            "ratio": round(after / before, 3),
        }  # fmt: skip
        print(corpus, json.dumps(report["corpora"][corpus]["median_seconds"]),
              "ratio", report["corpora"][corpus]["ratio"], flush=True)  # fmt: skip
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
