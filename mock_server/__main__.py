"""``python -m mock_server`` / ``retry-mock``: serve the mock under granian (or gunicorn).

The main process validates the options (bad ones, a port nothing can listen on, and a
``--db`` SQLite or PostgreSQL cannot use, exit 2 with a one-line message), prepares the
database (a temporary one unless ``--db``; an existing ``--db`` keeps its state unless
``--reseed``; ``--db postgresql://...`` keeps the state in PostgreSQL, shared by every
instance started on it, the password never printed),
builds the app once, prints the URL with the port it serves on (``--port 0`` picks a free
one) and forks the workers (:mod:`mock_server.servers`), which share the state through
the database. SIGTERM and SIGINT stop it cleanly;
a temporary database is removed then. The workers die with the main process however it
ends (``kill -9`` included, :mod:`mock_server.lifecycle`), and a ``--db`` another mock
serves is refused unless ``--share-db``; the banner names the state actually served
(:mod:`mock_server.startup`).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from flask import Flask

from mock_server.app import create_app
from mock_server.iis_headers import HEADER_KEYS
from mock_server.lifecycle import bind_workers_to_master
from mock_server.mock import current_mock_of
from mock_server.postgres_url import PostgresUrl, is_postgres_url
from mock_server.scenarios import SCENARIO_NAMES
from mock_server.servers import SERVERS, THREADS_PER_WORKER, address, free_to_listen, serve
from mock_server.settings import DEFAULTS, Settings, SettingsError
from mock_server.startup import (
    DatabaseInUse,
    StoredState,
    claim_database,
    join_database,
    not_applied,
    stored_state,
)

__all__ = ["main", "parse_options"]

_HEADER_OPTIONS = {
    "SERVER_HEADER": "--server-header",
    "ASPNET_VERSION_HEADER": "--aspnet-version",
    "POWERED_BY_HEADER": "--powered-by",
}


class _Parser(argparse.ArgumentParser):
    """argparse with errors on one line (the usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        """Print ``retry-mock: error: message`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _non_negative(text: str) -> int:
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _port(text: str) -> int:
    value = _whole(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a TCP port from 0 to 65535, got {value}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}") from None
    if not 0 <= value <= 1:  # NaN fails too
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, got {text}")
    return value


def _database(text: str) -> Path | PostgresUrl:
    if is_postgres_url(text):
        return PostgresUrl(text)
    scheme, separator, _ = text.partition("://")
    if separator and scheme.isalnum():
        raise argparse.ArgumentTypeError(
            f"a database URL must be postgresql:// or postgres://, got {scheme}://"
        )
    return Path(text)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="retry-mock",
        description="Stateful mock of POST api/v1/billing/invoices/retryallfailed.",
        epilog="retry-mock proxy --upstream URL: the validating proxy (retry-mock proxy --help)",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    add("--port", type=_port, default=5000, help="TCP port (default 5000)")
    add("--workers", type=_positive, default=2, help="worker processes (default 2)")
    add(
        "--threads", type=_positive, default=THREADS_PER_WORKER,
        help=f"Python threads per granian worker (default {THREADS_PER_WORKER}: a latency"
        " fault sleeps on one; 1 serves up to a third more calls per second without faults)",
    )  # fmt: skip
    add("--server", choices=SERVERS, default="granian",
        help="HTTP server: granian (fast, default) or gunicorn (see the README)")  # fmt: skip
    add("--seed", type=_whole, default=1, help="seed of the invoices and every draw (default 1)")
    add(
        "--failed",
        type=_non_negative,
        help="failed invoices at the start (default: scenario's, else 20)",
    )
    add("--scenario", choices=[n for n in SCENARIO_NAMES if n != "canned"], default="partial",
        help="start scenario (default partial)")  # fmt: skip
    add("--db", type=_database, metavar="PATH|URL",
        help="SQLite file keeping the state across restarts, or postgresql://user@host/db"
             " (password from PGPASSWORD) shared by several instances")  # fmt: skip
    add("--reseed", action="store_true", help="replace the state in an existing --db")
    add("--share-db", action="store_true",
        help="serve a --db another mock serves already (both change one state)")  # fmt: skip
    add("--clock", help="frozen clock, e.g. 2025-12-14T19:20:43.1992775+02:00")
    add("--timezone", default="+02:00", help="UTC offset of the running clock (default +02:00)")
    add("--cors-origins", metavar="ORIGINS",
        help="comma-separated origins allowed besides loopback ones, or '*' for any "
             "(default: http(s)://localhost, 127.0.0.1, [::1], any port)")  # fmt: skip
    add("--no-cors", action="store_true", help="send no CORS headers at all")
    add("--control-token-env", metavar="VAR",
        help="require Authorization: Bearer <token> on the control API, the token read "
             "from environment variable VAR (for a shared mock)")  # fmt: skip
    add("--success-rate", type=_rate, help="start scenario's success rate for every switch")
    add("--max-attempts", type=_positive, help="abandon an invoice at this many attempts")
    _add_header_options(parser)
    add("--xml-newline", choices=["crlf", "lf"], default="crlf",
        help="newline of XML text: crlf as the service on Windows (default), lf as on "
             "Mono/Linux")  # fmt: skip
    add("--replay", type=Path, metavar="FILE",
        help="answer with the responses of a HAR 1.2 file (see retry-mock proxy --record) "
             "instead of the mock's state")  # fmt: skip
    add("--replay-mode", choices=["repeat", "loop"], default="repeat",
        help="after a request shape's last recorded answer: repeat it (default) or loop",
    )  # fmt: skip
    return parser


def parse_options(argv: Sequence[str] | None = None) -> tuple[argparse.Namespace, dict[str, Any]]:
    """Parsed options and the app config they give; bad options exit 2 with a message."""
    parser = _parser()
    options = parser.parse_args(argv)
    if options.no_cors and options.cors_origins is not None:
        parser.error("--no-cors and --cors-origins contradict each other")
    if options.share_db and isinstance(options.db, PostgresUrl):
        parser.error("--share-db is for a SQLite --db: every mock on a PostgreSQL --db shares it")
    config = {
        "DATABASE": options.db, "RESEED": options.reseed, "SEED": options.seed,
        "FAILED": options.failed, "SCENARIO": options.scenario,
        "SUCCESS_RATE": options.success_rate, "MAX_ATTEMPTS": options.max_attempts,
        "CLOCK": options.clock, "TIMEZONE": options.timezone,
        "CORS_ORIGINS": None if options.no_cors else (
            () if options.cors_origins is None else options.cors_origins),
        "CONTROL_TOKEN": _control_token(parser, options.control_token_env),
        "XML_NEWLINE": options.xml_newline,
    }  # fmt: skip
    config.update(_header_config(parser, options))
    try:
        Settings.from_config({**DEFAULTS, **config})
    except SettingsError as error:
        parser.error(_option_name(str(error)))
    return options, config


def _control_token(parser: argparse.ArgumentParser, variable: str | None) -> str | None:
    """The token in environment variable ``variable`` (never echoed), or None without one."""
    if variable is None:
        return None
    token = os.environ.get(variable, "").strip()
    if not token:
        parser.error(f"--control-token-env: environment variable {variable} is not set or empty")
    return token


def _add_header_options(parser: argparse.ArgumentParser) -> None:
    """The options of the site headers IIS adds (see mock_server.iis_headers)."""
    for key, option in _HEADER_OPTIONS.items():
        name, default = HEADER_KEYS[key]
        parser.add_argument(
            option, metavar="VALUE",
            help=f"the {name} header (default {default}; 'none' or '' sends none)",
        )  # fmt: skip
    parser.add_argument("--no-iis-headers", action="store_true",
                        help="send none of Server, X-AspNet-Version, X-Powered-By")  # fmt: skip


def _header_config(parser: argparse.ArgumentParser, options: argparse.Namespace) -> dict[str, Any]:
    """The config keys of the header options given; --no-iis-headers turns all three off."""
    given = {
        key: getattr(options, option.removeprefix("--").replace("-", "_"))
        for key, option in _HEADER_OPTIONS.items()
    }
    given = {key: value for key, value in given.items() if value is not None}
    if options.no_iis_headers and given:
        named = ", ".join(_HEADER_OPTIONS[key] for key in given)
        parser.error(f"--no-iis-headers and {named} contradict each other")
    if options.no_iis_headers:
        return dict.fromkeys(_HEADER_OPTIONS)
    return given


def _option_name(message: str) -> str:
    key, _, rest = message.partition(" ")
    names = {
        "CLOCK:": "--clock:", "TIMEZONE:": "--timezone:", "CORS_ORIGINS": "--cors-origins",
        "CORS_ORIGINS:": "--cors-origins:", "CONTROL_TOKEN": "--control-token-env",
        "DATABASE": "--db", "FAILED": "--failed", **_HEADER_OPTIONS,
    }  # fmt: skip
    return f"{names.get(key, key)} {rest}"


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until SIGTERM or SIGINT; ``proxy`` first serves the validating proxy."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    # Imported here: the proxy and replay load the suite's checks, which the mock never
    # needs, and their CLI reuses this module's option types.
    if arguments[:1] == ["proxy"]:
        from mock_server.proxy_cli import proxy_main  # noqa: PLC0415

        return proxy_main(arguments[1:])
    options, config = parse_options(arguments)
    if options.replay is not None:
        from mock_server.proxy_cli import replay_main  # noqa: PLC0415

        return replay_main(options.replay, mode=options.replay_mode, host=options.host,
                           port=options.port)  # fmt: skip
    _warn_unless_loopback(options.host, guarded=config["CONTROL_TOKEN"] is not None)
    port = _port_or_exit(options.host, options.port)
    master = os.getpid()
    temporary = None if options.db else tempfile.mkdtemp(prefix="retry-mock-")
    if temporary is not None:
        config["DATABASE"] = Path(temporary) / "mock.sqlite3"
    elif isinstance(options.db, Path):  # several mocks on one PostgreSQL are the point
        _claim_or_exit(options.db, port, share=options.share_db)
    kept = None if options.reseed else stored_state(config["DATABASE"])
    try:
        app = _app_or_exit(config)
        # Workers open connections of their own: the main process's one, with the pages
        # it cached while seeding (27 MB for 100,000 invoices), must not be copied into each.
        current_mock_of(app).store.close()
        ready = _announcer(options.host, port, _details(app, options, config, kept))
        bind_workers_to_master()
        serve(options.server, app, host=options.host, port=port, workers=options.workers,
              threads=options.threads, ready=ready)  # fmt: skip
    finally:
        # Only the main process owns the temporary database (a gunicorn worker leaves
        # through this frame too).
        if temporary is not None and os.getpid() == master:
            shutil.rmtree(temporary, ignore_errors=True)


def _warn_unless_loopback(host: str, *, guarded: bool) -> None:
    """One line on stderr when ``host`` lets other machines reach the mock."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False  # a host name: it may well resolve to a public interface
    if not loopback:
        advice = "" if guarded else " and its control API (see --control-token-env)"
        message = f"--host {host} is not loopback: other machines can reach the mock{advice}"
        print(f"retry-mock: warning: {message}", file=sys.stderr, flush=True)


def _port_or_exit(host: str, port: int) -> int:
    """The port to serve on (a free one for 0), or exit 2 when nothing can listen there."""
    try:
        return free_to_listen(host, port)
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"retry-mock: error: cannot listen on {host}:{port}: {reason}",
              file=sys.stderr, flush=True)  # fmt: skip
        raise SystemExit(2) from None


