"""Getting documents in: reading inputs (``readers``, ``decode``) and the three stages
that turn them into annotated documents: ``read``, ``clean`` and ``annotate``."""
