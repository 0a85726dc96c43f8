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

**The full analysis** (`storytrace batch --analysis full`, issue 24) is measured against the
same stores with `storytrace.engine.agreement`: the share of documents whose family and
whose story hold the same documents, and the share of claims with the same count of
independent origins, at each partition size given (`--sizes`; the default size puts these
corpora in one partition, small sizes cut them in many). With `--ray`, the Ray engine runs
too and its tables are compared with the local engine's (clock columns aside).

Usage: python -m benchmarks.batch_agreement [--shared PATH] [--skip-eval] [--sizes 5000,100]
       [--ray] [--full-only]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
from collections import defaultdict
from dataclasses import asdict
from itertools import combinations
from pathlib import Path

import pyarrow.parquet as pq
from sklearn import metrics

from storytrace import pipeline
from storytrace.engine import run_local
from storytrace.engine.agreement import compare as compare_stores
from storytrace.engine.full import run_full
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store
from storytrace.store.tables import differing_tables, load_tables

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


def full_agreement(inputs: list[Path], db: Path, work: Path, sizes: list[int], ray: bool) -> dict:
    """The full analysis at each partition size against the store ``db``."""
    found: dict = {}
    for size in sizes:
        row: dict = {}
        engines = ("local", "ray") if ray else ("local",)
        for engine in engines:
            out = work / f"full-{size}-{engine}"
            shutil.rmtree(out, ignore_errors=True)
            if engine == "ray":
                import ray as ray_module

                ray_module.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
            try:
                _, run = run_full(inputs, out, partition_docs=size, engine=engine)
            finally:
                if engine == "ray":
                    ray_module.shutdown()
            loaded = out / "loaded.db"
            with Store(loaded) as store:
                load_tables(store, out / "analysis")
                with Store(db) as reference:
                    agreement = compare_stores(reference, store)
            row[engine] = {
                "partitions": run.partitions,
                "story_partitions": run.story_partitions,
                "story_graph": asdict(run.graph) if run.graph else None,
                "seconds": run.seconds,
                **agreement.shares(),
                "documents": agreement.documents,
                "claims": agreement.claims,
                "family_differences": agreement.family_differences,
                "story_differences": agreement.story_differences,
                "support_differences": agreement.support_differences,
            }
            print(size, engine, json.dumps(row[engine]), flush=True)
        if ray:
            row["ray_tables_differing_from_local"] = differing_tables(
                work / f"full-{size}-local" / "analysis", work / f"full-{size}-ray" / "analysis"
            )
        found[str(size)] = row
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--skip-eval", action="store_true", help="only the demo corpus")
    parser.add_argument("--sizes", default="5000,100", help="partition sizes (full analysis)")
    parser.add_argument("--demo-sizes", default="5000,8", help="partition sizes for the demo")
    parser.add_argument("--ray", action="store_true", help="the Ray engine too")
    parser.add_argument("--full-only", action="store_true", help="only the full analysis")
    parser.add_argument("--skip-demo", action="store_true", help="only the eval corpus")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    report: dict = (
        json.loads(RESULTS.read_text(encoding="utf-8")) if args.full_only and RESULTS.exists()
        else {}
    )  # fmt: skip
    report["machine"] = f"{platform.machine()}, {platform.python_version()}"
    corpora = {} if args.skip_demo else {"demo": [REPO / "examples" / "demo" / "pages"]}
    eval_dir = args.shared / "eval"
    if not args.skip_eval and eval_dir.is_dir():
        corpora["ecbplus_reuse_865"] = [eval_dir / "ecbplus-dev" / "docs",
                                        eval_dir / "reuse-dev" / "docs"]  # fmt: skip
    for name, inputs in corpora.items():
        db = store_for(inputs, WORK / "demo" / "storytrace.db" if name == "demo" else ANALYZED)
        if not args.full_only:
            report[name] = compare(inputs, db, WORK / name / "batch")
            print(json.dumps(report[name], indent=1), flush=True)
        chosen = [int(s) for s in args.demo_sizes.split(",")] if name == "demo" else sizes
        # Sizes not run this time keep their recorded rows.
        report.setdefault("full", {}).setdefault(name, {}).update(
            full_agreement(inputs, db, WORK / name, chosen, args.ray)
        )
        RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
