"""Article-body extraction on extraction-dev (181 real news pages with a gold articleBody).

Metric (eval/README.md, the one behind the published figures for this set): for each page,
the multisets of token 4-gram shingles of the extracted body and of the gold articleBody;
precision = |pred & gold| / |pred| and recall = |pred & gold| / |gold| per page; P and R are
averaged over pages and F1 is the harmonic mean of the two averages.

Tokens are ``\\w+`` runs (Unicode, case kept); a text of 1-3 tokens is one shingle. Two
averaging rules are reported:
- reference: as the published evaluation does it, a page with no extracted text is left out
  of the precision average (its recall is 0); figures comparable to the published ones;
- strict: such a page counts P = 0 too.

Systems, on the same decoded pages in one run: storytrace (``extract_html`` plus the
per-document furniture rules, as the ingest pipeline stores a page; body = its lines
joined); ``trafilatura.extract`` with default settings, as a reference; and trafilatura's
defaults with metadata extraction on (storytrace needs title, author, site and date, which
cost time that plain ``extract`` does not spend). Each system runs in a fresh child process
so its peak memory (ru_maxrss) and timings are its own; times are single-core wall clock per
page, decoding excluded.

Usage: python -m benchmarks.extraction [--shared PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import re
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "extraction.json"
DATASET = "extraction-dev"
_TOKEN = re.compile(r"\w+")
SHINGLE = 4


@dataclass(slots=True)
class Page:
    key: str
    url: str
    html: str
    gold: str


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args()
    folder = args.shared / "eval" / DATASET
    if not (folder / "ground-truth.json").is_file():
        print(f"evaluation data not found under {folder}; nothing to measure")
        return 0
    systems = {name: run_isolated(name, folder, args.limit) for name in SYSTEMS}
    report = {
        "dataset": f"eval/{DATASET}",
        "metric": "article-body F1: token 4-gram shingle multiset P/R averaged over pages, "
        "F1 of the means",
        "tokens": r"\w+ (Unicode, case kept); 1-3 tokens make one shingle",
        "pages": len(systems["storytrace"]["per_page"]),
        "systems": {name: summarize(result) for name, result in systems.items()},
        "storytrace_pages": systems["storytrace"]["per_page"],
    }
    print_table(report)
    if args.limit is not None:
        print(f"\n--limit given: {RESULTS.relative_to(REPO)} left as it was")
        return 0
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten: {RESULTS.relative_to(REPO)}")
    return 0


# -- data -----------------------------------------------------------------------------------
def load_pages(folder: Path, limit: int | None) -> list[Page]:
    from storytrace.ingest.decode import decode_bytes  # as the pipeline decodes files

    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        path = folder / "html" / f"{key}.html.gz"
        html, _encoding = decode_bytes(gzip.decompress(path.read_bytes()), str(path))
        pages.append(Page(key, truth[key].get("url") or "", html, truth[key]["articleBody"]))
    return pages


# -- systems --------------------------------------------------------------------------------
def storytrace_body(html: str, url: str) -> str:
    """What the ingest pipeline stores before the corpus pass: ``extract_html`` followed by
    the per-document furniture rules."""
    from storytrace.errors import ExtractionError
    from storytrace.extract.record import extract_record
    from storytrace.model import RawRecord

    try:
        _doc, lines = extract_record(RawRecord("page", html, "html", url=url or None))
    except ExtractionError:
        return ""
    return "\n".join(line.text for line in lines)


def trafilatura_body(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url or None) or ""


def trafilatura_metadata_body(html: str, url: str) -> str:
    """Defaults plus metadata (title, author, site, htmldate): the share of storytrace's time
    that is metadata, not body extraction. Its ``text`` leaves out the reader comments that
    ``extract``'s output appends, hence its higher precision."""
    import trafilatura

    found = trafilatura.bare_extraction(html, url=url or None, with_metadata=True)
    return found.text or "" if found is not None else ""


