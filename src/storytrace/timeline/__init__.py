"""Time: temporal expressions, document dates and story timelines (issue 6, in progress).

So far: :func:`storytrace.timeline.timex.find_timexes`, temporal expressions with TIMEX3
values against an anchor date. Not yet wired into the pipeline.
"""
