"""Scale of reuse detection's candidate and verification stages on planted corpora.

For each corpus size (default 10k and 100k documents from `benchmarks/planted.py`), in a fresh
subprocess so peak memory is per size:

1. generate the corpus in memory (timed, not part of the stages);
2. candidates, storytrace: word-bigram sets -> rensa MinHash signatures -> numpy LSH banding
   (64 bands x 2 rows at 128 permutations); recall of the planted gold pairs;
3. the same stage with datasketch 2.0.0 at identical parameters (MinHash 128 perms, seed 42,
   MinHashLSH params=(64, 2)), for a speed ratio, in a process of its own and with
   storytrace's LSH timed again on the same documents; beyond 20k documents both run on the
   first 20k (datasketch has no bucket cap: its pair sets outgrow 24 GB at 100k);
4. neighbour search (faiss, k=20) over STAND-IN document vectors: the normalised mean of
   pseudo-random word vectors. They measure cost only, not quality: encoding 100k documents
   with MiniLM on 2 CPU cores takes hours;
5. verification (prepare + compare + features both ways) on a deterministic sample of up to
   20,000 candidate pairs, with regex sentences and stand-in sentence vectors.

MiniLM encoding throughput is measured once, on 2,000 generated sentences, to state how long
real vectors would take for each corpus.

Usage: python -m benchmarks.reuse_scale [--docs 10000 100000] [--seed 7] [--skip-datasketch]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import resource
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from benchmarks import planted
from storytrace.ml import candidates
from storytrace.ml.vectors import mean_vector
from storytrace.model import Document, Sentence
from storytrace.reuse.features import Vocabulary, compare, prepare
from storytrace.text import content_terms, doc_text, words
from storytrace.text import shingles as text_shingles

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "reuse_scale.json"
THREADS = 2
DIM = 384
# Stand-in word vectors come from a fixed random table indexed by a stable hash of the word:
# deterministic and per-word like a real embedding lookup, but bounded in memory (a per-word
# cache would hold every invented name of a 100k corpus).
_TABLE_ROWS = 1 << 16
DATASKETCH_SUBSAMPLE = 20_000
VERIFY_PAIRS = 20_000
BANDING_VISITS_MAX = 400_000_000  # pair codes are int64 arrays, compacted as they grow
ENCODE_SENTENCES = 2_000
_SENTENCE = re.compile(r"\S[^\n]*?(?:[.!?]+[\"'”’)]*(?=\s|$)|(?=\n)|$)")
Pair = tuple[int, int]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


# -- corpus and gold -----------------------------------------------------------------------
def load_corpus(n: int, seed: int) -> tuple[list[str], list[str], list[dict]]:
    keys, texts, truth = [], [], []
    for key, text, record in planted.generate(n, seed):
        keys.append(key)
        texts.append(text)
        truth.append(record)
    return keys, texts, truth


def gold_index(keys: list[str], truth: list[dict]) -> dict[Pair, str]:
    """Gold pairs as row pairs (i < j), each labelled with the later document's style."""
    row = {k: i for i, k in enumerate(keys)}
    style = {r["doc"]: r["style"] or "original" for r in truth}
    gold: dict[Pair, str] = {}
    for pair in planted.gold_pairs(truth):
        i, j = sorted(row[k] for k in pair)
        gold[(i, j)] = style[keys[j]]
    return gold


def recall(found: set[Pair], gold: dict[Pair, str]) -> dict[str, object]:
    hits = [style for pair, style in gold.items() if pair in found]
    by_style = Counter(gold.values())
    hit_style = Counter(hits)
    return {
        "recall": round(len(hits) / len(gold), 4) if gold else None,
        "by_later_style": {s: round(hit_style[s] / c, 4) for s, c in sorted(by_style.items())},
    }


