"""The local engine, and what both engines share: the per-file shards, the corpus pass on
the driver, and the outputs.

A run keeps its work under ``OUT/.work``: one Parquet shard per input file (named by the
file's position, path, size and modification time), written atomically, so an
interrupted run resumes with the files it had not finished and a finished run re-run on
the same inputs is a no-op (``manifest.json`` records what it was run on).
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from storytrace import __version__, embed
from storytrace.engine import batch
from storytrace.errors import ExtractionError, StorytraceError
from storytrace.ingest import clean, read
from storytrace.ingest.readers import BATCH_DOCUMENTS, SCHEMA_KEY
from storytrace.lifeline import die_with
from storytrace.ml.candidates import lsh_pair_array, pair_agreement
from storytrace.model import InputError
from storytrace.progress import Progress, QuietProgress
from storytrace.settings import Settings
from storytrace.util import write_atomic

RECORDS_PER_BATCH = 256
MANIFEST = "manifest.json"
SCHEMA = "storytrace.batch/2"  # 2: copy_groups and lead_groups (were families and stories)


@dataclass(slots=True)
class BatchRun:
    """What a run produced (its tables are in ``out``) and what each step cost."""

    out: Path
    documents: int = 0
    duplicates: int = 0
    errors: int = 0
    files: int = 0
    files_resumed: int = 0
    pairs: list[tuple[str, str, float]] = field(default_factory=list)
    copy_groups: list[list[str]] = field(default_factory=list)
    lead_groups: list[list[str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    prepare_seconds: dict[str, float] = field(default_factory=dict)  # per part, all workers
    peak_mb: dict[str, int] = field(default_factory=dict)
    up_to_date: bool = False
    manifest: dict[str, Any] = field(default_factory=dict)


class Clock:
    """Seconds and the process's peak memory so far, per step."""

    def __init__(self, run: BatchRun) -> None:
        self.run = run
        self.started = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.run.seconds[step] = round(now - self.started, 2)
        self.run.peak_mb[step] = peak_rss_mb()
        self.started = now


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


# -- per file ------------------------------------------------------------------------------
def prepare_file(
    index: int, path: Path, work: Path, encoder: str, settings: Settings
) -> tuple[int, int, dict[str, float]]:
    """Read, extract and prepare one input file into its shard; (records, errors, seconds
    spent per part)."""
    import pyarrow as pa

    name = batch.shard_name(index, path)
    tables: list[pa.Table] = []
    errors: list[dict[str, str]] = []
    spent: dict[str, float] = {}
    clock = batch.Stopwatch(spent)
    items = batch.read_file(path, settings)
    while chunk := list(islice(items, RECORDS_PER_BATCH)):
        records = []
        for item in chunk:
            if isinstance(item, InputError):
                errors.append({"input": item.location, "error": item.message})
            else:
                records.append(item)
        clock.lap("read")
        columns, failed = _prepare_records(records, encoder, spent)
        errors += failed
        if columns["id"]:
            done = sum(t.num_rows for t in tables)
            columns["order"] = [index * 2**32 + done + k for k in range(len(columns["id"]))]
            tables.append(_shard_table(columns))
        clock.skip()  # prepare timed its own parts
    errors_table = pa.Table.from_pylist(errors, schema=_error_schema())
    _write_atomic_table(errors_table, work / f"{name}.errors.parquet")
    # The shard last: its presence is what marks the file as done for a resumed run.
    shard = pa.concat_tables(tables) if tables else _empty_shard()
    _write_atomic_table(shard, work / f"{name}.parquet")
    clock.lap("write")
    return sum(t.num_rows for t in tables), len(errors), spent


def _prepare_records(
    records: list, encoder: str, spent: dict[str, float]
) -> tuple[batch.Columns, list[dict[str, str]]]:
    """``batch.prepare``, but a record whose extraction fails becomes an error row."""
    try:
        return batch.prepare(records, encoder, spent), []
    except ExtractionError:
        good, failed = [], []
        for record in records:
            try:
                batch.prepare([record], "none")
                good.append(record)
            except ExtractionError as exc:
                failed.append({"input": record.location, "error": str(exc)})
        return batch.prepare(good, encoder, spent), failed


def _shard_table(columns: batch.Columns) -> Any:
    import pyarrow as pa

    sigs = np.asarray(columns.pop("signature"), dtype=np.uint32)
    vectors = np.asarray(columns.pop("vector"), dtype=np.float32)
    table = pa.table({key: columns[key] for key in ("order", *batch.DOC_COLUMNS)})
    table = table.append_column("names", pa.array(columns["names"], pa.list_(pa.uint32())))
    table = table.append_column("signature", _fixed_list(sigs, pa.uint32()))
    return table.append_column("vector", _fixed_list(vectors, pa.float32()))


