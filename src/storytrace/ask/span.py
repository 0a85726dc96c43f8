"""Answer spans: the words of the asked type in the best sentences, tied to what is asked.

A question's opening says what kind of answer it wants (``who`` a person or group,
``where`` a place, ``when`` a date or time, ``how many`` a number, ``what is the name`` a
name). The candidates are the entities spaCy found in the best-ranked sentences (stored by
the annotate stage; numbers also by pattern), minus:

- what the question already names ("the Velmora quake" is not the answer to "how many died
  in the Velmora quake");
- the people and bodies a sentence quotes ("..., said Dr. Amal Haddad"), unless the
  question asks who said or reported something: asked for a child's name, the doctor who
  reported the death is the wrong answer, and showing it would mislead.

Each remaining candidate is scored by how well its sentence answers (the reranker) and how
close it stands to the question's own words in that sentence (a number next to "people
killed", not one in another clause); the same value in several sentences adds up.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storytrace.text import content_terms, words

PERSON = frozenset({"PERSON"})
GROUPS = frozenset({"ORG", "NORP"})
PLACES = frozenset({"GPE", "LOC", "FAC"})
TIMES = frozenset({"DATE", "TIME"})
NUMBERS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
NAMES = PERSON | GROUPS | PLACES | frozenset({"PRODUCT", "WORK_OF_ART", "EVENT", "LAW"})

_PEOPLE_NOUNS = (
    r"person|people|man|men|woman|women|child|children|boy|girl|teen(?:ager)?|victim|"
    r"suspect|player|coach|official|officer|minister|president|leader|judge|actor|actress|"
    r"singer|director|doctor|lawyer|spokes(?:man|woman|person)|driver|pilot|gunman|father|"
    r"mother|son|daughter|wife|husband|brother|sister|friend|boyfriend|girlfriend"
)
_GROUP_NOUNS = (
    r"company|companies|firm|team|group|organi[sz]ation|network|newspaper|paper|agency|"
    r"party|club|airline|bank|store|shop|university|college|school|church|union|"
    r"manufacturer|maker|studio|band|label|department|court|navy|army|ship|vessel"
)
_PLACE_NOUNS = (
    r"city|town|village|country|countries|state|province|region|area|county|district|"
    r"island|place|street|road|hospital|prison|jail|hotel|airport|port|neighbou?rhood|"
    r"building|venue|stadium|arena|center|centre|facility|clinic"
)
_NUMBER_Q = re.compile(
    r"\bhow (?:many|much|far|deep|long|old|big|large|tall|high|fast|often|strong|heavy)\b|"
    r"\bby how much\b|\b(?:what|which)\s+(?:was|is|were|are|will be)?\s*(?:the\s+)?"
    r"(?:number|total|toll|cost|price|amount|magnitude|percentage|percent|share|depth|age|"
    r"score|size|sum|budget|salary|fine|bail|sentence|speed|distance|height|weight|"
    r"turnout|value|figure|rate)\b",
    re.IGNORECASE,
)
_TIME_Q = re.compile(
    r"\bwhen\b|\b(?:what|which)\s+(?:day|date|year|month|time|week|hour|night|morning)\b|"
    r"\bsince when\b|\bhow long ago\b",
    re.IGNORECASE,
)
_PLACE_WHICH = re.compile(rf"\b(?:what|which)\s+(?:\w+\s+){{0,2}}(?:{_PLACE_NOUNS})s?\b", re.I)
_PERSON_WHICH = re.compile(
    rf"\b(?:what|which)\s+(?:\w+\s+){{0,2}}(?:{_PEOPLE_NOUNS})s?\b|"
    rf"\bname(?:s)? of (?:the |a |an |his |her |their )?(?:\w+\s+){{0,2}}(?:{_PEOPLE_NOUNS})s?\b",
    re.IGNORECASE,
)
_GROUP_WHICH = re.compile(
    rf"\b(?:what|which)\s+(?:\w+\s+){{0,2}}(?:{_GROUP_NOUNS})s?\b|"
    rf"\bname(?:s)? of (?:the |a |an |his |her |their )?(?:\w+\s+){{0,2}}(?:{_GROUP_NOUNS})s?\b",
    re.IGNORECASE,
)
_WHO = re.compile(r"\b(?:who|whom|whose)\b", re.IGNORECASE)
_NAME_Q = re.compile(
    r"\bwhat (?:is|was|were|are) (?:the )?(?:name|title)s?\b|\bwhat name\b|\bname the\b|"
    r"\bname(?:s)? of\b|\bcalled what\b|\bwhich\b",
    re.IGNORECASE,
)
_SPEECH = re.compile(
    r"\b(?:said|say|says|told|tell|report(?:ed|s)?|announc\w*|confirm\w*|claim\w*|"
    r"state[ds]?|spokes\w+|quoted|according)\b",
    re.IGNORECASE,
)
# A quoted source next to the entity: "X said", "X, a spokesman, told", "said X", "according
# to police chief X".
_SPEAKER_AFTER = re.compile(
    r"^[\s,]*(?:[\w.'-]+[\s,]+){0,4}?(?:said|says|told|tells|reported|reports|added|"
    r"explained|stated|announced|confirmed|wrote|testified)\b",
    re.IGNORECASE,
)
_SPEAKER_BEFORE = re.compile(
    r"\b(?:said|says|told|according to|reported|added|explained|stated)[\s,]+"
    r"(?:[\w.'-]+\s+){0,4}$",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\b(?:\d[\d,.]*(?:\s*(?:million|billion|thousand|hundred|percent|%))?|one|two|three|"
    r"four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?)\b",
    re.IGNORECASE,
)
NEARBY_WORDS = 4  # a candidate this many words from the question's words keeps half its score


@dataclass(frozen=True, slots=True)
class Asked:
    """What a question asks for."""

    kind: str | None  # "person", "group", "place", "time", "number", "name"; None: a sentence
    labels: frozenset[str]
    terms: frozenset[str]  # the question's content words
    speech: bool  # it asks who said, reported or announced something
    preferred: frozenset[str] = frozenset()  # labels that fit best ("how deep": a quantity)


# The measure a "how ..." question names says which kind of number answers it best: "how
# deep" a quantity with a unit ("35 kilometres"), "how much" an amount of money, "how
# old" an age (spaCy labels "61 years old" a DATE). Other numbers count half.
_MEASURE_LABELS = {
    "deep": {"QUANTITY"}, "far": {"QUANTITY"}, "high": {"QUANTITY"}, "tall": {"QUANTITY"},
    "wide": {"QUANTITY"}, "heavy": {"QUANTITY"}, "fast": {"QUANTITY"},
    "much": {"MONEY", "QUANTITY", "PERCENT"}, "old": {"DATE", "CARDINAL"},
    "many": {"CARDINAL", "QUANTITY"},
}  # fmt: skip


KIND_WORDS = {
    "person": "a person's name",
    "group": "the name of a group or organisation",
    "place": "a place",
    "time": "a date or time",
    "number": "a number",
    "name": "a name",
}


def _terms(text: str) -> frozenset[str]:
    """Content words without possessives ("Sarnhollow's" is "sarnhollow")."""
    return content_terms([re.sub(r"['’]s?$", "", w) for w in words(text)])


@functools.lru_cache(maxsize=1024)
def asked(question: str) -> Asked:
    terms = _terms(question)
    measure = re.search(r"\bhow (\w+)", question, re.IGNORECASE)  # "much", "old": stop words
    if measure:
        terms |= {measure.group(1).casefold()}
    speech = bool(_SPEECH.search(question))
    preferred = (
        frozenset(_MEASURE_LABELS.get(measure.group(1).casefold(), ())) if measure else frozenset()
    )
    if re.search(r"\b(?:percentage|percent|share|proportion)\b", question, re.IGNORECASE):
        preferred = frozenset({"PERCENT"})
    for kind, labels, found in _kinds(question):
        if found:
            return Asked(
                kind, labels, terms, speech, preferred if kind == "number" else frozenset()
            )
    return Asked(None, frozenset(), terms, speech)


def _kinds(question: str) -> list[tuple[str, frozenset[str], bool]]:
    q = question
    return [
        ("number", NUMBERS | TIMES if re.search(r"\bhow (?:long|old)\b", q, re.I) else NUMBERS,
         bool(_NUMBER_Q.search(q))),
        ("time", TIMES, bool(_TIME_Q.search(q))),
        ("place", PLACES | frozenset({"ORG"}),
         bool(re.search(r"\bwhere\b", q, re.I) or _PLACE_WHICH.search(q))),
        ("person", PERSON, bool(_PERSON_WHICH.search(q))),
        ("group", GROUPS | frozenset({"GPE"}), bool(_GROUP_WHICH.search(q))),
        ("person", PERSON | GROUPS, bool(_WHO.search(q))),
        ("name", NAMES, bool(_NAME_Q.search(q))),
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    label: str
    doc_id: str
    sentence_index: int
    start: int  # offsets into the sentence's text
    end: int
    score: float
    sentences: int  # how many of the best sentences hold it


@dataclass(frozen=True, slots=True)
class Sentence:
    """A ranked sentence, with its entities as (start, end, text, label)."""

    doc_id: str
    sentence_index: int
    text: str
    probability: float  # the reranker's P(answers)
    entities: Sequence[tuple[int, int, str, str]]


def find_spans(question: Asked, sentences: Sequence[Sentence]) -> list[Span]:
    """Candidate answers of the asked type, best first (empty for an untyped question)."""
    if question.kind is None:
        return []
    best: dict[str, Span] = {}
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    for sentence in sentences:
        for start, end, text, label in _candidates(question, sentence):
            score = sentence.probability * _closeness(question, sentence.text, start, end)
            if question.preferred and label not in question.preferred:
                score /= 2
            key = " ".join(words(text))
            totals[key] = totals.get(key, 0.0) + score
            counts[key] = counts.get(key, 0) + 1
            if key not in best or score > best[key].score:
                best[key] = Span(text, label, sentence.doc_id, sentence.sentence_index, start,
                                 end, score, 0)  # fmt: skip
    # The best single reading, and a little for every other sentence that says the same.
    ranked = [
        Span(s.text, s.label, s.doc_id, s.sentence_index, s.start, s.end,
             round(min(1.0, s.score + 0.1 * (totals[k] - s.score)), 4), counts[k])
        for k, s in best.items()
    ]  # fmt: skip
    return sorted(ranked, key=lambda s: (-s.score, s.text))


def _candidates(question: Asked, sentence: Sentence) -> list[tuple[int, int, str, str]]:
    found = [e for e in sentence.entities if e[3] in question.labels]
    if question.kind == "number":
        taken = {(e[0], e[1]) for e in found}
        found += [
            (m.start(), m.end(), m.group(), "CARDINAL")
            for m in _NUMBER.finditer(sentence.text)
            if not any(a <= m.start() < b for a, b in taken)
        ]
    return [
        e for e in found if not _in_question(question, e[2]) and _allowed(question, sentence, e)
    ]


def _in_question(question: Asked, text: str) -> bool:
    """The question names it already (all its content words, or the number itself)."""
    said = _terms(text) or frozenset(words(text))
    return bool(said) and said <= question.terms


def _allowed(question: Asked, sentence: Sentence, entity: tuple[int, int, str, str]) -> bool:
    start, end, _, label = entity
    if question.speech or label not in PERSON | GROUPS:
        return True
    speaker = _SPEAKER_AFTER.match(sentence.text[end:]) or _SPEAKER_BEFORE.search(
        sentence.text[:start]
    )
    return speaker is None


def _closeness(question: Asked, text: str, start: int, end: int) -> float:
    """1 next to the question's own words, halving every NEARBY_WORDS words away; a
    sentence that shares none of them gives its candidates little."""
    spans = [(m.start(), m.group()) for m in re.finditer(r"\w+", text)]
    stems = [stem(t) for _, t in spans]
    # The measure's own noun, where the sentence has it, is what the number stands by
    # ("a depth of 35 km", not "25 km offshore" beside the place asked about).
    measure = frozenset().union(*(_MEASURES.get(stem(t), ()) for t in question.terms))
    near = [k for k, t in enumerate(stems) if _related(t, measure)] if measure else []
    # "How deep" is answered where the sentence speaks of depth: a number in a sentence
    # without it (the quake's magnitude) is a poor reading.
    unsaid = not near and any(stem(t) in _NOUN_SAID for t in question.terms)
    if not near:
        asked_stems = _question_stems(question.terms)
        near = [k for k, t in enumerate(stems) if _related(t, asked_stems)]
    inside = [k for k, (p, _) in enumerate(spans) if start <= p < end]
    if not near or not inside:
        return 0.25 * (0.25 if unsaid else 1.0)
    gap = min(
        (0 if inside[0] <= k <= inside[-1] else min(abs(k - inside[0]), abs(k - inside[-1])))
        for k in near
    )
    return 0.5 ** (max(0, gap - 1) / NEARBY_WORDS) * (0.25 if unsaid else 1.0)


# "How deep" is answered next to "depth", "how old" next to "aged": the nouns of the
# measure a question names.
_MEASURES = {
    "deep": ("depth",), "high": ("height",), "tall": ("height",), "long": ("length",),
    "far": ("distanc", "away"), "old": ("age", "year"), "strong": ("magnitud",),
    "big": ("size",), "larg": ("size",), "much": ("cost", "price", "worth", "paid", "pay"),
    "heavi": ("weigh",), "fast": ("speed",),
}  # fmt: skip


# Measures news reports name with their noun ("at a depth of", "a height of", "magnitude");
# "how long" or "how far" are often answered without one ("for 30 hours", "25 km away").
_NOUN_SAID = frozenset({"deep", "high", "tall", "strong", "heavi"})


@functools.cache
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word.casefold()))


def _question_stems(terms: frozenset[str]) -> frozenset[str]:
    stems = {stem(t) for t in terms}
    return frozenset(stems.union(*(_MEASURES.get(s, ()) for s in stems)))


def _related(stem: str, asked_stems: frozenset[str]) -> bool:
    """The same stem, or one ends the other ("quake" in "earthquake")."""
    if stem in asked_stems:
        return True
    return len(stem) >= 4 and any(len(a) >= 4 and (a.endswith(stem) or stem.endswith(a))
                                  for a in asked_stems)  # fmt: skip
