"""Every JSON output, built from the store: what ``--json`` prints, what the web API
returns, what ``analyze`` writes and what the report is drawn from.

Each payload follows a versioned schema (its ``schema`` key) so consumers can check what
they read. The Markdown outputs (``storytrace.payload.markdown``) are drawn from these
dicts too, so every output of one store says the same thing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, replace
from typing import Any

from storytrace import __version__
from storytrace.ask import Answer, rank
from storytrace.brief import Brief, store_briefs
from storytrace.model import Story
from storytrace.provenance import FamilyIndex, LinkIndex
from storytrace.store import Store
from storytrace.timeline.entity import EntityTimelineRow

DOCUMENTS_SCHEMA = "storytrace.documents/1"
REUSE_SCHEMA = "storytrace.reuse/1"
STORIES_SCHEMA = "storytrace.stories/1"
CLAIMS_SCHEMA = "storytrace.claims/2"
TIMELINE_SCHEMA = "storytrace.timeline/1"
ENTITY_TIMELINE_SCHEMA = "storytrace.entity-timeline/1"
BRIEF_SCHEMA = "storytrace.brief/1"
ANSWER_SCHEMA = "storytrace.answer/2"
REPORT_SCHEMA = "storytrace.report/1"
ALIGNED_SHOWN = 8  # aligned sentence pairs shown per relative (the JSON of reuse has all)


# -- documents ------------------------------------------------------------------------------
def document_list(store: Store) -> list[dict[str, Any]]:
    """Every stored document: id, date, site, title, location, sentences, removed lines."""
    return [asdict(r) for r in store.summaries()]


def document_payload(store: Store, doc_id: str) -> dict[str, Any]:
    """One document with everything stored about it and where it was seen."""
    return asdict(store.get(doc_id)) | {"locations": store.locations(doc_id)}


def documents_payload(store: Store) -> dict[str, Any]:
    """documents.json: every document with metadata, clean text, sentences, entities and
    removed furniture; the input errors."""
    return {
        "schema": DOCUMENTS_SCHEMA,
        "storytrace": __version__,
        "documents": [document_payload(store, s.id) for s in store.summaries()],
        "errors": [asdict(e) for e in store.errors()],
    }


# -- reuse ----------------------------------------------------------------------------------
def reuse_payload(store: Store, doc_id: str | None = None) -> dict[str, Any]:
    """Families and links (with their aligned sentences), for all or one document."""
    links = store.reuse.links(doc_id, with_pairs=True)
    families = store.reuse.families(doc_id)
    named = [d for f in families for d in f.doc_ids]
    named += [d for link in links for d in (link.doc_id, link.origin_id)]
    return {
        "schema": REUSE_SCHEMA,
        "storytrace": __version__,
        "document": doc_id,
        "families": [asdict(f) | {"size": len(f.members)} for f in families],
        "links": [asdict(link) for link in links],
        "titles": _titles(store, [*named, *([doc_id] if doc_id else [])]),
    }


# -- stories --------------------------------------------------------------------------------
def stories_payload(store: Store) -> dict[str, Any]:
    """Topics with their stories in time order; each story with its documents."""
    stories = {s.id: s for s in store.stories.stories()}
    return {
        "schema": STORIES_SCHEMA,
        "storytrace": __version__,
        "topics": [
            asdict(t) | {"stories": [_story_json(stories[s]) for s in t.story_ids]}
            for t in store.stories.topics()
        ],
    }


def story_payload(store: Store, story_id: str) -> dict[str, Any]:
    """One story, its documents' metadata, their families and the record of its merges and
    splits."""
    story = store.stories.stories(story_id)[0]
    summaries = {r.id: r for r in store.summaries()}
    family_of = {m.doc_id: f for f in store.reuse.families() for m in f.members}
    documents = []
    for doc_id in story.doc_ids:
        if doc_id not in summaries:
            continue
        family = family_of.get(doc_id)
        role = None if family is None else ("origin" if family.root_id == doc_id else "derivative")
        documents.append(
            asdict(summaries[doc_id]) | {"family": family.id if family else None, "role": role}
        )
    return {
        "schema": STORIES_SCHEMA,
        "storytrace": __version__,
        "story": _story_json(story),
        "documents": documents,
        "changes": [asdict(c) for c in store.stories.changes(story_id)],
    }


def topic_list(store: Store) -> list[dict[str, Any]]:
    """Topics, largest first, each with its stories' sizes, origins and dates."""
    stories = {s.id: s for s in store.stories.stories()}
    return [
        asdict(t) | {"stories": [story_summary(stories[s]) for s in t.story_ids if s in stories]}
        for t in store.stories.topics()
    ]


