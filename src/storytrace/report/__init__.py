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

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from storytrace.payload import REPORT_SCHEMA, display_names, report_data, report_markdown, to_json
from storytrace.payload.markdown import CLAIMS_SHOWN
from storytrace.report.svg import provenance_svg, timeline_svg
from storytrace.store import Store
from storytrace.util import write_atomic


def write_report(store: Store, out: Path, largest: int | None = None) -> list[Path]:
    """Write report.html, report.md and report.json into ``out`` (created); with
    ``largest``, of the largest stories only."""
    out.mkdir(parents=True, exist_ok=True)
    data = report_data(store, largest=largest)
    written = []
    for name, text in (
        ("report.json", to_json(data) + "\n"),
        ("report.html", render_html(data)),
        ("report.md", report_markdown(data)),
    ):
        path = out / name
        write_atomic(path, text)
        written.append(path)
    return written


def render_html(data: dict[str, Any]) -> str:
    env = Environment(
        loader=PackageLoader("storytrace.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    names = display_names(data)
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


__all__ = ["REPORT_SCHEMA", "render_html", "report_data", "write_report"]
