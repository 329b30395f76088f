"""What ``python -m mock_server`` checks and says about its database before it serves.

* One mock per database: the master holds an exclusive ``flock`` on ``<db>-owner`` for
  as long as it or any of its workers lives (they inherit the descriptor), and writes its
  pid and port there. A second mock on the same database refuses to start with one line
  naming the running one, unless it is started with ``--share-db`` (then it joins: its
  resets and ``--reseed`` change the state the other one serves too). Every mock on the
  database, owner or sharer, holds a shared ``flock`` on ``<db>-users``: a mock that finds
  the owner gone but a sharer still serving refuses too, so the database never gets a
  second owner behind a sharer's back. The kernel drops the locks when the last process
  holding them ends, however it ends: a mock killed with ``kill -9`` never leaves a
  stale lock behind.
* A PostgreSQL ``--db`` is claimed by nobody: every instance started on it serves and
  changes the one state (the first one seeds it).
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

from mock_server.postgres_url import PostgresUrl
from mock_server.scenarios import Scenario
from mock_server.vocabulary import FAILED

__all__ = [
    "DatabaseInUse",
    "StoredState",
    "claim_database",
    "join_database",
    "not_applied",
    "stored_state",
]


class DatabaseInUse(RuntimeError):
    """Another mock serves this database (the message names its pid and port)."""


def claim_database(path: Path, *, port: int) -> list[int]:
    """Hold ``path``'s owner lock and a user's lock for this process and its children.

    Raises :class:`DatabaseInUse` when another mock owns the database, or when no mock
    owns it but one started with ``--share-db`` still serves it. Returns the descriptors,
    open on purpose: closing them (or the process ending) releases the claim.
    """
    if fcntl is None:
        return []
    owner = _lock_file(path, "owner")
    try:
        fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(owner, 200, 0).decode(errors="replace").split()
        os.close(owner)
        pid, held_port = [*holder, "?", "?"][:2]
        raise DatabaseInUse(
            f"--db {path} is served by another mock (pid {pid}, port {held_port}); stop it, "
            "use another --db, or add --share-db to serve the same state from both"
        ) from None
    users = _lock_file(path, "users")
    try:
        # No other user may hold it now; then this mock becomes one user among others.
        fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(owner)
        os.close(users)
        raise DatabaseInUse(
            f"--db {path} is still served by a mock started with --share-db; stop it, "
            "use another --db, or add --share-db to this mock too"
        ) from None
    fcntl.flock(users, fcntl.LOCK_SH)
    os.ftruncate(owner, 0)
    os.pwrite(owner, f"{os.getpid()} {port}\n".encode(), 0)
    return [owner, users]


def join_database(path: Path) -> list[int]:
    """Hold a user's lock on ``path`` (``--share-db``), so no new owner can claim it while
    this mock serves it; the descriptors, open on purpose (see :func:`claim_database`)."""
    if fcntl is None:
        return []
    users = _lock_file(path, "users")
    # Blocking: an owner holds the exclusive lock only for the moment it takes to check.
    fcntl.flock(users, fcntl.LOCK_SH)
    return [users]


def _lock_file(path: Path, role: str) -> int:
    return os.open(path.with_name(f"{path.name}-{role}"), os.O_RDWR | os.O_CREAT, 0o644)


@dataclass(frozen=True)
class StoredState:
    """The state an existing database holds: its scenario and failed invoices now."""

    scenario: Scenario
    failed: int


def stored_state(path: Path | PostgresUrl | None) -> StoredState | None:
    """The state in the database at ``path``, or None without one (new, empty, unreadable)."""
    if isinstance(path, PostgresUrl):
        return _stored_in_postgres(path)
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


_STORED_QUERY = (
    "SELECT (SELECT value FROM meta WHERE key = 'scenario'),"
    " (SELECT COUNT(*) FROM invoices WHERE status = %s)"
)


def _stored_in_postgres(url: PostgresUrl) -> StoredState | None:
    """The state the mock's tables in ``url`` hold, or None (no tables yet, no driver, no
    server: the app's own start reports what is wrong)."""
    try:
        import psycopg  # noqa: PLC0415 - only for a PostgreSQL --db
    except ImportError:
        return None
    try:
        with psycopg.connect(url.text, connect_timeout=10) as db:
            found = db.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()
            if not found or not found[0]:
                return None
            row = db.execute(_STORED_QUERY, (FAILED,)).fetchone()
            if row is None or row[0] is None:
                return None
            return StoredState(Scenario.from_json(json.loads(row[0])), int(row[1]))
    except (psycopg.Error, ValueError, KeyError, TypeError):
        return None


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
