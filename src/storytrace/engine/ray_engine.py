"""The Ray engine: the same steps, with the per-file work as Ray tasks and LSH banding,
pair verification and their de-duplication as Ray Data group-bys and joins.

The shards live under ``OUT/.work``; on a cluster ``--out`` must be a folder every node
sees (a shared file system), as the workers write shards there and Ray Data reads them
back. The driver streams the shards once to write documents.parquet and to build the
families and stories (see docs/scaling.md for what that costs).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from storytrace.engine import batch
from storytrace.engine.local import (
    BatchRun,
    Clock,
    collect,
    finish,
    prepare_all,
    prepare_file,
    start_run,
)
from storytrace.errors import StorytraceError
from storytrace.progress import Progress, QuietProgress
from storytrace.settings import Settings


def run_ray(
    paths: Iterable[Path],
    out: Path,
    encoder: str = "static",
    address: str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> BatchRun:
    import ray

    settings = settings or Settings.from_env()
    files, work, run = start_run(paths, out, encoder, settings)
    if run.up_to_date:
        return run
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)  # fmt: skip
    _quiet_ray_data()
    clock = Clock(run)
    task = ray.remote(num_cpus=1)(prepare_file)

    def submit(pending: list[tuple[int, Path]]) -> Iterator[tuple[int, int, dict[str, float]]]:
        refs = [task.remote(i, path, work, encoder, settings) for i, path in pending]
        while refs:
            done, refs = ray.wait(refs, num_returns=1)
            yield ray.get(done[0])

    shards = prepare_all(files, work, encoder, run, progress or QuietProgress(), submit)
    clock.lap("prepare")
    corpus = collect(shards, out, run, signatures=False)
    clock.lap("collect")
    pairs = _verified_pairs(shards, corpus.ids)
    clock.lap("pairs")
    finish(corpus, pairs, run, clock)
    return run


def _verified_pairs(shards: list[Path], ids: list[str]) -> np.ndarray:
    """(i, j, agreement) rows, as the local engine's LSH and verification give them.

    Banding is a group-by on the band number: each batch of documents sends one row per
    band holding its documents' keys for that band, so a band's group holds every
    document's key and its buckets are found with one sort (64 groups, not one per
    bucket). Pairs are counted over bands by a group-by on the pair; those met in enough
    bands are verified by joining both signatures."""
    import ray

    filled = [str(s) for s in shards if _rows(s)]
    if len(ids) < 2 or not filled:
        return np.zeros((0, 3))
    row = {key: n for n, key in enumerate(_keys(ids).tolist())}
    if len(row) < len(ids):  # two ids with one 63-bit hash: never seen, but never silent
        raise StorytraceError("two document ids share a hash key; run with --engine local")
    read = ray.data.read_parquet(filled).select_columns(["id", "signature", "words"])
    # Materialized, so that Ray Data knows both join inputs' schemas: a join partition one
    # side sends no rows to gets an empty table of that side's schema, or, where it is
    # unknown, of its key column alone (the first join's output then lacks "b"). The
    # signatures are also read and hashed once, not once per use (bands and both joins).
    sigs = read.map_batches(_keyed, batch_format="numpy").materialize()
    candidates = _candidates(sigs).materialize()
    # No candidate pair (a few or unrelated documents): nothing to verify, and an empty
    # dataset has no schema at all, so the joins would fail (ColumnNotFoundError "b").
    if not candidates.count():
        return np.zeros((0, 3))
    verified = _joined(candidates, sigs, max(1, len(filled)))
    found = {(row[r["a"]], row[r["b"]], float(r["agreement"])) for r in verified.take_all()}
    found = {(min(i, j), max(i, j), s) for i, j, s in found}
    if not found:
        return np.zeros((0, 3))
    return np.asarray(sorted(found), dtype=np.float64)


def _candidates(sigs: Any) -> Any:
    """(a, b) document keys met in at least ``MIN_SHARED_BANDS`` buckets."""
    bands = sigs.map_batches(_band_lists, batch_format="numpy", batch_size=4096)
    return (
        bands.groupby("band")
        .map_groups(_band_pairs, batch_format="pyarrow")
        .groupby(["a", "b"])
        .count()
        .map_batches(_seen_enough, batch_format="numpy")
    )


def _joined(candidates: Any, sigs: Any, parts: int) -> Any:
    """The candidates that agree enough, with their agreement: both signatures joined."""
    left = sigs.rename_columns({"key": "a", "signature": "sig_a", "words": "words_a"})
    right = sigs.rename_columns({"key": "b", "signature": "sig_b", "words": "words_b"})
    joined = candidates.join(left, "inner", parts, on=("a",))
    joined = joined.join(right, "inner", parts, on=("b",))
    return joined.map_batches(_agreeing, batch_format="numpy")


def _keys(ids: Iterable[str]) -> np.ndarray:
    """A 63-bit hash of each document id: the shuffles, counts and joins of the pair step
    then move integers, not strings (its time at 100k documents: 70 s -> 49 s)."""
    digests = (hashlib.blake2b(i.encode(), digest_size=8).digest() for i in ids)
    return np.fromiter((int.from_bytes(d, "little") >> 1 for d in digests), np.int64)


def _keyed(chunk: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    key = _keys(chunk["id"].astype(str).tolist())
    return {"key": key, "signature": chunk["signature"], "words": chunk["words"]}


def _band_lists(chunk: dict[str, np.ndarray]) -> Any:
    """One row per band: the band's key of each document in this batch, and their keys."""
    import pyarrow as pa

    bands = batch.band_keys(np.stack(chunk["signature"]).astype(np.uint32))
    docs = pa.array(chunk["key"], pa.int64())
    return pa.table({
        "band": pa.array(range(bands.shape[1]), pa.int64()),
        "keys": pa.array([bands[:, b] for b in range(bands.shape[1])], pa.list_(pa.int64())),
        "docs": pa.array([docs] * bands.shape[1], pa.list_(pa.int64())),
    })  # fmt: skip


def _band_pairs(group: Any) -> Any:
    """All pairs of one band's buckets, as pairs of document keys."""
    import pyarrow as pa

    keys = group.column("keys").combine_chunks().flatten().to_numpy()
    docs = group.column("docs").combine_chunks().flatten().to_numpy()
    # Copies of one content id have one signature: a document counts once per bucket.
    unique_docs, first = np.unique(docs, return_index=True)
    rows = batch.bucket_pairs(keys[first])
    return pa.table({"a": pa.array(unique_docs[rows[:, 0]], pa.int64()),
                     "b": pa.array(unique_docs[rows[:, 1]], pa.int64())})  # fmt: skip


def _quiet_ray_data() -> None:
    """Ray Data prints an operator table per dataset; our progress bar says enough."""
    import logging

    import ray

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)


def _rows(shard: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(shard).metadata.num_rows


def _seen_enough(chunk: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    keep = chunk["count()"] >= batch.MIN_SHARED_BANDS
    return {"a": chunk["a"][keep], "b": chunk["b"][keep]}


def _agreeing(chunk: dict[str, Any]) -> dict[str, np.ndarray]:
    if not len(chunk["a"]):
        return {"a": chunk["a"], "b": chunk["b"], "agreement": np.zeros(0)}
    agree = batch.agreement(np.stack(chunk["sig_a"]), np.stack(chunk["sig_b"]))
    keep = batch.verified(agree, chunk["words_a"], chunk["words_b"])
    return {"a": chunk["a"][keep], "b": chunk["b"][keep], "agreement": agree[keep]}
