"""Every Markdown output, drawn from the JSON payloads (``storytrace.payload.data``):
``summary.md``, a brief, and ``report.md``. Article text is untrusted: it is escaped."""

from __future__ import annotations

from collections import Counter
from typing import Any

from storytrace.util import place_name

CLAIMS_PER_STORY = 5  # in summary.md
CLAIMS_SHOWN = 15  # per story in report.md (report.json has them all)


def markdown_escape(text: str) -> str:
    """Article text is untrusted: Markdown and HTML characters are escaped."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


_md = markdown_escape


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# -- a brief --------------------------------------------------------------------------------
def brief_markdown(brief: dict[str, Any], heading: str | None = None) -> str:
    """One story's brief (a ``brief_payload`` entry): numbered citations, marks,
    disagreements, the source list."""
    lines = [f"### {heading or brief['label']}", ""]
    if brief["generated"]:
        lines += [brief["generated"], "", "Quoted claims behind it:", ""]
    if not brief["items"]:
        lines.append("_No claims found in this story._")
    for item in brief["items"]:
        cites = " · ".join("[" + ", ".join(str(n) for n in g) + "]" for g in item["citations"])
        notes = f" _({'; '.join(item['notes'])})_" if item["notes"] else ""
        origins = f"{item['origins']} independent origin{'s' * (item['origins'] != 1)}"
        lines.append(f"- {_md(item['text'])} {cites} — {origins}{notes}")
    for d in brief["disagreements"]:
        if d["kind"] == "contradiction":
            lines.append(
                f'- **Sources contradict each other**: "{_md(d["first"])}" [{d["first_source"]}] '
                f'vs "{_md(d["second"])}" [{d["second_source"]}]'
            )
            continue
        lines.append(
            f'- **Sources differ** ({d["kind"]}): "{_md(d["first_value"])}" [{d["first_source"]}] '
            f'vs "{_md(d["second_value"])}" [{d["second_source"]}]'
        )
    if brief["left_out"]:
        lines.append(f"- _{brief['left_out']} more claims not quoted (repeats or less supported)._")
    lines += ["", "Sources:"]
    for source in brief["sources"]:
        when = f", {source['published']}" if source["published"] else ", undated"
        title = f" — {_md(source['title'])}" if source["title"] else ""
        lines.append(
            f"{source['number']}. {_md(source['outlet'])}{title}{when} (`{source['doc_id'][:12]}`)"
        )
    return "\n".join(lines) + "\n"


# -- summary.md -----------------------------------------------------------------------------
def summary_markdown(
    documents: dict[str, Any],
    stories: dict[str, Any],
    claims: dict[str, Any],
    timeline: dict[str, Any],
    reuse: dict[str, Any],
) -> str:
    """The one-page overview ``analyze`` points the user to, from the five payloads it
    writes next to it."""
    return (
        _documents_md(documents)
        + _stories_md(stories)
        + _claims_md(claims)
        + _timeline_md(timeline)
        + _reuse_md(reuse)
    )


def _documents_md(data: dict[str, Any]) -> str:
    docs = data["documents"]
    reasons: Counter[str] = Counter(r["reason"] for d in docs for r in d["removed"])
    sentences = sum(len(d["sentences"]) for d in docs)
    entities = sum(len(d["entities"]) for d in docs)
    lines = [
        "# storytrace summary",
        "",
        f"{len(docs)} documents, {sentences} sentences, {entities} entity mentions, "
        f"{sum(reasons.values())} removed lines, {len(data['errors'])} input errors.",
        "",
        "| id | published | site | declared source | title | sentences | removed |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in docs:
        cells = [
            d["id"][:10], d["published"] or "", d["site"] or "", d["declared_source"] or "",
            d["title"] or d["location"], str(len(d["sentences"])), str(len(d["removed"])),
        ]  # fmt: skip
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Removed lines by reason", "", "| reason | lines |", "|---|---|"]
    lines += [f"| {reason} | {n} |" for reason, n in reasons.most_common()]
    return "\n".join(lines) + "\n"


def _stories_md(data: dict[str, Any]) -> str:
    lines = ["", "## Stories (documents reporting one event), by topic", ""]
    if not data["topics"]:
        return "\n".join([*lines, "No stories: nothing was grouped.", ""])
    for topic in data["topics"]:
        lines += [f"### Topic {topic['id']}: {_cell(topic['label'])}", ""]
        lines += ["| story | label | documents | independent origins | dates | key entities |"]
        lines += ["|---|---|---|---|---|---|"]
        for s in topic["stories"]:
            dates = s["first_date"] or "undated"
            if s["last_date"] and s["last_date"] != s["first_date"]:
                dates += f" to {s['last_date']}"
            names = ", ".join(e["name"] for e in s["entities"])
            cells = [s["id"], s["label"], str(s["size"]), str(s["origins"]), dates, names]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _claims_md(data: dict[str, Any]) -> str:
    lines = ["", "## Best-supported claims per story", ""]
    if not data["clusters"]:
        return "\n".join([*lines, "No claims found.", ""])
    by_story: dict[str, list[dict[str, Any]]] = {}
    for cluster in data["clusters"]:
        by_story.setdefault(cluster["story_id"], []).append(cluster)
    for story in data["stories"]:
        found = by_story.get(story["id"], [])[:CLAIMS_PER_STORY]
        if not found:
            continue
        lines += [f"### Story {story['id']}: {_cell(story['label'])}", ""]
        lines += ["| claim | independent origins | documents | sources | hedge |"]
        lines += ["|---|---|---|---|---|"]
        for c in found:
            sources = ", ".join(f"{s} ({n})" for s, n in c["sources"].items())
            hedges = ", ".join(f"{h} ({n})" for h, n in c["hedges"].items())
            cells = [c["label"], str(c["origins"]), str(c["documents"]), sources, hedges]
            lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
        lines.append("")
    if data["disagreements"]:
        lines += [f"{len(data['disagreements'])} disagreements between sources "]
        lines += ["(`storytrace claims STORY` shows them).", ""]
    return "\n".join(lines)


def _timeline_md(data: dict[str, Any]) -> str:
    lines = ["", "## Timelines (dated claims per story)", ""]
    if not data["entries"]:
        return "\n".join([*lines, "No dated claims.", ""])
    lines += [
        "| story | when | precision | sources (independent) | stated as |",
        "|---|---|---|---|---|",
    ]
    for e in data["entries"]:
        said = "; ".join(dict.fromkeys(f'"{s["expression"]}"' for s in e["sources"]))
        estimate = " (estimated)" if any(s["estimated"] for s in e["sources"]) else ""
        cells = [e["story_id"], e["value"] + estimate, e["precision"],
                 f"{e['documents']} ({e['origins']})", said]  # fmt: skip
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    if data["unresolved"]:
        lines += [
            "",
            f"{len(data['unresolved'])} time expressions left unresolved (undated documents).",
            "",
        ]
    return "\n".join(lines) + "\n"


def _reuse_md(data: dict[str, Any]) -> str:
    titles = data["titles"]
    families = data["families"]
    kinds = {(link["doc_id"], link["origin_id"]): link for link in data["links"]}
    lines = ["", "## Reuse families (who copied whom)", ""]
    if not families:
        return "\n".join([*lines, "No document derives from another.", ""])
    lines += [
        f"{len(families)} families; {sum(f['size'] for f in families)} member documents.",
        "",
        "| family | origin | member | role | link | confidence |",
        "|---|---|---|---|---|---|",
    ]
    for family in families:
        origin = family["external_origin"] or titles.get(family["root_id"], family["root_id"])
        for m in family["members"]:
            link = next(
                (kinds[(m["doc_id"], p)] for p in m["parents"] if (m["doc_id"], p) in kinds), None
            )
            member = f"{m['doc_id'][:10]} {titles.get(m['doc_id'], '')}"
            kind, confidence = (link["kind"], f"{link['confidence']:.2f}") if link else ("", "")
            cells = [family["id"], origin, member, m["role"], kind, confidence]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


# -- report.md ------------------------------------------------------------------------------
def report_markdown(data: dict[str, Any]) -> str:
    """report.md: the report's content (``report_data``) as Markdown."""
    names = display_names(data)
    lines = ["# storytrace report", "", _counts(data), ""]
    for story in data["stories"]:
        lines += [f"## {_md(story['label'])}", "",
                  f"story `{story['id']}` · {len(story['doc_ids'])} documents · "
                  f"{story['origins']} independent origins", ""]  # fmt: skip
        if story["brief"]:
            lines += [brief_markdown(story["brief"], heading="Brief")]
        lines += ["### Timeline", ""]
        for e in story["timeline"]:
            lines.append(f"- **{e['value']}** ({e['precision']}) {_md(e['label'])} — "
                         f"{e['documents']} docs, {e['origins']} origins")  # fmt: skip
        lines += ["", "### Claims", "", "| claim | origins | docs | asserted by |",
                  "|---|---|---|---|"]  # fmt: skip
        for c in story["claims"][:CLAIMS_SHOWN]:
            who = ", ".join(f"{_md(k)} ({v})" for k, v in c["sources"].items())
            lines.append(f"| {_md(c['label'])} | {c['origins']} | {c['documents']} | {who} |")
        lines += ["", "### Provenance", ""]
        for edge in story["provenance"]["edges"]:
            lines.append(f"- {_md(names.get(edge['from'], edge['from']))} → "
                         f"{_md(names.get(edge['to'], edge['to']))} ({edge['kind']})")  # fmt: skip
        lines.append("")
    lines += ["## Documents", ""]
    for doc in data["documents"]:
        lines.append(f"- `{doc['id'][:12]}` {_md(doc['location'])} — "
                     f"{len(doc['removed'])} lines of furniture removed, "
                     f"{len(doc['relatives'])} relatives")  # fmt: skip
    return "\n".join(lines) + "\n"


def display_names(data: dict[str, Any]) -> dict[str, str]:
    """Short display names of a report's documents: their file or page name."""
    found = {}
    for doc in data["documents"]:
        found[doc["id"]] = place_name(doc["location"] or doc["id"])
    return found


def _counts(data: dict[str, Any]) -> str:
    c = data["counts"]
    text = (f"{c['documents']} documents, {c['sentences']} sentences, {c['stories']} stories, "
            f"{c['families']} derivation families, {c['claims']} claims.")  # fmt: skip
    shown = data.get("shown", {}).get("stories", c["stories"])
    if shown < c["stories"]:
        text += f" This report shows the {shown} largest stories and their documents."
    return text
