"""Entity timelines: the events one entity takes part in, dated and ordered across documents.

For an entity ("Boeing", "Steve Jobs") and a set of parsed documents:

1. **mentions**: the entity's name and its short forms (a person's surname, a product's
   name without its maker, an acronym), matched case-sensitively on spaCy tokens, and the
   pronouns that point at it;
2. **events**: the verb the mention is the subject, object or prepositional argument of
   (with the verbs conjoined to it and the verb it complements: "plans to sell"), or the
   event noun it modifies ("Airbus's job cuts", "the flight of the A380");
3. **anchors**: a date expression inside the event's clause dates it; otherwise an event
   of the document's lead (its first sentences) or one told in the present or past tense
   is dated by the publication date, and ``evidence`` says which rule did it (the
   past-tense one is approximate: news tells the day's events in the past tense, but also
   older ones); anything else stays unanchored (``XXXX-XX-XX``), never guessed;
4. **ordering**: events with the same word and the same date in several documents are one
   event (one row, several mentions); rows are ordered by date, rows of one date share an
   ordinal; unanchored rows come last, with ordinal 0 (not ordered).

Every row keeps its sentences and the words that dated it, so a user can check it. The
output follows SemEval-2015 Task 4's timeline format (``write_rows``), which
benchmarks/semeval_timelines.py scores.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from storytrace.timeline.timex import TimeExpression, find_timexes

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

UNANCHORED = "XXXX-XX-XX"
# Words that end an organisation's name without naming it on their own.
_GENERIC = frozenset({
    "airlines", "airways", "air", "force", "corps", "store", "company", "co", "inc", "corp",
    "corporation", "group", "ltd", "plc", "bank", "agency", "ministry", "department",
    "university",
})  # fmt: skip
_PLACES = frozenset({"GPE", "LOC", "NORP"})
_SUBJECT_OBJECT = frozenset(
    {"nsubj", "nsubjpass", "dobj", "obj", "iobj", "attr", "agent", "dative"}
)
_MODIFIER = frozenset({"poss", "compound", "nmod", "amod"})
# Nouns that name something happening (the event nouns of TimeML guidelines, by ending
# or by a short list of the frequent ones that have no telling ending).
_EVENT_NOUN = re.compile(r"(?:tion|sion|ment|ance|ence|ure|ing|al|ery)s?$")
_EVENT_NOUNS = frozenset({
    "deal", "deals", "order", "orders", "flight", "flights", "launch", "sale", "sales", "cut",
    "cuts", "delay", "delays", "crash", "contract", "bid", "merger", "purchase", "strike",
    "loss", "losses", "profit", "visit", "release", "debut", "test", "tests", "tour",
    "rollout", "lawsuit", "suit", "dispute", "win", "victory", "fine", "ban", "bankruptcy",
    "takeover",
})  # fmt: skip
# The lead: the sentences a news story opens with, which report what happened on its day.
LEAD_SENTENCES = 3


@dataclass(frozen=True, slots=True)
class EventDocument:
    """One parsed document: its id, publication date (None when unknown) and sentences,
    each a spaCy span; ``first_index`` is the number of its first sentence."""

    doc_id: str
    published: date | None
    sentences: Sequence[Span]
    first_index: int = 0


@dataclass(frozen=True, slots=True)
class EventMention:
    doc_id: str
    sentence_index: int
    word: str  # the event's word as written ("unveiled", "job_cuts")
    lemma: str
    sentence: str
    value: str  # the date in the task's form: 2005-02-17, 2005-02-XX, 2005-XX-XX, XXXX-XX-XX
    evidence: str  # the words that dated it, or why it is dated as it is

    @property
    def key(self) -> str:
        return f"{self.doc_id}-{self.sentence_index}-{self.word}"


@dataclass(frozen=True, slots=True)
class EventRow:
    ordinal: int
    value: str
    mentions: tuple[EventMention, ...]


def entity_aliases(entity: str) -> list[tuple[str, ...]]:
    """The token sequences that name ``entity``, longest first."""
    words = tuple(entity.split())
    found = {words}
    if len(words) > 1:
        if words[-1].lower() in _GENERIC:  # "iTunes Store" -> iTunes, "United ... Air Force"
            found.update({words[:-1], words[-2:]})
        rest = words[1:]  # "Boeing 777" -> 777, "Steve Jobs" -> Jobs
        if rest[0][0].isupper() or rest[0][0].isdigit():
            found.update({rest, rest[-1:]})
        initials = "".join(w[0] for w in words if w[0].isupper())
        if len(initials) >= 3 and len(initials) == len(words):
            found.add((initials,))
    # A single word must be a real name: not "Store", not the "Un" of Kim Jong Un.
    kept = [a for a in found if len(a) > 1 or (len(a[0]) >= 3 and a[0].lower() not in _GENERIC)]
    return sorted(kept, key=lambda a: (-len(a), a))


def find_mentions(sent: Span, aliases: Sequence[tuple[str, ...]]) -> list[Span]:
    """Non-overlapping spans of ``sent`` that match an alias ("Boeing 's" matches Boeing)."""
    taken: set[int] = set()
    found: list[Span] = []
    texts = [t.text for t in sent]
    for alias in aliases:
        size = len(alias)
        for i in range(len(texts) - size + 1):
            if tuple(texts[i : i + size]) != alias or taken & set(range(i, i + size)):
                continue
            if size == 1 and sent[i].ent_type_ in _PLACES:  # "Singapore" of Singapore Airlines
                continue
            taken.update(range(i, i + size))
            found.append(sent[i : i + size])
    return sorted(found, key=lambda s: s.start)


def mention_events(mention: Span) -> list[Token]:
    """The events ``mention`` takes part in: its governing verb (with the verbs conjoined to
    it, complementing it or adding to it: "plans to sell", "promoted it by saying"), the
    event noun it modifies, and the verbs of a clause about it ("the iPod, which is made
    by ...", "iPods sold in France")."""
    head = mention.root
    # Inside a longer name or a possessive ("Boeing 's rival"), climb to the phrase's noun.
    while head.dep_ in {"compound", "flat", "appos"} and head.head.i != head.i:
        head = head.head
    about = [c for c in head.children if c.dep_ in {"relcl", "acl"} and c.pos_ == "VERB"]
    if head.dep_ in _MODIFIER and _is_event_noun(head.head):
        return [head.head, *about]
    if head.dep_ == "pobj" and head.head.dep_ == "prep":
        governor = head.head.head
        if _is_event_noun(governor):
            return [governor, *about]
        return [*_with_related(governor), *about] if governor.pos_ in {"VERB", "AUX"} else about
    if head.dep_ in _SUBJECT_OBJECT or head.dep_ == "conj":
        governor = head.head
        while governor.dep_ == "conj" and governor.pos_ in {"NOUN", "PROPN"}:
            governor = governor.head
        if governor.pos_ == "VERB" or (governor.pos_ == "AUX" and governor.lemma_ != "be"):
            return [*_with_related(governor), *about]
    return about


def _with_related(verb: Token) -> list[Token]:
    found = [verb]
    for child in verb.children:
        if child.pos_ == "VERB" and (
            child.dep_ in {"xcomp", "conj"} or (child.dep_ == "advcl" and child.tag_ == "VBG")
        ):  # "plans to sell", "... and said", "..., saying that"
            found.append(child)
        elif child.dep_ == "prep":  # "promoted the iPhone by saying"
            found.extend(c for c in child.children if c.dep_ == "pcomp" and c.tag_ == "VBG")
    return [t for t in dict.fromkeys(found) if t.lemma_ not in {"be", "have"} or t.tag_ != "VBZ"]


def event_word(token: Token) -> str:
    """The event as the task writes it: a phrasal verb keeps its particle ("showed_off")."""
    particles = [c.text for c in token.children if c.dep_ == "prt"]
    return "_".join([token.text, *particles])


def _is_event_noun(token: Token) -> bool:
    if token.pos_ != "NOUN":
        return False
    lower = token.text.lower()
    return lower in _EVENT_NOUNS or (len(lower) > 5 and bool(_EVENT_NOUN.search(lower)))


def date_event(
    event: Token,
    timexes: Sequence[tuple[TimeExpression, Span]],
    reference: tuple[str, str] | None,
    lead: bool,
) -> tuple[str, str]:
    """(value, evidence) for ``event``: a date expression in its clause; else, for an event
    of the lead or one told in the present or past tense, the publication date (the
    evidence says which rule, and that the past-tense one is approximate); else unanchored.
    Future and modal events ("will deliver", "could buy") with no date stay unanchored."""
    for timex, span in timexes:
        if _governs(event, span):
            return task_value(timex), timex.text
    if reference is None:
        return UNANCHORED, ""
    if lead:
        return reference[0], f"{reference[1]} (lead sentence)"
    if event.tag_ in {"VBZ", "VBP"} or _perfect(event):
        return reference[0], f"{reference[1]} (present tense)"
    if event.tag_ == "VBD":  # news tells the day's events in the past tense: approximate
        return reference[0], f"{reference[1]} (past tense, approximate)"
    return UNANCHORED, ""


def _governs(event: Token, span: Span) -> bool:
    """The time expression belongs to the event's clause: the first verb or event noun
    above it is the event."""
    token = span.root
    while token.head.i != token.i:
        token = token.head
        if token.i == event.i:
            return True
        if token.pos_ in {"VERB"} or (token.pos_ == "NOUN" and _is_event_noun(token)):
            return False
    return False


def _perfect(verb: Token) -> bool:
    return verb.tag_ == "VBN" and any(
        c.dep_ == "aux" and c.lemma_ == "have" and c.tag_ in {"VBZ", "VBP"} for c in verb.children
    )


def task_value(timex: TimeExpression) -> str:
    """A TIMEX3 value in the timeline's form (day, month or year; X for what is unknown)."""
    head = timex.value.split("T")[0]
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", head)
    if match:
        year, month, day = match.groups()
        return f"{year}-{month or 'XX'}-{day or 'XX'}"
    match = re.match(r"^(\d{4})-W(\d{2})", head)
    if match:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return f"{monday.year}-{monday.month:02d}-XX"
    match = re.match(r"^(\d{4})-(?:Q\d|H\d|SP|SU|FA|WI)", head)
    return f"{match[1]}-XX-XX" if match else UNANCHORED


def document_events(
    document: EventDocument, aliases: Sequence[tuple[str, ...]], person: bool = False
) -> list[EventMention]:
    found: list[EventMention] = []
    reference = None
    if document.published is not None:
        reference = (document.published.isoformat(), "publication date")
    referent = _Referent(person)
    for offset, sent in enumerate(document.sentences):
        mentions = referent.read(sent, find_mentions(sent, aliases), offset)
        if not mentions:
            continue
        timexes = _timexes(sent, document.published)
        lead = offset < LEAD_SENTENCES
        seen: set[int] = set()
        for mention in mentions:
            for event in mention_events(mention):
                if event.i in seen or event.i in range(mention.start, mention.end):
                    continue
                seen.add(event.i)
                value, evidence = date_event(event, timexes, reference, lead)
                found.append(EventMention(
                    document.doc_id, document.first_index + offset,
                    event_word(event), event.lemma_.lower(), sent.text,
                    value, evidence,
                ))  # fmt: skip
    return found


class _Referent:
    """Pronouns that point at the entity: "he"/"his" when the last person named was the
    entity, "it"/"its" (as subject, object or possessive) when the last organisation or
    product named, in this sentence or the one before, was the entity."""

    _PERSON = frozenset({"he", "him", "his", "she", "her"})
    _THING = frozenset({"it", "its"})
    _THING_ROLES = frozenset({"nsubj", "nsubjpass", "dobj", "poss"})

    def __init__(self, person: bool) -> None:
        self.person = person
        self.last: tuple[bool, int] | None = None  # (was the entity, sentence offset)

    def read(self, sent: Span, mentions: list[Span], offset: int) -> list[Span]:
        starts = {m.start: m for m in mentions}
        inside = {i for m in mentions for i in range(m.start, m.end)}
        kinds = {"PERSON"} if self.person else {"ORG", "PRODUCT"}
        others = {e.start for e in sent.ents if e.label_ in kinds and e.start not in inside}
        found = list(mentions)
        for token in sent:
            if token.i in starts:
                self.last = (True, offset)
            elif token.i in others:
                self.last = (False, offset)
            elif self._points_here(token, offset):
                found.append(sent.doc[token.i : token.i + 1])
        return sorted(found, key=lambda m: m.start)

    def _points_here(self, token: Token, offset: int) -> bool:
        if self.last is None or not self.last[0]:
            return False
        lower = token.text.lower()
        if self.person:
            return lower in self._PERSON
        recent = offset - self.last[1] <= 1
        return recent and lower in self._THING and token.dep_ in self._THING_ROLES


def is_person(documents: Sequence[EventDocument], aliases: Sequence[tuple[str, ...]]) -> bool:
    """spaCy calls the entity's full name a PERSON more often than not."""
    votes = [
        m.root.ent_type_ == "PERSON"
        for d in documents
        for sent in d.sentences
        for m in find_mentions(sent, aliases[:1])
        if m.root.ent_type_
    ]
    return bool(votes) and sum(votes) * 2 > len(votes)


def _timexes(sent: Span, published: date | None) -> list[tuple[TimeExpression, Span]]:
    """The sentence's dated expressions with their tokens."""
    found = []
    base = sent.start_char
    for timex in find_timexes(sent.text, published):
        if timex.type not in {"DATE", "TIME"} or task_value(timex) == UNANCHORED:
            continue
        span = sent.doc.char_span(base + timex.start, base + timex.end, alignment_mode="expand")
        if span is not None:
            found.append((timex, span))
    return found


def entity_timeline(documents: Sequence[EventDocument], entity: str) -> list[EventRow]:
    """The entity's events over ``documents``, merged and ordered (see module docs)."""
    aliases = entity_aliases(entity)
    person = is_person(documents, aliases)
    if person and len(aliases[0]) > 1:  # "Steve" for Steve Jobs
        aliases = [*aliases, aliases[0][:1]]
    merged: dict[tuple[str, str], list[EventMention]] = defaultdict(list)
    unanchored: list[EventMention] = []
    for document in documents:
        for event in document_events(document, aliases, person):
            if event.value == UNANCHORED:
                unanchored.append(event)
            else:
                merged[(event.value, event.lemma)].append(event)
    rows = []
    values = sorted({value for value, _ in merged}, key=_sort_key)
    ordinal = {value: i + 1 for i, value in enumerate(values)}
    for value, lemma in sorted(merged, key=lambda key: (_sort_key(key[0]), key[1])):
        rows.append(EventRow(ordinal[value], value, tuple(merged[(value, lemma)])))
    return rows + [EventRow(0, UNANCHORED, (event,)) for event in unanchored]


def _sort_key(value: str) -> str:
    return value.replace("XX", "00")


def write_rows(entity: str, rows: Sequence[EventRow]) -> str:
    """The rows in SemEval-2015 Task 4's format (entity line, then tab-separated rows)."""
    lines = [entity]
    for row in rows:
        lines.append("\t".join([str(row.ordinal), row.value, *(m.key for m in row.mentions)]))
    return "\n".join(lines) + "\n"
