"""Batch mode, first slice: copy families over sharded inputs, on one machine or on Ray.

The steps are plain functions over column batches (``dict[str, list]``), so the same code
runs in the local executor and inside Ray Data's ``map_batches``/``groupby``:

1. ``prepare``: each record's text cleaned (NFKC, one spelling of quotes and dashes), its
   content id, its content-word bigrams and their MinHash signature (the reuse stage's
   parameters: 128 permutations, seed 42);
2. ``band_rows``: one row per (document, band) with the band's values as its key: LSH
   banding becomes a group-by on that key;
3. ``bucket_pairs``: the document pairs of each bucket (buckets above the reuse stage's cap
   are stock phrases and emit nothing);
4. ``verify``: a pair stays when its signatures agree on at least ``MIN_AGREEMENT`` of
   the positions (an estimate of bigram Jaccard; copies and light rewrites, not
   paraphrases: the embedding and sentence-alignment steps come next);
5. families: connected components of the verified pairs.

Outputs (Parquet): documents (id, input, title, url, published, words), pairs (a, b,
agreement) and families (family id, document id). Both engines give identical files.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from storytrace.errors import StorytraceError
from storytrace.model import document_id
from storytrace.reuse.candidates import BANDS, MAX_BUCKET, NUM_PERM, signatures
from storytrace.reuse.text import bigrams, stop_words, words
from storytrace.util import clean_text

MIN_AGREEMENT = 0.3  # signature agreement kept as a copy or close rewrite
Columns = dict[str, list[Any]]


@dataclass(slots=True)
class BatchResult:
    documents: list[dict[str, Any]]
    pairs: list[tuple[str, str, float]]
    families: list[list[str]]


def read_records(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Records of JSONL (.jsonl, .jsonl.gz) and Parquet files, or of every such file in a
    folder: ``text`` is required; ``title``, ``url``, ``published`` are kept when given."""
    for path in _files(paths):
        if path.name.endswith(".parquet"):
            import pyarrow.parquet as pq

            yield from ({**row, "input": f"{path}#{n}"}
                        for n, row in enumerate(pq.read_table(path).to_pylist(), 1))  # fmt: skip
            continue
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise StorytraceError(f"{path}:{n}: not JSON ({exc.msg})") from exc
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    raise StorytraceError(f"{path}:{n}: a record needs a 'text' string")
                yield {**record, "input": f"{path}#L{n}"}


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    suffixes = (".jsonl", ".jsonl.gz", ".parquet")
    for path in paths:
        if not path.exists():
            raise StorytraceError(f"{path}: no such file or folder")
        found = (
            sorted(p for p in path.rglob("*") if p.name.endswith(suffixes))
            if path.is_dir()
            else [path]
        )
        yield from found


def prepare(batch: Columns) -> Columns:
    """Clean text, id, bigram MinHash signature and word count of each record."""
    stop = stop_words()
    texts = [clean_text(t or "") for t in batch["text"]]
    titles = [clean_text(t) if t else None for t in _strings(batch, "title", len(texts))]
    shingles = [sorted(set(bigrams([w for w in words(t) if w not in stop]))) for t in texts]
    sigs = signatures(shingles)
    ids = [document_id(title, text.splitlines()) for title, text in zip(titles, texts, strict=True)]
    return {
        "id": ids,
        "input": list(batch["input"]),
        "title": titles,
        "url": _strings(batch, "url", len(texts)),
        "published": _strings(batch, "published", len(texts)),
        "words": [len(words(t)) for t in texts],
        "signature": [row.tolist() for row in sigs],
    }  # fmt: skip


def _strings(batch: Columns, key: str, n: int) -> list[str | None]:
    """The column's values that are strings (anything else, or a missing column: None)."""
    return [v if isinstance(v, str) and v else None for v in batch.get(key, [None] * n)]


def band_rows(batch: Columns) -> Columns:
    """One row per (document, band): the band's MinHash values as one key."""
    rows_per_band = NUM_PERM // BANDS
    out: Columns = {"key": [], "id": []}
    for doc_id, signature in zip(batch["id"], batch["signature"], strict=True):
        for band in range(BANDS):
            values = signature[band * rows_per_band : (band + 1) * rows_per_band]
            out["key"].append(f"{band}:" + ",".join(map(str, values)))
            out["id"].append(doc_id)
    return out


def bucket_pairs(batch: Columns) -> Columns:
    """The pairs of one bucket (all rows share a key), ids in order; none for a stock
    phrase's bucket."""
    ids = sorted(set(batch["id"]))
    if len(ids) < 2 or len(ids) > MAX_BUCKET:
        return {"a": [], "b": []}
    pairs = list(combinations(ids, 2))
    return {"a": [a for a, _ in pairs], "b": [b for _, b in pairs]}


def verify(
    pairs: Iterable[tuple[str, str]], sigs: dict[str, list[int]]
) -> list[tuple[str, str, float]]:
    kept = []
    for a, b in sorted(set(pairs)):
        agreement = float((np.asarray(sigs[a]) == np.asarray(sigs[b])).mean())
        if agreement >= MIN_AGREEMENT:
            kept.append((a, b, round(agreement, 4)))
    return kept


def families(pairs: Iterable[tuple[str, str, float]]) -> list[list[str]]:
    import networkx as nx

    graph = nx.Graph()
    graph.add_edges_from((a, b) for a, b, _ in pairs)
    return sorted(sorted(group) for group in nx.connected_components(graph))


def write_outputs(result: BatchResult, out: Path) -> list[Path]:
    """documents.parquet, pairs.parquet, families.parquet in ``out``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "documents": pa.Table.from_pylist(sorted(result.documents, key=lambda d: d["id"])),
        "pairs": pa.table({"a": [p[0] for p in result.pairs], "b": [p[1] for p in result.pairs],
                           "agreement": [p[2] for p in result.pairs]}),
        "families": pa.table({
            "family": [f"f{n}" for n, group in enumerate(result.families, 1) for _ in group],
            "id": [d for group in result.families for d in group],
        }),
    }  # fmt: skip
    written = []
    for name, table in tables.items():
        path = out / f"{name}.parquet"
        pq.write_table(table, path)
        written.append(path)
    return written
