"""Engines that run the batch steps (:mod:`storytrace.engine.batch`): in this process, or
on Ray Data (a local Ray started in-process, or a cluster by address).

Both call the same step functions; only the moving of batches differs. Duplicate
documents (same content id) are kept once, the first by input order.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from storytrace.engine.batch import (
    BatchResult,
    band_rows,
    bucket_pairs,
    families,
    prepare,
    read_records,
    verify,
    write_outputs,
)
from storytrace.reuse.candidates import lsh_pair_array

BATCH = 256


def run_local(paths: Iterable[Path]) -> BatchResult:
    prepared: dict[str, dict[str, Any]] = {}
    records = read_records(paths)
    while chunk := list(islice(records, BATCH)):
        columns = prepare(_columns(chunk))
        for row in _rows(columns):
            prepared.setdefault(row["id"], row)
    ids = list(prepared)
    # In one process the banding group-by runs on a numpy matrix (the reuse stage's LSH):
    # the same buckets as Ray's ``band_rows`` + ``groupby`` + ``bucket_pairs``, without a
    # Python string per (document, band).
    sigs = np.asarray([prepared[i]["signature"] for i in ids], dtype=np.uint32).reshape(
        len(ids), -1
    )
    rows = lsh_pair_array(sigs, np.ones(len(ids), dtype=bool))
    pairs = [tuple(sorted((ids[a], ids[b]))) for a, b in rows.tolist()]
    return _finish(prepared, pairs)


def run_ray(paths: Iterable[Path], address: str | None = None) -> BatchResult:
    """The same steps on Ray Data: ``prepare`` and ``band_rows`` as ``map_batches``,
    banding as a ``groupby`` on the band key with ``bucket_pairs`` per group."""
    import ray

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)  # fmt: skip
    records = list(read_records(paths))
    if not records:
        return BatchResult([], [], [])
    data = ray.data.from_items(records).map_batches(
        lambda b: prepare({k: list(v) for k, v in b.items()}), batch_size=BATCH,
        batch_format="numpy",
    )  # fmt: skip
    rows = data.take_all()
    prepared: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: _order(r["input"])):
        prepared.setdefault(row["id"], {k: _plain(v) for k, v in row.items()})
    ids = list(prepared)
    keyed = ray.data.from_items(
        [{"id": i, "signature": prepared[i]["signature"]} for i in ids]
    ).map_batches(lambda b: band_rows({k: list(v) for k, v in b.items()}), batch_format="numpy")
    pairs_ds = keyed.groupby("key").map_groups(
        lambda b: bucket_pairs({"id": list(b["id"])}), batch_format="numpy"
    )
    pairs = [(str(r["a"]), str(r["b"])) for r in pairs_ds.take_all()]
    return _finish(prepared, pairs)


def _finish(prepared: dict[str, dict[str, Any]], pairs: list[tuple[str, str]]) -> BatchResult:
    verified = verify(pairs, {i: row["signature"] for i, row in prepared.items()})
    documents = [{k: v for k, v in row.items() if k != "signature"} for row in prepared.values()]
    return BatchResult(documents, verified, families(verified))


def _columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    keys = ("text", "title", "url", "published", "input")
    return {k: [r.get(k) for r in records] for k in keys}


def _rows(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    return [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]


def _plain(value: Any) -> Any:
    """numpy values from Ray batches back to plain Python."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _order(location: str) -> tuple[str, int]:
    path, _, line = location.rpartition("#")
    digits = "".join(c for c in line if c.isdigit())
    return path, int(digits or 0)


__all__ = ["BatchResult", "run_local", "run_ray", "write_outputs"]
