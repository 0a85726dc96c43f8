"""Stories and topics on the bundled demo corpus, against its ground truth.

The demo (examples/demo) was written for this project and never used for fitting: a second
look at how the shipped models generalise beyond ECB+, on a small corpus with two events of
one kind (two earthquakes) and two stages of one dispute (a strike vote, then a deal).
Metric: B-cubed P/R/F1 at story and topic level (every document, derivatives included).

Usage: python -m benchmarks.stories_demo
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from storytrace import pipeline
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"
RESULTS = REPO / "benchmarks" / "results" / "stories_demo.json"


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    clusters: dict[str, set[str]] = {}
    classes: dict[str, set[str]] = {}
    for key in gold:
        clusters.setdefault(pred[key], set()).add(key)
        classes.setdefault(gold[key], set()).add(key)
    p = sum(len(clusters[pred[k]] & classes[gold[k]]) / len(clusters[pred[k]]) for k in gold)
    r = sum(len(clusters[pred[k]] & classes[gold[k]]) / len(classes[gold[k]]) for k in gold)
    p, r = p / len(gold), r / len(gold)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4)}


def main() -> int:
    truth = json.loads((DEMO / "truth.json").read_text())["documents"]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env().with_(db=Path(tmp) / "demo.db", progress=False)
        with Store(settings.db) as store:
            pipeline.run(store, settings, until="stories", inputs=Inputs([DEMO / "pages"]))
            story_of, topic_of = store.stories.assignment()
            name = {
                doc_id: Path(location).name
                for location, doc_id in store.conn.execute("SELECT location, doc_id FROM locations")
            }
            labels = {s.id: s.label for s in store.stories.stories()}
    by_key = {name[d]: s for d, s in story_of.items() if name[d] in {t["key"] for t in truth}}
    gold_story = {t["key"]: t["story"] for t in truth if t["key"] in by_key}
    gold_topic = {t["key"]: t["topic"] for t in truth if t["key"] in by_key}
    report = {
        "data": "examples/demo (written for this project, not used for fitting)",
        "documents": len(gold_story),
        "story": bcubed(by_key, gold_story),
        "topic": bcubed({k: topic_of[s] for k, s in by_key.items()}, gold_topic),
        "stories_found": len(set(by_key.values())),
        "stories_gold": len(set(gold_story.values())),
        "labels": sorted(labels.values()),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