def _fixed_list(matrix: np.ndarray, kind: Any) -> Any:
    import pyarrow as pa

    width = matrix.shape[1] if matrix.ndim == 2 else 0
    flat = pa.array(matrix.reshape(-1), type=kind)
    return pa.FixedSizeListArray.from_arrays(flat, width) if width else pa.nulls(len(matrix))


def _empty_shard() -> Any:
    import pyarrow as pa

    return pa.table({"order": pa.array([], pa.int64())})


def _write_atomic_table(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)


def _error_schema() -> Any:
    import pyarrow as pa

    return pa.schema([("input", pa.string()), ("error", pa.string())])


def prepare_all(
    files: list[Path],
    work: Path,
    encoder: str,
    run: BatchRun,
    progress: Progress,
    submit: Callable[[list[tuple[int, Path]]], Iterable[tuple[int, int, dict[str, float]]]],
) -> list[Path]:
    """Shards for every file (resumed ones skipped); the engine decides where they run."""
    work.mkdir(parents=True, exist_ok=True)
    shards = [work / f"{batch.shard_name(i, path)}.parquet" for i, path in enumerate(files)]
    pending = [(i, path) for i, path in enumerate(files) if not shards[i].exists()]
    run.files = len(files)
    run.files_resumed = len(files) - len(pending)
    progress.start("Preparing files", len(files))
    progress.advance(run.files_resumed)
    for _, _, spent in submit(pending):
        for part, seconds in spent.items():  # summed over processes: CPU-side seconds
            run.prepare_seconds[part] = round(run.prepare_seconds.get(part, 0.0) + seconds, 2)
        progress.advance()
    return shards


