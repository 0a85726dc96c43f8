"""Helpers the tests share: where the demo corpus and shared data are, and building stores
through the pipeline (``storytrace.pipeline``), as every interface does."""

from __future__ import annotations

import shutil
from pathlib import Path

from storytrace import pipeline
from storytrace.pipeline import RunReport
from storytrace.settings import Settings
from storytrace.stage import Inputs
from storytrace.store import Store

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"
DEMO_PAGES = DEMO / "pages"
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
EVAL = SHARED / "eval"
# Two demo pages held back and added later in the incremental tests: a copy of one story's
# origin and a brief of another story.
LATER = ("velmora-syndicated-newsfeedhub.txt", "tolvik-summary-brief.txt")


def settings_for(db: Path, **changes: object) -> Settings:
    """Test settings: no progress bars, one process (spaCy workers cost a model load)."""
    return Settings().with_(db=db, progress=False, workers=1, **changes)


def build(
    db: Path, *paths: Path, until: str | None = None, urls_file: Path | None = None, **changes
) -> RunReport:
    """Run the pipeline on ``db`` (created if missing) with ``paths`` as inputs."""
    inputs = Inputs(list(paths), urls_file) if paths or urls_file else None
    with Store(db) as store:
        return pipeline.run(store, settings_for(db, **changes), until, inputs)


def copy_store(source: Path, target: Path) -> Path:
    """A private copy of a closed store (its WAL is checkpointed on close)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def split_pages(folder: Path) -> tuple[Path, Path]:
    """The demo pages copied into ``folder/pages``, with LATER moved to ``folder/later``."""
    pages = folder / "pages"
    shutil.copytree(DEMO_PAGES, pages)
    later = folder / "later"
    later.mkdir()
    for name in LATER:
        (pages / name).rename(later / name)
    return pages, later
