"""Reuse detection quality on data storytrace did not write (issue 3 acceptance).

Corpus: the 93 derivatives of `eval/reuse-dev` mixed with all 772 `eval/ecbplus-dev`
articles, ingested through the normal pipeline into one store. Metric: pairwise precision and
recall of family membership, scored with `eval/scorers/reuse_eval.py` (a derivative's family
holds its root sources and their wire copies; pairs between two originals are not scored).

The link and direction models are logistic regressions over storytrace's pair features. The
headline figures are **out-of-fold**: the 33 ECB+ topics are split into 5 folds, each fold's
pairs are scored by models fitted on the other four, and families are then built from those
scores, so no pair is judged by a model that saw it. `--fit` also fits on everything and
writes `src/storytrace/reuse/weights.json` (the shipped models); the in-sample figure of
those weights is printed for reference only.

Usage: python -m benchmarks.reuse [--shared PATH] [--fit] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import asdict
from itertools import combinations
from pathlib import Path

import numpy as np

from benchmarks.fitting import fit_logistic
from storytrace import pipeline
from storytrace.ml.logistic import untrained
from storytrace.reuse.classifier import CONFIDENCE_NAMES, LinkRules, Weights, confidence_features
from storytrace.reuse.features import DIRECTION_NAMES, FEATURE_NAMES
from storytrace.reuse.stage import decide_links, link_documents
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store
from storytrace.store.reuse import PairRow

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "reuse.json"
WEIGHTS = REPO / "src" / "storytrace" / "reuse" / "weights.json"
FOLDS = 5
RULES = LinkRules()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--db", type=Path, default=REPO / "out" / "bench" / "reuse-eval.db")
    parser.add_argument("--fit", action="store_true", help="write the shipped weights")
    parser.add_argument(
        "--recompute", action="store_true", help="compare all pairs again (features changed)"
    )
    parser.add_argument(
        "--encoder", default="minilm", choices=("minilm", "static"),
        help="sentence encoder (static: own store and results/reuse-static.json)",
    )  # fmt: skip
    args = parser.parse_args()
    results = RESULTS
    if args.encoder != "minilm":
        os.environ["STORYTRACE_ENCODER"] = args.encoder
        args.db = args.db.with_name(f"{args.db.stem}-{args.encoder}.db")
        results = RESULTS.with_name(f"reuse-{args.encoder}.json")
    eval_dir = args.shared / "eval"
    if not (eval_dir / "reuse-dev").is_dir() or not (eval_dir / "ecbplus-dev").is_dir():
        print(f"evaluation data not found under {eval_dir}; nothing to measure")
        return 0
    sys.path.insert(0, str(eval_dir / "scorers"))
    import reuse_eval

    docs, truth, roots = reuse_eval.load_corpus(eval_dir / "ecbplus-dev", eval_dir / "reuse-dev")
    topic = load_topics(eval_dir / "ecbplus-dev", truth)
    timings, store, keys = build_store(args.db, eval_dir, args.recompute)
    ids = {doc_id: key for key, doc_id in keys.items()}
    rows = list(store.reuse.pairs())
    print(f"{len(keys)} documents, {len(rows) // 2} candidate pairs compared")
    gold = gold_labels(rows, ids, roots, truth)
    parent = parent_labels(rows, ids, truth)
    fold = {r.doc_id: hash_fold(topic[ids[r.doc_id]]) for r in rows}

    oof_family, oof_direction = out_of_fold(rows, gold, parent, fold)
    store.reuse.rescore(
        (float(f), float(d), r.doc_id, r.other_id)
        for r, f, d in zip(rows, oof_family, oof_direction, strict=True)
    )
    weights = Weights(untrained(FEATURE_NAMES), untrained(DIRECTION_NAMES), RULES, "-")
    started = time.perf_counter()
    links, families = decide_links(store, weights)
    timings["decide_s"] = time.perf_counter() - started
    calibration = calibration_rows(links, ids, roots, truth)
    report = {
        "data": "eval/reuse-dev (93 derivatives) + all 772 eval/ecbplus-dev articles",
        "metric": "pairwise family membership, eval/scorers/reuse_eval.py",
        "out_of_fold": evaluate(families, links, ids, keys, docs, roots, truth, reuse_eval),
        "rules": asdict(RULES),
        "timings": timings,
        "sensitivity": sensitivity(store, ids, keys, docs, roots, truth, reuse_eval),
    }
    if args.fit:
        shipped = fit_all(rows, gold, parent, calibration)
        WEIGHTS.write_text(json.dumps(shipped, indent=1) + "\n")
        print(f"wrote {WEIGHTS.relative_to(REPO)}")
    if WEIGHTS.exists():
        links_in, families_in = in_sample(store, rows)
        report["shipped_weights_in_sample"] = evaluate(
            families_in, links_in, ids, keys, docs, roots, truth, reuse_eval
        )["families"]
    print_report(report)
    report["encoder"] = args.encoder
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(report, indent=1) + "\n")
    return 0


# -- corpus -------------------------------------------------------------------------------
def load_topics(ecb_dir: Path, truth: dict[str, dict]) -> dict[str, int]:
    topic = {}
    for line in (ecb_dir / "docs.jsonl").read_text().splitlines():
        meta = json.loads(line)
        topic[meta["doc"]] = int(meta["topic"])
    for key, t in truth.items():
        topic[key] = topic[t["root_sources"][0]]
    return topic


def topic_slice(topic: dict[str, int], topics: Collection[int]) -> set[str]:
    """Keys of the originals of ``topics`` and of the derivatives of those originals."""
    return {key for key, number in topic.items() if number in topics}


def restrict(
    docs: dict[str, str], truth: dict[str, dict], roots: dict[str, set[str]], keep: set[str]
) -> tuple[dict[str, str], dict[str, dict], dict[str, set[str]]]:
    """The scorer's corpus cut to ``keep``: a wire copy outside the slice is no gold partner
    (it was never ingested), so it leaves every root set."""
    return (
        {k: v for k, v in docs.items() if k in keep},
        {k: v for k, v in truth.items() if k in keep},
        {k: v & keep for k, v in roots.items() if k in keep},
    )


def hash_fold(topic: int) -> int:
    return topic % FOLDS


def build_store(
    db: Path, eval_dir: Path, recompute: bool, only: Collection[str] | None = None
) -> tuple[dict[str, float], Store, dict[str, str]]:
    """Ingest and prepare the corpus once; later runs reuse the store (a no-op ingest).
    ``only``: ingest just the documents with these keys (a slice: benchmarks/gate.py)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env().with_(db=db, progress=False)
    started = time.perf_counter()
    store = Store(db)
    run = pipeline.run(store, settings, "annotate", Inputs(corpus_paths(eval_dir, only)))
    timings = {"ingest_s": time.perf_counter() - started}
    prepared = pipeline.run(store, settings, "embed").outcomes[-1]
    timings["prepare_s"] = prepared.seconds
    if recompute:
        with store.transaction():
            store.reuse.reset_pairs()
    untrained_weights = Weights(untrained(FEATURE_NAMES), untrained(DIRECTION_NAMES), RULES, "-")
    linked = link_documents(store, settings, weights=untrained_weights)
    timings.update({f"{k}_s": v for k, v in linked.seconds.items()})
    timings["documents_prepared"] = prepared.result.summary["prepared"] if prepared.ran else 0
    timings["pairs_scored"] = linked.pairs_scored
    errors = run.result("read").errors
    if errors:
        raise SystemExit(f"ingest errors: {errors[:3]}")
    keys = {
        Path(location).name.removesuffix(".txt"): doc_id
        for location, doc_id in store.conn.execute("SELECT location, doc_id FROM locations")
    }
    return timings, store, keys


