"""The claim stage over the store.

1. **Claims per document** (done once per document and detector version, committed in
   batches, so an interrupted run resumes): each sentence is scored for check-worthiness;
   the claims are parsed to find who asserts them and how firmly.
2. **Per story** (redone only for stories whose documents or reuse families changed):
   entities linked across the story's documents; claim sentences grouped by *event* (the
   ``match`` model of ``weights.json``), and inside each event by what they *state*
   (``claims.propositions``, reading pairs with the claim-pair model ``ml.pairs``); each
   claim's support counted over the documents that state it, in documents, *independent
   origins* (reuse families count once) and outlets; sentences that state part of a claim,
   deny it or give it another value are kept with it but never counted; disagreements.

Stories come from the story stage, families from the reuse stage and sentence vectors from
the embed stage. Parameters recorded with the results: the detector's and the matchers'
versions (``weights.json``) and the claim-pair model's. A new detector finds every
document's claims again; new matchers or a new pair model rebuild every story's claims from
the sentences already found, and nothing else.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storytrace.claims.attribution import attribute, strip_possessive
from storytrace.claims.classifier import ClaimWeights, load_claim_weights
from storytrace.claims.cluster import ClaimText, claim_text, cluster_claims
from storytrace.claims.conflicts import claim_facts, find_disagreements
from storytrace.claims.detect import claim_probability
from storytrace.claims.entities import link_entities
from storytrace.claims.propositions import (
    Proposition,
    Scorer,
    contradictions,
    propositions,
    read_pairs,
)
from storytrace.claims.tokens import TokenVectors, token_vectors, trigger_spans
from storytrace.ml.pairs import PairScorer, PairScores, model_version, pair_scorer
from storytrace.ml.vectors import sentence_vectors
from storytrace.model import (
    Claim,
    ClaimCluster,
    ClaimRef,
    ClaimRelation,
    Disagreement,
    Document,
    EntityMention,
    Family,
    LinkedEntity,
    Sentence,
    Story,
)
from storytrace.nlp import load_parser
from storytrace.profiling import count
from storytrace.progress import Progress, QuietProgress
from storytrace.provenance import FamilyIndex, independent_origins
from storytrace.sentences import boilerplate_start, fragment_reason
from storytrace.settings import Settings
from storytrace.stage import RunContext, Stage, StageResult
from storytrace.store import Store
from storytrace.text import entity_key, longest_first
from storytrace.util import batched

if TYPE_CHECKING:
    from spacy.language import Language

# Changes whenever the rules for sentences fit to quote change: claims are then found again.
QUOTABLE = "quotable/1"
_PERSON_LABELS = frozenset({"PERSON"})
# Names that can assert something (a nationality adjective cannot).
_SOURCE_LABELS = frozenset({"PERSON", "ORG", "GPE"})


@dataclass(slots=True)
class ClaimReport:
    documents: int = 0  # documents whose claims were detected this run
    claims: int = 0  # claims found in them
    stories: int = 0  # stories whose clusters were (re)built
    clusters: int = 0
    disagreements: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class StoryClaims:
    clusters: list[ClaimCluster]
    disagreements: list[Disagreement]
    entities: list[LinkedEntity]


def run(ctx: RunContext) -> StageResult:
    report = build_claims(ctx.store, ctx.settings, ctx.progress)
    summary = {"documents": report.documents, "claims": report.claims,
               "stories": report.stories, "clusters": report.clusters,
               "disagreements": report.disagreements}  # fmt: skip
    store = ctx.store
    message = (
        f"claims: {store.claims.count()} claims in {store.claims.count('claim_clusters')} "
        f"clusters, {store.claims.count('disagreements')} disagreements"
    )
    return StageResult(report.documents + report.stories > 0, summary, message, report)


def build_claims(
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    weights: ClaimWeights | None = None,
) -> ClaimReport:
    """Bring the store's claims, claim clusters and linked entities up to date with its
    stories."""
    bar = progress or QuietProgress()
    weights = weights or load_claim_weights()
    report = ClaimReport()
    started = time.perf_counter()
    report.documents, report.claims = detect_pending(store, settings, weights, bar)
    report.seconds["detect"] = time.perf_counter() - started
    started = time.perf_counter()
    update_stories(store, weights, bar, report, settings.workers)
    report.seconds["stories_claims"] = time.perf_counter() - started
    return report


# -- 1. claims per document ---------------------------------------------------------------
def detect_pending(
    store: Store, settings: Settings, weights: ClaimWeights, bar: Progress
) -> tuple[int, int]:
    ids = store.claims.pending_ids(detector_version(weights))
    if not ids:
        return 0, 0
    nlp = load_parser(settings.spacy_model)
    found = 0
    bar.start("Finding claims", len(ids))
    for batch in batched(ids, settings.batch_size):
        docs = [store.get(doc_id) for doc_id in batch]
        claims = detect(docs, store, weights, nlp, settings.workers)
        with store.transaction():
            for doc in docs:
                store.claims.set_doc_claims(doc.id, detector_version(weights), claims[doc.id])
        found += sum(len(c) for c in claims.values())
        bar.advance(len(batch))
    return len(ids), found


def detect(
    docs: Sequence[Document],
    store: Store | None,
    weights: ClaimWeights,
    nlp: Language,
    threads: int = 1,
) -> dict[str, list[Claim]]:
    """Claims of each document, with source and hedge. Only sentences fit to quote can be
    claims: no fragments, headings or captions, no press-release boilerplate."""
    rows = [(doc, s) for doc in docs for s in quotable_sentences(doc)]
    vectors = sentence_vectors(store, [(doc.id, s.index, s.text) for doc, s in rows], threads)
    by_sentence: dict[tuple[str, int], list[str]] = defaultdict(list)
    for doc in docs:
        for entity in doc.entities:
            by_sentence[(doc.id, entity.sentence_index)].append(entity.label)
    labels = [by_sentence.get((doc.id, s.index), []) for doc, s in rows]
    scores = claim_probability(weights.detector, [s.text for _, s in rows], vectors, labels)
    chosen = [(row, float(p)) for row, p in zip(rows, scores, strict=True)]
    chosen = [(row, p) for row, p in chosen if p >= weights.detector_threshold]
    count("spaCy parse", len(chosen))
    parsed = nlp.pipe([s.text for (_, s), _ in chosen], batch_size=64)
    names = {doc.id: _name_index(doc.entities) for doc in docs}
    claims: dict[str, list[Claim]] = {doc.id: [] for doc in docs}
    for ((doc, sentence), p), parse in zip(chosen, parsed, strict=True):
        found = attribute(
            next(iter(parse.sents), parse[:]),
            _last_person(doc.entities, sentence.index),
            names[doc.id],
        )
        claims[doc.id].append(
            Claim(
                doc.id, sentence.index, sentence.text, p,
                found.source, found.kind, found.hedge, found.cues, trigger_spans(list(parse)),
            )
        )  # fmt: skip
    return claims


def detector_version(weights: ClaimWeights) -> str:
    """What decides a document's claims: the detector, and which sentences may be quoted."""
    return f"{weights.version}+{QUOTABLE}"


