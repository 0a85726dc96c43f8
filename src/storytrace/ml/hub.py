"""Hugging Face libraries, kept offline and quiet."""

from __future__ import annotations

import os


def offline_and_quiet() -> None:
    """Before the first Hugging Face import (they read these once): nothing is fetched,
    and no progress bars of theirs break ours or a command's JSON output."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
