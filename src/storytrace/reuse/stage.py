"""The reuse stage over the store: find candidates, score them, decide links and families.

It reads what the embed stage prepared (sentence vectors, MinHash signatures, terms).
Scoring commits in batches and records what it finished, so an interrupted run resumes and a
second run over the same store does nothing new. Adding documents later compares only the
pairs that involve them; the cheap final step (links and families from all scored pairs) is
redone as a whole, because one new document can change which match is another's best.

Parameters recorded with the results: the shipped models (``weights.json``) and the pair
features they read. New weights rescore the stored pairs from their stored features; new
features compare every pair again.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from storytrace.ml import candidates
from storytrace.ml.logistic import weights_fingerprint
from storytrace.model import Family, ReuseLink
from storytrace.progress import Progress, QuietProgress
from storytrace.reuse.classifier import Weights, load_weights
from storytrace.reuse.features import (
    DIRECTION_NAMES,
    FEATURE_NAMES,
    Prepared,
    Vocabulary,
    compare,
    prepare,
)
from storytrace.reuse.links import DocInfo, ScoredPair, decide, lowest_deciding_score
from storytrace.settings import Settings
from storytrace.stage import RunContext, Stage, StageResult
from storytrace.store import Store
from storytrace.store.reuse import PairRow
from storytrace.text import doc_text
from storytrace.util import batched

_CACHE_DOCS = 4096
# Document frequencies from a handful of documents say little: idf is computed as if the
# corpus also held this many documents without the term, so small corpora weigh terms nearly
# evenly and large ones by how rare the term is.
_IDF_PRIOR = 100  # prepared documents kept in memory while scoring pairs


@dataclass(slots=True)
class ReuseReport:
    pairs_scored: int = 0
    links: int = 0
    families: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def run(ctx: RunContext) -> StageResult:
    report = link_documents(ctx.store, ctx.settings, ctx.progress)
    summary = {"pairs_scored": report.pairs_scored, "links": report.links,
               "families": report.families}  # fmt: skip
    message = (
        f"reuse: {report.pairs_scored} candidate pairs compared, {report.links} links, "
        f"{report.families} derivation families"
    )
    return StageResult(True, summary, message, report)


def link_documents(
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    weights: Weights | None = None,
) -> ReuseReport:
    """Bring the store's reuse links and families up to date with its prepared documents.

    ``weights`` defaults to the shipped models; benchmarks pass others to fit and test them.
    """
    bar = progress or QuietProgress()
    report = ReuseReport()
    weights = weights or load_weights()
    t1 = time.perf_counter()
    pairs = _candidate_pairs(store, settings)
    t2 = time.perf_counter()
    report.pairs_scored = _score_pairs(store, pairs, weights, bar, settings.batch_size)
    t3 = time.perf_counter()
    decision = decide_links(store, weights)
    report.links, report.families = len(decision[0]), len(decision[1])
    t4 = time.perf_counter()
    report.seconds = {"candidates": t2 - t1, "verify": t3 - t2, "decide": t4 - t3}
    return report


# -- 1. candidates ------------------------------------------------------------------------
def _candidate_pairs(store: Store, settings: Settings) -> list[tuple[str, str]]:
    """Pairs (a < b) involving a document not yet compared, not scored before."""
    ids, sigs, vectors, compared = store.reuse.index_rows()
    query = ~compared
    if not query.any():
        return []
    found = candidates.lsh_pairs(sigs, query) | candidates.neighbour_pairs(
        vectors, query, threads=settings.workers
    )
    # Every candidate pair has a queried document, and pairs are stored both ways round:
    # the pairs known for the queried documents are all that can repeat (an addition to
    # 10,000 documents reads a few hundred rows instead of 1.1 million).
    known = store.reuse.known_pairs([d for d, q in zip(ids, query, strict=True) if q])
    pairs = {(ids[i], ids[j]) for i, j in found}
    return sorted(p for p in pairs if p not in known)


# -- 2. sentence alignment and scores -----------------------------------------------------
class _Prepared:
    """Prepared documents for one run, with a bounded cache."""

    def __init__(self, store: Store) -> None:
        self.store = store
        df, n = corpus_frequencies(store)
        self.idf = {t: math.log((n + _IDF_PRIOR) / (c + 1)) for t, c in df.items()}
        self.vocab = Vocabulary()
        self.cache: OrderedDict[str, Prepared] = OrderedDict()

    def get(self, doc_id: str) -> Prepared:
        if doc_id in self.cache:
            self.cache.move_to_end(doc_id)
            return self.cache[doc_id]
        stored = self.store.reuse.get_doc(doc_id)
        text = doc_text(self.store.get(doc_id))
        item = prepare(text, stored.vectors, stored.doc_vector, self.idf, self.vocab)
        self.cache[doc_id] = item
        if len(self.cache) > _CACHE_DOCS:
            self.cache.popitem(last=False)
        return item


def corpus_frequencies(store: Store) -> tuple[dict[str, int], int]:
    """Content-term document frequencies and the document count idf is computed over: the
    store's own, or the whole corpus's when the store holds one partition of it."""
    given = store.corpus.frequencies("reuse")
    if given is not None:
        return dict(given.get("", {})), max(1, store.corpus.documents("reuse") or 1)
    return store.reuse.document_frequencies(), max(1, store.reuse.count())


def _score_pairs(
    store: Store, pairs: list[tuple[str, str]], weights: Weights, bar: Progress, batch: int
) -> int:
    ids, _, _, compared = store.reuse.index_rows()
    uncompared = [i for i, c in zip(ids, compared, strict=True) if not c]
    if pairs:
        bar.start("Comparing candidate pairs", len(pairs))
        docs = _Prepared(store)
        for chunk in batched(pairs, max(64, batch * 8)):
            rows = [row for a, b in chunk for row in score_pair(docs.get(a), docs.get(b), weights)]
            with store.transaction():
                store.reuse.add_pairs(rows)
            bar.advance(len(chunk))
    with store.transaction():
        store.reuse.mark_compared(uncompared)
    return len(pairs)


def score_pair(a: Prepared, b: Prepared, weights: Weights) -> list[PairRow]:
    """Both directions of one pair, scored."""
    comparison = compare(a, b)
    features = comparison.features()
    score = float(weights.family.probability(features))
    rows = []
    for reverse in (False, True):
        first, second = (b, a) if reverse else (a, b)
        direction_features = comparison.direction_features(reverse)
        rows.append(
            PairRow(
                doc_id=first.text.doc_id,
                other_id=second.text.doc_id,
                score=score,
                direction=float(weights.direction.probability(direction_features)),
                trigrams=_trigram_share(first, second),
                coverage=comparison.coverage(reverse),
                size=first.text.size,
                features=features,
                direction_features=direction_features,
            )
        )
    return rows


def _trigram_share(first: Prepared, second: Prepared) -> float:
    grams = first.text.all_trigrams
    return len(grams & second.text.all_trigrams) / len(grams) if grams else 0.0


# -- 3. links and families ----------------------------------------------------------------
def decide_links(
    store: Store, weights: Weights | None = None
) -> tuple[list[ReuseLink], list[Family]]:
    """Links and families from every scored pair in the store; replaces the stored ones."""
    weights = weights or load_weights()
    scored = [ScoredPair(*row) for row in store.reuse.scored(lowest_deciding_score(weights.rules))]
    involved = {p.doc_id for p in scored}
    decision = decide(scored, _doc_infos(store, involved), weights.rules, weights.calibrate)
    links = decision.links + decision.possible
    docs = _Prepared(store)
    for link in links:
        comparison = compare(docs.get(link.doc_id), docs.get(link.origin_id))
        link.pairs = comparison.evidence()
    with store.transaction():
        store.reuse.replace_results(links, decision.families)
    return links, decision.families


def _doc_infos(store: Store, ids: Iterable[str]) -> dict[str, DocInfo]:
    infos = {}
    for doc_id, meta in store.reuse.doc_metadata(ids).items():
        names = [n for n in (meta.site, meta.url, meta.author) if n]
        infos[doc_id] = DocInfo(doc_id, meta.published, meta.declared_source, names, meta.furniture)
    return infos


# -- the stage ------------------------------------------------------------------------------
def params(store: Store, settings: Settings) -> dict[str, Any]:
    return {
        "weights": weights_fingerprint("storytrace.reuse"),
        "features": [*FEATURE_NAMES, "|", *DIRECTION_NAMES],
        "candidates": {
            "bands": candidates.BANDS,
            "neighbours": candidates.NEIGHBOURS,
            "min_jaccard": candidates.MIN_JACCARD,
        },
    }


def reset(store: Store, changed: frozenset[str]) -> None:
    """New features or a new version: every pair is compared again. New weights: the
    stored pairs are rescored from their stored features. New candidate settings: every
    document's candidates are searched again (pairs already scored are kept)."""
    with store.transaction():
        if changed & {"version", "features"}:
            store.reuse.reset_pairs()
            return
        if "weights" in changed:
            rescore(store, load_weights())
        if "candidates" in changed:
            store.reuse.mark_uncompared()


def rescore(store: Store, weights: Weights) -> None:
    """New pair and direction scores for the stored pairs, from their stored features."""
    store.reuse.rescore(
        (
            float(weights.family.probability(p.features)),
            float(weights.direction.probability(p.direction_features)),
            p.doc_id,
            p.other_id,
        )
        for p in store.reuse.pairs()
    )


STAGE = Stage(
    name="reuse",
    version="reuse/1",
    requires=("sentence_vectors", "signatures"),
    produces=("links", "families"),
    run=run,
    params=params,
    reset=reset,
    about="who copied whom: candidate pairs aligned, links oriented, derivation families",
)
