"""From scored pairs to stories and topics, keeping story ids stable across runs.

Stories are average-link clusters of the "same event" probabilities. A run starts from the
stories already stored: new documents join one or start their own, and two stored stories
merge when the documents between them say they are one event. Every stored story is then
clustered again on its own, from single documents; if its documents no longer hold together
(new evidence, or new models, say they are two events), it splits. Every merge and split is
recorded with the stories involved.

Derivatives join their origin's story whatever their own wording says: a simplified rewrite
or a two-line summary of a report is that report's story. They are tied to their family's
root before clustering starts, so the tie holds through merges and re-checks.

Topics are the same clustering one level up: stories (not documents) start as the clusters
and merge on the "same topic" probabilities of their documents. Topics are recomputed each
run (a few hundred stories cost nothing) and keep the id of the earlier topic they share
most stories with.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from storytrace.ml.cluster import average_link
from storytrace.model import Family, StoryChange

# Pairs below this probability add next to nothing to a cluster mean; dropping them keeps
# clustering memory and time proportional to the pairs that matter.
FLOOR = 0.01


@dataclass(slots=True)
class Grouping:
    story_of: dict[str, str]  # document -> story id
    topic_of: dict[str, str]  # story id -> topic id
    changes: list[StoryChange] = field(default_factory=list)


@dataclass(slots=True)
class ScoredPairs:
    """Candidate pairs of one run as index arrays into ``doc_ids``."""

    doc_ids: list[str]
    left: np.ndarray
    right: np.ndarray
    event: np.ndarray  # P(same event)
    topic: np.ndarray  # P(same topic)

    def edges(self, which: str) -> list[tuple[int, int, float]]:
        values = self.event if which == "event" else self.topic
        keep = values >= FLOOR
        return list(
            zip(
                self.left[keep].tolist(),
                self.right[keep].tolist(),
                values[keep].tolist(),
                strict=True,
            )
        )


def group(
    pairs: ScoredPairs,
    event_threshold: float,
    topic_threshold: float,
    previous: Mapping[str, str] | None = None,
    previous_topics: Mapping[str, str] | None = None,
    families: Iterable[Family] = (),
) -> Grouping:
    """Stories and topics of ``pairs.doc_ids``.

    ``previous`` maps documents to their stored story, ``previous_topics`` stories to their
    stored topic; both empty for a first run.
    """
    previous = dict(previous or {})
    ids = pairs.doc_ids
    edges = pairs.edges("event")
    ties = _family_ties(ids, families)
    story_of, changes = _stories(ids, edges, event_threshold, previous, ties)
    topic_of = _topics(ids, pairs.edges("topic"), topic_threshold, story_of, previous_topics)
    return Grouping(story_of=story_of, topic_of=topic_of, changes=changes)


def _stories(
    ids: Sequence[str],
    edges: list[tuple[int, int, float]],
    threshold: float,
    previous: dict[str, str],
    ties: list[list[int]],
) -> tuple[dict[str, str], list[StoryChange]]:
    n = len(ids)
    position = {d: i for i, d in enumerate(ids)}
    old_groups: dict[str, list[int]] = defaultdict(list)
    for doc_id, story_id in previous.items():
        if doc_id in position:
            old_groups[story_id].append(position[doc_id])
    # 1. grow and merge the stored stories; 2. re-check each from single documents;
    # 3. when anything split, let the parts join other stories as a one-shot run would.
    labels = average_link(n, edges, threshold, _union(n, [*old_groups.values(), *ties]))
    merged = _groups(labels)
    inside: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for i, j, sim in edges:
        if labels[i] == labels[j]:
            inside[labels[i]].append((i, j, sim))
    # Clusters grown from single documents hold together by construction; only those that
    # started from a stored story need the re-check.
    parts = [
        p
        for g in merged
        for p in (
            _recheck(g, inside[labels[g[0]]], threshold, ties)
            if any(ids[i] in previous for i in g)
            else [g]
        )
    ]
    final = parts
    if len(parts) > len(merged):
        final = _groups(average_link(n, edges, threshold, _union(n, [*parts, *ties])))
    return _name_stories([[ids[i] for i in g] for g in final], previous, set(old_groups))


def _groups(labels: list[int]) -> list[list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(i)
    return list(groups.values())


def _recheck(
    members: list[int],
    edges: list[tuple[int, int, float]],
    threshold: float,
    ties: list[list[int]],
) -> list[list[int]]:
    """The cluster's documents clustered again from single documents (and families), on
    the edges between them."""
    if len(members) < 2:
        return [members]
    local = {m: k for k, m in enumerate(members)}
    sub = [(local[i], local[j], s) for i, j, s in edges]
    tied = [[local[m] for m in group if m in local] for group in ties if group[0] in local]
    labels = average_link(len(members), sub, threshold, initial=tied)
    return [[members[k] for k in g] for g in _groups(labels)]


def _name_stories(
    clusters: list[list[str]], previous: Mapping[str, str], used: set[str]
) -> tuple[dict[str, str], list[StoryChange]]:
    """Give each cluster a story id, keeping stored ids, and record what changed.

    A stored story belongs to the cluster holding most of its documents (ties: the larger
    cluster). A cluster that holds one stored story keeps its id; holding several, it keeps
    the one with most documents there and records a merge; holding none, it is new. Stored
    documents that left their story's cluster record a split.
    """
    counts = [Counter(previous[d] for d in docs if d in previous) for docs in clusters]
    home: dict[str, int] = {}
    for old in {s for c in counts for s in c}:
        home[old] = max(
            (k for k, c in enumerate(counts) if old in c),
            key=lambda k: (counts[k][old], len(clusters[k]), -k),
        )
    owned: dict[int, list[str]] = defaultdict(list)
    for old, k in home.items():
        owned[k].append(old)
    story_of: dict[str, str] = {}
    names: dict[int, str] = {}
    changes: list[StoryChange] = []
    for k, docs in sorted(enumerate(clusters), key=lambda kc: min(kc[1])):
        mine = sorted(owned[k], key=lambda s: (-counts[k][s], s))
        added = sum(1 for d in docs if d not in previous)
        if not mine:
            names[k] = _new_id(docs, used)
            if not counts[k]:
                changes.append(StoryChange("new", names[k], [], len(docs)))
        else:
            names[k] = mine[0]
            detail = f"{added} new documents"
            if len(mine) > 1:
                changes.append(StoryChange("merge", names[k], mine[1:], len(docs), detail))
            elif added:
                changes.append(StoryChange("grow", names[k], [], len(docs), detail))
        story_of.update(dict.fromkeys(docs, names[k]))
    for old, k in sorted(home.items()):
        left_for = sorted({names[j] for j, c in enumerate(counts) if old in c and j != k})
        if left_for:
            changes.append(
                StoryChange("split", old, left_for, len(clusters[k]), "documents re-clustered")
            )
    return story_of, changes


def _new_id(members: Sequence[str], used: set[str], prefix: str = "s") -> str:
    """A short id derived from the smallest member, so reruns name a story the same."""
    seed = min(members)
    for attempt in range(1000):
        new_id = prefix + hashlib.sha1(f"{seed}:{attempt}".encode()).hexdigest()[:10]
        if new_id not in used:
            used.add(new_id)
            return new_id
    raise RuntimeError("could not find a free id")  # pragma: no cover


def _family_ties(ids: Sequence[str], families: Iterable[Family]) -> list[list[int]]:
    """Index groups that must share a story: each family's root and its derivatives.

    A page combining two families is tied to the larger one only, so it cannot join two
    unrelated stories into one.
    """
    position = {d: i for i, d in enumerate(ids)}
    tied: set[str] = set()
    groups = []
    for family in sorted(families, key=lambda f: (-len(f.members), f.id)):
        if family.root_id not in position:
            continue
        members = [d for d in family.doc_ids if d in position and d not in tied]
        tied.update(members)
        if family.root_id in members and len(members) > 1:
            members.remove(family.root_id)
            groups.append([position[family.root_id]] + [position[d] for d in members])
    return groups


def _union(n: int, groups: Iterable[Sequence[int]]) -> list[list[int]]:
    """Overlapping groups joined into disjoint ones."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for group in groups:
        for item in group[1:]:
            parent[find(item)] = find(group[0])
    joined: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        joined[find(i)].append(i)
    return [g for g in joined.values() if len(g) > 1]


