"""Parsing the date strings that containers and pages give ("18th June 2024",
"2024-06-18T09:00:00Z", "Tue, 18 Jun 2024 09:00:00 GMT") into ISO dates, with dateparser.

Only absolute dates are accepted here: a publication date is never guessed from a relative
expression ("Wednesday", "2 days ago"), because there is nothing to anchor it to.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime

import dateparser

_SETTINGS = {
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,  # day, month and year must all be present
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
}
# "7: 35 am" (a space after the colon, as some CMSs print it) confuses the time parser.
_SPACED_TIME = re.compile(r"(\d{1,2}):\s+(\d{2})")
_ORDINAL = re.compile(r"(\d{1,2})(st|nd|rd|th)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def parse_date(text: str) -> str | None:
    """ISO date (YYYY-MM-DD) of an absolute date string, or None when there is none."""
    iso = _iso(text.strip())
    if iso:
        return iso
    cleaned = _ORDINAL.sub(r"\1", _SPACED_TIME.sub(r"\1:\2", text.strip()))
    if not cleaned or len(cleaned) > 80:
        return None
    parsed = dateparser.parse(cleaned, languages=["en"], settings=_SETTINGS)
    return parsed.date().isoformat() if parsed else None


_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|[T ])")


def _iso(text: str) -> str | None:
    """The date as written in an ISO 8601 string (what feeds, WARC headers and JSON dumps
    carry): 100x cheaper than dateparser, which reads it the same way."""
    if not _ISO_START.match(text):
        return None
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        return None
