"""Batch mode: files in (JSONL, Parquet, HTML, WARC), Parquet tables out, resumable, and the
same results on Ray."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import numpy as np
import pytest
from benchmarks import planted

from storytrace.engine import read_groups, read_pairs, run_local, run_ray
from storytrace.engine.batch import prepare, verified
from storytrace.errors import StorytraceError
from storytrace.model import RawRecord
from storytrace.store import Store
from support import DEMO_PAGES as DEMO
from support import build


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """240 planted documents in three shards (one gzipped, one Parquet) and their truth."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    docs = list(planted.generate_documents(240, 11))
    folder = tmp_path_factory.mktemp("shards")
    rows = [{"text": d.text, "title": d.title, "published": d.published, "key": d.key}
            for d in docs]  # fmt: skip
    with gzip.open(folder / "a.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows[:100])
    (folder / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[100:180]))
    pq.write_table(pa.Table.from_pylist(rows[180:]), folder / "c.parquet")
    return folder, docs


@pytest.fixture(scope="module")
def static_run(shards, tmp_path_factory: pytest.TempPathFactory):
    folder, _ = shards
    return run_local([folder], tmp_path_factory.mktemp("out"), encoder="static", workers=2)


def _content_ids(docs: list) -> dict[str, str]:
    """Each planted document's content id, as batch mode computes it."""
    records = [RawRecord(location=d.key, content=d.text, format="text", title=d.title)
               for d in docs]  # fmt: skip
    return dict(zip([d.key for d in docs], prepare(records, "none")["id"], strict=True))


def test_copies_join_their_origin_and_independent_reports_stay_apart(shards, static_run) -> None:
    _, docs = shards
    run = static_run
    assert run.documents + run.duplicates == len(docs) and run.pairs and run.errors == 0
    id_of = _content_ids(docs)
    family_of = {d: n for n, group in enumerate(run.copy_groups) for d in group}

    def together(a: str, b: str) -> bool:
        return id_of[a] == id_of[b] or (
            id_of[a] in family_of and family_of.get(id_of[a]) == family_of.get(id_of[b])
        )

    copies = [d for d in docs if d.truth["style"] == "copy"]
    joined = sum(together(c.key, c.truth["parents"][0]) for c in copies)
    assert copies and joined >= 0.9 * len(copies)
    for keys in _originals_by_event(docs).values():  # same event, independent: not one family
        assert not any(together(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])


def _originals_by_event(docs: list) -> dict[str, list[str]]:
    events: dict[str, list[str]] = {}
    for d in docs:
        if d.truth["style"] is None:
            events.setdefault(d.truth["event"], []).append(d.key)
    return events


def test_stories_gather_each_event_and_keep_events_apart(shards, static_run) -> None:
    _, docs = shards
    id_of = _content_ids(docs)
    story_of = {d: n for n, group in enumerate(static_run.lead_groups) for d in group}
    assert set(story_of) == set(id_of.values())  # every document is in exactly one story
    same = different = joined = split = 0
    for i, a in enumerate(docs):
        for b in docs[i + 1 :]:
            if "combined" in (a.truth["style"], b.truth["style"]):
                continue  # a combined page belongs to two events
            together = story_of[id_of[a.key]] == story_of[id_of[b.key]]
            if a.truth["event"] == b.truth["event"]:
                same += 1
                joined += together
            else:
                different += 1
                split += not together
    assert joined / same >= 0.7  # most pages of one event share a story
    assert split / different >= 0.99  # and pages of different events almost never do


def test_outputs_are_parquet_tables(static_run) -> None:
    import pyarrow.parquet as pq

    out = static_run.out
    documents = pq.read_table(out / "documents.parquet").to_pylist()
    assert len(documents) == static_run.documents
    assert {"id", "input", "format", "title", "published", "words", "text"} <= set(documents[0])
    assert all(d["text"] and d["words"] > 0 for d in documents)
    assert read_pairs(out) == static_run.pairs
    assert read_groups(out, "copy_groups", "copy_group") == static_run.copy_groups
    assert read_groups(out, "lead_groups", "lead_group") == static_run.lead_groups
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["encoder"] == "static" and manifest["run"]["documents"] == len(documents)


