"""Batch mode's full analysis: the store pipeline's own stages, run on partitions of a corpus.

``storytrace batch --analysis full`` gives what ``storytrace analyze`` gives (families with
direction and paraphrase links, stories and topics, claims with their support in independent
origins, timelines) for corpora that do not fit one store or one machine:

1. **Global pass** (batch mode's own, ``run_local`` / ``run_ray``): records read and
   prepared per file, MinHash pairs verified, copy groups; lead groups only when asked for
   (an ``encoder`` other than ``none``: the stories come from step 3, and lead groups cost
   the driver the most memory of the light pass).
2. **Preparing partitions** (:func:`plan`): copy groups (or lead groups, which hold them)
   packed into partitions of at most ``partition_docs`` documents, nearest groups together
   when there are lead vectors, in input order otherwise (``storytrace.engine.packing``;
   what a preparing partition holds changes no result, only what the story partitions
   copy from where), each a store of its own
   (``OUT/.work/partitions/NNNNN/store.db``) running the very ``pipeline.run`` that
   ``analyze`` runs, given every statistic a stage takes from its corpus as the whole
   corpus's (``Store.corpus``):

   a. *read*: the partition's records, re-read from their files at their own locations;
      returns the partition's line statistics;
   b. *prepare*: with the corpus's template lines, the stages up to ``embed`` and the story
      evidence; returns the partition's document frequencies.

3. **Story graph** (c, ``storytrace.engine.regroup``): each partition's story evidence
   written as arrays (one task per partition); the story stage's pairs found and scored
   over the stacked arrays (one task), grouped into stories one block of connected
   components per task, and whole stories (copy groups kept together) packed into
   *story partitions* (one task).
4. **Story partitions** (d, *finish*): each copies its documents' rows from the preparing
   stores and is given its story pairs with their corpus-wide scores; with the corpus's
   frequencies and document counts, the remaining stages run (links and families, stories,
   claims and support, timelines); the tables are exported to Parquet.

   The driver only adds up statistics between the phases and reads partition sizes; the
   executor (this machine's processes, or Ray tasks) runs the phases, the same functions on
   both.
5. **Merge** (:func:`merge`): each table's story partitions concatenated into
   ``OUT/analysis/TABLE.parquet`` (integer row ids made unique: partition number in the
   high 32 bits) with the preparing partitions' record of reading, and ``analysis.json``.
   ``storytrace ingest OUT/analysis`` loads them into a store
   (``storytrace.store.tables``) for the web app and reports, ids unchanged.

What differs from one store: a story larger than a partition is cut; derivation families
never cross story partitions (a derivative whose origin the reuse stage would find in
another story partition is not linked to it); topics are grouped per story partition; the
reuse stage's neighbour ranks are those within the partition.
``benchmarks/batch_agreement.py`` measures the result against ``analyze``
(docs/scaling.md).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from storytrace import pipeline
from storytrace.engine import batch, regroup
from storytrace.engine.local import column_matrix, peak_rss_mb, run_local
from storytrace.engine.packing import pack, unit
from storytrace.engine.ray_engine import run_ray
from storytrace.engine.regroup import StoryPart
from storytrace.errors import StorytraceError
from storytrace.extract.furniture import CorpusStats
from storytrace.ingest.clean import line_statistics
from storytrace.lifeline import die_with
from storytrace.model import STORY_BAGS, RawRecord
from storytrace.progress import Progress, QuietProgress
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store
from storytrace.store.schema import SCHEMA_VERSION
from storytrace.store.tables import (
    ANALYSIS_MANIFEST,
    ANALYSIS_SCHEMA,
    export_tables,
    merge_tables,
    table_names,
)
from storytrace.stories.stage import prepare_evidence
from storytrace.util import write_atomic

PARTITION_DOCS = 5_000  # documents per partition (a worker task: its store and models, 1-2 GB)
PARTS = "partitions"
# Stages run where the documents are read and prepared; the rest run on story partitions.
PREPARING = tuple(s.name for s in pipeline.PIPELINE.plan("embed"))
# What the preparing partitions hand over to the merged analysis: the record of reading.
_PREPARED_TABLES = ("inputs", "errors", "stage_runs")


@dataclass(slots=True)
class Part:
    """One partition's work: where its store lives and which records it reads."""

    index: int
    folder: Path
    sources: list[tuple[str, list[str]]]  # (input file, locations of its records to read)
    documents: int


