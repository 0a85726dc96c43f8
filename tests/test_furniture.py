"""Furniture removal: line patterns, context rules, corpus statistics; seeds when available."""

from __future__ import annotations

import pytest

from storytrace.extract.furniture import (
    CorpusStats,
    line_shape,
    match_pattern,
    remove_patterns,
    remove_repeated,
)
from storytrace.extract.text import parse_text
from storytrace.model import Line
from support import SHARED

BODY = [
    "The county opened a new cycling path along the canal on Saturday morning.",
    "Officials said the route links three villages and cost less than expected.",
    "Local riders welcomed the path but asked for better lighting near the locks.",
]


def as_lines(texts: list[str]) -> list[Line]:
    return [Line(t, "paragraph", n) for n, t in enumerate(texts)]


def removed_texts(texts: list[str]) -> dict[str, str]:
    _, removed = remove_patterns(as_lines(texts))
    return {r.text: r.reason for r in removed}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Share the love", "pattern:share"),
        ("Share this post", "pattern:share"),
        ("Click to share on LinkedIn (Opens in new window)", "pattern:share"),
        ("Sharing is caring!", "pattern:share"),
        ("Enjoyed this? Share it with a friend!", "pattern:share"),
        ("Facebook | Twitter | Email", "pattern:share"),
        ("Views: 4,210", "pattern:views"),
        ("Post Views: 88", "pattern:views"),
        ("Editor | Website | + posts", "pattern:author-box"),
        ("Leave a Reply Cancel reply", "pattern:comment-form"),
        ("Your email address will not be published. Required fields are marked *", None),
        ("12 Comments", "pattern:comment-form"),
        ("Comments (4)", "pattern:comment-form"),
        ("Logged in as admin. Log out?", "pattern:comment-form"),
        ("Tags: harbour, ferries, transport", "pattern:tags"),
        ("Filed Under: Transport", "pattern:tags"),
        ("Sign up for our newsletter to get daily updates", "pattern:newsletter"),
        ("Recommended Reading:", "pattern:related-list"),
        ("More From Harbour News", "pattern:related-list"),
        ("Next Story →", "pattern:navigation"),
        ("News » Local » Transport", "pattern:breadcrumb"),
        ("© 2016 Harbour News Ltd.", "pattern:copyright"),
        ("Loading...", "pattern:widget"),
    ],
)
def test_line_patterns(line: str, reason: str | None) -> None:
    expected = reason or "pattern:comment-form"
    assert match_pattern(line) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "He refused to share it with the police.",
        "Share prices fell by four percent on Monday after the announcement.",
        "Copyright law was changed in 2009 after a long campaign.",
        "Leave a reply on the form and the council will answer, she said.",
        "The tags were attached to the birds before their release.",
        "Posted in 2009, the video has been watched millions of times.",
    ],
)
def test_sentences_never_match(sentence: str) -> None:
    assert match_pattern(sentence) is None


def test_comment_form_fields_next_to_the_form() -> None:
    reasons = removed_texts([*BODY, "Leave a Comment", "Comment", "Name *", "Email *", "Website"])
    assert set(reasons) == {"Leave a Comment", "Comment", "Name *", "Email *", "Website"}


def test_field_word_alone_in_the_body_is_kept() -> None:
    assert removed_texts(["Website", *BODY]) == {}


def test_related_headlines_under_a_header() -> None:
    texts = [
        *BODY,
        "Don't Miss:",
        "Ten Quick Soups For Cold Evenings",
        "How to Choose a Winter Coat That Lasts",
        "Popular Posts",
    ]
    assert set(removed_texts(texts)) == set(texts[3:])


def test_related_list_stops_at_article_text() -> None:
    texts = ["Read Next:", "Canal cycling path lighting near the locks", *BODY]
    reasons = removed_texts(texts)
    assert "Read Next:" in reasons
    assert "Canal cycling path lighting near the locks" not in reasons


def test_author_box_name_bio_and_marker() -> None:
    texts = [
        *BODY,
        "Views: 310",
        "Oliver Brandt",
        "Contributor | + posts",
        "Oliver Brandt is a freelance writer who covers transport and rural life.",
    ]
    assert set(removed_texts(texts)) == set(texts[3:])


def test_name_line_with_bio_but_no_marker() -> None:
    texts = [
        *BODY,
        "Share this post",
        "Mina Castell",
        "Mina Castell writes about towns, trains and the stories of the people in them.",
    ]
    assert set(removed_texts(texts)) == set(texts[3:])


def test_person_sentence_in_the_body_is_kept() -> None:
    texts = ["Mina Castell is a local cyclist who rode the path on its first day.", *BODY]
    assert removed_texts(texts) == {}


def test_bottom_zone_tagline_between_furniture() -> None:
    texts = [*BODY, "Tags: canal, cycling", "Plain Weekly - local news made simple", "Next Story"]
    assert removed_texts(texts)["Plain Weekly - local news made simple"] == "pattern:site"


