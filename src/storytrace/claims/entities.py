"""Named entities linked across the documents of one story.

Names are normalised as for story grouping ("Kim Jong-un" = "Kim Jong Un" = "Kim Jong Un's").
On top of that, a short form is linked to the one full name it can stand for: a bare
"Kim" to "Kim Jong Un" (the person the same document names in full first, otherwise the
only person of the story whose first or last name it is), and an acronym to the name it
abbreviates ("UN" -> "United Nations") when the story holds exactly one such name. A short
form that could stand for two people stays on its own: a wrong merge would misreport who
said what.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from storytrace.model import EntityMention, LinkedEntity
from storytrace.text import NAME_LABELS, entity_key, longest_first

_SMALL_WORDS = frozenset({"of", "the", "and", "for", "de"})


def link_entities(
    story_id: str, mentions: Mapping[str, Sequence[EntityMention]]
) -> tuple[list[LinkedEntity], dict[tuple[str, int], str]]:
    """``mentions``: doc id -> its entity mentions. Returns the entities, most mentioned
    first, and each name mention's entity key by (doc id, mention start)."""
    named = {
        doc_id: [(m, entity_key(m.text)) for m in found if m.label in NAME_LABELS]
        for doc_id, found in mentions.items()
    }
    full_people = {
        key for found in named.values() for m, key in found if m.label == "PERSON" and " " in key
    }
    acronyms = _acronyms({key for found in named.values() for _, key in found if " " in key})
    groups: dict[str, list[tuple[str, EntityMention]]] = defaultdict(list)
    keys: dict[tuple[str, int], str] = {}
    for doc_id, found in named.items():
        in_doc = longest_first(key for m, key in found if m.label == "PERSON" and " " in key)
        for mention, key in found:
            if not key:
                continue
            canonical = _canonical(mention, key, in_doc, full_people, acronyms)
            groups[canonical].append((doc_id, mention))
            keys[(doc_id, mention.start)] = canonical
    linked = [_entity(story_id, key, rows) for key, rows in groups.items()]
    return sorted(linked, key=lambda e: (-e.mentions, e.key)), keys


def _canonical(
    mention: EntityMention,
    key: str,
    in_doc: list[str],
    full_people: set[str],
    acronyms: dict[str, str],
) -> str:
    if " " in key:
        return _underscored(key)
    if mention.label == "PERSON":
        local = [p for p in in_doc if key in (p.split()[0], p.split()[-1])]
        if local:
            return _underscored(local[0])
        story = [p for p in full_people if key in (p.split()[0], p.split()[-1])]
        if len(story) == 1:
            return _underscored(story[0])
    elif mention.text.strip().isupper() and key in acronyms:
        return _underscored(acronyms[key])
    return _underscored(key)


def _acronyms(full_names: set[str]) -> dict[str, str]:
    """An acronym -> "united nations" where exactly one multi-word name has those initials."""
    by_initials: dict[str, list[str]] = defaultdict(list)
    for name in full_names:
        initials = "".join(w[0] for w in name.split() if w not in _SMALL_WORDS)
        if len(initials) >= 2:
            by_initials[initials].append(name)
    return {short: names[0] for short, names in by_initials.items() if len(names) == 1}


def _entity(story_id: str, key: str, rows: list[tuple[str, EntityMention]]) -> LinkedEntity:
    forms = Counter(_written(m.text) for _, m in rows)
    full_forms = Counter({f: c for f, c in forms.items() if _underscored(entity_key(f)) == key})
    name = (full_forms or forms).most_common(1)[0][0]
    labels = Counter(m.label for _, m in rows)
    return LinkedEntity(
        story_id=story_id,
        key=key,
        name=name,
        label=labels.most_common(1)[0][0],
        aliases=sorted(forms),
        mentions=len(rows),
        documents=len({doc_id for doc_id, _ in rows}),
    )


def _written(text: str) -> str:
    text = text.strip()
    for suffix in ("'s", "’s", "'", "’"):
        text = text.removesuffix(suffix)
    return text.strip()


def _underscored(key: str) -> str:
    return key.replace(" ", "_")
