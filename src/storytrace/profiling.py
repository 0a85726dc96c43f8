"""What each pipeline stage costs: seconds, peak memory and the expensive models' work.

Models count what they are asked to do (``count("MiniLM encoder", len(texts))``) into one
process-wide tally; ``measured()`` takes the difference over a block and samples the
process's resident memory while it runs. ``storytrace analyze --profile`` shows the result
per stage (issue 23: measure first, then spend the models only where a decision needs them).
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

_tally: Counter[str] = Counter()
_lock = threading.Lock()
_SAMPLE_SECONDS = 0.05


def count(model: str, items: int) -> None:
    """Record that ``model`` was given ``items`` inputs (texts, pairs, sentences)."""
    if items:
        with _lock:
            _tally[model] += items


def tally() -> dict[str, int]:
    with _lock:
        return dict(_tally)


@dataclass(slots=True)
class Measure:
    seconds: float = 0.0
    peak_rss_mb: int = 0  # this process, sampled while the block ran
    worker_peak_mb: int = 0  # the largest worker process that ended so far (spaCy's)
    calls: dict[str, int] = field(default_factory=dict)  # model -> inputs given to it


@contextlib.contextmanager
def measured() -> Iterator[Measure]:
    """Measure the block: wall seconds, peak resident memory, model inputs."""
    before = tally()
    result = Measure()
    sampler = _Sampler()
    sampler.start()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - started
        result.peak_rss_mb = sampler.stop()
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result.worker_peak_mb = _kb_to_mb(children)
        after = tally()
        result.calls = {
            k: after[k] - before.get(k, 0) for k in after if after[k] > before.get(k, 0)
        }


class _Sampler(threading.Thread):
    """The process's resident set, read a few times a second (Linux: /proc; elsewhere the
    lifetime peak, which is an upper bound)."""

    def __init__(self) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.peak = current_rss_mb()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(_SAMPLE_SECONDS):
            self.peak = max(self.peak, current_rss_mb())

    def stop(self) -> int:
        self.done.set()
        self.join()
        return max(self.peak, current_rss_mb())


def current_rss_mb() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (OSError, ValueError, IndexError, AttributeError):
        return _kb_to_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _kb_to_mb(value: int) -> int:
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    return value // (2**20 if sys.platform == "darwin" else 1024)
