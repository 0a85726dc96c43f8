"""Citation precision of briefs (issue 20): does each cited page state the claim?

`storytrace analyze` runs over two corpora: the demo corpus (`examples/demo/pages`) and a
fixed sample of `eval/ecbplus-dev` topics (every fourth topic, both subtopics). From each
brief item and each page it cites besides the quoted one, a *citation* is the pair (the
quoted claim, the cited page's sentence that the claim stage says states it).

Citations are matched to a judged set (`benchmarks/data/citations_judged.jsonl`), written
by careful readers who saw only the two sentences (and never this code): each pair
labelled `supports`, `partial`, `related` or `contradicts`. The set stores references, not
text: corpus, file name and a hash of each sentence (the text stays in `../shared`).

Printed, per code version (`--code DIR` runs another checkout's CLI over the same corpora:
the baseline), and per corpus:
- judged coverage: the share of citations found in the judged set;
- support precision: supports / judged (and with `partial` counted);
- origins: over brief items whose every citation is judged, the independent origins the
  brief reports against the origins of the pages that state the claim.

Usage:
  python -m benchmarks.citations [--code DIR] [--tag NAME]      measure (writes results)
  python -m benchmarks.citations --export FILE [--code DIR]     unjudged citations, with
                                                                text, for readers
  python -m benchmarks.citations --add FILE                     merge labelled pairs
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JUDGED = REPO / "benchmarks" / "data" / "citations_judged.jsonl"
RESULTS = REPO / "benchmarks" / "results" / "citations.json"
WORK = REPO / "out" / "bench" / "citations"
LABELS = ("supports", "partial", "related", "contradicts")
ECB_TOPICS = tuple(range(2, 36, 4))  # 2, 6, ..., 34: nine of the 33 topics


@dataclass(frozen=True, slots=True)
class Ref:
    corpus: str
    doc: str  # file name
    sha: str  # of the sentence, whitespace normalised

    def key(self) -> str:
        return f"{self.corpus}/{self.doc}#{self.sha}"


@dataclass(slots=True)
class Citation:
    claim: Ref
    cited: Ref
    claim_text: str
    cited_text: str
    item: str  # corpus/story/cluster: the brief item
    origin_group: int  # which independent-origin group of the item the page is in


def sentence_hash(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()[:16]


def corpora(shared: Path) -> dict[str, list[Path]]:
    docs = shared / "eval" / "ecbplus-dev" / "docs"
    ecb = sorted(p for p in docs.glob("*.txt") if int(p.name.split("_")[0]) in ECB_TOPICS)
    return {"demo": [REPO / "examples" / "demo" / "pages"], "ecbplus": ecb}


def analyze(code: Path, name: str, inputs: list[Path], tag: str) -> tuple[Path, float]:
    """Run `storytrace analyze` of checkout ``code`` over the inputs into a fresh store."""
    out = WORK / tag / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    listing = out / "inputs"
    listing.mkdir()
    for path in inputs:  # one folder of links: the command line stays short
        target = listing / path.name
        target.symlink_to(path.resolve(), target_is_directory=path.is_dir())
    env = os.environ | {"PYTHONPATH": str(code / "src"), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    _cli(code, env, "analyze", str(listing), "--db", str(out / "store.db"), "--out",
         str(out / "report"), "-q")  # fmt: skip
    seconds = time.perf_counter() - started
    for view in ("brief", "claims", "docs", "stages"):
        text = _cli(code, env, view, "--db", str(out / "store.db"), "--json",
                    *(["--no-update"] if view in {"brief", "claims"} else []))  # fmt: skip
        (out / f"{view}.json").write_text(text, encoding="utf-8")
    return out, seconds


def _cli(code: Path, env: dict[str, str], *args: str) -> str:
    python = code / ".venv" / "bin" / "python"
    run = "from storytrace.cli import app; app(prog_name='storytrace')"
    done = subprocess.run([str(python if python.exists() else sys.executable), "-c", run,
                           *args], env=env, capture_output=True, text=True,
                          check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"storytrace {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def citations(out: Path, corpus: str) -> list[Citation]:
    """Every (quoted claim, other cited page's stating sentence) of the briefs in ``out``."""
    briefs = json.loads((out / "brief.json").read_text(encoding="utf-8"))["briefs"]
    clusters = {c["id"]: c for c in json.loads((out / "claims.json").read_text())["clusters"]}
    docs = json.loads((out / "docs.json").read_text(encoding="utf-8"))
    rows = docs["documents"] if isinstance(docs, dict) else docs
    names = {d["id"]: Path(d.get("location") or d["id"]).name for d in rows}
    found = []
    for brief in briefs:
        by_number = {s["number"]: s["doc_id"] for s in brief["sources"]}
        for item in brief["items"]:
            cluster = clusters[item["cluster_id"]]
            claim = Ref(corpus, names[item["doc_id"]], sentence_hash(item["text"]))
            for group, numbers in enumerate(item["citations"]):
                for number in numbers:
                    doc = by_number[number]
                    if doc == item["doc_id"]:
                        continue
                    member = _stating_member(cluster, doc)
                    if member is None:
                        continue
                    found.append(Citation(
                        claim, Ref(corpus, names[doc], sentence_hash(member["text"])),
                        item["text"], member["text"],
                        f"{corpus}/{brief['story_id']}/{item['cluster_id']}", group,
                    ))  # fmt: skip
    return found


def _stating_member(cluster: dict, doc: str) -> dict | None:
    """The cited page's sentence in the claim: one that states it (this code), or its
    first-listed member (the earlier code, whose clusters had no relations)."""
    members = [m for m in cluster["members"] if m["doc_id"] == doc and m.get("text")]
    order = {"states": 0, "entails": 1}
    members.sort(key=lambda m: (order.get(m.get("relation", "states"), 2), m.get("also", False)))
    return members[0] if members else None


# -- the judged set -----------------------------------------------------------------------
def read_judged() -> dict[tuple[str, str], dict]:
    found = {}
    if JUDGED.exists():
        for line in JUDGED.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                found[(row["claim"], row["cited"])] = row
    return found


def add(path: Path) -> None:
    """Merge labelled pairs (the export's rows with a ``label``) into the judged set."""
    judged = read_judged()
    added = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        label = row.get("label")
        if label not in LABELS:
            raise SystemExit(f"{path}: label {label!r} is not one of {', '.join(LABELS)}")
        key = (row["claim"], row["cited"])
        if key not in judged:
            judged[key] = {
                "claim": row["claim"], "cited": row["cited"], "label": label,
                "judge": row.get("judge", "reader"),  # notes quote the texts: not kept
            }  # fmt: skip
            added += 1
    JUDGED.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False) for r in sorted(judged.values(),
             key=lambda r: (r["claim"], r["cited"]))]  # fmt: skip
    JUDGED.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{added} pairs added; {len(judged)} judged in all ({JUDGED.relative_to(REPO)})")


