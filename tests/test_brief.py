"""Briefs: ordering by independent origins, quotes, citations, marks, generation checks."""

from __future__ import annotations

import json
from dataclasses import asdict

import httpx
import pytest

from storytrace.brief.extractive import story_brief
from storytrace.brief.generate import Endpoint, check_citations, generate
from storytrace.errors import StorytraceError
from storytrace.model import (
    Claim,
    ClaimCluster,
    ClaimRef,
    ClaimRelation,
    Disagreement,
    Family,
    FamilyMember,
    Story,
)
from storytrace.payload import brief_markdown

STORY = Story("s1", "t1", "Harbor strike", ["a", "b", "c", "d"])
# b is a copy of a: one family, one origin.
FAMILIES = [Family("f1", "a", [FamilyMember("a", "origin"), FamilyMember("b", "derivative")], 0.9)]
OUTLETS = {"a": ("Harbor Daily", "2025-07-08"), "b": ("NewsNook", None), "c": ("Ledger", None),
           "d": ("Port Pulse", None)}  # fmt: skip
TITLES = {k: (None, f"{k}.txt") for k in "abcd"}


def cluster(cid: str, *members: tuple[str, int, str, ClaimRelation]) -> ClaimCluster:
    refs = [ClaimRef(d, i, t, relation) for d, i, t, relation in members]
    docs = {r.doc_id for r in refs if r.supports}
    return ClaimCluster(cid, "s1", refs[0].text, refs, len(docs), len(docs), len(docs))


CLUSTERS = [
    # four pages, but a and b are one origin: 3 origins
    cluster("copied", ("a", 1, "Dockworkers voted 1,412 to 388 to strike.", "states"),
            ("b", 1, "Dockworkers voted 1,412 to 388 to strike.", "states"),
            ("c", 2, "The dockers backed a strike by 1,412 votes to 388.", "states"),
            ("d", 3, "Workers voted to strike, 1,412 to 388.", "states")),
    # two independent pages, one of them speculative
    cluster("crane", ("c", 4, "The cranes could cost 300 jobs, the union said.", "states"),
            ("d", 5, "Automation may eliminate up to 300 jobs.", "states")),
    # says what the first quote says: left out
    cluster("again", ("c", 7, "Dockworkers voted 1,412 to 388 to strike on Monday.", "states"),
            ("d", 8, "Dockworkers voted 1,412 to 388 to strike on Monday.", "states")),
    # one page states it; a second states only part of it: never cited for it
    cluster("single", ("d", 9, "Fruit imports may run short within days.", "states"),
            ("c", 4, "The cranes could cost 300 jobs, the union said.", "partial")),
]  # fmt: skip
CLAIMS = {
    ("c", 4): Claim("c", 4, "", 0.9, "the union", "named", "reported"),
    ("d", 5): Claim("d", 5, "", 0.9, None, "outlet", "speculative"),
    ("d", 9): Claim("d", 9, "", 0.9, None, "outlet", "speculative"),
}
DISAGREE = [Disagreement("s1", "number", ClaimRef("c", 4, "x"), ClaimRef("d", 5, "y"),
                         "300 jobs", "200 jobs", 0.8)]  # fmt: skip


def brief(limit: int = 8):
    return story_brief(STORY, CLUSTERS, CLAIMS, DISAGREE, FAMILIES, OUTLETS, TITLES, limit)


def test_claims_come_by_independent_origins_with_copies_cited_as_one_origin() -> None:
    made = brief()
    first = made.items[0]
    assert first.cluster_id == "copied" and first.origins == 3 and first.documents == 4
    numbers = {s.doc_id: s.number for s in made.sources}
    assert sorted(numbers[d] for d in "ab") in first.citations  # a and b: one group
    assert [i.cluster_id for i in made.items] == ["copied", "crane", "single"]
    assert made.left_out == 1  # "again" says what "copied" says


def test_quotes_prefer_a_fact_and_marks_say_who_and_how_sure() -> None:
    made = brief()
    crane = made.items[1]
    assert crane.hedge == "reported" and crane.asserted_by == "the union"
    assert "according to the union" in crane.notes
    single = made.items[2]
    assert single.notes[:2] == ["single source", "speculative"]
    assert single.citations == [[next(s.number for s in made.sources if s.doc_id == "d")]]


def test_disagreements_and_sources_are_stated_and_text_is_escaped() -> None:
    made = brief(limit=1)
    assert len(made.items) == 1 and made.left_out == 3
    (d,) = made.disagreements
    assert (d.first_value, d.second_value) == ("300 jobs", "200 jobs")
    text = brief_markdown(asdict(made))
    assert "Sources differ" in text and "Harbor Daily" in text
    hostile = brief()
    hostile.items[0].text = "<script>alert(1)</script> *bold*"
    rendered = brief_markdown(asdict(hostile))
    assert "<script>" not in rendered and "\\*bold\\*" in rendered


def _endpoint_returning(content: str, seen: list) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"choices": [{"message": {"content": content}}]})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_generation_sends_only_the_quoted_claims_and_checks_citations() -> None:
    made = brief()
    seen: list = []
    endpoint = Endpoint("http://llm.invalid/v1", "tiny")
    client = _endpoint_returning("Dockworkers voted to strike [1, 2] [3].", seen)
    done = generate(made, endpoint, client)
    assert done.mode == "generated" and done.generated.endswith("[3].")
    prompt = seen[0]["messages"][1]["content"]
    assert "Dockworkers voted 1,412 to 388 to strike." in prompt and seen[0]["model"] == "tiny"
    with pytest.raises(StorytraceError, match="cites no source"):
        generate(made, endpoint, _endpoint_returning("They voted to strike.", []))
    with pytest.raises(StorytraceError, match="does not have"):
        check_citations("It happened [9].", {1, 2})


def test_endpoint_comes_from_the_environment_only_when_set() -> None:
    assert Endpoint.from_env({}) is None
    endpoint = Endpoint.from_env(
        {"STORYTRACE_LLM_URL": "http://x/v1/", "STORYTRACE_LLM_MODEL": "m"}
    )
    assert endpoint == Endpoint("http://x/v1", "m", None)
    with pytest.raises(StorytraceError, match="MODEL"):
        Endpoint.from_env({"STORYTRACE_LLM_URL": "http://x/v1"})


def test_a_failing_endpoint_is_a_clear_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="overloaded")

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(StorytraceError, match="failed"):
        generate(brief(), Endpoint("http://llm.invalid/v1", "m"), client)


def test_a_contradiction_is_stated_with_both_sentences() -> None:
    said = ClaimRef("c", 4, "The cranes will cost jobs.")
    denied = ClaimRef("d", 5, "The cranes will not cost any jobs.")
    denial = Disagreement("s1", "contradiction", said, denied, "", "", 0.7)
    made = story_brief(STORY, CLUSTERS, CLAIMS, [denial], FAMILIES, OUTLETS, TITLES)
    text = brief_markdown(asdict(made))
    assert "Sources contradict each other" in text
    assert "The cranes will cost jobs." in text and "The cranes will not cost any jobs." in text
