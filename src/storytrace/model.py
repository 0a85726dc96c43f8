"""The typed records every stage shares.

The cleaned text of a document (``Document.text``) is the single source of truth: blocks,
sentences and entity mentions are character spans into it, so anything a later stage shows
(a reuse alignment, a claim, a date) can point back at the exact text it came from.
Removed lines keep their position in the *original* text and the reason they were removed,
so a user can audit what cleaning took away.

Later stages (stories, claims, timelines) add their own records here.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from storytrace.util import clean_text

SourceFormat = Literal["text", "html"]
BlockKind = Literal["paragraph", "heading", "list_item", "quote"]
# How a derived document relates to its origin (see storytrace.reuse.links for the rules):
# duplicate (same text), copy (syndicated or near copy: mostly the same wording), rewrite
# (paraphrase, simplification, SEO padding, explainer), summary (covers a small part of the
# origin), combined (one of several origins), possible (low-confidence, not in a family).
LinkKind = Literal["duplicate", "copy", "rewrite", "summary", "combined", "possible"]


@dataclass(slots=True)
class RawRecord:
    """One input item (a file, a JSONL line, a WARC record, a feed entry, a fetched URL)
    as read, decoded to text but not yet extracted.

    Container metadata (JSONL fields, WARC headers, feed entry fields) is carried along and
    wins over what extraction finds in the text, because the container is usually more
    reliable than a guess from the page.
    """

    location: str  # where it came from: "path", "path#L12", "file.warc.gz#record=3", a URL
    content: str  # decoded text: HTML or plain text
    format: SourceFormat
    url: str | None = None
    title: str | None = None
    published: str | None = None  # raw date string as the container gave it
    author: str | None = None
    source: str | None = None  # outlet / site name / declared source from the container
    encoding: str | None = None  # detected encoding of the bytes, for auditing
    # The document id a storytrace output gave it (batch mode's documents table), kept so
    # that the store and batch outputs can be joined; None: computed from the content.
    id: str | None = None


@dataclass(slots=True)
class InputError:
    """A problem with one input item. The batch goes on; the error is reported and stored."""

    location: str  # file (and line/record) or URL
    message: str  # one line, says what is wrong and, where useful, what to do

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(slots=True)
class Line:
    """A candidate line of a document's body, after extraction, before furniture removal."""

    text: str
    kind: BlockKind = "paragraph"
    line_no: int = 0  # position in the extracted text (for text input: the raw file's line)


@dataclass(slots=True)
class RemovedLine:
    """A line that cleaning took out of the body, kept for auditing.

    ``reason`` is ``<family>:<rule>``: ``metadata:date``, ``metadata:byline``,
    ``metadata:source``, ``metadata:title``, ``pattern:share``, ``corpus:repeated``, ...
    """

    line_no: int
    text: str
    reason: str


@dataclass(slots=True)
class Extraction:
    """What extraction finds in one record: metadata plus candidate body lines."""

    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) when it could be parsed
    published_text: str | None = None  # the text the date was read from (evidence)
    author: str | None = None
    site: str | None = None
    declared_source: str | None = None  # "Radio Free Europe" from "SOURCE: ..." and the like
    url: str | None = None
    lines: list[Line] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)


@dataclass(slots=True)
class Block:
    """A paragraph, heading, list item or quote of the clean text."""

    start: int
    end: int
    kind: BlockKind = "paragraph"


@dataclass(slots=True)
class Sentence:
    index: int
    start: int  # offsets into Document.text
    end: int
    text: str


@dataclass(slots=True)
class EntityMention:
    sentence_index: int
    start: int  # offsets into Document.text
    end: int
    text: str
    label: str  # spaCy label: PERSON, ORG, GPE, DATE, ...


@dataclass(slots=True)
class Document:
    id: str
    text: str  # clean body text; blocks are separated by a blank line
    format: SourceFormat
    location: str  # where it was first seen
    raw: str = ""  # the decoded input, kept so cleaning can be audited and redone
    title: str | None = None
    url: str | None = None
    site: str | None = None
    author: str | None = None
    published: str | None = None
    published_text: str | None = None
    declared_source: str | None = None
    blocks: list[Block] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    entities: list[EntityMention] = field(default_factory=list)

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]


@dataclass(slots=True)
class AlignedPair:
    """Evidence for a reuse link: a sentence of the derived document and the origin's
    sentence it matches best."""

    doc_sentence: int  # Sentence.index in the derived document
    origin_sentence: int  # Sentence.index in the origin
    similarity: float  # cosine of the two sentence embeddings
    overlap: float  # idf-weighted share of content words in common (0-1)
    doc_text: str = ""
    origin_text: str = ""