@dataclass(slots=True)
class Frequencies:
    """A partition's document frequencies (reuse terms; story bags) and document counts."""

    reuse: Counter[str] = field(default_factory=Counter)
    reuse_documents: int = 0
    stories: dict[str, Counter[str]] = field(default_factory=dict)
    stories_documents: int = 0

    def add(self, other: Frequencies) -> None:
        self.reuse.update(other.reuse)
        self.reuse_documents += other.reuse_documents
        for bag, terms in other.stories.items():
            self.stories.setdefault(bag, Counter()).update(terms)
        self.stories_documents += other.stories_documents


@dataclass(slots=True)
class FullRun:
    """What the full analysis did, with seconds per step and the partitions' sizes."""

    out: Path
    partitions: list[int] = field(default_factory=list)  # documents per preparing partition
    story_partitions: list[int] = field(default_factory=list)  # per finishing partition
    graph: regroup.Graph | None = None
    tables: dict[str, int] = field(default_factory=dict)  # rows per merged table
    seconds: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, int] = field(default_factory=dict)  # largest worker per phase; driver


@dataclass(slots=True)
class Done:
    """What a phase returns for one partition, with its worker's peak memory so far."""

    value: Any
    peak_mb: int = field(default_factory=lambda: peak_rss_mb())


# An executor runs one phase function over every partition and returns the results in order.
Executor = Callable[[Callable[..., Any], list[tuple[Any, ...]]], list[Any]]


# -- 2. partitions ---------------------------------------------------------------------------
def plan(
    out: Path, files: Sequence[Path], encoder: str, partition_docs: int = PARTITION_DOCS
) -> list[Part]:
    """Partitions of the documents of a finished global pass over ``files`` in ``out``."""
    import pyarrow.parquet as pq

    if partition_docs < 1:
        raise StorytraceError("partition size must be at least one document")
    shards = [
        out / ".work" / encoder / f"{batch.shard_name(i, f)}.parquet" for i, f in enumerate(files)
    ]
    records = _shard_records(shards)
    groups = pq.read_table(out / "lead_groups.parquet").to_pylist()
    copies = pq.read_table(out / "copy_groups.parquet").to_pylist()
    ids, first = np.unique(np.asarray(records.ids, dtype=object), return_index=True)
    order = np.argsort(first)  # documents in input order, each once
    ids, first = ids[order].tolist(), first[order]
    label = _group_labels(ids, groups or copies)
    assignment = pack(label, unit(records.vectors[first]), partition_docs)
    return _parts(out, files, records, ids, assignment)


@dataclass(slots=True)
class _Records:
    """Every prepared record of the global pass (duplicates included), as columns."""

    files: np.ndarray  # the input file's position
    ids: list[str]
    inputs: list[str]  # the record's location
    vectors: np.ndarray  # lead vectors (no columns without an encoder)


def _shard_records(shards: Sequence[Path]) -> _Records:
    import pyarrow.parquet as pq

    files, ids, inputs, vectors = [], [], [], []
    for shard in shards:
        table = pq.read_table(shard)
        if not table.num_rows:
            continue
        files.append(table.column("order").to_numpy() >> 32)
        ids += table.column("id").to_pylist()
        inputs += table.column("input").to_pylist()
        vectors.append(column_matrix(table.column("vector"), np.float32))
    width = max((v.shape[1] for v in vectors), default=0)
    return _Records(
        files=np.concatenate(files) if files else np.zeros(0, dtype=np.int64),
        ids=ids,
        inputs=inputs,
        vectors=np.concatenate(vectors) if vectors else np.zeros((0, width), np.float32),
    )