def test_the_documents_table_loads_into_a_store_with_its_ids(static_run, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    # Reading is what is tested: the read stage alone (sentences would add nothing here).
    run = build(tmp_path / "s.db", static_run.out / "documents.parquet", until="read")
    report = run.result("read").report
    with Store(tmp_path / "s.db") as store:
        titles = [title for title, _ in store.titles().values()]
        stored = set(store.titles())
    assert not report.errors and report.new_documents == static_run.documents
    batch_ids = set(pq.read_table(static_run.out / "documents.parquet").column("id").to_pylist())
    assert stored == batch_ids  # the store and batch outputs join on the document id
    assert sum(t is not None for t in titles) == report.new_documents  # metadata came along


def test_short_texts_need_words_in_common_not_just_a_share() -> None:
    # One stock sentence shared by two short briefs is a high share but no evidence of
    # reuse; the same share of two long articles is.
    agree = np.array([0.3, 0.3, 0.29, 0.9])
    short, long = np.array([20, 100, 100, 30]), np.array([10, 100, 100, 30])
    assert verified(agree, short, long).tolist() == [False, True, False, True]


def test_html_and_warc_pages_are_extracted_and_deduplicated(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = DEMO / "strike-deal-harbor-daily.html"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / page.name).write_bytes(page.read_bytes())
    with (tmp_path / "in" / "crawl.warc.gz").open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                   protocol="HTTP/1.1")  # fmt: skip
        writer.write_record(writer.create_warc_record(
            "https://harbor.example/deal", "response", payload=io.BytesIO(page.read_bytes()),
            http_headers=headers))  # fmt: skip
    run = run_local([tmp_path / "in"], tmp_path / "out", encoder="none", workers=1)
    assert (run.documents, run.duplicates, run.errors) == (1, 1, 0)  # one page, twice
    import pyarrow.parquet as pq

    (doc,) = pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()
    (copy,) = pq.read_table(tmp_path / "out" / "duplicates.parquet").to_pylist()
    assert copy["id"] == doc["id"] and {copy["input"], doc["input"]} == {
        str(tmp_path / "in" / "crawl.warc.gz#record=1"),
        str(tmp_path / "in" / page.name),
    }
    assert doc["format"] == "html" and doc["words"] > 100
    for furniture in ("Share this", "Related Posts", "Leave a Reply"):
        assert furniture not in doc["text"]


def test_bad_records_are_error_rows_and_missing_paths_fail_early(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    with pytest.raises(StorytraceError, match="no such file"):
        run_local([tmp_path / "missing.jsonl"], tmp_path / "out")
    data = tmp_path / "in.jsonl"
    good = json.dumps({"title": "Harbour strike ends", "text": "The dock strike ended today."})
    data.write_text(f'{good}\n{{not json\n{{"title": "no text"}}\n')
    run = run_local([data], tmp_path / "out", encoder="none", workers=1)
    assert (run.documents, run.errors) == (1, 2)
    errors = pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()
    assert [e["input"] for e in errors] == [f"{data}#L2", f"{data}#L3"]
    assert "invalid JSON" in errors[0]["error"] and "no text field" in errors[1]["error"]


def test_an_interrupted_run_resumes_and_a_finished_one_is_a_no_op(shards, tmp_path: Path) -> None:
    folder, _ = shards
    out = tmp_path / "out"
    first = run_local([folder], out, encoder="none", workers=1)
    assert first.files == 3 and first.files_resumed == 0
    # An interruption after two files: the third file's shard and the outputs are missing.
    work = out / ".work" / "none"
    last = sorted(p for p in work.glob("000002-*.parquet") if ".errors" not in p.name)
    last[0].unlink()
    (out / "manifest.json").unlink()
    resumed = run_local([folder], out, encoder="none", workers=1)
    assert resumed.files_resumed == 2 and not resumed.up_to_date
    assert (resumed.pairs, resumed.copy_groups) == (first.pairs, first.copy_groups)
    again = run_local([folder], out, encoder="none", workers=1)
    assert again.up_to_date and again.pairs == first.pairs
    (folder / "b.jsonl").touch()  # a changed input is prepared again
    assert not run_local([folder], out, encoder="none", workers=1).up_to_date


@pytest.mark.slow
def test_ray_gives_the_same_tables(shards, static_run, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    ray = pytest.importorskip("ray")
    folder, _ = shards
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        distributed = run_ray([folder], tmp_path / "ray", encoder="static")
    finally:
        ray.shutdown()
    assert distributed.pairs == static_run.pairs
    assert distributed.copy_groups == static_run.copy_groups
    assert distributed.lead_groups == static_run.lead_groups
    for table in ("documents", "duplicates", "pairs", "copy_groups", "lead_groups", "errors"):
        local = pq.read_table(static_run.out / f"{table}.parquet")
        assert pq.read_table(tmp_path / "ray" / f"{table}.parquet").equals(local), table


def test_ray_checks_only_pairs_seen_in_two_buckets() -> None:
    from storytrace.engine import ray_engine

    counted = {"a": np.array([1, 2, 3]), "b": np.array([4, 5, 6]), "count()": np.array([1, 2, 3])}
    kept = ray_engine._seen_enough(counted)
    assert kept["a"].tolist() == [2, 3] and kept["b"].tolist() == [5, 6]


@pytest.mark.slow
def test_batch_and_the_store_agree_on_the_demo(demo_template: Path, tmp_path: Path) -> None:
    """Same pages, same ids; every copy group inside one store family; lead groups and
    stories the same partition (benchmarks/batch_agreement.py measures larger corpora)."""
    import pyarrow.parquet as pq

    run = run_local([DEMO], tmp_path / "out", encoder="static", workers=1)
    with Store(demo_template) as store:
        ids = set(store.titles())
        families = [set(f.doc_ids) for f in store.reuse.families()]
        stories = sorted(sorted(s.doc_ids) for s in store.stories.stories())
    assert (
        set(pq.read_table(tmp_path / "out" / "documents.parquet").column("id").to_pylist()) == ids
    )
    assert run.copy_groups and all(any(set(g) <= f for f in families) for g in run.copy_groups)
    assert sorted(sorted(g) for g in run.lead_groups) == stories
