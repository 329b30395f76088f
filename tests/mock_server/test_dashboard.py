"""The mock's dashboard at ``/__mock/`` as a frontend developer uses it: in headless Chromium.

One live mock for the module, started with a control token (the stricter case: the page
must ask for it and send it). Each test resets the mock, opens the page in a fresh
laptop-sized tab (Debian's Chromium through Playwright, as ``test_html_report.py`` does),
drives it, and checks the page against the control API's own answers. Every console
message, page error, dialog and request is recorded: no request may leave the mock's
origin, and the only console errors allowed are Chromium's own lines for the HTTP errors a
test provokes on purpose (a 500 fault, a refused token). Screenshots go to
``tests/artifacts/``; the main one is also the README's ``docs/dashboard.png``, refreshed
when missing or with ``UPDATE_DOCS_SCREENSHOT=1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, expect

from mock_server.dashboard import CONTENT_SECURITY_POLICY
from tests.browser import headless_chromium, save_docs_screenshot
from tests.mock_server.conftest import ROUTE, LiveMock
from tests.mock_server.dashboard_support import (
    CONTROL_OPENAPI,
    Markup,
    Tab,
    assert_counts_show,
    assert_table_shows,
    auth,
    control,
    openapi_enum,
    opened,
    token_mock,
)

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def mock() -> Iterator[LiveMock]:
    """The module's live mock, started with a control token."""
    with token_mock() as server:
        yield server


