"""Claims, entities and corroboration: what is said, by whom, and how many independent
sources say it.

The stage is :data:`storytrace.claims.stage.STAGE`; ``detect``, ``attribution``,
``entities``, ``cluster``, ``conflicts`` and ``tokens`` are its parts.
"""
