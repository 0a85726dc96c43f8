"""An answer reranker (a MiniLM cross-encoder): trained on TrecQA train, scored on TrecQA dev.

Data (`eval/answer-selection-dev`, not written here): `trecqa-train.csv` (93 questions,
4,718 question-sentence pairs) trains the cross-encoder; `trecqa-dev.csv` (81 questions,
1,148 pairs) scores it. Metrics as in the answer-selection literature: **MAP** and **MRR**
over the dev questions with at least one answering sentence, each question's candidates
ranked by the model (ties in a seeded random order: the files list answering sentences
first, so ties in file order would inflate any scorer with ties, BM25 among them).

Baselines from the same run: BM25 (SQLite FTS5's `bm25()`, the ranking `storytrace ask`
uses, over the dev candidates; a candidate sharing no word ranks last) and MiniLM cosine
between question and sentence (the embeddings `ask` fuses with BM25).

The cross-encoder starts from the bundled MiniLM (`--init minilm`) or from the encoder of
the shipped claim-pair model (`--init claim-pairs`, already trained to read two sentences
together). `--fit` writes the weights (`out/models/answers.safetensors`, fp16), only when their dev
MAP (then MRR) beats those already there, and their JSON (version, seed, data hashes, dev
figures). Seeded: the same data give the same model on the same machine and library
versions.

Not shipped: as one more signal of `ask`'s answer ranking (storytrace.ask.rank) it added
nothing on the dev question sets (out-of-fold hit@5 the same with and without it) and cost
0.3-0.5 s per question on two cores (docs/benchmarks.md, "Answers (issue 21)").

Usage: python -m benchmarks.answer_selection [--shared PATH] [--epochs 3] [--lr 3e-5]
       [--init minilm|claim-pairs] [--fit] [--baselines] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import platform
import random
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.finetune import Optimisation
from storytrace.ml.pairs import encoder_path
from storytrace.text import content_terms, words

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "answer_selection.json"
OUT = REPO / "out" / "models"  # --fit writes the weights here (not shipped: see the docstring)
SHIPPED = REPO / "src" / "storytrace" / "ml"  # the claim-pair model (an --init choice)
WEIGHTS = "answers.safetensors"
CONFIG = "answers.json"
MAX_TOKENS = 160  # question + sentence; longer sentences are cut at the end
SEED = 0
BATCH = 16
LEARNING_RATE = 3e-5
WARMUP = 0.1


@dataclass(slots=True)
class Pair:
    question: str
    sentence: str
    label: int
    cosine: float = 0.0  # MiniLM cosine of question and sentence (the model's prior)


def load(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Pair(r["qtext"], r["atext"], int(r["label"])) for r in csv.DictReader(f)]


def by_question(pairs: list[Pair]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for k, p in enumerate(pairs):
        found.setdefault(p.question, []).append(k)
    return found


def ranking_scores(pairs: list[Pair], scores: np.ndarray) -> dict:
    """MAP and MRR over questions with at least one answering candidate (ties broken in a
    seeded random order)."""
    aps, rrs = [], []
    for rows in by_question(pairs).values():
        labels = [pairs[k].label for k in rows]
        if not any(labels):
            continue
        # Ties in a seeded random order: the files list each question's answering
        # sentences first, so breaking ties by file order would reward ties (a constant
        # score would reach MAP 1.0).
        shuffle = random.Random(f"{SEED}-{pairs[rows[0]].question}").sample(
            range(len(rows)), len(rows)
        )
        order = sorted(range(len(rows)), key=lambda j: (-scores[rows[j]], shuffle[j]))
        ranked = [labels[j] for j in order]
        hits, precisions = 0, []
        for rank, label in enumerate(ranked, 1):
            if label:
                hits += 1
                precisions.append(hits / rank)
        aps.append(sum(precisions) / hits)
        rrs.append(1 / (ranked.index(1) + 1))
    return {"map": round(float(np.mean(aps)), 4), "mrr": round(float(np.mean(rrs)), 4),
            "questions": len(aps)}  # fmt: skip


# -- baselines ----------------------------------------------------------------------------
def bm25(pairs: list[Pair]) -> np.ndarray:
    """FTS5 bm25 over all candidates, each question matched against its own candidates."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE s USING fts5(text, question UNINDEXED)")
    db.executemany("INSERT INTO s(rowid, text, question) VALUES (?, ?, ?)",
                   [(k, p.sentence, p.question) for k, p in enumerate(pairs)])  # fmt: skip
    scores = np.full(len(pairs), -1e9)
    for question in by_question(pairs):
        terms = sorted(content_terms(words(question)))
        if not terms:
            continue
        query = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = "SELECT rowid, bm25(s) FROM s WHERE s MATCH ? AND question = ?"
        for rowid, value in db.execute(sql, (query, question)):
            scores[rowid] = -value  # FTS5's bm25 is lower-is-better
    return scores


