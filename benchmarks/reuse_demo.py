"""Reuse detection on the demo corpus: a second look at generalisation.

The demo corpus (`examples/demo/`) was written for this project from a style brief, apart
from the reuse models, which were fitted on `eval/reuse-dev` + `eval/ecbplus-dev`. Its ground
truth (`examples/demo/truth.json`) names each derivative's parents. Measured here, with the
shipped models and link rules: how many derivatives are linked into a family with a parent,
how many links join documents that share no origin, and the pairwise family-membership
precision and recall in the sense of `eval/scorers/reuse_eval.py` (a derivative belongs with
its root sources; pairs of two originals are not scored).

Usage: python -m benchmarks.reuse_demo [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from itertools import combinations
from pathlib import Path

from storytrace import pipeline
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"
RESULTS = REPO / "benchmarks" / "results" / "reuse_demo.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="store to use (default: a temporary one)")
    args = parser.parse_args()
    truth = {d["key"]: d for d in json.loads((DEMO / "truth.json").read_text())["documents"]}
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "demo.db"
        settings = Settings.from_env().with_(db=db, progress=False)
        with Store(db) as store:
            pipeline.run(store, settings, until="reuse", inputs=Inputs([DEMO / "pages"]))
            keys = document_keys(store)
            families = [[keys[d] for d in f.doc_ids] for f in store.reuse.families()]
            links = [(keys[x.doc_id], keys[x.origin_id], x.kind) for x in store.reuse.links()]
    report = score(truth, families, links)
    print(json.dumps({k: v for k, v in report.items() if k != "links"}, indent=1))
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    return 0


def document_keys(store: Store) -> dict[str, str]:
    """Store id -> truth key (file name, or `wire.jsonl#<id>` for JSONL records)."""
    keys = {}
    for location, doc_id in store.conn.execute("SELECT location, doc_id FROM locations"):
        name = Path(location).name
        if "#L" in name:
            path, line = location.rsplit("#L", 1)
            record = json.loads(Path(path).read_text().splitlines()[int(line) - 1])
            name = f"{Path(path).name}#{record['id']}"
        keys[doc_id] = name
    return keys


def roots_of(key: str, truth: dict[str, dict]) -> set[str]:
    parents = truth[key]["parents"]
    return {key} if not parents else set().union(*(roots_of(p, truth) for p in parents))


def score(truth: dict[str, dict], families: list[list[str]], links: list) -> dict:
    roots = {k: roots_of(k, truth) for k in truth}
    derived = [k for k, d in truth.items() if d["parents"]]
    gold = {
        frozenset((a, b))
        for a, b in combinations(sorted(truth), 2)
        if (a in derived or b in derived) and roots[a] & roots[b]
    }
    predicted = {
        frozenset(p)
        for members in families
        for p in combinations(sorted(members), 2)
        if p[0] in derived or p[1] in derived
    }
    hits = len(gold & predicted)
    placed = [
        k
        for k in derived
        if any(k in m and any(set(truth[k]["parents"]) & set(m)) for m in families)
    ]
    wrong = [x for x in links if x[2] != "possible" and not roots[x[0]] & roots[x[1]]]
    return {
        "data": "examples/demo (26 documents, 12 derivatives; written for this project)",
        "derivatives": len(derived),
        "derivatives_with_a_parent_in_their_family": len(placed),
        "missed": sorted(set(derived) - set(placed)),
        "links": [list(x) for x in links],
        "links_joining_unrelated_documents": [list(x) for x in wrong],
        "family_precision": round(hits / len(predicted), 3) if predicted else None,
        "family_recall": round(hits / len(gold), 3) if gold else None,
    }


if __name__ == "__main__":
    sys.exit(main())
