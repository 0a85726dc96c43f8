"""How fast `storytrace ask` answers on a 1,000-document store: the CLI and the web app.

Store: all 772 `eval/ecbplus-dev` articles (the store `benchmarks/ask_eval.py` builds,
copied: every stage run) plus 228 generated news-like documents (`benchmarks/corpus_gen.py`,
seed 13) added as a second ingest run up to the index stage, so 1,000 documents in the
answer index; the second ingest's index stage time is the cost of adding documents to the
index (only the new rows). The generated documents are not run through stories and claims
(their repeated templates make the claim stage's pair reading take many minutes), so the
1,000-document timings use `--no-update`; the up-to-date check is timed on the complete
772-document store.

Measured:
- **CLI, whole process**: `storytrace ask "<question>" --db STORE --json` as a user runs
  it (Python start-up, imports, MiniLM loaded, the store checked up to date, the index
  loaded, the answer), median of the questions;
- **CLI, after start-up**: the same work in one process, split into start-up (imports and
  loading MiniLM: paid once per process) and the question itself (opening the
  store, the up-to-date check, loading the index, retrieval, ranking, answer words,
  claim groups), median over the questions, each in a fresh workspace;
- **web**: `GET /api/ask` on the app (`storytrace serve`) with its index in memory, median
  over the questions after the first.

Usage: python -m benchmarks.ask_speed [--shared PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "out" / "bench" / "ask-speed"
RESULTS = REPO / "benchmarks" / "results" / "ask_speed.json"
QUESTIONS = [
    "How many people were killed in the earthquake?",
    "Who was arrested after the shooting?",
    "When did the fire start?",
    "Where did the pirates attack the ship?",
    "Which team signed the first baseman?",
    "What did the police say about the crash?",
]
EXTRA = 228


def build(shared: Path) -> tuple[Path, float]:
    from benchmarks.ask_eval import build_store
    from benchmarks.corpus_gen import write_corpus
    from storytrace import pipeline
    from storytrace.settings import Settings
    from storytrace.stage import Inputs
    from storytrace.store import Store

    source = build_store("ecbplus", [shared / "eval" / "ecbplus-dev" / "docs"], rebuild=False)
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / "store.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, db)
    extra = write_corpus(WORK / "generated", EXTRA)
    settings = Settings().with_(db=db, progress=False, workers=2)
    with Store(db) as store:
        run = pipeline.run(store, settings, "index", Inputs(extra))
        assert store.count("documents") == 772 + EXTRA, store.count("documents")
    index = next(o for o in run.outcomes if o.stage == "index")
    return db, index.seconds


def cli_process(db: Path, update: bool) -> list[float]:
    times = []
    for question in QUESTIONS:
        started = time.perf_counter()
        command = str(Path(sys.executable).parent / "storytrace")
        flags = [] if update else ["--no-update"]
        done = subprocess.run(
            [command, "ask", question, "--db", str(db), "--json", *flags],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"ask failed: {done.stderr[-500:]}")
    return times


def in_process(db: Path, update: bool) -> tuple[float, list[float]]:
    started = time.perf_counter()
    from storytrace.ml.encode import encode
    from storytrace.settings import Settings
    from storytrace.workspace import Workspace

    encode(["warm up"])
    startup = time.perf_counter() - started
    times = []
    for question in QUESTIONS:
        started = time.perf_counter()
        with Workspace(Settings().with_(db=db, progress=False)) as ws:
            if update:
                ws.update("ask")
            ws.ask(question)
        times.append(time.perf_counter() - started)
    return startup, times


def web(db: Path) -> list[float]:
    from fastapi.testclient import TestClient

    from storytrace.web.app import WebSettings, create_app

    times = []
    with TestClient(create_app(WebSettings(db, read_only=True))) as client:
        for question in [QUESTIONS[0], *QUESTIONS]:
            started = time.perf_counter()
            response = client.get("/api/ask", params={"q": question})
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return times[1:]  # the first request loads the index and the models


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    db, index_s = build(args.shared)
    process = cli_process(db, update=False)
    startup, questions = in_process(db, update=False)
    served = web(db)
    complete = WORK.parent / "ask" / "ecbplus.db"
    checked = cli_process(complete, update=True)
    _, checked_in_process = in_process(complete, update=True)
    report = {
        "store": f"eval/ecbplus-dev (772) + {EXTRA} generated = 1,000 documents",
        "index_stage_s_for_added_documents": round(index_s, 2),
        "cli_process_s_median": round(statistics.median(process), 2),
        "cli_process_s": [round(t, 2) for t in process],
        "startup_s": round(startup, 2),
        "cli_after_startup_s_median": round(statistics.median(questions), 3),
        "cli_after_startup_s": [round(t, 3) for t in questions],
        "web_s_median": round(statistics.median(served), 3),
        "cli_process_with_update_check_772_s_median": round(statistics.median(checked), 2),
        "cli_after_startup_with_update_check_772_s_median": round(
            statistics.median(checked_in_process), 3
        ),
        "web_s": [round(t, 3) for t in served],
        "machine": f"{platform.machine()}, Python {platform.python_version()}, 2 cores",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
