"""Benchmarks on data storytrace did not write (``../shared/eval``), and the corpus
generators they share. Run one from the repository root: ``python -m benchmarks.NAME``
(``make bench`` runs them all); results go to ``benchmarks/results/`` and
docs/benchmarks.md."""
