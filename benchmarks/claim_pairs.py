"""The claim-pair model (storytrace.ml.pairs): trained, cross-validated, shipped.

A cross-encoder fine-tuned from the bundled MiniLM on three data sets we did not write:

- `eval/sick-dev` (SICK train, 4,500 pairs): entailment / neutral / contradiction, and
  relatedness 1-5;
- `eval/paraphrase-dev` (MSRP train, 4,076 pairs): paraphrase or not;
- `eval/sts-news-dev` (SemEval STS news, 1,800 pairs): similarity 0-5.

One model, three heads, trained on all three at once. Reported, each from 5-fold
cross-validation (every pair scored by a model that did not see it; folds fixed by seed):
SICK 3-way accuracy, MSRP accuracy and F1, STS Pearson and "same claim" (gold >= 4) F1, and
beside them baselines from the same run: MiniLM cosine (STS Pearson; MSRP accuracy at the
best threshold found on the other folds) and MiniLM sentence vectors + logistic regression
(SICK; the features [u, v, |u - v|, u * v]).

`--fit` then trains on every pair and writes the shipped weights
(`src/storytrace/ml/claim_pairs.safetensors`, fp16) and their JSON (version, seed, data
hashes, thresholds chosen on the out-of-fold scores). Seeded: the same data give the same
model on the same machine and library versions.

`--only-folds K` trains and scores the first K folds of the 5-fold split only (each fold
takes 11-13 minutes of the 2-core machine's CPU); figures and baselines are then over those
folds' held-out pairs. `--baselines` computes the baselines alone (seconds).

Usage: python -m benchmarks.claim_pairs [--shared PATH] [--folds 5] [--only-folds K]
       [--epochs 3] [--lr 5e-5] [--fit] [--skip-cv] [--baselines] [--limit N] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import platform
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.finetune import Optimisation
from storytrace.ml.pairs import CONFIG, NLI_LABELS, WEIGHTS, build_model, encoder_path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "claim_pairs.json"
SHIPPED = REPO / "src" / "storytrace" / "ml"
SEED = 0
BATCH = 16
LEARNING_RATE = 5e-5  # with 3 epochs: the shipped weights (docs/benchmarks.md, issue 20)
WARMUP = 0.1
TASKS = ("nli", "paraphrase", "similarity")


@dataclass(slots=True)
class Pair:
    a: str
    b: str
    targets: dict[str, float]  # task -> NLI label index, 0/1, or similarity 0-1
    source: str  # sick, msrp, sts
    row: int  # index in its source, for folds


# -- data ---------------------------------------------------------------------------------
def load(eval_dir: Path) -> tuple[dict[str, list[Pair]], dict[str, str]]:
    """Pairs by source, and the SHA-256 of each file read."""
    files = {
        "sick": eval_dir / "sick-dev" / "SICK_train.txt",
        "msrp": eval_dir / "paraphrase-dev" / "msr_paraphrase_train.txt",
        "sts": [eval_dir / "sts-news-dev" / n for n in
                ("2013-headlines.tsv", "2014-headlines.tsv", "2014-deft-news.tsv")],
    }  # fmt: skip
    hashes = {}
    for group in files.values():
        for path in group if isinstance(group, list) else [group]:
            hashes[str(path.relative_to(eval_dir))] = hashlib.sha256(path.read_bytes()).hexdigest()
    pairs = {"sick": _sick(files["sick"]), "msrp": _msrp(files["msrp"]), "sts": _sts(files["sts"])}
    return pairs, hashes


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _sick(path: Path) -> list[Pair]:
    found = []
    for n, row in enumerate(_rows(path)[1:]):
        a, b, relatedness, label = row[1], row[2], float(row[3]), row[4].lower()
        targets = {"nli": float(NLI_LABELS.index(label)), "similarity": (relatedness - 1) / 4}
        found.append(Pair(a, b, targets, "sick", n))
    return found


def _msrp(path: Path) -> list[Pair]:
    rows = _rows(path)[1:]
    return [Pair(r[3], r[4], {"paraphrase": float(r[0])}, "msrp", n) for n, r in enumerate(rows)]


def _sts(paths: list[Path]) -> list[Pair]:
    found = []
    for path in paths:
        for row in _rows(path):
            if len(row) >= 3 and row[0].strip():
                found.append(Pair(row[1], row[2], {"similarity": float(row[0]) / 5}, "sts",
                                  len(found)))  # fmt: skip
    return found


def fold_of(pairs: dict[str, list[Pair]], folds: int) -> dict[tuple[str, int], int]:
    """A fold per (source, row), shuffled with the seed."""
    assigned = {}
    for source, items in pairs.items():
        rows = sorted({p.row for p in items})
        random.Random(f"{SEED}-{source}").shuffle(rows)
        assigned |= {(source, row): k % folds for k, row in enumerate(rows)}
    return assigned


# -- training -----------------------------------------------------------------------------
def train(examples: list[Pair], epochs: int, threads: int = 2, lr: float = LEARNING_RATE):
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(threads)
    rng = random.Random(SEED)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(encoder_path())
    model = build_model(encoder_path())
    model.train()
    steps = epochs * math.ceil(len(examples) / BATCH)
    optimisation = Optimisation(model, steps, lr, WARMUP)
    for epoch in range(epochs):
        batches = _batches(_augmented(examples, rng), rng)
        for batch in batches:
            loss = _loss(model, tokenizer, batch)
            optimisation.step(loss, epoch)
    model.eval()
    return model, tokenizer


def _augmented(examples: list[Pair], rng: random.Random) -> list[Pair]:
    """Symmetric tasks read in either order; a contradiction holds both ways (entailment and
    neutral do not: they are read as given)."""
    found = []
    for p in examples:
        nli = p.targets.get("nli")
        symmetric = nli is None or nli == NLI_LABELS.index("contradiction")
        if symmetric and rng.random() < 0.5:
            found.append(Pair(p.b, p.a, p.targets, p.source, p.row))
        else:
            found.append(p)
    return found


def _batches(examples: list[Pair], rng: random.Random) -> list[list[Pair]]:
    """Shuffled, then sorted by length within pools of 50 batches: less padding."""
    rng.shuffle(examples)
    pool = BATCH * 50
    batches = []
    for start in range(0, len(examples), pool):
        chunk = sorted(examples[start : start + pool], key=lambda p: len(p.a) + len(p.b))
        batches += [chunk[k : k + BATCH] for k in range(0, len(chunk), BATCH)]
    rng.shuffle(batches)
    return batches


def _loss(model, tokenizer, batch: list[Pair]):
    import torch

    inputs = tokenizer([p.a for p in batch], [p.b for p in batch], padding=True,
                       truncation=True, max_length=128, return_tensors="pt")  # fmt: skip
    heads = model(**inputs)
    total = torch.zeros(())
    for task in TASKS:
        rows = [k for k, p in enumerate(batch) if task in p.targets]
        if not rows:
            continue
        index = torch.tensor(rows)
        target = torch.tensor([batch[k].targets[task] for k in rows])
        if task == "nli":
            total = total + torch.nn.functional.cross_entropy(heads["nli"][index], target.long())
        elif task == "paraphrase":
            total = total + torch.nn.functional.binary_cross_entropy_with_logits(
                heads["paraphrase"][index], target.float()
            )
        else:
            predicted = torch.sigmoid(heads["similarity"][index])
            total = total + 4 * torch.nn.functional.mse_loss(predicted, target.float())
    return total


def predict(model, tokenizer, pairs: list[Pair]) -> np.ndarray:
    """(n, 5): P(entailment), P(neutral), P(contradiction), P(paraphrase), similarity."""
    import torch

    rows = np.zeros((len(pairs), 5))
    with torch.inference_mode():
        for start in range(0, len(pairs), 64):
            chunk = pairs[start : start + 64]
            inputs = tokenizer([p.a for p in chunk], [p.b for p in chunk], padding=True,
                               truncation=True, max_length=128, return_tensors="pt")  # fmt: skip
            heads = model(**inputs)
            rows[start : start + len(chunk), :3] = torch.softmax(heads["nli"], -1).numpy()
            rows[start : start + len(chunk), 3] = torch.sigmoid(heads["paraphrase"]).numpy()
            rows[start : start + len(chunk), 4] = torch.sigmoid(heads["similarity"]).numpy()
    return rows


# -- scores -------------------------------------------------------------------------------
def scores(pairs: dict[str, list[Pair]], predicted: dict[int, np.ndarray]) -> dict:
    """Out-of-fold figures per data set; ``predicted``: id(pair) -> its row."""
    sick = pairs["sick"]
    nli = np.asarray([predicted[id(p)][:3].argmax() for p in sick])
    gold = np.asarray([int(p.targets["nli"]) for p in sick])
    msrp_p = np.asarray([predicted[id(p)][3] for p in pairs["msrp"]])
    msrp_g = np.asarray([int(p.targets["paraphrase"]) for p in pairs["msrp"]])
    sts_p = np.asarray([predicted[id(p)][4] for p in pairs["sts"]])
    sts_g = np.asarray([p.targets["similarity"] * 5 for p in pairs["sts"]])
    return {
        "sick_3way_accuracy": round(float((nli == gold).mean()), 4),
        "sick_relatedness_pearson": round(_pearson(
            [predicted[id(p)][4] for p in sick], [p.targets["similarity"] for p in sick]), 4),
        "msrp_accuracy": round(float(((msrp_p >= 0.5) == msrp_g).mean()), 4),
        "msrp_f1": round(float(_f1(msrp_p >= 0.5, msrp_g == 1)), 4),
        "sts_pearson": round(_pearson(sts_p, sts_g), 4),
        "sts_same_claim_f1": round(float(_f1(sts_p * 5 >= 4, sts_g >= 4)), 4),
        "sts_same_claim_f1_best_threshold": _best_f1(sts_p * 5, sts_g >= 4),
    }  # fmt: skip


def _pearson(a, b) -> float:
    return float(np.corrcoef(np.asarray(a, float), np.asarray(b, float))[0, 1])


def _f1(predicted, gold) -> float:
    predicted, gold = np.asarray(predicted, bool), np.asarray(gold, bool)
    tp = float((predicted & gold).sum())
    return 2 * tp / (predicted.sum() + gold.sum()) if predicted.sum() + gold.sum() else 0.0


def _best_f1(values, gold) -> dict:
    best = max((_f1(values >= t, gold), t) for t in np.arange(2.0, 5.0, 0.25))
    return {"f1": round(best[0], 4), "threshold": float(best[1])}


def held_out(pairs: dict[str, list[Pair]], folds: dict[tuple[str, int], int], k: int) -> dict:
    """The pairs of the first ``k`` folds: what a run with ``--only-folds k`` scores."""
    return {s: [p for p in items if folds[(s, p.row)] < k] for s, items in pairs.items()}


def baselines(
    pairs: dict[str, list[Pair]], folds: dict[tuple[str, int], int], k: int, only: int
) -> dict:
    """MiniLM sentence vectors, from the same run: cosine for STS and MSRP, a logistic
    regression over [u, v, |u-v|, u*v] for SICK (both fitted out of fold), scored over the
    held-out pairs of the first ``only`` folds (as the cross-encoder is)."""
    from sklearn.linear_model import LogisticRegression

    from storytrace.ml.encode import encode

    def vectors(items: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
        return encode([p.a for p in items], 2), encode([p.b for p in items], 2)

    def fold(source: str) -> np.ndarray:
        return np.asarray([folds[(source, p.row)] for p in pairs[source]])

    u, v = vectors(pairs["sts"])
    sts_cos = (u * v).sum(1)
    sts_gold = np.asarray([p.targets["similarity"] for p in pairs["sts"]])
    sts_in = fold("sts") < only
    msrp = pairs["msrp"]
    mu, mv = vectors(msrp)
    msrp_cos = (mu * mv).sum(1)
    gold = np.asarray([int(p.targets["paraphrase"]) for p in msrp])
    msrp_fold = fold("msrp")
    correct = 0
    for f in range(only):
        train = msrp_fold != f
        best = max(np.arange(0.3, 1.0, 0.01),
                   key=lambda t: ((msrp_cos[train] >= t) == gold[train]).mean())  # fmt: skip
        correct += int(((msrp_cos[~train] >= best) == gold[~train]).sum())
    sick = pairs["sick"]
    su, sv = vectors(sick)
    features = np.hstack([su, sv, np.abs(su - sv), su * sv])
    labels = np.asarray([int(p.targets["nli"]) for p in sick])
    sick_fold = fold("sick")
    right = 0
    for f in range(only):
        model = LogisticRegression(max_iter=2000, C=1.0)
        model.fit(features[sick_fold != f], labels[sick_fold != f])
        right += int((model.predict(features[sick_fold == f]) == labels[sick_fold == f]).sum())
    return {
        "sts_pearson_minilm_cosine": round(_pearson(sts_cos[sts_in], sts_gold[sts_in]), 4),
        "msrp_accuracy_minilm_cosine": round(correct / int((msrp_fold < only).sum()), 4),
        "sick_3way_accuracy_minilm_logistic": round(right / int((sick_fold < only).sum()), 4),
        "held_out_pairs": {"sts": int(sts_in.sum()), "msrp": int((msrp_fold < only).sum()),
                           "sick": int((sick_fold < only).sum())},
    }  # fmt: skip


def thresholds(pairs: dict[str, list[Pair]], predicted: dict[int, np.ndarray]) -> dict:
    """Decision thresholds for storytrace.ml.pairs.relation, from out-of-fold scores:
    paraphrase at MSRP's best accuracy; related at STS gold 2 ("on the same topic")."""
    msrp_p = np.asarray([predicted[id(p)][3] for p in pairs["msrp"]])
    msrp_g = np.asarray([int(p.targets["paraphrase"]) for p in pairs["msrp"]])
    paraphrase = max(np.arange(0.2, 0.9, 0.02), key=lambda t: ((msrp_p >= t) == msrp_g).mean())
    return {"entails": 0.5, "contradicts": 0.5, "paraphrase": round(float(paraphrase), 2),
            "related": 0.4}  # fmt: skip


