"""Worker processes end with their master, under every server.

A ``kill -9`` of the master runs none of its shutdown code: without help, its workers
stay alive, keep the port and keep writing to the database, and the next start on that
port fails. :func:`bind_workers_to_master` makes every process forked from the master
end as soon as the master is gone:

* on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker the moment
  its parent dies. It fires when the parent *thread* that forked ends, so it is set only
  for children forked by the master's main thread (granian and gunicorn both fork there);
* everywhere, a daemon thread polls the parent pid and ends the worker once it changed
  (a worker re-parented to init or a subreaper). It is the fallback where prctl is not
  there, and covers the moment between the fork and the prctl call.

SIGKILL, not SIGTERM: a worker must let go of the port and the database at once; an
interrupted retry call rolls back (nothing of it is committed), so nothing is lost or
doubled, and the client sees its connection close without an answer.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

__all__ = ["WATCHDOG_INTERVAL_S", "bind_workers_to_master"]

WATCHDOG_INTERVAL_S = 0.25  # a worker outlives its master by at most this long
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def bind_workers_to_master() -> None:
    """From now on, every process forked from this one dies when this one dies."""
    master = os.getpid()
    forked_by_main_thread = [False]

    def before() -> None:
        forked_by_main_thread[0] = threading.current_thread() is threading.main_thread()

    def in_child() -> None:
        if os.getpid() == master:  # pragma: no cover - the hook runs in children only
            return
        if forked_by_main_thread[0]:
            _die_with_parent()
        _start_watchdog(master)

    os.register_at_fork(before=before, after_in_child=in_child)


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent thread ends (else: nothing)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # no usable libc: the watchdog alone does it


def _start_watchdog(master: int) -> None:
    """A daemon thread that ends this process once ``master`` is no longer its parent."""

    def watch() -> None:
        while os.getppid() == master:
            time.sleep(WATCHDOG_INTERVAL_S)
        os._exit(1)  # no cleanup: the master owned it, and the master is gone

    # The parent may have died before the prctl call: then the kernel never fires.
    if os.getppid() != master:
        os._exit(1)
    threading.Thread(target=watch, name="master-watchdog", daemon=True).start()
