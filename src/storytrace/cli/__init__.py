"""The `storytrace` command (``app``): commands in ``app``, terminal views in ``render``."""

from __future__ import annotations

from storytrace.cli.app import app

__all__ = ["app"]
