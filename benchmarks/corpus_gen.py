"""Synthetic news-like documents for speed and memory benchmarks.

Deterministic for a given seed. Each document has a title, a byline or date line on some,
8-16 paragraphs of template sentences over a random cast of people, places and numbers, and
furniture lines (share prompts, view counters, related-headline lists) drawn from a few
site templates, so every pass of the pipeline has real work to do.
"""

from __future__ import annotations

import random
from pathlib import Path

_PEOPLE = ["Ana Ruiz", "Tom Okafor", "Mei Lin", "Omar Haddad", "Lena Fischer", "Raj Patel",
           "Sara Novak", "Jon Berg", "Iris Mendez", "Kofi Mensah"]  # fmt: skip
_PLACES = ["Port Elden", "Varna Bay", "Kestrel City", "Lowmarsh", "Tarin", "North Quay",
           "Belmora", "Ostrava Heights"]  # fmt: skip
_ORGS = ["the city council", "the harbour authority", "the health ministry", "Delmar Energy",
         "the transport union", "Northwind Airlines"]  # fmt: skip
_TEMPLATES = [
    "{person} said on {day} that {org} would review the plan for {place}.",
    "Officials in {place} confirmed that {n} people were affected by the decision.",
    "{org} announced a budget of {n} million for projects in {place}.",
    "According to {person}, the talks with {org} lasted {n} hours.",
    "Residents of {place} gathered on {day} to protest against {org}.",
    "The report, published by {org}, lists {n} recommendations for {place}.",
    "{person} told reporters that the figures were not final.",
    "Critics argue that {org} moved too quickly in {place}.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_FURNITURE = [
    ["Share this article", "Views: {n}", "Tags: {place}, {org}"],
    [
        "Spread the word",
        "Also Read:",
        "Ten easy recipes for busy weeknights",
        "How to save on your energy bill this winter",
    ],
    ["Leave a Reply", "Your email address will not be published. Required fields are marked *"],
]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        person=rng.choice(_PEOPLE), place=rng.choice(_PLACES), org=rng.choice(_ORGS),
        n=rng.randint(2, 5000), day=rng.choice(_DAYS),
    )  # fmt: skip


def generate_document(rng: random.Random) -> str:
    lines = [_fill("{org} and {place}: what {person} said", rng).capitalize()]
    if rng.random() < 0.5:
        lines.append(f"Published: {rng.randint(1, 28)} March {rng.randint(2015, 2025)}")
    for _ in range(rng.randint(8, 16)):
        lines.append(" ".join(_fill(rng.choice(_TEMPLATES), rng) for _ in range(rng.randint(2, 4))))
    lines += [_fill(f, rng) for f in rng.choice(_FURNITURE)]
    return "\n\n".join(lines) + "\n"


def write_corpus(folder: Path, n: int, seed: int = 13) -> list[Path]:
    """Write ``n`` documents as doc00000.txt ... into ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"doc{i:05d}.txt"
        path.write_text(generate_document(rng), encoding="utf-8")
        paths.append(path)
    return paths