def run_local(
    paths: Iterable[Path],
    out: Path,
    encoder: str = "static",
    workers: int | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> BatchRun:
    """Batch mode in this machine's processes: files prepared in parallel (one process per
    core by default), the corpus steps in this process."""
    settings = settings or Settings.from_env()
    files, work, run = start_run(paths, out, encoder, settings)
    if run.up_to_date:
        return run
    progress = progress or QuietProgress()
    clock = Clock(run)
    workers = workers or settings.workers or os.cpu_count() or 1

    def submit(pending: list[tuple[int, Path]]) -> Iterable[tuple[int, int, dict[str, float]]]:
        if workers == 1 or len(pending) < 2:
            for i, path in pending:
                yield prepare_file(i, path, work, encoder, settings)
            return
        context = get_context("spawn")  # no fork: torch and rensa hold threads
        n = len(pending)
        with ProcessPoolExecutor(
            min(workers, n), mp_context=context, initializer=die_with, initargs=(os.getpid(),)
        ) as pool:
            yield from pool.map(prepare_file, *zip(*pending, strict=True),
                                [work] * n, [encoder] * n, [settings] * n)  # fmt: skip

    shards = prepare_all(files, work, encoder, run, progress, submit)
    clock.lap("prepare")
    corpus = collect(shards, out, run, signatures=True)
    clock.lap("collect")
    candidates = lsh_pair_array(
        corpus.signatures,
        np.ones(len(corpus.ids), dtype=bool),
        floor=batch.MIN_AGREEMENT,
        min_bands=batch.MIN_SHARED_BANDS,
    )
    pairs = verify(candidates, corpus.signatures, corpus.words)
    clock.lap("pairs")
    finish(corpus, pairs, run, clock)
    return run


@dataclass(slots=True)
class Corpus:
    """What the corpus steps need of each unique document, in input order."""

    ids: list[str]
    days: np.ndarray
    vectors: np.ndarray
    signatures: np.ndarray
    names: list[np.ndarray]
    words: np.ndarray


def start_run(
    paths: Iterable[Path], out: Path, encoder: str, settings: Settings
) -> tuple[list[Path], Path, BatchRun]:
    if encoder not in batch.ENCODERS:
        choices = ", ".join(batch.ENCODERS)
        raise StorytraceError(f"unknown encoder {encoder!r} (choose from {choices})")
    files = batch.input_files(list(paths), settings)
    out.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(files, encoder, settings)
    run = BatchRun(out=out, manifest=manifest)
    done = out / MANIFEST
    if done.exists() and _same_run(done, manifest) and _outputs_exist(out):
        saved = json.loads(done.read_text(encoding="utf-8"))
        run = BatchRun(out=out, manifest=manifest, up_to_date=True, **saved["run"])
        run.pairs = read_pairs(out)
        run.copy_groups = read_groups(out, "copy_groups", "copy_group")
        run.lead_groups = read_groups(out, "lead_groups", "lead_group")
        return files, out / ".work" / encoder, run
    done.unlink(missing_ok=True)  # outputs are rewritten: no manifest until they all are
    return files, out / ".work" / encoder, run


def _manifest(files: list[Path], encoder: str, settings: Settings) -> dict[str, Any]:
    """What a run's outputs depend on: the inputs, this release, the encoder, the settings
    read with, and the versions and parameters of the store stages whose work it shares
    (a change to any of them makes the outputs stale)."""
    return {
        "schema": SCHEMA,
        "version": __version__,
        "encoder": encoder,
        "settings": {"max_bytes": settings.max_bytes},
        "stages": {
            "read": read.STAGE.version,
            "clean": clean.STAGE.version,
            "embed": {"version": embed.STAGE.version, "minhash": embed.minhash_params()},
        },
        "rules": {
            "min_agreement": batch.MIN_AGREEMENT,
            "min_shared_bands": batch.MIN_SHARED_BANDS,
            "min_shared_words": batch.MIN_SHARED_WORDS,
        },
        "inputs": [batch.shard_name(i, p) for i, p in enumerate(files)],
    }


def _same_run(path: Path, manifest: dict[str, Any]) -> bool:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return {k: saved.get(k) for k in manifest} == manifest


def _outputs_exist(out: Path) -> bool:
    return all((out / f"{name}.parquet").exists() for name in batch.output_names())


def collect(shards: list[Path], out: Path, run: BatchRun, signatures: bool) -> Corpus:
    """Stream the shards in input order: the first copy of each content id is kept, its
    row written to documents.parquet, its signature, vector and date kept for the corpus
    steps; later copies go to duplicates.parquet, errors to errors.parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    seen: set[str] = set()
    ids: list[str] = []
    days: list[np.ndarray] = []
    sigs: list[np.ndarray] = []
    vectors: list[np.ndarray] = []
    names: list[np.ndarray] = []
    words: list[np.ndarray] = []
    doc_writer: pq.ParquetWriter | None = None
    dup_writer: pq.ParquetWriter | None = None
    tmp, dup_tmp = out / ".documents.parquet.tmp", out / ".duplicates.parquet.tmp"
    for shard in shards:
        table = pq.read_table(shard)
        if not table.num_rows:
            continue
        keep, dropped = [], []
        for n, doc_id in enumerate(table.column("id").to_pylist()):
            (dropped if doc_id in seen else keep).append(n)
            seen.add(doc_id)
        run.duplicates += len(dropped)
        if dropped:  # nothing is lost: each dropped record names the document it repeats
            copies = table.take(pa.array(dropped, pa.int64())).select(["input", "id"])
            dup_writer = dup_writer or pq.ParquetWriter(dup_tmp, copies.schema)
            dup_writer.write_table(copies)
        table = table.take(pa.array(keep, pa.int64()))
        ids += table.column("id").to_pylist()
        days.append(batch.day_numbers(table.column("published").to_pylist()))
        words.append(table.column("words").to_numpy(zero_copy_only=False).astype(np.int64))
        if signatures:
            sigs.append(column_matrix(table.column("signature"), np.uint32))
        vectors.append(column_matrix(table.column("vector"), np.float32))
        names += [np.asarray(v, dtype=np.uint32) for v in table.column("names").to_pylist()]
        docs = table.select(list(batch.DOC_COLUMNS)).cast(_doc_schema())
        doc_writer = doc_writer or pq.ParquetWriter(tmp, _doc_schema())
        doc_writer.write_table(docs)
    if doc_writer is None:
        pq.write_table(_doc_schema().empty_table(), tmp)
    else:
        doc_writer.close()
    tmp.replace(out / "documents.parquet")
    if dup_writer is None:
        pq.write_table(
            pa.schema([("input", pa.string()), ("id", pa.string())]).empty_table(), dup_tmp
        )
    else:
        dup_writer.close()
    dup_tmp.replace(out / "duplicates.parquet")
    _write_errors(shards, out, run)
    run.documents = len(ids)
    return Corpus(
        ids=ids,
        days=np.concatenate(days) if days else np.zeros(0, dtype=np.int64),
        vectors=np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32),
        signatures=np.concatenate(sigs) if sigs else np.zeros((0, 128), dtype=np.uint32),
        names=names,
        words=np.concatenate(words) if words else np.zeros(0, dtype=np.int64),
    )


def column_matrix(column: Any, dtype: type) -> np.ndarray:
    import pyarrow as pa

    chunk = column.combine_chunks()
    if pa.types.is_null(chunk.type):
        return np.zeros((len(chunk), 0), dtype=dtype)
    width = chunk.type.list_size
    return chunk.flatten().to_numpy(zero_copy_only=False).astype(dtype).reshape(-1, width)


def _doc_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("id", pa.string()),
            ("input", pa.string()),
            ("format", pa.string()),
            ("title", pa.string()),
            ("url", pa.string()),
            ("site", pa.string()),
            ("published", pa.string()),
            ("words", pa.int64()),
            ("text", pa.string()),
        ],
        metadata={SCHEMA_KEY: BATCH_DOCUMENTS},
    )  # fmt: skip  (ingest keeps these ids)


def _write_errors(shards: list[Path], out: Path, run: BatchRun) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = []
    for shard in shards:
        errors = shard.with_name(shard.name.replace(".parquet", ".errors.parquet"))
        if errors.exists():
            tables.append(pq.read_table(errors))
    table = pa.concat_tables(tables) if tables else _error_schema().empty_table()
    run.errors = table.num_rows
    _write_atomic_table(table, out / "errors.parquet")


def verify(candidates: np.ndarray, sigs: np.ndarray, words: np.ndarray) -> np.ndarray:
    """(i, j, agreement) of candidate pairs that agree enough, in row order."""
    if not len(candidates):
        return np.zeros((0, 3))
    agree = pair_agreement(candidates, sigs)
    keep = batch.verified(agree, words[candidates[:, 0]], words[candidates[:, 1]])
    return np.column_stack([candidates[keep], agree[keep]])


def finish(corpus: Corpus, pairs: np.ndarray, run: BatchRun, clock: Clock) -> None:
    """Families and stories (on the driver, for both engines) and the remaining outputs."""
    n = len(corpus.ids)
    rows = pairs[:, :2].astype(np.int64) if len(pairs) else np.zeros((0, 2), dtype=np.int64)
    groups = batch.copy_groups(rows, n)
    clock.lap("copy_groups")
    encoder = run.manifest["encoder"]
    labels: list[int] = []
    if encoder != "none":  # no vectors, no lead groups
        lead_pairs = batch.lead_pairs(corpus.vectors, corpus.days, corpus.names)
        labels = batch.lead_groups(n, lead_pairs, groups, encoder)
    clock.lap("lead_groups")
    ids = corpus.ids
    run.pairs = [(ids[int(i)], ids[int(j)], round(float(s), 4)) for i, j, s in pairs]
    run.copy_groups = [[ids[r] for r in group] for group in groups]
    members: dict[int, list[str]] = {}
    for row, label in enumerate(labels):
        members.setdefault(label, []).append(ids[row])
    run.lead_groups = list(members.values())
    write_tables(run)
    clock.lap("write")
    _write_manifest(run)


def write_tables(run: BatchRun) -> None:
    import pyarrow as pa

    out = run.out
    _write_atomic_table(pa.table({
        "a": pa.array([p[0] for p in run.pairs], pa.string()),
        "b": pa.array([p[1] for p in run.pairs], pa.string()),
        "agreement": pa.array([p[2] for p in run.pairs], pa.float64()),
    }), out / "pairs.parquet")  # fmt: skip
    for table, column, groups in (("copy_groups", "copy_group", run.copy_groups),
                                  ("lead_groups", "lead_group", run.lead_groups)):  # fmt: skip
        _write_atomic_table(pa.table({
            column: pa.array([f"{column[0]}{n}" for n, g in enumerate(groups, 1) for _ in g],
                             pa.string()),
            "id": pa.array([d for g in groups for d in g], pa.string()),
        }), out / f"{table}.parquet")  # fmt: skip


def _write_manifest(run: BatchRun) -> None:
    """Written last: its presence says every output of this run is complete."""
    saved = {key: getattr(run, key) for key in _COUNTS}
    write_atomic(run.out / MANIFEST, json.dumps({**run.manifest, "run": saved}, indent=2))


_COUNTS = ("documents", "duplicates", "errors", "files", "files_resumed", "seconds",
           "prepare_seconds", "peak_mb")  # fmt: skip


def read_groups(out: Path, table: str, column: str) -> list[list[str]]:
    import pyarrow.parquet as pq

    groups: dict[str, list[str]] = {}
    for row in pq.read_table(out / f"{table}.parquet").to_pylist():
        groups.setdefault(row[column], []).append(row["id"])
    return list(groups.values())


def read_pairs(out: Path) -> list[tuple[str, str, float]]:
    import pyarrow.parquet as pq

    rows = pq.read_table(out / "pairs.parquet").to_pylist()
    return [(r["a"], r["b"], r["agreement"]) for r in rows]
