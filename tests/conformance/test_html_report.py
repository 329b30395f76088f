"""The HTML report (``--html``) as a developer opens it: in headless Chromium, offline.

The reports are real: the CLI runs in process against the mock (every rule passes), against
the mock behind a middleware that writes one member in the wrong case in every invoice
(failures with body excerpts), against one whose body carries markup (which must stay
text), and in the runs that judge nothing (could not run, dry run) or prove too little
(``--strict``). Each file is opened from ``file://`` in Chromium (Debian's, driven by
Playwright: ``scripts/install-browser`` installs it), with every console message, page
error, dialog and request recorded: none may be an error, and no request may leave the
file. Full-page screenshots go to ``tests/artifacts/`` (git-ignored); the broken run's is
also the README's picture, ``docs/html-report.png``, refreshed when it is missing or when
``UPDATE_DOCS_SCREENSHOT=1``.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import pytest
from playwright.sync_api import (
    Browser,
    FloatRect,
    Route,
    ViewportSize,
)

from conformance.__main__ import main
from conformance.plan import POST_PROBES
from tests.browser import PageEvents, headless_chromium, save_docs_screenshot
from tests.conformance.support import ROUTE, free_port, serve_app
from tests.mock_server.conftest import live_mock, make_app

# Pytester's inline runs drop modules they imported: these files keep one worker and their order.
pytestmark = pytest.mark.xdist_group("pytester-schemathesis")

LAPTOP: ViewportSize = {"width": 1366, "height": 768}
SCRIPT = "</pre><script>alert(1)</script>"
FAST = ("--timeout", "5", "--quiet")
FULL = ("--allow-side-effects", "--max-calls", str(POST_PROBES))


@dataclass
class Run:
    """One CLI run: its exit code, the terminal's last line (the verdict), both reports."""

    exit_code: int
    verdict: str
    html: Path
    data: dict[str, Any]

    def rule(self, rule: str) -> dict[str, Any]:
        """The JSON report's entry for ``rule``."""
        found: dict[str, Any] = next(r for r in self.data["rules"] if r["rule"] == rule)
        return found


def run_cli(folder: Path, *args: str) -> Run:
    """``retry-conformance run ARGS --html --json`` in process; the files land in ``folder``."""
    html, report = folder / "report.html", folder / "report.json"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["run", *args, "--html", str(html), "--json", str(report), *FAST])
    data = json.loads(report.read_text()) if report.exists() else {}
    return Run(code, printed.getvalue().strip().splitlines()[-1], html, data)