def export(found: list[Citation], path: Path) -> None:
    judged = read_judged()
    seen = set()
    rows = []
    for c in found:
        key = (c.claim.key(), c.cited.key())
        if key in judged or key in seen:
            continue
        seen.add(key)
        rows.append({"claim": key[0], "cited": key[1], "claim_text": c.claim_text,
                     "cited_text": c.cited_text})  # fmt: skip
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    print(f"{len(rows)} unjudged citations written to {path}")


# -- the figures --------------------------------------------------------------------------
def measure(found: list[Citation], origins: dict[str, tuple[int, list[str]]]) -> dict:
    judged = read_judged()
    labels = [judged.get((c.claim.key(), c.cited.key()), {}).get("label") for c in found]
    known = [label for label in labels if label]
    supports = sum(label == "supports" for label in known)
    partial = sum(label == "partial" for label in known)
    by_item: dict[str, list[tuple[Citation, str | None]]] = defaultdict(list)
    for c, label in zip(found, labels, strict=True):
        by_item[c.item].append((c, label))
    reported = stated = items = 0
    for item, rows in by_item.items():
        if any(label is None for _, label in rows):
            continue
        items += 1
        reported += origins[item][0]
        groups = {0} | {c.origin_group for c, label in rows if label == "supports"}
        # group 0 holds the quoted page, which states the claim by definition
        stated += len(groups)
    return {
        "citations": len(found),
        "judged": len(known),
        "coverage": round(len(known) / len(found), 4) if found else None,
        "support_precision": round(supports / len(known), 4) if known else None,
        "precision_with_partial": round((supports + partial) / len(known), 4) if known else None,
        "labels": {k: sum(label == k for label in known) for k in LABELS},
        "items_fully_judged": items,
        "origins_reported": reported,
        "origins_stating": stated,
        "reported_over_stating": round(reported / stated, 4) if stated else None,
    }


