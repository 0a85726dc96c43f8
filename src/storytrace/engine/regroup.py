"""The story graph of a whole corpus, and the partitions that finish the analysis.

Stories cannot be decided inside partitions drawn from the light pass's signals (static lead
vectors, capitalised words): those split one event's reports more often than the story
models do (on ECB+, 590 of 865 documents sit in stories that lead groups split). So, once
every partition has its story evidence (MiniLM vectors, spaCy names), four steps, each a
task (or several) of the executor:

0. **Evidence** (:func:`write_evidence`, one task per preparing partition): the partition's
   story evidence as arrays (tf-idf rows weighted with the corpus's document frequencies,
   unit vectors, numbers, years and dates), written beside its store. The story stage's
   own ``build_index`` makes them; a bag's columns are the corpus's terms in sorted order,
   so the partitions' rows stack into the corpus's matrices, bit for bit the rows one store
   of the whole corpus would hold.
1. **Pairs** (:func:`score_corpus`, one task): the partitions' arrays stacked in the order
   ``Store.stories.load`` gives one store (by document id), with no Python object per
   document; the candidate pairs found and scored over the whole corpus with the story
   stage's own functions (``corpus_pairs``: neighbours, ranks and idf the whole corpus's,
   as ``analyze`` computes them). The connected components of the pairs at or above the
   story threshold are found in arrays (scipy): no story spans two of them
   (``storytrace.ml.cluster``). Components are packed into blocks of about
   :data:`BLOCK_PAIRS` pairs.
2. **Stories** (:func:`group_block`, one task per block): the story stage's average-link,
   one component at a time, on the pairs inside it (below the threshold too); this gives
   the stories the stage's ``group`` gives over the whole corpus before derivation families
   are known (they come from the reuse stage, run per partition).
3. **Story partitions** (:func:`pack_stories`, one task): a story and a copy group of the
   light pass that share a document are one unit; whole units are packed into partitions
   (``packing.pack``; a unit larger than a partition is cut, and the run says how many
   documents such cuts touched).

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
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from storytrace.engine.packing import pack
from storytrace.ml.cluster import average_link_components, components, threshold_components
from storytrace.ml.logistic import weights_fingerprint
from storytrace.model import STORY_BAGS
from storytrace.store import Store
from storytrace.store.tables import copy_documents
from storytrace.stories.assign import FLOOR, ScoredPairs
from storytrace.stories.classifier import load_story_weights
from storytrace.stories.features import StoryIndex, binary_rows, build_index
from storytrace.stories.stage import GIVEN_PAIRS, corpus_pairs
from storytrace.util import write_atomic

STORIES = "stories"
EVIDENCE = "evidence"  # a preparing partition's story evidence as arrays, beside its store
_ROWS = "rows.parquet"  # evidence: document id, its store, day, numbers, years
_WITHOUT = "without.parquet"  # evidence: documents without story evidence, and their store
_VECTORS = ("doc_vectors", "lead_vectors", "plain_vectors")
_GRAPH = "graph.json"
_DOCUMENTS = "documents.parquet"  # the graph's rows: document id and the store holding it
_LEADS = "leads.npy"  # their lead vectors (zeros without evidence), for packing
_SCORED = "scored.parquet"  # every scored pair, with its component and grouping block
_BLOCKS = "blocks.json"
_STORY_OF = "story-of"  # story-of-BBBBB.parquet: a block's rows and their story
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
    """What the story graph's four steps found (its files hold the rest)."""

    sizes: list[int]  # documents per finishing partition
    pairs: int  # scored candidate pairs
    components: int  # units: stories joined by copy groups
    largest: int  # documents in the largest unit
    cut: int  # documents in units cut because they exceed a partition
    stories: int = 0  # stories the graph found (documents without a pair: one each)
    blocks: int = 0  # grouping tasks
    largest_grouped: int = 0  # documents in the largest component one task grouped


# Kept event pairs per grouping task: components are packed into blocks of about this many
# pairs (a component larger than that is a block of its own).
BLOCK_PAIRS = 2_000_000


def finished(folder: Path, capacity: int) -> Graph | None:
    """The graph recorded in ``folder`` for partitions of ``capacity`` documents, if it was
    made with the story models installed now."""
    record = folder / _GRAPH
    if not record.exists():
        return None
    found = json.loads(record.read_text(encoding="utf-8"))
    if found.get("capacity") != capacity or found.get("weights") != _weights():
        return None
    return Graph(**found["graph"])


