"""How far batch mode's answers are from the store pipeline's, on the same inputs.

Batch mode (`storytrace batch`, local engine, static encoder) and the store pipeline
(`storytrace analyze`) read the same pages with the same read stage, so they give the same
document ids. What they decide differs: batch *copy groups* are connected components of
MinHash-verified pairs (copies and close rewrites), the store's *families* are aligned,
classified and oriented links (paraphrases too); batch *lead groups* cluster lead vectors,
the store's *stories* come from its trained models. Measured here:

- documents: ids in both, and in one only;
- copy groups: the share that lies inside one store family, and of the pairs of documents
  in one copy group, the share in one family (and the reverse: family pairs batch finds);
- stories: lead groups against stories by pair counting (Rand index, adjusted Rand,
  Fowlkes-Mallows) and V-measure (scikit-learn), and the share of documents whose lead group
  and story hold exactly the same documents.

Two corpora: the demo (examples/demo/pages) and all of eval/ecbplus-dev + eval/reuse-dev
(865 documents; the store is the one `benchmarks.analyze_timing` leaves, built here through
the pipeline when it is missing).

Usage: python -m benchmarks.batch_agreement [--shared PATH] [--skip-eval]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pyarrow.parquet as pq
from sklearn import metrics

from storytrace import pipeline
from storytrace.engine import run_local
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "batch_agreement.json"
WORK = REPO / "out" / "bench" / "agreement"
ANALYZED = REPO / "out" / "bench" / "analyze" / "ecbplus_reuse" / "storytrace.db"


def store_for(inputs: list[Path], db: Path) -> Path:
    """A store of ``inputs`` with every stage up to date (built, or brought up to date)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with Store(db) as store:
        pipeline.run(store, Settings.from_env().with_(db=db, progress=False), None, Inputs(inputs))
    return db


def compare(inputs: list[Path], db: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    run = run_local(inputs, out, encoder="static")
    batch_ids = set(pq.read_table(out / "documents.parquet").column("id").to_pylist())
    with Store(db) as store:
        store_ids = set(store.titles())
        families = [set(f.doc_ids) for f in store.reuse.families()]
        story_of = {d: s.id for s in store.stories.stories() for d in s.doc_ids}
    lead_of = {d: n for n, group in enumerate(run.lead_groups) for d in group}
    return {
        "documents": {
            "batch": len(batch_ids), "store": len(store_ids), "both": len(batch_ids & store_ids),
        },
        "copy_groups": _copy_groups(run.copy_groups, families, store_ids),
        "stories": _partitions(story_of, lead_of),
    }  # fmt: skip


def _copy_groups(groups: list[list[str]], families: list[set[str]], ids: set[str]) -> dict:
    inside = sum(any(set(g) <= f for f in families) for g in groups)
    batch_pairs = {frozenset(p) for g in groups for p in combinations(g, 2)}
    family_pairs = {frozenset(p) for f in families for p in combinations(sorted(f & ids), 2)}
    together = len(batch_pairs & family_pairs)
    return {
        "groups": len(groups),
        "documents": sum(len(g) for g in groups),
        "inside_one_family": round(inside / len(groups), 4) if groups else None,
        "pairs_in_one_family": round(together / len(batch_pairs), 4) if batch_pairs else None,
        "family_pairs_found": round(together / len(family_pairs), 4) if family_pairs else None,
        "families": len(families),
    }


def _partitions(story_of: dict[str, str], lead_of: dict[str, int]) -> dict:
    common = sorted(set(story_of) & set(lead_of))
    truth = [story_of[d] for d in common]
    found = [lead_of[d] for d in common]
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, of in (("story", story_of), ("lead", lead_of)):
        for d in common:
            members[(name, str(of[d]))].add(d)
    same = sum(
        members[("story", story_of[d])] == members[("lead", str(lead_of[d]))] for d in common
    )
    return {
        "documents": len(common),
        "stories": len(set(truth)),
        "lead_groups": len(set(found)),
        "rand": round(metrics.rand_score(truth, found), 4),
        "adjusted_rand": round(metrics.adjusted_rand_score(truth, found), 4),
        "fowlkes_mallows": round(metrics.fowlkes_mallows_score(truth, found), 4),
        "v_measure": round(metrics.v_measure_score(truth, found), 4),
        "same_members": round(same / len(common), 4) if common else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--skip-eval", action="store_true", help="only the demo corpus")
    args = parser.parse_args()
    report: dict = {"machine": f"{platform.machine()}, {platform.python_version()}"}
    demo = [REPO / "examples" / "demo" / "pages"]
    db = store_for(demo, WORK / "demo" / "storytrace.db")
    report["demo"] = compare(demo, db, WORK / "demo" / "batch")
    print(json.dumps(report["demo"], indent=1), flush=True)
    eval_dir = args.shared / "eval"
    if not args.skip_eval and eval_dir.is_dir():
        inputs = [eval_dir / "ecbplus-dev" / "docs", eval_dir / "reuse-dev" / "docs"]
        db = store_for(inputs, ANALYZED)
        report["ecbplus_reuse_865"] = compare(inputs, db, WORK / "ecbplus_reuse" / "batch")
        print(json.dumps(report["ecbplus_reuse_865"], indent=1), flush=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
