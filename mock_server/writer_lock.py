"""The writers' lock of one database: bounded waits, so a stuck writer never freezes the mock.

Writers queue on a file lock next to the database (``<db>-lock``) before ``BEGIN
IMMEDIATE``: SQLite's own busy handler sleeps 1 ms and more between tries, which under
load idles a worker for longer than a whole call takes. The rule here: a writer waits at
most ``timeout_s`` (5 s), then gets :class:`WriterBusy` - the HTTP layer answers 503. A
writer stopped while holding the lock (``kill -STOP``, a debugger) so costs each other
writer that long, never forever; readers never take the lock (WAL lets them read beside
the writer).

Threads of one process first queue on a :class:`threading.Lock` (its waits are bounded
and wake at once); only one thread per process then polls the file lock, without
blocking (a blocking ``flock`` cannot be given a timeout), sleeping from 50 us up to 2 ms
between tries: a transaction of the other worker takes tens of microseconds.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's busy handler alone queues the writers
    fcntl = None  # type: ignore[assignment]

__all__ = ["WRITER_TIMEOUT_S", "WriterBusy", "WriterLock"]

WRITER_TIMEOUT_S = 5.0
_FIRST_PAUSE_S = 0.00005
_LONGEST_PAUSE_S = 0.002


class WriterBusy(RuntimeError):
    """Another writer held the database's lock longer than the wait allowed; nothing written."""


class WriterLock:
    """The exclusive writer lock of the database at ``database`` (see the module)."""

    def __init__(self, database: Path, *, timeout_s: float = WRITER_TIMEOUT_S) -> None:
        self.path = database.with_name(database.name + "-lock")
        self.timeout_s = timeout_s
        self._threads = threading.Lock()
        self._descriptor: int | None = None
        self._pid: int | None = None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the block; raises :class:`WriterBusy` after the bounded wait."""
        deadline = time.monotonic() + self.timeout_s
        if not self._threads.acquire(timeout=self.timeout_s):
            raise WriterBusy(f"another thread held the writer lock over {self.timeout_s:g} s")
        try:
            descriptor = self._file_lock(deadline)
            try:
                yield
            finally:
                if descriptor is not None:
                    fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _file_lock(self, deadline: float) -> int | None:
        """Take the file lock by polling until ``deadline``; its descriptor (None: no flock)."""
        if fcntl is None:
            return None
        descriptor = self._open()
        pause = _FIRST_PAUSE_S
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return descriptor
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriterBusy(
                        f"another process held {self.path} over {self.timeout_s:g} s"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, _LONGEST_PAUSE_S)

    def _open(self) -> int:
        # One descriptor per process (flock does not exclude users of the same open file;
        # threads of a process are excluded by the thread lock); never one from before a fork.
        if self._descriptor is None or self._pid != os.getpid():
            self._descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            self._pid = os.getpid()
        return self._descriptor

    def close(self) -> None:
        """Close this process's descriptor (the next write opens it again)."""
        if self._descriptor is not None and self._pid == os.getpid():
            os.close(self._descriptor)
        self._descriptor = None
