"""Time: temporal expressions, document dates and story timelines.

The stage is :data:`storytrace.timeline.stage.STAGE`; temporal expressions:
:func:`storytrace.timeline.timex.find_timexes`; entity timelines, computed on demand:
:mod:`storytrace.timeline.entity`.
"""
