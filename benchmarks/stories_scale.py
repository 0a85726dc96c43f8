"""Time and memory of story clustering on planted corpora (10k and 100k documents).

For each size, in a fresh subprocess so its peak memory is its own, on a corpus from
`benchmarks/planted.py` (events with casts of invented names; about 30 % derivatives that
keep their origin's event):

1. evidence: `story_text` per document, with regex sentences and regex names (capitalised
   word runs) standing in for spaCy, which runs at about 9 documents/s here;
2. vectors: STAND-IN vectors (normalised means of pseudo-random word vectors, as in
   `reuse_scale.py`) for the mean, lead and plain lead: cost only, not quality. MiniLM on
   100k documents takes hours on 2 cores;
3. candidates: three faiss neighbour searches (k=20) and shared rare names;
4. scores: tf-idf matrices, pair features and both models (the shipped weights);
5. clustering: stories (average link from single documents) and topics.

B-cubed F1 against the planted events is printed too, but with stand-in vectors, regex
names and models fitted on ECB+ it is a sanity check, not a quality figure (documents that
combine two events are left out of it).

Usage: python -m benchmarks.stories_scale [--docs 10000 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks import planted
from benchmarks.reuse_scale import DIM, THREADS, StandInVectors, peak_rss_mb, to_document
from storytrace.model import EntityMention
from storytrace.stories.assign import ScoredPairs, group
from storytrace.stories.classifier import load_story_weights
from storytrace.stories.features import build_index, pair_features
from storytrace.stories.stage import find_candidates
from storytrace.stories.text import story_text
from storytrace.text import words

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "stories_scale.json"
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def regex_document(key: str, title: str, text: str, published: str):
    doc = to_document(key, text)
    doc.title = title
    doc.published = published[:10]
    doc.entities = [
        EntityMention(0, m.start(), m.end(), m.group(), "PERSON" if " " in m.group() else "GPE")
        for m in _NAME.finditer(text)
    ]
    return doc


def run_one(n: int, seed: int) -> dict:
    out: dict = {"docs": n}
    t0 = time.perf_counter()
    planted_docs = list(planted.generate_documents(n, seed))
    out["generate_s"] = round(time.perf_counter() - t0, 2)
    log(f"[{n}] generated in {out['generate_s']}s")

    t0 = time.perf_counter()
    texts = [story_text(regex_document(d.key, d.title, d.text, d.published)) for d in planted_docs]
    out["evidence"] = _rate(n, time.perf_counter() - t0)

    t0 = time.perf_counter()
    stand_in = StandInVectors()
    doc_vectors = np.stack([stand_in.mean(words(d.text)) for d in planted_docs])
    leads = np.stack([stand_in.mean(words(t.lead)) for t in texts])
    plains = np.stack([stand_in.mean(words(t.plain_lead)) for t in texts])
    out["stand_in_vectors_s"] = round(time.perf_counter() - t0, 2)

    t0 = time.perf_counter()
    index = build_index(texts, doc_vectors, leads, plains)
    index_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs = sorted(find_candidates(index, np.ones(n, dtype=bool), THREADS))
    out["candidates"] = _rate(n, time.perf_counter() - t0) | {
        "pairs": len(pairs),
        "pairs_per_doc": round(len(pairs) / n, 1),
    }
    log(f"[{n}] candidates {out['candidates']}")

    t0 = time.perf_counter()
    weights = load_story_weights()
    left = np.asarray([i for i, _ in pairs])
    right = np.asarray([j for _, j in pairs])
    x = pair_features(index, left, right)
    scored = ScoredPairs(
        [t.doc_id for t in texts], left, right,
        weights.event.probability(x), weights.topic.probability(x),
    )  # fmt: skip
    seconds = time.perf_counter() - t0 + index_s
    out["scores"] = {
        "index_s": round(index_s, 2),
        "s": round(seconds, 2),
        "pairs_per_s": round(len(pairs) / seconds),
    }
    log(f"[{n}] scores {out['scores']}")
    del x

    t0 = time.perf_counter()
    grouping = group(scored, weights.event_threshold, weights.topic_threshold)
    out["clustering"] = _rate(n, time.perf_counter() - t0) | {
        "stories": len(set(grouping.story_of.values())),
        "topics": len(set(grouping.topic_of.values())),
    }
    log(f"[{n}] clustering {out['clustering']}")
    out["peak_rss_mb"] = round(peak_rss_mb())
    out["planted_events_bcubed"] = _bcubed(planted_docs, grouping)
    return out


def _rate(n: int, seconds: float) -> dict:
    return {"s": round(seconds, 2), "docs_per_s": round(n / seconds) if seconds else None}


def _bcubed(planted_docs: list, grouping) -> dict:
    pred, gold = {}, {}
    for d in planted_docs:
        event = str(d.truth["event"])
        if "+" not in event:  # combined pages belong to two events
            pred[d.key] = grouping.story_of[d.key]
            gold[d.key] = event
    members: dict[str, set[str]] = {}
    truth: dict[str, set[str]] = {}
    for key in pred:
        members.setdefault(pred[key], set()).add(key)
        truth.setdefault(gold[key], set()).add(key)
    precision = recall = 0.0
    for key in pred:
        a, b = members[pred[key]], truth[gold[key]]
        precision += len(a & b) / len(a)
        recall += len(a & b) / len(b)
    precision, recall = precision / len(pred), recall / len(pred)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def child(n: int, seed: int) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.stories_scale", "--one", str(n), "--seed", str(seed)]
    done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.seed)))
        return 0
    sizes = [child(n, args.seed) for n in args.docs]
    report = {
        "machine": f"{platform.machine()}, {THREADS} threads, vectors of {DIM} dimensions",
        "data": f"benchmarks/planted.py corpora (seed {args.seed}), stand-in vectors",
        "sizes": sizes,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    for s in sizes:
        print(
            f"{s['docs']:>7} docs: evidence {s['evidence']['docs_per_s']}/s, candidates "
            f"{s['candidates']['docs_per_s']}/s ({s['candidates']['pairs_per_doc']} pairs/doc), "
            f"scores {s['scores']['pairs_per_s']} pairs/s, clustering "
            f"{s['clustering']['docs_per_s']}/s, peak {s['peak_rss_mb']} MB, planted-event "
            f"B-cubed F1 {s['planted_events_bcubed']['f1']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
