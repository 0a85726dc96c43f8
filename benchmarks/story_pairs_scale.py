"""The story graph's *pairs* step at 100k-1M documents, on drawn evidence (issue 24).

The pairs step is the one task of the full analysis that sees the whole corpus: it stacks
every preparing partition's evidence arrays, finds the candidate pairs (three nearest-
neighbour searches and shared rare names) and scores them. Planted corpora cost 0.3
core-seconds per document to prepare (spaCy, MiniLM): 8 core-hours for 100k documents
before the step could be measured. The step reads only arrays, so this script
*draws* arrays of the shapes `regroup.write_evidence` writes, with the sizes measured on the
9,965-document planted corpus (`out/bench/full/n10000-local`):

- documents in events of 1-6 (mean 1.9 documents per story there); per event a centre for
  each of the three vectors (384 dimensions), each document's vector its event's centre plus
  noise, unit length;
- tf-idf rows with the non-zeros per document measured there (terms 66, plain words 53,
  names 5.4, people 1.6, places 1.1, organisations 2.9, rare terms 14.5), half from the
  event's words and half at random from a vocabulary growing with the square root of the
  corpus (35,425 terms at 9,965 documents);
- names shared inside an event (so shared rare names pair its documents) and otherwise
  drawn from a vocabulary large enough that few recur; numbers (2.5) and years (0.6) per
  document; publication days within a year, an event's within a week.

What is measured is the step itself, in a fresh process on one core as a worker runs it:
seconds, peak resident memory, candidate pairs per document. The quality of its pairs is
not (they are drawn data, and the story models' probabilities on them mean nothing: the
components and blocks the step also finds are not reported); the scored pairs per document
are compared with the planted corpus's 38. Results: benchmarks/results/story_pairs_scale.json.

Usage: python -m benchmarks.story_pairs_scale --docs 100000 [--partition-docs 50000]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.story_graph import _apart
from storytrace.stories.features import unit_rows

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "story_pairs_scale.json"
WORK = REPO / "out" / "bench" / "story_pairs_scale"
SEED = 24
DIMS = 384
# Non-zeros per document and vocabulary at 9,965 planted documents, per bag.
PER_DOC = {"terms": 66, "plain": 53, "name": 5.4, "person": 1.6, "place": 1.1, "org": 2.9}
VOCAB = {"terms": 35_425, "plain": 6_478, "name": 30_593, "person": 10_370, "place": 6_774,
         "org": 15_512}  # fmt: skip
RARE_PER_DOC = 14.5
MEASURED_AT = 9_965


def draw(documents: int, partition_docs: int, folder: Path) -> list[Path]:
    """Evidence folders for ``documents`` drawn documents, ``partition_docs`` per folder."""
    rng = np.random.default_rng(SEED)
    sizes = rng.integers(1, 7, size=documents)  # event sizes 1-6: mean 3.5 draws, trimmed
    event = np.repeat(np.arange(len(sizes)), sizes)[:documents]
    event = _mean_story(event, rng)
    folders = []
    for k, start in enumerate(range(0, documents, partition_docs)):
        rows = np.arange(start, min(documents, start + partition_docs))
        place = folder / f"{k:05d}"
        _write_partition(place, rows, event, documents, rng)
        folders.append(place)
    return folders


def _mean_story(event: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split events so that the mean is the planted corpus's 1.9 documents per story."""
    lone = rng.random(len(event)) < 0.45  # these documents report an event of their own
    fresh = np.arange(len(event)) + event.max() + 1
    return np.where(lone, fresh, event)


