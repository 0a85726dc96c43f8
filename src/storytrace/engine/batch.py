"""Batch mode's steps: plain functions over column batches (``dict[str, list]``) and arrays,
so that the local executor and Ray Data run the same code.

Per input file (embarrassingly parallel: the unit of work, of resuming and of scale-out):

1. ``read_file``: the records of one file through the ingest readers (JSONL(.gz), Parquet,
   WARC(.gz), HTML, text, feeds); a bad record becomes an error row, reading goes on;
2. ``prepare``: extraction and per-page furniture removal (the ingest stage's code), clean
   text, content id, the MinHash signature of its content-word bigrams (the reuse stage's
   parameters) and the vector of its lead (title and first sentences).

Over the whole corpus:

3. ``band_keys`` / ``bucket_pairs``: LSH banding as a group-by on (band, band values),
   pairs counted over bands (a group-by on the pair);
4. ``agreement`` / ``verified``: a pair stays when it shares ``MIN_SHARED_BANDS`` buckets,
   its signatures agree on at least ``MIN_AGREEMENT`` of the positions (an estimate of
   bigram Jaccard: copies and close rewrites) and it has ``MIN_SHARED_WORDS`` in common;
5. ``copy_groups``: connected components of the verified pairs (copies and close
   rewrites; the store's *families* also hold paraphrases and know who copied whom);
6. ``lead_groups``: average-link clustering of lead vectors over each document's nearest
   neighbours, copy groups starting merged, documents far apart in time never joined (an
   approximation of the store's *stories*).

The per-record work is the store pipeline's own: the read stage's extraction and furniture
rules (``storytrace.extract.record``) and the embed stage's MinHash (same parameters), so
a page gets the same document id in batch mode and in a store. The settings are the same
``Settings`` (``STORYTRACE_*``).

Outputs (Parquet): documents, duplicates, pairs, copy_groups, lead_groups, errors (see
``storytrace batch --help``). Same inputs give the same files on both engines.
"""

from __future__ import annotations

import hashlib
import re
import time
import zlib
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from storytrace.errors import StorytraceError
from storytrace.extract.record import assemble, extract_record
from storytrace.ingest.readers import discover, read_unit
from storytrace.ml import candidates
from storytrace.ml.cluster import average_link
from storytrace.ml.encode import encode
from storytrace.ml.static import encode_static
from storytrace.model import InputError, RawRecord
from storytrace.settings import Settings
from storytrace.text import stop_words, text_shingles, words
from storytrace.util import clean_text

MIN_AGREEMENT = 0.3  # signature agreement kept as a copy or close rewrite
# Pairs agreeing on 30 % of positions share two of the 64 bands 98 % of the time; most chance
# pairs share one. Checking only pairs seen twice kept 99.9 % of the verified pairs of a
# planted 100k corpus and made its pair step 2.3x faster (signature checks are most of it).
MIN_SHARED_BANDS = 2
# A share alone is not evidence for short texts: two 25-word briefs built on one stock
# sentence agree at 0.3, and at 1M planted documents such links chained 954 briefs into one
# family (family precision 0.41). Pairs must also share a sentence or two: their estimated
# common words (agreement / (1 + agreement) x the two lengths, the Jaccard identity) at
# least this many. Chosen on the planted 100k/1M runs (docs/scaling.md): F1 0.870 at both.
MIN_SHARED_WORDS = 20
# Story settings chosen on eval/ecbplus-dev and a planted corpus together (docs/benchmarks.md,
# "Batch mode"): a lead of ten sentences; each document's ten nearest leads with cosine >=
# 0.3; similarity = the mean of lead cosine and the Jaccard of the lead's names (names tell
# two earthquakes apart, which vectors of the same vocabulary do not); an average-link stop
# per encoder (missing pairs count as 0, so the stop is low).
LEAD_SENTENCES = 10
STORY_NEIGHBOURS = 10
STORY_FLOOR = 0.3
NAME_WEIGHT = 0.5
STORY_THRESHOLD = {"static": 0.2, "minilm": 0.25}
STORY_DAYS = 14  # reports of one event are published within days of each other
ENCODERS = ("static", "minilm", "none")
Columns = dict[str, list[Any]]


# -- per file ------------------------------------------------------------------------------
def input_files(paths: Iterable[Path], settings: Settings) -> list[Path]:
    """Files to read, folders walked in name order (the read stage's discovery); a
    missing path is an error before any work starts (a typo should not cost an hour)."""
    found: list[Path] = []
    for unit in discover(list(paths), settings):
        if isinstance(unit, InputError):
            raise StorytraceError(f"{unit.location}: {unit.message}")
        if unit.path is not None:
            found.append(unit.path)
    return found