def _weights() -> str:
    return weights_fingerprint("storytrace.stories")


def story_graph(
    stores: Sequence[Path],
    copy_groups: Path | None,
    df: Mapping[str, Mapping[str, int]],
    documents: int,
    capacity: int,
    folder: Path,
    block_pairs: int = BLOCK_PAIRS,
) -> Graph:
    """The four steps in this process (the full analysis runs them as tasks); a finished
    graph in ``folder`` is read back. Evidence is written beside ``folder``."""
    done = finished(folder, capacity)
    if done is not None:
        return done
    beside = folder.with_name(f"{folder.name}-{EVIDENCE}")
    evidence = [beside / f"{k:05d}" for k in range(len(stores))]
    for store, place in zip(stores, evidence, strict=True):
        write_evidence(store, place, df, documents)
    blocks = score_corpus(evidence, folder, block_pairs)
    for block in range(blocks):
        group_block(folder, block)
    return pack_stories(copy_groups, capacity, folder)


# -- 0. evidence (one task per preparing partition) -------------------------------------------
def write_evidence(
    store_path: Path, folder: Path, df: Mapping[str, Mapping[str, int]], documents: int
) -> int:
    """The store's story evidence as arrays in ``folder``, weighted with the corpus's
    document frequencies ``df`` and size ``documents``; returns the documents written."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from scipy import sparse

    with Store(store_path) as store:
        texts, doc_vectors, leads, plains = store.stories.load()
        others = _without_evidence(store)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    given = {bag: df.get(bag, {}) for bag in STORY_BAGS}
    index = build_index(texts, doc_vectors, leads, plains, given, documents)
    for name, matrix in [*index.bags.items(), ("rare_terms", index.rare_terms)]:
        if matrix.shape[1] != len(given["terms" if name == "rare_terms" else name]):
            raise ValueError(
                f"{store_path}: a document's {name} term is missing from the corpus's "
                "document frequencies (they must be summed over every partition)"
            )
        sparse.save_npz(folder / f"{name}.npz", matrix, compressed=False)
    for name in _VECTORS:
        np.save(folder / f"{name}.npy", getattr(index, name))
    sets = pa.list_(pa.string())
    home = str(store_path)
    pq.write_table(pa.table({
        "doc_id": pa.array(index.doc_ids, pa.string()),
        "store": pa.array([home] * index.size, pa.string()),
        "day": pa.array(index.days, pa.int64()),
        "numbers": pa.array([sorted(t.numbers) for t in texts], sets),
        "years": pa.array([sorted(t.years) for t in texts], sets),
    }), folder / _ROWS)  # fmt: skip
    pq.write_table(pa.table({"doc_id": pa.array(others, pa.string()),
                             "store": pa.array([home] * len(others), pa.string())}),
                   folder / _WITHOUT)  # fmt: skip
    return index.size


def _without_evidence(store: Store) -> list[str]:
    """Documents of the store that have no story evidence (a stage failed on them)."""
    rows = store.conn.execute(
        "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM story_docs) ORDER BY id"
    )
    return [r[0] for r in rows]


# -- 1. pairs (one task) ----------------------------------------------------------------------
def score_corpus(evidence: Sequence[Path], folder: Path, block_pairs: int = BLOCK_PAIRS) -> int:
    """Every candidate pair of the corpus scored; the components its stories can lie in,
    packed into blocks for the grouping tasks. ``evidence``: the partitions' folders of
    :func:`write_evidence`. Writes the documents, their lead vectors and the pairs under
    ``folder``; returns the number of blocks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    index, homes = _corpus_index(evidence)
    weights = load_story_weights()
    scored = corpus_pairs(index, weights)
    # Documents without story evidence (a stage failed on them) are in no story, as in
    # one store, but they are part of the analysis: each one a unit of its own.
    others = pa.concat_tables([pq.read_table(f / _WITHOUT) for f in evidence]) if evidence else None
    ids = index.doc_ids + (others.column("doc_id").to_pylist() if others else [])
    _write_documents(folder, ids, homes + (others.column("store").to_pylist() if others else []))
    extra = np.zeros((len(ids) - index.size, index.lead_vectors.shape[1]), "f4")
    np.save(folder / _LEADS, np.vstack([index.lead_vectors, extra]))
    component = threshold_components(
        len(ids), scored.left, scored.right, scored.event, weights.event_threshold
    )
    block, record = _blocks(scored, component, block_pairs)
    _write_scored(folder / _SCORED, scored, block, component)
    write_atomic(folder / _BLOCKS, json.dumps(record))
    return record["blocks"]


