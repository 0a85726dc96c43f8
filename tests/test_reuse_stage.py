"""The reuse stage end to end on the demo corpus, with the real sentence encoder.

The demo (examples/demo, ground truth in truth.json) was written for this project, so these
are regression checks of behaviour, not quality figures: those come from benchmarks/reuse.py
on data storytrace did not write.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storytrace import pipeline
from storytrace.cli import app
from storytrace.provenance import independent_origins
from storytrace.reuse.stage import link_documents
from storytrace.stage import Inputs
from storytrace.store import Store
from support import DEMO, build, settings_for

TRUTH = json.loads((DEMO / "truth.json").read_text())["documents"]
runner = CliRunner()

pytestmark = pytest.mark.slow


def _roots() -> dict[str, set[str]]:
    """Each demo page's truth family root(s), following parents up."""
    parents = {t["key"]: t.get("parents") or [] for t in TRUTH}

    def up(key: str) -> set[str]:
        return set().union(*(up(p) for p in parents[key])) if parents[key] else {key}

    return {key: up(key) for key in parents}


def _key_of(store: Store) -> dict[str, str]:
    keys = {}
    for location, doc_id in store.conn.execute("SELECT location, doc_id FROM locations"):
        name = Path(location.split("#")[0]).name
        keys[doc_id] = name if "#" not in location else _wire_key(location)
    return keys


def _wire_key(location: str) -> str:
    path, line = location.split("#L")
    record = json.loads(Path(path).read_text().splitlines()[int(line) - 1])
    return f"{Path(path).name}#{record['id']}"


@pytest.fixture(scope="module")
def demo_store(module_demo_db: Path) -> Path:
    with Store(module_demo_db) as store:
        assert store.runs.record("embed").summary["prepared"] == len(TRUTH)
    return module_demo_db


def test_links_only_join_documents_of_one_true_family(demo_store: Path) -> None:
    roots = _roots()
    with Store(demo_store) as store:
        keys = _key_of(store)
        links = [x for x in store.reuse.links() if x.kind != "possible"]
        families = store.reuse.families()
    assert links, "the demo's copies and rewrites should be found"
    for link in links:
        assert roots[keys[link.doc_id]] & roots[keys[link.origin_id]], link
    for family in families:
        assert set.intersection(*(roots[keys[d]] for d in family.doc_ids)), family


def test_syndicated_copies_are_found_as_copies_of_their_origin(demo_store: Path) -> None:
    with Store(demo_store) as store:
        keys = _key_of(store)
        found = {(keys[x.doc_id], keys[x.origin_id], x.kind) for x in store.reuse.links()}
    assert ("velmora-syndicated-newsfeedhub.txt", "velmora-coastline-herald.txt", "copy") in found
    assert (
        "strike-deal-syndicated-newsfeedhub.txt", "strike-deal-maritime-review.txt", "copy"
    ) in found  # fmt: skip


def test_links_carry_aligned_sentences_as_evidence(demo_store: Path) -> None:
    with Store(demo_store) as store:
        link = next(x for x in store.reuse.links(with_pairs=True) if x.kind == "copy")
        doc, origin = store.get(link.doc_id), store.get(link.origin_id)
    assert len(link.pairs) >= 3
    for p in link.pairs:
        assert p.doc_text == doc.sentences[p.doc_sentence].text
        assert p.origin_text == origin.sentences[p.origin_sentence].text
        assert p.similarity >= 0.5 or p.overlap >= 0.5


def test_independent_origins_counts_a_family_once(demo_store: Path) -> None:
    with Store(demo_store) as store:
        families = store.reuse.families()
        others = [d for d in store.ids_with_status("annotated") if d not in families[0].doc_ids]
    assert independent_origins(families[0].doc_ids, families) == 1
    assert independent_origins([*families[0].doc_ids, *others[:2]], families) >= 2


def test_second_run_is_a_no_op(demo_db: Path) -> None:
    with Store(demo_db) as store:
        before = [(f.id, f.doc_ids) for f in store.reuse.families()]
        run = pipeline.run(store, settings_for(demo_db), until="reuse")
        report = link_documents(store, settings_for(demo_db))  # the stage itself finds no work
        after = [(f.id, f.doc_ids) for f in store.reuse.families()]
    assert run.ran == [] and report.pairs_scored == 0
    assert after == before


def test_known_pairs_of_some_documents_are_every_stored_pair_they_are_in(
    demo_store: Path,
) -> None:
    with Store(demo_store) as store:
        every = store.reuse.known_pairs()
        some = sorted({a for a, _ in every})[::3]
        mine = store.reuse.known_pairs(some)
    assert mine == {(a, b) for a, b in every if a in some} and 0 < len(mine) < len(every)
    assert all((b, a) in every for a, b in mine)  # stored both ways: none is missed


def test_adding_documents_later_gives_the_one_shot_families(
    split_db: tuple[Path, Path], demo_store: Path
) -> None:
    db, later = split_db
    with Store(db) as store:
        first = store.runs.record("reuse").summary["pairs_scored"]
        run = pipeline.run(store, settings_for(db), until="reuse", inputs=Inputs([later]))
        incremental = sorted(sorted(_names(store, f.doc_ids)) for f in store.reuse.families())
    assert run.result("embed").summary["prepared"] == 2
    assert 0 < run.result("reuse").summary["pairs_scored"] < first
    with Store(demo_store) as store:
        one_shot = sorted(sorted(_names(store, f.doc_ids)) for f in store.reuse.families())
    assert incremental == one_shot


def _names(store: Store, doc_ids: list[str]) -> list[str]:
    return [store.get(d).title or d for d in doc_ids]


def test_cli_reuse_lists_families_and_json(demo_store: Path) -> None:
    result = runner.invoke(app, ["reuse", "--db", str(demo_store), "-q"])
    assert result.exit_code == 0, result.output
    assert "family" in result.output and "copy" in result.output
    result = runner.invoke(app, ["reuse", "--db", str(demo_store), "--json", "--no-update"])
    data = json.loads(result.output)
    assert data["schema"] == "storytrace.reuse/1"
    assert data["families"] and all(f["size"] >= 2 for f in data["families"])
    assert all("pairs" in link for link in data["links"])


def test_cli_reuse_doc_shows_aligned_sentences(demo_store: Path) -> None:
    with Store(demo_store) as store:
        link = next(x for x in store.reuse.links() if x.kind == "copy")
    result = runner.invoke(app, ["reuse", link.doc_id[:8], "--db", str(demo_store), "--no-update"])
    assert result.exit_code == 0, result.output
    assert "derives from" in result.output
    assert "derived sentence" in result.output


def test_cli_reuse_unknown_document_is_a_clear_error(demo_store: Path) -> None:
    result = runner.invoke(app, ["reuse", "dzzzz", "--db", str(demo_store), "--no-update"])
    assert result.exit_code == 1
    assert "no document matches" in result.output


def test_documents_without_comparable_sentences_are_skipped_cleanly(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "stub.txt").write_text("A headline only\n\nToo short.\n")
    (pages / "other.txt").write_text(
        "Council votes on harbour plan\n\nThe city council voted on Tuesday to approve the "
        "harbour plan after a long debate. Members said the plan would create jobs.\n"
    )
    db = tmp_path / "stub.db"
    run = build(db, pages, until="reuse")
    assert run.result("embed").summary["prepared"] == 2
    assert run.result("reuse").summary["pairs_scored"] == 0
    with Store(db) as store:
        assert store.reuse.families() == []
