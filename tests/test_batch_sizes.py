"""Batch mode at every input size, from an empty folder up: both engines write the same
tables, with their columns and types even when they are empty (issue 22: ``--engine ray``
failed on five pages with no pair among them, where ``--engine local`` worked)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from benchmarks import planted

from storytrace.engine import run_local, run_ray
from storytrace.engine.batch import output_names

# The tables' documented columns and Arrow types (`storytrace batch --help`).
COLUMNS = {
    "documents": {"id": "string", "input": "string", "format": "string", "title": "string",
                  "url": "string", "site": "string", "published": "string", "words": "int64",
                  "text": "string"},
    "duplicates": {"input": "string", "id": "string"},
    "pairs": {"a": "string", "b": "string", "agreement": "double"},
    "copy_groups": {"copy_group": "string", "id": "string"},
    "lead_groups": {"lead_group": "string", "id": "string"},
    "errors": {"input": "string", "error": "string"},
}  # fmt: skip
# Documents given, and what they are (their files are written by ``inputs``).
CASES = ("0", "1", "2-a-copy", "5-unrelated", "3-identical", "300")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A folder per case, one JSONL file per group of documents. Five unrelated pages, one
    per file as crawled pages come, are the case that broke the Ray engine: no candidate
    pair at all, and a join partition per file."""
    docs = list(planted.generate_documents(300, 5))
    copy = next(d for d in docs if d.truth["style"] == "copy")
    origin = next(d for d in docs if d.key == copy.truth["parents"][0])
    events = {origin.truth["event"]}
    others = []
    for doc in docs:  # originals of other events: no pair with anything here
        if doc.truth["style"] is None and doc.truth["event"] not in events:
            events.add(doc.truth["event"])
            others.append(doc)
    files = {
        "0": [],
        "1": [[origin]],
        "2-a-copy": [[origin], [copy]],
        "5-unrelated": [[d] for d in others[:5]],
        "3-identical": [[origin, origin, origin]],  # one file: one Ray task
        "300": [docs[:150], docs[150:]],
    }
    root = tmp_path_factory.mktemp("sizes")
    return {case: _write(root / case, files[case]) for case in CASES}


def _write(folder: Path, files: list[list[planted.PlantedDoc]]) -> Path:
    folder.mkdir()
    for n, group in enumerate(files):
        rows = [{"title": d.title, "text": d.text, "published": d.published} for d in group]
        (folder / f"{n:03d}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


@pytest.fixture(scope="module")
def local_outs(
    inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("local")
    return {case: run_local([inputs[case]], root / case, "static", workers=1).out for case in CASES}


def _table(out: Path, name: str) -> Any:  # a pyarrow.Table
    import pyarrow.parquet as pq

    return pq.read_table(out / f"{name}.parquet")


def _records(folder: Path) -> list[str]:
    return [line for f in sorted(folder.iterdir()) for line in f.read_text().splitlines()]


@pytest.mark.parametrize("case", CASES)
def test_every_table_has_its_columns_at_every_size(
    case: str, inputs: dict[str, Path], local_outs: dict[str, Path]
) -> None:
    out = local_outs[case]
    for name in output_names():
        schema = _table(out, name).schema
        assert {f.name: str(f.type) for f in schema} == COLUMNS[name], name
    records = _records(inputs[case])
    documents, duplicates = _table(out, "documents"), _table(out, "duplicates")
    assert documents.num_rows == len(set(records))  # one row per distinct page
    assert duplicates.num_rows == len(records) - len(set(records))
    assert _table(out, "errors").num_rows == 0


def test_a_copy_and_its_origin_are_a_pair_and_a_copy_group(local_outs: dict[str, Path]) -> None:
    out = local_outs["2-a-copy"]
    (pair,) = _table(out, "pairs").to_pylist()
    groups = _table(out, "copy_groups").to_pylist()
    assert sorted(g["id"] for g in groups) == sorted([pair["a"], pair["b"]])
    for case in ("0", "1", "5-unrelated", "3-identical"):  # nothing to pair
        assert _table(local_outs[case], "pairs").num_rows == 0, case


@pytest.fixture(scope="module")
def ray_session() -> Iterator[None]:
    """One local Ray for every case (started as tests/test_batch.py's Ray test starts it)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_ray_writes_the_local_tables_at_every_size(
    case: str,
    inputs: dict[str, Path],
    local_outs: dict[str, Path],
    ray_session: None,
    tmp_path: Path,
) -> None:
    run_ray([inputs[case]], tmp_path / "ray", encoder="static")
    for name in output_names():
        local, ray = _table(local_outs[case], name), _table(tmp_path / "ray", name)
        assert ray.schema.equals(local.schema), name
        # Rows in file order: both engines write documents in input order, pairs sorted
        # and groups numbered in one order, so even the order must agree.
        assert ray.to_pylist() == local.to_pylist(), name