def _write_partition(
    place: Path, rows: np.ndarray, event: np.ndarray, documents: int, rng: np.random.Generator
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from scipy import sparse

    from storytrace.engine import regroup

    shutil.rmtree(place, ignore_errors=True)
    place.mkdir(parents=True)
    growth = np.sqrt(documents / MEASURED_AT)
    mine = event[rows]
    for kind, name in enumerate(regroup._VECTORS):
        centre = _event_draw(mine, DIMS, kind)
        vectors = centre + 0.6 * rng.standard_normal((len(rows), DIMS), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        np.save(place / f"{name}.npy", vectors.astype(np.float32))
    for bag, per_doc in [*PER_DOC.items(), ("rare_terms", RARE_PER_DOC)]:
        width = int(VOCAB["terms" if bag == "rare_terms" else bag] * growth)
        if bag in ("name", "person", "place", "org"):
            width *= 50  # names outside an event: few recur
        matrix = _tfidf_rows(mine, per_doc, width, rng)
        sparse.save_npz(place / f"{bag}.npz", matrix, compressed=False)
    day = 739_000 + (mine * 7919) % 365 + rng.integers(0, 7, len(rows))
    numbers = [[str(v) for v in rng.integers(0, 10_000, rng.poisson(2.5))] for _ in rows]
    years = [[str(v) for v in rng.integers(2015, 2026, rng.poisson(0.6))] for _ in rows]
    sets = pa.list_(pa.string())
    pq.write_table(pa.table({
        "doc_id": pa.array([f"d{r:09d}" for r in rows.tolist()], pa.string()),
        "store": pa.array([str(place)] * len(rows), pa.string()),
        "day": pa.array(day, pa.int64()),
        "numbers": pa.array([sorted(set(v)) for v in numbers], sets),
        "years": pa.array([sorted(set(v)) for v in years], sets),
    }), place / regroup._ROWS)  # fmt: skip
    empty = pa.array([], pa.string())
    pq.write_table(pa.table({"doc_id": empty, "store": empty}), place / regroup._WITHOUT)


def _event_draw(event: np.ndarray, dims: int, kind: int) -> np.ndarray:
    """Each event's centre, the same in every partition (drawn from the event number)."""
    events, back = np.unique(event, return_inverse=True)
    centres = np.stack([
        np.random.default_rng((SEED, kind, e)).standard_normal(dims, dtype=np.float32)
        for e in events.tolist()
    ])  # fmt: skip
    return centres[back]


def _tfidf_rows(event: np.ndarray, per_doc: float, width: int, rng: np.random.Generator) -> Any:
    """Unit rows, sorted columns: half the non-zeros from the event's own columns (the same
    in every partition), half at random."""
    from scipy import sparse

    counts = rng.poisson(per_doc, len(event))
    indptr, indices = [0], []
    for e, count in zip(event.tolist(), counts.tolist(), strict=True):
        if count:
            own = np.random.default_rng((SEED, e, width)).integers(0, width, count)
            drawn = rng.integers(0, width, count // 2)
            indices.extend(np.unique(np.concatenate([own[: count - len(drawn)], drawn])).tolist())
        indptr.append(len(indices))
    data = rng.uniform(1.0, 3.0, len(indices)).astype(np.float32)
    matrix = sparse.csr_matrix((data, np.asarray(indices, np.int32), indptr),
                               shape=(len(event), width))  # fmt: skip
    return unit_rows(matrix)  # as the story stage scales its tf-idf rows


def measure(documents: int, partition_docs: int) -> dict[str, Any]:
    from storytrace.engine import regroup

    folder = WORK / f"n{documents}"
    started = time.perf_counter()
    evidence = draw(documents, partition_docs, folder / "evidence")
    drawn_s = time.perf_counter() - started
    _, seconds, peak = _apart(regroup.score_corpus, evidence, folder / "graph")
    import pyarrow.parquet as pq

    pairs = pq.read_metadata(folder / "graph" / "scored.parquet").num_rows
    return {
        "documents": documents,
        "partitions": len(evidence),
        "drawn_s": round(drawn_s, 1),
        "pairs_step": {"seconds": seconds, "peak_mb": peak},
        "scored_pairs": pairs,
        "pairs_per_document": round(pairs / documents, 1),
        "evidence_mb": round(
            sum(f.stat().st_size for f in (folder / "evidence").rglob("*") if f.is_file()) / 2**20
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--partition-docs", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the drawn arrays")
    args = parser.parse_args()
    row = measure(args.docs, args.partition_docs)
    row["machine"] = f"{platform.machine()}, {platform.python_version()}, one core"
    report = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    report[str(args.docs)] = row
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if not args.keep:
        shutil.rmtree(WORK / f"n{args.docs}", ignore_errors=True)
    print(json.dumps(row, indent=1))


if __name__ == "__main__":
    main()