@dataclass(slots=True)
class ReuseLink:
    """``doc_id`` derives from ``origin_id``.

    ``confidence`` is the probability that the two belong to one derivation family;
    ``direction_confidence`` the probability that the arrow points this way (0.5 = no idea,
    the link is then oriented by a tie-break and says so in ``reasons``).
    """

    doc_id: str
    origin_id: str
    kind: LinkKind
    confidence: float
    direction_confidence: float
    coverage: float  # share of the derived document's sentences aligned to the origin
    origin_coverage: float  # share of the origin's sentences aligned to the derived document
    reasons: list[str] = field(default_factory=list)
    pairs: list[AlignedPair] = field(default_factory=list)


@dataclass(slots=True)
class FamilyMember:
    doc_id: str
    role: Literal["origin", "derivative"]
    parents: list[str] = field(default_factory=list)  # direct origins inside this family
    depth: int = 0  # links from the family's root document


@dataclass(slots=True)
class Family:
    """A root document and everything derived from it, directly or through chains.

    A document combining several origins belongs to several families. When members declare
    a source that is not in the corpus ("SOURCE: Radio Free Europe"), it is the family's
    ``external_origin``: the root document is then the earliest copy we hold of it.
    """

    id: str
    root_id: str
    members: list[FamilyMember]
    confidence: float  # the weakest link's confidence: a family is as sure as its weakest link
    external_origin: str | None = None

    @property
    def doc_ids(self) -> list[str]:
        return [m.doc_id for m in self.members]


def normalize_for_id(text: str) -> str:
    """Unicode NFKC, unified quotes/dashes, collapsed whitespace, case folded.

    Two inputs that differ only in encoding artefacts, line endings or spacing are the same
    document and must get the same id.
    """
    return clean_text(text).casefold()


def document_id(title: str | None, lines: list[str]) -> str:
    """Stable id from a document's normalized content (title and extracted lines)."""
    content = normalize_for_id("\n".join([title or "", *lines]))
    return "d" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:15]


StoryChangeKind = Literal["new", "grow", "merge", "split"]


@dataclass(slots=True)
class StoryChange:
    """What a story run did to one story: started it, added documents, merged other stories
    into it (``others`` were absorbed), or split parts off it (``others`` are the new ones)."""

    kind: StoryChangeKind
    story_id: str
    others: list[str] = field(default_factory=list)
    documents: int = 0  # the story's size after the change
    detail: str = ""
    at: str = ""  # set by the store


@dataclass(slots=True)
class StoryEntity:
    key: str  # normalised name ("kim_jong_un")
    name: str  # a written form ("Kim Jong Un")
    documents: int  # members that mention it


# The bags of words and names a document is compared by (storytrace.stories.features).
STORY_BAGS = ("terms", "plain", "name", "person", "place", "org")


@dataclass(slots=True)
class StoryText:
    """One document's evidence for grouping it with others."""

    doc_id: str
    published: str | None
    terms: Counter[str]  # content words of title and body
    plain: Counter[str]  # content words outside names, dates and numbers: the kind of event
    names: dict[str, Counter[str]]  # ENTITY_GROUPS -> normalised names (spaces as "_")
    numbers: frozenset[str]  # numbers other than years ("23 pirates", "6.1 magnitude")
    years: frozenset[str]
    lead: str  # title and first sentences: what the document is about
    plain_lead: str  # the body with names and numbers taken out, first words
    surface: dict[str, str] = field(default_factory=dict)  # name key -> a written form

    def bag(self, name: str) -> Mapping[str, int]:
        """Counts in one of ``STORY_BAGS``: all words, event-kind words, or names by type."""
        if name == "terms":
            return self.terms
        if name == "plain":
            return self.plain
        return self.names.get(name, Counter())


@dataclass(slots=True)
class Story:
    """Documents that report one real-world event or development."""

    id: str
    topic_id: str
    label: str
    doc_ids: list[str]
    entities: list[StoryEntity] = field(default_factory=list)
    first_date: str | None = None  # earliest publication date of a member
    last_date: str | None = None
    undated: int = 0  # members without a publication date
    origins: int = 0  # independent origins among the members (derivatives count once)


@dataclass(slots=True)
class Topic:
    """Stories about one broader subject, in time order."""

    id: str
    label: str
    story_ids: list[str]


# -- claims -------------------------------------------------------------------------------
# How a claim is put: stated as fact by the outlet, reported (attributed to someone, or
# "reportedly"), or speculative ("may", "could", "suggest"). Speculative wins over reported.
Hedge = Literal["fact", "reported", "speculative"]
# Who asserts it: the outlet itself, a named source ("Andrei Kozyrev", "the US"), or an
# unnamed one ("some people", "officials", "reports").
SourceKind = Literal["outlet", "named", "unnamed"]


