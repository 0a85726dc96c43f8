"""Stories and topics: which documents report the same event.

The stage is :data:`storytrace.stories.stage.STAGE`; ``text`` (what is read from a
document), ``features`` (pair features), ``classifier`` (the two models) and ``assign``
(stories kept stable across runs) are its parts.
"""
