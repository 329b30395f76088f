"""``python -m mock_server`` / ``retry-mock``: serve the mock under gunicorn.

The master process validates the options (bad ones, and a ``--db`` SQLite cannot use,
exit 2 with a one-line message), prepares the database (a temporary one unless ``--db``;
an existing ``--db`` keeps its state unless ``--reseed``), builds the app once, binds,
prints the URL with the port actually bound (``--port 0`` picks a free one) and forks the
workers, which share the state through the database. SIGTERM and SIGINT stop it cleanly;
a temporary database is removed then.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from flask import Flask
from gunicorn.app.base import BaseApplication

from mock_server.app import create_app
from mock_server.scenarios import SCENARIO_NAMES
from mock_server.settings import DEFAULTS, Settings, SettingsError

__all__ = ["main", "parse_options"]

WORKER_TIMEOUT_S = 300  # a retry call over 100,000 invoices takes seconds, not minutes


class _Parser(argparse.ArgumentParser):
    """argparse with errors on one line (the usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        """Print ``retry-mock: error: message`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _Server(BaseApplication):  # type: ignore[misc]
    """gunicorn serving one prebuilt app (``preload_app``: workers fork from it)."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a TCP port from 0 to 65535, got {value}")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="retry-mock",
        description="Stateful mock of POST api/v1/billing/invoices/retryallfailed.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    add("--port", type=_port, default=5000, help="TCP port (default 5000)")
    add("--workers", type=_positive, default=2, help="gunicorn worker processes (default 2)")
    add("--seed", type=int, default=1, help="seed of the invoices and every draw (default 1)")
    add(
        "--failed",
        type=_non_negative,
        help="failed invoices at the start (default: scenario's, else 20)",
    )
    add("--scenario", choices=[n for n in SCENARIO_NAMES if n != "canned"], default="partial",
        help="start scenario (default partial)")  # fmt: skip
    add("--db", type=Path, help="SQLite file keeping the state across restarts")
    add("--reseed", action="store_true", help="replace the state in an existing --db")
    add("--clock", help="frozen clock, e.g. 2025-12-14T19:20:43.1992775+02:00")
    add("--timezone", default="+02:00", help="UTC offset of the running clock (default +02:00)")
    add("--cors-origins", help="comma-separated allowed origins (default: any origin)")
    add("--no-cors", action="store_true", help="send no CORS headers at all")
    add("--success-rate", type=_rate, help="start scenario's success rate for every switch")
    add("--max-attempts", type=_positive, help="abandon an invoice at this many attempts")
    return parser


def parse_options(argv: Sequence[str] | None = None) -> tuple[argparse.Namespace, dict[str, Any]]:
    """Parsed options and the app config they give; bad options exit 2 with a message."""
    parser = _parser()
    options = parser.parse_args(argv)
    if options.no_cors and options.cors_origins:
        parser.error("--no-cors and --cors-origins contradict each other")
    config = {
        "DATABASE": options.db, "RESEED": options.reseed, "SEED": options.seed,
        "FAILED": options.failed, "SCENARIO": options.scenario,
        "SUCCESS_RATE": options.success_rate, "MAX_ATTEMPTS": options.max_attempts,
        "CLOCK": options.clock, "TIMEZONE": options.timezone,
        "CORS_ORIGINS": None if options.no_cors else (options.cors_origins or "*"),
    }  # fmt: skip
    try:
        Settings.from_config({**DEFAULTS, **config})
    except SettingsError as error:
        parser.error(_option_name(str(error)))
    return options, config


def _option_name(message: str) -> str:
    key, _, rest = message.partition(" ")
    names = {
        "CLOCK:": "--clock:", "TIMEZONE:": "--timezone:", "CORS_ORIGINS": "--cors-origins",
        "DATABASE": "--db", "FAILED": "--failed",
    }  # fmt: skip
    return f"{names.get(key, key)} {rest}"


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until SIGTERM or SIGINT."""
    options, config = parse_options(argv)
    master = os.getpid()
    temporary = None if options.db else tempfile.mkdtemp(prefix="retry-mock-")
    if temporary is not None:
        config["DATABASE"] = Path(temporary) / "mock.sqlite3"
    try:
        app = _app_or_exit(config)
        announce = f"(scenario {options.scenario}, state in {config['DATABASE']})"
        _Server(app, _gunicorn_options(options, announce)).run()
    finally:
        # Worker processes leave gunicorn by SystemExit through this frame too: only the
        # master owns the temporary database.
        if temporary is not None and os.getpid() == master:
            shutil.rmtree(temporary, ignore_errors=True)


def _app_or_exit(config: dict[str, Any]) -> Flask:
    """The app, or exit 2 with one line when the database cannot be used."""
    try:
        return create_app(config)
    except (SettingsError, sqlite3.Error) as error:
        message = _option_name(str(error)) if isinstance(error, SettingsError) else str(error)
        print(f"retry-mock: error: {message}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


def _announcer(host: str, details: str) -> Callable[[Any], None]:
    """gunicorn's ``when_ready`` hook: print the URL with the port the listener is bound to."""

    def when_ready(server: Any) -> None:
        # Runs in the master after binding and before the workers start, so the URL is
        # printed only once and names the real port even for --port 0.
        port = server.LISTENERS[0].getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        print(f"retry mock: http://{shown}:{port} {details}", file=sys.stderr, flush=True)

    return when_ready


def _gunicorn_options(options: argparse.Namespace, details: str) -> dict[str, Any]:
    return {
        "bind": f"{options.host}:{options.port}",
        "workers": options.workers,
        "worker_class": "sync",
        "preload_app": True,
        "timeout": WORKER_TIMEOUT_S,
        "graceful_timeout": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "when_ready": _announcer(options.host, details),
    }


if __name__ == "__main__":
    main()
