"""CI quality gate (issue 22): a fast subset of the benchmarks, each figure against a floor.

Computes a handful of quality figures on fixed slices of ``../shared/eval`` with the
benchmark scripts' own functions, prints a table (figure, value, recorded, floor, pass/fail,
seconds) and exits 1 naming every figure below its floor (floor = recorded - margin). The
recorded values, margins and slice descriptions live in one file, benchmarks/floors.toml.
``--record`` writes this run's values into it as the new recorded values (after a genuine
improvement, or a deliberate trade-off stated in the commit).

Skips with exit 0 when the evaluation data are absent (a CI machine without ../shared), as
the tests do; a partial copy of it is an error (a figure must not vanish silently).

Usage: python -m benchmarks.gate [--shared PATH] [--only GROUP ...] [--record]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLOORS = REPO / "benchmarks" / "floors.toml"

# The slices (fixed by sorted ids and the benchmarks' own seeds, so figures are stable).
EXTRACTION_PAGES = 30  # the first 30 extraction-dev pages by sorted key
# ECB+ topics 1-8 and the derivatives of their articles (reuse and stories, one store).
SLICE_TOPICS = range(1, 9)
CLAIM_PAIRS_PER_SOURCE = 120  # the first 120 pairs of SICK, MSRP and STS in CV fold 0
DATASETS = (
    "reuse-dev",
    "ecbplus-dev",
    "extraction-dev",
    "sick-dev",
    "paraphrase-dev",
    "sts-news-dev",
    "scorers",
)


# -- floors -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Floor:
    """One figure's entry in floors.toml."""

    name: str
    recorded: float
    margin: float
    data: str
    slice: str
    why: str  # why this margin

    @property
    def floor(self) -> float:
        return round(self.recorded - self.margin, 4)


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    value: float
    floor: Floor
    seconds: float

    @property
    def passed(self) -> bool:
        return self.value >= self.floor.floor


def read_floors(path: Path | None = None) -> dict[str, Floor]:
    with (path or FLOORS).open("rb") as f:
        figures = tomllib.load(f)["figures"]
    return {
        name: Floor(
            name,
            float(e["recorded"]),
            float(e["margin"]),
            str(e["data"]),
            str(e["slice"]),
            str(e["why"]),
        )
        for name, e in figures.items()
    }


def check(
    values: dict[str, float],
    floors: dict[str, Floor],
    seconds: dict[str, float],
    complete: bool = True,
) -> list[Result]:
    """Each computed figure against its floor. A computed figure without a floor is an
    error (it would never be checked), and so, in a ``complete`` run, is a floor without a
    figure (a figure dropped from the gate must be dropped from floors.toml on purpose)."""
    unfloored = sorted(set(values) - set(floors))
    if unfloored:
        raise SystemExit(f"no floor in {FLOORS.name} for: {', '.join(unfloored)}")
    uncomputed = sorted(set(floors) - set(values)) if complete else []
    if uncomputed:
        raise SystemExit(f"{FLOORS.name} has floors the gate did not compute: {uncomputed}")
    return [Result(n, v, floors[n], seconds.get(n, 0.0)) for n, v in values.items()]


def failures(results: Iterable[Result]) -> list[str]:
    return [
        f"{r.name} = {r.value:.4f} is below its floor {r.floor.floor:.4f} "
        f"(recorded {r.floor.recorded:.4f} - margin {r.floor.margin})"
        for r in results
        if not r.passed
    ]


def record(path: Path, values: dict[str, float]) -> str:
    """floors.toml with ``recorded`` of each figure in ``values`` replaced; comments, margins
    and order are kept (tomllib only reads, so the line is rewritten in place)."""
    table = None
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        header = re.match(r"\s*\[figures\.([\w-]+)\]", line)
        if header:
            table = header.group(1)
        elif table in values and re.match(r"\s*recorded\s*=", line):
            line = f"recorded = {values[table]}\n"
        lines.append(line)
    text = "".join(lines)
    tomllib.loads(text)  # still valid TOML
    return text


# -- figures ------------------------------------------------------------------------------
def furniture_figures(eval_dir: Path, work: Path) -> dict[str, float]:
    from benchmarks import furniture

    reuse, truth = furniture.load_reuse(eval_dir / "reuse-dev")
    ecb = furniture.load_ecb(eval_dir / "ecbplus-dev")
    scores = furniture.furniture_scores(furniture.parse_corpus({**reuse, **ecb}), truth)
    return {"furniture_precision": scores["precision"], "furniture_recall": scores["recall"]}


def extraction_figures(eval_dir: Path, work: Path) -> dict[str, float]:
    from benchmarks import extraction

    # In its own process, as the benchmark runs it (trafilatura's logging is silenced there).
    result = extraction.run_isolated("storytrace", eval_dir / "extraction-dev", EXTRACTION_PAGES)
    return {"extraction_f1": extraction.averages(result["per_page"], strict=False)["f1"]}


