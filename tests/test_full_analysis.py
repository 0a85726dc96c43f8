"""Batch mode's full analysis: partitions, corpus figures, tables out and back, agreement."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from storytrace.cli.app import app
from storytrace.engine import full, packing, regroup
from storytrace.engine.agreement import compare
from storytrace.extract.furniture import CorpusStats, Templates, line_key
from storytrace.model import STORY_BAGS
from storytrace.reuse.stage import corpus_frequencies
from storytrace.settings import Settings
from storytrace.store import Store
from storytrace.store.tables import TablesError, copy_documents, differing_tables, load_tables
from storytrace.stories.assign import ScoredPairs, group
from storytrace.stories.classifier import load_story_weights
from support import DEMO_PAGES


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args))


# -- partitions -------------------------------------------------------------------------------
@pytest.mark.parametrize("tree_groups", [8_000, 0])  # the average-link tree; bisection
def test_pack_keeps_groups_whole_and_near_groups_together(
    tree_groups: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packing, "_TREE_GROUPS", tree_groups)
    east, west = np.array([1.0, 0.1]), np.array([0.1, 1.0])
    # Groups 0 and 2 lie east, 1 and 3 west; each of two documents; room for four.
    label = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    vectors = np.array([east, east, west, west, east, east, west, west])
    parts = packing.pack(label, vectors, capacity=4)
    assert len(set(parts.tolist())) == 2
    for g in range(4):
        assert len(set(parts[label == g].tolist())) == 1  # a group is never cut
    assert parts[0] == parts[4] and parts[2] == parts[6] and parts[0] != parts[2]
    assert np.bincount(parts).max() <= 4


def test_pack_cuts_only_groups_larger_than_a_partition() -> None:
    label = np.array([0] * 5 + [1, 1])
    parts = packing.pack(label, np.zeros((7, 0)), capacity=3)
    assert np.bincount(parts).max() <= 3
    assert len(set(parts[5:].tolist())) == 1
    assert len(set(parts[:5].tolist())) == 2


def test_pack_without_vectors_fills_partitions_in_input_order() -> None:
    label = np.array([0, 1, 1, 2, 3, 4, 5, 6, 7, 8])  # rows 1 and 2: one group
    parts = packing.pack(label, np.zeros((10, 0)), capacity=3)
    assert parts.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]


# -- corpus figures ---------------------------------------------------------------------------
def _random_corpus(seed: int) -> list[tuple[str, str | None, list[str]]]:
    rng = random.Random(seed)
    stock = ["Share this", "Sign up", "Read more", "Advertisement", "Related stories", "Menu"]
    docs = []
    for n in range(60):
        body = [rng.choice(stock) if rng.random() < 0.4 else f"Line {rng.randint(0, 30)}"
                for _ in range(8)]  # fmt: skip
        docs.append((f"d{n:03d}", rng.choice(["a.example", "b.example", None]), body))
    return docs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_merged_statistics_give_the_verdicts_of_the_whole_corpus(seed: int) -> None:
    docs = _random_corpus(seed)
    whole = CorpusStats.build(docs)
    parts = CorpusStats.build(docs[:25])
    parts.merge(CorpusStats.build(docs[25:]))
    templates = parts.templates()
    assert templates.lines  # the random corpus has templates to find
    for _, _, body in docs:
        for line in body:
            assert templates.verdict(line) == whole.verdict(line), line
    assert type(templates).from_json(templates.to_json()) == templates


def test_given_frequencies_replace_the_stores_own(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        assert corpus_frequencies(store) == ({}, 1)
        with store.transaction():
            store.corpus.set_frequencies("reuse", {"": {"strike": 40}})
            store.corpus.set_figure("reuse_documents", 900)
        assert corpus_frequencies(store) == ({"strike": 40}, 900)
        assert store.corpus.frequencies("stories") is None


def _tiny_store(path: Path, families: dict, stories: dict, claims: dict) -> Store:
    store = Store(path)
    with store.transaction():
        for n in range(4):
            store.conn.execute(
                "INSERT INTO documents(id, format, location, raw) VALUES (?, 'text', ?, '')",
                (f"d{n}", f"p{n}"),
            )
        for family, members in families.items():
            store.conn.execute(
                "INSERT INTO families VALUES (?, ?, 1.0, NULL)", (family, members[0])
            )
            for doc in members:
                store.conn.execute(
                    "INSERT INTO family_members VALUES (?, ?, 'origin', 0, '[]')", (family, doc)
                )
        for story, members in stories.items():
            for doc in members:
                store.conn.execute("INSERT INTO story_members VALUES (?, ?, 1.0)", (doc, story))
        for claim, origins in claims.items():
            store.conn.execute(
                "INSERT INTO claim_clusters(id, story_id, label, documents, origins, outlets, "
                "hedges, sources) VALUES (?, 's', '', 1, ?, 1, '{}', '{}')",
                (claim, origins),
            )
    return store


def test_agreement_counts_documents_and_claims_that_differ(tmp_path: Path) -> None:
    reference = _tiny_store(tmp_path / "a.db", {"f1": ["d0", "d1"]},
                            {"s1": ["d0", "d1", "d2"], "s2": ["d3"]},
                            {"c1": 1, "c2": 3, "c3": 2})  # fmt: skip
    other = _tiny_store(tmp_path / "b.db", {"f1": ["d0", "d1"]},
                        {"s1": ["d0", "d1"], "s9": ["d2"], "s2": ["d3"]},
                        {"c1": 1, "c2": 2})  # fmt: skip
    found = compare(reference, other)
    assert (found.documents, found.same_family, found.same_story) == (4, 4, 1)
    assert found.story_differences == ["d0", "d1", "d2"]
    assert (found.claims, found.same_support, found.supported_claims) == (3, 1, 2)
    assert found.support_differences == ["c2", "c3"]
    assert found.shares()["claims_of_2_origins_same_support"] == 0.0


# -- the whole run on the demo ----------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo through the full analysis in four partitions, in this process."""
    out = tmp_path_factory.mktemp("full") / "out"
    settings = Settings.from_env().with_(workers=1, progress=False)
    full.run_full([DEMO_PAGES], out, "none", "local", 8, settings)
    return out


