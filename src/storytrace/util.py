"""Small helpers shared by several stages."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to ``size`` items, in order (itertools.batched arrived in Python 3.12)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def group_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """Items in lists by key, each list in the items' order."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (word lists in rules)."""
    return frozenset(words.split())


_PUNCT_FOLD = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "}
)
_SPACE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """NFKC, plain quotes and dashes, collapsed spaces: one spelling for rules and ids."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT_FOLD)
    return _SPACE.sub(" ", text).strip()


def place_name(location: str) -> str:
    """The last part of where a document was read: a file's name (with its record,
    ``dump.jsonl#L12``) or a page URL's last path segment."""
    return location.rstrip("/").rsplit("/", 1)[-1]


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file so an interrupted run never leaves a half-written output."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
