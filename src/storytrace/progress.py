"""What a stage reports while it works; the CLI draws it with Rich, tests ignore it."""

from __future__ import annotations

from typing import Protocol

from storytrace.model import InputError


class Progress(Protocol):
    def start(self, task: str, total: int | None) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def error(self, error: InputError) -> None: ...


class QuietProgress:
    def start(self, task: str, total: int | None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def error(self, error: InputError) -> None:
        pass
