"""The app factory: one Flask app per call, its state in the store named by the config:
a SQLite file (the default, a temporary one unless named) or a PostgreSQL database."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from contract.endpoint import EndpointContract
from contract.wire import ResponseWriter
from mock_server.control import register_control
from mock_server.cors import Cors
from mock_server.dashboard import register_dashboard
from mock_server.documents import register_documents
from mock_server.endpoint import RetryEndpoint
from mock_server.errors import register_error_handlers
from mock_server.helppages import register_help_pages
from mock_server.journal import register_journal
from mock_server.mock import Mock
from mock_server.postgres_url import PostgresUrl
from mock_server.settings import DEFAULTS, Settings, SettingsError
from mock_server.sqlite_store import SqliteStore
from mock_server.store import Store, StoreUnavailable
from mock_server.webapi import ServiceRoutes, register_service_headers, with_reason_phrase

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A mock of the retry service configured by ``config`` (keys: :mod:`mock_server.settings`).

    Invalid configuration raises :class:`~mock_server.settings.SettingsError`, and so does
    a ``DATABASE`` SQLite cannot open or write, or a PostgreSQL database that cannot be
    reached or used (the message names the path or the URL, its password masked, and why).
    """
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(config or {})
    settings = Settings.from_config(app.config)
    contract = _contract(app.config["CONTRACT"])
    try:
        writer = ResponseWriter(contract, xml_newline=settings.xml_newline)
        mock = Mock(settings, _store(app, settings.database), contract, writer)
        mock.init_app(app)
    except (sqlite3.Error, OSError, StoreUnavailable) as error:
        # The checks in Settings cannot foresee everything (permissions, a database of
        # another program, a full disk): the first use of the database is the real test.
        path = settings.database or "(a temporary file)"
        raise SettingsError(
            f"DATABASE {path} cannot be used as the mock's state: {error}"
        ) from None
    cors = Cors(settings)
    # Flask serves everything but the retry route. The first of the after_request hooks
    # runs last and orders every header; the last (CORS) runs first.
    register_service_headers(app)
    register_error_handlers(app)
    register_journal(app)
    app.after_request(with_reason_phrase)
    register_control(app)
    register_dashboard(app)
    register_documents(app)
    help_pages = register_help_pages(app)
    cors.register(app)
    # Every call of the retry route goes to its endpoint, without Flask.
    endpoint = RetryEndpoint(mock, cors, app.logger)
    app.wsgi_app = ServiceRoutes(  # type: ignore[method-assign]
        app.wsgi_app, endpoint, route=contract.path, routes=help_pages.paths
    )
    return app


def _contract(configured: EndpointContract | None) -> EndpointContract:
    if configured is not None:
        return configured
    from contract.artifacts import load_contract  # noqa: PLC0415 - only when none is given

    return load_contract()


def _store(app: Flask, path: Path | PostgresUrl | None) -> Store:
    if isinstance(path, PostgresUrl):
        return _postgres_store(path)
    if path is not None:
        return SqliteStore(path)
    # No database named: a private temporary one that disappears with the app or the process.
    directory = tempfile.mkdtemp(prefix="retry-mock-")
    store = SqliteStore(Path(directory) / "mock.sqlite3", durable=False)
    weakref.finalize(app, shutil.rmtree, directory, ignore_errors=True)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return store


def _postgres_store(url: PostgresUrl) -> Store:
    """The store in PostgreSQL; without the driver installed, an error saying how to add it."""
    try:
        from mock_server.postgres_store import PostgresStore  # noqa: PLC0415 - only for a URL
    except ImportError as error:
        if not (error.name or "").startswith(("psycopg", "psycopg_pool")):
            raise
        raise SettingsError(
            f"DATABASE {url}: the PostgreSQL driver is not installed (psycopg, psycopg-pool);"
            " install the postgres extra: pip install 'retryallfailed-contract-kit[postgres]'"
        ) from None
    return PostgresStore(url)
