"""Batch mode's engines: this machine's processes (``local``) or Ray (a local Ray started
in-process, or a cluster by address). Both run the steps of :mod:`storytrace.engine.batch`
and give the same outputs; see docs/scaling.md."""

from __future__ import annotations

from storytrace.engine.local import BatchRun, read_groups, read_pairs, run_local
from storytrace.engine.ray_engine import run_ray

__all__ = ["BatchRun", "read_groups", "read_pairs", "run_local", "run_ray"]