def _topics(
    ids: Sequence[str],
    edges: list[tuple[int, int, float]],
    threshold: float,
    story_of: Mapping[str, str],
    previous_topics: Mapping[str, str] | None,
) -> dict[str, str]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, doc_id in enumerate(ids):
        groups[story_of[doc_id]].append(i)
    labels = average_link(len(ids), edges, threshold, initial=list(groups.values()))
    stories_in: dict[int, set[str]] = defaultdict(set)
    for story_id, members in groups.items():
        stories_in[labels[members[0]]].add(story_id)
    old: dict[str, set[str]] = defaultdict(set)
    for story_id, topic_id in (previous_topics or {}).items():
        old[topic_id].add(story_id)
    topic_of: dict[str, str] = {}
    used: set[str] = set()
    taken = set(old)
    for stories in sorted(stories_in.values(), key=lambda s: (-len(s), min(s))):
        overlap = {t: len(stories & s) for t, s in old.items() if t not in used and stories & s}
        if overlap:
            topic_id = min(overlap, key=lambda t: (-overlap[t], t))
            used.add(topic_id)
            taken.add(topic_id)
        else:
            topic_id = _new_id(sorted(stories), taken, prefix="t")
        topic_of.update(dict.fromkeys(stories, topic_id))
    return topic_of
