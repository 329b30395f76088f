"""A throwaway PostgreSQL cluster for the tests and the benchmarks: Debian's server binaries
(``scripts/install-postgres``), a data directory and a socket directory of its own under
a temporary directory, listening on 127.0.0.1 on a free port, removed when stopped.

As root the server runs as the ``postgres`` user (PostgreSQL refuses to run as root).
The superuser ``mock`` has a password (:data:`PASSWORD`) over TCP, so the mock's own
connections go the way a team's would: URL without a password, ``PGPASSWORD`` set.
When the server cannot be found or started, :class:`ClusterError` says why: a test
fails with it, never skips.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

__all__ = ["PASSWORD", "USER", "Cluster", "ClusterError", "running_cluster"]

USER = "mock"
PASSWORD = "team-secret-Pw1"
START_TIMEOUT_S = 60
INSTALL_HINT = "run scripts/install-postgres (as root) to install Debian's postgresql package"


class ClusterError(RuntimeError):
    """No throwaway PostgreSQL could be started; the message says why and what to do."""


@dataclass
class Cluster:
    """A running throwaway PostgreSQL server."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]

    def url(self, database: str = "postgres", *, password: bool = False) -> str:
        """The URL of ``database`` on this server (with the password in it if asked)."""
        secret = f":{PASSWORD}" if password else ""
        return f"postgresql://{USER}{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection:
        """An autocommit superuser connection to the ``postgres`` database."""
        return psycopg.connect(self.url(password=True), autocommit=True)

    def create_database(self, prefix: str = "mock") -> str:
        """A new empty database; its name."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self.admin() as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return name

    def create_schema(self, database: str = "postgres") -> str:
        """A new empty schema in ``database``; the URL whose connections use it alone."""
        name = f"s_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(database, password=True), autocommit=True) as db:
            db.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url(database, password=True)}?options=-csearch_path%3D{name}"

    def stop(self) -> None:
        """Stop the server at once and remove its files."""
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: smart shutdown would wait for clients
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise ClusterError(f"PostgreSQL's initdb was not found; {INSTALL_HINT}")
    return Path(initdb).parent


def _as_server_user(root: Path) -> list[str]:
    """The command prefix that runs the server's programs as a user PostgreSQL accepts."""
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterError(
            f"running as root, but there is no postgres user; {INSTALL_HINT}"
        ) from None
    for path in [root, *root.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        raise ClusterError(f"{' '.join(command)} failed: {result.stderr.strip()[-2000:]}")


def start_cluster(*, durable: bool = True) -> Cluster:
    """Create and start a cluster (``durable`` False: no fsync, for speed); never leaves a
    half-started server behind."""
    binaries = _binaries()
    # Under /tmp itself: the server user must reach it (pytest's own folders are root's).
    root = Path(tempfile.mkdtemp(prefix="retry-mock-pg-"))
    try:
        (root / "socket").mkdir()
        (root / "password").write_text(PASSWORD + "\n")
        prefix = _as_server_user(root)
        _run([*prefix, str(binaries / "initdb"), "-D", str(root / "data"), "-U", USER,
              "--pwfile", str(root / "password"), "--auth-local", "trust",
              "--auth-host", "scram-sha-256", "-E", "UTF8", "--no-sync"])  # fmt: skip
        return _start(root, prefix, binaries, durable=durable)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _start(root: Path, prefix: list[str], binaries: Path, *, durable: bool) -> Cluster:
    settings = ["-c", "max_connections=200", "-c", "shared_buffers=128MB"]
    if not durable:
        settings += ["-c", "fsync=off", "-c", "synchronous_commit=off",
                     "-c", "full_page_writes=off"]  # fmt: skip
    for _attempt in range(3):  # a free port may be taken before the server binds it
        port = _free_port()
        log = (root / "server.log").open("wb")
        process = subprocess.Popen(
            [*prefix, str(binaries / "postgres"), "-D", str(root / "data"), "-h", "127.0.0.1",
             "-p", str(port), "-k", str(root / "socket"), *settings],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        cluster = Cluster(root, port, process)
        if _wait_ready(cluster):
            return cluster
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if "could not bind" not in (root / "server.log").read_text(errors="replace"):
            break
    text = (root / "server.log").read_text(errors="replace")[-2000:]
    raise ClusterError(f"PostgreSQL did not start: {text}")


def _wait_ready(cluster: Cluster) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and cluster.process.poll() is None:
        with contextlib.suppress(psycopg.OperationalError), cluster.admin():
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def running_cluster(*, durable: bool = True) -> Iterator[Cluster]:
    """A cluster for the block, always stopped and removed after it."""
    cluster = start_cluster(durable=durable)
    try:
        yield cluster
    finally:
        cluster.stop()
