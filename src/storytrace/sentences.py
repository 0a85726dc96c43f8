"""Sentences fit to quote: repairing bad splits, and telling a sentence from a fragment.

spaCy's small English pipeline splits sentences with its parser, and the parser is fooled by
periods that do not end a sentence: a URL ("www.example.com", or "www. example. com" in
tokenised text), a decimal written "6. 1", a title or an initial ("Dr.", "J. Smith"). The
pieces it leaves start mid-sentence ("com), a consulting company ..."), and a claim or an
answer quoted from one misleads. :func:`join_splits` glues such pieces back, using only the
two sides of each boundary.

:func:`fragment_reason` says why a sentence is not fit to quote as a claim (it starts
mid-sentence, has no sentence end as headings, sub-headlines and captions do, is too short,
or is page furniture such as a contact line); :func:`boilerplate_start` finds where a press
release's closing boilerplate ("About X, Inc.", media contacts) begins. Both are used by
the claim stage and by ``ask``; the test suite runs :func:`fragment_reason` over everything
the demo corpus quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words that end with a period without ending the sentence. Titles and the like always join
# the next piece; company suffixes only when what follows is lower case (rule 1), because
# "... said Acme Inc. The company ..." does end a sentence.
_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "sen",
        "rep",
        "gov",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "rev",
        "hon",
        "mt",
        "ft",
        "no",
        "nos",
        "vs",
        "www",
        "approx",
        "dept",
        "est",
        "fig",
        "jan",
        "feb",
        "apr",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
    ]
)
_BULLET = re.compile(r"[-*•–—]\s+")
_LAST_WORD = re.compile(r"(\S+)\.\s*$")
_DECIMAL_END = re.compile(r"\d\.\s*$")
_MID_START = re.compile(r"^[a-z]")
_CAMEL = re.compile(r"^[a-z]+[A-Z]")  # iPhone, eBay: a name, not a continuation
_CONTINUATION = re.compile(r"^[)\]},;:%/.-]")
# Tokenised text puts a space before a closing quote: 'the "Hunger Games. "'.
_END = re.compile(r"""[.!?…](?:\s*[)"'”’»\]])*$""")
MIN_QUOTE_WORDS = 4
_WORDS = re.compile(r"[^\W_]+")
_FURNITURE = re.compile(
    r"(?i)^(?:about (?-i:[A-Z])\S*(?: \S+){0,3}$|contacts?:|media contacts?|press contacts?|"
    r"for more information|for further information|forward[- ]looking statements|"
    r"safe harbor|copyright|©|all rights reserved|photo:|image:|credit:|\(photo|"
    r"reporting by|editing by|writing by|additional reporting|click here|subscribe|"
    r"sign up|follow us|share this|read more|source:|hit the jump|after the jump|"
    r"continue reading|read the full (?:story|article))",
)
_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+|\(?\+?\d{1,3}\)?[ .-]?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}"
)
_BOILERPLATE_HEAD = re.compile(
    r"(?i)^(?:about (?-i:[A-Z])[^!?\n]{0,80}|media contacts?:?|press contacts?:?|contacts?:|###|"
    r"forward[- ]looking statements?|safe harbor statement)\s*$"
)


def join_splits(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans (start, end) into ``text`` with bad splits joined: a piece that starts
    in lower case or with closing punctuation continues the one before; so does a piece
    after a title, an initial or a URL's "www.", and a number after "6." (a decimal).
    A list item's bullet ("- ", "• ") is left out of its sentence."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        bullet = _BULLET.match(text, start, end)
        if bullet and bullet.end() < end:
            start = bullet.end()
        if joined and _continues(text[joined[-1][0] : joined[-1][1]], text[start:end]):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _continues(before: str, after: str) -> bool:
    after = after.lstrip()
    if not after or not before.strip():
        return False
    if _CONTINUATION.match(after):
        return True
    if _MID_START.match(after) and not _CAMEL.match(after):
        return True
    if _DECIMAL_END.search(before) and after[:1].isdigit():
        return True
    last = _LAST_WORD.search(before)
    if last is None:
        return False
    word = last.group(1).lstrip("(\"'“‘").lower()
    return word in _TITLES or (len(word) == 1 and word.isalpha() and last.group(1)[-1].isupper())


def fragment_reason(text: str) -> str | None:
    """Why this sentence is not fit to quote as a claim, or None when it is."""
    stripped = text.strip()
    opening = stripped.lstrip("(\"'“‘«[")
    first = opening[:1]
    if not (first.isupper() or first.isdigit() or first in "$£€" or _CAMEL.match(opening)):
        return "starts mid-sentence"
    if not _END.search(stripped):
        return "no sentence end (a heading, sub-headline or caption)"
    if len(_WORDS.findall(stripped)) < MIN_QUOTE_WORDS:
        return "too short"
    if _FURNITURE.match(stripped) or _CONTACT.search(stripped):
        return "page furniture (contact, credit, boilerplate)"
    return None


def boilerplate_start(blocks: Sequence[str]) -> int | None:
    """Index of the block where a press release's closing boilerplate begins ("About X,
    Inc.", "Media contact:", "###", forward-looking statements), or None. Only the second
    half of a page is searched: an article can open with a short "About ..." line."""
    for k in range(len(blocks) // 2, len(blocks)):
        if _BOILERPLATE_HEAD.match(blocks[k].strip()):
            return k
    return None
