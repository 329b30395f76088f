"""The mock as the views see it: the store, the clock and the contract's writer in one object.

One :class:`Mock` lives on each app (``app.extensions["mock_server"]``); it turns control
requests into store steps and store results into wire values. It holds no state of its
own: everything that changes is in the store, shared by all worker processes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from contract.endpoint import JSON_MEDIA_TYPES, EndpointContract
from contract.wire import ResponseWriter, values_from_json
from mock_server.invoices import Invoice, seed_invoices
from mock_server.scenarios import Response, Scenario
from mock_server.settings import Settings
from mock_server.store import RetryCall, Store

__all__ = [
    "EXTENSION",
    "EXTERNAL_DOWN_MESSAGE",
    "WRITE_ALONGSIDE_FROM",
    "Mock",
    "RetryBody",
    "current_mock",
    "current_mock_of",
]

EXTENSION = "mock_server"
EXTERNAL_DOWN_MESSAGE = "External system unavailable"
# From this many invoices on, the body is written on a thread while the store writes.
WRITE_ALONGSIDE_FROM = 4096


@dataclass
class Mock:
    """Settings, store, contract and writer of one app."""

    settings: Settings
    store: Store
    contract: EndpointContract
    writer: ResponseWriter

    def init_app(self, app: Flask) -> None:
        """Attach to ``app`` and make sure the store has a start state."""
        app.extensions[EXTENSION] = self
        scenario = self.settings.start_scenario()
        self.store.initialize(
            scenario,
            lambda: self.seeded(scenario),
            force=bool(app.config["RESEED"]),
            start_key=self._start_key(scenario),
        )

    def seeded(self, scenario: Scenario, *, count: int | None = None) -> list[Invoice]:
        """The invoices ``scenario`` starts with (``count`` overrides its count)."""
        count = self.settings.failed_count(scenario) if count is None else count
        return seed_invoices(count, seed=scenario.seed, clock=self.settings.clock)

    def reset(self) -> Scenario:
        """Back to the start state: seeded invoices, start scenario, no faults, no journal.

        The invoices are those the start scenario was seeded with (sending times as then),
        copied back from the store; seeded again only when the store keeps another set.
        """
        scenario = self.settings.start_scenario()
        key = self._start_key(scenario)
        if not self.store.restore_start(scenario, key):
            self.store.reset(scenario, self.seeded(scenario), start_key=key)
        return scenario

    def _start_key(self, scenario: Scenario) -> str:
        """What the start invoices are drawn from: the scenario and the count."""
        return json.dumps([scenario.to_json(), self.settings.failed_count(scenario)])

    def seed(self, *, count: int | None, seed: int | None) -> list[Invoice]:
        """Replace the invoices with ``count`` seeded ones (defaults: the scenario's)."""
        scenario = self.store.scenario()
        scenario = scenario.with_options(seed=seed)
        invoices = self.seeded(scenario, count=count)
        self.store.replace_invoices(invoices, seed=scenario.seed)
        return invoices

    def seed_explicit(self, invoices: Sequence[Invoice]) -> None:
        """Replace the invoices with exactly ``invoices``."""
        self.store.replace_invoices(invoices, seed=self.store.scenario().seed)

    def switch(self, scenario: Scenario, *, reseed: bool) -> None:
        """Make ``scenario`` the one in force, with its start invoices when ``reseed``."""
        self.store.set_scenario(scenario, self.seeded(scenario) if reseed else None)

    def envelope(self, call: RetryCall) -> Any:
        """The wire values of the response to ``call``."""
        if call.scenario.response is Response.CANNED:
            return values_from_json(call.scenario.envelope, self.contract)
        external_down = call.scenario.response is Response.EXTERNAL_DOWN
        # A retried invoice is a tuple of InvoiceSendingStatusVo's members in declaration
        # order, which the writer takes as it is: no dict per invoice.
        data = list(call.invoices)
        return {
            "Sucess": not external_down,
            "ResponseCode": -1 if external_down else 0,
            "ResponseMessage": EXTERNAL_DOWN_MESSAGE if external_down else "OK",
            "Data": data,
            "Links": [{"Rel": "self", "HRef": self.contract.path}],
        }

    def external_down(self) -> Any:
        """The failure envelope (scenario ``external-down``, fault ``envelope-failure``)."""
        return self.envelope(RetryCall(Scenario("external-down"), []))

    def body(self, values: Any, media_type: str) -> list[bytes]:
        """``values`` written in ``media_type`` exactly as the service writes them.

        As consecutive chunks: a body of 100,000 invoices is never one string.
        """
        if media_type in JSON_MEDIA_TYPES:
            return self.writer.json_chunks(values)
        return self.writer.xml_chunks(values)


class RetryBody:
    """The body of a retry call in ``media_type``, written while the store writes the call.

    Pass :meth:`start` as the store's ``before_writing`` hook: for a call of many invoices
    it starts writing the body on a thread, which runs while SQLite writes and commits
    the outcomes (SQLite does that without the GIL; 100,000 invoices: about 0.3 s each).
    :meth:`chunks` then waits for it, or writes a small body there and then.
    """

    def __init__(self, mock: Mock, media_type: str) -> None:
        self._mock = mock
        self._media_type = media_type
        self._thread: threading.Thread | None = None
        self._result: list[bytes] | BaseException | None = None

    def start(self, call: RetryCall) -> None:
        """Begin writing ``call``'s body on a thread, if it is large."""
        if len(call.invoices) >= WRITE_ALONGSIDE_FROM:
            self._thread = threading.Thread(
                target=self._write_aside, args=(call,), name="retry-body", daemon=True
            )
            self._thread.start()

    def _write(self, call: RetryCall) -> list[bytes]:
        return self._mock.body(self._mock.envelope(call), self._media_type)

    def _write_aside(self, call: RetryCall) -> None:
        try:
            self._result = self._write(call)
        except BaseException as error:  # raised again by chunks()
            self._result = error

    def chunks(self, call: RetryCall) -> list[bytes]:
        """The body of ``call`` (the call :meth:`start` was given, if it was)."""
        if self._thread is None:
            return self._write(call)
        self._thread.join()
        if isinstance(self._result, BaseException):
            raise self._result
        assert self._result is not None
        return self._result


def current_mock() -> Mock:
    """The :class:`Mock` of the app handling the current request."""
    return current_mock_of(current_app)


def current_mock_of(app: Flask) -> Mock:
    """The :class:`Mock` attached to ``app``."""
    mock: Mock = app.extensions[EXTENSION]
    return mock
