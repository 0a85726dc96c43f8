"""Time: temporal expressions, document dates and story timelines.

Stage entry point: :func:`build_timelines` (loaded lazily, as the other stages);
temporal expressions: :func:`storytrace.timeline.timex.find_timexes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storytrace.timeline.stage import TimelineReport, build_timelines

__all__ = ["TimelineReport", "build_timelines"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from storytrace.timeline import stage

        return getattr(stage, name)
    raise AttributeError(name)
