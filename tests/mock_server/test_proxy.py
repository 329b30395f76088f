"""The validating proxy against the zoo: it passes answers on unchanged and reports, for
each break, the rules the suite reports for the same answers - the suite itself runs
through the proxy, so both judge the very same bytes."""

from __future__ import annotations

import io
import subprocess
import sys

import httpx
import pytest

from conformance.options import build_settings
from conformance.plan import POST_PROBES
from conformance.report import Report
from conformance.runner import run_suite
from mock_server.proxy import JOURNAL_PATH, READ_ONLY_MESSAGE, ProxyConfig, ValidatingProxy
from tests.conformance.zoo import BREAKS, ROUTE, VALID_VARIATIONS, raw_request, serve_reference
from tests.conformance.zoo.rawclient import dechunked
from tests.mock_server.proxy_support import EchoApp, serve_plain, serve_proxy

LIMITS = {"timeout": 2.0, "max_bytes": 1_000_000}
# What the proxy cannot judge from one answer: several calls, or knowing a path is unknown.
NOT_LIVE = ("cross.", "state.", "schemathesis.", "http.not-found")
LIVE_BREAKS = sorted(
    name for name, b in BREAKS.items()
    if not any(rule.startswith(NOT_LIVE) for rule in b.expected_rules)
)  # fmt: skip


def suite_through(url: str) -> Report:
    """The suite's whole plan (every POST, reset included) sent through ``url``."""
    settings = build_settings(base_url=url, allow_side_effects=True, reset="POST /__reset",
                              max_calls=POST_PROBES, schemathesis=False, **LIMITS)  # fmt: skip
    return run_suite(settings)


def journal_rules(proxy: ValidatingProxy) -> set[str]:
    """Every rule id the proxy's journal holds."""
    return {v["rule"] for entry in proxy.journal() for v in entry["violations"]}


def live(rules: list[str]) -> set[str]:
    """The rules among ``rules`` the proxy runs live."""
    return {rule for rule in rules if not rule.startswith(NOT_LIVE)}


@pytest.mark.parametrize("name", LIVE_BREAKS)
def test_proxy_reports_the_rules_the_suite_reports_for_each_break(name: str) -> None:
    log = io.StringIO()
    with (
        serve_reference(breaks=frozenset({name})) as upstream,
        serve_proxy(ProxyConfig(upstream, log=log, **LIMITS)) as (url, proxy),
    ):
        report = suite_through(url)
    assert live(report.failed_rules), f"the suite found nothing for {name}"
    assert journal_rules(proxy) == live(report.failed_rules)
    printed = {line.split()[3] for line in log.getvalue().splitlines()}
    assert printed == journal_rules(proxy)


@pytest.mark.parametrize("variations", [frozenset(), *(frozenset({v}) for v in VALID_VARIATIONS)],
                         ids=["reference", *VALID_VARIATIONS])  # fmt: skip
def test_proxy_reports_nothing_for_the_reference_and_valid_variations(
    variations: frozenset[str],
) -> None:
    log = io.StringIO()
    with (
        serve_reference(variations=variations) as upstream,
        serve_proxy(ProxyConfig(upstream, log=log, **LIMITS)) as (url, proxy),
    ):
        report = suite_through(url)
    assert report.failed_rules == []
    assert len(proxy.journal()) > POST_PROBES and journal_rules(proxy) == set()
    assert log.getvalue() == ""


@pytest.mark.parametrize("variations", [frozenset(), frozenset({"gzip"}), frozenset({"chunked"})],
                         ids=["plain", "gzip", "chunked"])  # fmt: skip
def test_proxy_passes_the_answer_on_byte_for_byte(variations: frozenset[str]) -> None:
    headers = (("Accept", "application/xml"), ("Accept-Encoding", "gzip"))
    with serve_reference(variations=variations) as direct_url:
        direct = raw_request(direct_url, headers=headers)
    with (
        serve_reference(variations=variations) as upstream,
        serve_proxy(ProxyConfig(upstream, **LIMITS)) as (url, _proxy),
    ):
        proxied = raw_request(url, headers=headers)
    assert heads(proxied.head) == heads(direct.head)
    chunked = "chunked" in variations
    assert unchunked(proxied.body, chunked) == unchunked(direct.body, chunked)
    assert len(proxied.body) > 100
    if "gzip" in variations:
        assert proxied.body[:2] == b"\x1f\x8b"


def heads(head: bytes) -> list[bytes]:
    """The status line and headers, but those of the connection (and the Date)."""
    own = (b"date:", b"transfer-encoding:", b"connection:")
    return [line for line in head.split(b"\r\n") if not line.lower().startswith(own)]


def unchunked(body: bytes, chunked: bool) -> bytes:
    """The body without its chunked framing, if it has one."""
    return dechunked(body) if chunked else body


def test_proxy_forwards_headers_and_body_with_host_rewritten() -> None:
    echo = EchoApp()
    with serve_plain(echo) as upstream, serve_proxy(ProxyConfig(upstream, **LIMITS)) as (
        url, _proxy,
    ):  # fmt: skip
        answer = httpx.put(url + "/x?a=1", content=b"payload", headers={
            "X-Custom": "yes", "Connection": "close, X-Drop", "X-Drop": "hop"})  # fmt: skip
    [seen] = echo.received
    assert seen["headers"]["x-custom"] == "yes" and "x-drop" not in seen["headers"]
    assert seen["headers"]["host"] == upstream.removeprefix("http://")
    assert seen["body"] == "payload" and seen["target"] == "/x?a=1"
    assert answer.headers["x-echo"] == "1" and "server" not in answer.headers


def test_read_only_proxy_answers_post_403_and_forwards_nothing() -> None:
    echo = EchoApp()
    with (
        serve_plain(echo) as upstream,
        serve_proxy(ProxyConfig(upstream, read_only=True, **LIMITS)) as (url, _proxy),
    ):
        refused = httpx.post(url + ROUTE, headers={"Accept": "application/xml"})
        allowed = httpx.get(url + "/anything")
        journal = httpx.get(url + JOURNAL_PATH).json()["entries"]
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/xml; charset=utf-8"
    assert (
        "--read-only: POST is not forwarded" in refused.text and "<Error><Message>" in refused.text
    )
    assert READ_ONLY_MESSAGE in refused.text.replace("&amp;", "&")
    assert [seen["method"] for seen in echo.received] == ["GET"] and allowed.status_code == 200
    assert [entry["forwarded"] for entry in journal] == [False, True]


def test_unreachable_upstream_gives_502_and_a_transport_violation() -> None:
    log = io.StringIO()
    with serve_proxy(ProxyConfig("http://127.0.0.1:9", log=log, **LIMITS)) as (url, proxy):
        answer = httpx.post(url + ROUTE, headers={"Accept": "application/json"})
    assert answer.status_code == 502 and "Message" in answer.json()
    assert journal_rules(proxy) == {"transport.connection"}
    assert "VIOLATION transport.connection" in log.getvalue()


@pytest.mark.parametrize("upstream", ["ftp://staging/", "staging.example", "http://", "file:///x"])
def test_an_upstream_that_is_not_http_exits_2_with_one_line(upstream: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server", "proxy", "--upstream", upstream],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not an http(s) URL" in result.stderr
