"""Charts drawn as inline SVG, so a report needs no script and no network to be read.

Every piece of text placed in a drawing goes through ``html.escape``: article text and
names are untrusted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

import networkx as nx

_WIDTH = 860
_FONT = "font-family:system-ui,sans-serif;font-size:12px"
_COLOURS = {"origin": "#1b6ac9", "derivative": "#d9822b", "external": "#7a4fbf",
            "independent": "#3c8c4a"}  # fmt: skip


def timeline_svg(entries: list[dict[str, Any]]) -> str:
    """Dated entries on a time axis, one row each (earliest at the top), with their value,
    support and the start of the dating sentence."""
    if not entries:
        return ""
    days = [_day(e["sort_key"]) for e in entries]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    left, right, row = 150, 40, 26
    height = row * len(entries) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
        f'role="img" aria-label="timeline" style="{_FONT}">',
        f'<line x1="{left}" y1="{height - 24}" x2="{_WIDTH - right}" y2="{height - 24}" '
        'stroke="#888"/>',
        f'<text x="{left}" y="{height - 6}">{escape(first.isoformat())}</text>',
        f'<text x="{_WIDTH - right}" y="{height - 6}" text-anchor="end">'
        f"{escape(last.isoformat())}</text>",
    ]
    for k, (entry, day) in enumerate(zip(entries, days, strict=True)):
        y = 18 + k * row
        x = left + (_WIDTH - left - right) * (day - first).days / span
        radius = 4 + min(entry.get("origins", 1), 6)
        parts += [
            f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{height - 24}" stroke="#ddd"/>',
            f'<circle cx="{x:.1f}" cy="{y}" r="{radius}" fill="#1b6ac9" fill-opacity="0.7">'
            f"<title>{escape(entry['label'])}</title></circle>",
            f'<text x="4" y="{y + 4}">{escape(entry["value"])} · {entry.get("origins", 0)} '
            "origins</text>",
            f'<text x="{min(x + 12, _WIDTH - 300):.1f}" y="{y + 4}" fill="#333">'
            f"{escape(_short(entry['label'], 45))}</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def provenance_svg(
    graph: dict[str, list[dict[str, Any]]],
    names: dict[str, str],
    link: Callable[[str], str] | None = None,
) -> str:
    """Documents as boxes in layers (sources left, what derives from them right), arrows
    from each derived page to its source; external declared origins in purple. With
    ``link``, each document's box links to ``link(doc_id)`` (its page or its section)."""
    nodes = {n["id"]: n for n in graph["nodes"]}
    if not graph["edges"]:
        return ""
    layout = nx.DiGraph()
    layout.add_nodes_from(nodes)
    # Draw sources to the left: an arrow goes derived -> source, so layers follow sources.
    layout.add_edges_from((e["to"], e["from"]) for e in graph["edges"])
    layers = _layers(layout)
    columns = max(layers.values()) + 1
    rows: dict[int, int] = {}
    position = {}
    for node in sorted(nodes, key=lambda n: (layers[n], names.get(n, n))):
        column = layers[node]
        position[node] = (
            20 + column * (_WIDTH - 200) / max(columns - 1, 1),
            30 + 44 * rows.get(column, 0),
        )
        rows[column] = rows.get(column, 0) + 1
    height = 44 * max(rows.values()) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="provenance graph" style="{_FONT}"><defs><marker id="arrow" '
        'viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#666"/>'
        "</marker></defs>"
    ]
    for edge in graph["edges"]:
        (x1, y1), (x2, y2) = position[edge["from"]], position[edge["to"]]
        label = edge["kind"] + (f" {edge['confidence']:.2f}" if edge["confidence"] else "")
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2 + 160:.1f}" y2="{y2:.1f}" stroke="#666" '
            f'marker-end="url(#arrow)"><title>{escape(label)}</title></line>'
        )
    for node_id, (x, y) in position.items():
        node = nodes[node_id]
        colour = _COLOURS.get(node.get("kind", "independent"), "#3c8c4a")
        dash = "" if node.get("in_story", True) else ' stroke-dasharray="4 3"'
        text = node.get("label") or names.get(node_id, node_id[:12])
        box = (
            f'<rect x="{x:.1f}" y="{y - 14:.1f}" width="160" height="26" rx="5" fill="#fff" '
            f'stroke="{colour}" stroke-width="2"{dash}><title>{escape(text)}</title></rect>'
            f'<text x="{x + 6:.1f}" y="{y + 4:.1f}" fill="{colour}">'
            f"{escape(_short(text, 21))}</text>"
        )
        if link is not None and node.get("kind") != "external":
            box = f'<a href="{escape(link(node_id))}">{box}</a>'
        parts.append(box)
    parts.append("</svg>")
    return "".join(parts)


def _layers(graph: nx.DiGraph) -> dict[str, int]:
    """Column of each node: the longest chain of sources above it (cycles, which a
    derivation graph should not have, are cut by condensing them)."""
    condensed = nx.condensation(graph)
    depth: dict[int, int] = {}
    for component in nx.topological_sort(condensed):
        preds = list(condensed.predecessors(component))
        depth[component] = 1 + max((depth[p] for p in preds), default=-1)
    mapping = condensed.graph["mapping"]
    return {node: depth[mapping[node]] for node in graph.nodes}


def _day(sort_key: str) -> date:
    try:
        return date.fromisoformat(sort_key[:10])
    except ValueError:
        return date(9999, 12, 31)


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"
