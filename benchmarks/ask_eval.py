"""Questions over two corpora: does `ask` cite a sentence that answers, pick the answer's
words, and say "no answer" when the documents hold none?

Question sets (both list every page's answering sentence):

- `demo`: `benchmarks/questions/demo_questions.jsonl`, written for this project about the
  bundled demo corpus (`examples/demo/pages`; answers as exact phrases of the pages);
- `ecbplus`: `benchmarks/questions/ecbplus_questions.jsonl`, 206 questions written by
  careful reading over `eval/ecbplus-dev` (772 real articles, all in one store): 140
  answerable (every answering sentence in the question's topic listed, by file and
  character offsets; the answer's words likewise) and 66 unanswerable ones about details
  of the same stories that no article gives (the hard kind: same people, same events).
  Offsets only: no article text is copied here; the benchmark reads it from `../shared`.

Stores are built with the pipeline (ingest, reuse, stories, claims, index) under
out/bench/ask/ (kept between runs; `--rebuild` to build them again).

Rankings compared, from the same run: **bm25** (FTS5 alone), **fused** (BM25 and MiniLM
embeddings by reciprocal rank: what `ask` showed before this ranking), and **ranked** (the
fused top 30 ordered by storytrace.ask.rank's P(answers)): `ranked_oof` with weights fitted
on the other folds' questions of both sets (4 folds: ecbplus by topic, demo by question
number), `ranked_shipped` with the shipped weights (fitted on every question: in-sample).

- **hit@5**: answerable questions with an answering sentence among the top five;
  **recall@5**: share of a question's answering sentences in the top five (at most 5 / n);
- **refused** (unanswerable questions answered "no answer") and **wrongly refused**
  (answerable ones), out of fold: ranking and thresholds fitted on the other folds, so no
  question is decided by a model or threshold chosen with it; thresholds are chosen to
  refuse the most while wrongly refusing at most 5 %. The rule before (best cosine or word
  overlap among the top five fused, thresholds fitted the same way) beside it;
- **span**: for answerable questions that ask for a kind (who, where, when, how many, a
  name) and have a recorded answer, the share whose extracted words match it (token F1 >=
  0.5; the recorded answer is one of the values when sources disagree, so this is a floor).

`--fit` fits the ranking on every question and writes `src/storytrace/ask/ranking.json`
(weights, thresholds chosen out of fold, the question files' SHA-256).

Usage: python -m benchmarks.ask_eval [--sets demo,ecbplus] [--rebuild] [--fit] [--shared PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from storytrace import pipeline
from storytrace.ask import SentenceIndex, rank, span
from storytrace.ask.answer import (
    RERANKED,
    Thresholds,
    best_spans,
    ranked,
    ranking_features,
    refusal,
)
from storytrace.ask.retrieve import Hit
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store
from storytrace.text import words

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo" / "pages"
QUESTIONS = REPO / "benchmarks" / "questions"
RESULTS = REPO / "benchmarks" / "results" / "ask.json"
WORK = REPO / "out" / "bench" / "ask"
ANSWER_GRID = [0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]
SPAN_GRID = [0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3]
MAX_WRONG = 0.05  # thresholds are chosen to refuse most while wrongly refusing at most this


@dataclass(slots=True)
class Question:
    id: str
    text: str
    answerable: bool
    fold: int
    gold: list[tuple[str, str]]  # (doc id, answering phrase)
    answer: str | None = None  # the recorded answer's words


@dataclass(slots=True)
class Outcome:
    question: Question
    set: str
    ranked: dict[str, list[Hit]] = field(default_factory=dict)  # mode -> ranked hits
    rows: np.ndarray | None = None  # ranking features of the fused hits
    labels: np.ndarray | None = None  # which fused hits answer
    entities: dict = field(default_factory=dict)

    def rerank(self, probabilities: np.ndarray) -> list[Hit]:
        return ranked(self.ranked["fused"], probabilities)


FOLDS = 4  # by topic (ecbplus) or question number (demo)


# -- stores and questions -------------------------------------------------------------------
def build_store(name: str, inputs: list[Path], rebuild: bool) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / f"{name}.db"
    if db.exists() and not rebuild:
        return db
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    settings = Settings().with_(db=db, progress=False, workers=2)
    with Store(db) as store:
        run = pipeline.run(store, settings, until="claims", inputs=Inputs(inputs))
        pipeline.run(store, settings, until="index")
    assert not run.result("read").errors
    return db


def demo_questions(store: Store) -> list[Question]:
    names = {}
    for path in sorted(DEMO.iterdir()):
        if path.suffix == ".jsonl":
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                record = json.loads(line)
                names[f"{path.name}#{record.get('id', n)}"] = store.resolve_id(f"{path}#L{n}")
        else:
            names[path.name] = store.resolve_id(str(path))
    found = []
    for n, q in enumerate(_lines(QUESTIONS / "demo_questions.jsonl")):
        gold = [(names[a["doc"]], a["phrase"]) for a in q["answers"]]
        found.append(Question(q["id"], q["question"], q["answerable"], n % FOLDS, gold))
    return found


def ecbplus_questions(store: Store, docs: Path) -> list[Question]:
    texts: dict[str, str] = {}

    def cut(ref: dict) -> str:
        if ref["doc"] not in texts:
            texts[ref["doc"]] = (docs / ref["doc"]).read_text(encoding="utf-8")
        return texts[ref["doc"]][ref["start"] : ref["end"]]

    found = []
    for q in _lines(QUESTIONS / "ecbplus_questions.jsonl"):
        gold = [(store.resolve_id(str(docs / a["doc"])), cut(a)) for a in q["answers"]]
        answer = cut(q["answer"]) if q["answer"] else None
        found.append(Question(q["id"], q["question"], q["answerable"], q["topic"] % FOLDS, gold,
                              answer))  # fmt: skip
    return found


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# -- running the questions -------------------------------------------------------------------
def run_all(
    index: SentenceIndex, questions: list[Question], name: str
) -> tuple[list[Outcome], dict]:
    outcomes, seconds = [], {"bm25": 0.0, "fused": 0.0, "ranked": 0.0}
    for q in questions:
        out = Outcome(q, name)
        for mode in ("bm25", "fused"):
            started = time.perf_counter()
            out.ranked[mode] = index.search(q.text, mode, RERANKED)
            seconds[mode] += time.perf_counter() - started
        started = time.perf_counter()
        hits = out.ranked["fused"]
        if hits:
            out.rows, out.entities = ranking_features(index, hits, span.asked(q.text))
            out.ranked["ranked"] = out.rerank(rank.probabilities(out.rows))
        else:
            out.rows = np.zeros((0, len(rank.FEATURES)))
            out.ranked["ranked"] = []
        out.labels = np.asarray([any(_matches(h, d, p) for d, p in q.gold) for h in hits])
        seconds["ranked"] += time.perf_counter() - started
        outcomes.append(out)
    per_question = {m: round(1000 * s / len(questions), 1) for m, s in seconds.items()}
    per_question["ranked"] = round(per_question["ranked"] + per_question["fused"], 1)
    return outcomes, per_question


def _matches(hit: Hit, doc_id: str, phrase: str) -> bool:
    text, phrase = _collapse(hit.text), _collapse(phrase)
    return hit.doc_id == doc_id and (phrase in text or (len(text) >= 20 and text in phrase))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def retrieval(outcomes: list[Outcome], mode: str) -> dict:
    hits = recall = 0.0
    answerable = [o for o in outcomes if o.question.answerable]
    for o in answerable:
        top = o.ranked[mode][:5]
        found = [any(_matches(h, d, p) for h in top) for d, p in o.question.gold]
        hits += any(found)
        recall += sum(found) / len(found)
    return {"hit_at_5": round(hits / len(answerable), 4),
            "recall_at_5": round(recall / len(answerable), 4)}  # fmt: skip


def reachable(outcomes: list[Outcome], index: SentenceIndex) -> dict:
    """Share of answering phrases some indexed sentence matches (the rest were cut apart by
    sentence splitting or are not in the index: no ranking can find them), and share of
    answerable questions with an answering sentence among the fused top 30 (what the
    ranking reads)."""
    by_doc: dict[str, list[str]] = {}
    for doc_id, _, text in index.items:
        by_doc.setdefault(doc_id, []).append(text)
    gold = [g for o in outcomes for g in o.question.gold]
    found = sum(
        any(_matches(Hit(d, 0, t, 0, 0, 0), d, p) for t in by_doc.get(d, [])) for d, p in gold
    )
    answerable = [o for o in outcomes if o.question.answerable]
    in_pool = sum(bool(o.labels is not None and o.labels.any()) for o in answerable)
    return {"phrases_in_index": round(found / len(gold), 4) if gold else 0.0,
            "answerable_with_an_answer_in_top_30": round(in_pool / len(answerable), 4)}  # fmt: skip


# -- the ranking, fitted out of fold ------------------------------------------------------------
def fit_ranking(outcomes: list[Outcome]) -> dict:
    """A logistic regression over the ranking features of every fused hit (label: it
    answers), features standardised; in storytrace.ask.rank's format."""
    used = [o for o in outcomes if o.rows is not None and len(o.rows)]
    rows = np.vstack([o.rows for o in used])
    labels = np.concatenate([o.labels for o in used])
    mean, scale = rows.mean(0), rows.std(0) + 1e-9
    model = LogisticRegression(C=1.0, max_iter=2000).fit((rows - mean) / scale, labels)

    def named(values: np.ndarray) -> dict[str, float]:
        return {f: round(float(v), 6) for f, v in zip(rank.FEATURES, values, strict=True)}

    return {"coefficients": named(model.coef_[0]), "intercept": float(model.intercept_[0]),
            "mean": named(mean), "scale": named(scale)}  # fmt: skip


