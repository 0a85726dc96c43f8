"""The family and link indexes answer what scanning every family or link would."""

from __future__ import annotations

import random

from storytrace.model import Family, FamilyMember, ReuseLink
from storytrace.provenance import FamilyIndex, LinkIndex

DOCS = [f"d{i}" for i in range(40)]


def _families(rng: random.Random) -> list[Family]:
    families = []
    for k in range(15):
        members = rng.sample(DOCS, rng.randint(2, 5))
        roles = ["origin"] + ["derivative"] * (len(members) - 1)
        families.append(
            Family(
                f"f{k}",
                members[0],
                [FamilyMember(d, r) for d, r in zip(members, roles, strict=True)],
                0.9,
            )
        )
    return families


def _links(rng: random.Random) -> list[ReuseLink]:
    return [
        ReuseLink(a, b, "copy", rng.random(), 0.8, 0.5, 0.5)
        for a, b in (rng.sample(DOCS, 2) for _ in range(60))
    ]


def test_families_touching_a_set_are_those_a_scan_finds_in_the_same_order() -> None:
    rng = random.Random(4)
    families = _families(rng)
    index = FamilyIndex(families)
    assert len(index) == len(families)
    for _ in range(50):
        wanted = rng.sample(DOCS, rng.randint(1, 8))
        expected = [f for f in families if set(wanted) & set(f.doc_ids)]
        assert index.touching(wanted) == expected
    assert index.touching(["nowhere"]) == []


def test_links_of_a_document_and_among_a_set_are_those_a_scan_finds() -> None:
    rng = random.Random(9)
    links = _links(rng)
    index = LinkIndex(links)
    for doc_id in DOCS:
        assert index.of(doc_id) == [x for x in links if doc_id in (x.doc_id, x.origin_id)]
    for _ in range(50):
        wanted = set(rng.sample(DOCS, rng.randint(2, 12)))
        expected = [x for x in links if x.doc_id in wanted and x.origin_id in wanted]
        assert index.among(wanted) == expected