def cosine(pairs: list[Pair]) -> np.ndarray:
    """MiniLM cosines (also kept on each pair: the reranker's prior reads them)."""
    from storytrace.ml.encode import encode

    questions = sorted({p.question for p in pairs})
    qv = dict(zip(questions, encode(questions, 2), strict=True))
    sv = encode([p.sentence for p in pairs], 2)
    for k, p in enumerate(pairs):
        p.cosine = float(qv[p.question] @ sv[k])
    return np.asarray([p.cosine for p in pairs])


# -- the model ----------------------------------------------------------------------------
def build_model(path: str, pretrained: bool = True) -> Any:
    """MiniLM's encoder read as a cross-encoder, plus a prior: the logit is a learnt
    function of the MiniLM cosine between question and sentence (``prior``) plus what the
    cross-encoder adds to it (``answers``, on the first token). The head starts at zero and
    the prior at a logistic fit of the cosine, so training starts from the cosine ranking
    and learns what it misses: 93 training questions are too few to learn the ranking from
    scratch (a plain cross-encoder scored below the cosine on TrecQA dev). With
    ``pretrained=False`` the encoder is not read from disk (trained weights follow)."""
    import torch
    from transformers import AutoConfig, AutoModel

    class AnswerModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = (
                AutoModel.from_pretrained(path)
                if pretrained
                else AutoModel.from_config(AutoConfig.from_pretrained(path))
            )
            self.dropout = torch.nn.Dropout(0.1)
            self.answers = torch.nn.Linear(self.encoder.config.hidden_size, 1)
            self.prior = torch.nn.Linear(1, 1)
            torch.nn.init.zeros_(self.answers.weight)
            torch.nn.init.zeros_(self.answers.bias)

        def forward(self, cosine: torch.Tensor, **inputs: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(**inputs).last_hidden_state[:, 0]
            residual = self.answers(self.dropout(hidden)).squeeze(-1)
            return residual + self.prior(cosine.unsqueeze(-1)).squeeze(-1)

    return AnswerModel()


# -- training -----------------------------------------------------------------------------
def train(examples: list[Pair], epochs: int, lr: float, init: str, threads: int = 2):
    import torch
    from transformers import AutoTokenizer

    torch.manual_seed(SEED)
    torch.set_num_threads(threads)
    rng = random.Random(SEED)
    tokenizer = AutoTokenizer.from_pretrained(encoder_path())
    model = build_model(encoder_path())
    if init == "claim-pairs":
        _load_claim_pair_encoder(model)
    _fit_prior(model, examples)
    model.train()
    steps = epochs * math.ceil(len(examples) / BATCH)
    optimisation = Optimisation(model, steps, lr, WARMUP)
    for epoch in range(epochs):
        order = list(examples)
        rng.shuffle(order)
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            logits = model(_cosines(batch), **_inputs(tokenizer, batch))
            target = torch.tensor([float(p.label) for p in batch])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
            optimisation.step(loss, epoch)
    model.eval()
    return model, tokenizer


def _fit_prior(model, examples: list[Pair]) -> None:
    """The prior starts as a logistic regression of the label on the cosine."""
    import torch
    from sklearn.linear_model import LogisticRegression

    x = np.asarray([[p.cosine] for p in examples])
    fit = LogisticRegression(C=100.0).fit(x, [p.label for p in examples])
    with torch.no_grad():
        model.prior.weight.fill_(float(fit.coef_[0][0]))
        model.prior.bias.fill_(float(fit.intercept_[0]))


def _cosines(batch: list[Pair]):
    import torch

    return torch.tensor([p.cosine for p in batch], dtype=torch.float32)


def _load_claim_pair_encoder(model) -> None:
    from safetensors.torch import load_file

    state = load_file(str(SHIPPED / "claim_pairs.safetensors"))
    encoder = {k[len("encoder."):]: v.float() for k, v in state.items()
               if k.startswith("encoder.")}  # fmt: skip
    model.encoder.load_state_dict(encoder)


def _inputs(tokenizer, batch: list[Pair]):
    return tokenizer([p.question for p in batch], [p.sentence for p in batch], padding=True,
                     truncation="only_second", max_length=MAX_TOKENS,
                     return_tensors="pt")  # fmt: skip


def predict(model, tokenizer, pairs: list[Pair]) -> np.ndarray:
    import torch

    out = np.zeros(len(pairs))
    with torch.inference_mode():
        for start in range(0, len(pairs), 64):
            chunk = pairs[start : start + 64]
            logits = model(_cosines(chunk), **_inputs(tokenizer, chunk))
            out[start : start + len(chunk)] = torch.sigmoid(logits)
    return out


def _shipped_dev() -> tuple[float, float] | None:
    """The shipped weights' dev MAP and MRR (None: nothing trained is shipped)."""
    path = OUT / CONFIG
    if not path.exists() or not (OUT / WEIGHTS).exists():
        return None
    dev = json.loads(path.read_text(encoding="utf-8")).get("dev")
    return (dev["map"], dev["mrr"]) if dev else None


def save(model, config: dict) -> None:
    from safetensors.torch import save_file

    OUT.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(OUT / WEIGHTS))
    (OUT / CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=LEARNING_RATE, help="learning rate")
    parser.add_argument("--init", choices=("minilm", "claim-pairs"), default="minilm")
    parser.add_argument("--fit", action="store_true", help="ship the trained weights")
    parser.add_argument("--baselines", action="store_true", help="only the baselines")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file (a trial)")
    args = parser.parse_args()
    folder = args.shared / "eval" / "answer-selection-dev"
    files = {name: folder / name for name in ("trecqa-train.csv", "trecqa-dev.csv")}
    hashes = {f"answer-selection-dev/{n}": hashlib.sha256(p.read_bytes()).hexdigest()
              for n, p in files.items()}  # fmt: skip
    train_set, dev = load(files["trecqa-train.csv"]), load(files["trecqa-dev.csv"])
    cosine(train_set)
    report: dict = {
        "data": {"train": f"trecqa-train.csv ({len(by_question(train_set))} questions, "
                          f"{len(train_set)} pairs)",
                 "dev": f"trecqa-dev.csv ({len(by_question(dev))} questions, {len(dev)} pairs)",
                 "sha256": hashes},
        "baselines_dev": {"bm25_fts5": ranking_scores(dev, bm25(dev)),
                          "minilm_cosine": ranking_scores(dev, cosine(dev))},
        "machine": f"{platform.machine()}, Python {platform.python_version()}, 2 threads",
    }  # fmt: skip
    print(json.dumps(report["baselines_dev"]), flush=True)
    if not args.baselines:
        started = time.perf_counter()
        model, tokenizer = train(train_set, args.epochs, args.lr, args.init)
        seconds = round(time.perf_counter() - started)
        report["training"] = {
            "init": args.init,
            "epochs": args.epochs,
            "batch": BATCH,
            "learning_rate": args.lr,
            "seed": SEED,
            "seconds": seconds,
        }
        predicted = predict(model, tokenizer, dev)
        report["reranker_dev"] = ranking_scores(dev, predicted)
        report["reranker_dev_scores"] = [round(float(v), 5) for v in predicted]
        print(json.dumps(report["reranker_dev"]), flush=True)
        shipped = _shipped_dev()
        better = (
            shipped is None
            or (report["reranker_dev"]["map"], report["reranker_dev"]["mrr"]) > shipped
        )
        if args.fit and not better:
            figures = report["reranker_dev"]
            print(f"not shipped: dev {figures} does not beat the shipped MAP/MRR {shipped}")
        if args.fit and better:
            key = json.dumps([hashes, args.init, args.epochs, args.lr, SEED])
            save(model, {
                "version": f"answers-{hashlib.sha1(key.encode()).hexdigest()[:10]}",
                "trained_on": "eval/answer-selection-dev/trecqa-train.csv "
                              "(python -m benchmarks.answer_selection --fit)",
                "data_sha256": hashes,
                "training": report["training"],
                "dev": report["reranker_dev"],
            })  # fmt: skip
            print(f"wrote {OUT / WEIGHTS} and {OUT / CONFIG}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