def _corpus_index(evidence: Sequence[Path]) -> tuple[StoryIndex, list[str]]:
    """The partitions' arrays stacked into the corpus's index, rows ordered by document id
    (as one store loads them), and each row's store."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from scipy import sparse

    found = [f for f in evidence if pq.read_metadata(f / _ROWS).num_rows]
    if not found:
        empty = np.zeros((0, 0), dtype=np.float32)
        nothing = sparse.csr_matrix((0, 0), dtype=np.float32)
        index = StoryIndex(
            doc_ids=[], doc_vectors=empty, lead_vectors=empty, plain_vectors=empty,
            bags=dict.fromkeys(STORY_BAGS, nothing), rare_terms=nothing, numbers=nothing,
            years=nothing, days=np.zeros(0, np.int64),
        )  # fmt: skip
        return index, []
    rows = pa.concat_tables([pq.read_table(f / _ROWS) for f in found])
    order = pc.sort_indices(rows, sort_keys=[("doc_id", "ascending")]).to_numpy()
    rows = rows.take(order)

    def stacked(name: str) -> sparse.csr_matrix:
        parts = [sparse.load_npz(f / f"{name}.npz") for f in found]
        return sparse.csr_matrix(sparse.vstack(parts, format="csr")[order])

    def vectors(name: str) -> np.ndarray:
        return np.concatenate([np.load(f / f"{name}.npy") for f in found])[order]

    index = StoryIndex(
        doc_ids=rows.column("doc_id").to_pylist(),
        doc_vectors=vectors("doc_vectors"),
        lead_vectors=vectors("lead_vectors"),
        plain_vectors=vectors("plain_vectors"),
        bags={bag: stacked(bag) for bag in STORY_BAGS},
        rare_terms=stacked("rare_terms"),
        numbers=_set_rows(rows.column("numbers")),
        years=_set_rows(rows.column("years")),
        days=rows.column("day").to_numpy(),
    )
    return index, rows.column("store").to_pylist()


def _set_rows(lists: Any) -> Any:
    """A column of string lists as 0/1 rows (``features.binary_rows``), values coded by
    Arrow's dictionary encoding: no Python string per value."""
    import pyarrow.compute as pc

    lists = lists.combine_chunks()
    codes = pc.dictionary_encode(lists.flatten())
    lengths = pc.list_value_length(lists).to_numpy(zero_copy_only=False)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return binary_rows(offsets, codes.indices.to_numpy().astype(np.int64), len(codes.dictionary))


def _blocks(
    scored: ScoredPairs, component: np.ndarray, budget: int
) -> tuple[np.ndarray, dict[str, int]]:
    """The grouping block of each pair (-1: not grouped: below the floor, or between two
    components), components in order of their first row."""
    kept = (scored.event >= FLOOR) & (component[scored.left] == component[scored.right])
    block = np.full(len(scored.left), -1, dtype=np.int64)
    if not kept.any():
        return block, {"blocks": 0, "grouped": 0, "largest_grouped": 0}
    heads, per_head = np.unique(component[scored.left[kept]], return_counts=True)
    number, current, filled = np.zeros(len(heads), dtype=np.int64), 0, 0
    for k, count in enumerate(per_head.tolist()):
        if filled and filled + count > budget:
            current, filled = current + 1, 0
        number[k], filled = current, filled + count
    block[kept] = number[np.searchsorted(heads, component[scored.left[kept]])]
    sizes = np.bincount(component)[heads]
    return block, {"blocks": int(number[-1]) + 1, "grouped": len(heads),
                   "largest_grouped": int(sizes.max())}  # fmt: skip


