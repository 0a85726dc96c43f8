"""Writing the store's content as files a person or another program can read.

``documents.json`` follows a versioned schema (``schema`` key) so consumers can check what
they read; ``summary.md`` is the one-page overview ``analyze`` points the user to.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from storytrace import __version__
from storytrace.ask import Answer
from storytrace.brief import Brief
from storytrace.model import Story
from storytrace.store import Store
from storytrace.timeline.entity import EntityTimelineRow
from storytrace.util import write_atomic

DOCUMENTS_SCHEMA = "storytrace.documents/1"
REUSE_SCHEMA = "storytrace.reuse/1"
STORIES_SCHEMA = "storytrace.stories/1"
CLAIMS_SCHEMA = "storytrace.claims/1"
TIMELINE_SCHEMA = "storytrace.timeline/1"
ENTITY_TIMELINE_SCHEMA = "storytrace.entity-timeline/1"
BRIEF_SCHEMA = "storytrace.brief/1"
ANSWER_SCHEMA = "storytrace.answer/1"


def reuse_payload(store: Store, doc_id: str | None = None) -> dict[str, object]:
    """Families and links (with their aligned sentences), for all or one document."""
    links = store.reuse.links(doc_id, with_pairs=True)
    return {
        "schema": REUSE_SCHEMA,
        "storytrace": __version__,
        "document": doc_id,
        "families": [asdict(f) | {"size": len(f.members)} for f in store.reuse.families(doc_id)],
        "links": [asdict(link) for link in links],
    }


def stories_payload(store: Store) -> dict[str, object]:
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


def story_payload(store: Store, story_id: str) -> dict[str, object]:
    """One story, its documents' metadata and the record of its merges and splits."""
    story = store.stories.stories(story_id)[0]
    summaries = {r.id: r for r in store.summaries()}
    return {
        "schema": STORIES_SCHEMA,
        "storytrace": __version__,
        "story": _story_json(story),
        "documents": [asdict(summaries[d]) for d in story.doc_ids if d in summaries],
        "changes": [asdict(c) for c in store.stories.changes(story_id)],
    }


