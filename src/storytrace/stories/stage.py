"""The story stage over the store: evidence, candidates, scores, stories and topics.

1. **Evidence** for each new document: its bags of words and names, and two lead vectors
   (its mean sentence vector comes from the embed stage).
2. **Candidates** for new documents only: nearest neighbours by three vectors, and every
   document sharing a rare name. Never all pairs.
3. **Scores** for every candidate pair, refreshed each run from the stored evidence, so idf
   and ranks are those of the whole corpus, as a one-shot run would see them.
4. **Stories and topics** (storytrace.stories.assign): stored stories are the starting point,
   new documents join or start stories, merges and splits are recorded.
5. **Descriptions**: label, key entities, date span and independent-origin count per story.

Steps 1-2 commit in batches and are skipped for documents already done, so an interrupted
run resumes; a second run with nothing new changes nothing. Derivation families come from
the reuse stage (derivatives join their origin's story; origins are counted once).

Parameters recorded with the results: the shipped models (``weights.json``), re-applied to
every stored pair on each run anyway; a new version of the stage groups everything afresh.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from storytrace.ml import candidates, encode
from storytrace.ml.logistic import weights_fingerprint
from storytrace.model import STORY_BAGS, Family, Story, StoryEntity, StoryText, Topic
from storytrace.progress import Progress, QuietProgress
from storytrace.provenance import FamilyIndex, independent_origins
from storytrace.settings import Settings
from storytrace.stage import RunContext, Stage, StageResult
from storytrace.store import Store
from storytrace.stories.assign import Grouping, ScoredPairs, group
from storytrace.stories.classifier import StoryWeights, load_story_weights
from storytrace.stories.features import FEATURE_NAMES, StoryIndex, build_index, pair_features
from storytrace.stories.text import story_text
from storytrace.util import batched

NEIGHBOURS = 20  # per vector kind
# Beyond this many documents, neighbours are searched in a 64-dimension PCA projection:
# on ECB+ it finds the same same-event pairs (recall 0.997 either way) and at 100k
# documents it is 2.5x faster than HNSW on the full vectors.
_PROJECT_ABOVE = 20_000
_PROJECTED_DIMS = 64
RARE_NAME_DF = 50  # a name in at most this many documents pairs them all
# Corpus figure set by batch mode's full analysis: the partition's story pairs and their
# scores were computed over the whole corpus (ranks and neighbours included) and written
# into the store; the stage groups them instead of searching and scoring its own.
GIVEN_PAIRS = "story_pairs_given"
# Pairs a model scores at once (it standardises a float64 copy of their 20 features).
_SCORE_ROWS = 200_000
LABEL_CHARS = 100
KEY_ENTITIES = 6


@dataclass(slots=True)
class StoryReport:
    prepared: int = 0
    new_pairs: int = 0
    pairs: int = 0
    stories: int = 0
    topics: int = 0
    changes: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)


def run(ctx: RunContext) -> StageResult:
    report = build_stories(ctx.store, ctx.settings, ctx.progress)
    summary = {"prepared": report.prepared, "new_pairs": report.new_pairs,
               "stories": report.stories, "topics": report.topics}  # fmt: skip
    message = f"stories: {report.stories} stories in {report.topics} topics"
    return StageResult(True, summary, message, report)


def build_stories(
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    weights: StoryWeights | None = None,
) -> StoryReport:
    """Bring the store's stories and topics up to date with its documents."""
    bar = progress or QuietProgress()
    weights = weights or load_story_weights()
    report = StoryReport()
    clock = _Clock(report)
    report.prepared = prepare_evidence(store, settings, bar)
    clock.lap("evidence")
    texts, doc_vectors, leads, plains = store.stories.load()
    if not texts:
        return report
    # A partition of a larger corpus (batch mode) is given the whole corpus's figures.
    given = store.corpus.frequencies("stories")
    df = (
        {bag: given.get(bag, Counter()) for bag in STORY_BAGS}  # a bag may hold no term
        if given is not None
        else store.stories.document_frequencies()
    )
    size = store.corpus.documents("stories") or len(texts)
    index = build_index(texts, doc_vectors, leads, plains, df, size)
    ids = [t.doc_id for t in texts]
    previous, previous_topics = store.stories.assignment()
    if store.corpus.figure(GIVEN_PAIRS):
        # A partition of a larger corpus: pairs found and scored over the whole corpus.
        scored = given_scores(store, ids)
        clock.lap("candidates")
    else:
        known = store.stories.pair_ids()
        new_pairs = find_candidates(index, _unpaired(ids, known, previous), settings.workers)
        added = [(ids[i], ids[j]) for i, j in sorted(new_pairs)]
        with store.transaction():
            store.stories.add_pairs(added)
        report.new_pairs = len(new_pairs)
        clock.lap("candidates")
        scored = score_pairs(index, known + added, weights)
    with store.transaction():
        store.stories.set_scores(_score_rows(scored))
    report.pairs = len(scored.left)
    clock.lap("scores")
    families = store.reuse.families()
    grouping = group(
        scored,
        weights.event_threshold,
        weights.topic_threshold,
        previous,
        previous_topics,
        families,
    )
    stories, topics, centrality = describe(texts, scored, grouping, families, store)
    with store.transaction():
        store.stories.replace(stories, topics, centrality)
        store.stories.add_changes(grouping.changes)
    clock.lap("grouping")
    report.stories, report.topics = len(stories), len(topics)
    report.changes = Counter(c.kind for c in grouping.changes)
    return report


