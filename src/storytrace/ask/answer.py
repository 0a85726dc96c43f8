"""Answers: retrieved sentences reranked, the answer's words picked out, grouped by claim,
cited, with their support; or "no answer in these documents" with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from storytrace.ask import rank
from storytrace.ask import span as spans
from storytrace.ask.retrieve import Hit, Mode, SentenceIndex
from storytrace.ask.span import Asked, Span
from storytrace.provenance import origin_groups

# Defaults of the thresholds below when ranking.json gives none (it does: they are chosen
# with its weights by benchmarks/ask_eval.py --fit).
MIN_ANSWER = 0.1
MIN_SPAN = 0.02
SHOWN = 0.3  # of the best sentence's P(answers): sentences this close to it are shown
RERANKED = 30  # fused hits the ranking reads
SPAN_SENTENCES = 5  # best sentences an answer's words are taken from


@dataclass(slots=True)
class Citation:
    doc_id: str
    sentence_index: int
    text: str


@dataclass(slots=True)
class AnswerGroup:
    text: str  # the best-ranked sentence of the group
    cluster_id: str | None  # None: a sentence in no claim cluster
    story_id: str | None
    origins: int
    documents: int
    # The group's retrieved sentences, one per page, grouped by independent origin.
    citations: list[list[Citation]] = field(default_factory=list)
    score: float = 0.0  # the best sentence's P(answers) (the fused score with rerank=False)
    similarity: float = 0.0


@dataclass(slots=True)
class Answer:
    question: str
    answered: bool
    groups: list[AnswerGroup]
    hits: list[Hit]  # the ranked sentences behind it (for checking and evaluation)
    reason: str = ""  # why there is no answer
    span: Span | None = None  # the answer's words, where the question asks for a kind
    asks_for: str | None = None  # what kind of answer the question asks for


def _shipped(name: str, default: float) -> float:
    return float(rank.read_weights().get("thresholds", {}).get(name, default))


@dataclass(frozen=True, slots=True)
class Thresholds:
    """P(answers) of the best sentence below which there is no answer (``answer``), and
    the score the best answer words need for a question that asks for a kind of answer
    (``span``: P(answers) of their sentence times how close they stand to the question's
    words); the shipped ones are chosen with the ranking's weights (ask/ranking.json)."""

    answer: float = field(default_factory=lambda: _shipped("answer", MIN_ANSWER))
    span: float = field(default_factory=lambda: _shipped("span", MIN_SPAN))


def answer_question(
    index: SentenceIndex,
    question: str,
    mode: Mode = "fused",
    rerank: bool = True,
    thresholds: Thresholds | None = None,
) -> Answer:
    """The answer to ``question`` from the indexed sentences (``rerank=False``: the fused
    ranking alone, with no answer words and no refusal; for comparison only)."""
    hits = index.search(question, mode, RERANKED)
    want = spans.asked(question)
    if not hits:
        return Answer(question, False, [], [], "no sentence shares anything with the question",
                      asks_for=want.kind)  # fmt: skip
    if not rerank:
        return Answer(question, True, _groups(index, hits[:5]), hits, asks_for=want.kind)
    thresholds = thresholds or Thresholds()
    rows, entities = ranking_features(index, hits, want)
    hits = ranked(hits, rank.probabilities(rows))
    found = best_spans(want, hits, entities)
    reason = refusal(want, hits, found, thresholds)
    if reason:
        return Answer(question, False, [], hits, reason, asks_for=want.kind)
    best = hits[0].answers or 0.0
    shown = [h for h in hits if (h.answers or 0.0) >= SHOWN * best]
    return Answer(question, True, _groups(index, shown), hits, "",
                  found[0] if found else None, want.kind)  # fmt: skip


Entities = dict[tuple[str, int], list[tuple[int, int, str, str]]]