def file_key(path: Path) -> str:
    """Identifies a file's content for resuming: path, size and modification time."""
    stat = path.stat()
    raw = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def read_file(path: Path, settings: Settings) -> Iterator[RawRecord | InputError]:
    """The records of one file, through the ingest readers: a bad record is an
    ``InputError`` and reading goes on."""
    for unit in discover([path], settings):
        if isinstance(unit, InputError):
            yield unit
        else:
            yield from read_unit(unit, settings)


def prepare(
    records: list[RawRecord], encoder: str = "static", spent: dict[str, float] | None = None
) -> Columns:
    """One row per record: metadata, clean text, content id, signature and lead vector.
    ``spent`` collects the seconds of each part (extract, minhash, embed)."""
    clock = Stopwatch(spent)
    rows = [_extract(r) for r in records]
    clock.lap("extract")
    sigs = candidates.signatures(text_shingles(row["text"]) for row in rows)
    clock.lap("minhash")
    leads = [lead_text(row["title"], row["text"]) for row in rows]
    vectors = encode_leads(leads, encoder)
    names = [lead_names(row["title"], row["text"]) for row in rows]
    clock.lap("embed")
    columns: Columns = {key: [row[key] for row in rows] for key in DOC_COLUMNS}
    columns["signature"] = list(sigs)
    columns["vector"] = list(vectors)
    columns["names"] = names
    return columns


class Stopwatch:
    """Adds the seconds since the last lap to ``spent[name]``."""

    def __init__(self, spent: dict[str, float] | None) -> None:
        self.spent = spent if spent is not None else {}
        self.now = time.perf_counter
        self.started = self.now()

    def lap(self, name: str) -> None:
        now = self.now()
        self.spent[name] = self.spent.get(name, 0.0) + now - self.started
        self.started = now

    def skip(self) -> None:
        """Start the next lap now (the time since was counted elsewhere)."""
        self.started = self.now()


DOC_COLUMNS = ("id", "input", "format", "title", "url", "site", "published", "words", "text")


def _extract(record: RawRecord) -> dict[str, Any]:
    doc, lines = extract_record(record)
    text = "\n".join(clean_text(line) for line in assemble(lines)[0].split("\n\n"))
    return {
        "id": doc.id,
        "input": record.location,
        "format": record.format,
        "title": clean_text(doc.title) if doc.title else None,
        "url": doc.url,
        "site": doc.site,
        "published": doc.published,
        "words": len(words(text)),
        "text": text,
    }


def lead_text(title: str | None, text: str) -> str:
    sentences = _sentences(clean_text(text.replace("\n", " ")))[:LEAD_SENTENCES]
    return " ".join([title or "", *sentences]).strip()


def lead_names(title: str | None, text: str) -> list[int]:
    """Hashes of the capitalised words inside the lead's sentences (not their first word):
    a cheap stand-in for its names, fast enough for millions of pages (spaCy's NER runs
    in `storytrace analyze`)."""
    skip = stop_words() | _CALENDAR
    found = set()
    for sentence in [title or "", *_sentences(text.replace("\n", " "))[:LEAD_SENTENCES]]:
        for token in sentence.split()[1:]:
            word = token.strip(".,;:!?\"'()[]")
            if len(word) > 2 and word[0].isupper() and word.lower() not in skip:
                found.add(zlib.crc32(word.lower().encode()))
    return sorted(found)


_CALENDAR = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
     "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"}
)  # fmt: skip


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])", text) if s]


def encode_leads(leads: list[str], encoder: str) -> np.ndarray:
    if encoder == "none":
        return np.zeros((len(leads), 0), dtype=np.float32)
    if encoder == "minilm":
        return encode(leads)
    if encoder == "static":
        return encode_static(leads)
    raise StorytraceError(f"unknown encoder {encoder!r} (choose from {', '.join(ENCODERS)})")


