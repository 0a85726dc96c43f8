"""The demo corpus split for incremental tests (shared by the reuse and story tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
# Two demo pages that are held back and ingested later in the incremental tests: a copy of
# one story's origin and a brief of another story.
LATER = ("velmora-syndicated-newsfeedhub.txt", "tolvik-summary-brief.txt")


def split_demo(tmp_path: Path) -> tuple[Path, Path]:
    """The demo pages copied into ``pages/``, with LATER moved to ``later/``."""
    pages = tmp_path / "pages"
    shutil.copytree(DEMO / "pages", pages)
    later = tmp_path / "later"
    later.mkdir()
    for name in LATER:
        (pages / name).rename(later / name)
    return pages, later
