"""What ``python -m mock_server`` checks and says about its database before it serves.

* One mock per database: the master holds an exclusive ``flock`` on ``<db>-owner`` for
  as long as it or any of its workers lives (they inherit the descriptor), and writes its
  pid and port there. A second mock on the same database refuses to start with one line
  naming the running one, unless it is started with ``--share-db`` (then it joins: its
  resets and ``--reseed`` change the state the other one serves too). The kernel drops
  the lock when the last process holding it ends, however it ends: a mock killed with
  ``kill -9`` never leaves a stale lock behind.
* The banner tells the state actually served: an existing database keeps its scenario
  and invoices, so the start options that would have set them are listed as not applied,
  with how to apply them (``--reseed``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no ownership check
    fcntl = None  # type: ignore[assignment]

from mock_server.scenarios import Scenario
from mock_server.vocabulary import FAILED

__all__ = ["DatabaseInUse", "StoredState", "claim_database", "not_applied", "stored_state"]


class DatabaseInUse(RuntimeError):
    """Another mock serves this database (the message names its pid and port)."""


def claim_database(path: Path, *, port: int) -> int | None:
    """Hold ``path``'s owner lock for this process and its children; its descriptor.

    Raises :class:`DatabaseInUse` when another mock holds it. The descriptor stays open
    on purpose: closing it (or the process ending) releases the claim.
    """
    if fcntl is None:
        return None
    owner = path.with_name(path.name + "-owner")
    descriptor = os.open(owner, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(descriptor, 200, 0).decode(errors="replace").split()
        os.close(descriptor)
        pid, held_port = [*holder, "?", "?"][:2]
        raise DatabaseInUse(
            f"--db {path} is served by another mock (pid {pid}, port {held_port}); stop it, "
            "use another --db, or add --share-db to serve the same state from both"
        ) from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()} {port}\n".encode(), 0)
    return descriptor


@dataclass(frozen=True)
class StoredState:
    """The state an existing database holds: its scenario and failed invoices now."""

    scenario: Scenario
    failed: int


def stored_state(path: Path | None) -> StoredState | None:
    """The state in the database at ``path``, or None without one (new, empty, unreadable)."""
    if path is None or not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'scenario'").fetchone()
            if row is None:
                return None
            count = db.execute("SELECT COUNT(*) FROM invoices WHERE status = ?", (FAILED,))
            failed = int(count.fetchone()[0])
            return StoredState(Scenario.from_json(json.loads(row[0])), failed)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return None  # the app's own start reports what is wrong with it


def not_applied(state: StoredState, requested: Scenario, *, failed: int | None) -> list[str]:
    """The start options whose value the stored state does not have (as typed)."""
    stored = state.scenario
    options = []
    if requested.name != stored.name:
        options.append(f"--scenario {requested.name}")
    if failed is not None:  # the count is the start count: a kept state never takes it
        options.append(f"--failed {failed}")
    if requested.seed != stored.seed:
        options.append(f"--seed {requested.seed}")
    if requested.max_attempts != stored.max_attempts and requested.max_attempts is not None:
        options.append(f"--max-attempts {requested.max_attempts}")
    if requested.success_rates != stored.success_rates:
        options.append("--success-rate")
    return options
