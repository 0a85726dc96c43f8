"""storytrace: what is actually known about a news story, from how many independent sources,
and who copied whom."""

__version__ = "0.1.0"
