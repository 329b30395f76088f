"""RetryBody: a large call's body written on a thread while the store writes it."""

from __future__ import annotations

import pytest
from flask import Flask

from mock_server import mock as mock_module
from mock_server.mock import EXTENSION, Mock, RetryBody
from mock_server.store import RetryCall

MEDIA_TYPES = ["application/json", "application/xml"]


def _mock(app: Flask) -> Mock:
    mock: Mock = app.extensions[EXTENSION]
    return mock


def _threads_started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    started: list[str] = []
    original = mock_module.threading.Thread.start

    def start(thread: mock_module.threading.Thread) -> None:
        started.append(thread.name)
        original(thread)

    monkeypatch.setattr(mock_module.threading.Thread, "start", start)
    return started


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
def test_a_large_call_is_written_on_a_thread_with_the_same_bytes(
    app: Flask, media_type: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = _mock(app)
    monkeypatch.setattr(mock_module, "WRITE_ALONGSIDE_FROM", 2)
    started = _threads_started(monkeypatch)
    body = RetryBody(mock, media_type)
    call = mock.store.retry(mock.settings.clock.now(), before_writing=body.start)
    assert len(call.invoices) >= 2
    assert body.chunks(call) == mock.body(mock.envelope(call), media_type)
    assert started == ["retry-body"]


def test_a_small_call_is_written_without_a_thread(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = _mock(app)
    started = _threads_started(monkeypatch)
    body = RetryBody(mock, "application/json")
    call = mock.store.retry(mock.settings.clock.now(), before_writing=body.start)
    assert 0 < len(call.invoices) < mock_module.WRITE_ALONGSIDE_FROM
    assert b"".join(body.chunks(call)).startswith(b'{"Sucess":true')
    assert started == []


def test_an_error_on_the_thread_is_raised_by_chunks(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = _mock(app)
    monkeypatch.setattr(mock_module, "WRITE_ALONGSIDE_FROM", 1)

    def broken(call: RetryCall) -> object:
        raise ValueError("the writer broke")

    monkeypatch.setattr(mock, "envelope", broken)
    body = RetryBody(mock, "application/xml")
    call = mock.store.retry(mock.settings.clock.now(), before_writing=body.start)
    with pytest.raises(ValueError, match="the writer broke"):
        body.chunks(call)
