"""Shared test fixtures: the demo corpus through the pipeline, built once per test run.

Building a store runs spaCy and MiniLM over every page (seconds); tests that read one get
a copy of a store built once per session (``demo_db``, ``split_db``), so no test can
change what another one reads. Everything goes through ``storytrace.pipeline``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support import DEMO_PAGES, SEEDS, build, copy_store, split_pages


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole demo corpus through every stage, once per test run (read it via a copy)."""
    db = tmp_path_factory.mktemp("demo-template") / "demo.db"
    report = build(db, DEMO_PAGES)
    assert not report.result("read").errors
    return db


@pytest.fixture(scope="session")
def split_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo corpus without LATER through every stage, and the folder LATER is in."""
    folder = tmp_path_factory.mktemp("split-template")
    pages, later = split_pages(folder)
    db = folder / "split.db"
    build(db, pages)
    return db, later


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store, every stage up to date."""
    return copy_store(demo_template, tmp_path / "demo.db")


@pytest.fixture(scope="module")
def module_demo_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo store shared by one module's tests (they must not write to it)."""
    return copy_store(demo_template, tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.fixture
def split_db(split_template: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the split store, and the folder with the pages held back."""
    db, later = split_template
    return copy_store(db, tmp_path / "split.db"), later


@pytest.fixture(scope="session")
def seeds_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five seed pages (../shared/seeds) through every stage, once per test run."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not available")
    db = tmp_path_factory.mktemp("seeds-template") / "seeds.db"
    report = build(db, SEEDS)
    assert not report.result("read").errors
    return db


@pytest.fixture(scope="module")
def seeds_db(seeds_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seeds store shared by one module's tests (they must not write to it)."""
    return copy_store(seeds_template, tmp_path_factory.mktemp("seeds") / "seeds.db")
