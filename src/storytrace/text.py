"""Words, names and comparable sentences: the text helpers every stage shares.

A sentence is compared by meaning (its embedding), by its content words (idf-weighted, so
"Pyongyang" counts for more than "week") and by its exact wording (word trigrams, which tell a
copy from a rewrite). Specific tokens (numbers, capitalised names) are what a derivative keeps
from its origin even when it rewords everything else.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from storytrace.model import Document
from storytrace.util import clean_text

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_NAME = re.compile(r"\b[A-Z][\w'’-]*[a-z][\w'’-]*\b")
# Numbers news writes in words ("two cables", "sixty-year-old"); "one" is left out: it is
# as often a pronoun ("one of the bosses").
_SMALL = (
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
)
NUMBER_WORDS = {w: str(n) for n, w in enumerate(_SMALL.split(), start=2)} | {
    "zero": "0", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60",
    "seventy": "70", "eighty": "80", "ninety": "90", "dozen": "12",
}  # fmt: skip
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
MIN_WORDS = 3  # shorter sentences ("Read more.", "Why?") carry no evidence of reuse
POSSESSIVE = re.compile(r"['’]s?$")  # "Kim's", "Quillon Labs'"

# Entity types that name participants and places (spaCy labels); dates and quantities are
# handled as numbers and years.
NAME_LABELS = {
    "PERSON": "person",
    "ORG": "org",
    "NORP": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "EVENT": "other",
    "PRODUCT": "other",
    "WORK_OF_ART": "other",
    "LAW": "other",
}


@functools.cache
def stop_words() -> frozenset[str]:
    """spaCy's English stop words, imported on first use: importing spaCy takes a second
    or two, which commands that never compare texts (`--help`, `docs`) should not pay."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(clean_text(text))]


def content_terms(tokens: list[str]) -> frozenset[str]:
    stop = stop_words()
    return frozenset(w for w in tokens if len(w) > 2 and w not in stop)


def trigrams(tokens: list[str]) -> frozenset[str]:
    return frozenset(" ".join(tokens[i : i + 3]) for i in range(len(tokens) - 2))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap of two word sets (0 when both are empty)."""
    return len(a & b) / len(a | b) if a | b else 0.0


def bigrams(tokens: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def numbers_in_digits(text: str) -> str:
    """The text with number words written as digits ("two" -> "2")."""
    return _NUMBER_WORD.sub(lambda m: NUMBER_WORDS[m.group().lower()], text)


def specific_tokens(sentence: str) -> set[str]:
    """Numbers and capitalised words other than the sentence's first word."""
    found = {n.replace(",", "") for n in _NUMBER.findall(sentence)}
    first = _WORD.search(sentence)
    start = first.end() if first else 0
    found |= {m.group().casefold() for m in _NAME.finditer(sentence, start)}
    return found


@dataclass(slots=True)
class DocText:
    """The parts of a document the comparison uses; built once per document and run."""

    doc_id: str
    sentence_ids: list[int]  # Sentence.index of each compared sentence
    sentences: list[str]
    terms: list[frozenset[str]]
    trigrams: list[frozenset[str]]
    specific: set[str] = field(default_factory=set)
    sentence_specific: list[set[str]] = field(default_factory=list)
    all_terms: frozenset[str] = frozenset()
    all_trigrams: frozenset[str] = frozenset()
    questions: int = 0  # sentences that are questions (explainers and FAQs ask them)

    @property
    def size(self) -> int:
        return len(self.sentences)


def doc_text(doc: Document) -> DocText:
    ids: list[int] = []
    texts: list[str] = []
    terms: list[frozenset[str]] = []
    grams: list[frozenset[str]] = []
    specific: set[str] = set()
    per_sentence: list[set[str]] = []
    questions = 0
    for sentence in doc.sentences:
        tokens = words(sentence.text)
        if len(tokens) < MIN_WORDS:
            continue
        ids.append(sentence.index)
        texts.append(sentence.text)
        terms.append(content_terms(tokens))
        grams.append(trigrams(tokens))
        per_sentence.append(specific_tokens(sentence.text))
        specific |= per_sentence[-1]
        questions += sentence.text.rstrip().endswith("?")
    return DocText(
        doc_id=doc.id,
        sentence_ids=ids,
        sentences=texts,
        terms=terms,
        trigrams=grams,
        specific=specific,
        sentence_specific=per_sentence,
        all_terms=frozenset().union(*terms),
        all_trigrams=frozenset().union(*grams),
        questions=questions,
    )


def shingles(doc: Document) -> list[str]:
    """Bigrams of the clean text's content words, for MinHash.

    Function words are left out first: "of the" and "said that" are shared by every pair of
    English articles and would make unrelated documents collide in the loose LSH bands,
    which turns candidate generation quadratic.
    """
    return text_shingles(doc.text)


def text_shingles(text: str) -> list[str]:
    """:func:`shingles` of a bare text (batch mode has no ``Document``)."""
    stop = stop_words()
    tokens = [w for w in words(text) if w not in stop]
    return sorted(set(bigrams(tokens)))


def longest_first(names: Iterable[str]) -> list[str]:
    """Distinct names, longest first, ties by the name itself: where a short form fits two
    full names, the first wins, and it must not depend on a set's order (string hashing
    changes it from process to process)."""
    return sorted(set(names), key=lambda name: (-len(name), name))


def entity_key(text: str) -> str:
    """Normalised name: case folded, possessive and punctuation dropped, hyphens as spaces,
    a leading "the" dropped ("the Kremlin's" -> "kremlin", "Kim Jong-un" -> "kim jong un")."""
    name = POSSESSIVE.sub("", text.strip()).replace("-", " ").casefold()
    name = " ".join(re.findall(r"[^\W_]+", name))
    return name.removeprefix("the ").strip()
