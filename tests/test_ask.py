"""Questions answered from the demo corpus with citations (storytrace.ask)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storytrace.ask import SentenceIndex, answer_question
from storytrace.ask.answer import answer_kind, fits
from storytrace.cli import app
from storytrace.store import Store

runner = CliRunner()


def test_answer_kinds_come_from_the_question_and_sentences_must_fit_them() -> None:
    assert answer_kind("How many people died?") == "number"
    assert answer_kind("When did the strike start?") == "time"
    assert answer_kind("Who runs the port?") == "name"
    assert answer_kind("Why was the stadium shut?") is None
    assert fits("Fourteen people died.", "number") and not fits("People died.", "number")
    assert fits("The walkout began on Monday.", "time") and not fits("It began.", "time")
    assert fits("The talks were led by Ada Brenn.", "name")
    assert not fits("the talks were led by a mediator.", "name")


@pytest.fixture(scope="module")
def index(module_demo_db: Path):
    store = Store(module_demo_db)
    yield SentenceIndex(store)
    store.close()


@pytest.mark.slow
def test_a_question_is_answered_with_cited_sentences_and_their_support(index) -> None:
    answer = answer_question(index, "What was the turnout in the dockworkers' strike ballot?")
    assert answer.answered and answer.groups
    first = answer.groups[0]
    assert "91 percent" in first.text
    cited = [c for origin in first.citations for c in origin]
    assert first.documents == len(cited) and 1 <= first.origins <= first.documents
    assert all(c.text in {h.text for h in answer.hits} for c in cited)  # cites what it found


@pytest.mark.slow
def test_copies_of_one_article_are_cited_as_one_origin(index) -> None:
    answer = answer_question(index, "How many people were killed by the Velmora quake?")
    families = index.store.reuse.families()
    family_of = {d: f.id for f in families for d in f.doc_ids}
    for group in answer.groups:
        for origin in group.citations:
            if len(origin) > 1:  # several pages in one origin: they share a family
                assert len({family_of.get(c.doc_id) for c in origin}) == 1
    assert any(len(origin) > 1 for g in answer.groups for origin in g.citations)


@pytest.mark.slow
def test_an_unrelated_question_gets_no_answer_with_the_reason(index) -> None:
    answer = answer_question(index, "Who won the football league final in 2024?")
    assert not answer.answered and not answer.groups
    assert answer.reason.startswith("no answer in these documents")


@pytest.mark.slow
def test_each_retrieval_mode_ranks_sentences(index) -> None:
    question = "How deep was the Tolvik earthquake?"
    for mode in ("bm25", "embedding", "fused"):
        hits = index.search(question, mode, limit=5)
        assert hits and len(hits) <= 5
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert index.search("   ", "fused") == []


@pytest.mark.slow
def test_cli_ask_json_and_errors(index) -> None:
    db = str(index.store.path)
    result = runner.invoke(app, ["ask", "How deep was the Tolvik quake?", "--db", db,
                                 "--no-update", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["schema"] == "storytrace.answer/1" and payload["answered"]
    citation = payload["groups"][0]["citations"][0][0]
    assert citation["location"].endswith((".txt", ".html")) or "#L" in citation["location"]
    bad = runner.invoke(app, ["ask", "x", "--db", db, "--no-update", "--mode", "other"])
    assert bad.exit_code != 0 and "--mode" in bad.output


@pytest.mark.slow
def test_cli_brief_on_the_demo_cites_known_sources_best_supported_first(index) -> None:
    db = str(index.store.path)
    result = runner.invoke(app, ["brief", "--db", db, "--no-update", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["schema"] == "storytrace.brief/1" and payload["briefs"]
    for brief in payload["briefs"]:
        numbers = {s["number"] for s in brief["sources"]}
        origins = [item["origins"] for item in brief["items"]]
        assert origins == sorted(origins, reverse=True)
        for item in brief["items"]:
            assert item["origins"] == len(item["citations"])
            assert {n for group in item["citations"] for n in group} <= numbers
    assert any(item["origins"] > 1 for b in payload["briefs"] for item in b["items"])
    table = runner.invoke(app, ["brief", "--db", db, "--no-update", "--limit", "2"])
    assert table.exit_code == 0 and "Sources" in table.output
    unset = runner.invoke(app, ["brief", "--db", db, "--no-update", "--generate"],
                          env={"STORYTRACE_LLM_URL": ""})  # fmt: skip
    assert unset.exit_code != 0 and "STORYTRACE_LLM_URL" in unset.output
