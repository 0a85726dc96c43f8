"""The command line, in-process with Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from storytrace.cli import app

runner = CliRunner()

PAGE = """Council approves new bike lanes for Kestrel City

Posted on April 2, 2025 by Ines Moreau

The Kestrel City council voted seven to two on Wednesday to build protected bike lanes \
along the river road.

Councillor Ada Brook said the lanes would open next spring.

Spread the word
"""


@pytest.fixture
def ingested(tmp_path: Path) -> Path:
    (tmp_path / "page.txt").write_text(PAGE)
    db = tmp_path / "s.db"
    result = runner.invoke(app, ["ingest", str(tmp_path / "page.txt"), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    assert "1 new documents" in result.output
    return db


@pytest.mark.slow
def test_docs_lists_and_show_prints_metadata_and_removed_lines(ingested: Path) -> None:
    listing = runner.invoke(app, ["docs", "--db", str(ingested), "--json"])
    assert listing.exit_code == 0, listing.output
    rows = json.loads(listing.output)
    assert rows[0]["title"] == "Council approves new bike lanes for Kestrel City"
    assert rows[0]["published"] == "2025-04-02"

    shown = runner.invoke(app, ["show", rows[0]["id"][:6], "--db", str(ingested), "--json"])
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.output)
    assert doc["author"] == "Ines Moreau"
    assert "Spread the word" in {r["text"] for r in doc["removed"]}
    assert "Spread the word" not in doc["text"]
    assert doc["sentences"]

    human = runner.invoke(app, ["show", rows[0]["id"][:6], "--db", str(ingested)])
    assert human.exit_code == 0
    assert "removed lines" in human.output
    assert "Spread the word" in human.output

    table = runner.invoke(app, ["docs", "--db", str(ingested)])
    assert "Council approves" in table.output


@pytest.mark.slow
def test_reingest_reports_nothing_new(ingested: Path) -> None:
    page = ingested.parent / "page.txt"
    result = runner.invoke(app, ["ingest", str(page), "--db", str(ingested), "-q"])
    assert result.exit_code == 0
    assert "0 new documents" in result.output


def test_missing_input_gives_exit_code_1_and_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.txt"
    result = runner.invoke(app, ["ingest", str(missing), "--db", str(tmp_path / "s.db"), "-q"])
    assert result.exit_code == 1
    assert "nothing-here.txt" in result.output


def test_ingest_without_inputs_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 1
    assert "give at least one PATH" in result.output


def test_docs_on_a_missing_store_explains_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["docs", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "storytrace ingest" in result.output


@pytest.mark.slow
def test_show_unknown_document_is_a_clear_error(ingested: Path) -> None:
    result = runner.invoke(app, ["show", "zzzz", "--db", str(ingested)])
    assert result.exit_code == 1
    assert "no document matches" in result.output


@pytest.mark.slow
def test_analyze_writes_store_json_and_summary(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.txt").write_text(PAGE)
    out = tmp_path / "out"
    args = ["analyze", str(tmp_path / "in"), "--out", str(out), "-q", "--profile"]
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    _check_profile(json.loads((out / "profile.json").read_text()), result.output)
    data = json.loads((out / "documents.json").read_text())
    assert data["schema"] == "storytrace.documents/1"
    assert data["documents"][0]["published"] == "2025-04-02"
    assert "Council approves" in (out / "summary.md").read_text()
    assert json.loads((out / "reuse.json").read_text())["schema"] == "storytrace.reuse/1"
    stories = json.loads((out / "stories.json").read_text())
    assert stories["schema"] == "storytrace.stories/1"
    assert stories["topics"][0]["stories"][0]["label"].startswith("Council approves")
    assert str(out / "summary.md") in result.output.replace("\n", "")
    # A page added later: the profile's rates are over what this run added, not the store.
    (tmp_path / "in" / "later.txt").write_text(PAGE.replace("Kestrel", "Orrin"))
    again = runner.invoke(app, args, terminal_width=200)
    assert again.exit_code == 0, again.output
    profile = json.loads((out / "profile.json").read_text())
    assert profile["documents"] == 2 and profile["rates_over"]["documents"] == 1
    assert profile["rates_over"]["of"] == "added by this run"
    assert "rates over the 1 document added by this run" in again.output


def _check_profile(profile: dict, shown: str) -> None:
    """Every stage's cost, and the models' inputs where the work happened."""
    assert profile["schema"] == "storytrace.profile/1" and profile["documents"] == 1
    assert profile["rates_over"] == {
        "documents": 1,
        "sentences": profile["sentences"],
        "of": "added by this run",
    }  # a first run adds everything
    stages = {row["stage"]: row for row in profile["stages"]}
    assert list(stages)[:3] == ["read", "clean", "annotate"] and "claims" in stages
    assert stages["annotate"]["model_inputs"]["spaCy sentences+NER"] >= 2  # its paragraphs
    assert stages["embed"]["model_inputs"]["MiniLM"] >= profile["sentences"]
    assert all(row["seconds"] >= 0 and row["peak_rss_mb"] > 0 for row in stages.values())
    assert profile["seconds"] == pytest.approx(sum(r["seconds"] for r in stages.values()), abs=0.1)
    assert "profile: 1 documents" in shown and "annotate" in shown
    assert profile["outputs_seconds"] > 0 and "outputs and report written in" in shown


def test_every_command_and_option_is_explained() -> None:
    """`--help` always prints "Usage"; what matters is that it explains: each command's
    description is shown, and no option is left without help text."""
    commands = {c.name: c for c in app.registered_commands}
    assert {"ingest", "analyze", "stages", "claims", "timeline", "brief", "ask"} <= set(commands)
    clicks = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    for name, command in commands.items():
        description = " ".join((command.callback.__doc__ or "").split())
        assert len(description) > 40, f"`{name}` has no description"
        result = runner.invoke(app, [name, "--help"], terminal_width=200)
        assert result.exit_code == 0, name
        shown = " ".join(result.output.split())
        assert " ".join(description.split()[:6]) in shown, f"`{name} --help` lacks its text"
        for param in clicks[name].params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"`{name} {param.opts[0]}` has no help text"
        assert "Usage" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert "storytrace" in result.output


@pytest.mark.slow
def test_analyze_takes_the_ingest_options(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.txt").write_text(PAGE)
    (tmp_path / "in" / "long.txt").write_text(PAGE * 40)
    db = tmp_path / "elsewhere.db"
    out = tmp_path / "out"
    args = ["analyze", str(tmp_path / "in"), "--out", str(out), "--db", str(db)]
    result = runner.invoke(app, [*args, "--max-bytes", "2000", "-q"])
    assert result.exit_code == 1  # one input refused, and said so; the other analysed
    assert "long.txt" in result.output and "2,000-byte limit" in result.output
    assert db.exists() and not (out / "storytrace.db").exists()
    assert len(json.loads((out / "documents.json").read_text())["documents"]) == 1
    no_input = runner.invoke(app, ["analyze", "--out", str(out)])
    assert no_input.exit_code == 1 and "--urls" in no_input.output


def test_batch_command_writes_its_tables_and_a_summary(tmp_path: Path) -> None:
    from support import DEMO_PAGES

    out = tmp_path / "batch"
    args = ["batch", str(DEMO_PAGES), "--out", str(out), "--workers", "1", "--quiet"]
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    summary = " ".join(result.output.split())
    assert "copy groups" in summary and "lead groups" in summary
    for table in ("documents", "duplicates", "pairs", "copy_groups", "lead_groups", "errors"):
        assert (out / f"{table}.parquet").is_file(), table
