"""Float sums over sets of strings do not depend on the process's string hashes.

A set's iteration order follows ``hash(str)``, which Python seeds per process; a plain
``sum`` over it then differs in its last bits between two workers (measured: one reuse pair
of 363,748 differed between the Ray and local engines at 10k documents)."""

from __future__ import annotations

import os
import subprocess
import sys

_SCRIPT = """
from storytrace.claims.cluster import _weighted_jaccard
terms = [f"term{k}" for k in range(300)]
weight = {t: 1 / (3 + k % 17) for k, t in enumerate(terms)}
x, y = frozenset(terms[:250]), frozenset(terms[50:])
print(repr(_weighted_jaccard(x, y, weight)))
"""


def _in_process_with_seed(seed: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                          text=True, check=True)  # fmt: skip
    return done.stdout.strip()


def test_weighted_jaccard_is_the_same_in_every_process() -> None:
    assert len({_in_process_with_seed(seed) for seed in range(6)}) == 1
