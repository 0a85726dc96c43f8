"""Answers: retrieved sentences grouped by claim cluster, cited, with their support."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storytrace.ask.retrieve import Hit, Mode, SentenceIndex
from storytrace.model import ClaimCluster
from storytrace.provenance import origin_groups
from storytrace.sentences import fragment_reason
from storytrace.timeline.timex import find_timexes

# Below both of these the best sentence does not answer the question. On the demo question
# set (benchmarks/ask_eval.py) the best thresholds over all questions were 0.425 / 0.5;
# off-topic questions fall far below, but questions about a detail the pages never give
# ("how much will the rebuild cost?") score like answerable ones: see docs/benchmarks.md.
MIN_SIMILARITY = 0.45
MIN_OVERLAP = 0.5
GROUPS = 3  # answers shown: the best claim groups


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
    score: float = 0.0
    similarity: float = 0.0


@dataclass(slots=True)
class Answer:
    question: str
    answered: bool
    groups: list[AnswerGroup]
    hits: list[Hit]  # the ranked sentences behind it (for checking and evaluation)
    reason: str = ""  # why there is no answer


def answer_question(
    index: SentenceIndex,
    question: str,
    mode: Mode = "fused",
    limit: int = 20,
    min_similarity: float = MIN_SIMILARITY,
    min_overlap: float = MIN_OVERLAP,
) -> Answer:
    hits = index.search(question, mode, limit)
    if not hits:
        return Answer(question, False, [], [], "no sentence shares anything with the question")
    kind = answer_kind(question)
    # Only sentences fit to quote can answer: a fragment ("com), a consulting ...") misleads.
    fitting = [h for h in hits if fits(h.text, kind) and fragment_reason(h.text) is None]
    similarity, overlap = evidence(fitting)
    if similarity < min_similarity and overlap < min_overlap:
        wanted = f" holding {_KIND_WORDS[kind]}" if kind else ""
        reason = (
            f"no answer in these documents: the closest sentence{wanted} has similarity "
            f"{similarity:.2f} (needs {min_similarity}) and shares {overlap:.0%} of the "
            f"question's words (needs {min_overlap:.0%})"
        )
        return Answer(question, False, [], hits, reason)
    return Answer(question, True, _groups(index, fitting)[:GROUPS], hits)


def evidence(hits: list[Hit]) -> tuple[float, float]:
    """The best similarity and word overlap among ``hits`` (0 when there are none)."""
    return max((h.similarity for h in hits), default=0.0), max(
        (h.overlap for h in hits), default=0.0
    )


# What kind of answer a question asks for, by its opening words; a sentence that cannot hold
# one (no number for "how many", no time for "when", no name for "who") does not answer it.
_KINDS = [
    ("number", re.compile(
        r"^\W*(?:how (?:many|much|far|deep|long|old|big|large|strong|high|fast|often)|"
        r"what (?:percentage|percent|share|proportion|number)|"
        r"what (?:was|is|were|are|will be) the (?:cost|price|number|toll|magnitude|depth|total|"
        r"size|figure|amount))\b", re.IGNORECASE)),
    ("time", re.compile(
        r"^\W*(?:when|what (?:day|date|year|month|time)|at what time|since when)\b",
        re.IGNORECASE)),
    ("name", re.compile(
        r"^\W*(?:who|whom|whose|which (?:company|companies|firm|manufacturer|maker|person|"
        r"party|team|country|countries|city|town|official|minister|organisation|organization))\b",
        re.IGNORECASE)),
]  # fmt: skip
_KIND_WORDS = {"number": "a number", "time": "a time", "name": "a name"}
_NUMBER_WORDS = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"(?:thir|four|fif|six|seven|eigh|nine)teen|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|"
    r"dozens?|hundreds?|thousands?|millions?|billions?|half|twice|double)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")


def answer_kind(question: str) -> str | None:
    return next((kind for kind, pattern in _KINDS if pattern.search(question)), None)


def fits(text: str, kind: str | None) -> bool:
    if kind == "number":
        return bool(_NUMBER_WORDS.search(text))
    if kind == "time":
        return bool(find_timexes(text, None))
    if kind == "name":
        return bool(_NAME.search(text.strip()))
    return True


def _groups(index: SentenceIndex, hits: list[Hit]) -> list[AnswerGroup]:
    """Hits grouped by the claim they state, in rank order. A group of a claim cites every
    page that states it and counts them as the claim stage does (the same numbers as the
    claims table and the brief); a sentence in no claim is its own group."""
    clusters = _membership(index, hits)
    families = index.store.reuse.families()
    claims = _claims(index, {story for _, story in clusters.values()})
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
        claim = claims.get(found[0]) if found else None
        for ref in claim.supporting if claim else []:
            by_doc.setdefault(ref.doc_id, Citation(ref.doc_id, ref.sentence_index, ref.text))
        origins = [[by_doc[d] for d in group] for group in origin_groups(by_doc, families)]
        origins.sort(key=lambda group: first.doc_id not in {c.doc_id for c in group})
        groups.append(AnswerGroup(
            first.text, found[0] if found else None, found[1] if found else None,
            len(origins), len(by_doc), origins, first.score, first.similarity,
        ))  # fmt: skip
    return groups


def _claims(index: SentenceIndex, stories: set[str]) -> dict[str, ClaimCluster]:
    return {c.id: c for story in sorted(stories) for c in index.store.claims.clusters(story)}


def _membership(index: SentenceIndex, hits: list[Hit]) -> dict[tuple[str, int], tuple[str, str]]:
    """(doc, sentence) of each hit -> (claim cluster id, story id), for hits in a cluster."""
    return index.store.claims.membership((hit.doc_id, hit.sentence_index) for hit in hits)
