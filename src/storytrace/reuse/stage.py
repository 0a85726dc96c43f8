"""The reuse stage over the store: prepare, find candidates, score, decide.

Each step commits in batches and records what it finished, so an interrupted run resumes and
a second run over the same store does nothing new. Adding documents later compares only the
pairs that involve them; the cheap final step (links and families from all scored pairs) is
redone as a whole, because one new document can change which match is another's best.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from storytrace.model import Family, ReuseLink
from storytrace.progress import Progress, QuietProgress
from storytrace.reuse import candidates, encode
from storytrace.reuse.classifier import Weights, load_weights
from storytrace.reuse.features import Prepared, Vocabulary, compare, prepare
from storytrace.reuse.links import DocInfo, ScoredPair, decide
from storytrace.reuse.links import independent_origins as _count_origins
from storytrace.reuse.text import doc_text, mean_vector, shingles
from storytrace.settings import Settings
from storytrace.store.reuse import PairRow, ReuseDoc
from storytrace.store.sqlite import Store
from storytrace.util import batched

_CACHE_DOCS = 4096
# Document frequencies from a handful of documents say little: idf is computed as if the
# corpus also held this many documents without the term, so small corpora weigh terms nearly
# evenly and large ones by how rare the term is.
_IDF_PRIOR = 100  # prepared documents kept in memory while scoring pairs


@dataclass(slots=True)
class ReuseReport:
    prepared: int = 0
    pairs_scored: int = 0
    links: int = 0
    families: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def link_documents(
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    weights: Weights | None = None,
) -> ReuseReport:
    """Bring the store's reuse links and families up to date with its documents.

    ``weights`` defaults to the shipped models; benchmarks pass others to fit and test them.
    """
    bar = progress or QuietProgress()
    report = ReuseReport()
    weights = weights or load_weights()
    t0 = time.perf_counter()
    report.prepared = prepare_pending(store, settings, bar)
    t1 = time.perf_counter()
    pairs = _candidate_pairs(store, settings)
    t2 = time.perf_counter()
    report.pairs_scored = _score_pairs(store, pairs, weights, bar, settings.batch_size)
    t3 = time.perf_counter()
    decision = decide_links(store, weights)
    report.links, report.families = len(decision[0]), len(decision[1])
    t4 = time.perf_counter()
    report.seconds = {
        "prepare": t1 - t0,
        "candidates": t2 - t1,
        "verify": t3 - t2,
        "decide": t4 - t3,
    }
    return report


# -- 1. sentences -> vectors, signatures, terms ---------------------------------------------
def prepare_pending(store: Store, settings: Settings, bar: Progress) -> int:
    """Sentence vectors, signatures and terms for every annotated document without them
    (the story stage reads the same vectors)."""
    pending = store.reuse.pending_ids()
    if not pending:
        return 0
    encoder = encode.store_encoder(store, settings.encoder)
    bar.start("Embedding sentences", len(pending))
    for ids in batched(pending, max(8, settings.batch_size)):
        docs = [store.get(i) for i in ids]
        texts = [doc_text(d) for d in docs]
        flat = [s for t in texts for s in t.sentences]
        vectors = encode.encode(flat, threads=settings.workers, encoder=encoder)
        sigs = candidates.signatures(shingles(d) for d in docs)
        with store.transaction():
            offset = 0
            for doc, text, sig in zip(docs, texts, sigs, strict=True):
                own = vectors[offset : offset + text.size]
                offset += text.size
                store.reuse.add_doc(
                    ReuseDoc(
                        doc_id=doc.id,
                        sentence_ids=text.sentence_ids,
                        vectors=own,
                        doc_vector=mean_vector(own)
                        if text.size
                        else np.zeros(encode.dimensions(encoder)),
                        minhash=sig,
                        terms=sorted(text.all_terms),
                    ),
                    encode.name_of(encoder),
                )
        bar.advance(len(ids))
    return len(pending)


# -- 2. candidates ------------------------------------------------------------------------
def _candidate_pairs(store: Store, settings: Settings) -> list[tuple[str, str]]:
    """Pairs (a < b) involving a document not yet compared, not scored before."""
    ids, sigs, vectors, compared = store.reuse.index_rows()
    query = ~compared
    if not query.any():
        return []
    found = candidates.lsh_pairs(sigs, query) | candidates.neighbour_pairs(
        vectors, query, threads=settings.workers
    )
    known = store.reuse.known_pairs()
    pairs = {(ids[i], ids[j]) for i, j in found}
    return sorted(p for p in pairs if p not in known)


# -- 3. sentence alignment and scores -----------------------------------------------------
class _Prepared:
    """Prepared documents for one run, with a bounded cache."""

    def __init__(self, store: Store) -> None:
        self.store = store
        df = store.reuse.document_frequencies()
        n = max(1, store.reuse.count())
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


# -- 4. links and families ----------------------------------------------------------------
def decide_links(
    store: Store, weights: Weights | None = None
) -> tuple[list[ReuseLink], list[Family]]:
    """Links and families from every scored pair in the store; replaces the stored ones."""
    weights = weights or load_weights()
    scored = [
        ScoredPair(p.doc_id, p.other_id, p.score, p.direction, p.trigrams, p.coverage, p.size)
        for p in store.reuse.pairs()
    ]
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
    for doc_id in ids:
        row = store.conn.execute(
            "SELECT published, declared_source, site, url, author, "
            "(SELECT count(*) FROM removed_lines r WHERE r.doc_id = d.id "
            "AND r.reason NOT LIKE 'metadata:%') FROM documents d WHERE id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            continue
        published, declared, site, url, author, furniture = row
        names = [n for n in (site, url, author) if n]
        infos[doc_id] = DocInfo(doc_id, published, declared, names, furniture)
    return infos


def independent_origins(store: Store, doc_ids: Iterable[str]) -> int:
    """How many independent origins these documents represent (see links.independent_origins)."""
    wanted = list(doc_ids)
    families = [f for d in set(wanted) for f in store.reuse.families(d)]
    return _count_origins(wanted, families)