def out_of_fold(outcomes: list[Outcome]) -> dict[int, list[Hit]]:
    """id(outcome) -> its hits ranked by a ranking fitted without its fold (both sets)."""
    found = {}
    for f in range(FOLDS):
        model = fit_ranking([o for o in outcomes if o.question.fold != f])
        for o in outcomes:
            if o.question.fold == f:
                found[id(o)] = o.rerank(rank.probabilities(o.rows, model)) if len(o.rows) else []
    return found


# -- "no answer" ------------------------------------------------------------------------------
_DECIDED: dict[tuple[int, int], tuple[list[Hit], list[span.Span]]] = {}


def refuses(o: Outcome, hits: list[Hit], t: Thresholds) -> bool:
    """Whether ``ask`` says "no answer" with these ranked hits and thresholds (the answer
    words depend on the ranking only, so they are found once per ranking)."""
    if not hits:
        return True
    want = span.asked(o.question.text)
    key = (id(o), id(hits))
    if key not in _DECIDED:
        _DECIDED[key] = (hits, best_spans(want, hits, o.entities))
    return bool(refusal(want, hits, _DECIDED[key][1], t))


def old_rule_refuses(o: Outcome, t: tuple[float, float]) -> bool:
    """The rule before this ranking: best cosine and word overlap among the top five fused."""
    top = o.ranked["fused"][:5]
    similarity = max((h.similarity for h in top), default=0.0)
    overlap = max((h.overlap for h in top), default=0.0)
    return not (similarity >= t[0] or overlap >= t[1])


