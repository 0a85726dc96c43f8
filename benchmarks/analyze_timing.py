"""Time and peak memory of `storytrace analyze` (issue 7): ingest to report, end to end.

Two runs, each in a fresh process and a fresh output folder (first runs: nothing cached
in the store):
1. the bundled demo corpus (`examples/demo/pages`, 26 documents);
2. every ECB+ article of `eval/ecbplus-dev` (772) plus the 93 reuse-dev derivatives: 865
   documents, all those two sets hold.

Peak memory is the largest resident set of the process and of its worker processes
(spaCy runs in as many as there are cores).

Usage: python -m benchmarks.analyze_timing [--shared PATH] [--skip-eval]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "analyze_timing.json"
WORK = REPO / "out" / "bench" / "analyze"
# Runs the CLI in a child and prints its own and its workers' peak RSS (KiB on Linux).
_CHILD = (
    "import json, resource, sys\n"
    "from storytrace.cli import app\n"
    "try:\n"
    "    app(sys.argv[1:], standalone_mode=False)\n"
    "finally:\n"
    "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "    print(json.dumps({'self_kb': own, 'children_kb': kids}), file=sys.stderr)\n"
)


def run(name: str, inputs: list[Path]) -> dict:
    out = WORK / name
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, "analyze", *map(str, inputs), "--out", str(out), "-q"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    memory = json.loads(done.stderr.strip().splitlines()[-1])
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    result = {
        "exit_code": done.returncode,
        "seconds": round(seconds, 1),
        "documents": report["counts"]["documents"],
        "docs_per_s": round(report["counts"]["documents"] / seconds, 2),
        "stories": report["counts"]["stories"],
        "families": report["counts"]["families"],
        "claims": report["counts"]["claims"],
        "peak_rss_mb": round(memory["self_kb"] / 1024),
        "peak_worker_rss_mb": round(memory["children_kb"] / 1024),
        "report_html_kb": round((out / "report.html").stat().st_size / 1024),
    }
    print(f"{name}: {result}", file=sys.stderr, flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--skip-eval", action="store_true", help="only the demo corpus")
    args = parser.parse_args()
    results = {"machine": f"{platform.machine()}, {platform.python_version()}"}
    results["demo"] = run("demo", [REPO / "examples" / "demo" / "pages"])
    eval_dir = args.shared / "eval"
    if not args.skip_eval and (eval_dir / "ecbplus-dev").is_dir():
        inputs = [eval_dir / "ecbplus-dev" / "docs", eval_dir / "reuse-dev" / "docs"]
        results["ecbplus_reuse_865"] = run("ecbplus_reuse", inputs)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