def corpus_paths(eval_dir: Path, only: Collection[str] | None = None) -> list[Path]:
    """The two folders, or with ``only`` the files of those keys (sorted by folder, name)."""
    folders = [eval_dir / "ecbplus-dev" / "docs", eval_dir / "reuse-dev" / "docs"]
    if only is None:
        return folders
    return [p for f in folders for p in sorted(f.glob("*.txt")) if p.stem in only]


def gold_labels(rows: list[PairRow], ids: dict[str, str], roots: dict, truth: dict) -> np.ndarray:
    """Same family in the scorer's sense, wire copies between originals included."""
    return np.asarray([bool(roots[ids[r.doc_id]] & roots[ids[r.other_id]]) for r in rows])


def parent_labels(rows: list[PairRow], ids: dict[str, str], truth: dict) -> np.ndarray:
    """1: doc derives directly from other; 0: the reverse; -1: neither (not used)."""
    out = []
    for r in rows:
        a, b = ids[r.doc_id], ids[r.other_id]
        if a in truth and b in truth[a]["parents"]:
            out.append(1)
        elif b in truth and a in truth[b]["parents"]:
            out.append(0)
        else:
            out.append(-1)
    return np.asarray(out)


# -- models -------------------------------------------------------------------------------
def out_of_fold(
    rows: list[PairRow], gold: np.ndarray, parent: np.ndarray, fold: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    x = np.vstack([r.features for r in rows])
    xd = np.vstack([r.direction_features for r in rows])
    folds = np.asarray([fold[r.doc_id] for r in rows])
    family = np.zeros(len(rows))
    direction = np.full(len(rows), 0.5)
    for k in range(FOLDS):
        train, test = folds != k, folds == k
        family[test] = fit_logistic(x[train], gold[train], FEATURE_NAMES).probability(x[test])
        known = train & (parent >= 0)
        model = fit_logistic(xd[known], parent[known], DIRECTION_NAMES)
        direction[test] = model.probability(xd[test])
    return family, direction


def calibration_rows(
    links: list, ids: dict, roots: dict, truth: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Pair score and correctness of every out-of-fold accepted link with a derivative on
    one side (a link between two originals has no reliable label: the scorer calls two
    originals one story only above its trigram cut-off)."""
    accepted = [
        link
        for link in links
        if link.kind != "possible" and (ids[link.doc_id] in truth or ids[link.origin_id] in truth)
    ]
    x = [confidence_features(link.confidence) for link in accepted]
    y = [bool(roots[ids[link.doc_id]] & roots[ids[link.origin_id]]) for link in accepted]
    return np.asarray(x), np.asarray(y)


def fit_all(
    rows: list[PairRow],
    gold: np.ndarray,
    parent: np.ndarray,
    calibration: tuple[np.ndarray, np.ndarray],
) -> dict:
    x = np.vstack([r.features for r in rows])
    xd = np.vstack([r.direction_features for r in rows])
    known = parent >= 0
    return {
        "trained_on": (
            "eval/reuse-dev derivatives + all eval/ecbplus-dev articles "
            f"({len(rows)} directed candidate pairs; benchmarks/reuse.py --fit)"
        ),
        "family": fit_logistic(x, gold, FEATURE_NAMES).to_json(),
        "direction": fit_logistic(xd[known], parent[known], DIRECTION_NAMES).to_json(),
        "confidence": fit_logistic(*calibration, CONFIDENCE_NAMES).to_json(),
        "rules": {"threshold": RULES.threshold, "margin": RULES.margin, "possible": RULES.possible},
    }


def in_sample(store: Store, rows: list[PairRow]) -> tuple[list, list]:
    from storytrace.reuse.classifier import load_weights

    load_weights.cache_clear()
    weights = load_weights()
    store.reuse.rescore(
        (
            float(weights.family.probability(r.features)),
            float(weights.direction.probability(r.direction_features)),
            r.doc_id,
            r.other_id,
        )
        for r in rows
    )
    return decide_links(store, weights)


# -- scoring ------------------------------------------------------------------------------
def evaluate(families, links, ids, keys, docs, roots, truth, reuse_eval) -> dict:
    members = [[k for d in f.doc_ids for k in _keys(d, ids, keys)] for f in families]
    pairs = {frozenset(p) for m in members for p in combinations(sorted(m), 2)}
    scores = reuse_eval.score_pairs(pairs, docs, roots, truth)
    return {
        "families": {k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()},
        "per_style_recall": per_style(pairs, roots, truth),
        "origin_accuracy": origin_accuracy(families, ids, truth, roots),
        "links_between_originals": original_links(links, ids, truth, roots),
        "link_kinds": dict(Counter(link.kind for link in links)),
        "families_found": len(families),
    }


def _keys(doc_id: str, ids: dict[str, str], keys: dict[str, str]) -> list[str]:
    return [k for k, d in keys.items() if d == doc_id] if doc_id in ids else []


def per_style(pairs: set, roots: dict, truth: dict) -> dict[str, float]:
    hit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d, t in truth.items():
        partners = set(roots[d]) | {e for e in truth if e != d and roots[d] & roots[e]}
        for p in partners:
            hit[t["style"]][0] += 1
            hit[t["style"]][1] += frozenset((d, p)) in pairs
    return {s: round(h / n, 3) for s, (n, h) in sorted(hit.items())}


def origin_accuracy(families, ids, truth, roots) -> dict[str, object]:
    """For each root source: the family holding most of its derivatives has it (or one of
    its wire copies) as root."""
    derivatives: dict[str, list[str]] = defaultdict(list)
    for d, t in truth.items():
        for r in t["root_sources"]:
            derivatives[r].append(d)
    correct, wrong = 0, []
    for source, derived in sorted(derivatives.items()):
        counts = Counter(f.root_id for f in families for d in f.doc_ids if ids.get(d) in derived)
        root = ids.get(counts.most_common(1)[0][0]) if counts else None
        if root is not None and root in roots[source]:
            correct += 1
        else:
            wrong.append({"source": source, "family_root": root})
    accuracy = round(correct / len(derivatives), 3)
    return {"correct": correct, "sources": len(derivatives), "accuracy": accuracy, "wrong": wrong}


def original_links(links, ids, truth, roots) -> dict[str, object]:
    found = [
        {
            "doc": ids[link.doc_id],
            "origin": ids[link.origin_id],
            "kind": link.kind,
            "confidence": link.confidence,
            "scorer_wire_copy": bool(roots[ids[link.doc_id]] & roots[ids[link.origin_id]]),
        }
        for link in links
        if ids.get(link.doc_id) not in truth
        and ids.get(link.origin_id) not in truth
        and link.kind != "possible"
    ]
    return {"count": len(found), "by_kind": dict(Counter(x["kind"] for x in found)), "links": found}


def sensitivity(store, ids, keys, docs, roots, truth, reuse_eval) -> list[dict]:
    out = []
    for threshold in (0.1, 0.15, 0.2, 0.3, 0.4, 0.5):
        for margin in (0.0, 0.1, 0.2):
            weights = Weights(
                untrained(FEATURE_NAMES), untrained(DIRECTION_NAMES),
                LinkRules(threshold, margin, min(RULES.possible, threshold)), "-",
            )  # fmt: skip
            links, families = decide_links(store, weights)
            scores = evaluate(families, links, ids, keys, docs, roots, truth, reuse_eval)
            out.append({"threshold": threshold, "margin": margin, **scores["families"]})
    decide_links(store, Weights(untrained(FEATURE_NAMES), untrained(DIRECTION_NAMES), RULES, "-"))
    return out


def _prf(scores: dict) -> str:
    return f"P {scores['precision']:.3f} R {scores['recall']:.3f} F1 {scores['f1']:.3f}"


def print_report(report: dict) -> None:
    oof = report["out_of_fold"]
    fam = oof["families"]
    print(
        f"families (out-of-fold): P {fam['precision']:.3f} R {fam['recall']:.3f} F1 {fam['f1']:.3f}"
    )
    print(f"origin accuracy: {oof['origin_accuracy']['accuracy']:.3f}")
    print(f"per-style recall: {oof['per_style_recall']}")
    print(f"links between originals: {oof['links_between_originals']['by_kind']}")
    if "shipped_weights_in_sample" in report:
        s = report["shipped_weights_in_sample"]
        print(f"shipped weights, in-sample: {_prf(s)}")
    for row in report["sensitivity"]:
        print(f"  threshold {row['threshold']} margin {row['margin']}: {_prf(row)}")
    print(f"timings: {report['timings']}")


if __name__ == "__main__":
    sys.exit(main())