def _group_labels(ids: Sequence[str], groups: Iterable[dict[str, Any]]) -> np.ndarray:
    """A group number per document: its lead group (or copy group); alone otherwise."""
    position = {d: i for i, d in enumerate(ids)}
    label = np.arange(len(ids))
    names: dict[str, int] = {}
    for row in groups:
        column = "lead_group" if "lead_group" in row else "copy_group"
        first = names.setdefault(row[column], position[row["id"]])
        label[position[row["id"]]] = first
    return label


def _parts(
    out: Path, files: Sequence[Path], records: _Records, ids: Sequence[str], assignment: np.ndarray
) -> list[Part]:
    where = dict(zip(ids, assignment.tolist(), strict=True))
    sources: dict[int, dict[int, list[str]]] = {}
    for file, doc_id, location in zip(records.files.tolist(), records.ids, records.inputs,
                                      strict=True):  # fmt: skip
        sources.setdefault(where[doc_id], {}).setdefault(file, []).append(location)
    counts = np.bincount(assignment, minlength=len(sources))
    return [
        Part(
            index=p,
            folder=out / ".work" / PARTS / f"{p:05d}",
            sources=[(str(files[f]), locations) for f, locations in sorted(sources[p].items())],
            documents=int(counts[p]),
        )
        for p in sorted(sources)
    ]


# -- 3. phases (run by the executor, one partition each) -------------------------------------
def read_part(part: Part, settings: Settings) -> Done:
    """Phase a: the partition's records into its store; its line statistics."""
    with _one_core(), _part_store(part) as store:
        records = list(_records(part, settings))
        pipeline.run(store, settings, until="read", inputs=Inputs(records=records))
        return Done(line_statistics(store.iter_candidate_lines()))


def prepare_part(part: Part, templates: dict[str, list[str]], settings: Settings) -> Done:
    """Phase b: cleaning with the corpus's templates, then the stages up to the story
    evidence; the partition's document frequencies. Its record of reading is exported."""
    with _one_core(), _part_store(part) as store:
        with store.transaction():
            store.corpus.set_figure("templates", templates)
        pipeline.run(store, settings, until="embed")
        prepare_evidence(store, settings, QuietProgress())
        export_tables(store, part.folder / "tables", part.index, _PREPARED_TABLES, PREPARING)
        return Done(
            Frequencies(
                reuse=Counter(store.reuse.document_frequencies()),
                reuse_documents=store.reuse.count(),
                stories={b: Counter(df) for b, df in store.stories.document_frequencies().items()},
                stories_documents=len(store.stories.load()[0]),  # what the story stage counts
            )
        )


def evidence_part(part: Part, totals: Frequencies) -> Done:
    """Phase c0: the partition's story evidence as arrays, weighted with the corpus's
    figures (see ``storytrace.engine.regroup``)."""
    with _one_core():
        written = regroup.write_evidence(part.folder / "store.db", _evidence_folder(part),
                                         totals.stories, totals.stories_documents)  # fmt: skip
    return Done(written)


def pairs_part(parts: Sequence[Part], out: Path) -> Done:
    """Phase c1: the corpus's story pairs scored over every partition's evidence, and the
    blocks of components to group (one task)."""
    with _one_core():
        evidence = [_evidence_folder(p) for p in parts]
        blocks = regroup.score_corpus(evidence, _graph_folder(out))
    return Done(blocks)


def group_part(out: Path, block: int) -> Done:
    """Phase c2: the stories of one block of components."""
    with _one_core():
        return Done(regroup.group_block(_graph_folder(out), block))


def pack_part(out: Path, partition_docs: int) -> Done:
    """Phase c3: whole stories packed into story partitions (one task)."""
    with _one_core():
        graph = regroup.pack_stories(out / "copy_groups.parquet", partition_docs,
                                     _graph_folder(out))  # fmt: skip
    return Done(graph)


