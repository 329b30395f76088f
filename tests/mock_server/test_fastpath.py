"""The plain retry call answered without Flask gives the bytes and the state Flask's view gives."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from mock_server.mock import EXTENSION, Mock
from mock_server.store import FaultKind
from tests.mock_server.conftest import ROUTE, make_app

Answer = tuple[str, list[tuple[str, str]], bytes]


def _environ(headers: dict[str, str]) -> dict[str, Any]:
    environ: dict[str, Any] = EnvironBuilder(
        path=ROUTE, method="POST", headers=headers
    ).get_environ()
    environ["CONTENT_LENGTH"] = "0"  # as browsers and HTTP libraries send an empty POST
    return environ


def _call(wsgi: Any, headers: dict[str, str]) -> Answer:
    body, status, response_headers = run_wsgi_app(wsgi, _environ(headers))
    return status, list(response_headers.items()), b"".join(body)


def _flask_only(app: Flask) -> Any:
    # Flask.wsgi_app from the class: the app without the wrappers create_app installs.
    return functools.partial(Flask.wsgi_app, app)


def _mock(app: Flask) -> Mock:
    mock: Mock = app.extensions[EXTENSION]
    return mock


def _state(app: Flask) -> tuple[Any, ...]:
    store = _mock(app).store
    return store.invoices(), store.journal(), store.scenario()


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept": "application/json"},
        {"Accept": "application/xml"},
        {"Accept": "text/xml;q=0.9, application/json;q=0.8"},
        {"X-Requested-With": "XMLHttpRequest", "Accept": "application/xml"},
        {"Content-Type": "text/xml"},
        {},
    ],
)
def test_fast_retry_answers_and_writes_like_the_flask_view(
    tmp_path: Path, headers: dict[str, str]
) -> None:
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    fast = make_app(tmp_path / "fast", SCENARIO="partial", FAILED=20, MAX_ATTEMPTS=3)
    slow = make_app(tmp_path / "slow", SCENARIO="partial", FAILED=20, MAX_ATTEMPTS=3)
    for _ in range(4):  # through Sent, Failed and Abandoned outcomes
        assert _call(fast, headers) == _call(_flask_only(slow), headers)
    assert _state(fast) == _state(slow)


def test_fast_retry_leaves_a_call_with_an_origin_to_flask_cors(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    status, headers, _ = _call(app, {"Origin": "http://localhost:3000"})
    assert status == "200 OK"
    assert ("Access-Control-Allow-Origin", "http://localhost:3000") in headers


def test_fast_retry_applies_a_fault_added_before_the_call(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    _call(app, {})
    _mock(app).store.add_fault(FaultKind.HTTP_500, calls=1, share=None, latency_ms=0)
    status, _, body = _call(app, {"Accept": "application/json"})
    assert status == "500 Internal Server Error"
    assert body == b'{"Message":"An error has occurred."}'
    assert _call(app, {})[0] == "200 OK"


def test_fast_retry_leaves_a_failed_retry_to_flask_which_answers_and_journals_500(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)
    store = _mock(app).store

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "retry", broken)
    monkeypatch.setattr(store, "retry_unless_faulted", broken)
    status, headers, body = _call(app, {"Accept": "application/xml"})
    assert status == "500 Internal Server Error"
    assert ("Content-Type", "application/xml; charset=utf-8") in headers
    assert b"An error has occurred." in body
    assert [(entry.status, entry.media_type) for entry in store.journal()] == [
        (500, "application/xml")
    ]


def test_fast_retry_answers_500_when_the_envelope_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)
    mock = _mock(app)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("unwritable")

    monkeypatch.setattr(mock, "body", broken)
    status, _, body = _call(app, {"Accept": "application/json"})
    assert (status, body) == ("500 Internal Server Error", b'{"Message":"An error has occurred."}')
    assert [entry.status for entry in mock.store.journal()] == [200]  # the call did happen
