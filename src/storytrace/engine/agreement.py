"""How far two stores agree: the same families, the same stories, the same claim support.

Batch mode's full analysis is checked against ``storytrace analyze`` with this (the
agreement test, ``benchmarks/batch_agreement.py``): a document agrees when its family (the
documents it shares one with) and its story (likewise) are the same in both; a claim agrees
when it is in both with the same count of independent origins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from storytrace.store import Store


@dataclass(slots=True)
class Agreement:
    documents: int = 0
    same_family: int = 0
    same_story: int = 0
    claims: int = 0
    same_support: int = 0
    # Claims the reference supports in two or more independent origins: the ones whose
    # count a reader acts on (most claims are stated by one origin, alike in both).
    supported_claims: int = 0
    same_supported: int = 0
    # Up to ``examples`` ids of each kind of difference, for a reader to look at.
    family_differences: list[str] = field(default_factory=list)
    story_differences: list[str] = field(default_factory=list)
    support_differences: list[str] = field(default_factory=list)

    def shares(self) -> dict[str, float]:
        def share(n: int, of: int) -> float:
            return round(n / of, 4) if of else 1.0

        return {
            "documents_same_family": share(self.same_family, self.documents),
            "documents_same_story": share(self.same_story, self.documents),
            "claims_same_support": share(self.same_support, self.claims),
            "claims_of_2_origins_same_support": share(self.same_supported, self.supported_claims),
        }


def compare(reference: Store, other: Store, examples: int = 20) -> Agreement:
    """Agreement of ``other`` with ``reference`` over the reference's documents and claims."""
    found = Agreement()
    families = (_groups(reference, _FAMILIES), _groups(other, _FAMILIES))
    stories = (_groups(reference, _STORIES), _groups(other, _STORIES))
    for (doc_id,) in reference.conn.execute("SELECT id FROM documents ORDER BY id"):
        found.documents += 1
        alone = frozenset([doc_id])
        if families[0].get(doc_id, alone) == families[1].get(doc_id, alone):
            found.same_family += 1
        elif len(found.family_differences) < examples:
            found.family_differences.append(doc_id)
        if stories[0].get(doc_id, alone) == stories[1].get(doc_id, alone):
            found.same_story += 1
        elif len(found.story_differences) < examples:
            found.story_differences.append(doc_id)
    theirs = dict(other.conn.execute("SELECT id, origins FROM claim_clusters"))
    for claim_id, origins in reference.conn.execute(
        "SELECT id, origins FROM claim_clusters ORDER BY id"
    ):
        found.claims += 1
        same = theirs.get(claim_id) == origins
        if origins >= 2:
            found.supported_claims += 1
            found.same_supported += same
        if same:
            found.same_support += 1
        elif len(found.support_differences) < examples:
            found.support_differences.append(claim_id)
    return found


_FAMILIES = "SELECT family_id, doc_id FROM family_members"
_STORIES = "SELECT story_id, doc_id FROM story_members"


def _groups(store: Store, query: str) -> dict[str, frozenset[str]]:
    """Each document's companions: the members of every group it is in."""
    members: dict[str, set[str]] = defaultdict(set)
    groups_of: dict[str, list[str]] = defaultdict(list)
    rows: Iterable[tuple[str, str]] = store.conn.execute(query)
    for group, doc_id in rows:
        members[group].add(doc_id)
        groups_of[doc_id].append(group)
    return {d: frozenset().union(*(members[g] for g in groups)) for d, groups in groups_of.items()}
