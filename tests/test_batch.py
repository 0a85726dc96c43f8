"""Batch mode: sharded JSONL/Parquet in, Parquet out; the same results on Ray."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from storytrace.engine import run_local, run_ray, write_outputs
from storytrace.engine.batch import prepare
from storytrace.errors import StorytraceError

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _planted():
    spec = importlib.util.spec_from_file_location("planted", BENCHMARKS / "planted.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["planted"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """240 planted documents in two shards (one gzipped) and their truth."""
    docs = list(_planted().generate_documents(240, 11))
    folder = tmp_path_factory.mktemp("shards")
    rows = [{"text": d.text, "title": d.title, "published": d.published, "key": d.key}
            for d in docs]  # fmt: skip
    with gzip.open(folder / "a.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows[:120])
    (folder / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[120:]))
    return folder, docs


def test_copies_join_their_origin_and_independent_reports_stay_apart(shards) -> None:
    folder, docs = shards
    result = run_local([folder])
    assert len(result.documents) <= len(docs) and result.pairs
    # Each planted document's content id, as batch mode computes it.
    prepared = prepare({"text": [d.text for d in docs], "title": [d.title for d in docs],
                        "input": [d.key for d in docs]})  # fmt: skip
    id_of = dict(zip(prepared["input"], prepared["id"], strict=True))
    family_of = {d: n for n, group in enumerate(result.families) for d in group}

    def together(a: str, b: str) -> bool:
        return id_of[a] == id_of[b] or (
            id_of[a] in family_of and family_of.get(id_of[a]) == family_of.get(id_of[b])
        )

    copies = [d for d in docs if d.truth["style"] == "copy"]
    joined = sum(together(c.key, c.truth["parents"][0]) for c in copies)
    assert copies and joined >= 0.9 * len(copies)
    events: dict[str, list[str]] = {}
    for d in docs:
        if d.truth["style"] is None:
            events.setdefault(d.truth["event"], []).append(d.key)
    for keys in events.values():  # independent originals of one event: never one family
        assert not any(together(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])


def test_outputs_are_parquet_tables(shards, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    folder, _ = shards
    written = write_outputs(run_local([folder]), tmp_path / "out")
    assert [p.name for p in written] == ["documents.parquet", "pairs.parquet", "families.parquet"]
    documents = pq.read_table(written[0]).to_pylist()
    assert {"id", "input", "title", "url", "published", "words"} <= set(documents[0])
    assert pq.read_table(written[1]).num_rows > 0


def test_bad_inputs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StorytraceError, match="no such file"):
        run_local([tmp_path / "missing.jsonl"])
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "fine"}\n{not json\n')
    with pytest.raises(StorytraceError, match=r"broken\.jsonl:2: not JSON"):
        run_local([broken])
    textless = tmp_path / "textless.jsonl"
    textless.write_text('{"title": "no text"}\n')
    with pytest.raises(StorytraceError, match="needs a 'text'"):
        run_local([textless])


@pytest.mark.slow
def test_ray_gives_the_same_documents_pairs_and_families(shards) -> None:
    ray = pytest.importorskip("ray")
    folder, _ = shards
    local = run_local([folder])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        distributed = run_ray([folder])
    finally:
        ray.shutdown()
    assert distributed.pairs == local.pairs
    assert distributed.families == local.families
    key = lambda d: d["id"]  # noqa: E731
    assert sorted(distributed.documents, key=key) == sorted(local.documents, key=key)
