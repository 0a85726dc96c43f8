"""What the story stage reads from a document.

Two reports of one event share its names, places, numbers and dates, even when they word it
differently; two events of one kind (two earthquakes, two rehab check-ins) share their
vocabulary but not their names or dates. So a document is kept as separate bags: all its
content words, the words left once names and numbers are taken out (what *kind* of event it
is: the topic), and its named entities by type, normalised so that "Kim Jong-un",
"Kim Jong Un" and "Kim Jong Un's" are one name.
"""

from __future__ import annotations

import re
from collections import Counter

from storytrace.model import Document, StoryText
from storytrace.text import (
    NAME_LABELS,
    POSSESSIVE,
    content_terms,
    entity_key,
    longest_first,
    words,
)

ENTITY_GROUPS = ("name", "person", "place", "org")
_MASKED_LABELS = {*NAME_LABELS, "DATE", "TIME", "CARDINAL", "MONEY", "QUANTITY", "PERCENT"}
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_LEAD_SENTENCES = 3
_PLAIN_LEAD_WORDS = 60


def story_text(doc: Document) -> StoryText:
    body = doc.text
    title = doc.title or ""
    names = _names(doc)
    plain_body = _masked(doc)
    plain_words = words(f"{_masked_title(title, doc)} {plain_body}")
    numbers = {n for n in _NUMBER.findall(body) if not _YEAR.fullmatch(n)}
    sentences = [s.text for s in doc.sentences[:_LEAD_SENTENCES]]
    return StoryText(
        doc_id=doc.id,
        published=doc.published,
        terms=_bag(words(f"{title} {body}")),
        plain=_bag(plain_words),
        names={group: Counter(keys) for group, keys in names.items()},
        numbers=frozenset(numbers),
        years=frozenset(_YEAR.findall(f"{title} {body}")),
        lead=" ".join([title, *sentences]).strip() or body[:500],
        plain_lead=" ".join(plain_words[:_PLAIN_LEAD_WORDS]),
        surface=_surface_forms(doc),
    )


def _bag(tokens: list[str]) -> Counter[str]:
    keep = content_terms(tokens)
    return Counter(t for t in tokens if t in keep and not t.isdigit())


def _names(doc: Document) -> dict[str, list[str]]:
    """Normalised names per group; a short mention ("Kim") that ends or starts a longer
    person name in the same document counts as that name."""
    found: dict[str, list[str]] = {group: [] for group in ENTITY_GROUPS}
    people = {entity_key(e.text) for e in doc.entities if e.label == "PERSON"}
    full = longest_first(p for p in people if " " in p)
    for mention in doc.entities:
        group = NAME_LABELS.get(mention.label)
        key = entity_key(mention.text)
        if group is None or not key:
            continue
        if mention.label == "PERSON" and " " not in key:
            key = next((p for p in full if key in (p.split()[0], p.split()[-1])), key)
        token = key.replace(" ", "_")
        found["name"].append(token)
        if group != "other":
            found[group].append(token)
    return found


def _surface_forms(doc: Document) -> dict[str, str]:
    """The longest written form of each name key, for labels."""
    forms: dict[str, str] = {}
    for mention in doc.entities:
        if mention.label in NAME_LABELS:
            key = entity_key(mention.text).replace(" ", "_")
            text = POSSESSIVE.sub("", mention.text.strip())
            if key and len(text) > len(forms.get(key, "")):
                forms[key] = text
    return forms


def _masked(doc: Document) -> str:
    """The body with names, dates and quantities cut out."""
    spans = sorted((e.start, e.end) for e in doc.entities if e.label in _MASKED_LABELS)
    parts, position = [], 0
    for start, end in spans:
        if start >= position:
            parts.append(doc.text[position:start])
            position = end
    parts.append(doc.text[position:])
    return " ".join(parts)


def _masked_title(title: str, doc: Document) -> str:
    """The title without the names found in the body (titles are not run through NER)."""
    for mention in doc.entities:
        if mention.label in _MASKED_LABELS and mention.text in title:
            title = title.replace(mention.text, " ")
    return title
