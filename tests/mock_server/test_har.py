"""Recording and replay: the HAR the proxy writes is HAR 1.2, holds no secret in any
form, and replays to the bytes the proxy passed on; bad files are one-line errors."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from mock_server.proxy import ProxyConfig
from mock_server.replay import Recorded, ReplayApp, load_har
from tests.conformance.test_redaction_forms import leaks
from tests.conformance.zoo import ROUTE, RawAnswer, raw_request, serve_reference
from tests.mock_server.proxy_support import EchoApp, serve_plain, serve_proxy

LIMITS = {"timeout": 2.0, "max_bytes": 1_000_000}
TOKEN = "tok3n/Secret+value=="
PASSWORD = "pa55word-Secret&more"
COOKIE = "c00kie%Secret-session"
CUSTOM = "custom~Secret/header"
_NAME_VALUE = {"type": "object", "required": ["name", "value"],
               "properties": {"name": {"type": "string"}, "value": {"type": "string"}}}  # fmt: skip
_LIST = {"type": "array", "items": _NAME_VALUE}
HAR_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["log"],
    "properties": {"log": {
        "type": "object", "required": ["version", "creator", "entries"],
        "properties": {
            "version": {"const": "1.2"},
            "creator": {"type": "object", "required": ["name", "version"]},
            "entries": {"type": "array", "items": {"$ref": "#/$defs/entry"}},
        },
    }},
    "$defs": {
        "entry": {
            "type": "object",
            "required": ["startedDateTime", "time", "request", "response", "cache", "timings"],
            "properties": {
                "startedDateTime": {"type": "string", "format": "date-time"},
                "time": {"type": "number", "minimum": 0},
                "request": {"$ref": "#/$defs/request"}, "response": {"$ref": "#/$defs/response"},
                "cache": {"type": "object"},
                "timings": {"type": "object", "required": ["send", "wait", "receive"],
                            "properties": {k: {"type": "number", "minimum": -1}
                                           for k in ("blocked", "dns", "connect", "send",
                                                     "wait", "receive", "ssl")}},
            },
        },
        "request": {
            "type": "object",
            "required": ["method", "url", "httpVersion", "cookies", "headers", "queryString",
                         "headersSize", "bodySize"],
            "properties": {
                "method": {"type": "string"}, "url": {"type": "string"},
                "httpVersion": {"type": "string"}, "cookies": _LIST, "headers": _LIST,
                "queryString": _LIST, "headersSize": {"type": "integer"},
                "bodySize": {"type": "integer"},
                "postData": {"type": "object", "required": ["mimeType", "text"]},
            },
        },
        "response": {
            "type": "object",
            "required": ["status", "statusText", "httpVersion", "cookies", "headers", "content",
                         "redirectURL", "headersSize", "bodySize"],
            "properties": {
                "status": {"type": "integer"}, "statusText": {"type": "string"},
                "httpVersion": {"type": "string"}, "cookies": _LIST, "headers": _LIST,
                "content": {"type": "object", "required": ["size", "mimeType", "text"],
                            "properties": {"size": {"type": "integer"},
                                           "mimeType": {"type": "string"},
                                           "text": {"type": "string"},
                                           "encoding": {"const": "base64"}}},
                "redirectURL": {"type": "string"}, "headersSize": {"type": "integer"},
                "bodySize": {"type": "integer"},
            },
        },
    },
}  # fmt: skip
SECRET_HEADERS = {
    "Authorization": "Bearer " + TOKEN,
    "Cookie": f"session={COOKIE}; lang=en",
    "X-Custom-Key": CUSTOM,
}


def validate(path: Path) -> dict[str, Any]:
    """The HAR document at ``path``, validated against HAR_SCHEMA."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, HAR_SCHEMA, format_checker=jsonschema.FormatChecker())
    return document


def test_recorded_har_is_valid_and_holds_no_secret_in_any_form(tmp_path: Path) -> None:
    har = tmp_path / "staging.har"
    basic = "Basic " + base64.b64encode(f"qa-user:{PASSWORD}".encode()).decode()
    config = ProxyConfig("", record=har, redact_headers=("X-Custom-Key",), **LIMITS)
    with (
        serve_plain(EchoApp()) as upstream,
        serve_proxy(
            ProxyConfig(upstream, record=har, redact_headers=config.redact_headers, **LIMITS)
        ) as (url, _proxy),
    ):
        for path in ("/echo", "/gzip"):
            httpx.post(url + path + f"?key={CUSTOM}", headers=SECRET_HEADERS,
                       content=f"body with {TOKEN}".encode())  # fmt: skip
            validate(har)  # valid after each entry, not only at the end
        httpx.get(url + "/echo", headers={"Authorization": basic})
    document = validate(har)
    text = har.read_text(encoding="utf-8")
    assert len(document["log"]["entries"]) == 3
    for secret in (TOKEN, PASSWORD, COOKIE, CUSTOM, basic.split()[1]):
        assert leaks(text, secret) == [], secret
    first = document["log"]["entries"][0]
    assert {h["name"]: h["value"] for h in first["request"]["headers"]}["Authorization"] == "***"
    assert first["request"]["cookies"] == [{"name": "session", "value": "***"},
                                           {"name": "lang", "value": "***"}]  # fmt: skip