def claims_payload(store: Store, story_id: str | None = None) -> dict[str, object]:
    """Claim clusters (best supported first), disagreements and linked entities, for all
    stories or one; each cluster with its member sentences and their source and hedge."""
    claims = {
        (c.doc_id, c.sentence_index): c
        for c in store.claims.doc_claims(_story_docs(store, story_id))
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
        clusters.append(
            asdict(cluster) | {"members": members, "single_source": cluster.origins == 1}
        )
    return {
        "schema": CLAIMS_SCHEMA,
        "storytrace": __version__,
        "story": story_id,
        "clusters": clusters,
        "disagreements": [asdict(d) for d in store.claims.disagreements(story_id)],
        "entities": [asdict(e) for e in store.claims.entities(story_id)],
    }


def timeline_payload(store: Store, story_id: str | None = None) -> dict[str, object]:
    """Timeline entries in time order with their dating sentences, unresolved expressions
    and document dates (published, or estimated with the reason)."""
    docs = set(_story_docs(store, story_id))
    return {
        "schema": TIMELINE_SCHEMA,
        "storytrace": __version__,
        "story": story_id,
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
    entity: str, story_id: str | None, rows: list[EntityTimelineRow]
) -> dict[str, object]:
    """An entity's events in time order (ordinal 0: not dated), each with the sentences
    that state it and what dated it."""
    return {
        "schema": ENTITY_TIMELINE_SCHEMA,
        "storytrace": __version__,
        "entity": entity,
        "story": story_id,
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


def brief_payload(briefs: list[Brief], story_id: str | None = None) -> dict[str, object]:
    """Each story's brief: quoted claims with citations grouped by independent origin,
    marks, disagreements and the numbered sources."""
    return {
        "schema": BRIEF_SCHEMA,
        "storytrace": __version__,
        "story": story_id,
        "briefs": [asdict(b) for b in briefs],
    }


def answer_payload(answer: Answer, locations: dict[str, str]) -> dict[str, object]:
    """An answer: its claim groups with support and citations, or why there is none; the
    ranked sentences behind it."""
    payload = asdict(answer)
    for group in payload["groups"]:
        for origin in group["citations"]:
            for citation in origin:
                citation["location"] = locations.get(citation["doc_id"])
    return {"schema": ANSWER_SCHEMA, "storytrace": __version__, **payload}


def story_doc_ids(store: Store, story_id: str | None) -> list[str]:
    return _story_docs(store, story_id)


def _story_docs(store: Store, story_id: str | None) -> list[str]:
    if story_id is None:
        return [d for s in store.stories.stories() for d in s.doc_ids]
    return store.stories.stories(story_id)[0].doc_ids


def _story_json(story: Story) -> dict[str, object]:
    return asdict(story) | {"size": len(story.doc_ids)}


def write_outputs(store: Store, out: Path) -> list[Path]:
    """Write documents.json, reuse.json, stories.json and summary.md into ``out``; returns
    the paths."""
    documents = [store.get(s.id) for s in store.summaries()]
    payload = {
        "schema": DOCUMENTS_SCHEMA,
        "storytrace": __version__,
        "documents": [asdict(d) | {"locations": store.locations(d.id)} for d in documents],
        "errors": [asdict(e) for e in store.errors()],
    }
    json_path = out / "documents.json"
    write_atomic(json_path, json.dumps(payload, indent=2, ensure_ascii=False))
    reuse_path = out / "reuse.json"
    write_atomic(reuse_path, json.dumps(reuse_payload(store), indent=2, ensure_ascii=False))
    stories_path = out / "stories.json"
    write_atomic(stories_path, json.dumps(stories_payload(store), indent=2, ensure_ascii=False))
    claims_path = out / "claims.json"
    write_atomic(claims_path, json.dumps(claims_payload(store), indent=2, ensure_ascii=False))
    timeline_path = out / "timeline.json"
    write_atomic(timeline_path, json.dumps(timeline_payload(store), indent=2, ensure_ascii=False))
    md_path = out / "summary.md"
    markdown = (
        _summary_markdown(store)
        + _stories_markdown(store)
        + _claims_markdown(store)
        + _timeline_markdown(store)
        + _reuse_markdown(store)
    )
    write_atomic(md_path, markdown)
    return [json_path, reuse_path, stories_path, claims_path, timeline_path, md_path]


def _summary_markdown(store: Store) -> str:
    rows = store.summaries()
    reasons: Counter[str] = Counter()
    for row in rows:
        reasons.update(r.reason for r in store.get(row.id).removed)
    lines = [
        "# storytrace summary",
        "",
        f"{len(rows)} documents, {store.count('sentences')} sentences, "
        f"{store.count('entities')} entity mentions, {store.count('removed_lines')} removed "
        f"lines, {store.count('errors')} input errors.",
        "",
        "| id | published | site | declared source | title | sentences | removed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r.id[:10], r.published or "", r.site or "", r.declared_source or "",
                 r.title or r.location, str(r.sentences), str(r.removed)]  # fmt: skip
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    lines += ["", "## Removed lines by reason", "", "| reason | lines |", "|---|---|"]
    lines += [f"| {reason} | {n} |" for reason, n in reasons.most_common()]
    return "\n".join(lines) + "\n"


def _stories_markdown(store: Store) -> str:
    topics = store.stories.topics()
    lines = ["", "## Stories (documents reporting one event), by topic", ""]
    if not topics:
        return "\n".join([*lines, "No stories: nothing was grouped.", ""])
    stories = {s.id: s for s in store.stories.stories()}
    for topic in topics:
        lines += [f"### Topic {topic.id}: {_md_cell(topic.label)}", ""]
        lines += ["| story | label | documents | independent origins | dates | key entities |"]
        lines += ["|---|---|---|---|---|---|"]
        for story_id in topic.story_ids:
            s = stories[story_id]
            dates = s.first_date or "undated"
            if s.last_date and s.last_date != s.first_date:
                dates += f" to {s.last_date}"
            names = ", ".join(e.name for e in s.entities)
            cells = [s.id, s.label, str(len(s.doc_ids)), str(s.origins), dates, names]
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


CLAIMS_PER_STORY = 5


def _claims_markdown(store: Store) -> str:
    lines = ["", "## Best-supported claims per story", ""]
    stories = store.stories.stories()
    clusters = store.claims.clusters()
    if not clusters:
        return "\n".join([*lines, "No claims found.", ""])
    by_story: dict[str, list] = {}
    for cluster in clusters:
        by_story.setdefault(cluster.story_id, []).append(cluster)
    for story in stories:
        found = by_story.get(story.id, [])[:CLAIMS_PER_STORY]
        if not found:
            continue
        lines += [f"### Story {story.id}: {_md_cell(story.label)}", ""]
        lines += ["| claim | independent origins | documents | sources | hedge |"]
        lines += ["|---|---|---|---|---|"]
        for c in found:
            sources = ", ".join(f"{s} ({n})" for s, n in c.sources.items())
            hedges = ", ".join(f"{h} ({n})" for h, n in c.hedges.items())
            cells = [c.label, str(c.origins), str(c.documents), sources, hedges]
            lines.append("| " + " | ".join(_md_cell(x) for x in cells) + " |")
        lines.append("")
    disagreements = store.claims.disagreements()
    if disagreements:
        lines += [f"{len(disagreements)} disagreements between sources "]
        lines += ["(`storytrace claims STORY` shows them).", ""]
    return "\n".join(lines)


def _timeline_markdown(store: Store) -> str:
    lines = ["", "## Timelines (dated claims per story)", ""]
    entries = store.timeline.entries()
    if not entries:
        return "\n".join([*lines, "No dated claims.", ""])
    lines += [
        "| story | when | precision | sources (independent) | stated as |",
        "|---|---|---|---|---|",
    ]
    for e in entries:
        said = "; ".join(dict.fromkeys(f'"{s.expression}"' for s in e.sources))
        estimate = " (estimated)" if any(s.estimated for s in e.sources) else ""
        cells = [e.story_id, e.value + estimate, e.precision, f"{e.documents} ({e.origins})", said]
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    unresolved = store.timeline.unresolved()
    if unresolved:
        lines += [
            "",
            f"{len(unresolved)} time expressions left unresolved (undated documents).",
            "",
        ]
    return "\n".join(lines) + "\n"


def _reuse_markdown(store: Store) -> str:
    titles = {r.id: r.title or r.location for r in store.summaries()}
    families = store.reuse.families()
    kinds = {(link.doc_id, link.origin_id): link for link in store.reuse.links()}
    lines = ["", "## Reuse families (who copied whom)", ""]
    if not families:
        return "\n".join([*lines, "No document derives from another.", ""])
    lines += [
        f"{len(families)} families; {sum(len(f.members) for f in families)} member documents.",
        "",
        "| family | origin | member | role | link | confidence |",
        "|---|---|---|---|---|---|",
    ]
    for family in families:
        origin = family.external_origin or titles.get(family.root_id, family.root_id)
        for m in family.members:
            link = next((kinds[(m.doc_id, p)] for p in m.parents if (m.doc_id, p) in kinds), None)
            member = f"{m.doc_id[:10]} {titles.get(m.doc_id, '')}"
            kind, confidence = (link.kind, f"{link.confidence:.2f}") if link else ("", "")
            cells = [family.id, origin, member, m.role, kind, confidence]
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
