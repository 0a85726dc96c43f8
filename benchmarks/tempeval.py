"""Temporal expressions on TempEval-3 (issue 6): the harness and a reference baseline.

Data: `eval/tempeval3-dev` (TimeBank 183 + AQUAINT 73 news articles in TimeML, gold TIMEX3
spans, types and values relative to each document's creation time). Metric: TempEval-3 task
A: strict and relaxed span P/R/F1 and value F1 (`benchmarks/timex_eval.py`, tested).

Two systems in the same run: storytrace's rule tagger (`storytrace.timeline.timex`,
anchored at each document's creation time), and a **reference baseline**: dateparser's
`search_dates` over the same text and anchor, every hit typed DATE and valued at day
precision (with the time when the text has one), the library the issue names.

Usage: python -m benchmarks.tempeval [--shared PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import datetime
from pathlib import Path

from benchmarks.timex_eval import Timex, read_timeml, score
from storytrace.timeline.timex import find_timexes

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "tempeval.json"
_TIME = re.compile(r"\d{1,2}:\d{2}|\b(?:a\.m\.|p\.m\.|am|pm)\b", re.IGNORECASE)


def dateparser_baseline(text: str, dct: str) -> list[Timex]:
    from dateparser.search import search_dates

    base = _dct(dct)
    settings = {"RELATIVE_BASE": base, "RETURN_AS_TIMEZONE_AWARE": False}
    found = search_dates(text, languages=["en"], settings=settings) or []
    timexes, position = [], 0
    for written, when in found:
        start = text.find(written, position)
        if start < 0:
            continue
        position = start + len(written)
        value = when.strftime("%Y-%m-%dT%H:%M" if _TIME.search(written) else "%Y-%m-%d")
        timexes.append(Timex(start, position, "DATE", value, written))
    return timexes


def storytrace_tagger(text: str, dct: str) -> list[Timex]:
    anchor = _dct(dct).date()
    return [Timex(t.start, t.end, t.type, t.value, t.text) for t in find_timexes(text, anchor)]


def _dct(value: str) -> datetime:
    for layout in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value[: len(layout) + 2], layout)
        except ValueError:
            continue
    return datetime.strptime(value[:10], "%Y-%m-%d")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents")
    args = parser.parse_args()
    data = args.shared / "eval" / "tempeval3-dev"
    if not data.is_dir():
        print(f"evaluation data not found under {data}; nothing to measure")
        return 0
    files = sorted(data.rglob("*.tml"))
    if args.limit:
        files = files[: args.limit]
    docs = [read_timeml(path) for path in files]
    started = time.perf_counter()
    ours = [(doc.timexes, storytrace_tagger(doc.text, doc.dct)) for doc in docs]
    our_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pairs = [(doc.timexes, dateparser_baseline(doc.text, doc.dct)) for doc in docs]
    seconds = time.perf_counter() - started
    words = sum(len(doc.text.split()) for doc in docs)
    report = {
        "data": f"eval/tempeval3-dev ({len(docs)} TimeML documents, "
        f"{sum(len(d.timexes) for d in docs)} gold TIMEX3)",
        "metric": "TempEval-3 task A: strict / relaxed span P/R/F1, value and type F1 "
        "over relaxed matches (benchmarks/timex_eval.py)",
        "storytrace": score(ours),
        "storytrace_words_per_s": round(words / our_seconds) if our_seconds else None,
        "dateparser_search_dates_baseline": score(pairs),
        "baseline_seconds": round(seconds, 1),
        "baseline_words_per_s": round(words / seconds) if seconds else None,
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