@pytest.fixture(scope="module")
def api(mock: LiveMock) -> Iterator[httpx.Client]:
    """A client of the control API with the token: what the page is checked against."""
    with httpx.Client(base_url=f"{mock.url}/__mock", headers=auth(), timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    yield from headless_chromium()


@pytest.fixture
def tab(browser: Browser, mock: LiveMock, api: httpx.Client) -> Iterator[Tab]:
    """The dashboard of a freshly reset mock, the token given."""
    control(api, "POST", "/reset")
    with opened(browser, mock) as opened_tab:
        yield opened_tab


# -- the page and its files -----------------------------------------------------------------


def test_the_page_and_its_files_carry_a_strict_policy_and_are_not_journaled(
    mock: LiveMock, api: httpx.Client
) -> None:
    control(api, "POST", "/reset")
    page = httpx.get(f"{mock.url}/__mock/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    policy = page.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY and "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "script-src 'self';" in policy
    markup = Markup()
    markup.feed(page.text)
    assert markup.scripts == ["ui/dashboard.js"] and markup.inline == []
    for name in ("dashboard.js", "render.js", "dashboard.css", "icon.svg"):
        asset = httpx.get(f"{mock.url}/__mock/ui/{name}")
        assert asset.status_code == 200, name
        assert asset.headers["x-content-type-options"] == "nosniff"
    for spelling in ("/__mock", "/__mock/ui"):
        moved = httpx.get(mock.url + spelling)
        assert (moved.status_code, moved.headers["location"]) == (308, "/__mock/")
    assert httpx.get(f"{mock.url}/__mock/ui/index.htm").status_code == 404
    assert control(api, "GET", "/journal")["journal"] == []


def test_the_page_asks_for_the_token_then_shows_the_state_the_control_api_reports(
    browser: Browser, mock: LiveMock, api: httpx.Client
) -> None:
    control(api, "POST", "/reset")
    with opened(browser, mock, token=False) as tab:
        page = tab.page
        expect(page.get_by_label("Control token")).to_be_focused()
        assert not [url for url in tab.requests if "/__mock/invoices" in url]
        tab.allow_error(401, "/__mock/scenario")
        tab.allow_error(401, "/__mock/faults")
        tab.allow_error(401, "/__mock/journal?limit=500")
        tab.give_token("not-the-token")
        expect(page.locator("#connection")).to_contain_text("The mock refused this token.")
        tab.give_token()
        expect(page.get_by_label("Control token")).to_be_hidden()
        invoices = control(api, "GET", "/invoices")["invoices"]
        assert_table_shows(page, invoices)
        assert_counts_show(page, invoices)
        scenario = control(api, "GET", "/scenario")
        expect(page.locator('[data-fact="Name"]')).to_have_text(scenario["name"])
        expect(page.locator('[data-fact="Seed"]')).to_have_text(str(scenario["seed"]))
        options = page.locator("#scenario-name option").evaluate_all("o => o.map(x => x.value)")
        assert options == openapi_enum("ScenarioName")
        kinds = page.locator("#fault-kind option").evaluate_all("o => o.map(x => x.value)")
        assert kinds == openapi_enum("FaultKind")
        switches = page.locator("#scenario-rates input").evaluate_all("i => i.map(x => x.id)")
        rates = yaml.safe_load(CONTROL_OPENAPI.read_text(encoding="utf-8"))["components"][
            "schemas"
        ]["ScenarioRequest"]["properties"]["success_rates"]["propertyNames"]["enum"]
        assert switches == [f"rate-{name}" for name in rates]
        tab.screenshot("dashboard-start.png")


def test_switch_scenario_inject_fault_retry_and_remove_it_as_the_control_api_reports(
    tab: Tab, api: httpx.Client
) -> None:
    page = tab.page
    page.get_by_role("combobox", name="Scenario", exact=True).select_option("all-failing")
    page.get_by_label("Failed count").fill("4")
    page.locator("#scenario-seed").fill("7")
    page.get_by_label("Max attempts").fill("5")
    page.get_by_role("button", name="Switch scenario").click()
    expect(page.locator("#message")).to_have_text("Scenario all-failing in force (seed 7).")
    scenario = control(api, "GET", "/scenario")
    assert (scenario["name"], scenario["failed"], scenario["seed"], scenario["max_attempts"]) == (
        "all-failing", 4, 7, 5)  # fmt: skip
    expect(page.locator('[data-fact="Name"]')).to_have_text("all-failing")
    assert_table_shows(page, control(api, "GET", "/invoices")["invoices"])
    fault_id, failed_call = _retry_into_a_fault(tab, api)

    page.get_by_role("button", name=f"Remove fault {fault_id} (http-500)").click()
    expect(page.locator("#no-faults")).to_be_visible()
    assert control(api, "GET", "/faults")["faults"] == []
    _retry_and_see_every_invoice_retried(tab, api)
    save_docs_screenshot(tab.screenshot("dashboard.png"), "dashboard.png")

    page.get_by_role("button", name=f"Show the body of journal entry {failed_call}").click()
    expect(page.locator("#try-status")).to_have_text("500 Internal Server Error")


def _retry_into_a_fault(tab: Tab, api: httpx.Client) -> tuple[int, int]:
    """Add an http-500 fault for 2 calls, retry into it: its id and the call's sequence."""
    page = tab.page
    page.get_by_label("Kind").select_option("http-500")
    page.get_by_label("Calls", exact=True).fill("2")
    page.get_by_role("button", name="Add fault").click()
    # The click only starts the page's request: its message says the mock answered.
    expect(page.locator("#message")).to_have_text(re.compile(r"Fault \d+ \(http-500\) added\."))
    (fault,) = control(api, "GET", "/faults")["faults"]
    assert (fault["kind"], fault["calls"]) == ("http-500", 2)
    row = page.locator(f'#fault-rows tr[data-fault="{fault["id"]}"]')
    expect(row).to_contain_text("2 calls left")

    tab.allow_error(500, ROUTE)
    page.get_by_label("Accept").fill("application/xml")
    page.get_by_role("button", name="POST retryallfailed").click()
    expect(page.locator("#try-status")).to_have_text("500 Internal Server Error")
    expect(page.locator("#try-body")).to_have_text(
        "<Error>\n  <Message>An error has occurred.</Message>\n</Error>"
    )
    page.get_by_role("button", name="Raw").click()
    expect(page.locator("#try-body")).to_have_text(
        "<Error><Message>An error has occurred.</Message></Error>"
    )
    expect(page.locator("#try-headers")).to_contain_text("content-type: application/xml")
    (entry,) = control(api, "GET", "/journal")["journal"]
    assert (entry["status"], entry["fault"], entry["client"]) == (500, "http-500", "dashboard")
    newest = page.locator("#journal-rows tr").first
    expect(newest).to_have_attribute("data-sequence", str(entry["sequence"]))
    expect(newest.locator("td.status")).to_have_text("500")
    expect(newest.locator("td.fault")).to_have_text("http-500")
    expect(newest.locator("td.client")).to_have_text("dashboard")
    expect(row).to_contain_text("1 call left")
    assert control(api, "GET", "/faults")["faults"][0]["calls"] == 1
    return fault["id"], entry["sequence"]


def _retry_and_see_every_invoice_retried(tab: Tab, api: httpx.Client) -> None:
    """Retry from the page in JSON: the table, counts and journal follow the control API."""
    page = tab.page
    before = control(api, "GET", "/invoices")["invoices"]
    page.get_by_label("Accept").fill("application/json")
    page.get_by_role("button", name="POST retryallfailed").click()
    expect(page.locator("#try-status")).to_have_text("200 OK")
    journal = control(api, "GET", "/journal")["journal"]
    assert [(e["status"], e["client"]) for e in journal] == [(500, "dashboard"), (200, "dashboard")]
    expect(page.locator("#journal-rows tr")).to_have_count(2)
    invoices = control(api, "GET", "/invoices")["invoices"]
    attempts = [(i["InvoiceId"], i["SendingAttempts"] - 1) for i in invoices]
    assert attempts == [(i["InvoiceId"], i["SendingAttempts"]) for i in before]  # all retried
    assert_table_shows(page, invoices)
    assert_counts_show(page, invoices)
    page.get_by_role("button", name="Pretty").click()
    body = page.locator("#try-body").inner_text()
    assert body.startswith('{\n  "Sucess": true,') and invoices[0]["InvoiceId"] in body


def test_filters_show_the_invoices_of_one_status_and_switch(tab: Tab, api: httpx.Client) -> None:
    page = tab.page
    assert httpx.post(f"{tab.origin}{ROUTE}", content=b"").status_code == 200  # a frontend call
    invoices = control(api, "GET", "/invoices")["invoices"]
    expect(page.locator("#journal-rows tr")).to_have_count(1)
    expect(page.locator("#journal-rows td.client")).to_have_text("—")  # not the page's
    assert_counts_show(page, invoices)
    page.get_by_label("Status", exact=True).select_option("Sent")
    sent = [invoice for invoice in invoices if invoice["Status"] == "Sent"]
    assert sent, "the partial scenario's first retry sends some invoices"
    assert_table_shows(page, sent)
    system = sent[0]["System"]
    page.get_by_label("Switch", exact=True).select_option(system)
    assert_table_shows(page, [invoice for invoice in sent if invoice["System"] == system])
    page.get_by_label("Status", exact=True).select_option("")
    assert_table_shows(page, [invoice for invoice in invoices if invoice["System"] == system])


def test_reseed_and_reset_from_the_page(tab: Tab, api: httpx.Client) -> None:
    page = tab.page
    page.get_by_role("spinbutton", name="Invoices", exact=True).fill("5")
    page.locator("#seed-seed").fill("3")
    page.get_by_role("button", name="Reseed").click()
    expect(page.locator("#message")).to_have_text("Reseeded: 5 invoices from seed 3.")
    assert_table_shows(page, control(api, "GET", "/invoices")["invoices"])
    control(api, "POST", "/faults", {"kind": "envelope-failure", "calls": 3})
    assert httpx.post(f"{tab.origin}{ROUTE}", content=b"").status_code == 200
    expect(page.locator("#journal-rows tr")).to_have_count(1)
    expect(page.locator("#fault-rows tr")).to_have_count(1)
    page.get_by_role("button", name="Reset the mock").click()
    expect(page.locator("#message")).to_contain_text("Reset: scenario partial, 20 failed")
    assert control(api, "GET", "/faults")["faults"] == []
    assert control(api, "GET", "/journal")["journal"] == []
    expect(page.locator("#journal-rows tr")).to_have_count(0)
    expect(page.locator("#fault-rows tr")).to_have_count(0)
    assert_table_shows(page, control(api, "GET", "/invoices")["invoices"])


def test_share_and_latency_faults_are_added_and_cleared(tab: Tab, api: httpx.Client) -> None:
    page = tab.page
    expect(page.get_by_label("Latency ms")).to_be_disabled()
    page.get_by_label("Kind").select_option("latency")
    page.get_by_label("For", exact=True).select_option("share")
    expect(page.get_by_label("Calls", exact=True)).to_be_disabled()
    page.get_by_label("Share (0–1]").fill("0.25")
    page.get_by_label("Latency ms").fill("200")
    page.get_by_role("button", name="Add fault").click()
    expect(page.locator("#message")).to_have_text(re.compile(r"Fault \d+ \(latency\) added\."))
    (fault,) = control(api, "GET", "/faults")["faults"]
    assert (fault["kind"], fault["share"], fault["latency_ms"]) == ("latency", 0.25, 200)
    expect(page.locator("#fault-rows tr")).to_contain_text("25 % of calls")
    expect(page.locator("#fault-rows tr")).to_contain_text("200 ms")
    page.get_by_label("Kind").select_option("latency")  # a second, for the next call
    page.get_by_label("For", exact=True).select_option("calls")
    page.get_by_role("button", name="Add fault").click()
    expect(page.locator("#fault-rows tr")).to_have_count(2)
    page.get_by_role("button", name="Clear all faults").click()
    expect(page.locator("#no-faults")).to_be_visible()
    assert control(api, "GET", "/faults")["faults"] == []


def test_a_refused_request_shows_the_mocks_message(tab: Tab, api: httpx.Client) -> None:
    page = tab.page
    tab.allow_error(400, "/__mock/scenario")
    page.get_by_role("combobox", name="Scenario", exact=True).select_option("partial")
    page.get_by_role("button", name=f"Script outcomes for invoice {_first_id(api)}").click()
    expect(page.locator("#scenario-outcomes")).to_be_focused()
    page.locator("#scenario-outcomes").fill('{"00000000-0000-4000-8000-000000000000": ["success"]}')
    page.get_by_role("button", name="Switch scenario").click()
    expect(page.locator("#message")).to_contain_text("400: outcomes: invoice 00000000-")
    assert control(api, "GET", "/scenario")["outcomes"] == {}


def _first_id(api: httpx.Client) -> str:
    first: str = control(api, "GET", "/invoices")["invoices"][0]["InvoiceId"]
    return first


def test_every_control_is_labelled_and_reachable_with_the_keyboard(tab: Tab) -> None:
    page = tab.page
    unlabelled = page.locator("input, select, textarea, button").evaluate_all(
        """all => all.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                               && !e.textContent.trim()).map(e => e.outerHTML)"""
    )
    assert unlabelled == []
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate("document.activeElement.id || document.activeElement.textContent")
        )
    wanted = {"try-accept", "try-send", "fault-kind", "scenario-name", "reset", "filter-status",
              "filter-switch", "live"}  # fmt: skip
    assert wanted <= reached
