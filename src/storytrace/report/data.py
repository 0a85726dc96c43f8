"""Everything a report shows, as one JSON-ready dict (schema ``storytrace.report/1``).

The HTML and Markdown reports are drawn from this dict alone, so the three outputs hold the
same content, and the JSON is what other tools read (docs/design/report.md).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from storytrace import __version__
from storytrace.brief import store_briefs
from storytrace.brief.extractive import Brief
from storytrace.model import Family, ReuseLink, Story
from storytrace.store.sqlite import Store

REPORT_SCHEMA = "storytrace.report/1"
ALIGNED_SHOWN = 8  # aligned sentence pairs shown per relative (the JSON of reuse has all)


def report_data(store: Store, brief_items: int = 8) -> dict[str, Any]:
    stories = store.stories.stories()
    families = store.reuse.families()
    links = store.reuse.links(with_pairs=True)
    briefs = {b.story_id: b for b in store_briefs(store, None, brief_items)}
    return {
        "schema": REPORT_SCHEMA,
        "storytrace": __version__,
        "counts": {
            "documents": store.count("documents"),
            "sentences": store.count("sentences"),
            "stories": len(stories),
            "families": len(families),
            "claims": store.claims.count(),
        },
        "topics": [asdict(t) for t in store.stories.topics()],
        "stories": [
            _story(store, story, briefs.get(story.id), families, links) for story in stories
        ],
        "documents": [document_data(store, s.id, links) for s in store.summaries()],
    }


def story_data(store: Store, story_id: str, brief_items: int = 8) -> dict[str, Any]:
    """One story as the report holds it (KeyError when there is no such story)."""
    found = store.stories.stories(story_id)
    if not found:
        raise KeyError(story_id)
    briefs = store_briefs(store, story_id, brief_items)
    links = store.reuse.links(with_pairs=False)
    return _story(store, found[0], briefs[0] if briefs else None, store.reuse.families(), links)


def _story(
    store: Store,
    story: Story,
    brief: Brief | None,
    families: list[Family],
    links: list[ReuseLink],
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
    doc_ids: list[str], families: list[Family], links: list[ReuseLink]
) -> dict[str, list[dict[str, Any]]]:
    """The derivation graph of a story's documents: every family that touches them, its
    links (derived -> source), and the external origin a family declares, if any."""
    members = set(doc_ids)
    touching = [f for f in families if members & set(f.doc_ids)]
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
    for link in links:
        if link.doc_id in nodes and link.origin_id in nodes:
            edges.append({"from": link.doc_id, "to": link.origin_id, "kind": link.kind,
                          "confidence": round(link.confidence, 3)})  # fmt: skip
    return {"nodes": list(nodes.values()), "edges": edges}


def document_data(
    store: Store, doc_id: str, links: list[ReuseLink] | None = None
) -> dict[str, Any]:
    """One document with its removed lines and relatives (KeyError when unknown)."""
    doc = store.get(doc_id)
    if links is None:
        links = store.reuse.links(doc_id, with_pairs=True)
    sentences = {s.index: s.text for s in doc.sentences}
    relatives = []
    for link in links:
        if doc_id not in (link.doc_id, link.origin_id):
            continue
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
