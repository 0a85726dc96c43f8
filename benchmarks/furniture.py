"""Furniture removal and plain-text metadata on data storytrace did not write.

(a) reuse-dev: line-level furniture precision/recall (multiset of removed lines against
    ``boilerplate_lines``; a removed title does not count), corpus statistics built over the
    derivatives mixed with all ecbplus-dev articles;
(b) ecbplus-dev: article lines removed (anything but the gold title line and date lines);
(c) the seed acceptance checks;
(d) reuse-dev date and declared-source accuracy; time per document.

Usage: python -m benchmarks.furniture [--shared PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from storytrace.extract.dates import parse_date
from storytrace.extract.furniture import CorpusStats, clean, remove_repeated
from storytrace.extract.text import parse_text
from storytrace.model import Extraction, RemovedLine

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "furniture.json"

# The seed lines the acceptance section of eval/README.md names as furniture, as they
# appear in the seed files (read at run time from the files, never stored here): file stem
# prefix and the line's opening words.
SEED_FURNITURE = {
    "001": ["Spread the", "Views:", "Website | + posts", "Whether writing about", "SOURCE:"],
    "003": ["Similar Posts", "Leave a Reply", "Your email address"],
    "004": ["Published:", "Also Read:", "India brings", "Tesla investors", "India Investigates"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    eval_dir = args.shared / "eval"
    if not (eval_dir / "reuse-dev").is_dir() or not (eval_dir / "ecbplus-dev").is_dir():
        print(f"evaluation data not found under {eval_dir}; nothing to measure")
        return 0
    reuse, truth = load_reuse(eval_dir / "reuse-dev")
    ecb = load_ecb(eval_dir / "ecbplus-dev")
    started = time.perf_counter()
    parsed = parse_corpus({**reuse, **ecb})
    per_doc_ms = 1000 * (time.perf_counter() - started) / len(parsed)
    report = {
        "reuse_dev_furniture": furniture_scores(parsed, truth),
        "ecbplus_dev_article_lines_removed": ecb_removals(parsed, ecb),
        "seeds": seed_checks(args.shared / "seeds"),
        "reuse_dev_metadata": metadata_scores(parsed, truth),
        "ms_per_document": round(per_doc_ms, 2),
        "documents": len(parsed),
    }
    print_table(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten: {RESULTS.relative_to(REPO)}")
    return 0


def parse_corpus(texts: dict[str, str]) -> dict[str, Extraction]:
    """Per-document rules, then the corpus pass (lines repeated across documents) with
    statistics built over all of ``texts``, as the ingest pipeline does."""
    parsed = {doc_id: parse_text(text) for doc_id, text in texts.items()}
    stats = CorpusStats.build((d, None, [ln.text for ln in x.lines]) for d, x in parsed.items())
    for extraction in parsed.values():
        extraction.lines, repeated = remove_repeated(extraction.lines, stats)
        extraction.removed = sorted(extraction.removed + repeated, key=lambda r: r.line_no)
    return parsed


def load_reuse(folder: Path) -> tuple[dict[str, str], dict[str, dict]]:
    docs = {p.stem: p.read_text(encoding="utf-8") for p in sorted((folder / "docs").glob("*.txt"))}
    truth = {}
    for path in sorted(folder.glob("truth-*.jsonl")):
        for row in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(row)
            truth[record["doc"]] = record
    return docs, truth


def load_ecb(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((folder / "docs").glob("*.txt"))}


def counted(removed: list[RemovedLine]) -> Counter[str]:
    return Counter(clean(r.text) for r in removed if r.reason != "metadata:title")


def furniture_scores(parsed: dict[str, Extraction], truth: dict[str, dict]) -> dict:
    hits = found = gold = 0
    misses: list[str] = []
    false: list[str] = []
    for doc_id, record in truth.items():
        got = counted(parsed[doc_id].removed)
        want = Counter(clean(t) for t in record["boilerplate_lines"])
        both = got & want
        hits, found, gold = hits + sum(both.values()), found + got.total(), gold + want.total()
        misses += [f"{doc_id}: {t}" for t in (want - got).elements()]
        false += [f"{doc_id}: {t}" for t in (got - want).elements()]
    precision = hits / found if found else 1.0
    recall = hits / gold if gold else 1.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "removed": found,
        "gold": gold,
        "missed": misses,
        "wrongly_removed": false,
    }


def ecb_removals(parsed: dict[str, Extraction], ecb: dict[str, str]) -> dict:
    """Removed lines of the real articles other than the title line and date lines. The
    title line is the first line that is not a date line (docs.jsonl's own title field is
    sometimes the date line, so the text decides)."""
    wrong: list[str] = []
    dates = 0
    titles = 0
    for doc_id, text in ecb.items():
        removed = parsed[doc_id].removed
        date_nos = {r.line_no for r in removed if r.reason == "metadata:date"}
        dates += len(date_nos)
        numbered = [n for n, t in enumerate(text.splitlines()) if t.strip()]
        first = next((n for n in numbered if n not in date_nos), -1)
        for r in removed:
            if r.reason == "metadata:title" and r.line_no == first:
                titles += 1
            elif r.reason != "metadata:date":
                wrong.append(f"{doc_id}#{r.line_no} [{r.reason}] {r.text}")
    return {
        "count": len(wrong),
        "date_lines_removed": dates,
        "title_lines_removed": titles,
        "lines": wrong,
    }


def seed_checks(folder: Path) -> dict:
    if not folder.is_dir():
        return {"skipped": "seeds not found"}
    failures: list[str] = []
    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
    for key, text in seeds.items():
        extraction = parse_text(text)
        body = [ln.text for ln in extraction.lines]
        for opening in SEED_FURNITURE.get(key, []):
            failures += [f"{key}: kept furniture {t!r}" for t in body if t.startswith(opening)]
        removed = [r for r in extraction.removed if r.reason != "metadata:title"]
        furniture = SEED_FURNITURE.get(key, [])
        failures += [
            f"{key}: removed {r.text!r}"
            for r in removed
            if not any(r.text.startswith(o) for o in furniture)
        ]
    if "004" in seeds and parse_text(seeds["004"]).published != "2024-06-18":
        failures.append("004: published is not 2024-06-18")
    if "001" in seeds and parse_text(seeds["001"]).declared_source != "Radio Free Europe":
        failures.append("001: declared_source is not Radio Free Europe")
    return {"passed": not failures, "failures": failures}


def metadata_scores(parsed: dict[str, Extraction], truth: dict[str, dict]) -> dict:
    date_ok = source_ok = 0
    errors: list[str] = []
    for doc_id, record in truth.items():
        extraction = parsed[doc_id]
        want_date = parse_date(record["published"]) if record["published"] else None
        if extraction.published == want_date:
            date_ok += 1
        else:
            errors.append(f"{doc_id}: published {extraction.published} != {want_date}")
        if extraction.declared_source == record["declared_source"]:
            source_ok += 1
        else:
            errors.append(
                f"{doc_id}: source {extraction.declared_source!r} != {record['declared_source']!r}"
            )
    n = len(truth)
    return {
        "date_accuracy": round(date_ok / n, 4),
        "source_accuracy": round(source_ok / n, 4),
        "errors": errors,
    }


def print_table(report: dict) -> None:
    furniture = report["reuse_dev_furniture"]
    ecb = report["ecbplus_dev_article_lines_removed"]
    meta = report["reuse_dev_metadata"]
    seeds = report["seeds"]
    rows = [
        ("reuse-dev", "furniture line precision", f"{furniture['precision']:.4f}"),
        ("reuse-dev", "furniture line recall", f"{furniture['recall']:.4f}"),
        ("reuse-dev", "removed / gold lines", f"{furniture['removed']} / {furniture['gold']}"),
        ("ecbplus-dev", "article lines removed", str(ecb["count"])),
        ("ecbplus-dev", "date lines removed (allowed)", str(ecb["date_lines_removed"])),
        ("ecbplus-dev", "title lines removed (allowed)", str(ecb["title_lines_removed"])),
        ("seeds", "acceptance checks", "pass" if seeds.get("passed") else "FAIL"),
        ("reuse-dev", "published date accuracy", f"{meta['date_accuracy']:.4f}"),
        ("reuse-dev", "declared source accuracy", f"{meta['source_accuracy']:.4f}"),
        ("all", f"ms per document ({report['documents']} docs)", f"{report['ms_per_document']}"),
    ]
    print(f"{'data set':<12} {'metric':<36} value")
    for data, metric, value in rows:
        print(f"{data:<12} {metric:<36} {value}")
    details = [
        ("missed furniture", furniture["missed"]),
        ("wrongly removed", furniture["wrongly_removed"]),
        ("ecbplus article lines removed", ecb["lines"]),
        ("seed failures", seeds.get("failures", [])),
        ("metadata errors", meta["errors"]),
    ]
    for label, items in details:
        if items:
            print(f"\n{label}:")
            for item in items:
                print(f"  {item}")


if __name__ == "__main__":
    sys.exit(main())
