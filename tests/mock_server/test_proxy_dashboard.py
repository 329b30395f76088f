"""The validating proxy's journal page at ``/__mock/``: its routes, and the page itself in
headless Chromium (Debian's, through Playwright, as ``test_dashboard.py`` does).

The proxy runs in front of the zoo's reference with the ``json-type`` break: an XML answer
is conformant, a JSON one breaks ``json.type`` at each invoice's ``SendingAttempts``. The
page is checked against ``GET /__mock/journal``'s own answer. Every console message, page
error, dialog and request is recorded: no request may leave the proxy's origin, none is
forwarded upstream, and no console error or warning is allowed. The screenshot goes to
``tests/artifacts/`` and is the README's ``docs/proxy-dashboard.png`` (refreshed when
missing or with ``UPDATE_DOCS_SCREENSHOT=1``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Route, expect

from mock_server.dashboard import CONTENT_SECURITY_POLICY
from mock_server.proxy import JOURNAL_PATH, PAGE_PATH, ProxyConfig
from tests.browser import headless_chromium, save_docs_screenshot
from tests.conformance.zoo import ROUTE, serve_reference
from tests.mock_server.dashboard_support import Markup, Tab
from tests.mock_server.proxy_support import EchoApp, serve_plain, serve_proxy

pytestmark = pytest.mark.xdist_group("browser")

LIMITS = {"timeout": 5.0, "max_bytes": 1_000_000}
BREAK = "json-type"
ASSETS = {
    "proxy.js": "text/javascript; charset=utf-8",
    "render.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "proxy.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}


@pytest.fixture
def echo_proxy() -> Iterator[tuple[str, EchoApp]]:
    """A proxy in front of an upstream that keeps every request it gets: its URL, the echo."""
    echo = EchoApp()
    with serve_plain(echo) as upstream, serve_proxy(ProxyConfig(upstream, **LIMITS)) as (
        url, _proxy,
    ):  # fmt: skip
        yield url, echo


# -- the routes -----------------------------------------------------------------------------


def test_the_page_and_its_files_are_the_proxys_own_under_the_dashboards_policy(
    echo_proxy: tuple[str, EchoApp],
) -> None:
    url, echo = echo_proxy
    page = httpx.get(url + PAGE_PATH)
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["x-content-type-options"] == "nosniff"
    markup = Markup()
    markup.feed(page.text)
    assert markup.scripts == ["/__mock/ui/proxy.js"] and markup.inline == []
    bare = httpx.get(url + "/__mock")  # the same page, no redirect
    assert (bare.status_code, bare.content) == (200, page.content)
    assert bare.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for name, content_type in ASSETS.items():
        asset = httpx.get(f"{url}/__mock/ui/{name}")
        assert (asset.status_code, asset.headers["content-type"]) == (200, content_type), name
        assert asset.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert asset.headers["x-content-type-options"] == "nosniff"
    assert httpx.head(url + PAGE_PATH).status_code == 200
    journal = httpx.get(url + JOURNAL_PATH)
    assert journal.headers["cache-control"] == "no-store"
    assert (journal.json()["count"], journal.json()["entries"]) == (0, [])
    assert journal.json()["upstream"].startswith("http://127.0.0.1:")
    assert echo.received == []


@pytest.mark.parametrize(
    "path",
    ["/__mock/reset", "/__mock/health", "/__mock/ui", "/__mock/ui/", "/__mock/ui/proxy.html",
     "/__mock/ui/index.html", "/__mock/ui/dashboard.js", "/__mock/journal/1", "/__mock/x/y"],
)  # fmt: skip
def test_any_other_path_under_mock_is_a_404_of_the_proxys_and_not_forwarded(
    echo_proxy: tuple[str, EchoApp], path: str
) -> None:
    url, echo = echo_proxy
    for method in ("GET", "POST", "DELETE"):
        answer = httpx.request(method, url + path)
        assert answer.status_code == 404, method
        assert answer.headers["content-type"] == "application/json; charset=utf-8"
        message = answer.json()["error"]
        assert message.startswith(f"retry proxy: {path} is not the proxy's")
        assert "forwards nothing" in message
    assert echo.received == []
    assert httpx.get(url + JOURNAL_PATH).json()["entries"] == []


def test_the_page_and_the_journal_answer_get_only_and_forward_nothing(
    echo_proxy: tuple[str, EchoApp],
) -> None:
    url, echo = echo_proxy
    for path in ("/__mock", PAGE_PATH, JOURNAL_PATH, "/__mock/ui/proxy.js"):
        refused = httpx.post(url + path, content=b"{}")
        assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD", path
        assert "nothing was forwarded" in refused.json()["error"]
    assert echo.received == []


def test_other_paths_are_still_forwarded_and_journaled_with_time_and_sequence(
    echo_proxy: tuple[str, EchoApp],
) -> None:
    url, echo = echo_proxy
    for path in ("/__mockery", "/__MOCK/journal", "/api/x", "/"):
        assert httpx.get(url + path).headers["x-echo"] == "1", path
    assert [seen["target"] for seen in echo.received] == ["/__mockery", "/__MOCK/journal",
                                                          "/api/x", "/"]  # fmt: skip
    journal = httpx.get(url + JOURNAL_PATH).json()
    assert journal["count"] == 4
    assert [(e["sequence"], e["path"], e["forwarded"]) for e in journal["entries"]] == [
        (1, "/__mockery", True), (2, "/__MOCK/journal", True), (3, "/api/x", True),
        (4, "/", True)]  # fmt: skip
    for entry in journal["entries"]:
        assert entry["time"][10] == "T" and entry["time"][19] == "." and entry["time"][23] in "+-Z"
    later = httpx.get(url + JOURNAL_PATH, params={"since": 3}).json()
    assert (later["count"], later["entries"]) == (4, journal["entries"][3:])
    assert httpx.get(url + JOURNAL_PATH, params={"since": "x"}).status_code == 400


def test_read_only_refusals_carry_a_time_too() -> None:
    echo = EchoApp()
    with (
        serve_plain(echo) as upstream,
        serve_proxy(ProxyConfig(upstream, read_only=True, **LIMITS)) as (url, _proxy),
    ):
        assert httpx.post(url + ROUTE).status_code == 403
        (entry,) = httpx.get(url + JOURNAL_PATH).json()["entries"]
    assert (entry["sequence"], entry["forwarded"], entry["status"]) == (1, False, 403)
    assert entry["time"][10] == "T"


# -- the page in a browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    yield from headless_chromium()


@pytest.fixture
def broken_proxy() -> Iterator[str]:
    """A proxy in front of the reference with the json-type break: the proxy's URL."""
    with (
        serve_reference(breaks=frozenset({BREAK})) as upstream,
        serve_proxy(ProxyConfig(upstream, log=io.StringIO(), **LIMITS)) as (url, _proxy),
    ):
        yield url