def decide(outcomes: list[Outcome], every: list[Outcome], ranking: dict[int, list[Hit]]) -> dict:
    """Refusals of ``outcomes`` out of fold: thresholds chosen on the other folds' questions
    of ``every`` set."""
    grid = [Thresholds(a, s) for a, s in product(ANSWER_GRID, SPAN_GRID)]
    decided: list[tuple[bool, bool]] = []
    chosen = []
    for f in range(FOLDS):
        train = [o for o in every if o.question.fold != f]
        best = _choose(train, lambda o, t: refuses(o, ranking[id(o)], t), grid)
        chosen.append(_show(best))
        decided += [(o.question.answerable, refuses(o, ranking[id(o)], best))
                    for o in outcomes if o.question.fold == f]  # fmt: skip
    return {"refused_oof": _share(decided, answerable=False),
            "wrongly_refused_oof": _share(decided, answerable=True),
            "thresholds_per_fold": chosen}  # fmt: skip


def decide_old(outcomes: list[Outcome]) -> dict:
    grid = list(product([round(0.3 + 0.025 * k, 3) for k in range(17)],
                        [0.4, 0.5, 0.6, 0.7, 0.8, 1.01]))  # fmt: skip
    decided = []
    for f in range(FOLDS):
        best = _choose([o for o in outcomes if o.question.fold != f], old_rule_refuses, grid)
        decided += [(o.question.answerable, old_rule_refuses(o, best))
                    for o in outcomes if o.question.fold == f]  # fmt: skip
    return {"refused_oof": _share(decided, answerable=False),
            "wrongly_refused_oof": _share(decided, answerable=True)}  # fmt: skip


def _choose(outcomes: list[Outcome], refuses, grid: list):
    """Refuse the most unanswerable questions while wrongly refusing at most MAX_WRONG of
    the answerable ones (ties: the lowest thresholds); if none qualifies, the most accurate."""

    def figures(t) -> tuple[float, float]:
        d = [(o.question.answerable, refuses(o, t)) for o in outcomes]
        return _share(d, answerable=False), _share(d, answerable=True)

    scored = [(figures(t), t) for t in grid]
    within = [(r, -w, t) for (r, w), t in scored if w <= MAX_WRONG]
    if within:
        return max(within, key=lambda x: (x[0], x[1]))[2]
    return max(scored, key=lambda x: x[0][0] + (1 - x[0][1]))[1]


def _share(decided: list[tuple[bool, bool]], answerable: bool) -> float:
    chosen = [refused for a, refused in decided if a == answerable]
    return round(sum(chosen) / len(chosen), 4) if chosen else 0.0