# -- stage 2: storytrace candidates --------------------------------------------------------
def band_emissions(sigs: np.ndarray, bands: int = candidates.BANDS) -> int:
    """Pairs the banding loop will visit (sum of C(bucket, 2) over bands), before dedup.

    Cheap to count with numpy; the loop itself is Python and its pair set lives in memory, so
    this decides whether banding can run on the whole corpus.
    """
    rows = sigs.shape[1] // bands
    total = 0
    for band in range(bands):
        block = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        _, counts = np.unique(keys, return_counts=True)
        counts = counts[counts <= candidates.MAX_BUCKET]  # oversized buckets are skipped
        total += int((counts * (counts - 1) // 2).sum())
    return total


def band_hits(sigs: np.ndarray, gold: dict[Pair, str], bands: int = candidates.BANDS) -> dict:
    """Exact LSH recall over all gold pairs: a pair is found iff some band matches fully.

    Needs no pair set, so it is exact even where banding itself runs on a subsample.
    """
    pairs = np.asarray(list(gold), dtype=np.int64).reshape(-1, 2)
    a = sigs[pairs[:, 0]].reshape(len(pairs), bands, -1)
    b = sigs[pairs[:, 1]].reshape(len(pairs), bands, -1)
    small = np.stack([_bucket_sizes(sigs, band, bands) for band in range(bands)], axis=1)
    usable = small[pairs[:, 0]] <= candidates.MAX_BUCKET  # a shared oversized bucket is skipped
    agree = (sigs[pairs[:, 0]] == sigs[pairs[:, 1]]).mean(axis=1) >= candidates.MIN_JACCARD
    hit = ((a == b).all(axis=2) & usable).any(axis=1) & agree
    found = {p for p, h in zip(gold, hit, strict=True) if h}
    return recall(found, gold)


def _bucket_sizes(sigs: np.ndarray, band: int, bands: int) -> np.ndarray:
    """Size of the bucket each document falls in, for one band."""
    rows = sigs.shape[1] // bands
    block = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
    keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return counts[inverse.ravel()]


def storytrace_candidates(shingles: list[list[str]], gold: dict[Pair, str]) -> tuple[dict, set]:
    n = len(shingles)
    t0 = time.perf_counter()
    sigs = candidates.signatures(shingles)
    sig_s = time.perf_counter() - t0
    emissions = band_emissions(sigs)
    # Keep the banded prefix under the budget should a corpus fill its buckets.
    m = n if emissions <= BANDING_VISITS_MAX else int(n * math.sqrt(BANDING_VISITS_MAX / emissions))
    sub_emissions = emissions if m == n else band_emissions(sigs[:m])
    t0 = time.perf_counter()
    pairs = candidates.lsh_pairs(sigs[:m], np.ones(m, dtype=bool))
    band_s = time.perf_counter() - t0
    scale = emissions / sub_emissions  # banding cost and pair count both follow visits
    out = {
        "signatures_s": round(sig_s, 2),
        "signatures_docs_per_s": round(n / sig_s),
        "band_visits": emissions,
        "banding_docs": m,
        "banding_note": None
        if m == n
        else f"{emissions:,} bucket visits for all {n} docs: "
        f"banding measured on the first {m} docs, full-size time and pairs projected by visits",
        "banding_s": round(band_s, 2),
        "banding_full_s": round(band_s * scale, 1),
        "total_full_s": round(sig_s + band_s * scale, 1),
        "docs_per_s": round(n / (sig_s + band_s * scale)),
        "pairs_measured": len(pairs),
        "pairs_full": round(len(pairs) * scale),
        **band_hits(sigs, gold),
    }
    return out, pairs


# -- stage 3: datasketch at equal parameters -----------------------------------------------
def datasketch_candidates(shingles: list[list[str]], gold: dict[Pair, str], limit: int) -> dict:
    from datasketch import MinHash, MinHashLSH

    n = len(shingles)
    subsample = min(len(shingles), limit)
    docs = shingles[:subsample]
    t0 = time.perf_counter()
    hashes = MinHash.bulk(
        [[s.encode() for s in doc] or [b"<empty>"] for doc in docs], num_perm=128, seed=42
    )
    t1 = time.perf_counter()
    lsh = MinHashLSH(num_perm=128, params=(64, 2))
    for i, h in enumerate(hashes):
        lsh.insert(i, h)
    pairs = {(min(i, j), max(i, j)) for i, h in enumerate(hashes) for j in lsh.query(h) if j != i}
    t2 = time.perf_counter()
    sub_gold = {p: s for p, s in gold.items() if p[1] < subsample}
    return {
        "docs_measured": subsample,
        "subsample_note": None
        if subsample == n
        else f"both measured on the first {subsample} of {n} docs (datasketch's pair sets, with "
        "no bucket cap, outgrow memory on all of them)",
        "minhash_s": round(t1 - t0, 2),
        "lsh_insert_query_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2),
        "docs_per_s": round(subsample / (t2 - t0)),
        "pairs": len(pairs),
        **recall(pairs, sub_gold),
    }


# -- stand-in vectors ----------------------------------------------------------------------
class StandInVectors:
    """Deterministic pseudo-random word vectors: cost only, not quality."""

    def __init__(self) -> None:
        table = np.random.default_rng(12345).standard_normal((_TABLE_ROWS, DIM), np.float32)
        self.table = table / np.linalg.norm(table, axis=1, keepdims=True)
        self.rows: dict[str, int] = {}

    def row(self, word: str) -> int:
        found = self.rows.get(word)
        if found is None:
            found = self.rows[word] = zlib.crc32(word.encode()) % _TABLE_ROWS
        return found

    def mean(self, tokens: list[str]) -> np.ndarray:
        if not tokens:
            return np.zeros(DIM, dtype=np.float32)
        vec = self.table[[self.row(w) for w in tokens]].mean(axis=0)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec


def neighbour_stage(tokens: list[list[str]], stand_in: StandInVectors) -> tuple[dict, set]:
    n = len(tokens)
    t0 = time.perf_counter()
    vectors = np.stack([stand_in.mean(t) for t in tokens]).astype(np.float32)
    t1 = time.perf_counter()
    pairs = candidates.neighbour_pairs(vectors, np.ones(n, dtype=bool), k=20, threads=THREADS)
    t2 = time.perf_counter()
    exact = n * n * DIM <= candidates._EXACT_SEARCH_WORK
    index = "exact (IndexFlatIP)" if exact else "HNSW (M=32)"
    return {
        "vectors": "stand-in vectors: cost only, not quality",
        "index": index,
        "stand_in_vectors_s": round(t1 - t0, 2),
        "search_s": round(t2 - t1, 2),
        "docs_per_s": round(n / (t2 - t1)),
        "pairs": len(pairs),
    }, pairs


# -- stage 5: verification -----------------------------------------------------------------
def to_document(key: str, text: str) -> Document:
    sentences = [
        Sentence(i, m.start(), m.end(), m.group().strip())
        for i, m in enumerate(_SENTENCE.finditer(text))
    ]
    return Document(id=key, text=text, format="text", location=key, sentences=sentences)


def document_idf(tokens: list[list[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for doc in tokens:
        df.update(content_terms(doc))
    n = len(tokens)
    return {term: math.log((n + 100) / (count + 1)) for term, count in df.items()}


def verify_stage(
    keys: list[str],
    texts: list[str],
    tokens: list[list[str]],
    pairs: list[Pair],
    stand_in: StandInVectors,
) -> dict:
    t0 = time.perf_counter()
    idf = document_idf(tokens)
    t_idf = time.perf_counter() - t0
    vocab = Vocabulary()
    prepared = {}
    t0 = time.perf_counter()
    for i in sorted({i for pair in pairs for i in pair}):
        text = doc_text(to_document(keys[i], texts[i]))
        vecs = np.stack([stand_in.mean(words(s)) for s in text.sentences] or [np.zeros(DIM)])
        vecs = vecs[: text.size].astype(np.float32)
        prepared[i] = prepare(text, vecs, mean_vector(vecs), idf, vocab)
    t_prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i, j in pairs:
        a, b = prepared[i], prepared[j]
        if a.text.size == 0 or b.text.size == 0:
            continue  # the pipeline never compares an empty document
        comparison = compare(a, b)
        comparison.features()
        comparison.direction_features(False)
        comparison.direction_features(True)
    t_cmp = time.perf_counter() - t0
    return {
        "pairs_sampled": len(pairs),
        "docs_prepared": len(prepared),
        "idf_s": round(t_idf, 2),
        "prepare_s": round(t_prep, 2),
        "prepare_docs_per_s": round(len(prepared) / t_prep),
        "compare_s": round(t_cmp, 2),
        "compare_pairs_per_s": round(len(pairs) / t_cmp),
        "sentence_vectors": "stand-in vectors: cost only, not quality",
    }


def implied_verify(verify: dict, n: int, total_pairs: int) -> dict:
    """Whole-corpus verification cost from the sample's per-doc and per-pair rates."""
    seconds = n / verify["prepare_docs_per_s"] + total_pairs / verify["compare_pairs_per_s"]
    return {
        "candidate_pairs_per_doc": round(total_pairs / n, 2),
        "implied_full_s": round(seconds, 1),
        "implied_docs_per_s": round(n / seconds, 1),
    }


# -- one size ------------------------------------------------------------------------------
def run_one(n: int, seed: int) -> dict:
    t0 = time.perf_counter()
    keys, texts, truth = load_corpus(n, seed)
    out: dict = {"docs": n, "generate_s": round(time.perf_counter() - t0, 2)}
    gold = gold_index(keys, truth)
    out["gold_pairs"] = len(gold)
    log(f"[{n}] generated in {out['generate_s']}s, {len(gold)} gold pairs")

    t0 = time.perf_counter()
    tokens = [words(t) for t in texts]
    # The product's shingles: bigrams of content words (see storytrace.text.shingles).
    shingles = [text_shingles(to_document(k, t)) for k, t in zip(keys, texts, strict=True)]
    out["shingle_s"] = round(time.perf_counter() - t0, 2)
    out["sentences"] = sum(len(_SENTENCE.findall(t)) for t in texts)

    out["storytrace_lsh"], lsh = storytrace_candidates(shingles, gold)
    log(f"[{n}] storytrace lsh {out['storytrace_lsh']['total_full_s']}s, {len(lsh)} pairs")
    del shingles

    stand_in = StandInVectors()
    out["neighbours"], near = neighbour_stage(tokens, stand_in)
    log(f"[{n}] neighbours {out['neighbours']['search_s']}s, {len(near)} pairs")
    union = lsh | near
    out["candidate_pairs_union"] = len(union)
    # Where banding ran on a prefix, the full-size count adds the projected LSH pairs to the
    # neighbour pairs the LSH did not already hold (the prefix's overlap share).
    extra = len(union) - len(lsh)
    out["candidate_pairs_full"] = out["storytrace_lsh"]["pairs_full"] + (
        extra if out["storytrace_lsh"]["banding_docs"] == n else len(near)
    )
    del lsh, near

    sample = sorted(union)
    if len(sample) > VERIFY_PAIRS:
        sample = sorted(random.Random(seed).sample(sample, VERIFY_PAIRS))
    del union
    verify = verify_stage(keys, texts, tokens, sample, stand_in)
    verify.update(implied_verify(verify, n, out["candidate_pairs_full"]))
    out["verify"] = verify
    log(f"[{n}] verify {verify['compare_pairs_per_s']} pairs/s")
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def run_datasketch(n: int, seed: int) -> dict:
    """datasketch against storytrace's LSH on the same documents, in a process of its own.

    datasketch's MinHashLSH has no bucket cap, so its pair sets grow with the square of
    bucket sizes; beyond DATASKETCH_SUBSAMPLE documents both run on that prefix.
    """
    keys, texts, truth = load_corpus(n, seed)
    gold = gold_index(keys, truth)
    shingles = [text_shingles(to_document(k, t)) for k, t in zip(keys, texts, strict=True)]
    del texts
    m = min(n, DATASKETCH_SUBSAMPLE)
    t0 = time.perf_counter()
    sigs = candidates.signatures(shingles[:m])
    own = candidates.lsh_pair_array(sigs, np.ones(m, dtype=bool))
    own_s = time.perf_counter() - t0
    out = datasketch_candidates(shingles, gold, m)
    out["storytrace_same_docs_s"] = round(own_s, 2)
    out["storytrace_same_docs_pairs"] = len(own)
    out["ratio_vs_storytrace"] = round(out["total_s"] / own_s, 2)
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def encode_rate(seed: int) -> dict:
    from storytrace.ml.encode import encode

    sentences: list[str] = []
    for _, text, _ in planted.generate(400, seed):
        sentences += [m.group().strip() for m in _SENTENCE.finditer(text)]
    sentences = sentences[:ENCODE_SENTENCES]
    encode(sentences[:64], threads=THREADS)  # load the model outside the timing
    t0 = time.perf_counter()
    encode(sentences, threads=THREADS)
    seconds = time.perf_counter() - t0
    return {
        "sentences": len(sentences),
        "s": round(seconds, 2),
        "per_s": round(len(sentences) / seconds),
    }


# -- driver --------------------------------------------------------------------------------
def child(flag: list[str], args: argparse.Namespace) -> dict:
    """Run one measurement in a fresh interpreter, so its peak memory is its own."""
    cmd = [sys.executable, "-m", "benchmarks.reuse_scale", *flag, "--seed", str(args.seed)]
    done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(sizes: list[dict], enc: dict) -> list[str]:
    head = f"{'stage':<44}" + "".join(f"{s['docs']:>14,}" for s in sizes)
    rows = [head, "-" * len(head)]

    def row(label: str, values: Iterable[object]) -> None:
        rows.append(f"{label:<44}" + "".join(f"{v!s:>14}" for v in values))

    def get(path: str) -> list[object]:
        found = []
        for s in sizes:
            value: object = s
            for part in path.split("."):
                value = value.get(part, "-") if isinstance(value, dict) else "-"
            found.append(value)
        return found

    for label, path in (
        ("generate s (not measured)", "generate_s"),
        ("gold pairs", "gold_pairs"),
        ("storytrace signatures s (all docs)", "storytrace_lsh.signatures_s"),
        ("storytrace band visits (before dedup)", "storytrace_lsh.band_visits"),
        ("storytrace banding docs measured", "storytrace_lsh.banding_docs"),
        ("storytrace banding s (measured)", "storytrace_lsh.banding_s"),
        ("storytrace banding s (full, projected)", "storytrace_lsh.banding_full_s"),
        ("storytrace LSH docs/s (full)", "storytrace_lsh.docs_per_s"),
        ("storytrace LSH pairs (measured)", "storytrace_lsh.pairs_measured"),
        ("storytrace LSH pairs (full)", "storytrace_lsh.pairs_full"),
        ("storytrace LSH recall (all gold, exact)", "storytrace_lsh.recall"),
        ("datasketch docs measured", "datasketch_lsh.docs_measured"),
        ("datasketch total s", "datasketch_lsh.total_s"),
        ("datasketch docs/s", "datasketch_lsh.docs_per_s"),
        ("datasketch pairs", "datasketch_lsh.pairs"),
        ("datasketch recall (measured docs)", "datasketch_lsh.recall"),
        ("storytrace LSH s on those docs", "datasketch_lsh.storytrace_same_docs_s"),
        ("datasketch / storytrace time", "datasketch_lsh.ratio_vs_storytrace"),
        ("datasketch process peak RSS MB", "datasketch_lsh.peak_rss_mb"),
        ("neighbours (stand-in vectors) index", "neighbours.index"),
        ("neighbours search s", "neighbours.search_s"),
        ("neighbours docs/s", "neighbours.docs_per_s"),
        ("candidate pairs (measured union)", "candidate_pairs_union"),
        ("candidate pairs (full)", "candidate_pairs_full"),
        ("verify sampled pairs", "verify.pairs_sampled"),
        ("verify prepare docs/s", "verify.prepare_docs_per_s"),
        ("verify compare pairs/s", "verify.compare_pairs_per_s"),
        ("candidate pairs per doc", "verify.candidate_pairs_per_doc"),
        ("verify implied docs/s", "verify.implied_docs_per_s"),
        ("sentences (regex)", "sentences"),
        ("peak RSS MB", "peak_rss_mb"),
    ):
        row(label, get(path))
    hours = [round(s["sentences"] / enc["per_s"] / 3600, 2) for s in sizes]
    row(f"MiniLM hours at {enc['per_s']} sent/s", hours)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-datasketch", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--datasketch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--encode", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.seed)))
        return 0
    if args.datasketch:
        print(json.dumps(run_datasketch(args.datasketch, args.seed)))
        return 0
    if args.encode:
        print(json.dumps(encode_rate(args.seed)))
        return 0
    enc = child(["--encode"], args)
    log(f"MiniLM: {enc['per_s']} sentences/s")
    sizes = [child(["--one", str(n)], args) for n in args.docs]
    if not args.skip_datasketch:
        for size in sizes:
            size["datasketch_lsh"] = child(["--datasketch", str(size["docs"])], args)
    for s in sizes:
        s["minilm_implied_hours"] = round(s["sentences"] / enc["per_s"] / 3600, 2)
    lines = table(sizes, enc)
    print("\n".join(lines))
    result = {
        "machine": {
            "cores": os.cpu_count(),
            "gpu": None,
            "threads": THREADS,
            "python": platform.python_version(),
        },
        "data": {"corpus": "benchmarks/planted.py (in memory)", "seed": args.seed},
        "notes": [
            "neighbour and verification vectors are stand-ins: cost only, not quality",
            "sentences are split by regex here; storytrace normally uses spaCy sentences",
            "gold pairs include derivative-derivative pairs sharing a root",
        ],
        "minilm_encode": enc,
        "sizes": sizes,
        "table": lines,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
