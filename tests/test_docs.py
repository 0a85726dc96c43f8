"""The docs say what the code does: every command and setting is in the README, and
docs/architecture.md shows the real stage table and the worked example as it is."""

from __future__ import annotations

import re
from dataclasses import fields

from storytrace.cli import app
from storytrace.pipeline import STAGES
from storytrace.settings import Settings
from support import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    for command in app.registered_commands:
        assert f"storytrace {command.name} " in README, command.name


def test_every_setting_is_in_the_readme() -> None:
    settings = README.split("### Settings", 1)[1].split("###", 1)[0]
    for field in fields(Settings):
        assert f"`{field.name}`" in settings, field.name


def test_the_stage_table_is_the_registry() -> None:
    rows = re.findall(r"^\| (\w+) \| (\S+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", ARCHITECTURE,
                      flags=re.MULTILINE)  # fmt: skip
    table = [(n, v, r.strip(), p.strip(), a.strip()) for n, v, r, p, a in rows if n != "stage"]
    assert table == [
        (s.name, s.version, ", ".join(s.requires) or "(inputs)", ", ".join(s.produces), s.about)
        for s in STAGES
    ]


def test_the_worked_example_is_the_tested_module() -> None:
    example = (REPO / "tests" / "example_stage.py").read_text(encoding="utf-8")
    assert f"```python\n{example}```" in ARCHITECTURE