def test_top_navigation_bar() -> None:
    texts = ["Local | Transport", *BODY]
    assert removed_texts(texts) == {"Local | Transport": "pattern:navigation"}


def test_article_ending_with_short_lines_without_furniture_is_kept() -> None:
    assert removed_texts([*BODY, "Canal Path Opening Hours"]) == {}


# --- corpus statistics -----------------------------------------------------------------------


def test_line_shape_folds_digits_case_and_punctuation() -> None:
    assert line_shape("Views: 764") == line_shape("VIEWS 1,387")


STORIES = ["apples", "bridges", "comets", "dolphins"]


def template_corpus() -> CorpusStats:
    docs = []
    for n, topic in enumerate(STORIES):
        body = [
            f"A long opening sentence about {topic}, told at some length here.",
            "Trending Topics",
            f"Reads: {100 + n * 37}",
            f"Closing words on {topic}.",
        ]
        docs.append((f"t{n}", None, body))
    wire = [
        "The wire story begins with this sentence.",
        "Police said nothing more",
        "The wire story ends with this other sentence.",
    ]
    docs += [(f"w{n}", None, list(wire)) for n in range(4)]
    return CorpusStats.build(docs)


def test_repeated_line_in_different_contexts_is_furniture() -> None:
    stats = template_corpus()
    lines = as_lines(
        [
            "Another story opens here with a long sentence.",
            "Trending Topics",
            "Reads: 5",
            "The end.",
        ]
    )
    _, removed = remove_repeated(lines, stats)
    assert {r.text: r.reason for r in removed} == {
        "Trending Topics": "corpus:repeated-line",
        "Reads: 5": "corpus:repeated-shape",
    }


def test_wire_copy_lines_with_same_neighbours_are_kept() -> None:
    stats = template_corpus()
    lines = as_lines(
        [
            "The wire story begins with this sentence.",
            "Police said nothing more",
            "The wire story ends with this other sentence.",
        ]
    )
    assert remove_repeated(lines, stats)[1] == []


def test_repeated_sentences_are_never_corpus_furniture() -> None:
    docs = [
        (f"d{n}", None, [f"Lead {n} of a story.", "He was 85.", f"Other {n}."]) for n in range(5)
    ]
    stats = CorpusStats.build(docs)
    assert stats.verdict("He was 85.") is None


def test_stock_heading_between_paragraphs_is_kept() -> None:
    docs = [
        (
            f"d{n}",
            None,
            [
                f"Paragraph {n} is a sentence that runs long enough here.",
                "The Big Picture",
                f"Another paragraph {n} that runs long enough.",
            ],
        )
        for n in range(5)
    ]
    stats = CorpusStats.build(docs)
    lines = as_lines(
        [
            "A paragraph that is long enough to count as prose here.",
            "The Big Picture",
            "And then the article carries on with one more sentence.",
        ]
    )
    assert remove_repeated(lines, stats)[1] == []


def test_same_site_with_different_neighbours_is_enough() -> None:
    docs = [
        (
            f"d{n}",
            "example.org",
            [f"A sentence about {topic} that is long enough.", "Around the Web"],
        )
        for n, topic in enumerate(STORIES[:2])
    ]
    stats = CorpusStats.build(docs)
    assert stats.verdict("Around the Web") == "corpus:repeated-line"


def test_same_neighbours_on_different_sites_is_syndication() -> None:
    docs = [
        (
            f"d{n}",
            f"site{n}",
            ["The same syndicated opening sentence, word for word.", "Around the Web"],
        )
        for n in range(3)
    ]
    assert CorpusStats.build(docs).verdict("Around the Web") is None


# --- seeds (real pages, read from ../shared; never copied into the project) -----------------

# The furniture lines the acceptance section of eval/README.md names, by seed and opening words.
SEED_FURNITURE = {
    "001": ["Spread the", "Views:", "Website | + posts", "Whether writing about", "SOURCE:"],
    "003": ["Similar Posts", "Leave a Reply", "Your email address"],
    "004": ["Published:", "Also Read:", "India brings", "Tesla investors", "India Investigates"],
}


def seed_texts() -> dict[str, str]:
    folder = SHARED / "seeds"
    if not folder.is_dir():
        pytest.skip("shared seeds not available")
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


@pytest.mark.parametrize("key", ["000", "001", "002", "003", "004"])
def test_seed_furniture_removed_and_article_kept(key: str) -> None:
    texts = seed_texts()
    if key not in texts:
        pytest.skip(f"seed {key} not available")
    result = parse_text(texts[key])
    openings = SEED_FURNITURE.get(key, [])
    kept = [ln.text for ln in result.lines]
    assert not [t for t in kept if t.startswith(tuple(openings))] if openings else True
    removed = [r for r in result.removed if r.reason != "metadata:title"]
    assert all(r.text.startswith(tuple(openings)) for r in removed), removed
    expected = (
        sum(1 for line in texts[key].splitlines() if line.strip().startswith(tuple(openings)))
        if openings
        else 0
    )
    assert len(removed) == expected
