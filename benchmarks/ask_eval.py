"""Questions on the demo corpus (issue 7): retrieval recall and "no answer" decisions.

Data: `benchmarks/questions/demo_questions.jsonl`, written for this project about the
bundled demo corpus (`examples/demo/pages`): answerable questions with every page's
answering sentence (as an exact phrase of it), and unanswerable ones (details no page
gives, and unrelated topics). The demo store is built fresh (ingest, reuse, stories,
claims) under out/bench/ask/.

Metrics, for BM25 alone, embeddings alone and their reciprocal-rank fusion (the default):
- **hit@5**: answerable questions with at least one answering sentence in the top 5;
- **recall@5**: share of a question's answering sentences (one per page that states it) in
  the top 5, averaged over answerable questions (copies of one article answer too, so a
  question answered by 6 pages cannot reach 1.0 with 5 hits);
- **no answer**: the share of unanswerable questions answered "no answer in these
  documents", and the share of answerable ones wrongly refused; thresholds (closest
  sentence's cosine, share of the question's words it contains) chosen by 2-fold
  cross-validation over the questions (folds by question number), so each question is
  decided by thresholds chosen without it; the thresholds chosen on all questions are
  printed for comparison with the shipped ones.

Usage: python -m benchmarks.ask_eval [--questions FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from itertools import product
from pathlib import Path

from storytrace import pipeline
from storytrace.ask import SentenceIndex
from storytrace.ask.answer import MIN_OVERLAP, MIN_SIMILARITY, answer_kind, evidence, fits
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo" / "pages"
QUESTIONS = REPO / "benchmarks" / "questions" / "demo_questions.jsonl"
RESULTS = REPO / "benchmarks" / "results" / "ask.json"
WORK = REPO / "out" / "bench" / "ask"
MODES = ("bm25", "embedding", "fused")
SIMILARITIES = [round(0.30 + 0.025 * k, 3) for k in range(17)]
OVERLAPS = [0.4, 0.5, 0.6, 0.7, 0.8, 1.01]


def build_store() -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    settings = Settings().with_(db=db, progress=False, workers=1)
    with Store(db) as store:
        run = pipeline.run(store, settings, until="claims", inputs=Inputs([DEMO]))
    assert not run.result("read").errors
    return db


def doc_ids(store: Store) -> dict[str, str]:
    """Answer names ("velmora-seo-faq.txt", "wire.jsonl#nw-0313") -> stored document ids."""
    found = {}
    for path in sorted(DEMO.iterdir()):
        if path.suffix == ".jsonl":
            for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                record = json.loads(line)
                location = f"{path}#L{line_no}"
                found[f"{path.name}#{record.get('id', line_no)}"] = store.resolve_id(location)
        else:
            found[path.name] = store.resolve_id(str(path))
    return found


def _collapse(text: str) -> str:
    return " ".join(text.split())


def retrieval(
    index: SentenceIndex, questions: list[dict], names: dict[str, str], typed: bool = True
) -> dict:
    out: dict = {}
    decisions: dict[str, list[tuple[bool, float, float]]] = {m: [] for m in MODES}
    for mode in MODES:
        hits5 = recall = 0.0
        answerable = 0
        started = time.perf_counter()
        for q in questions:
            hits = index.search(q["question"], mode, limit=5)
            kind = answer_kind(q["question"])
            fitting = [h for h in hits if fits(h.text, kind)] if typed else hits
            decisions[mode].append((q["answerable"], *evidence(fitting)))
            if not q["answerable"]:
                continue
            answerable += 1
            found = [_retrieved(a, hits, names) for a in q["answers"]]
            hits5 += any(found)
            recall += sum(found) / len(found)
        out[mode] = {
            "hit_at_5": round(hits5 / answerable, 4),
            "recall_at_5": round(recall / answerable, 4),
            "ms_per_question": round(1000 * (time.perf_counter() - started) / len(questions), 1),
        }
        out[mode] |= no_answer(decisions[mode])
    return out


def _retrieved(answer: dict, hits: list, names: dict[str, str]) -> bool:
    doc_id, phrase = names[answer["doc"]], _collapse(answer["phrase"])
    return any(h.doc_id == doc_id and phrase in _collapse(h.text) for h in hits)


def no_answer(rows: list[tuple[bool, float, float]]) -> dict:
    """Out-of-fold "no answer" decisions (2 folds by question order), and the shipped ones."""
    folds = [rows[0::2], rows[1::2]]
    predicted: list[tuple[bool, bool]] = []
    for k in (0, 1):
        sim, ovl = _best_thresholds(folds[1 - k])
        predicted += [(a, _answers(s, o, sim, ovl)) for a, s, o in folds[k]]
    shipped = [(a, _answers(s, o, MIN_SIMILARITY, MIN_OVERLAP)) for a, s, o in rows]
    return {
        "no_answer_correct_oof": _share(predicted, answerable=False, said=False),
        "wrongly_refused_oof": _share(predicted, answerable=True, said=False),
        "decision_accuracy_oof": round(sum(a == p for a, p in predicted) / len(predicted), 4),
        "no_answer_correct_shipped": _share(shipped, answerable=False, said=False),
        "wrongly_refused_shipped": _share(shipped, answerable=True, said=False),
        "thresholds_on_all": _best_thresholds(rows),
    }


def _answers(similarity: float, overlap: float, min_similarity: float, min_overlap: float) -> bool:
    return similarity >= min_similarity or overlap >= min_overlap


def _best_thresholds(rows: list[tuple[bool, float, float]]) -> tuple[float, float]:
    def accuracy(t: tuple[float, float]) -> tuple[float, float, float]:
        right = sum(a == _answers(s, o, *t) for a, s, o in rows) / len(rows)
        return (right, t[1], -t[0])  # ties: the stricter word rule, the looser cosine

    return max(product(SIMILARITIES, OVERLAPS), key=accuracy)


def _share(pairs: list[tuple[bool, bool]], answerable: bool, said: bool) -> float:
    chosen = [p for a, p in pairs if a == answerable]
    return round(sum(p == said for p in chosen) / len(chosen), 4) if chosen else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    args = parser.parse_args()
    questions = [json.loads(line) for line in args.questions.read_text().splitlines() if line]
    started = time.perf_counter()
    db = build_store()
    build_s = time.perf_counter() - started
    with Store(db) as store:
        names = doc_ids(store)
        started = time.perf_counter()
        index = SentenceIndex(store)
        report = {
            "data": f"{args.questions.relative_to(REPO)} ({len(questions)} questions, "
            f"{sum(q['answerable'] for q in questions)} answerable) on examples/demo/pages",
            "sentences": len(index.items),
            "store_build_s": round(build_s, 1),
            "index_s": round(time.perf_counter() - started, 1),
            "shipped_thresholds": [MIN_SIMILARITY, MIN_OVERLAP],
            **retrieval(index, questions, names),
            "machine": f"{platform.machine()}, {platform.python_version()}",
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