def finish_part(part: StoryPart, out: Path, totals: Frequencies, settings: Settings) -> Done:
    """Phase d: a story partition's documents copied in, the remaining stages with the
    corpus's figures; tables to Parquet."""
    with _one_core(), regroup.open_moved(part, _graph_folder(out)) as store:
        own = store.reuse.document_frequencies()
        with store.transaction():
            store.corpus.set_frequencies("reuse", {"": {t: totals.reuse[t] for t in own}})
            store.corpus.set_figure("reuse_documents", totals.reuse_documents)
            mine = store.stories.document_frequencies()
            story_df = {
                bag: {t: totals.stories.get(bag, Counter())[t] for t in mine.get(bag, {})}
                for bag in STORY_BAGS
            }
            store.corpus.set_frequencies("stories", story_df)
            store.corpus.set_figure("stories_documents", totals.stories_documents)
        report = pipeline.run(store, settings)
        failed = [o.stage for o in report.outcomes if o.result and o.result.errors]
        later = [s.name for s in pipeline.PIPELINE.stages if s.name not in PREPARING]
        tables = [t for t in table_names(store) if t not in _PREPARED_TABLES or t == "stage_runs"]
        rows = export_tables(store, part.folder / "tables", part.index, tables, later)
    return Done({"rows": rows, "failed": failed})


def _evidence_folder(part: Part) -> Path:
    return part.folder / regroup.EVIDENCE


def _graph_folder(out: Path) -> Path:
    return out / ".work" / PARTS / regroup.STORIES


def _forget_other_plans(folder: Path, parts: Sequence[Part]) -> None:
    """Partition stores are kept so that an interrupted run resumes; stores of another plan
    (other inputs, another partition size) would hold the wrong documents: removed."""
    import hashlib
    import shutil

    key = hashlib.sha1(
        json.dumps([[p.index, p.sources] for p in parts], sort_keys=True).encode()
    ).hexdigest()
    record = folder / "plan.json"
    if record.exists() and json.loads(record.read_text(encoding="utf-8")).get("key") == key:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    write_atomic(record, json.dumps({"key": key}))


