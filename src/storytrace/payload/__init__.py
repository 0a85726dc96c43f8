"""Every output a user or another program reads, built in one place: JSON payloads from the
store (``data``) and Markdown drawn from them (``markdown``). The CLI prints them (or
renders tables from them), the web app serves them, ``analyze`` writes them, and the
report is drawn from ``report_data``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from storytrace.payload.data import (
    ANSWER_SCHEMA,
    BRIEF_SCHEMA,
    CLAIMS_SCHEMA,
    DOCUMENTS_SCHEMA,
    ENTITY_TIMELINE_SCHEMA,
    REPORT_SCHEMA,
    REUSE_SCHEMA,
    STORIES_SCHEMA,
    TIMELINE_SCHEMA,
    answer_payload,
    brief_payload,
    claims_payload,
    counts,
    display_titles,
    document_data,
    document_list,
    document_payload,
    documents_payload,
    entity_timeline_payload,
    overview,
    provenance,
    report_data,
    reuse_payload,
    stories_payload,
    story_data,
    story_doc_ids,
    story_list,
    story_payload,
    story_summary,
    timeline_payload,
    topic_list,
)
from storytrace.payload.markdown import (
    brief_markdown,
    display_names,
    markdown_escape,
    report_markdown,
    summary_markdown,
)
from storytrace.payload.public import public, shown_location
from storytrace.store import Store
from storytrace.util import write_atomic


def write_outputs(store: Store, out: Path) -> list[Path]:
    """documents.json, reuse.json, stories.json, claims.json, timeline.json and summary.md
    in ``out``; returns the paths."""
    payloads = {
        "documents": documents_payload(store),
        "reuse": reuse_payload(store),
        "stories": stories_payload(store),
        "claims": claims_payload(store),
        "timeline": timeline_payload(store),
    }
    written = []
    for name, data in payloads.items():
        path = out / f"{name}.json"
        write_atomic(path, to_json(data))
        written.append(path)
    summary = out / "summary.md"
    write_atomic(summary, summary_markdown(**payloads))
    return [*written, summary]


def to_json(data: Any) -> str:
    """Payloads as the files and ``--json`` print them: indented, UTF-8 kept readable.

    orjson writes the text ``json.dumps(indent=2, ensure_ascii=False)`` would (numbers
    aside: 0.00001 for 1e-05, null for NaN) ten times faster: at 10,000 documents the
    outputs are 265 MB of JSON, 11 s with json, 1 s with orjson."""
    return orjson.dumps(data, option=_JSON_OPTIONS).decode("utf-8")


# Dictionary keys that are not strings become strings, as json does; NumPy numbers too.
_JSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


__all__ = [
    "ANSWER_SCHEMA",
    "BRIEF_SCHEMA",
    "CLAIMS_SCHEMA",
    "DOCUMENTS_SCHEMA",
    "ENTITY_TIMELINE_SCHEMA",
    "REPORT_SCHEMA",
    "REUSE_SCHEMA",
    "STORIES_SCHEMA",
    "TIMELINE_SCHEMA",
    "answer_payload",
    "brief_markdown",
    "brief_payload",
    "claims_payload",
    "counts",
    "display_names",
    "display_titles",
    "document_data",
    "document_list",
    "document_payload",
    "documents_payload",
    "entity_timeline_payload",
    "markdown_escape",
    "overview",
    "provenance",
    "public",
    "report_data",
    "report_markdown",
    "reuse_payload",
    "shown_location",
    "stories_payload",
    "story_data",
    "story_doc_ids",
    "story_list",
    "story_payload",
    "story_summary",
    "summary_markdown",
    "timeline_payload",
    "to_json",
    "topic_list",
    "write_outputs",
]
