"""Stories and topics: which documents report the same event.

Stage entry point: :func:`build_stories` (bring stories and topics up to date with the
store). Loaded lazily so that the store can import this package's data types without
pulling in the stage (which imports the store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storytrace.stories.stage import StoryReport, build_stories

__all__ = ["StoryReport", "build_stories"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from storytrace.stories import stage

        return getattr(stage, name)
    raise AttributeError(name)