@pytest.mark.slow
def test_full_analysis_agrees_with_analyze(demo_full: Path, module_demo_db: Path) -> None:
    loaded = demo_full / "loaded.db"
    with Store(loaded) as store:
        rows = load_tables(store, demo_full / "analysis")
        assert len(list((demo_full / ".work" / "partitions").glob("0*"))) == 4
        with Store(module_demo_db) as reference:
            agreement = compare(reference, store)
            assert rows["documents"] == reference.count() == agreement.documents
    assert set(agreement.shares().values()) == {1.0}
    assert agreement.supported_claims > 0
    assert agreement.claims > 50


@pytest.mark.slow
def test_loaded_store_is_up_to_date_and_refuses_a_second_load(demo_full: Path, tmp_path: Path):
    db = tmp_path / "s.db"
    result = run_cli("ingest", str(demo_full / "analysis"), "--db", str(db), "-q")
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        # Ids are kept: link ids carry their partition in the high bits, alignments follow.
        links = dict(store.conn.execute("SELECT id, doc_id FROM reuse_links"))
        assert links and {i >> 32 for i in links} - {0}
        orphans = store.conn.execute(
            "SELECT count(*) FROM reuse_alignments "
            "WHERE link_id NOT IN (SELECT id FROM reuse_links)"
        ).fetchone()[0]
        assert orphans == 0
        # Frequencies summed over partitions equal the store's own counting.
        terms = Counter(t for (ts,) in store.conn.execute("SELECT terms FROM reuse_docs")
                        for t in set(ts.split()))  # fmt: skip
        assert dict(store.conn.execute("SELECT term, df FROM reuse_terms")) == dict(terms)
    status = run_cli("stages", "--db", str(db))
    assert "up to date" in status.output and "never run" not in status.output
    again = run_cli("ingest", str(demo_full / "analysis"), "--db", str(db), "-q")
    assert again.exit_code != 0 and "load an analysis into a new store" in again.output
    with Store(tmp_path / "other.db") as store, pytest.raises(TablesError, match="analysis"):
        load_tables(store, tmp_path)


