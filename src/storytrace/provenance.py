"""Provenance helpers: how many independent origins a set of documents represents.

Every count storytrace shows (a story's sources, a claim's support, a timeline entry's
sources, an answer's citations) counts *independent origins*: the documents of one
derivation family (the reuse stage's output) count once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import networkx as nx

from storytrace.model import Family


def independent_origins(doc_ids: Iterable[str], families: Iterable[Family]) -> int:
    """How many independent origins a set of documents represents.

    Documents in one family count once; a document in no family is its own origin. A page
    that combines two families joins them for this count (it cannot tell which of its
    origins a given statement came from, so the count stays conservative).
    """
    return len(origin_groups(doc_ids, families))


def origin_groups(doc_ids: Iterable[str], families: Iterable[Family]) -> list[list[str]]:
    """The documents grouped by independent origin (see ``independent_origins``), each
    group sorted, groups in order of their first document."""
    wanted = set(doc_ids)
    graph = nx.Graph()
    graph.add_nodes_from(wanted)
    for family in families:
        present = [d for d in family.doc_ids if d in wanted]
        graph.add_edges_from(itertools.pairwise(present))
    return sorted(sorted(group) for group in nx.connected_components(graph))
