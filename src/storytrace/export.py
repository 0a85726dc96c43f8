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
from storytrace.store import Store

DOCUMENTS_SCHEMA = "storytrace.documents/1"


def write_outputs(store: Store, out: Path) -> list[Path]:
    """Write documents.json and summary.md into ``out``; returns the paths written."""
    documents = [store.get(s.id) for s in store.summaries()]
    payload = {
        "schema": DOCUMENTS_SCHEMA,
        "storytrace": __version__,
        "documents": [asdict(d) | {"locations": store.locations(d.id)} for d in documents],
        "errors": [asdict(e) for e in store.errors()],
    }
    json_path = out / "documents.json"
    _write_atomic(json_path, json.dumps(payload, indent=2, ensure_ascii=False))
    md_path = out / "summary.md"
    _write_atomic(md_path, _summary_markdown(store))
    return [json_path, md_path]


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


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file so an interrupted run never leaves a half-written output."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
