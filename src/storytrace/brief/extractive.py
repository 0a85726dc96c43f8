"""A story's brief, extractive: its best-supported claims, each quoted from a source page
and cited to every page that states it, grouped by independent origin.

Order: claims by the independent origins of the pages that state them (a page whose
sentence states only part of a claim, denies it or gives it another value is never cited
for it), then pages: what many independent sources say comes first, not what many copies
repeat. The counts are the claim stage's, so the brief and the claims table agree. Each
claim is quoted by its label (the stating sentence the others state best: quoting a
sentence with a detail the other pages lack would cite them for more than they say), or
else by a stating sentence given as fact, from an origin page (not a copy). A cluster
whose quote shares most of its content words with a quote already chosen is left out
(no two sentences say the same). Single-source and speculative claims are marked, as is
who asserts a reported one, and the story's disagreements are stated with both sides.

Nothing here needs a model: it reads what the claim stage stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from storytrace.model import Claim, ClaimCluster, ClaimRef, Disagreement, Family, Story
from storytrace.provenance import independent_origins, origin_groups
from storytrace.text import content_terms, jaccard, words

DEFAULT_ITEMS = 8
# Content-word overlap (Jaccard) above which a quote says what a chosen one already says.
SAME_SENTENCE = 0.5
_HEDGE_RANK = {"fact": 0, "reported": 1, "speculative": 2}


@dataclass(slots=True)
class Source:
    """One cited document, numbered in the brief."""

    number: int
    doc_id: str
    outlet: str  # site, host or declared source; where the page was read when none is known
    title: str | None = None
    published: str | None = None


@dataclass(slots=True)
class BriefItem:
    text: str  # the quoted sentence, as the page says it
    doc_id: str
    sentence_index: int
    cluster_id: str
    origins: int
    documents: int
    # Source numbers grouped by independent origin: [[1], [3, 4]] is two origins, the
    # second stated by two pages of one derivation family.
    citations: list[list[int]]
    hedge: str  # fact, reported, speculative (of the quoted sentence)
    asserted_by: str | None  # who the quoted sentence attributes it to
    notes: list[str] = field(default_factory=list)  # "single source", "speculative", ...


@dataclass(slots=True)
class BriefDisagreement:
    kind: str  # number, date, name
    first: str
    second: str
    first_value: str
    second_value: str
    first_source: int
    second_source: int


@dataclass(slots=True)
class Brief:
    story_id: str
    label: str
    items: list[BriefItem]
    disagreements: list[BriefDisagreement]
    sources: list[Source]
    left_out: int  # clusters not quoted: beyond the limit or saying what a quote says
    mode: str = "extractive"
    generated: str | None = None  # the generated text (mode "generated"), cited [n]


def story_brief(
    story: Story,
    clusters: Sequence[ClaimCluster],
    claims: dict[tuple[str, int], Claim],
    disagreements: Sequence[Disagreement],
    families: Sequence[Family],
    outlets: dict[str, tuple[str | None, str | None]],
    titles: dict[str, tuple[str | None, str]],
    limit: int = DEFAULT_ITEMS,
) -> Brief:
    """The brief of one story from its claim clusters (best supported first);
    ``outlets``: doc -> (outlet, published), ``titles``: doc -> (title, location)."""
    numbers = _Numbers(outlets, titles)
    roots = {f.root_id for f in families}
    chosen: list[BriefItem] = []
    terms: list[frozenset[str]] = []
    support = {c.id: independent_origins(_stating(c), families) for c in clusters}
    ranked = sorted(clusters, key=lambda c: (-support[c.id], -len(_stating(c))))
    for cluster in ranked:
        if limit and len(chosen) >= limit:
            break
        quote = _quote(cluster, claims, roots)
        quoted = content_terms(words(quote.text))
        if any(jaccard(quoted, t) >= SAME_SENTENCE for t in terms):
            continue
        terms.append(quoted)
        chosen.append(_item(cluster, quote, claims.get((quote.doc_id, quote.sentence_index)),
                            families, numbers))  # fmt: skip
    stated = [_disagreement(d, numbers) for d in disagreements]
    return Brief(story.id, story.label, chosen, stated, numbers.sources(),
                 left_out=len(clusters) - len(chosen))  # fmt: skip


def _stating(cluster: ClaimCluster) -> set[str]:
    """The pages with a sentence that states this claim (in other words, or with more):
    a brief cites what the page says, not what it touches on."""
    return {m.doc_id for m in cluster.supporting}


def _quote(
    cluster: ClaimCluster, claims: dict[tuple[str, int], Claim], roots: set[str]
) -> ClaimRef:
    """The member sentence to quote: stated as fact, from an origin page, central."""
    primary = [m for m in cluster.members if m.relation == "states" and m.text]
    primary = primary or cluster.supporting

    def rank(member: ClaimRef) -> tuple[int, int, int, int]:
        # The label first: it is the sentence the other pages state best, so each page
        # cited for the quote states all of it.
        claim = claims.get((member.doc_id, member.sentence_index))
        hedge = _HEDGE_RANK.get(claim.hedge if claim else "fact", 0)
        return (member.text != cluster.label, hedge, member.doc_id not in roots, len(member.text))

    return min(primary, key=rank)


def _item(
    cluster: ClaimCluster,
    quote: ClaimRef,
    claim: Claim | None,
    families: Sequence[Family],
    numbers: _Numbers,
) -> BriefItem:
    docs = sorted(_stating(cluster) | {quote.doc_id})
    quoted = numbers.add(quote.doc_id)  # the quoted page is cited first
    citations = [sorted(numbers.add(d) for d in group) for group in origin_groups(docs, families)]
    citations.sort(key=lambda group: (quoted not in group, group))
    hedge = claim.hedge if claim else "fact"
    source = claim.source if claim and claim.source_kind != "outlet" else None
    notes = []
    if len(citations) == 1:
        notes.append("single source" if len(docs) == 1 else "single origin, several pages")
    if hedge == "speculative":
        notes.append("speculative")
    if source:
        notes.append(f"according to {source}")
    return BriefItem(
        quote.text, quote.doc_id, quote.sentence_index, cluster.id, len(citations),
        len(docs), citations, hedge, source, notes,
    )  # fmt: skip


def _disagreement(d: Disagreement, numbers: _Numbers) -> BriefDisagreement:
    return BriefDisagreement(
        d.kind, d.first.text, d.second.text, d.first_value, d.second_value,
        numbers.add(d.first.doc_id), numbers.add(d.second.doc_id),
    )  # fmt: skip


class _Numbers:
    """Source numbers in order of first citation."""

    def __init__(
        self,
        outlets: dict[str, tuple[str | None, str | None]],
        titles: dict[str, tuple[str | None, str]],
    ) -> None:
        self.outlets = outlets
        self.titles = titles
        self.numbers: dict[str, int] = {}

    def add(self, doc_id: str) -> int:
        return self.numbers.setdefault(doc_id, len(self.numbers) + 1)

    def sources(self) -> list[Source]:
        found = []
        for doc_id, number in self.numbers.items():
            outlet, published = self.outlets.get(doc_id, (None, None))
            title, location = self.titles.get(doc_id, (None, doc_id))
            found.append(Source(number, doc_id, outlet or location, title, published))
        return found


def group_by_story(clusters: Iterable[ClaimCluster]) -> dict[str, list[ClaimCluster]]:
    found: dict[str, list[ClaimCluster]] = defaultdict(list)
    for cluster in clusters:
        found[cluster.story_id].append(cluster)
    return found