CALLS = [("POST", ROUTE, "application/json"), ("POST", ROUTE, "application/json"),
         ("POST", ROUTE, "application/xml"), ("GET", ROUTE, "text/xml"),
         ("GET", "/api/nothing/here", "application/json")]  # fmt: skip


def _calls(url: str) -> list[RawAnswer]:
    """CALLS' answers from ``url``, as bytes on the wire."""
    return [raw_request(url, method, path, headers=(("Accept", accept),
                                                    ("Accept-Encoding", "gzip")))
            for method, path, accept in CALLS]  # fmt: skip


def _wire(answer: RawAnswer) -> tuple[list[bytes], bytes]:
    own = (b"date:", b"connection:")
    head = [line for line in answer.head.split(b"\r\n") if not line.lower().startswith(own)]
    return head, answer.body


def test_a_recording_replays_to_the_same_bytes_then_repeats_the_last(tmp_path: Path) -> None:
    har = tmp_path / "reference.har"
    with (
        serve_reference(variations=frozenset({"gzip"})) as upstream,
        serve_proxy(ProxyConfig(upstream, record=har, **LIMITS)) as (url, _proxy),
    ):
        recorded = _calls(url)
    document = validate(har)
    assert any(e["response"]["content"].get("encoding") == "base64"
               for e in document["log"]["entries"])  # fmt: skip
    with serve_plain(ReplayApp(load_har(har))) as url:
        replayed = _calls(url)
        again = raw_request(url, headers=(("Accept", "application/json"),
                                          ("Accept-Encoding", "gzip")))  # fmt: skip
    assert [_wire(answer) for answer in replayed] == [_wire(answer) for answer in recorded]
    assert again.body == recorded[1].body != recorded[0].body
    assert recorded[0].body[:2] == b"\x1f\x8b"


def test_replay_loops_through_the_answers_in_loop_mode() -> None:
    answers = [Recorded(200, "OK", (), bytes([n])) for n in range(2)]
    shape = ("POST", ROUTE, "application/json")
    looping, repeating = ReplayApp({shape: answers}, mode="loop"), ReplayApp({shape: answers})
    assert [looping.next_answer(shape) for _ in range(3)] == [*answers, answers[0]]
    assert [repeating.next_answer(shape) for _ in range(3)] == [*answers, answers[1]]


def test_an_unrecorded_shape_gets_a_404_naming_the_recorded_ones(tmp_path: Path) -> None:
    shape = ("POST", ROUTE, "application/json")
    with serve_plain(ReplayApp({shape: [Recorded(200, "OK", (), b"{}")]})) as url:
        answer = httpx.post(url + ROUTE, headers={"Accept": "application/xml"})
    assert answer.status_code == 404 and answer.headers["content-type"].startswith(
        "application/xml"
    )
    assert f"POST {ROUTE} (application/xml)" in answer.text
    assert f"the file has: POST {ROUTE} (application/json)" in answer.text


_ENTRY = {"request": {"method": "POST", "url": "http://x/a", "headers": []},
          "response": {"status": 200, "headers": [], "content": {"text": "{}"}}}  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json {", "not JSON"),
        (json.dumps({"log": {"version": "1.1", "entries": [_ENTRY]}}), "not HAR 1.2"),
        (json.dumps({"entries": []}), "the file: missing log"),
        (json.dumps({"log": {"version": "1.2", "entries": []}}), "log.entries is empty"),
        (json.dumps({"log": {"version": "1.2", "entries": [{"request": {}}]}}),
         "log.entries[0]: missing response"),
        (json.dumps({"log": {"version": "1.2", "entries": [
            {**_ENTRY, "response": {**_ENTRY["response"], "status": "200"}}]}}),
         "log.entries[0].response.status: expected int"),
    ],
    ids=["not-json", "version", "no-log", "no-entries", "no-response", "status-type"],
)  # fmt: skip
def test_a_bad_har_file_exits_2_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    har = tmp_path / "bad.har"
    har.write_text(content, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mock_server", "--replay", str(har)],
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