SYSTEMS: dict[str, Callable[[str, str], str]] = {
    "storytrace": storytrace_body,
    "trafilatura-defaults": trafilatura_body,
    "trafilatura+metadata": trafilatura_metadata_body,
}


def run_isolated(name: str, folder: Path, limit: int | None) -> dict:
    """Run one system in a fresh process, so that imports, caches and peak memory are its
    own and not the other system's."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(run_system, (name, folder, limit))


def run_system(name: str, folder: Path, limit: int | None) -> dict:
    import logging

    logging.disable(logging.CRITICAL)  # trafilatura logs every discarded page
    pages = load_pages(folder, limit)
    extract = SYSTEMS[name]
    extract(pages[0].html, pages[0].url)  # warm up: imports and lazy initialisation
    baseline_kib = _max_rss_kib()
    seconds, per_page = [], []
    for page in pages:
        started = time.perf_counter()
        body = extract(page.html, page.url)
        seconds.append(time.perf_counter() - started)
        precision, recall = page_scores(body, page.gold)
        per_page.append({"key": page.key, "precision": precision, "recall": recall})
    return {
        "per_page": per_page,
        "seconds": seconds,
        "peak_rss_mib": _max_rss_kib() / 1024,
        "baseline_rss_mib": baseline_kib / 1024,
    }


def _max_rss_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes


# -- scoring --------------------------------------------------------------------------------
def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def page_scores(pred: str, gold: str) -> tuple[float | None, float | None]:
    """Precision and recall of one page; None where the side it divides by is empty."""
    predicted, expected = shingles(pred), shingles(gold)
    if not predicted and not expected:
        return 1.0, 1.0
    common = sum((predicted & expected).values())
    precision = common / sum(predicted.values()) if predicted else None
    recall = common / sum(expected.values()) if expected else None
    return precision, recall


def averages(per_page: list[dict], strict: bool) -> dict[str, float]:
    precisions = [
        p["precision"] if p["precision"] is not None else 0.0
        for p in per_page
        if strict or p["precision"] is not None
    ]
    recalls = [p["recall"] for p in per_page if p["recall"] is not None]
    precision, recall = statistics.fmean(precisions), statistics.fmean(recalls)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def summarize(result: dict) -> dict:
    seconds = result["seconds"]
    per_page = result["per_page"]
    return {
        "reference": averages(per_page, strict=False),
        "strict": averages(per_page, strict=True),
        "empty_pages": sum(1 for p in per_page if p["precision"] is None),
        "pages_per_second": round(len(seconds) / sum(seconds), 1),
        "ms_per_page_median": round(1000 * statistics.median(seconds), 1),
        "ms_per_page_p95": round(1000 * _quantile(seconds, 0.95), 1),
        "peak_rss_mib": round(result["peak_rss_mib"], 1),
        "rss_growth_mib": round(result["peak_rss_mib"] - result["baseline_rss_mib"], 1),
    }


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def print_table(report: dict) -> None:
    print(f"{report['dataset']}: {report['pages']} pages; {report['metric']}")
    print(f"tokens: {report['tokens']}\n")
    header = (
        f"{'system':<22}{'P':>7}{'R':>7}{'F1':>7}  {'strict F1':>9}{'empty':>6}"
        f"{'pages/s':>9}{'ms p50':>8}{'ms p95':>8}{'peak MiB':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, s in report["systems"].items():
        ref = s["reference"]
        print(
            f"{name:<22}{ref['precision']:>7.3f}{ref['recall']:>7.3f}{ref['f1']:>7.3f}"
            f"  {s['strict']['f1']:>9.3f}{s['empty_pages']:>6}{s['pages_per_second']:>9.1f}"
            f"{s['ms_per_page_median']:>8.1f}{s['ms_per_page_p95']:>8.1f}{s['peak_rss_mib']:>10.1f}"
        )
    print("\npublished on this set: trafilatura 2.0 0.958, best public 0.970 (reference rule)")


if __name__ == "__main__":
    sys.exit(main())