def quotable_sentences(doc: Document) -> list[Sentence]:
    """The document's sentences that are fit to quote, before any closing boilerplate."""
    cut = boilerplate_start([doc.text[b.start : b.end] for b in doc.blocks])
    end = doc.blocks[cut].start if cut is not None else len(doc.text) + 1
    return [s for s in doc.sentences if s.start < end and fragment_reason(s.text) is None]


def _name_index(entities: Iterable[EntityMention]) -> dict[str, str]:
    """Lower-cased written names, and people's first and last names, -> full name."""
    index: dict[str, str] = {}
    people = longest_first(
        e.text for e in entities if e.label == "PERSON" and " " in e.text.strip()
    )
    for name in people:
        parts = name.split()
        for short in (parts[0], parts[-1]):
            index.setdefault(short.lower(), name)
    for entity in entities:
        if entity.label in _SOURCE_LABELS:
            index.setdefault(entity.text.lower(), strip_possessive(entity.text))
    return index


def _last_person(entities: Sequence[EntityMention], sentence_index: int) -> str | None:
    before = [
        e.text for e in entities if e.label in _PERSON_LABELS and e.sentence_index < sentence_index
    ]
    return before[-1] if before else None


# -- 2. per story -------------------------------------------------------------------------
def update_stories(
    store: Store,
    weights: ClaimWeights,
    bar: Progress,
    report: ClaimReport | None = None,
    threads: int = 1,
) -> None:
    report = report if report is not None else ClaimReport()
    stories = store.stories.stories()
    families = FamilyIndex(store.reuse.families())
    known = store.claims.fingerprints()
    with store.transaction():
        store.claims.drop_stories(set(known) - {s.id for s in stories})
    todo = []
    for story in stories:
        touching = families.touching(story.doc_ids)
        fingerprint = _fingerprint(story, touching, _matching(weights))
        if known.get(story.id) != fingerprint:
            todo.append((story, touching, fingerprint))
    # Claim ids come from the sentences that state them, so a document that moved between
    # two stories would give the story rebuilt first an id the other still holds: every
    # story to rebuild is emptied before any is rebuilt.
    with store.transaction():
        store.claims.drop_stories([story.id for story, _, _ in todo])
    bar.start("Clustering claims", len(todo))
    for story, touching, fingerprint in todo:
        result = story_claims(store, story, touching, weights, threads)
        with store.transaction():
            store.claims.set_story(
                story.id, fingerprint, result.clusters, result.disagreements, result.entities
            )
        report.stories += 1
        report.clusters += len(result.clusters)
        report.disagreements += len(result.disagreements)
        bar.advance(1)