# -- over the corpus -----------------------------------------------------------------------
def band_keys(signatures: np.ndarray) -> np.ndarray:
    """One int64 key per (document, band): the band's values hashed with its number, so
    banding is a group-by on one integer column (two rows share a key only if they share
    the band's values; a hash collision only adds a pair that verification drops)."""
    bands = candidates.BANDS
    rows = signatures.shape[1] // bands
    values = signatures.astype(np.uint64).reshape(len(signatures), bands, rows)
    key = np.arange(bands, dtype=np.uint64)[None, :] * np.uint64(0x9E3779B97F4A7C15)
    for r in range(rows):
        key = (key ^ values[:, :, r]) * np.uint64(0xBF58476D1CE4E5B9)
        key ^= key >> np.uint64(31)
    return (key >> np.uint64(1)).astype(np.int64)


def bucket_pairs(keys: np.ndarray) -> np.ndarray:
    """Row pairs (i < j) that share a key in one band, as the reuse stage's LSH finds them
    (buckets over its cap are stock phrases and give none). Rows must be distinct
    documents."""
    n = len(keys)
    codes = list(candidates.band_pair_codes(keys, np.ones(n, dtype=bool)))
    if not codes:
        return np.zeros((0, 2), dtype=np.int64)
    joined = np.concatenate(codes)
    return np.stack([joined // n, joined % n], axis=1)


def agreement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of MinHash positions on which paired signatures agree (row by row)."""
    return candidates.row_agreement(a, b)


def verified(agree: np.ndarray, words_a: np.ndarray, words_b: np.ndarray) -> np.ndarray:
    """Which pairs are kept: enough agreement, and enough words in common for it to mean
    reuse (see ``MIN_SHARED_WORDS``)."""
    common = agree / (1 + agree) * (words_a + words_b)
    return (agree >= MIN_AGREEMENT) & (common >= MIN_SHARED_WORDS)


def copy_groups(pairs: np.ndarray, n: int) -> list[list[int]]:
    """Connected components (of two or more rows) of the verified pairs, sorted."""
    if not len(pairs):
        return []
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    touched = candidates.distinct(pairs.ravel())
    groups: dict[int, list[int]] = {}
    for row in touched.tolist():
        groups.setdefault(int(labels[row]), []).append(row)
    return sorted(groups.values())


def lead_pairs(vectors: np.ndarray, days: np.ndarray, names: list[np.ndarray]) -> np.ndarray:
    """(i, j, similarity) for each document's nearest leads that are close enough and
    published within ``STORY_DAYS`` of each other (a missing date never blocks)."""
    n = len(vectors)
    if n < 2 or vectors.shape[1] == 0:
        return np.zeros((0, 3))
    # Beyond 20k leads the search runs in a 64-dimension projection (as the story stage
    # does); the cosine kept is the full vectors'.
    space = candidates.project(vectors) if n > _PROJECT_ABOVE else vectors
    pairs = candidates.neighbour_array(space, np.ones(n, dtype=bool), k=STORY_NEIGHBOURS)
    cosine = np.einsum("ij,ij->i", vectors[pairs[:, 0]], vectors[pairs[:, 1]])
    gap = np.abs(days[pairs[:, 0]] - days[pairs[:, 1]])
    near = (days[pairs[:, 0]] < 0) | (days[pairs[:, 1]] < 0) | (gap <= STORY_DAYS)
    keep = (cosine >= STORY_FLOOR) & near
    pairs, cosine = pairs[keep], cosine[keep]
    shared = np.asarray([_jaccard(names[i], names[j]) for i, j in pairs.tolist()])
    similarity = (1 - NAME_WEIGHT) * cosine + NAME_WEIGHT * shared.reshape(-1)
    return np.column_stack([pairs, similarity]) if len(pairs) else np.zeros((0, 3))


_PROJECT_ABOVE = 20_000


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    union = len(a) + len(b)
    if not union:
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (union - common)


def lead_groups(n: int, pairs: np.ndarray, groups: list[list[int]], encoder: str) -> list[int]:
    """A group label per row: average link over the lead pairs, copy groups pre-merged."""
    triples = ((int(i), int(j), float(s)) for i, j, s in pairs)
    return average_link(n, triples, STORY_THRESHOLD[encoder], initial=groups)


def day_numbers(published: Iterable[str | None]) -> np.ndarray:
    """Days since 1970 of ISO dates; -1 where unknown."""
    out = []
    for value in published:
        try:
            out.append(date.fromisoformat(value[:10]).toordinal() - 719163 if value else -1)
        except ValueError:
            out.append(-1)
    return np.asarray(out, dtype=np.int64)


def output_names() -> tuple[str, ...]:
    return ("documents", "duplicates", "pairs", "copy_groups", "lead_groups", "errors")


def shard_name(index: int, path: Path) -> str:
    return f"{index:06d}-{file_key(path)}"