def ranking_features(
    index: SentenceIndex, hits: list[Hit], want: Asked
) -> tuple[np.ndarray, Entities]:
    """The ranking's feature rows for ``hits`` (storytrace.ask.rank), and their entities."""
    entities = index.store.sentence_entities((h.doc_id, h.sentence_index) for h in hits)
    store = index.store.reuse
    rows = rank.features(want, hits, entities, store.frequencies(want.terms), store.count())
    return rows, entities


def ranked(hits: list[Hit], probabilities: np.ndarray) -> list[Hit]:
    """Hits with their P(answers), best first."""
    scored = [h.reranked(float(p)) for h, p in zip(hits, probabilities, strict=True)]
    return sorted(scored, key=lambda h: -(h.answers or 0.0))


def best_spans(want: Asked, hits: list[Hit], entities: Entities) -> list[Span]:
    """Candidate answer words from the best sentences, best first."""
    if want.kind is None:
        return []
    sentences = [
        spans.Sentence(h.doc_id, h.sentence_index, h.text, h.answers or 0.0,
                       entities.get((h.doc_id, h.sentence_index), []))
        for h in hits[:SPAN_SENTENCES]
    ]  # fmt: skip
    return spans.find_spans(want, sentences)


def refusal(want: Asked, hits: list[Hit], found: list[Span], thresholds: Thresholds) -> str:
    """Why there is no answer, or "" when there is one."""
    top = hits[0].answers or 0.0
    if top < thresholds.answer:
        return (
            f"no answer in these documents: no sentence answers the question (the best, "
            f'"{_short(hits[0].text)}", is {top:.0%} likely to; an answer needs '
            f"{thresholds.answer:.0%})"
        )
    if want.kind is not None and (not found or found[0].score < thresholds.span):
        held = f' (the best, "{found[0].text}", scores {found[0].score:.2f})' if found else ""
        return (
            f"no answer in these documents: the question asks for "
            f"{spans.KIND_WORDS[want.kind]}, and the sentences that come closest to answering "
            f"it hold none tied to what it asks about{held}; names the question gives and "
            f"people quoted as sources do not count"
        )
    return ""


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _groups(index: SentenceIndex, hits: list[Hit]) -> list[AnswerGroup]:
    """Hits grouped by the claim they state, in rank order. A group of a claim cites every
    page that states it and counts them as the claim stage does (the same numbers as the
    claims table and the brief); a sentence in no claim is its own group."""
    clusters = _membership(index, hits)
    families = index.store.reuse.families()
    supporting = index.store.claims.supporting(c for c, _ in clusters.values())
    grouped: dict[str, list[Hit]] = {}
    for hit in hits:
        found = clusters.get((hit.doc_id, hit.sentence_index))
        grouped.setdefault(found[0] if found else f"{hit.doc_id}:{hit.sentence_index}", []).append(
            hit
        )
    groups = []
    for members in grouped.values():
        first = members[0]
        found = clusters.get((first.doc_id, first.sentence_index))
        by_doc: dict[str, Citation] = {}
        for hit in members:
            by_doc.setdefault(hit.doc_id, Citation(hit.doc_id, hit.sentence_index, hit.text))
        for ref in supporting.get(found[0], []) if found else []:
            by_doc.setdefault(ref.doc_id, Citation(ref.doc_id, ref.sentence_index, ref.text))
        origins = [[by_doc[d] for d in group] for group in origin_groups(by_doc, families)]
        origins.sort(key=lambda group: first.doc_id not in {c.doc_id for c in group})
        groups.append(AnswerGroup(
            first.text, found[0] if found else None, found[1] if found else None,
            len(origins), len(by_doc), origins,
            first.answers if first.answers is not None else first.score, first.similarity,
        ))  # fmt: skip
    return groups


def _membership(index: SentenceIndex, hits: list[Hit]) -> dict[tuple[str, int], tuple[str, str]]:
    """(doc, sentence) of each hit -> (claim cluster id, story id), for hits in a cluster."""
    return index.store.claims.membership((hit.doc_id, hit.sentence_index) for hit in hits)
