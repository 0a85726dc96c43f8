"""Payloads as a public server shows them: where a document was read, without the server's
folders. A page fetched from the web keeps its URL; a file is shown by its name (and its
record within the file: ``dump.jsonl#L12``), so nobody learns the server's disk layout or
the names of its temporary upload folders."""

from __future__ import annotations

import re
from typing import Any

from storytrace.util import place_name

_URL = re.compile(r"^https?://", re.IGNORECASE)


def shown_location(location: str) -> str:
    """A URL as it is; a file path reduced to the file's name, keeping ``#record``."""
    if _URL.match(location):
        return location
    return place_name(location.replace("\\", "/"))  # a Windows path's folders too


def public(data: Any) -> Any:
    """``data`` (a payload) with every ``location`` and ``locations`` value shown by
    ``shown_location``, at any depth; nothing else changes."""
    if isinstance(data, dict):
        return {key: _public_value(key, value) for key, value in data.items()}
    if isinstance(data, list):
        return [public(item) for item in data]
    return data


def _public_value(key: str, value: Any) -> Any:
    if key == "location" and isinstance(value, str):
        return shown_location(value)
    if key == "locations" and isinstance(value, list):
        return [shown_location(v) if isinstance(v, str) else public(v) for v in value]
    if key == "locations" and isinstance(value, dict):  # document id -> location
        return {k: shown_location(v) if isinstance(v, str) else v for k, v in value.items()}
    return public(value)
