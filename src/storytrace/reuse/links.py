"""From scored pairs to links, directions and derivation families.

Rules, in order:

1. **Linking.** A document chooses its sources: among the candidates it appears to derive
   from (rule 2), it links to the best-scoring one when that score reaches the threshold,
   and to any other within a margin of it, provided each is also within the margin of its
   best candidate overall. Ranking against the best match, not a fixed cut-off alone, is
   what tells a summary of *this* article from a report on the same event by someone else.
   Choosing only sources, never derivatives, is what keeps a short original report from
   joining the family of a long rewrite of its sibling story: the rewrite is its best
   match, but the rewrite chose its own source, not the report.
2. **Direction.** Publication dates decide when both are known and differ; a declared source
   naming the other document's outlet decides next; otherwise the content model (which side
   covers the other, which has the names and numbers) decides, and says how sure it is.
3. **Families.** One family per root (a document that derives from nothing here), holding
   every document that reaches the root through links. A page combining two origins sits in
   both families; the two origins do not merge, which plain connected components would do.
4. **External origins.** A source the root declares that is not its own outlet
   ("SOURCE: Radio Free Europe") is the family's external origin.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from storytrace.model import Family, FamilyMember, LinkKind, ReuseLink
from storytrace.reuse.classifier import LinkRules

COPY_TRIGRAMS = 0.5  # share of the derived text's word trigrams found in the origin
DUPLICATE_TRIGRAMS = 0.95
SUMMARY_LENGTH = 0.6  # a summary has at most this share of the origin's sentences ...
SUMMARY_COVERAGE = 0.5  # ... and restates less than this share of them
RULE_CONFIDENCE = 0.95
WEAK_DIRECTION = 0.15  # content evidence closer than this to 0.5 is no evidence
TIE_SHIFT = 0.1  # tie-breakers are weak evidence and say so


@dataclass(slots=True)
class ScoredPair:
    """One direction of a compared pair: does ``doc_id`` derive from ``other_id``?"""

    doc_id: str
    other_id: str
    score: float  # P(same family)
    direction: float  # P(doc derives from other), content evidence only
    trigrams: float  # share of doc's word trigrams found in other
    coverage: float  # share of doc's sentences aligned to other (combined similarity >= 0.7)
    size: int  # compared sentences in doc


@dataclass(slots=True)
class DocInfo:
    """Metadata the direction rules read."""

    id: str
    published: str | None = None
    declared_source: str | None = None
    outlet_names: list[str] = field(default_factory=list)  # site, host, author
    furniture: int = 0  # page-furniture lines cleaning removed (not metadata lines)


@dataclass(slots=True)
class Decision:
    links: list[ReuseLink]
    possible: list[ReuseLink]
    families: list[Family]


Calibrator = Callable[[float], float]


def decide(
    pairs: Iterable[ScoredPair],
    docs: Mapping[str, DocInfo],
    rules: LinkRules,
    calibrate: Calibrator | None = None,
) -> Decision:
    """Links, possible links and families from scored pairs.

    ``calibrate(score)`` turns the pair score of an accepted link into the probability that
    the link is right (fitted on the development data's accepted links).
    """
    directed = {(p.doc_id, p.other_id): p for p in pairs}
    accepted, possible = _accept(directed, docs, rules)
    degree: dict[str, int] = defaultdict(int)
    for a, b in accepted:
        degree[a] += 1
        degree[b] += 1
    links = [_orient(a, b, directed, docs, degree) for a, b in sorted(accepted)]
    if calibrate is not None:
        for link in links:
            link.confidence = round(calibrate(link.confidence), 4)
    families = build_families(links, docs)
    _mark_combined(links, families)
    maybes = [_orient(a, b, directed, docs, degree, "possible") for a, b in sorted(possible)]
    return Decision(links=links, possible=maybes, families=families)


def lowest_deciding_score(rules: LinkRules) -> float:
    """Pairs scoring below this cannot change a decision, so they need not be read: such a
    pair is never accepted (acceptance needs the threshold), never a possible link (that
    needs ``possible``), and as a document's best match it would only raise the bar to the
    threshold, which acceptance needs anyway. At 10,000 documents most stored pairs score
    below it."""
    return min(rules.threshold, rules.possible)


def _accept(
    directed: Mapping[tuple[str, str], ScoredPair], docs: Mapping[str, DocInfo], rules: LinkRules
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    by_doc: dict[str, list[ScoredPair]] = defaultdict(list)
    for pair in directed.values():
        by_doc[pair.doc_id].append(pair)
    accepted: set[tuple[str, str]] = set()
    best_below: dict[str, ScoredPair] = {}
    for doc_id, candidates in by_doc.items():
        best = max(candidates, key=_rank)
        sources = [p for p in candidates if _derives(p, directed, docs)]
        floor = max(rules.threshold, best.score - rules.margin)
        if sources:
            floor = max(floor, max(sources, key=_rank).score - rules.margin)
        accepted |= {_key(doc_id, p.other_id) for p in sources if p.score >= floor}
        if rules.possible <= best.score < rules.threshold:
            best_below[doc_id] = best
    linked = {d for pair in accepted for d in pair}
    possible = {_key(d, p.other_id) for d, p in best_below.items() if d not in linked} - accepted
    return accepted, possible


def _rank(pair: ScoredPair) -> tuple[float, str]:
    return (pair.score, pair.other_id)


def _derives(
    pair: ScoredPair, directed: Mapping[tuple[str, str], ScoredPair], docs: Mapping[str, DocInfo]
) -> bool:
    """Does the pair's document derive from the other, on the evidence the link would show?

    Tie-breaks that need the link graph (which document more links gather around) are left
    out here: the graph is what is being decided.
    """
    back = directed.get((pair.other_id, pair.doc_id))
    p, _ = _direction(pair.doc_id, pair.other_id, pair, back, docs, {})
    return p >= 0.5


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _orient(
    a: str,
    b: str,
    directed: Mapping[tuple[str, str], ScoredPair],
    docs: Mapping[str, DocInfo],
    degree: Mapping[str, int],
    kind: LinkKind | None = None,
) -> ReuseLink:
    ab, ba = directed.get((a, b)), directed.get((b, a))
    p_ab, reasons = _direction(a, b, ab, ba, docs, degree)
    child, parent, forward, backward = (a, b, ab, ba) if p_ab >= 0.5 else (b, a, ba, ab)
    confidence = max(x.score for x in (ab, ba) if x is not None)
    fwd = forward or _mirror(backward)  # type: ignore[arg-type]
    back = backward or _mirror(forward)  # type: ignore[arg-type]
    return ReuseLink(
        doc_id=child,
        origin_id=parent,
        kind=kind or _kind(fwd, back),
        confidence=round(confidence, 4),
        direction_confidence=round(max(p_ab, 1 - p_ab), 4),
        coverage=round(fwd.coverage, 4),
        origin_coverage=round(back.coverage, 4),
        reasons=reasons,
    )


def _mirror(pair: ScoredPair) -> ScoredPair:
    """Stand-in for a missing direction (only happens with a partly written store)."""
    return ScoredPair(pair.other_id, pair.doc_id, pair.score, 1 - pair.direction, 0.0, 0.0, 1)


def _direction(
    a: str,
    b: str,
    ab: ScoredPair | None,
    ba: ScoredPair | None,
    docs: Mapping[str, DocInfo],
    degree: Mapping[str, int],
) -> tuple[float, list[str]]:
    """P(a derives from b) and the reasons, strongest evidence first."""
    da, db = docs.get(a, DocInfo(a)), docs.get(b, DocInfo(b))
    if da.published and db.published and da.published != db.published:
        later, earlier = (da, db) if da.published > db.published else (db, da)
        reason = f"{later.id} published {later.published}, after {earlier.id} ({earlier.published})"
        return (RULE_CONFIDENCE if later is da else 1 - RULE_CONFIDENCE), [reason]
    if _declares(da, db):
        return RULE_CONFIDENCE, [f"{a} declares its source {da.declared_source!r}"]
    if _declares(db, da):
        return 1 - RULE_CONFIDENCE, [f"{b} declares its source {db.declared_source!r}"]
    votes = [x for x in (ab.direction if ab else None, 1 - ba.direction if ba else None) if x]
    p = sum(votes) / len(votes) if votes else 0.5
    if abs(p - 0.5) < WEAK_DIRECTION and da.furniture != db.furniture:
        # Copies read the same both ways. Republishers wrap the text in more page furniture
        # (share prompts, related links, comment forms) than the page they took it from.
        plain, other = (da, db) if da.furniture < db.furniture else (db, da)
        reason = (
            f"{plain.id} carries less page furniture ({plain.furniture} vs "
            f"{other.furniture} lines): likelier the first publisher"
        )
        return (0.5 - TIE_SHIFT if plain is da else 0.5 + TIE_SHIFT), [reason]
    if abs(p - 0.5) < WEAK_DIRECTION and degree.get(a, 0) != degree.get(b, 0):
        # The document the others gather around (an origin with several derivatives).
        hub, other_id = (a, b) if degree.get(a, 0) > degree.get(b, 0) else (b, a)
        reason = f"{hub} is linked to more documents ({degree[hub]} vs {degree.get(other_id, 0)})"
        return (0.5 - TIE_SHIFT if hub == a else 0.5 + TIE_SHIFT), [reason]
    origin = b if p >= 0.5 else a
    return p, [
        f"content: {origin} holds more of the names, numbers and text (p={max(p, 1 - p):.2f})"
    ]


def _declares(doc: DocInfo, other: DocInfo) -> bool:
    source = _name_words(doc.declared_source)
    return bool(source) and any(source <= _name_words(n) for n in other.outlet_names)


def _name_words(name: str | None) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", name.casefold())) - {"the", "www", "com"} if name else set()


def _kind(forward: ScoredPair, backward: ScoredPair) -> LinkKind:
    if forward.trigrams >= DUPLICATE_TRIGRAMS and backward.trigrams >= DUPLICATE_TRIGRAMS:
        return "duplicate"
    if forward.trigrams >= COPY_TRIGRAMS:
        return "copy"
    if forward.size <= SUMMARY_LENGTH * backward.size and backward.coverage < SUMMARY_COVERAGE:
        return "summary"
    return "rewrite"


def build_families(links: list[ReuseLink], docs: Mapping[str, DocInfo]) -> list[Family]:
    graph = nx.DiGraph()
    for link in links:
        graph.add_edge(
            link.doc_id,
            link.origin_id,
            confidence=link.confidence,
            evidence=link.confidence * link.direction_confidence,
        )
    condensed = nx.condensation(graph)
    members_of = condensed.graph["mapping"]
    components: dict[int, list[str]] = defaultdict(list)
    for doc_id, comp in members_of.items():
        components[comp].append(doc_id)
    by_root: dict[str, set[str]] = defaultdict(set)
    for comp in condensed.nodes:
        if condensed.out_degree(comp) != 0:
            continue
        docs_in = {d for c in nx.ancestors(condensed, comp) | {comp} for d in components[c]}
        by_root[_pick_root(docs_in, graph, docs)] |= docs_in
    # Two sinks whose members elect the same origin are one family.
    families = [_family(root, members, graph, docs) for root, members in by_root.items()]
    return sorted(families, key=lambda f: (-len(f.members), f.id))


def _pick_root(doc_ids: set[str], graph: nx.DiGraph, docs: Mapping[str, DocInfo]) -> str:
    """The member the family's links point at most, net of the links it points along.

    Single links can be oriented wrongly (two rewrites of one article read alike either
    way); summed over the family, the origin is the document the others derive from.
    Dates, then less furniture, then the id break ties.
    """
    sub = graph.subgraph(doc_ids)

    def rank(doc_id: str) -> tuple[float, str, int, str]:
        inflow = sum(e for _, _, e in sub.in_edges(doc_id, data="evidence"))
        outflow = sum(e for _, _, e in sub.out_edges(doc_id, data="evidence"))
        info = docs.get(doc_id, DocInfo(doc_id))
        return (-round(inflow - outflow, 6), info.published or "9999", info.furniture, doc_id)

    return min(doc_ids, key=rank)


def _family(root: str, doc_ids: set[str], graph: nx.DiGraph, docs: Mapping[str, DocInfo]) -> Family:
    sub = graph.subgraph(doc_ids)
    depth = nx.single_source_shortest_path_length(sub.to_undirected(as_view=True), root)
    members = [
        FamilyMember(
            doc_id=d,
            role="origin" if d == root else "derivative",
            parents=sorted(p for p in sub.successors(d) if d != root),
            depth=depth.get(d, 1),
        )
        for d in sorted(doc_ids, key=lambda d: (depth.get(d, 1), d))
    ]
    confidence = min((c for _, _, c in sub.edges(data="confidence")), default=1.0)
    return Family(
        id=f"f{root.removeprefix('d')[:12]}",
        root_id=root,
        members=members,
        confidence=round(float(confidence), 4),
        external_origin=_external_origin(docs.get(root, DocInfo(root))),
    )


def _external_origin(root: DocInfo) -> str | None:
    """The root's declared source when it is not the root's own outlet.

    Only the root's declaration counts: a derivative naming its source usually names the
    root's outlet ("SOURCE: Harbor Daily News" on a rewrite of the Harbor Daily article).
    When the root itself names another source, the family's text came from outside.
    """
    words = _name_words(root.declared_source)
    if not words or any(words <= _name_words(n) for n in root.outlet_names):
        return None
    return root.declared_source


def _mark_combined(links: list[ReuseLink], families: list[Family]) -> None:
    count: dict[str, int] = defaultdict(int)
    for family in families:
        for member in family.members:
            count[member.doc_id] += 1
    for link in links:
        if count[link.doc_id] > 1 and link.kind != "duplicate":
            link.kind = "combined"