def item_origins(out: Path, corpus: str) -> dict[str, tuple[int, list[str]]]:
    briefs = json.loads((out / "brief.json").read_text(encoding="utf-8"))["briefs"]
    return {
        f"{corpus}/{b['story_id']}/{i['cluster_id']}": (i["origins"], [])
        for b in briefs
        for i in b["items"]
    }


def stage_seconds(out: Path) -> dict[str, float]:
    """Seconds of each stage's last run, as `storytrace stages --json` reports them."""
    path = out / "stages.json"
    if not path.exists():
        return {}
    rows = json.loads(path.read_text(encoding="utf-8"))
    rows = rows.get("stages", rows) if isinstance(rows, dict) else rows
    return {r["stage"]: r.get("seconds") for r in rows if isinstance(r, dict) and "stage" in r}


def fragments(out: Path) -> dict:
    """Quoted claims of the briefs that are not sentences (storytrace.sentences)."""
    from storytrace.sentences import fragment_reason

    briefs = json.loads((out / "brief.json").read_text(encoding="utf-8"))["briefs"]
    quoted = [i["text"] for b in briefs for i in b["items"]]
    bad = [(t, fragment_reason(t)) for t in quoted if fragment_reason(t)]
    return {"quoted": len(quoted), "fragments": len(bad), "examples": bad[:5]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose CLI runs")
    parser.add_argument("--tag", default="after", help="name of this run in the results")
    parser.add_argument("--export", type=Path, help="write unjudged citations here")
    parser.add_argument("--add", type=Path, help="merge a labelled export into the set")
    parser.add_argument("--reuse", action="store_true", help="read the last run's outputs")
    args = parser.parse_args()
    if args.add:
        add(args.add)
        return 0
    if not (args.shared / "eval" / "ecbplus-dev").is_dir():
        print("../shared/eval/ecbplus-dev is missing: nothing to measure", file=sys.stderr)
        return 1
    found: list[Citation] = []
    seconds: float | None
    report: dict = {"code": args.tag, "machine": f"{platform.machine()}, "
                    f"Python {platform.python_version()}", "corpora": {}}  # fmt: skip
    for name, inputs in corpora(args.shared).items():
        if args.reuse:
            out, seconds = WORK / args.tag / name, None  # not timed: read back
        else:
            out, seconds = analyze(args.code.resolve(), name, inputs, args.tag)
        here = citations(out, name)
        found += here
        timed = None if seconds is None else round(seconds, 1)
        report["corpora"][name] = measure(here, item_origins(out, name)) | {
            "analyze_seconds": timed, "stage_seconds": stage_seconds(out),
            "fragments": fragments(out)}  # fmt: skip
        print(name, json.dumps(report["corpora"][name]), flush=True)
    if args.export:
        export(found, args.export)
        return 0
    origins = {}
    for name in report["corpora"]:
        origins |= item_origins(WORK / args.tag / name, name)
    report["all"] = measure(found, origins)
    print(json.dumps(report["all"], indent=1))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[args.tag] = report
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