def save(model, config: dict) -> None:
    from safetensors.torch import save_file

    state = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(SHIPPED / WEIGHTS))
    (SHIPPED / CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--fit", action="store_true", help="train on all pairs and ship it")
    parser.add_argument("--skip-cv", action="store_true", help="no cross-validation")
    parser.add_argument("--limit", type=int, help="use only this many pairs per source (a check)")
    parser.add_argument("--only-folds", type=int, help="train and score only the first K folds")
    parser.add_argument("--baselines", action="store_true", help="only the baselines")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE, help="learning rate")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file (a trial)")
    args = parser.parse_args()
    pairs, hashes = load(args.shared / "eval")
    if args.limit:
        pairs = {s: [p for p in items if p.row < args.limit] for s, items in pairs.items()}
    folds = fold_of(pairs, args.folds)
    everything = [p for items in pairs.values() for p in items]
    keep = args.skip_cv or args.baselines
    report: dict = json.loads(args.out.read_text()) if args.out.exists() and keep else {}
    report |= {
        "data": {"sick-dev": "SICK train, 4,500 pairs", "paraphrase-dev": "MSRP train, 4,076",
                 "sts-news-dev": "STS news, 1,800", "sha256": hashes},
        "training": {"encoder": "bundled all-MiniLM-L6-v2", "epochs": args.epochs,
                     "batch": BATCH, "learning_rate": args.lr, "seed": SEED},
        "machine": f"{platform.machine()}, Python {platform.python_version()}, 2 threads",
    }  # fmt: skip
    only = args.only_folds or args.folds
    report["cv"] = {"folds": args.folds, "folds_scored": only}
    if args.baselines:
        report["baselines"] = baselines(pairs, folds, args.folds, only)
        print(json.dumps(report["baselines"], indent=1))
    elif not args.skip_cv:
        predicted: dict[int, np.ndarray] = {}
        started = time.perf_counter()
        for f in range(only):
            train_set = [p for p in everything if folds[(p.source, p.row)] != f]
            test_set = [p for p in everything if folds[(p.source, p.row)] == f]
            print(f"fold {f + 1}/{args.folds}: {len(train_set)} train, {len(test_set)} test",
                  flush=True)  # fmt: skip
            model, tokenizer = train(train_set, args.epochs, lr=args.lr)
            for p, row in zip(test_set, predict(model, tokenizer, test_set), strict=True):
                predicted[id(p)] = row
            print(f"  fold {f + 1}: {scores_partial(pairs, predicted)}", flush=True)
        scored = held_out(pairs, folds, only)
        report["cross_validated"] = scores(scored, predicted)
        report["cross_validated"]["seconds"] = round(time.perf_counter() - started)
        report["thresholds"] = thresholds(scored, predicted)
        report["baselines"] = baselines(pairs, folds, args.folds, only)
        print(json.dumps({k: report[k] for k in ("cross_validated", "baselines")}, indent=1))
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.fit:
        started = time.perf_counter()
        model, _ = train(everything, args.epochs, lr=args.lr)
        version = hashlib.sha1(json.dumps([hashes, args.epochs, SEED]).encode()).hexdigest()[:10]
        save(model, {
            "version": f"claim-pairs-{version}",
            "trained_on": "eval/sick-dev + eval/paraphrase-dev + eval/sts-news-dev, all pairs "
                          "(python -m benchmarks.claim_pairs --fit)",
            "data_sha256": hashes,
            "training": report["training"],
            "thresholds": report.get("thresholds", {}),
            "cross_validated": report.get("cross_validated", {}),
            "seconds": round(time.perf_counter() - started),
        })  # fmt: skip
        print(f"wrote {SHIPPED / WEIGHTS} and {SHIPPED / CONFIG}")


def scores_partial(pairs: dict[str, list[Pair]], predicted: dict[int, np.ndarray]) -> dict:
    """Scores over the pairs predicted so far (progress while the folds run)."""
    seen = {s: [p for p in items if id(p) in predicted] for s, items in pairs.items()}
    if not all(seen.values()):
        return {}
    return {k: v for k, v in scores(seen, predicted).items() if not isinstance(v, dict)}


if __name__ == "__main__":
    main()
