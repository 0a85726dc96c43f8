"""The story graph of a whole corpus, and the partitions that finish the analysis.

Stories cannot be decided inside partitions drawn from the light pass's signals (static lead
vectors, capitalised words): those split one event's reports more often than the story
models do (on ECB+, 590 of 865 documents sit in stories that lead groups split). So, once
every partition has its story evidence (MiniLM vectors, spaCy names), one task:

1. loads the evidence of every partition, in the order ``Store.stories.load`` gives one
   store (by document id), and finds and scores the candidate pairs over the whole corpus
   with the story stage's own functions (``corpus_pairs``): neighbours, ranks and idf are
   the whole corpus's, as ``analyze`` computes them;
2. groups them into stories with the story stage's own grouping (``group``), before
   derivation families are known (they come from the reuse stage, run per partition);
   a story and a copy group of the light pass that share a document are one unit;
3. packs whole units into partitions (``packing.pack``; a unit larger than a partition
   is cut, and the run says how many documents such cuts touched).

Average-link is reducible: clustering any union of whole stories of the corpus gives those
stories again, so a partition's own grouping of its pairs (ranks and scores the corpus's)
finds the stories the corpus has. What can still differ is a derivation family the reuse
stage finds across two units (a derivative joins its origin's story): its units may sit in
two partitions.

Each finishing partition then copies its documents' rows from the partitions that prepared
them (:func:`move_documents`) and is given its pairs with their corpus-wide scores, so its
story stage groups exactly the pairs ``analyze`` groups. Everything is written under
``OUT/.work/partitions/stories``; the driver only reads partition sizes.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from storytrace.engine.packing import pack
from storytrace.model import STORY_BAGS, StoryText
from storytrace.store import Store
from storytrace.store.tables import copy_documents
from storytrace.stories.assign import ScoredPairs, group
from storytrace.stories.classifier import load_story_weights
from storytrace.stories.features import build_index
from storytrace.stories.stage import GIVEN_PAIRS, corpus_pairs
from storytrace.util import write_atomic

STORIES = "stories"
_GRAPH = "graph.json"
_ASSIGNMENT = "assignment.parquet"
_PAIRS = "pairs.parquet"
_MOVED = "moved"  # written once a finishing partition's store holds its documents


@dataclass(slots=True)
class StoryPart:
    """A finishing partition: whole components of the story graph."""

    index: int
    folder: Path
    documents: int


@dataclass(slots=True)
class Graph:
    """What the story graph task found (its files hold the rest)."""

    sizes: list[int]  # documents per finishing partition
    pairs: int  # scored candidate pairs
    components: int  # units: stories joined by copy groups
    largest: int  # documents in the largest unit
    cut: int  # documents in units cut because they exceed a partition


def story_graph(
    stores: Sequence[Path],
    copy_groups: Path | None,
    df: Mapping[str, Mapping[str, int]],
    documents: int,
    capacity: int,
    folder: Path,
) -> Graph:
    """Score the corpus's story pairs over every partition's evidence; pack components.

    Done once per plan and capacity: a finished graph in ``folder`` is read back."""
    record = folder / _GRAPH
    if record.exists():
        found = json.loads(record.read_text(encoding="utf-8"))
        if found.get("capacity") == capacity:
            return Graph(**found["graph"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    texts, doc_vectors, leads, plains, homes = _evidence(stores)
    weights = load_story_weights()
    lead_vectors = np.zeros((0, 0), np.float32)
    scored = ScoredPairs([], *(np.zeros(0, np.int64),) * 2, *(np.zeros(0),) * 2)
    if texts:
        given = {bag: Counter(df.get(bag, {})) for bag in STORY_BAGS}
        index = build_index(texts, doc_vectors, leads, plains, given, documents)
        scored = corpus_pairs(index, weights)
        lead_vectors = index.lead_vectors
    grouping = group(scored, weights.event_threshold, weights.topic_threshold)
    # Documents without story evidence (a stage failed on them) are in no story, as in
    # one store, but they are part of the analysis: each one a unit of its own.
    others, other_homes = _without_evidence(stores)
    ids = np.asarray([t.doc_id for t in texts] + others, dtype=object)
    homes += other_homes
    edges = [_story_edges(ids[: len(texts)], grouping.story_of), _copy_edges(ids, copy_groups)]
    label = components(len(ids), np.concatenate(edges))
    width = lead_vectors.shape[1]
    vectors = np.vstack([lead_vectors, np.zeros((len(others), width), np.float32)])
    part = pack(label, vectors, capacity)
    _write_assignment(folder / _ASSIGNMENT, ids, homes, part)
    same = part[scored.left] == part[scored.right]
    _write_pairs(folder / _PAIRS, ids, scored, same, part)
    counts = np.bincount(label, minlength=len(ids)) if len(ids) else np.zeros(0, np.int64)
    graph = Graph(
        sizes=np.bincount(part).tolist() if len(part) else [],
        pairs=len(scored.left),
        components=int((counts > 0).sum()),
        largest=int(counts.max(initial=0)),
        cut=_cut_documents(label, part),
    )
    write_atomic(record, json.dumps({"capacity": capacity, "graph": asdict(graph)}))
    return graph


def _evidence(
    stores: Sequence[Path],
) -> tuple[list[StoryText], np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Every partition's story evidence, ordered by document id (as one store loads it)."""
    texts: list[StoryText] = []
    homes: list[str] = []
    vectors: list[list[np.ndarray]] = [[], [], []]
    for path in stores:
        with Store(path) as store:
            found, *arrays = store.stories.load()
        if not found:
            continue
        texts += found
        homes += [str(path)] * len(found)
        for kept, array in zip(vectors, arrays, strict=True):
            kept.append(array)
    if not texts:
        empty = np.zeros((0, 0), dtype=np.float32)
        return [], empty, empty, empty, []
    order = sorted(range(len(texts)), key=lambda k: texts[k].doc_id)
    stacked = [np.concatenate(v)[order] for v in vectors]
    return [texts[k] for k in order], *stacked, [homes[k] for k in order]