def _show(t) -> list[float]:
    return [t.answer, t.span] if isinstance(t, Thresholds) else list(t)


# -- answer words -----------------------------------------------------------------------------
def span_scores(outcomes: list[Outcome], ranking: dict[int, list[Hit]]) -> dict:
    scored = [o for o in outcomes if o.question.answerable and o.question.answer
              and span.asked(o.question.text).kind]  # fmt: skip
    if not scored:
        return {}
    f1s = []
    for o in scored:
        found = best_spans(span.asked(o.question.text), ranking[id(o)], o.entities)
        f1s.append(_f1(found[0].text if found else "", o.question.answer or ""))
    return {"questions": len(scored), "correct_f1_0.5": round(sum(f >= 0.5 for f in f1s)
            / len(f1s), 4), "mean_token_f1": round(sum(f1s) / len(f1s), 4)}  # fmt: skip


def _f1(predicted: str, gold: str) -> float:
    p, g = words(predicted), words(gold)
    common = sum(min(p.count(w), g.count(w)) for w in set(p))
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


# -- main -------------------------------------------------------------------------------------
def collect(name: str, db: Path, questions_of) -> tuple[list[Outcome], dict]:
    with Store(db) as store:
        started = time.perf_counter()
        index = SentenceIndex(store, threads=2)
        load_s = time.perf_counter() - started
        questions = questions_of(store)
        outcomes, ms = run_all(index, questions, name)
        facts = {
            "questions": len(questions),
            "answerable": sum(q.answerable for q in questions),
            "indexed_sentences": len(index.items),
            "index_load_s": round(load_s, 2),
            **reachable(outcomes, index),
            "ms_per_question": ms,
        }
    return outcomes, facts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="demo,ecbplus", help="comma-separated: demo, ecbplus")
    parser.add_argument("--rebuild", action="store_true", help="build the stores again")
    parser.add_argument("--fit", action="store_true", help="fit and ship the ranking weights")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    docs = args.shared / "eval" / "ecbplus-dev" / "docs"
    report: dict = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}, 2 threads",
    }
    sets: dict[str, list[Outcome]] = {}
    for name in args.sets.split(","):
        started = time.perf_counter()
        if name == "demo":
            found = collect(name, build_store("demo", [DEMO], args.rebuild), demo_questions)
        elif name == "ecbplus":
            if not docs.is_dir():
                print(f"skipping ecbplus: {docs} is missing", file=sys.stderr)
                continue
            db = build_store("ecbplus", [docs], args.rebuild)
            found = collect(name, db, lambda store: ecbplus_questions(store, docs))
        else:
            parser.error(f"unknown set {name!r}")
        sets[name] = found[0]
        report[name] = {"store_and_questions_s": round(time.perf_counter() - started, 1),
                        **found[1]}  # fmt: skip
    every = [o for outcomes in sets.values() for o in outcomes]
    ranking = out_of_fold(every)
    grid = [Thresholds(a, s) for a, s in product(ANSWER_GRID, SPAN_GRID)]
    chosen = _choose(every, lambda o, t: refuses(o, ranking[id(o)], t), grid)
    report["thresholds_on_all"] = _show(chosen)
    for name, outcomes in sets.items():
        for o in outcomes:
            o.ranked["ranked_oof"] = ranking[id(o)]
            o.ranked["ranked_shipped"] = o.ranked["ranked"]
        modes = ("bm25", "fused", "ranked_shipped", "ranked_oof")
        report[name] |= {mode: retrieval(outcomes, mode) for mode in modes}
        report[name] |= {"no_answer": decide(outcomes, every, ranking),
                         "no_answer_before": decide_old(outcomes),
                         "span": span_scores(outcomes, ranking)}  # fmt: skip
        print(json.dumps({name: report[name]}, indent=1), flush=True)
    if args.fit:
        ship(every, chosen, sorted(sets))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


def ship(every: list[Outcome], chosen: Thresholds, sets: list[str]) -> None:
    """The ranking fitted on every question, with the thresholds chosen (out of fold)."""
    model = fit_ranking(every)
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted(QUESTIONS.glob("*_questions.jsonl"))}  # fmt: skip
    version = hashlib.sha1(json.dumps(model, sort_keys=True).encode()).hexdigest()[:10]
    model |= {"version": f"ranking-{version}", "features": list(rank.FEATURES), "trained_on": sets,
              "questions_sha256": hashes,
              "thresholds": {"answer": chosen.answer, "span": chosen.span}}  # fmt: skip
    target = REPO / "src" / "storytrace" / "ask" / rank.WEIGHTS
    target.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    sys.exit(main())
