"""Ingest throughput and peak memory.

Two inputs: N generated plain-text documents (benchmarks/corpus_gen.py) and the 181 HTML pages
of ../shared/eval/extraction-dev (skipped when absent). Each run happens in a fresh process so
its peak memory (max RSS, including spaCy worker processes) is its own.

    python -m benchmarks.ingest_speed [--docs 10000] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "ingest_speed.json"


def run_one(inputs: list[str], db: Path) -> dict:
    """Ingest in this process; returns counts, pass timings and peak memory."""
    from storytrace.settings import Settings
    from storytrace.workspace import Workspace

    start = time.perf_counter()
    with Workspace(Settings().with_(db=db, progress=False), create=True) as ws:
        report = ws.ingest([Path(i) for i in inputs])
    total = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "documents": report.new_documents,
        "errors": len(report.errors),
        "seconds": round(total, 2),
        "docs_per_s": round(report.new_documents / total, 1),
        "pass_seconds": {k: round(v, 2) for k, v in report.seconds.items()},
        "pass_docs_per_s": {
            k: round(report.new_documents / v, 1) for k, v in report.seconds.items() if v
        },
        "peak_rss_mb": round(own, 1),
        "peak_rss_worker_mb": round(children, 1),
    }


def measure(inputs: list[str], tmp: Path, name: str) -> dict:
    db = tmp / f"{name}.db"
    code = (
        f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); "
        "from benchmarks.ingest_speed import run_one; from pathlib import Path; "
        f"print(json.dumps(run_one({inputs!r}, Path({str(db)!r}))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="generated text documents")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    from benchmarks.corpus_gen import write_corpus

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_corpus(tmp / "text", args.docs)
        results[f"generated_text_{args.docs}"] = measure([str(tmp / "text")], tmp, "text")
        html = args.shared / "eval" / "extraction-dev" / "html"
        if html.is_dir():
            results["extraction_dev_html_181"] = measure([str(html)], tmp, "html")
        else:
            print(f"skipped HTML pages: {html} not found")
    machine = f"{platform.machine()}, {platform.python_version()}, {_cpu_count()} cores"
    payload = {"machine": machine, "results": results}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n")
    _print_table(payload)


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


def _print_table(payload: dict) -> None:
    print(f"machine: {payload['machine']}")
    print(f"{'input':<28}{'docs':>7}{'docs/s':>9}{'read':>9}{'clean':>9}{'annot.':>9}{'RSS MB':>9}")
    for name, r in payload["results"].items():
        rate = r["pass_docs_per_s"]
        rss = max(r["peak_rss_mb"], r["peak_rss_worker_mb"])
        print(
            f"{name:<28}{r['documents']:>7}{r['docs_per_s']:>9}{rate.get('read', 0):>9}"
            f"{rate.get('clean', 0):>9}{rate.get('annotate', 0):>9}{rss:>9}"
        )
    print("(per-pass columns are documents per second of that pass)")


if __name__ == "__main__":
    main()