def _matching(weights: ClaimWeights) -> str:
    return f"{weights.version}/{weights.matching_version}/{model_version()}"


def _fingerprint(story: Story, families: Sequence[Family], version: str) -> str:
    data = {
        "version": version,
        "docs": sorted(story.doc_ids),
        "families": sorted(sorted(f.doc_ids) for f in families),
    }
    return hashlib.sha1(json.dumps(data).encode()).hexdigest()[:16]


def story_claims(
    store: Store,
    story: Story,
    families: Sequence[Family],
    weights: ClaimWeights,
    threads: int = 1,
    scorer: Scorer | None = None,
) -> StoryClaims:
    """A story's claims: sentences grouped by event, then by what they state inside each
    event (the claim-pair model), support counted over the stating documents only."""
    claims = store.claims.doc_claims(story.doc_ids)
    mentions = store.claims.mentions(story.doc_ids)
    entities, keys = link_entities(story.id, mentions)
    if not claims:
        return StoryClaims([], [], entities)
    words = token_vectors([c.text for c in claims], [c.triggers for c in claims], threads)
    texts, people = _claim_names(claims, mentions, keys, words)
    vectors = sentence_vectors(store, [(c.doc_id, c.sentence_index, c.text) for c in claims])
    grouping = cluster_claims(vectors, texts, weights.match, weights.match_threshold, weights.same)
    events = grouping.labels
    facts = [
        claim_facts(ClaimRef(c.doc_id, c.sentence_index, c.text), people[k])
        for k, c in enumerate(claims)
    ]
    model = pair_scorer(threads)
    sentences = [c.text for c in claims]
    readings = read_pairs(
        sentences, [c.doc_id for c in claims], events, vectors, facts,
        scorer or functools.partial(read_with_cache, store, model),
    )  # fmt: skip
    found = propositions(events, readings, model.thresholds, [c.score for c in claims], sentences)
    outlets = store.claims.outlets(story.doc_ids)
    clusters = [_cluster(story.id, claims, p, events, families, outlets) for p in found]
    clusters.sort(key=lambda c: (-c.origins, -c.documents, c.id))
    # Another number, date or name for one fact: the "same claim" model of weights.json
    # decides that two sentences speak of one fact (the pair model's similarity drops when
    # the numbers differ, which is the case to catch); denials: the pair model.
    same = {
        pair: grouping.cosine[pair]
        for pair, p in grouping.same.items()
        if p >= weights.same_threshold
    }
    found_disagreements = find_disagreements(story.id, facts, same, events)
    found_disagreements += contradictions(story.id, facts, readings, model.thresholds)
    return StoryClaims(clusters, found_disagreements, entities)


def read_with_cache(
    store: Store, model: PairScorer, pairs: Sequence[tuple[str, str]]
) -> list[PairScores]:
    """The claim-pair model's scores of each pair, read only for pairs the store has never
    had read by this model version: adding documents to a story, or rebuilding its claims
    with new matchers, costs only the new pairs."""
    version = model_version()
    keys = [_reading_key(version, a, b) for a, b in pairs]
    known = {key: PairScores(*scores) for key, scores in store.claims.readings(keys).items()}
    todo = list({key: k for k, key in enumerate(keys) if key not in known}.values())
    fresh = model.score([pairs[k] for k in todo], prune=True)
    for k, scores in zip(todo, fresh, strict=True):
        known[keys[k]] = scores
    if todo:
        with store.transaction():
            store.claims.add_readings(
                (keys[k], s.entails, s.entailed_by, s.contradicts, s.paraphrase, s.similarity)
                for k, s in zip(todo, fresh, strict=True)
            )
    return [known[key] for key in keys]


