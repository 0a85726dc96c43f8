"""The embed stage: what later stages compare documents by.

For every annotated document: a vector per comparable sentence (MiniLM, or the static
encoder a store was built with), the document's mean vector, the MinHash signature of its
content-word bigrams, and its content terms (document frequencies). The reuse stage finds
candidates and aligns sentences with them; stories, claims and questions read the same
vectors.

The signature's parameters (permutations, seed, what is shingled) are recorded with the
results: when they change, only the signatures are recomputed and candidate pairs are
searched again; vectors, which cost most, stay.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from storytrace.ml import candidates, encode
from storytrace.ml.vectors import mean_vector
from storytrace.progress import Progress, QuietProgress
from storytrace.settings import Settings
from storytrace.stage import RunContext, Stage, StageResult
from storytrace.store import Store
from storytrace.store.reuse import ReuseDoc
from storytrace.text import MIN_WORDS, doc_text, shingles
from storytrace.util import batched

SHINGLES = "content-word-bigrams/1"  # what a signature is computed over (text.shingles)


def run(ctx: RunContext) -> StageResult:
    resigned = resign(ctx.store, ctx.progress) if "minhash" in ctx.changed else 0
    done = prepare_pending(ctx.store, ctx.settings, ctx.progress)
    summary = {"prepared": done, "signatures_redone": resigned}
    return StageResult(done + resigned > 0, summary, f"embed: {done} documents")


def prepare_pending(store: Store, settings: Settings, bar: Progress | None = None) -> int:
    """Sentence vectors, signatures and terms for every annotated document without them."""
    bar = bar or QuietProgress()
    pending = store.reuse.pending_ids()
    if not pending:
        return 0
    encoder = encode.store_encoder(store, settings.encoder)
    bar.start("Embedding sentences", len(pending))
    for ids in batched(pending, max(8, settings.batch_size)):
        docs = [store.get(i) for i in ids]
        texts = [doc_text(d) for d in docs]
        flat = [s for t in texts for s in t.sentences]
        vectors = encode.encode(flat, threads=settings.workers, encoder=encoder)
        sigs = candidates.signatures(shingles(d) for d in docs)
        with store.transaction():
            offset = 0
            for doc, text, sig in zip(docs, texts, sigs, strict=True):
                own = vectors[offset : offset + text.size]
                offset += text.size
                empty = np.zeros(encode.dimensions(encoder), dtype=np.float32)
                row = ReuseDoc(
                    doc_id=doc.id,
                    sentence_ids=text.sentence_ids,
                    vectors=own,
                    doc_vector=mean_vector(own) if text.size else empty,
                    minhash=sig,
                    terms=sorted(text.all_terms),
                )
                store.reuse.add_doc(row, encode.name_of(encoder))
        bar.advance(len(ids))
    return len(pending)


def resign(store: Store, bar: Progress) -> int:
    """New signatures for every prepared document (the MinHash parameters changed); their
    candidate pairs are searched again."""
    ids = store.reuse.signature_rows()
    bar.start("MinHash signatures", len(ids))
    for chunk in batched(ids, 256):
        sigs = candidates.signatures(shingles(store.get(doc_id)) for doc_id in chunk)
        with store.transaction():
            for doc_id, sig in zip(chunk, sigs, strict=True):
                store.reuse.set_signature(doc_id, sig)
        bar.advance(len(chunk))
    return len(ids)


def params(store: Store, settings: Settings) -> dict[str, Any]:
    encoder = encode.store_encoder(store, settings.encoder)  # raises on a mismatch
    return {"encoder": encode.name_of(encoder), "min_words": MIN_WORDS, "minhash": minhash_params()}


def reset(store: Store, changed: frozenset[str]) -> None:
    """A new version, or another choice of sentences: everything is prepared again. New
    MinHash parameters alone only redo the signatures (in ``run``)."""
    if changed - {"minhash"}:
        with store.transaction():
            store.reuse.reset()


def minhash_params() -> dict[str, Any]:
    """What a stored signature depends on; batch mode records the same."""
    return {"permutations": candidates.NUM_PERM, "seed": candidates.SEED, "shingles": SHINGLES}


STAGE = Stage(
    name="embed",
    version="embed/1",
    requires=("sentences",),
    produces=("sentence_vectors", "signatures"),
    run=run,
    params=params,
    reset=reset,
    about="sentence vectors, MinHash signatures and content terms per document",
)
