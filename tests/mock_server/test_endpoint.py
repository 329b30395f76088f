"""The retry route's one endpoint: the bytes and the state the store and the writer give."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from contract.negotiation import negotiate
from mock_server.mock import EXTENSION, Mock
from mock_server.store import FaultKind, JournalEntry
from tests.mock_server.conftest import FROZEN, ROUTE, make_app

Answer = tuple[str, list[tuple[str, str]], bytes]
NO_CACHE = [("Cache-Control", "no-cache"), ("Pragma", "no-cache")]
IIS = [("Expires", "-1"), ("Server", "Microsoft-IIS/10.0"), ("X-AspNet-Version", "4.0.30319"),
       ("X-Powered-By", "ASP.NET")]  # fmt: skip
BROWSER = {
    "Origin": "http://localhost:5173",
    "Cookie": "session=abc123; theme=dark",
    "Accept": "application/json, text/plain, */*",
    "Referer": "http://localhost:5173/billing",
    "Sec-Fetch-Mode": "cors",
}
CORS = [
    ("Access-Control-Allow-Origin", "http://localhost:5173"),
    ("Access-Control-Expose-Headers", "Allow, Content-Length, Content-Type"),
    ("Access-Control-Allow-Credentials", "true"),
    ("Vary", "Origin"),
]


def _environ(headers: dict[str, str], method: str = "POST") -> dict[str, Any]:
    environ: dict[str, Any] = EnvironBuilder(
        path=ROUTE, method=method, headers=headers
    ).get_environ()
    environ["CONTENT_LENGTH"] = "0"  # as browsers and HTTP libraries send an empty POST
    return environ


def _call(wsgi: Any, headers: dict[str, str], method: str = "POST") -> Answer:
    body, status, response_headers = run_wsgi_app(wsgi, _environ(headers, method))
    return status, list(response_headers.items()), b"".join(body)


def _mock(app: Flask) -> Mock:
    mock: Mock = app.extensions[EXTENSION]
    return mock


def _state(app: Flask) -> tuple[Any, ...]:
    store = _mock(app).store
    return store.invoices(), store.journal(), store.scenario()


def _expected(twin: Flask, headers: dict[str, str], *own: tuple[str, str]) -> Answer:
    """The answer to ``headers`` from the twin's store and writer, with IIS's headers."""
    mock = _mock(twin)
    media_type = negotiate(
        headers.get("Accept"), x_requested_with=headers.get("X-Requested-With"),
        content_type=headers.get("Content-Type"),
    )  # fmt: skip
    entry = JournalEntry(method="POST", path=ROUTE, accept=headers.get("Accept"),
                         media_type=media_type, status=200, time=FROZEN)  # fmt: skip
    call = mock.store.retry(mock.settings.clock.now(), journal=entry)
    body = b"".join(mock.body(mock.envelope(call), media_type))
    content_type = ("Content-Type", f"{media_type}; charset=utf-8")
    return "200 OK", [*NO_CACHE, *own, content_type, *IIS, ("Content-Length", str(len(body)))], body


def _twins(tmp_path: Path) -> tuple[Flask, Flask]:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    config: dict[str, Any] = {"SCENARIO": "partial", "FAILED": 20, "MAX_ATTEMPTS": 3}
    return make_app(tmp_path / "one", **config), make_app(tmp_path / "two", **config)


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
def test_endpoint_answers_and_writes_what_the_store_and_writer_give(
    tmp_path: Path, headers: dict[str, str]
) -> None:
    app, twin = _twins(tmp_path)
    for _ in range(4):  # through Sent, Failed and Abandoned outcomes
        assert _call(app, headers) == _expected(twin, headers)
    assert _state(app) == _state(twin)


def test_a_browser_shaped_call_gets_the_same_answer_with_cors_among_its_headers(
    tmp_path: Path,
) -> None:
    app, twin = _twins(tmp_path)
    for _ in range(3):
        assert _call(app, BROWSER) == _expected(twin, BROWSER, *CORS)
    assert _state(app) == _state(twin)


def test_endpoint_applies_a_fault_added_before_the_call(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    _call(app, {})
    _mock(app).store.add_fault(FaultKind.HTTP_500, calls=1, share=None, latency_ms=0)
    status, _, body = _call(app, {"Accept": "application/json"})
    assert status == "500 Internal Server Error"
    assert body == b'{"Message":"An error has occurred."}'
    assert _call(app, {})[0] == "200 OK"


def test_a_failed_retry_answers_and_journals_web_api_500(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)
    store = _mock(app).store

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "retry", broken)
    status, headers, body = _call(app, {"Accept": "application/xml"})
    assert status == "500 Internal Server Error"
    assert ("Content-Type", "application/xml; charset=utf-8") in headers
    assert b"An error has occurred." in body
    assert [(entry.status, entry.media_type) for entry in store.journal()] == [
        (500, "application/xml")
    ]


def test_endpoint_answers_500_when_the_envelope_cannot_be_written(
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


def test_a_head_request_gets_the_405_headers_without_the_body(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    status, headers, body = _call(app, {"Accept": "application/xml"}, method="HEAD")
    assert (status, body) == ("405 Method Not Allowed", b"")
    assert ("Allow", "POST") in headers and ("Content-Length", "93") in headers


def test_a_request_refused_with_411_leaves_the_faults_for_the_next_call(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    _mock(app).store.add_fault(FaultKind.HTTP_500, calls=1, share=None, latency_ms=0)
    environ = _environ({})
    del environ["CONTENT_LENGTH"]
    _, status, _ = run_wsgi_app(app, environ)
    assert status == "411 Length Required"
    assert [fault.kind for fault in _mock(app).store.faults()] == [FaultKind.HTTP_500]
    assert _call(app, {})[0] == "500 Internal Server Error"


def test_a_latency_fault_waits_without_holding_the_writer_lock(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    store = _mock(app).store
    store.add_fault(FaultKind.LATENCY, calls=1, share=None, latency_ms=600)
    answers: list[Answer] = []
    delayed = threading.Thread(target=lambda: answers.append(_call(app, {})))
    delayed.start()
    time.sleep(0.2)  # the call waits now
    started = time.monotonic()
    store.clear_journal()  # a write: it must not wait for the delayed call
    took = time.monotonic() - started
    delayed.join(timeout=10)
    assert took < 0.1, f"a write waited {took * 1000:.0f} ms for the latency fault"
    assert answers[0][0] == "200 OK"
    assert [entry.fault for entry in store.journal()] == ["latency"]
