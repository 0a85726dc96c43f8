"""The web application (``storytrace serve``): pages and a JSON API over one store."""

from __future__ import annotations

from storytrace.web.app import create_app
from storytrace.web.deps import WebSettings

__all__ = ["WebSettings", "create_app"]