def _app_or_exit(config: dict[str, Any]) -> Flask:
    """The app, or exit 2 with one line when the database cannot be used."""
    try:
        return create_app(config)
    except (SettingsError, sqlite3.Error) as error:
        message = _option_name(str(error)) if isinstance(error, SettingsError) else str(error)
        print(f"retry-mock: error: {message}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


def _claim_or_exit(database: Path, port: int, *, share: bool) -> None:
    """Hold the database for this mock (as its owner, or as one sharer among others), or
    exit 2 naming the mock that serves it."""
    try:
        if share:
            join_database(database)
        else:
            claim_database(database, port=port)
    except DatabaseInUse as error:
        print(f"retry-mock: error: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    except OSError as error:
        print(f"retry-mock: error: --db {database}: {error.strerror or error}",
              file=sys.stderr, flush=True)  # fmt: skip
        raise SystemExit(2) from None


def _details(
    app: Flask, options: argparse.Namespace, config: dict[str, Any], kept: StoredState | None
) -> str:
    """The banner's details: the state served (a kept one as stored) and what was not applied."""
    where = f"{options.server}, state in {config['DATABASE']}"
    if kept is None:
        return f"(scenario {options.scenario}, {where})"
    served = f"(scenario {kept.scenario.name}, {kept.failed} failed, kept, {where})"
    requested = current_mock_of(app).settings.start_scenario()
    skipped = not_applied(kept, requested, failed=options.failed)
    if not skipped:
        return served
    return (
        f"{served}\nretry mock: not applied: {', '.join(skipped)} - the database keeps "
        "its state; restart with --reseed to replace it with these options"
    )


def _announcer(host: str, port: int, details: str) -> Callable[[], None]:
    """The server's ready hook: print the URL once, in the main process, once it serves."""

    def ready() -> None:
        print(f"retry mock: http://{address(host, port)} {details}", file=sys.stderr, flush=True)

    return ready


if __name__ == "__main__":
    main()