@pytest.mark.slow
def test_ray_gives_the_same_tables_as_local(demo_full: Path, tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    settings = Settings.from_env().with_(progress=False)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        full.run_full([DEMO_PAGES], tmp_path / "ray", "none", "ray", 8, settings)
    finally:
        ray.shutdown()
    assert differing_tables(demo_full / "analysis", tmp_path / "ray" / "analysis") == []


def test_differing_tables_ignores_only_clock_columns(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, at, label in (("a", "2026-01-01", "x"), ("b", "2026-02-02", "x"), ("c", "", "y")):
        (tmp_path / name).mkdir()
        table = pa.table({"id": [1], "at": [at], "kind": [label]})
        pq.write_table(table, tmp_path / name / "story_changes.parquet")
    assert differing_tables(tmp_path / "a", tmp_path / "b") == []
    assert differing_tables(tmp_path / "a", tmp_path / "c") == ["story_changes"]


@pytest.mark.slow
def test_clean_and_stories_read_the_given_figures(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storytrace.ingest.clean import clean_corpus
    from storytrace.stories import stage as story_stage

    with Store(demo_db) as store:
        assert not store.conn.execute(
            "SELECT 1 FROM removed_lines WHERE stage = 'corpus'"
        ).fetchall()
        # A corpus in which one short line of the demo is a template.
        short = next(
            line.text
            for _, _, lines in store.iter_candidate_lines()
            for line in lines
            if Templates(frozenset([line_key(line.text)]), frozenset()).verdict(line.text)
        )
        with store.transaction():
            store.corpus.set_figure("templates", {"lines": [line_key(short)], "shapes": []})
        assert clean_corpus(store) > 0
        removed = store.conn.execute(
            "SELECT DISTINCT text, reason FROM removed_lines WHERE stage = 'corpus'"
        ).fetchall()
        assert removed == [(short, "corpus:repeated-line")]

        seen = {}

        def build_index(texts, doc_vectors, leads, plains, df, size):
            seen.update(df=df, size=size)
            raise RuntimeError("stop here")

        monkeypatch.setattr(story_stage, "build_index", build_index)
        with store.transaction():
            store.corpus.set_frequencies("stories", {"terms": {"strike": 7}})
            store.corpus.set_figure("stories_documents", 12_345)
        with pytest.raises(RuntimeError, match="stop here"):
            story_stage.build_stories(store, Settings.from_env().with_(workers=1))
    assert seen["size"] == 12_345 and seen["df"]["terms"] == {"strike": 7}
    # A bag none of the corpus's documents fills is still there, empty (build_index reads
    # every bag).
    assert set(seen["df"]) == set(STORY_BAGS) and not seen["df"]["person"]


def test_an_empty_corpus_gives_every_table_empty(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    settings = Settings.from_env().with_(workers=1, progress=False)
    _, run = full.run_full([tmp_path / "in"], tmp_path / "out", "none", "local", 8, settings)
    assert run.partitions == [] and run.tables["documents"] == 0
    assert {"documents", "stories", "claim_clusters"} <= set(run.tables)
    assert (tmp_path / "out" / "analysis" / "claim_clusters.parquet").exists()
    with Store(tmp_path / "s.db") as store:
        assert load_tables(store, tmp_path / "out" / "analysis")["documents"] == 0


@pytest.mark.slow
def test_cli_resumes_a_finished_run_and_writes_the_report(demo_full: Path, tmp_path: Path):
    import json
    import shutil

    out = tmp_path / "out"
    shutil.copytree(demo_full, out, ignore=shutil.ignore_patterns("loaded.db*"))
    stores = sorted((out / ".work" / "partitions").glob("0*/store.db"))
    assert len(stores) == 4
    before = [_stage_runs(p) for p in stores]
    args = ["--analysis", "full", "--partition-docs", "8", "--report-stories", "2"]
    result = run_cli("batch", str(DEMO_PAGES), "--out", str(out), *args, "--workers", "1", "-q")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output and "4 partitions" in result.output
    # No stage ran again (the record of each is the first run's): the run resumed.
    assert [_stage_runs(p) for p in stores] == before
    # The tables are the first run's; only the read stage's record is new (it read again).
    assert differing_tables(demo_full / "analysis", out / "analysis") == ["stage_runs"]
    first, again = (_records_but_read(f / "analysis") for f in (demo_full, out))
    assert first == again
    report = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
    assert report["shown"]["stories"] == 2 and report["counts"]["stories"] == 4
    with Store(out / "storytrace.db") as store:
        assert store.count() == 26


def _records_but_read(folder: Path) -> list[dict]:
    import pyarrow.parquet as pq

    rows = pq.read_table(folder / "stage_runs.parquet").drop_columns(["seconds", "finished_at"])
    return [r for r in rows.to_pylist() if r["stage"] != "read"]


def _stage_runs(db: Path) -> list[tuple[str, str]]:
    with Store(db) as store:
        query = "SELECT stage, finished_at FROM stage_runs WHERE stage != 'read' ORDER BY 1"
        return store.conn.execute(query).fetchall()


def test_batch_refuses_an_unknown_analysis(tmp_path: Path) -> None:
    result = run_cli("batch", str(tmp_path), "--analysis", "deep", "--out", str(tmp_path / "o"))
    assert result.exit_code != 0 and "--analysis must be light or full" in result.output


# -- the story graph and the story partitions ---------------------------------------------------
def _random_scored_pairs(seed: int, across: float = 0.35) -> tuple[ScoredPairs, float]:
    """Events of 1-6 documents; pairs inside an event mostly likely, across mostly not."""
    rng = np.random.default_rng(seed)
    event = np.repeat(np.arange(30), rng.integers(1, 7, size=30))
    n = len(event)
    left, right = np.triu_indices(n, k=1)
    same = event[left] == event[right]
    keep = rng.random(len(left)) < np.where(same, 0.35, across)  # candidates, as found
    left, right, same = left[keep], right[keep], same[keep]
    p = np.where(same, rng.beta(5, 2, len(left)), rng.beta(1, 6, len(left)))
    ids = [f"d{k:03d}" for k in range(n)]
    return ScoredPairs(ids, left, right, p, p), 0.5


@pytest.mark.parametrize("seed", range(5))
def test_grouping_whole_stories_apart_gives_the_same_stories(seed: int) -> None:
    """Why the finishing partitions find the corpus's stories: average-link over any union
    of whole stories gives those stories again (reducibility), with pairs across the
    partitions left out."""
    scored, threshold = _random_scored_pairs(seed)
    whole = group(scored, threshold, threshold).story_of
    stories = sorted(set(whole.values()))
    rng = random.Random(seed)
    part_of_story = {s: rng.randrange(3) for s in stories}
    part = np.asarray([part_of_story[whole[d]] for d in scored.doc_ids])
    found: dict[str, str] = {}
    for p in range(3):
        inside = (part[scored.left] == p) & (part[scored.right] == p)
        rows = np.flatnonzero(part == p)
        position = {int(r): k for k, r in enumerate(rows)}
        local = ScoredPairs(
            [scored.doc_ids[r] for r in rows],
            np.asarray([position[int(i)] for i in scored.left[inside]], dtype=np.int64),
            np.asarray([position[int(j)] for j in scored.right[inside]], dtype=np.int64),
            scored.event[inside],
            scored.topic[inside],
        )
        found.update(group(local, threshold, threshold).story_of)
    assert _members(found) == _members(whole)
    assert len(set(whole.values())) > 10  # the case is not trivial


def _members(story_of: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for doc, story in story_of.items():
        groups.setdefault(story, set()).add(doc)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.slow
def test_the_graphs_stories_are_the_story_stages_in_any_number_of_blocks(
    module_demo_db: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    with Store(module_demo_db) as store:
        df, evidence = store.stories.document_frequencies(), store.stories.count()
    one = regroup.story_graph([module_demo_db], None, df, evidence, 10, tmp_path / "one")
    many = regroup.story_graph([module_demo_db], None, df, evidence, 10, tmp_path / "many",
                               block_pairs=1)  # fmt: skip
    # One story, one Putin-Kim corpus: its pairs at or above the threshold join all 26.
    assert one.blocks == many.blocks == 1 and many.stories == one.stories
    # The same stories as the story stage's grouping of the same pairs, in one call.
    scored = pq.read_table(tmp_path / "one" / "scored.parquet").to_pydict()
    ids = pq.read_table(tmp_path / "one" / "documents.parquet").column("doc_id").to_pylist()
    pairs = ScoredPairs(ids, *(np.asarray(scored[c]) for c in ("left", "right", "event", "topic")))
    weights = load_story_weights()
    whole = group(pairs, weights.event_threshold, weights.topic_threshold).story_of
    assert len(set(whole.values())) == one.stories > 3
    for folder in ("one", "many"):
        story = np.arange(len(ids))
        for path in (tmp_path / folder).glob("story-of-*.parquet"):
            found = pq.read_table(path).to_pydict()
            story[found["row"]] = found["story"]
        assert _members(dict(zip(ids, map(str, story), strict=True))) == _members(whole)


def test_blocks_of_components_grouped_apart_give_the_corpus_stories(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from storytrace.ml.cluster import average_link, threshold_components

    scored, _ = _random_scored_pairs(0, across=0.02)
    n, threshold = len(scored.doc_ids), load_story_weights().event_threshold
    component = threshold_components(n, scored.left, scored.right, scored.event, threshold)
    block, record = regroup._blocks(scored, component, budget=20)
    regroup._write_scored(tmp_path / "scored.parquet", scored, block, component)
    assert record["blocks"] > 2 and record["largest_grouped"] < n
    # Every component's pairs in one block.
    grouped = block >= 0
    heads = component[scored.left[grouped]]
    assert all(len(set(block[grouped][heads == h])) == 1 for h in set(heads.tolist()))
    story = np.arange(n)
    for b in range(record["blocks"]):
        regroup.group_block(tmp_path, b)
        found = pq.read_table(tmp_path / f"story-of-{b:05d}.parquet").to_pydict()
        story[found["row"]] = found["story"]
    kept = scored.event >= 0.01
    pairs = zip(scored.left[kept].tolist(), scored.right[kept].tolist(),
                scored.event[kept].tolist(), strict=True)  # fmt: skip
    whole = average_link(n, pairs, threshold)
    by_story = {i: str(s) for i, s in enumerate(story.tolist())}
    assert _members(by_story) == _members({i: str(s) for i, s in enumerate(whole)})
    assert len(set(whole)) > 10


@pytest.mark.slow
def test_copied_documents_bring_their_rows_and_recounted_frequencies(
    module_demo_db: Path, tmp_path: Path
) -> None:
    with Store(module_demo_db) as source:
        ids = sorted(d for (d,) in source.conn.execute("SELECT id FROM documents"))[::3]
        expected = {
            table: _rows_of(source, table, ids)
            for table in ("documents", "sentences", "entities", "reuse_docs", "story_docs")
        }
    with Store(tmp_path / "part.db") as target:
        assert copy_documents(target, module_demo_db, ids, first=True) == len(ids)
        for table, rows in expected.items():
            assert _rows_of(target, table, ids) == rows and rows
        # Nothing of the other documents came along.
        assert {d for (d,) in target.conn.execute("SELECT doc_id FROM sentences")} == set(ids)
        # The stages' records came with the first source: the copied stages are up to date.
        assert target.runs.record("embed") is not None
        with target.transaction():
            target.reuse.recount()
            target.stories.recount()
        terms = Counter(t for (ts,) in target.conn.execute("SELECT terms FROM reuse_docs")
                        for t in ts.split())  # fmt: skip
        assert target.reuse.document_frequencies() == dict(terms)
        texts = target.stories.load()[0]
        own = {b: Counter(t for x in texts for t in x.bag(b)) for b in STORY_BAGS}
        assert target.stories.document_frequencies() == own


def _rows_of(store: Store, table: str, ids: list[str]) -> list[tuple]:
    column = "id" if table == "documents" else "doc_id"
    marks = ", ".join("?" * len(ids))
    skip = ("added_at",)
    columns = [c[1] for c in store.conn.execute(f"PRAGMA table_info({table})")
               if c[1] not in skip]  # fmt: skip
    query = (f"SELECT {', '.join(columns)} FROM {table} WHERE {column} IN ({marks}) "
             f"ORDER BY {', '.join(columns[:3])}")  # fmt: skip
    return store.conn.execute(query, ids).fetchall()


@pytest.mark.slow
def test_given_story_pairs_are_grouped_without_a_search(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storytrace.stories import stage as story_stage

    with Store(demo_db) as store:
        before, _ = store.stories.assignment()
        # Forget the stories, keep the pairs with their scores, and say they were given.
        with store.transaction():
            store.conn.execute("DELETE FROM story_members")
            store.conn.execute("DELETE FROM stories")
            store.corpus.set_figure(story_stage.GIVEN_PAIRS, True)

        def no_search(*args, **kwargs):
            raise AssertionError("candidates searched although the pairs were given")

        monkeypatch.setattr(story_stage, "find_candidates", no_search)
        monkeypatch.setattr(story_stage, "score_pairs", no_search)
        story_stage.build_stories(store, Settings.from_env().with_(workers=1))
        after, _ = store.stories.assignment()
    assert _members(after) == _members(before) and len(set(after.values())) > 1


@pytest.mark.slow
def test_the_graph_scores_the_pairs_one_store_of_the_corpus_would(demo_full: Path) -> None:
    import pyarrow.parquet as pq

    from storytrace.stories.features import build_index
    from storytrace.stories.stage import corpus_pairs

    # The corpus as one store would load it: every partition's evidence, by document id.
    texts, vectors, df = [], [[], [], []], {bag: Counter() for bag in STORY_BAGS}
    for path in sorted((demo_full / ".work" / "partitions").glob("[0-9]*/store.db")):
        with Store(path) as store:
            found, *arrays = store.stories.load()
            for bag, terms in store.stories.document_frequencies().items():
                df[bag].update(terms)
        texts += found
        for kept, array in zip(vectors, arrays, strict=True):
            kept.append(array)
    assert len(texts) == 26
    order = sorted(range(len(texts)), key=lambda k: texts[k].doc_id)
    stacked = [np.concatenate(v)[order] for v in vectors]
    index = build_index([texts[k] for k in order], *stacked, df, len(texts))
    expected = corpus_pairs(index, load_story_weights())
    # What the graph scored from the four partitions' arrays: the same pairs, same bits.
    folder = demo_full / ".work" / "partitions" / "stories"
    ids = pq.read_table(folder / "documents.parquet").column("doc_id").to_pylist()
    scored = pq.read_table(folder / "scored.parquet")
    assert ids == index.doc_ids and scored.num_rows == len(expected.left) > 100
    for name in ("left", "right", "event", "topic"):
        assert np.array_equal(scored.column(name).to_numpy(), getattr(expected, name))


def test_evidence_needs_the_corpus_frequencies_of_every_term(
    module_demo_db: Path, tmp_path: Path
) -> None:
    with Store(module_demo_db) as store:
        df, evidence = store.stories.document_frequencies(), store.stories.count()
    written = regroup.write_evidence(module_demo_db, tmp_path / "ok", df, evidence)
    assert written == 26 and (tmp_path / "ok" / "terms.npz").exists()
    lacking = {**df, "terms": Counter(dict(list(df["terms"].items())[1:]))}
    with pytest.raises(ValueError, match="missing from the corpus's document frequencies"):
        regroup.write_evidence(module_demo_db, tmp_path / "short", lacking, evidence)


@pytest.mark.slow
def test_the_story_graph_is_recorded_and_reused(demo_full: Path) -> None:
    import json

    folder = demo_full / ".work" / "partitions" / "stories"
    recorded = json.loads((folder / "graph.json").read_text(encoding="utf-8"))
    graph = regroup.Graph(**recorded["graph"])
    assert sum(graph.sizes) == 26 and graph.cut == 0 and graph.pairs > 0
    # The finishing partitions hold whole stories: each story's documents in one store.
    stores = sorted(folder.glob("0*/store.db"))
    assert len(stores) == len([n for n in graph.sizes if n])
    seen: dict[str, int] = {}
    for k, path in enumerate(stores):
        with Store(path) as store:
            for story in {s for s in store.stories.assignment()[0].values()}:
                assert seen.setdefault(story, k) == k
    # Asked again (a resumed run), the graph is read back, not computed.
    again = regroup.story_graph([], None, {}, 0, recorded["capacity"], folder)
    assert again == graph
    # Made with other story models, or for another partition size, it is made again.
    assert regroup.finished(folder, recorded["capacity"] + 1) is None
    kept = (folder / "graph.json").read_text(encoding="utf-8")
    (folder / "graph.json").write_text(json.dumps({**recorded, "weights": "older"}))
    assert regroup.finished(folder, recorded["capacity"]) is None
    (folder / "graph.json").write_text(kept)  # the run is shared with other tests


@pytest.mark.slow
def test_documents_without_story_evidence_stay_in_the_analysis(
    demo_db: Path, tmp_path: Path
) -> None:
    with Store(demo_db) as store:
        everyone = {d for (d,) in store.conn.execute("SELECT id FROM documents")}
        lacking = sorted(everyone)[:2]
        with store.transaction():
            for doc_id in lacking:
                store.stories.forget(doc_id)
        df = store.stories.document_frequencies()
        evidence = store.stories.count()
    graph = regroup.story_graph([demo_db], None, df, evidence, 10, tmp_path / "graph")
    assert sum(graph.sizes) == len(everyone) and graph.pairs > 0
    import pyarrow.parquet as pq

    placed = pq.read_table(tmp_path / "graph" / "assignment.parquet").column("doc_id")
    assert set(placed.to_pylist()) == everyone