def story_list(store: Store) -> list[dict[str, Any]]:
    return [story_summary(s) for s in store.stories.stories()]


def story_summary(story: Story) -> dict[str, Any]:
    return {
        "id": story.id, "label": story.label, "topic_id": story.topic_id,
        "documents": len(story.doc_ids), "origins": story.origins,
        "first_date": story.first_date, "last_date": story.last_date,
    }  # fmt: skip


def counts(store: Store) -> dict[str, int]:
    return {"documents": store.count("documents"), "sentences": store.count("sentences")}


def display_titles(store: Store) -> dict[str, str]:
    """Every document's display name: its title, else the file or page name."""
    return {doc_id: title or place for doc_id, (title, place) in store.titles().items()}


def story_doc_ids(store: Store, story_id: str | None) -> list[str]:
    """The documents of one story, or of every story (None)."""
    if story_id is None:
        return [d for s in store.stories.stories() for d in s.doc_ids]
    return store.stories.stories(story_id)[0].doc_ids


def _story_json(story: Story) -> dict[str, Any]:
    return asdict(story) | {"size": len(story.doc_ids)}


# -- claims ---------------------------------------------------------------------------------
def claims_payload(store: Store, story_id: str | None = None) -> dict[str, Any]:
    """Claims (best supported first), disagreements and linked entities, for all stories or
    one; each claim with its member sentences, their relation to it (``states`` and
    ``entails`` are counted; ``partial``, ``contradicts`` and ``conflicts`` are quoted but
    never counted), source and hedge."""
    claims = {
        (c.doc_id, c.sentence_index): c
        for c in store.claims.doc_claims(story_doc_ids(store, story_id))
    }
    clusters = []
    for cluster in store.claims.clusters(story_id):
        members = []
        for m in cluster.members:
            claim = claims.get((m.doc_id, m.sentence_index))
            extra = (
                {"source": claim.source, "source_kind": claim.source_kind, "hedge": claim.hedge,
                 "cues": claim.cues, "score": claim.score}
                if claim else {}
            )  # fmt: skip
            members.append(asdict(m) | extra)
        not_counted = Counter(m.relation for m in cluster.members if not m.supports)
        clusters.append(
            asdict(cluster)
            | {"members": members, "single_source": cluster.origins == 1,
               "not_counted": dict(sorted(not_counted.items()))}
        )  # fmt: skip
    return {
        "schema": CLAIMS_SCHEMA,
        "storytrace": __version__,
        "story": story_id,
        "stories": [{"id": s.id, "label": s.label} for s in store.stories.stories(story_id)],
        "clusters": clusters,
        "disagreements": [asdict(d) for d in store.claims.disagreements(story_id)],
        "entities": [asdict(e) for e in store.claims.entities(story_id)],
    }


# -- timelines ------------------------------------------------------------------------------
def timeline_payload(store: Store, story_id: str | None = None) -> dict[str, Any]:
    """Timeline entries in time order with their dating sentences, unresolved expressions
    and document dates (published, or estimated with the reason)."""
    docs = set(story_doc_ids(store, story_id))
    return {
        "schema": TIMELINE_SCHEMA,
        "storytrace": __version__,
        "story": story_id,
        "stories": [{"id": s.id, "label": s.label} for s in store.stories.stories(story_id)],
        "entries": [asdict(e) for e in store.timeline.entries(story_id)],
        "unresolved": [
            asdict(source) | {"story_id": sid}
            for sid, source in store.timeline.unresolved(story_id)
        ],
        "documents": [
            asdict(d) for k, d in sorted(store.timeline.doc_dates().items()) if k in docs
        ],
    }


def entity_timeline_payload(
    entity: str, story_id: str | None, rows: list[EntityTimelineRow], searched: int = 0
) -> dict[str, Any]:
    """An entity's events in time order (ordinal 0: not dated), each with the sentences
    that state it and what dated it; ``searched``: documents looked at."""
    return {
        "schema": ENTITY_TIMELINE_SCHEMA,
        "storytrace": __version__,
        "entity": entity,
        "story": story_id,
        "documents_searched": searched,
        "rows": [
            {
                "ordinal": r.row.ordinal,
                "value": r.row.value,
                "documents": r.documents,
                "origins": r.origins,
                "mentions": [asdict(m) for m in r.row.mentions],
            }
            for r in rows
        ],
    }


