"""The web application (``storytrace serve``): pages and a JSON API over one store."""

from __future__ import annotations

from storytrace.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
