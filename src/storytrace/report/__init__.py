"""Reports: one self-contained HTML file, and the same content as Markdown and JSON.

``write_report(store, out)`` writes ``report.html`` (no script, no network: inline CSS,
inline SVG charts, a Content-Security-Policy that forbids both; every piece of article
text escaped by Jinja2's autoescaping), ``report.md`` and ``report.json`` (schema
``storytrace.report/1``, docs/design/report.md). Per story: the brief, the timeline (a
chart and a table), the claims with support and attribution, the provenance graph
(families, origins, declared external sources); then every document with its clean text,
its removed furniture and its relatives with aligned sentences.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storytrace.brief import markdown_escape as _md
from storytrace.report.data import REPORT_SCHEMA, report_data
from storytrace.report.svg import provenance_svg, timeline_svg
from storytrace.store.sqlite import Store
from storytrace.util import write_atomic

CLAIMS_SHOWN = 15  # claims listed per story in HTML/Markdown; report.json has them all


def write_report(store: Store, out: Path) -> list[Path]:
    """Write report.html, report.md and report.json into ``out`` (created)."""
    out.mkdir(parents=True, exist_ok=True)
    data = report_data(store)
    written = []
    for name, text in (
        ("report.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n"),
        ("report.html", render_html(data)),
        ("report.md", render_markdown(data)),
    ):
        path = out / name
        write_atomic(path, text)
        written.append(path)
    return written


def render_html(data: dict[str, Any]) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("storytrace.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    names = _names(data)
    return env.get_template("report.html.j2").render(
        data=data,
        stories={s["id"]: s for s in data["stories"]},
        names=names,
        claims_shown=CLAIMS_SHOWN,
        timeline_svgs={s["id"]: timeline_svg(s["timeline"]) for s in data["stories"]},
        provenance_svgs={
            s["id"]: provenance_svg(s["provenance"], names, lambda d: f"#doc-{d}")
            for s in data["stories"]
        },
    )


def render_markdown(data: dict[str, Any]) -> str:
    from storytrace.brief import render_markdown as brief_markdown
    from storytrace.brief.extractive import Brief, BriefDisagreement, BriefItem, Source

    names = _names(data)
    lines = ["# storytrace report", "", _counts(data), ""]
    for story in data["stories"]:
        lines += [f"## {_md(story['label'])}", "",
                  f"story `{story['id']}` · {len(story['doc_ids'])} documents · "
                  f"{story['origins']} independent origins", ""]  # fmt: skip
        if story["brief"]:
            b = story["brief"]
            brief = Brief(
                b["story_id"], "Brief", [BriefItem(**i) for i in b["items"]],
                [BriefDisagreement(**d) for d in b["disagreements"]],
                [Source(**s) for s in b["sources"]], b["left_out"], b["mode"], b["generated"],
            )  # fmt: skip
            lines += [brief_markdown(brief)]
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


def _names(data: dict[str, Any]) -> dict[str, str]:
    """Short display names of documents: their file or page name."""
    found = {}
    for doc in data["documents"]:
        location = doc["location"] or doc["id"]
        found[doc["id"]] = location.rstrip("/").rsplit("/", 1)[-1]
    return found


def _counts(data: dict[str, Any]) -> str:
    c = data["counts"]
    return (f"{c['documents']} documents, {c['sentences']} sentences, {c['stories']} stories, "
            f"{c['families']} derivation families, {c['claims']} claims.")  # fmt: skip


__all__ = ["REPORT_SCHEMA", "render_html", "render_markdown", "report_data", "write_report"]
