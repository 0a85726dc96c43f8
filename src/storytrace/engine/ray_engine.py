"""The Ray engine: the same steps, with the per-file work as Ray tasks and LSH banding,
pair verification and their de-duplication as Ray Data group-bys and joins.

The shards live under ``OUT/.work``; on a cluster ``--out`` must be a folder every node
sees (a shared file system), as the workers write shards there and Ray Data reads them
back. The driver streams the shards once to write documents.parquet and to build the
families and stories (see docs/scaling.md for what that costs).
"""

from __future__ import annotations

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
from storytrace.progress import Progress, QuietProgress


def run_ray(
    paths: Iterable[Path],
    out: Path,
    encoder: str = "static",
    address: str | None = None,
    progress: Progress | None = None,
) -> BatchRun:
    import ray

    files, work, run = start_run(paths, out, encoder)
    if run.up_to_date:
        return run
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)  # fmt: skip
    _quiet_ray_data()
    clock = Clock(run)
    task = ray.remote(num_cpus=1)(prepare_file)

    def submit(pending: list[tuple[int, Path]]) -> Iterator[tuple[int, int, dict[str, float]]]:
        refs = [task.remote(i, path, work, encoder) for i, path in pending]
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
    bucket). Pairs met in several bands are counted once, then verified by joining both
    signatures."""
    import ray

    filled = [str(s) for s in shards if _rows(s)]
    if len(ids) < 2 or not filled:
        return np.zeros((0, 3))
    sigs = ray.data.read_parquet(filled).select_columns(["id", "signature"])
    bands = sigs.map_batches(_band_lists, batch_format="numpy", batch_size=4096)
    candidates = (
        bands.groupby("band")
        .map_groups(_band_pairs, batch_format="pyarrow")
        .groupby(["a", "b"])
        .count()
    )
    parts = max(1, len(filled))
    left = sigs.rename_columns({"id": "a", "signature": "sig_a"})
    right = sigs.rename_columns({"id": "b", "signature": "sig_b"})
    joined = candidates.join(left, "inner", parts, on=("a",))
    joined = joined.join(right, "inner", parts, on=("b",))
    verified = joined.map_batches(_agreeing, batch_format="numpy")
    row = {doc_id: n for n, doc_id in enumerate(ids)}
    found = {(row[r["a"]], row[r["b"]], float(r["agreement"])) for r in verified.take_all()}
    found = {(min(i, j), max(i, j), s) for i, j, s in found}
    if not found:
        return np.zeros((0, 3))
    return np.asarray(sorted(found), dtype=np.float64)


def _band_lists(chunk: dict[str, np.ndarray]) -> Any:
    """One row per band: the band's key of each document in this batch, and their ids."""
    import pyarrow as pa

    keys = batch.band_keys(np.stack(chunk["signature"]).astype(np.uint32))
    ids = pa.array(chunk["id"].astype(str), pa.string())
    return pa.table({
        "band": pa.array(range(keys.shape[1]), pa.int64()),
        "keys": pa.array([keys[:, b] for b in range(keys.shape[1])], pa.list_(pa.int64())),
        "ids": pa.array([ids] * keys.shape[1], pa.list_(pa.string())),
    })  # fmt: skip


def _band_pairs(group: Any) -> Any:
    """All pairs of one band's buckets, as id pairs (a < b)."""
    import pyarrow as pa

    keys = group.column("keys").combine_chunks().flatten().to_numpy()
    ids = np.asarray(group.column("ids").combine_chunks().flatten().to_pylist(), dtype=object)
    # Copies of one content id have one signature: a document counts once per bucket.
    unique_ids, first = np.unique(ids.astype(str), return_index=True)
    rows = batch.bucket_pairs(keys[first])
    return pa.table({"a": pa.array(unique_ids[rows[:, 0]], pa.string()),
                     "b": pa.array(unique_ids[rows[:, 1]], pa.string())})  # fmt: skip


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


def _agreeing(chunk: dict[str, Any]) -> dict[str, np.ndarray]:
    if not len(chunk["a"]):
        return {"a": chunk["a"], "b": chunk["b"], "agreement": np.zeros(0)}
    agree = batch.agreement(np.stack(chunk["sig_a"]), np.stack(chunk["sig_b"]))
    keep = agree >= batch.MIN_AGREEMENT
    return {"a": chunk["a"][keep], "b": chunk["b"][keep], "agreement": agree[keep]}