def _without_evidence(stores: Sequence[Path]) -> tuple[list[str], list[str]]:
    """Documents of the stores that have no story evidence, with their store."""
    ids: list[str] = []
    homes: list[str] = []
    for path in stores:
        with Store(path) as store:
            rows = store.conn.execute(
                "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM story_docs) "
                "ORDER BY id"
            ).fetchall()
        ids += [r[0] for r in rows]
        homes += [str(path)] * len(rows)
    return ids, homes


def _story_edges(ids: np.ndarray, story_of: Mapping[str, str]) -> np.ndarray:
    """Consecutive members of each story, as row pairs."""
    members: dict[str, list[int]] = {}
    for row, doc_id in enumerate(ids.tolist()):
        members.setdefault(story_of[doc_id], []).append(row)
    pairs = [pair for rows in members.values() for pair in pairwise(rows)]
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def _copy_edges(ids: np.ndarray, copy_groups: Path | None) -> np.ndarray:
    """Consecutive members of each copy group of the light pass, as row pairs."""
    import pyarrow.parquet as pq

    if copy_groups is None or not copy_groups.exists() or not len(ids):
        return np.zeros((0, 2), dtype=np.int64)
    table = pq.read_table(copy_groups, columns=["id", "copy_group"]).to_pylist()
    members: dict[str, list[int]] = {}
    rows = np.searchsorted(ids, np.asarray([r["id"] for r in table], dtype=object))
    for row, record in zip(rows.tolist(), table, strict=True):
        if row < len(ids) and ids[row] == record["id"]:
            members.setdefault(record["copy_group"], []).append(row)
    pairs = [pair for rows_ in members.values() for pair in pairwise(rows_)]
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def components(n: int, edges: np.ndarray) -> np.ndarray:
    """Connected component of each of ``n`` rows, numbered by their first row."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ones = np.ones(len(edges), dtype=np.int8)
    graph = coo_matrix((ones, (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    first = np.full(label.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, label, np.arange(n))
    return first[label]


def _cut_documents(label: np.ndarray, part: np.ndarray) -> int:
    """Documents in components spread over more than one partition."""
    if not len(label):
        return 0
    pairs = np.unique(np.column_stack([label, part]), axis=0)
    spread = pairs[:, 0][np.r_[False, pairs[1:, 0] == pairs[:-1, 0]]]
    return int(np.isin(label, spread).sum())


def _write_assignment(path: Path, ids: np.ndarray, homes: list[str], part: np.ndarray) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"doc_id": pa.array(ids.tolist(), pa.string()),
                      "store": pa.array(homes, pa.string()),
                      "part": pa.array(part, pa.int64())})  # fmt: skip
    pq.write_table(table, path)


def _write_pairs(path: Path, ids: np.ndarray, scored: ScoredPairs, same: np.ndarray,
                 part: np.ndarray) -> None:  # fmt: skip
    """Pairs inside one finishing partition, with their scores (float64, unrounded: the
    stage groups these very values, as ``analyze`` groups its own before storing them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    left, right = scored.left[same], scored.right[same]
    table = pa.table({
        "doc_id": pa.array(ids[left].tolist(), pa.string()),
        "other_id": pa.array(ids[right].tolist(), pa.string()),
        "event": pa.array(scored.event[same], pa.float64()),
        "topic": pa.array(scored.topic[same], pa.float64()),
        "part": pa.array(part[left], pa.int64()),
    })  # fmt: skip
    pq.write_table(table, path)


def story_parts(base: Path, graph: Graph) -> list[StoryPart]:
    return [
        StoryPart(index=p, folder=base / f"{p:05d}", documents=n)
        for p, n in enumerate(graph.sizes)
        if n
    ]


def open_moved(part: StoryPart, graph_folder: Path) -> Store:
    """The partition's store with its documents in it (copied on first use; a copy that was
    interrupted is started again)."""
    store_path = part.folder / "store.db"
    if not (part.folder / _MOVED).exists():
        shutil.rmtree(part.folder, ignore_errors=True)
        part.folder.mkdir(parents=True)
        with Store(store_path) as store:
            move_documents(store, part.index, graph_folder)
        (part.folder / _MOVED).write_text("", encoding="utf-8")
    return Store(store_path)


def move_documents(store: Store, index: int, graph_folder: Path) -> int:
    """Partition ``index``'s documents copied from the stores that prepared them, with
    its story pairs and their corpus-wide scores; documents copied."""
    import pyarrow.parquet as pq

    wanted = pq.read_table(graph_folder / _ASSIGNMENT, filters=[("part", "=", index)])
    by_store: dict[str, list[str]] = {}
    for doc_id, home in zip(wanted.column("doc_id").to_pylist(),
                            wanted.column("store").to_pylist(), strict=True):  # fmt: skip
        by_store.setdefault(home, []).append(doc_id)
    copied = 0
    for k, (home, ids) in enumerate(sorted(by_store.items())):
        copied += copy_documents(store, Path(home), ids, first=k == 0)
    pairs = pq.read_table(graph_folder / _PAIRS, filters=[("part", "=", index)]).to_pydict()
    with store.transaction():
        store.reuse.recount()
        store.stories.recount()
        store.stories.add_pairs(zip(pairs["doc_id"], pairs["other_id"], strict=True))
        store.stories.set_scores(zip(pairs["event"], pairs["topic"], pairs["doc_id"],
                                     pairs["other_id"], strict=True))  # fmt: skip
        store.corpus.set_figure(GIVEN_PAIRS, True)
    return copied