def _reading_key(version: str, first: str, second: str) -> bytes:
    return hashlib.sha1("\x1f".join((version, first, second)).encode()).digest()


def _claim_names(
    claims: Sequence[Claim],
    mentions: dict[str, list[EntityMention]],
    keys: dict[tuple[str, int], str],
    words: Sequence[TokenVectors],
) -> tuple[list[ClaimText], list[set[str]]]:
    """Each claim's matching text (linked names, word vectors) and the people it names
    besides its source."""
    texts, people = [], []
    for claim, vectors in zip(claims, words, strict=True):
        here = [
            m for m in mentions.get(claim.doc_id, []) if m.sentence_index == claim.sentence_index
        ]
        linked = [keys.get((claim.doc_id, m.start)) or entity_key(m.text) for m in here]
        source = entity_key(claim.source or "").replace(" ", "_")
        persons = {
            key
            for m, key in zip(here, linked, strict=True)
            if m.label == "PERSON" and key and key != source and not source.endswith(key)
        }
        texts.append(claim_text(claim.text, [k for k in linked if k], vectors))
        people.append(persons)
    return texts, people


_RELATIONS: tuple[tuple[str, ClaimRelation], ...] = (
    ("states", "states"),
    ("entails", "entails"),
    ("partial", "partial"),
    ("contradicts", "contradicts"),
    ("conflicts", "conflicts"),
)


def _cluster(
    story_id: str,
    claims: Sequence[Claim],
    claim: Proposition,
    events: Sequence[int],
    families: Sequence[Family],
    outlets: dict[str, tuple[str | None, str | None]],
) -> ClaimCluster:
    """One claim as stored and shown: every count from the documents that state it."""
    refs = [
        ClaimRef(claims[k].doc_id, claims[k].sentence_index, claims[k].text, relation)
        for field_name, relation in _RELATIONS
        for k in getattr(claim, field_name)
    ]
    stating = claim.supporting
    docs = sorted({claims[k].doc_id for k in stating})
    dates = sorted(d for d in (outlets.get(doc, (None, None))[1] for doc in docs) if d)
    names = {outlets.get(doc, (None, None))[0] or f"doc:{doc}" for doc in docs}
    first = min(claim.states, key=lambda k: (claims[k].doc_id, claims[k].sentence_index))
    event = min(
        (k for k in range(len(events)) if events[k] == events[claim.label]),
        key=lambda k: (claims[k].doc_id, claims[k].sentence_index),
    )
    return ClaimCluster(
        id=_ref_id("c", claims[first]),
        story_id=story_id,
        label=claims[claim.label].text,
        members=refs,
        documents=len(docs),
        origins=independent_origins(docs, families),
        outlets=len(names),
        first_seen=dates[0] if dates else None,
        last_seen=dates[-1] if dates else None,
        hedges=dict(Counter(claims[k].hedge for k in stating)),
        sources=dict(Counter(claims[k].source or "(the outlet)" for k in stating)),
        event_id=_ref_id("e", claims[event]),
    )


def _ref_id(prefix: str, claim: Claim) -> str:
    key = f"{claim.doc_id}:{claim.sentence_index}".encode()
    return prefix + hashlib.sha1(key).hexdigest()[:11]


# -- the stage ------------------------------------------------------------------------------
def params(store: Store, settings: Settings) -> dict[str, Any]:
    weights = load_claim_weights()
    return {
        "detector": detector_version(weights),
        "matching": weights.matching_version,
        "pairs": model_version(),
        "parser": settings.spacy_model,
    }


def reset(store: Store, changed: frozenset[str]) -> None:
    """A new detector or parser: every document's claims are found again (a document's
    claims are keyed by the detector's version, so a new stage version alone keeps them).
    Anything else: every story's claims are rebuilt from the sentences already found."""
    with store.transaction():
        if changed & {"detector", "parser"}:
            store.claims.forget_doc_claims()
        if "pairs" in changed:  # readings of another model: never asked for again
            store.claims.forget_readings()
        store.claims.drop_stories(store.claims.fingerprints())


STAGE = Stage(
    name="claims",
    version="claims/2",
    requires=("sentences", "entities", "sentence_vectors", "stories", "families"),
    produces=("claims", "claim_clusters"),
    run=run,
    params=params,
    reset=reset,
    about="check-worthy claims with who asserts them, grouped by event and by what they state; "
    "support counted over the pages that state each claim",
)