# -- 2. stories, one block of components per task ---------------------------------------------
def group_block(folder: Path, block: int) -> int:
    """Stories of one block's components (the story stage's average-link, component by
    component); writes each grouped row's story (its first row); returns the rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pairs = pq.read_table(folder / _SCORED, filters=[("block", "=", block)])
    left, right = (pairs.column(c).to_numpy() for c in ("left", "right"))
    cluster = average_link_components(
        left, right, pairs.column("event").to_numpy(), load_story_weights().event_threshold,
        pairs.column("component").to_numpy(),
    )  # fmt: skip
    rows = np.fromiter(cluster.keys(), dtype=np.int64, count=len(cluster))
    story = np.fromiter(cluster.values(), dtype=np.int64, count=len(cluster))
    table = pa.table({"row": rows, "story": story})
    pq.write_table(table, folder / f"{_STORY_OF}-{block:05d}.parquet")
    return len(rows)


# -- 3. story partitions (one task) -----------------------------------------------------------
def pack_stories(copy_groups: Path | None, capacity: int, folder: Path) -> Graph:
    """Stories joined with the light pass's copy groups into units, packed into story
    partitions; the assignment and each partition's pairs written; the graph recorded."""
    import pyarrow.parquet as pq

    documents = pq.read_table(folder / _DOCUMENTS)
    ids = np.asarray(documents.column("doc_id").to_pylist(), dtype=object)
    homes = documents.column("store").to_pylist()
    story = np.arange(len(ids))
    for path in sorted(folder.glob(f"{_STORY_OF}-*.parquet")):
        found = pq.read_table(path)
        story[found.column("row").to_numpy()] = found.column("story").to_numpy()
    rows = np.arange(len(ids))
    edges = [np.column_stack([rows, story]), _copy_edges(ids, copy_groups)]
    label = components(len(ids), np.concatenate(edges))
    part = pack(label, np.load(folder / _LEADS), capacity)
    _write_assignment(folder / _ASSIGNMENT, ids, homes, part)
    scored = pq.read_table(folder / _SCORED, columns=["left", "right", "event", "topic"])
    _write_pairs(folder / _PAIRS, ids, scored, part)
    counts = np.bincount(label, minlength=len(ids)) if len(ids) else np.zeros(0, np.int64)
    blocks = json.loads((folder / _BLOCKS).read_text(encoding="utf-8"))
    graph = Graph(
        sizes=np.bincount(part).tolist() if len(part) else [],
        pairs=scored.num_rows,
        components=int((counts > 0).sum()),
        largest=int(counts.max(initial=0)),
        cut=_cut_documents(label, part),
        stories=len(np.unique(story)),
        blocks=blocks["blocks"],
        largest_grouped=blocks["largest_grouped"],
    )
    record = {"capacity": capacity, "weights": _weights(), "graph": asdict(graph)}
    write_atomic(folder / _GRAPH, json.dumps(record))
    return graph


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


def _write_documents(folder: Path, ids: list[str], homes: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"doc_id": pa.array(ids, pa.string()), "store": pa.array(homes, pa.string())})
    pq.write_table(table, folder / _DOCUMENTS)


def _write_scored(
    path: Path, scored: ScoredPairs, block: np.ndarray, component: np.ndarray
) -> None:
    """Every pair with its scores (float64, unrounded: the stage groups these very values,
    as ``analyze`` groups its own before storing them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "left": pa.array(scored.left, pa.int64()),
        "right": pa.array(scored.right, pa.int64()),
        "event": pa.array(scored.event, pa.float64()),
        "topic": pa.array(scored.topic, pa.float64()),
        "component": pa.array(component[scored.left], pa.int64()),
        "block": pa.array(block, pa.int64()),
    })  # fmt: skip
    pq.write_table(table, path)


def _write_pairs(path: Path, ids: np.ndarray, scored: Any, part: np.ndarray) -> None:
    """Pairs inside one finishing partition, by document id, with their partition."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    left, right = scored.column("left").to_numpy(), scored.column("right").to_numpy()
    same = part[left] == part[right]
    left, right = left[same], right[same]
    names = pa.array(ids.tolist(), pa.string())  # taken by row: no Python string per pair
    table = pa.table({
        "doc_id": names.take(pa.array(left)),
        "other_id": names.take(pa.array(right)),
        "event": pa.array(scored.column("event").to_numpy()[same], pa.float64()),
        "topic": pa.array(scored.column("topic").to_numpy()[same], pa.float64()),
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
