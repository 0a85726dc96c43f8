"""The CI quality gate's logic (benchmarks/gate.py) without evaluation data: floors, the
pass/fail decision, the exit status and message, re-recording, and the skip."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from benchmarks import gate


def floor(name: str, recorded: float, margin: float = 0.02) -> gate.Floor:
    return gate.Floor(name, recorded, margin, "data", "slice", "why")


def test_floors_file_lists_every_figure_the_gate_computes() -> None:
    floors = gate.read_floors()
    assert sorted(floors) == sorted(gate.FIGURES)  # no figure dropped or unchecked
    assert len(set(gate.FIGURES)) == len(gate.FIGURES)
    for entry in floors.values():
        assert 0.0 < entry.margin <= 0.05, entry.name
        assert 0.0 <= entry.floor < entry.recorded <= 1.0, entry.name
        assert entry.data and entry.slice and entry.why, entry.name


def test_below_floor_fails_and_names_the_figure() -> None:
    floors = {"a": floor("a", 0.90), "b": floor("b", 0.80)}
    results = gate.check({"a": 0.8799, "b": 0.80}, floors, {})
    assert [r.passed for r in results] == [False, True]
    (message,) = gate.failures(results)
    assert message.startswith("a = 0.8799 is below its floor 0.8800")


def test_at_or_above_floor_passes() -> None:
    floors = {"a": floor("a", 0.90)}
    assert gate.failures(gate.check({"a": 0.88}, floors, {})) == []
    assert gate.failures(gate.check({"a": 0.95}, floors, {})) == []


def test_a_figure_without_floor_or_a_floor_without_figure_is_an_error() -> None:
    with pytest.raises(SystemExit, match="no floor"):
        gate.check({"a": 0.9, "new": 0.5}, {"a": floor("a", 0.9)}, {})
    floors = {"a": floor("a", 0.9), "gone": floor("gone", 0.9)}
    with pytest.raises(SystemExit, match="did not compute"):
        gate.check({"a": 0.9}, floors, {})
    assert gate.check({"a": 0.9}, floors, {}, complete=False)  # --only: a subset


def test_record_rewrites_recorded_values_only(tmp_path: Path) -> None:
    path = tmp_path / "floors.toml"
    shutil.copy(gate.FLOORS, path)
    before = tomllib.loads(path.read_text())["figures"]
    text = gate.record(path, {"extraction_f1": 0.5, "reuse_family_f1": 0.25})
    after = tomllib.loads(text)["figures"]
    assert after["extraction_f1"]["recorded"] == 0.5
    assert after["reuse_family_f1"]["recorded"] == 0.25
    for name, entry in before.items():
        changed = {"recorded"} if name in ("extraction_f1", "reuse_family_f1") else set()
        assert {k for k in entry if entry[k] != after[name][k]} == changed
    assert text.count("#") == path.read_text().count("#")  # comments kept


@pytest.fixture
def fake_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An eval folder with every data set (empty), a private floors file, and figures that
    equal the recorded values unless a test changes them."""
    shared = tmp_path / "shared"
    for name in gate.DATASETS:
        (shared / "eval" / name).mkdir(parents=True)
    floors = tmp_path / "floors.toml"
    shutil.copy(gate.FLOORS, floors)
    monkeypatch.setattr(gate, "FLOORS", floors)
    recorded = {n: f.recorded for n, f in gate.read_floors().items()}
    monkeypatch.setattr(gate, "compute", lambda groups, _dir: (dict(recorded), {}))
    return shared


def test_main_exits_nonzero_naming_each_figure_below_floor(
    fake_run: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    values = {n: f.recorded for n, f in gate.read_floors().items()}
    values["reuse_family_f1"] -= 0.05
    values["extraction_f1"] -= 0.021
    monkeypatch.setattr(gate, "compute", lambda groups, _dir: (values, {}))
    assert gate.main(["--shared", str(fake_run)]) == 1
    err = capsys.readouterr().err
    assert "quality gate FAILED" in err
    assert "reuse_family_f1" in err and "extraction_f1" in err
    assert "furniture_recall" not in err


def test_main_passes_at_recorded_values(fake_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gate.main(["--shared", str(fake_run)]) == 0
    out = capsys.readouterr().out
    assert "quality gate passed" in out
    assert all(name in out for name in gate.FIGURES)


def test_record_makes_a_lower_value_the_new_reference(
    fake_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = {n: f.recorded for n, f in gate.read_floors().items()}
    values["story_event_bcubed_f1"] = 0.5
    monkeypatch.setattr(gate, "compute", lambda groups, _dir: (values, {}))
    assert gate.main(["--shared", str(fake_run)]) == 1
    assert gate.main(["--shared", str(fake_run), "--record"]) == 0
    assert gate.read_floors()["story_event_bcubed_f1"].recorded == 0.5
    assert gate.main(["--shared", str(fake_run)]) == 0


def test_skips_cleanly_without_evaluation_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def never(*_args: object) -> None:
        raise AssertionError("nothing may be computed without the data")

    monkeypatch.setattr(gate, "compute", never)
    assert gate.main(["--shared", str(tmp_path / "absent")]) == 0
    assert "quality gate skipped" in capsys.readouterr().out


def test_partial_evaluation_data_is_an_error(
    fake_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake_run / "eval" / "sick-dev").rmdir()
    assert gate.main(["--shared", str(fake_run)]) == 2
    assert "sick-dev" in capsys.readouterr().err
