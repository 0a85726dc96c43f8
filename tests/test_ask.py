"""Questions answered from the demo corpus with citations (storytrace.ask)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storytrace.ask import SentenceIndex, answer_question
from storytrace.ask.span import Sentence, asked, find_spans
from storytrace.cli import app
from storytrace.store import Store

runner = CliRunner()


def test_the_question_says_what_kind_of_answer_it_wants() -> None:
    assert asked("How many people died?").kind == "number"
    assert asked("When did the strike start?").kind == "time"
    assert asked("Who runs the port?").kind == "person"
    assert asked("Where will the funeral be held?").kind == "place"
    assert asked("In which city did the attack happen?").kind == "place"
    assert asked("Which three environmental groups sued?").kind == "group"
    assert asked("What was the name of the child killed by the wall?").kind == "person"
    assert asked("What is the name of the fashion line she launched?").kind == "name"
    assert asked("Why was the stadium shut?").kind is None
    assert asked("Who said the fire was arson?").speech
    assert not asked("Who started the fire?").speech


def _sentence(text: str, entities: list[tuple[str, str]], p: float = 0.9) -> Sentence:
    found = [(text.index(t), text.index(t) + len(t), t, label) for t, label in entities]
    return Sentence("doc", 0, text, p, found)


def test_the_answer_is_the_asked_thing_not_the_person_quoted() -> None:
    text = "The child, Mira Tollen, was killed when the wall fell, said Dr. Amal Haddad."
    sentence = _sentence(text, [("Mira Tollen", "PERSON"), ("Amal Haddad", "PERSON")])
    found = find_spans(asked("What was the name of the child killed by the wall?"), [sentence])
    assert [s.text for s in found] == ["Mira Tollen"]
    # The doctor alone is no answer: the sentence names nobody else.
    alone = _sentence("A child was killed when the wall fell, said Dr. Amal Haddad.",
                      [("Amal Haddad", "PERSON")])  # fmt: skip
    assert find_spans(asked("What was the name of the child killed by the wall?"), [alone]) == []
    # Asked who reported it, the doctor is the answer.
    assert find_spans(asked("Who reported the child's death?"), [alone])[0].text == "Amal Haddad"


def test_the_answer_is_not_what_the_question_names_and_stands_by_its_words() -> None:
    text = "The Velmora quake of 2024 killed 14 people, and 300 homes were damaged."
    sentence = _sentence(text, [("Velmora", "GPE"), ("2024", "DATE"), ("14", "CARDINAL"),
                                ("300", "CARDINAL")])  # fmt: skip
    found = find_spans(asked("How many people were killed by the Velmora quake?"), [sentence])
    assert found[0].text == "14"
    assert "Velmora" not in {s.text for s in found}
    when = find_spans(asked("When did the Velmora quake strike?"), [sentence])
    assert [s.text for s in when] == ["2024"]


def test_the_measure_asked_for_picks_the_kind_of_number() -> None:
    text = "A magnitude 6.1 quake struck 25 kilometres offshore at a depth of 35 kilometres."
    sentence = _sentence(text, [("6.1", "CARDINAL"), ("25 kilometres", "QUANTITY"),
                                ("35 kilometres", "QUANTITY")])  # fmt: skip
    assert find_spans(asked("How deep was the quake?"), [sentence])[0].text == "35 kilometres"
    assert find_spans(asked("How strong was the quake?"), [sentence])[0].text == "6.1"
    # Where no sentence speaks of depth, a number there is a poor answer to "how deep".
    other = _sentence("A 6.1-magnitude quake struck Tolvik.", [("6.1-magnitude", "QUANTITY")])
    weak = find_spans(asked("How deep was the Tolvik quake?"), [other])[0]
    best = find_spans(asked("How deep was the Tolvik quake?"), [sentence, other])[0]
    assert weak.score <= 0.25 * 0.9 + 1e-9 and best.text == "35 kilometres"  # a quarter


def test_a_value_several_sentences_give_scores_above_one_sentence_alone() -> None:
    first = _sentence("The fire killed 12 workers.", [("12", "CARDINAL")], p=0.8)
    second = _sentence("Officials said 12 workers died in the fire.", [("12", "CARDINAL")], p=0.8)
    other = _sentence("The fire killed 9 workers.", [("9", "CARDINAL")], p=0.8)
    found = find_spans(asked("How many workers died in the fire?"), [first, second, other])
    assert found[0].text == "12" and found[0].sentences == 2
    assert find_spans(asked("Why did the fire start?"), [first]) == []


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
    question = "How deep was the Tolvik quake?"
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
    assert payload["schema"] == "storytrace.answer/2" and payload["answered"]
    assert payload["asks_for"] == "number" and "35" in payload["answer"]["text"]
    span = payload["answer"]
    source = next(r for r in payload["ranked"] if (r["doc_id"], r["sentence_index"]) == (
        span["doc_id"], span["sentence_index"]))  # fmt: skip
    assert source["text"][span["start"] : span["end"]] == span["text"]
    scores = [r["answers"] for r in payload["ranked"]]
    assert scores == sorted(scores, reverse=True) and len(scores) > 5
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