def rewriting(app: WSGIApplication, rewrite: Callable[[str], str]) -> WSGIApplication:
    """``app`` with the JSON bodies of its retry answers passed through ``rewrite``."""

    def middleware(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        kept: list[tuple[str, list[tuple[str, str]]]] = []

        def keep(
            status: str, headers: list[tuple[str, str]], exc_info: object = None
        ) -> Callable[[bytes], object]:
            kept.append((status, headers))
            return lambda data: None

        answer = app(environ, keep)
        try:
            body = b"".join(answer)
        finally:
            getattr(answer, "close", lambda: None)()
        status, headers = kept[-1]
        media = next((v for k, v in headers if k.lower() == "content-type"), "")
        if (environ["REQUEST_METHOD"], environ["PATH_INFO"]) == ("POST", ROUTE) and "json" in media:
            body = rewrite(body.decode("utf-8")).encode("utf-8")
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return middleware


def miscased(body: str) -> str:
    """Every invoice's ``SendingAttempts`` written ``sendingAttempts`` (json.member-case)."""
    return body.replace('"SendingAttempts":', '"sendingAttempts":')


def hostile(body: str) -> str:
    """An unknown member whose name and value are markup that would run and fetch if it
    were not escaped (json.member-unknown: the name in Received, the value marked)."""
    image = f'"<img src=http://127.0.0.1:{free_port()}/pixel onerror=alert(2)>"'
    return body.replace('"Links":', f'"{SCRIPT}":{image},"Links":', 1)


def run_against_app(folder: Path, rewrite: Callable[[str], str], *args: str) -> Run:
    """Run the CLI against the in-process mock behind :func:`rewriting`."""
    with serve_app(rewriting(make_app(folder), rewrite)) as url:
        return run_cli(folder, "--base-url", url, "--reset", f"POST {url}/__mock/reset", *args)


@pytest.fixture(scope="module")
def passed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The real mock, every probe sent: every rule passes."""
    folder = tmp_path_factory.mktemp("passed")
    with live_mock("--workers", "1") as mock:
        return run_cli(
            folder, "--base-url", mock.url, *FULL, "--reset", f"POST {mock.url}/__mock/reset"
        )


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Every invoice miscased; three failures shown of many."""
    folder = tmp_path_factory.mktemp("broken")
    return run_against_app(folder, miscased, *FULL, "--max-failures-per-rule", "3")


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A body carrying ``</pre><script>`` and an ``<img>`` that would call out."""
    return run_against_app(tmp_path_factory.mktemp("injected"), hostile, *FULL)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    yield from headless_chromium()


class Opened(PageEvents):
    """A report open in a tab, and everything the page did while it was."""

    def assert_quiet(self, url: str) -> None:
        """No console error or warning, no page error or dialog, no request but the file."""
        assert [(m.type, m.text) for m in self.console if m.type in {"error", "warning"}] == []
        assert self.errors == []
        assert self.dialogs == []
        assert self.requests == [url]


def _refuse(opened: Opened, route: Route) -> None:
    # Only the report itself may load; anything else is recorded by on("request") and cut.
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


@contextlib.contextmanager
def opened(browser: Browser, html: Path) -> Iterator[Opened]:
    """``html`` open in a fresh laptop-sized tab, recording what the page does."""
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    seen = Opened(page)
    seen.listen()
    context.route("**/*", lambda route: _refuse(seen, route))
    try:
        page.goto(html.as_uri(), wait_until="load")
        yield seen
        seen.assert_quiet(html.as_uri())
    finally:
        context.close()


def test_all_passed_report_reads_conformant_and_lists_every_rule_and_request(
    passed: Run, browser: Browser
) -> None:
    assert passed.exit_code == 0
    with opened(browser, passed.html) as tab:
        page = tab.page
        assert page.locator("#verdict").inner_text() == passed.verdict
        assert passed.verdict.startswith("CONFORMANT")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.title() == f"Conformance of {passed.data['base_url']}"
        facts = page.locator(".facts").inner_text()
        assert "Failed\n0" in facts and "POSTs sent\n11" in facts and "0 (conformant)" in facts
        assert page.locator("#rules-failed").count() == 0
        rows = page.locator("#rules-passed tbody tr")
        assert rows.count() == len(passed.data["rules"])
        assert page.locator("table.requests tbody tr").count() == len(passed.data["requests"])
        tab.screenshot("html-report-passed.png")
        headers = page.locator("table.requests tbody tr").first.locator("details")
        assert not headers.locator("li").first.is_visible()  # on demand only
        headers.locator("summary").click()
        assert headers.locator("li").first.inner_text() == "Accept: application/json"
        page.get_by_label("Passed").uncheck()
        assert not page.locator("#rules-passed").is_visible()


def test_broken_report_lists_failed_rules_first_with_each_cause_and_how_many_more(
    broken: Run, browser: Browser
) -> None:
    assert broken.exit_code == 1
    group = broken.rule("json.member-case")["groups"][0]
    with opened(browser, broken.html) as tab:
        page = tab.page
        assert page.locator("#verdict").inner_text() == broken.verdict
        assert broken.verdict.startswith("NOT CONFORMANT: 1 failed")
        order = page.locator("section.status").evaluate_all("all => all.map(s => s.id)")
        assert order == ["rules-failed", "rules-not-run", "rules-passed"]
        page.get_by_role("link", name="json.member-case").click()
        assert page.url.endswith("#rule-json.member-case")
        rule = page.locator("#rules-failed section.rule")
        assert rule.get_attribute("id") == "rule-json.member-case"
        assert rule.locator("h5").inner_text() == f"Cause: {group['pattern']}"
        assert rule.locator("article.failure").count() == len(group["shown"]) == 3
        more = group["count"] - len(group["shown"])
        assert rule.locator(".more").inner_text() == f"… and {more} more of this cause"
        not_run = [r for r in broken.data["rules"] if r["status"] == "not run"]
        assert page.locator("#rules-not-run tbody tr").count() == len(not_run) > 0
        save_docs_screenshot(tab.screenshot("html-report-broken.png"), "html-report.png")


def test_broken_report_shows_received_against_contract_and_marks_the_body(
    broken: Run, browser: Browser
) -> None:
    first = broken.rule("json.member-case")["groups"][0]["shown"][0]
    with opened(browser, broken.html) as tab:
        failure = tab.page.locator("#rule-json\\.member-case article.failure").first
        place = f"At {first['location']} (line {first['line']}, column {first['column']})"
        assert failure.locator("h6").inner_text() == place
        assert first["request"] in failure.inner_text()
        received, contract = failure.locator("td.received"), failure.locator("td.contract")
        assert received.inner_text() == "member 'sendingAttempts'" == first["received"]
        assert contract.inner_text() == "member 'SendingAttempts'" == first["expected"]
        assert failure.locator("th").all_inner_texts() == ["Received", "Contract"]
        _assert_side_by_side(received.bounding_box(), contract.bounding_box())
        mark = failure.locator("pre.excerpt mark")
        assert mark.is_visible() and mark.inner_text()
        assert f'"sendingAttempts":{mark.inner_text()}' in failure.locator("pre").inner_text()


def _assert_side_by_side(left: FloatRect | None, right: FloatRect | None) -> None:
    assert left is not None and right is not None
    assert left["x"] + left["width"] <= right["x"] + 1
    assert abs(left["y"] - right["y"]) < 1


def test_markup_from_the_target_stays_text(injected: Run, browser: Browser) -> None:
    assert injected.exit_code == 1
    shown = injected.rule("json.member-unknown")["groups"][0]["shown"][0]
    assert SCRIPT in shown["received"]
    text = injected.html.read_text(encoding="utf-8")
    assert "<script" not in text.lower() and "<img" not in text.lower()
    with opened(browser, injected.html) as tab:
        page = tab.page
        assert page.locator("script, img, iframe, object").count() == 0
        failure = page.locator("#rule-json\\.member-unknown article.failure").first
        assert SCRIPT in failure.locator("td.received").inner_text()
        excerpt = failure.locator("pre.excerpt").inner_text()
        assert SCRIPT in excerpt and '"<img src=' in excerpt
        assert failure.locator("pre.excerpt mark").is_visible()
        # The markup closed nothing: one card, one excerpt per failure shown, nothing more.
        shown_count = sum(
            len(group["shown"]) for rule in injected.data["rules"] for group in rule["groups"]
        )
        assert page.locator("article.failure").count() == shown_count
        assert page.locator("pre").count() == page.locator("pre.excerpt").count() == shown_count
        tab.screenshot("html-report-injected.png")


@pytest.mark.parametrize(
    ("case", "words", "code"),
    [
        pytest.param("unreachable", "COULD NOT RUN: the target is unreachable", 2, id="fatal"),
        pytest.param("dry-run", " requests would be sent.", 0, id="dry-run"),
        pytest.param("strict", "NOT PROVEN (--strict: some rules did not run)", 1, id="strict"),
    ],
)
def test_runs_that_judge_nothing_or_prove_too_little_say_so(
    case: str, words: str, code: int, tmp_path: Path, browser: Browser
) -> None:
    if case == "strict":  # no POST allowed: the body and state rules cannot run
        with serve_app(make_app(tmp_path)) as url:
            run = run_cli(tmp_path, "--base-url", url, "--strict")
    else:
        extra = ("--dry-run", "--allow-side-effects", "--max-calls", "2") * (case == "dry-run")
        run = run_cli(tmp_path, "--base-url", f"http://127.0.0.1:{free_port()}", *extra)
    assert run.exit_code == code
    assert words in run.verdict
    with opened(browser, run.html) as tab:
        assert tab.page.locator("#verdict").inner_text() == run.verdict
        assert tab.page.locator("#rules").count() == int(case == "strict")
        if case == "strict":
            heading = tab.page.locator("#rules-not-run h3").inner_text()
            assert heading.endswith("each a failure with --strict")
        tab.screenshot(f"html-report-{case}.png")


class _Loads(HTMLParser):
    """Every attribute through which a page could load something."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Keep the tag's loading attributes."""
        for name, value in attrs:
            if name in {"src", "href", "srcset", "action", "data", "poster"}:
                self.loads.append((tag, name, value or ""))


def test_every_report_is_one_file_that_loads_nothing(
    passed: Run, broken: Run, injected: Run
) -> None:
    for run in (passed, broken, injected):
        text = run.html.read_text(encoding="utf-8")
        parser = _Loads()
        parser.feed(text)
        outside = [
            load
            for load in parser.loads
            if not (load[2].startswith("#") or load == ("link", "href", "data:,"))
        ]
        assert outside == []
        assert "@import" not in text and "url(" not in text
        assert "default-src 'none'" in text