@dataclass(slots=True)
class Claim:
    """A check-worthy statement: one sentence of one document, with who asserts it and how."""

    doc_id: str
    sentence_index: int
    text: str
    score: float  # check-worthiness probability
    source: str | None = None  # "Andrei Kozyrev", "some people"; None: the outlet itself
    source_kind: SourceKind = "outlet"
    hedge: Hedge = "fact"
    cues: list[str] = field(default_factory=list)  # the words that set source and hedge
    # Verbs and nouns as (start, end, "VERB" | "NOUN") offsets in the sentence: what the
    # claim is about, for matching it with others.
    triggers: list[tuple[int, int, str]] = field(default_factory=list)


# How a sentence relates to a claim: it states it (in other words, or the same), states it and
# more (entails), states a part of it (partial), denies it (contradicts), or gives the same
# fact another value (conflicts). Only the first two count as support.
ClaimRelation = Literal["states", "entails", "partial", "contradicts", "conflicts"]
SUPPORTING: tuple[ClaimRelation, ...] = ("states", "entails")


@dataclass(slots=True)
class ClaimRef:
    doc_id: str
    sentence_index: int
    text: str = ""
    relation: ClaimRelation = "states"

    @property
    def supports(self) -> bool:
        return self.relation in SUPPORTING


@dataclass(slots=True)
class ClaimCluster:
    """One claim of a story: the sentences that state it, in different words, and the
    sentences that state part of it, deny it or give it another value.

    Support counts only the documents that state the claim (``ClaimRef.supports``), in
    documents and in *independent origins* (documents of one reuse family count once).
    Claims about one event share an ``event_id``.
    """

    id: str
    story_id: str
    label: str  # the stating sentence closest to the others
    members: list[ClaimRef]
    documents: int  # documents that state it
    origins: int  # independent origins among them
    outlets: int  # distinct sites / hosts / declared sources (unknown ones count per document)
    first_seen: str | None = None  # earliest publication date of a supporting document
    last_seen: str | None = None
    hedges: dict[str, int] = field(default_factory=dict)  # hedge -> stating members
    sources: dict[str, int] = field(default_factory=dict)  # source name -> stating members
    event_id: str = ""  # the event (sentences about one happening) the claim is part of

    @property
    def supporting(self) -> list[ClaimRef]:
        return [m for m in self.members if m.supports]


ConflictKind = Literal["number", "date", "name", "contradiction"]


@dataclass(slots=True)
class Disagreement:
    """Two sentences of one story that disagree: the same thing with different values
    (number, date, name), or one denying the other (contradiction, read by the claim-pair
    model)."""

    story_id: str
    kind: ConflictKind
    first: ClaimRef
    second: ClaimRef
    first_value: str
    second_value: str
    similarity: float  # cosine of the two sentences: how surely they speak of one thing


@dataclass(slots=True)
class LinkedEntity:
    """One entity across a story's documents: "Kim Jong-un", "Kim Jong Un" and "Kim"."""

    story_id: str
    key: str  # normalised full name ("kim_jong_un")
    name: str  # the most frequent written full form
    label: str  # PERSON, ORG, GPE, ... (the most frequent)
    aliases: list[str]  # every written form seen
    mentions: int
    documents: int


# -- timelines ----------------------------------------------------------------------------
@dataclass(slots=True)
class TimelineSource:
    """One sentence that dates an event, and the words that gave the date."""

    doc_id: str
    sentence_index: int
    text: str
    expression: str  # "in July", "on Wednesday"
    anchor: str | None  # the document date it was read against (None: undated document)
    estimated: bool = False  # the date rests on an assumption (a bare weekday)


@dataclass(slots=True)
class TimelineEntry:
    """A claim of a story placed at a time, with every source that places it there."""

    story_id: str
    value: str  # TIMEX3 value: 2024-06-19, 2023-07, 2000, 2024-W25, 2024-Q2
    sort_key: str  # its first day, for ordering
    precision: str  # day, week, month, year, approximate
    label: str  # the sentence that states the date
    cluster_id: str  # the claim cluster it belongs to
    documents: int
    origins: int
    sources: list[TimelineSource] = field(default_factory=list)


@dataclass(slots=True)
class DocDate:
    """A document's date: its publication date, or an estimate that says why."""

    doc_id: str
    earliest: str | None
    latest: str | None
    estimated: bool
    reason: str


@dataclass(slots=True)
class StoryTimeline:
    """One story's timeline: dated entries, expressions left unresolved, document dates."""

    entries: list[TimelineEntry]
    unresolved: list[TimelineSource]
    doc_dates: list[DocDate] = field(default_factory=list)
