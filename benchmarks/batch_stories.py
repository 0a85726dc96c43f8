"""Batch mode's stories on the story benchmark (issue 9): each encoder's quality and cost.

Data: all 772 `eval/ecbplus-dev` articles (the text files, read by `storytrace batch` as a
user's folder of pages), gold `subtopic` = event and `topic`. Metric: document-level
B-cubed P/R/F1 with `eval/scorers/bcubed.py`, the number of clusters never given. The story
settings of batch mode (engine/batch.py) were chosen on this set and on a planted corpus
(docs/benchmarks.md), so these figures are in-sample; the out-of-fold figure of the full
story stage on the same set is the reference (docs/benchmarks.md "Stories").

Results: benchmarks/results/batch_stories.json. Usage:
    python -m benchmarks.batch_stories [--encoders static,minilm]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "batch_stories.json"
OUT = REPO / "out" / "bench" / "batch-stories"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--encoders", default="static,minilm")
    args = parser.parse_args()
    ecb = args.shared / "eval" / "ecbplus-dev"
    if not ecb.is_dir():
        print(f"evaluation data not found under {ecb}; nothing to measure")
        return 0
    sys.path.insert(0, str(args.shared / "eval" / "scorers"))
    from bcubed import bcubed

    from storytrace.engine import read_groups, run_local

    gold = {json.loads(line)["doc"]: json.loads(line) for line in (ecb / "docs.jsonl").open()}
    report: dict = {"data": "eval/ecbplus-dev docs/*.txt (772 articles)",
                    "metric": "document-level B-cubed P/R/F1 (eval/scorers/bcubed.py)"}  # fmt: skip
    for encoder in args.encoders.split(","):
        out = OUT / encoder
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        run = run_local([ecb / "docs"], out, encoder=encoder)
        seconds = time.perf_counter() - started
        key_of = _keys(out)
        groups = read_groups(out, "lead_groups", "lead_group")
        pred = {key_of[d]: n for n, group in enumerate(groups) for d in group}
        event = bcubed(pred, {k: gold[k]["subtopic"] for k in pred})
        topic = bcubed(pred, {k: gold[k]["topic"] for k in pred})
        report[encoder] = {
            "event_bcubed": [round(x, 4) for x in event],
            "topic_bcubed": [round(x, 4) for x in topic],
            "stories": len(run.lead_groups),
            "documents": run.documents,
            "seconds": round(seconds, 1),
            "embed_seconds_all_workers": run.prepare_seconds.get("embed"),
        }
        print(encoder, report[encoder], file=sys.stderr, flush=True)
    report["machine"] = f"{platform.machine()}, Python {platform.python_version()}, 2 cores"
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


def _keys(out: Path) -> dict[str, str]:
    """Content id -> ECB+ document key (the file name)."""
    import pyarrow.parquet as pq

    rows = pq.read_table(out / "documents.parquet", columns=["id", "input"]).to_pylist()
    return {r["id"]: Path(r["input"]).name.removesuffix(".txt") for r in rows}


if __name__ == "__main__":
    sys.exit(main())