# -- briefs and answers ---------------------------------------------------------------------
def brief_payload(briefs: list[Brief], story_id: str | None = None) -> dict[str, Any]:
    """Each story's brief: quoted claims with citations grouped by independent origin,
    marks, disagreements and the numbered sources."""
    return {
        "schema": BRIEF_SCHEMA,
        "storytrace": __version__,
        "story": story_id,
        "briefs": [asdict(b) for b in briefs],
    }


def answer_payload(answer: Answer, locations: dict[str, str]) -> dict[str, Any]:
    """An answer: the answer's words (or null, with the reason there is none), its claim
    groups with support and citations, and every ranked sentence with its scores.
    ``locations``: document id -> where it was read."""
    groups = [asdict(g) for g in answer.groups]
    for group in groups:
        for origin in group["citations"]:
            for citation in origin:
                citation["location"] = locations.get(citation["doc_id"])
    found = answer.span
    return {
        "schema": ANSWER_SCHEMA,
        "storytrace": __version__,
        "question": answer.question,
        "answered": answer.answered,
        "reason": answer.reason or None,
        "asks_for": answer.asks_for,
        "answer": None if found is None else {
            "text": found.text, "kind": found.label, "score": found.score,
            "sentences": found.sentences, "doc_id": found.doc_id,
            "sentence_index": found.sentence_index, "start": found.start, "end": found.end,
            "location": locations.get(found.doc_id),
        },
        "groups": groups,
        "ranked": [
            {"doc_id": h.doc_id, "sentence_index": h.sentence_index, "text": h.text,
             "location": locations.get(h.doc_id),
             "answers": None if h.answers is None else round(h.answers, 4),
             "fused": round(h.score, 5), "similarity": round(h.similarity, 4),
             "overlap": round(h.overlap, 4)}
            for h in answer.hits
        ],
        "ranking": rank.read_weights().get("version"),
    }  # fmt: skip


OVERVIEW_STORIES = 20


def overview(store: Store, limit: int = OVERVIEW_STORIES) -> dict[str, Any]:
    """The ``limit`` largest stories, each with its size, independent origins and
    best-supported claim, and how many more there are (a terminal is no place for 5,000)."""
    stories = store.stories.stories()
    briefs = {b.story_id: b for b in store_briefs(store, None, 1, first=limit)}
    rows = []
    for story in stories[:limit]:
        brief = briefs.get(story.id)
        top = brief.items[0] if brief and brief.items else None
        rows.append({
            "story_id": story.id, "label": story.label, "documents": len(story.doc_ids),
            "origins": story.origins, "claim": top.text if top else None,
            "claim_origins": top.origins if top else None,
        })  # fmt: skip
    return {"stories": rows, "more": max(0, len(stories) - limit)}


# -- the report -----------------------------------------------------------------------------
def report_data(store: Store, brief_items: int = 8, largest: int | None = None) -> dict[str, Any]:
    """Everything a report shows, as one dict (schema ``storytrace.report/1``); the HTML
    and Markdown reports are drawn from it alone (docs/design/report.md).

    ``largest``: only the largest stories, their topics and their documents (a large store's
    full report is too big to read); the counts stay the whole store's, and ``shown`` says
    how many stories the report holds."""
    every = store.stories.stories()
    stories = every[:largest]
    families = FamilyIndex(store.reuse.families())
    links = LinkIndex(store.reuse.links(with_pairs=True))
    briefs = {b.story_id: b for b in store_briefs(store, None, brief_items, first=largest)}
    topics = store.stories.topics()
    summaries = store.summaries()
    if largest is not None:
        shown_docs = {d for s in stories for d in s.doc_ids}
        shown = {s.id for s in stories}
        topics = [
            replace(t, story_ids=[s for s in t.story_ids if s in shown])
            for t in topics
            if shown.intersection(t.story_ids)
        ]
        summaries = [s for s in summaries if s.id in shown_docs]
    return {
        "schema": REPORT_SCHEMA,
        "storytrace": __version__,
        "counts": {
            "documents": store.count("documents"),
            "sentences": store.count("sentences"),
            "stories": len(every),
            "families": len(families),
            "claims": store.claims.count(),
        },
        "shown": {"stories": len(stories), "documents": len(summaries)},
        "topics": [asdict(t) for t in topics],
        "stories": [
            _story(store, story, briefs.get(story.id), families, links) for story in stories
        ],
        "documents": [document_data(store, s.id, links) for s in summaries],
    }