def reuse_story_figures(eval_dir: Path, work: Path) -> dict[str, float]:
    """One fresh store of the slice, ingested once (the slow part: spaCy and MiniLM) for
    both figures: reuse family F1 with the shipped reuse weights, then event B-cubed F1 with
    the shipped story weights as the stories benchmark's "mixed" run builds it (derivatives
    follow their families; only the originals are scored)."""
    from benchmarks import reuse, stories

    sys.path.insert(0, str(eval_dir / "scorers"))
    import reuse_eval

    ecb_dir, reuse_dir = eval_dir / "ecbplus-dev", eval_dir / "reuse-dev"
    docs, truth, roots = reuse_eval.load_corpus(ecb_dir, reuse_dir)
    keep = reuse.topic_slice(reuse.load_topics(ecb_dir, truth), SLICE_TOPICS)
    docs, truth, roots = reuse.restrict(docs, truth, roots, keep)
    db = work / "slice.db"
    _timings, store, keys = reuse.build_store(db, eval_dir, False, only=keep)
    with store:
        ids = {doc_id: key for key, doc_id in keys.items()}
        links, families = reuse.in_sample(store, list(store.reuse.pairs()))
        scores = reuse.evaluate(families, links, ids, keys, docs, roots, truth, reuse_eval)
    store, _seconds = stories.prepared_store(db, reuse.corpus_paths(eval_dir, keep), link=True)
    with store:
        story = stories.shipped_scores(store, stories.load_gold(ecb_dir, reuse_dir))
    return {
        "reuse_family_f1": scores["families"]["f1"],
        "story_event_bcubed_f1": story["event"]["f1"],
    }


def claim_pair_figures(eval_dir: Path, work: Path) -> dict[str, float]:
    """Accuracy of the shipped claim-pair model (no training), one direction per pair as
    benchmarks/claim_pairs.py scores it."""
    from benchmarks import claim_pairs
    from storytrace.ml.pairs import pair_scorer

    pairs, _hashes = claim_pairs.load(eval_dir)
    fold0 = claim_pairs.held_out(pairs, claim_pairs.fold_of(pairs, 5), 1)
    chosen = {s: items[:CLAIM_PAIRS_PER_SOURCE] for s, items in fold0.items()}
    flat = [p for items in chosen.values() for p in items]
    scorer = pair_scorer(threads=2)
    rows = claim_pairs.predict(scorer.model, scorer.tokenizer, flat)
    scores = claim_pairs.scores(chosen, {id(p): r for p, r in zip(flat, rows, strict=True)})
    return {
        "claim_pairs_sick_accuracy": scores["sick_3way_accuracy"],
        "claim_pairs_msrp_accuracy": scores["msrp_accuracy"],
    }


@dataclass(frozen=True, slots=True)
class Group:
    """Figures computed together (one corpus, one store or one model load)."""

    name: str
    compute: Callable[[Path, Path], dict[str, float]]
    figures: tuple[str, ...]


GROUPS = (
    Group("furniture", furniture_figures, ("furniture_precision", "furniture_recall")),
    Group("extraction", extraction_figures, ("extraction_f1",)),
    Group("reuse_stories", reuse_story_figures, ("reuse_family_f1", "story_event_bcubed_f1")),
    Group(
        "claim_pairs",
        claim_pair_figures,
        ("claim_pairs_sick_accuracy", "claim_pairs_msrp_accuracy"),
    ),
)
FIGURES = tuple(f for g in GROUPS for f in g.figures)


def compute(groups: Iterable[Group], eval_dir: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Values and seconds per figure; every group in a fresh temporary folder for stores."""
    values: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for group in groups:
        print(f"computing {group.name} ...", flush=True)
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=f"gate-{group.name}-") as work:
            found = group.compute(eval_dir, Path(work))
        if set(found) != set(group.figures):
            raise SystemExit(f"{group.name} computed {sorted(found)}, not {group.figures}")
        took = round(time.perf_counter() - started, 1)
        values |= {name: round(float(v), 4) for name, v in found.items()}
        seconds |= dict.fromkeys(found, took)
    return values, seconds


# -- output -------------------------------------------------------------------------------
def table(results: list[Result]) -> str:
    rows = [f"{'figure':<28}{'value':>8}{'recorded':>10}{'floor':>8}  {'result':<6}{'s':>7}"]
    for r in results:
        rows.append(
            f"{r.name:<28}{r.value:>8.4f}{r.floor.recorded:>10.4f}{r.floor.floor:>8.4f}  "
            f"{'pass' if r.passed else 'FAIL':<6}{r.seconds:>7.1f}"
        )
    return "\n".join(rows)


def shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def missing_data(eval_dir: Path) -> list[str]:
    return [name for name in DATASETS if not (eval_dir / name).is_dir()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=f"Floors: {shown(FLOORS)}. Groups: {', '.join(g.name for g in GROUPS)}.",
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=REPO.parent / "shared",
        help="folder holding eval/ (default: ../shared beside the repository)",
    )
    parser.add_argument(
        "--only", nargs="+", choices=[g.name for g in GROUPS], help="run these groups only"
    )
    parser.add_argument(
        "--record", action="store_true", help="write this run's values into the floors file"
    )
    args = parser.parse_args(argv)
    eval_dir = args.shared / "eval"
    if not eval_dir.is_dir():
        print(f"quality gate skipped: evaluation data not found at {eval_dir}")
        return 0
    if missing := missing_data(eval_dir):
        print(f"quality gate: {eval_dir} lacks {', '.join(missing)}", file=sys.stderr)
        return 2
    floors = read_floors()
    groups = [g for g in GROUPS if not args.only or g.name in args.only]
    started = time.perf_counter()
    values, seconds = compute(groups, eval_dir)
    results = check(values, floors, seconds, complete=not args.only)
    print(table(results))
    print(f"total {time.perf_counter() - started:.0f} s")
    if args.record:
        FLOORS.write_text(record(FLOORS, values), encoding="utf-8")
        print(f"recorded {len(values)} figures in {shown(FLOORS)}")
        return 0
    if failed := failures(results):
        sys.stdout.flush()  # the table first, then the verdict, in a CI log that merges both
        print("\nquality gate FAILED:", *failed, sep="\n  ", file=sys.stderr)
        return 1
    print("quality gate passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