class _Clock:
    def __init__(self, report: StoryReport) -> None:
        self.report = report
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.report.seconds[name] = now - self.last
        self.last = now


# -- 1. evidence --------------------------------------------------------------------------
def prepare_evidence(store: Store, settings: Settings, bar: Progress) -> int:
    pending = store.stories.pending_ids()
    if not pending:
        return 0
    encoder = encode.store_encoder(store, settings.encoder)
    bar.start("Story evidence", len(pending))
    for ids in batched(pending, max(8, settings.batch_size)):
        texts = [story_text(store.get(doc_id)) for doc_id in ids]
        leads = [t.lead for t in texts] + [t.plain_lead for t in texts]
        # Leads are long (a title and three sentences): small batches pad less (400 ecbplus
        # leads: 7.9 s in batches of 16, 10.4 s in batches of 64).
        vectors = encode.encode(leads, threads=settings.workers, batch_size=16, encoder=encoder)
        with store.transaction():
            for k, text in enumerate(texts):
                store.stories.add_doc(text, vectors[k], vectors[len(texts) + k])
        bar.advance(len(ids))
    return len(pending)


def _unpaired(
    ids: Sequence[str], known: Sequence[tuple[str, str]], assigned: Mapping[str, str]
) -> np.ndarray:
    """Documents whose candidates were never searched: those in no stored pair and no story.

    A document that found no candidate at all is in a story of its own, so it is not
    searched again on every run (a later document that resembles it finds it instead).
    """
    done = {d for pair in known for d in pair} | set(assigned)
    return np.asarray([d not in done for d in ids], dtype=bool)


# -- 2. candidates ------------------------------------------------------------------------
def find_candidates(
    index: StoryIndex, query: np.ndarray, threads: int = 1, k: int = NEIGHBOURS
) -> set[tuple[int, int]]:
    """Pairs (i < j) of index rows with at least one row in ``query``."""
    return {(i, j) for i, j in candidate_array(index, query, threads, k).tolist()}