def story_data(store: Store, story_id: str, brief_items: int = 8) -> dict[str, Any]:
    """One story as the report holds it (KeyError when there is no such story)."""
    found = store.stories.stories(story_id)
    if not found:
        raise KeyError(story_id)
    briefs = store_briefs(store, story_id, brief_items)
    links = LinkIndex(store.reuse.links(with_pairs=False))
    families = FamilyIndex(store.reuse.families())
    return _story(store, found[0], briefs[0] if briefs else None, families, links)


def _story(
    store: Store,
    story: Story,
    brief: Brief | None,
    families: FamilyIndex,
    links: LinkIndex,
) -> dict[str, Any]:
    return {
        **asdict(story),
        "brief": asdict(brief) if brief else None,
        "timeline": [asdict(e) for e in store.timeline.entries(story.id)],
        "claims": [asdict(c) for c in store.claims.clusters(story.id)],
        "disagreements": [asdict(d) for d in store.claims.disagreements(story.id)],
        "provenance": provenance(story.doc_ids, families, links),
    }


def provenance(
    doc_ids: list[str], families: FamilyIndex, links: LinkIndex
) -> dict[str, list[dict[str, Any]]]:
    """The derivation graph of a story's documents: every family that touches them, its
    links (derived -> source), and the external origin a family declares, if any."""
    touching = families.touching(doc_ids)
    nodes: dict[str, dict[str, Any]] = {
        d: {"id": d, "kind": "independent", "in_story": True} for d in doc_ids
    }
    edges: list[dict[str, Any]] = []
    for family in touching:
        for member in family.members:
            node = nodes.setdefault(member.doc_id, {"id": member.doc_id, "in_story": False})
            node["kind"] = "origin" if member.role == "origin" else "derivative"
        if family.external_origin:
            external = f"external:{family.external_origin}"
            nodes[external] = {"id": external, "kind": "external", "in_story": False,
                               "label": family.external_origin}  # fmt: skip
            edges.append({"from": family.root_id, "to": external, "kind": "declared source",
                          "confidence": None})  # fmt: skip
    for link in links.among(nodes):
        edges.append({"from": link.doc_id, "to": link.origin_id, "kind": link.kind,
                      "confidence": round(link.confidence, 3)})  # fmt: skip
    return {"nodes": list(nodes.values()), "edges": edges}


def document_data(store: Store, doc_id: str, links: LinkIndex | None = None) -> dict[str, Any]:
    """One document with its removed lines and relatives (KeyError when unknown)."""
    doc = store.get(doc_id)
    mine_links = (
        links.of(doc_id) if links is not None else store.reuse.links(doc_id, with_pairs=True)
    )
    sentences = {s.index: s.text for s in doc.sentences}
    relatives = []
    for link in mine_links:
        other = link.origin_id if link.doc_id == doc_id else link.doc_id
        other_sentences = {s.index: s.text for s in store.get(other).sentences}
        mine, theirs = (sentences, other_sentences) if link.doc_id == doc_id else (
            other_sentences, sentences)  # fmt: skip
        relatives.append({
            "doc_id": other,
            "relation": "source" if link.doc_id == doc_id else "derivative",
            "kind": link.kind,
            "confidence": round(link.confidence, 3),
            "coverage": round(link.coverage, 3),
            "aligned": [
                {"derived": mine.get(p.doc_sentence, ""),
                 "origin": theirs.get(p.origin_sentence, ""),
                 "similarity": round(p.similarity, 3)}
                for p in link.pairs[:ALIGNED_SHOWN]
            ],
        })  # fmt: skip
    return {
        "id": doc.id, "title": doc.title, "location": doc.location, "url": doc.url,
        "site": doc.site, "author": doc.author, "published": doc.published,
        "declared_source": doc.declared_source, "text": doc.text,
        "removed": [asdict(r) for r in doc.removed], "relatives": relatives,
    }  # fmt: skip


def _titles(store: Store, doc_ids: list[str]) -> dict[str, str]:
    """Display names (title, else the file or page name) of the given documents."""
    names = store.titles()
    return {d: (names[d][0] or names[d][1]) for d in dict.fromkeys(doc_ids) if d in names}
