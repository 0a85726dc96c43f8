"""``python -m storytrace.cli``: the same as the ``storytrace`` command."""

from storytrace.cli.app import app

app()