@pytest.fixture
def tab(browser: Browser, broken_proxy: str) -> Iterator[Tab]:
    """The proxy's page in a fresh laptop-sized tab that may reach the proxy only."""
    # Reduced motion: no highlight fading in the screenshot.
    context = browser.new_context(viewport={"width": 1366, "height": 768}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    opened = Tab(page, origin=broken_proxy)
    opened.listen()

    def refuse_others(route: Route) -> None:
        if route.request.url.startswith(broken_proxy + "/"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", refuse_others)
    try:
        page.goto(broken_proxy + PAGE_PATH, wait_until="load")
        expect(page.locator("#connection")).to_contain_text("Connected to")
        yield opened
        opened.assert_quiet()
    finally:
        context.close()


def test_the_page_shows_the_violations_of_the_bad_answer_and_none_for_the_good_one(
    tab: Tab,
) -> None:
    page, url = tab.page, tab.origin
    upstream = httpx.get(url + JOURNAL_PATH).json()["upstream"]
    expect(page.locator("#upstream")).to_have_text(upstream)
    expect(page.locator("#journal-shown")).to_contain_text("No answer yet")
    good = httpx.post(url + ROUTE, headers={"Accept": "application/xml"}, content=b"")
    bad = httpx.post(url + ROUTE, headers={"Accept": "application/json"}, content=b"")
    assert (good.status_code, bad.status_code) == (200, 200)
    journal = httpx.get(url + JOURNAL_PATH).json()["entries"]
    assert [(e["sequence"], e["contentType"].split(";")[0]) for e in journal] == [
        (1, "application/xml"), (2, "application/json")]  # fmt: skip
    clean, broken = journal
    assert clean["violations"] == [] and broken["violations"]
    assert {v["rule"] for v in broken["violations"]} == {"json.type"}

    rows = page.locator("#journal-rows tr")
    expect(rows).to_have_count(2)
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.sequence)") == ["2", "1"]
    bad_row, good_row = rows.nth(0), rows.nth(1)
    shown = bad_row.locator("li.violation")
    expect(shown).to_have_count(len(broken["violations"]))
    for item, violation in zip(shown.all(), broken["violations"], strict=True):
        expect(item.locator(".rule")).to_have_text(violation["rule"])
        expect(item.locator(".location")).to_have_text(violation["location"])
        expect(item.locator(".expected")).to_have_text(violation["expected"])
        expect(item.locator(".received")).to_have_text(violation["received"])
    n = len(broken["violations"])
    expect(bad_row.locator("td.verdict .badge")).to_have_text(f"{n} violations")
    expect(good_row.locator("li.violation")).to_have_count(0)
    expect(good_row.locator("td.verdict")).to_have_text("clean")
    for row, entry in ((bad_row, broken), (good_row, clean)):
        cells = row.locator("td")
        expect(cells.nth(2)).to_have_text(entry["method"])
        expect(cells.nth(3)).to_have_text(entry["path"])
        expect(cells.nth(4)).to_have_text(str(entry["status"]))
        expect(cells.nth(5)).to_have_text("yes")
        expect(cells.nth(1)).to_have_attribute("title", entry["time"])
    counts = page.locator("#counts")
    expect(counts.locator('[data-verdict="violating"] strong')).to_have_text("1")
    expect(counts.locator('[data-verdict="clean"] strong')).to_have_text("1")
    expect(counts.locator('[data-verdict="total"] strong')).to_have_text("2")
    save_docs_screenshot(tab.screenshot("proxy-dashboard.png"), "proxy-dashboard.png")

    page.get_by_label("Only answers with violations").check()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-sequence", "2")
    page.get_by_label("Only answers with violations").uncheck()
    expect(rows).to_have_count(2)

    # The page's own polling is neither journaled nor forwarded; it asked its origin only.
    page.wait_for_timeout(1500)
    assert httpx.get(url + JOURNAL_PATH).json()["count"] == 2
    own = [u.removeprefix(url) for u in tab.requests]
    assert any(u.startswith(JOURNAL_PATH + "?since=") for u in own)
    assert all(u == PAGE_PATH or u.startswith("/__mock/") for u in own), own


def test_every_control_is_labelled_and_reachable_with_the_keyboard(tab: Tab) -> None:
    page = tab.page
    unlabelled = page.locator("input, select, textarea, button").evaluate_all(
        """all => all.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                               && !e.textContent.trim()).map(e => e.outerHTML)"""
    )
    assert unlabelled == []
    page.keyboard.press("Tab")
    expect(page.locator("#live")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#live")).not_to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("#only-violations")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#only-violations")).to_be_checked()
