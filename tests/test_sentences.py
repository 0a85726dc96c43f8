"""Sentences fit to quote: bad splits joined, fragments and furniture told apart."""

from __future__ import annotations

import pytest

from storytrace.sentences import boilerplate_start, fragment_reason, join_splits


def pieces(*parts: str) -> tuple[str, list[tuple[int, int]]]:
    """A text made of parts joined by spaces, and each part's span (a parser's split)."""
    spans, start = [], 0
    for part in parts:
        spans.append((start, start + len(part)))
        start += len(part) + 1
    return " ".join(parts), spans


@pytest.mark.parametrize(
    "parts",
    [
        ("The site www.", "example.", "com), a consulting company, said so."),  # tokenised URL
        ("A 6.", "1-magnitude quake struck."),  # tokenised decimal
        ("It runs 2.", "7GHz quad Core i7s."),
        ("Dr.", "Ruiz said the vote was close."),  # a title
        ("The report by J.", "Smith was published."),  # an initial
        ("Prices rose (by 3 %", ") over the year."),  # closing punctuation
    ],
)
def test_bad_splits_are_joined(parts: tuple[str, ...]) -> None:
    text, spans = pieces(*parts)
    assert join_splits(text, spans) == [(0, len(text))]


def test_a_bullet_is_not_part_of_the_sentence() -> None:
    text, spans = pieces("- A tsunami warning was lifted.", "• Roads reopened at noon.")
    assert [text[a:b] for a, b in join_splits(text, spans)] == [
        "A tsunami warning was lifted.", "Roads reopened at noon."]  # fmt: skip


def test_real_sentence_ends_are_kept() -> None:
    text, spans = pieces("Acme Inc. agreed.", "The deal closes in May.", "iPhone sales fell.")
    assert join_splits(text, spans) == spans


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("com), a consulting company, said it would appeal.", "starts mid-sentence"),
        ("7GHz quad Core i7s and a 13-inch screen.", None),  # a digit may open a sentence
        ("and then the talks collapsed on Monday.", "starts mid-sentence"),
        ("Putin and Kim meet in Pyongyang", "no sentence end"),  # a sub-headline
        ("Rescue teams at the site on Tuesday", "no sentence end"),  # a caption
        ("Read more.", "too short"),
        ("Hit the jump for more on why the film might be late.", "page furniture"),
        ("About Quillon Labs, Inc.", "page furniture"),
        ("Media contact: press@quillon.example or call 555-010-2368.", "page furniture"),
        ('"We will rebuild," the mayor said.', None),
        ('Ross pulled out of "The Hunger Games. "', None),  # tokenised: a space, then the quote
        ("The quake killed 23 people, officials said.", None),
        ("iPhone shipments fell 4 % in the quarter.", None),
    ],
)
def test_fragment_reasons(sentence: str, reason: str | None) -> None:
    found = fragment_reason(sentence)
    assert (found is None) == (reason is None), found
    if reason:
        assert found.startswith(reason)


def test_boilerplate_starts_at_the_about_block_in_the_second_half() -> None:
    blocks = ["Acme ships a new lens.", "It costs $300.", "Sales start in May.",
              "About Acme, Inc.", "Acme makes lenses.", "Media contact: a@acme.ex"]  # fmt: skip
    assert boilerplate_start(blocks) == 3
    assert boilerplate_start(["About the quake", *blocks[:3]]) is None  # an opening line


def test_a_sentence_opening_with_about_is_not_furniture() -> None:
    assert fragment_reason("About Kim's visit, Putin said nothing new on Friday.") is None
    assert fragment_reason("About 300 people were killed in the quake.") is None