def _one_core() -> Any:
    """A partition is one task on one core, on both engines: BLAS threads (which Ray limits
    and a process pool does not) change the last bits of floating-point sums, and the
    engines must give the same tables."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _part_store(part: Part) -> Store:
    part.folder.mkdir(parents=True, exist_ok=True)
    return Store(part.folder / "store.db")


def _records(part: Part, settings: Settings) -> Iterable[RawRecord]:
    """The partition's records, read again from their files (errors were reported by the
    global pass)."""
    for path, locations in part.sources:
        wanted = set(locations)
        for item in batch.read_file(Path(path), settings):
            if isinstance(item, RawRecord) and item.location in wanted:
                yield item


# -- the whole run ----------------------------------------------------------------------------
def analyse(
    out: Path,
    files: Sequence[Path],
    encoder: str,
    execute: Executor,
    settings: Settings,
    partition_docs: int = PARTITION_DOCS,
    progress: Progress | None = None,
) -> FullRun:
    """The full analysis of a finished global pass over ``files`` in ``out``, phases run by
    ``execute``."""
    bar = progress or QuietProgress()
    run = FullRun(out=out)
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        run.seconds[step] = round(now - clock, 2)
        clock = now

    parts = plan(out, files, encoder, partition_docs)
    _forget_other_plans(out / ".work" / PARTS, parts)
    run.partitions = [p.documents for p in parts]
    lap("partitions")
    inner = settings.with_(progress=False)

    def phase(name: str, about: str, work: Callable[..., Done], calls: list[Any]) -> list[Any]:
        bar.start(about, len(calls))
        done = execute(work, calls)
        bar.advance(len(calls))
        run.peak_mb[name] = max((d.peak_mb for d in done), default=0)
        lap(name)
        return [d.value for d in done]

    stats = CorpusStats()
    for found in phase("read", "Partitions: reading", read_part, [(p, inner) for p in parts]):
        stats.merge(found)
    templates = stats.templates().to_json()
    del stats
    totals = Frequencies()
    calls = [(p, templates, inner) for p in parts]
    for found in phase("prepare", "Partitions: annotating, embedding", prepare_part, calls):
        totals.add(found)
    run.graph = regroup.finished(_graph_folder(out), partition_docs)  # a resumed run
    if run.graph is None and parts:
        calls = [(p, totals) for p in parts]
        phase("evidence", "Story graph: evidence as arrays", evidence_part, calls)
        blocks = phase("graph", "Story graph: pairs", pairs_part, [(parts, out)])[0]
        calls = [(out, b) for b in range(blocks)]
        phase("group", "Story graph: stories per component", group_part, calls)
        run.graph = phase("pack", "Story graph: partitions", pack_part, [(out, partition_docs)])[0]
    finishing = regroup.story_parts(_graph_folder(out), run.graph) if run.graph else []
    run.story_partitions = [p.documents for p in finishing]
    calls = [(p, out, totals, inner) for p in finishing]
    results = phase("finish", "Story partitions: links, stories, claims", finish_part, calls)
    failed = sorted({s for r in results for s in r["failed"]})
    if failed:
        raise StorytraceError(f"stages reported errors in some partitions: {', '.join(failed)}")
    run.tables = merge(out, parts, finishing)
    lap("merge")
    run.peak_mb["driver"] = peak_rss_mb()  # this process: the engine's driver
    return run


def merge(out: Path, parts: Sequence[Part], finishing: Sequence[StoryPart]) -> dict[str, int]:
    """Each table's partitions into ``OUT/analysis/TABLE.parquet``; rows per table: the
    story partitions' tables, with the preparing partitions' record of reading."""
    target = out / "analysis"
    if parts:
        folders = [p.folder / "tables" for p in [*finishing, *parts]]
        rows = merge_tables(folders, target)
    else:  # no documents: the tables, empty, so that readers find every one
        empty = out / ".work" / PARTS / "empty.db"
        empty.parent.mkdir(parents=True, exist_ok=True)
        with Store(empty) as store:
            rows = export_tables(store, target)
    manifest = {"schema": ANALYSIS_SCHEMA, "store_schema": SCHEMA_VERSION,
                "partitions": [p.documents for p in finishing], "tables": rows}  # fmt: skip
    write_atomic(target / ANALYSIS_MANIFEST, json.dumps(manifest, indent=2))  # last: complete
    return rows


def local_executor(workers: int) -> Executor:
    """Phases in this process (one worker) or in a pool of spawned processes."""

    def execute(phase: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
        if workers <= 1 or len(calls) < 2:
            return [phase(*args) for args in calls]
        import os
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        with ProcessPoolExecutor(
            min(workers, len(calls)), mp_context=get_context("spawn"),
            initializer=die_with, initargs=(os.getpid(),),
        ) as pool:  # fmt: skip
            return list(pool.map(phase, *zip(*calls, strict=True)))

    return execute


def ray_executor() -> Executor:
    """Phases as Ray tasks (one per partition), on whatever cluster ``ray.init`` joined."""
    import ray

    def execute(phase: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
        task = ray.remote(phase)
        return ray.get([task.remote(*args) for args in calls])

    return execute


def run_full(
    paths: Iterable[Path],
    out: Path,
    encoder: str = "none",
    engine: str = "local",
    partition_docs: int = PARTITION_DOCS,
    settings: Settings | None = None,
    progress: Progress | None = None,
    address: str | None = None,
) -> tuple[Any, FullRun]:
    """The global pass, then the full analysis of its partitions, on one engine."""
    settings = settings or Settings.from_env()
    paths = list(paths)
    if engine == "ray":
        first = run_ray(paths, out, encoder, address, progress, settings)
        execute = ray_executor()
    else:
        first = run_local(paths, out, encoder, settings.workers, progress, settings)
        execute = local_executor(settings.workers)
    # A partition is one task on one core (on both engines, so that both compute alike:
    # model threads change the last bits of floating-point sums).
    settings = settings.with_(workers=1)
    files = batch.input_files(paths, settings)
    return first, analyse(out, files, encoder, execute, settings, partition_docs, progress)
