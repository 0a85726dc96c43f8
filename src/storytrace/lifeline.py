"""Worker processes end when the process that started them ends, however it ends.

spaCy's ``nlp.pipe(n_process=...)`` and the batch engine's process pool fork workers that
wait on a queue for work. When the parent is killed outright (``kill -9``, the
out-of-memory killer) nothing tells them: they are adopted by init and wait forever, a few
hundred megabytes each. Inside ``workers_die_with_parent()`` every process forked from this
one is tied to it: on Linux the kernel sends it SIGKILL the moment its parent dies
(``PR_SET_PDEATHSIG``); elsewhere a watchdog thread in the child checks the parent's pid
twice a second and ends the child when it changes.

Forked children are covered (Linux's default start method, spaCy's); a pool that spawns
passes ``die_with`` as its initializer. A child started before the block is not covered.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_WATCH_SECONDS = 0.5

_active = 0  # open workers_die_with_parent() blocks; inherited by a forked child
_forking_pid = 0  # the pid that is forking, recorded just before the fork
_lock = threading.Lock()
_installed = False


@contextlib.contextmanager
def workers_die_with_parent() -> Iterator[None]:
    """Within the block, children forked by this process die when it does."""
    global _active
    _install()
    with _lock:
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1


def _install() -> None:
    global _installed
    with _lock:
        if not _installed and hasattr(os, "register_at_fork"):
            os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
            _installed = True


def _before_fork() -> None:
    global _forking_pid
    _forking_pid = os.getpid()


def _after_fork_in_child() -> None:
    global _active
    if _active <= 0:
        return
    _active = 0  # the child's own children are its business
    die_with(_forking_pid)


def die_with(parent: int) -> None:
    """Tie this process to ``parent``: end when it ends. Also an ``initializer`` for
    process pools that spawn rather than fork (``initargs=(os.getpid(),)``)."""
    if not _death_signal():
        threading.Thread(target=_watch, args=(parent,), name="lifeline", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _death_signal() -> bool:
    """Ask the kernel for SIGKILL when the parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)
