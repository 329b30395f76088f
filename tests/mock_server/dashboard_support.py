"""Helpers of the dashboard's browser tests (``test_dashboard.py``): a live mock with a
control token, the dashboard open in a recording tab, and checks of the page against the
control API's answers."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
import yaml
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, expect

from tests.browser import PageEvents
from tests.mock_server.conftest import REPO, LiveMock, free_port

TOKEN = "dashboard-test-token"
TOKEN_ENV = "RETRY_MOCK_DASHBOARD_TEST_TOKEN"
CONTROL_OPENAPI = REPO / "mock_server" / "control-openapi.yaml"
LOAD_FAILED = "Failed to load resource: the server responded with a status of {}"


@contextlib.contextmanager
def token_mock() -> Iterator[LiveMock]:
    """``python -m mock_server --control-token-env`` on a free loopback port.

    (``conftest.live_mock`` waits for a health check sent without a token.)
    """
    port = free_port()
    command = [sys.executable, "-m", "mock_server", "--port", str(port), "--workers", "1",
               "--control-token-env", TOKEN_ENV]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, env={**os.environ, TOKEN_ENV: TOKEN}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    server = LiveMock(process, port)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        server.stop()


def _wait_until_ready(server: LiveMock) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.process.poll() is None, f"the mock exited with {server.process.returncode}"
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{server.url}/__mock/health", headers=auth(), timeout=1).raise_for_status()
            return
        time.sleep(0.1)
    raise AssertionError(f"the mock did not answer on port {server.port} within 60 s")


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def control(api: httpx.Client, method: str, path: str, body: Any = None) -> Any:
    """The control API's JSON answer (asserting success)."""
    response = api.request(method, path, json=body)
    assert response.is_success, response.text
    return response.json()


@dataclass(kw_only=True)
class Tab(PageEvents):
    """The dashboard open in a tab, and everything the page did while it was."""

    origin: str
    allowed_errors: set[tuple[int, str]] = field(default_factory=set)

    def allow_error(self, status: int, path: str) -> None:
        """Chromium may log the HTTP ``status`` answering ``path``: the test provoked it."""
        self.allowed_errors.add((status, self.origin + path))

    def assert_quiet(self) -> None:
        """No console error or warning but those allowed, no page error or dialog, and no
        request to another origin."""
        unexpected = [
            (m.type, m.text, m.location["url"])
            for m in self.console
            if m.type in {"error", "warning"} and not self._allowed(m)
        ]
        assert unexpected == []
        assert self.errors == []
        assert self.dialogs == []
        assert [url for url in self.requests if not url.startswith(self.origin + "/")] == []

    def _allowed(self, message: ConsoleMessage) -> bool:
        return any(
            message.text.startswith(LOAD_FAILED.format(status)) and message.location["url"] == url
            for status, url in self.allowed_errors
        )

    def give_token(self, token: str = TOKEN) -> None:
        """Type the control token into the form the page shows, and send it."""
        self.page.get_by_label("Control token").fill(token)
        self.page.get_by_role("button", name="Use token").click()


def _refuse_others(tab: Tab, route: Route) -> None:
    # Only the mock itself may be asked; anything else is recorded by on("request") and cut.
    if route.request.url.startswith(tab.origin + "/"):
        route.continue_()
    else:
        route.abort()


@contextlib.contextmanager
def opened(browser: Browser, mock: LiveMock, *, token: bool = True) -> Iterator[Tab]:
    """The dashboard in a fresh tab (the token given unless ``token`` is false)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    tab = Tab(page, origin=mock.url)
    tab.listen()
    context.route("**/*", lambda route: _refuse_others(tab, route))
    try:
        page.goto(f"{mock.url}/__mock/", wait_until="load")
        if token:
            tab.give_token()
            expect(page.locator("#connection")).to_contain_text("Connected to")
        yield tab
        tab.assert_quiet()
    finally:
        context.close()


def assert_table_shows(page: Page, invoices: list[dict[str, Any]]) -> None:
    """The invoice table holds exactly ``invoices``, in order, with their attempts and status."""
    rows = page.locator("#invoice-rows tr")
    expect(rows).to_have_count(len(invoices))
    ids = rows.evaluate_all("rows => rows.map(r => r.dataset.invoice)")
    assert ids == [invoice["InvoiceId"] for invoice in invoices]
    for row, invoice in zip(rows.all(), invoices, strict=True):
        cells = row.locator("td")
        expect(cells.nth(4)).to_have_text(invoice["Status"])
        expect(cells.nth(6)).to_have_text(str(invoice["SendingAttempts"]))


def assert_counts_show(page: Page, invoices: list[dict[str, Any]]) -> None:
    """The counts by status are those of ``invoices``."""
    for status, count in Counter(invoice["Status"] for invoice in invoices).items():
        expect(page.locator(f'#counts li[data-status="{status}"] strong')).to_have_text(str(count))
    expect(page.locator('#counts li[data-status="total"] strong')).to_have_text(str(len(invoices)))


def openapi_enum(name: str) -> list[str]:
    """The control API document's enum ``name``."""
    document = yaml.safe_load(CONTROL_OPENAPI.read_text(encoding="utf-8"))
    values: list[str] = document["components"]["schemas"][name]["enum"]
    return values


class Markup(HTMLParser):
    """Scripts, inline handlers and style attributes: what the policy would refuse."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str | None] = []
        self.inline: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Keep each script's src and every inline handler or style."""
        if tag == "script":
            self.scripts.append(dict(attrs).get("src"))
        self.inline += [
            (tag, name) for name, _ in attrs if name == "style" or name.startswith("on")
        ]