def candidate_array(
    index: StoryIndex, query: np.ndarray, threads: int = 1, k: int = NEIGHBOURS
) -> np.ndarray:
    """:func:`find_candidates` as a sorted ``(m, 2)`` array of distinct row pairs: no
    Python tuple per pair (a corpus of a million documents has tens of millions)."""
    n = index.size
    if n < 2 or not query.any():
        return np.zeros((0, 2), dtype=np.int64)
    found = []
    for vectors in (index.doc_vectors, index.lead_vectors, index.plain_vectors):
        if len(vectors) > _PROJECT_ABOVE:
            vectors = candidates.project(vectors, _PROJECTED_DIMS)
        found.append(candidates.neighbour_array(vectors, query, k=k, threads=threads))
    found.append(_shared_name_array(index, query))
    codes = candidates.distinct(np.concatenate([f[:, 0] * n + f[:, 1] for f in found]))
    return np.stack([codes // n, codes % n], axis=1)


def shared_name_pairs(
    index: StoryIndex, query: np.ndarray, max_df: int = RARE_NAME_DF
) -> set[tuple[int, int]]:
    """Pairs of documents that share a name few documents have."""
    return {(i, j) for i, j in _shared_name_array(index, query, max_df).tolist()}


def _shared_name_array(
    index: StoryIndex, query: np.ndarray, max_df: int = RARE_NAME_DF
) -> np.ndarray:
    """From the columns of the "name" bag: a column's rows are the documents holding it."""
    holders = index.bags["name"].tocsc()
    holders.sort_indices()  # each column's rows ascending: pairs come out as (i < j)
    held = np.diff(holders.indptr)
    n = index.size
    codes = []
    for column in np.flatnonzero((held >= 2) & (held <= max_df)).tolist():
        rows = holders.indices[holders.indptr[column] : holders.indptr[column + 1]].astype(np.int64)
        a, b = np.triu_indices(len(rows), k=1)
        asked = query[rows[a]] | query[rows[b]]
        codes.append(rows[a[asked]] * n + rows[b[asked]])
    if not codes:
        return np.zeros((0, 2), dtype=np.int64)
    unique = candidates.distinct(np.concatenate(codes))
    return np.stack([unique // n, unique % n], axis=1)


def corpus_pairs(index: StoryIndex, weights: StoryWeights, threads: int = 1) -> ScoredPairs:
    """Every candidate pair of ``index`` scored: what a first run over these documents
    groups (batch mode computes it once over the whole corpus; see ``given_scores``)."""
    found = candidate_array(index, np.ones(index.size, dtype=bool), threads)
    return score_rows(index, found[:, 0], found[:, 1], weights)


def given_scores(store: Store, ids: Sequence[str]) -> ScoredPairs:
    """The store's pairs with the scores written into it (``GIVEN_PAIRS``)."""
    position = {d: i for i, d in enumerate(ids)}
    rows = [r for r in store.stories.pair_scores() if r[0] in position and r[1] in position]
    return ScoredPairs(
        list(ids),
        np.asarray([position[a] for a, _, _, _ in rows], dtype=np.int64),
        np.asarray([position[b] for _, b, _, _ in rows], dtype=np.int64),
        np.asarray([e for _, _, e, _ in rows], dtype=np.float64),
        np.asarray([t for _, _, _, t in rows], dtype=np.float64),
    )


# -- 3. scores ----------------------------------------------------------------------------
def score_pairs(
    index: StoryIndex, pairs: Sequence[tuple[str, str]], weights: StoryWeights
) -> ScoredPairs:
    position = {d: i for i, d in enumerate(index.doc_ids)}
    kept = [(position[a], position[b]) for a, b in pairs if a in position and b in position]
    left = np.asarray([i for i, _ in kept], dtype=np.int64)
    right = np.asarray([j for _, j in kept], dtype=np.int64)
    return score_rows(index, left, right, weights)


def score_rows(
    index: StoryIndex, left: np.ndarray, right: np.ndarray, weights: StoryWeights
) -> ScoredPairs:
    """The pairs (left[k], right[k]) of index rows scored."""
    ids = list(index.doc_ids)
    features = pair_features(index, left, right)
    event, topic = np.empty(len(left)), np.empty(len(left))
    # In slices, so that the models' float64 copies stay small whatever the pairs.
    for start in range(0, len(left), _SCORE_ROWS):
        rows = features[start : start + _SCORE_ROWS]
        event[start : start + _SCORE_ROWS] = weights.event.probability(rows)
        topic[start : start + _SCORE_ROWS] = weights.topic.probability(rows)
    return ScoredPairs(ids, left, right, event, topic)


def _score_rows(scored: ScoredPairs) -> list[tuple[float, float, str, str]]:
    ids = scored.doc_ids
    return [
        (round(float(e), 4), round(float(t), 4), ids[i], ids[j])
        for i, j, e, t in zip(
            scored.left.tolist(), scored.right.tolist(), scored.event, scored.topic, strict=True
        )
    ]


# -- 5. descriptions ----------------------------------------------------------------------
def describe(
    evidence: Sequence[StoryText],
    scored: ScoredPairs,
    grouping: Grouping,
    families: list[Family],
    store: Store | None = None,
) -> tuple[list[Story], list[Topic], dict[str, float]]:
    """Stories and topics with labels, entities, dates and origin counts."""
    texts = {t.doc_id: t for t in evidence}
    members: dict[str, list[str]] = defaultdict(list)
    for doc_id, story_id in grouping.story_of.items():
        members[story_id].append(doc_id)
    centrality = _centrality(scored, grouping.story_of, members)
    titles = _titles(store, list(texts)) if store is not None else {}
    # A story is labelled by an original report, not by a rewrite or a round-up of it.
    derived = {m.doc_id for f in families for m in f.members if m.role == "derivative"}
    families_of = FamilyIndex(families)  # so each story reads its own
    stories = []
    for story_id, docs in members.items():
        docs.sort(key=lambda d: (-centrality.get(d, 0.0), d))
        labeller = next((d for d in docs if d not in derived), docs[0])
        dates = sorted(texts[d].published for d in docs if texts[d].published)
        stories.append(
            Story(
                id=story_id,
                topic_id=grouping.topic_of[story_id],
                label=_label(texts[labeller], titles.get(labeller)),
                doc_ids=docs,
                entities=_key_entities([texts[d] for d in docs]),
                first_date=dates[0] if dates else None,
                last_date=dates[-1] if dates else None,
                undated=len(docs) - len(dates),
                origins=independent_origins(docs, families_of.touching(docs)),
            )
        )
    topics = _topics(stories, texts)
    return stories, topics, centrality


def _centrality(
    scored: ScoredPairs, story_of: dict[str, str], members: dict[str, list[str]]
) -> dict[str, float]:
    """Each document's mean P(same event) with the other members of its story."""
    total: Counter[str] = Counter()
    ids = scored.doc_ids
    for i, j, p in zip(scored.left.tolist(), scored.right.tolist(), scored.event, strict=True):
        a, b = ids[i], ids[j]
        if story_of.get(a) == story_of.get(b):
            total[a] += float(p)
            total[b] += float(p)
    return {
        d: (total[d] / (len(members[story_of[d]]) - 1) if len(members[story_of[d]]) > 1 else 1.0)
        for d in story_of
    }


def _titles(store: Store, ids: list[str]) -> dict[str, str]:
    wanted = set(ids)
    return {d: t for d, (t, _) in store.titles().items() if d in wanted and t and t.strip()}


def _label(text: StoryText, title: str | None) -> str:
    """The most central document's title, or its first sentence, shortened at a word."""
    label = " ".join((title or text.lead or text.doc_id).split())
    if len(label) <= LABEL_CHARS:
        return label
    cut = label[: LABEL_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _key_entities(texts: list[StoryText]) -> list[StoryEntity]:
    """Names the most members mention (in at least two, when the story has two or more)."""
    counts: Counter[str] = Counter()
    forms: dict[str, str] = {}
    for text in texts:
        counts.update(text.names.get("name", {}).keys())
        for key, form in text.surface.items():
            if len(form) > len(forms.get(key, "")):
                forms[key] = form
    least = 2 if len(texts) > 1 else 1
    return [
        StoryEntity(key=k, name=forms.get(k, k.replace("_", " ")), documents=n)
        for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= least
    ][:KEY_ENTITIES]


def _topics(stories: list[Story], texts: dict[str, StoryText]) -> list[Topic]:
    """Each topic labelled by the event-kind words most of its documents use."""
    by_topic: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        by_topic[story.topic_id].append(story)
    document_frequency: Counter[str] = Counter()
    for text in texts.values():
        document_frequency.update(text.plain.keys())
    n = max(1, len(texts))
    topics = []
    for topic_id, members in by_topic.items():
        words: Counter[str] = Counter()
        for story in members:
            for doc_id in story.doc_ids:
                words.update(texts[doc_id].plain.keys())
        score = {
            w: c * np.log((1 + n) / (1 + document_frequency[w])) for w, c in words.items() if c > 0
        }
        top = sorted(score, key=lambda w: (-score[w], w))[:3]
        ordered = sorted(members, key=lambda s: (s.first_date or "9999", s.id))
        topics.append(Topic(topic_id, " · ".join(top) or ordered[0].label, [s.id for s in ordered]))
    return topics


# -- the stage ------------------------------------------------------------------------------
def params(store: Store, settings: Settings) -> dict[str, Any]:
    return {"weights": weights_fingerprint("storytrace.stories"), "features": list(FEATURE_NAMES)}


def reset(store: Store, changed: frozenset[str]) -> None:
    """A new version or new features: every document is grouped afresh. New weights need
    nothing here: every stored pair is rescored on each run."""
    if changed & {"version", "features"}:
        with store.transaction():
            store.stories.reset()


STAGE = Stage(
    name="stories",
    version="stories/1",
    requires=("sentence_vectors", "entities", "families"),
    produces=("stories", "topics"),
    run=run,
    params=params,
    reset=reset,
    about="documents that report one event grouped into stories, stories into topics",
)
