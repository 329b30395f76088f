"""Each hostile target misbehaves as described, seen through a bounded raw-socket client."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable

import pytest

from conformance.rules import RULES
from contract.artifacts import load_contract
from contract.wire import read_xml
from tests.conformance.zoo import HOSTILE, RESET_PATH, ROUTE, serve_hostile, serve_reference
from tests.conformance.zoo.hostile import (
    BOMB_EXPANDED_BYTES,
    DEEP_JSON_LEVELS,
    HUGE_BYTES,
    GzipBomb,
    deep_json,
    huge_body,
)
from tests.conformance.zoo.rawclient import RawAnswer, raw_request

XML_ACCEPT = (("Accept", "application/xml"),)


def _hang(url: str) -> RawAnswer:
    answer = raw_request(url, budget=0.3)
    assert (answer.head, answer.stopped_by) == (b"", "timeout")
    return answer


def _drip(url: str) -> RawAnswer:
    answer = raw_request(url, budget=1.5)
    assert (answer.status, answer.header("Content-Length")) == (200, str(10 * 2**20))
    assert answer.stopped_by == "timeout"
    assert 1 <= len(answer.body) <= 3 and answer.body.strip() == b""
    return answer


def _huge(url: str) -> RawAnswer:
    answer = raw_request(url, limit=4 * 2**20, budget=2.0)
    assert answer.header("Content-Length") == str(HUGE_BYTES)
    assert answer.stopped_by == "limit"
    assert answer.body.startswith(b'{"Sucess":true,"ResponseCode":0,"ResponseMessage":"xxx')
    return answer


def _gzip_bomb(url: str) -> RawAnswer:
    answer = raw_request(url, limit=16 * 1024, budget=2.0)
    assert answer.header("Content-Encoding") == "gzip"
    assert int(answer.header("Content-Length") or 0) < 5 * 2**20
    inflater = zlib.decompressobj(31)
    expanded = len(inflater.decompress(answer.body, 64 * 2**20))
    assert expanded > 500 * len(answer.body)
    return answer


def _invalid_utf8(url: str) -> RawAnswer:
    answer = raw_request(url)
    assert answer.header("Content-Type") == "application/json; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        answer.body.decode("utf-8")
    assert json.loads(answer.body.decode("latin-1"))["ResponseMessage"].startswith("décliné ")
    xml = raw_request(url, headers=XML_ACCEPT)
    assert read_xml(xml.body, load_contract())["Sucess"] is True
    return answer


def _truncated(url: str) -> RawAnswer:
    answer = raw_request(url)
    assert (answer.header("Content-Length"), len(answer.body)) == ("1000", 100)
    assert answer.stopped_by is None  # the server closed the connection
    return answer


def _html_500(url: str) -> RawAnswer:
    answer = raw_request(url)
    assert (answer.status, answer.header("Content-Type")) == (500, "text/html")
    assert b"<h2>500 - Internal server error.</h2>" in answer.body
    assert raw_request(url, "GET").status == 405
    return answer


def _deep_json(url: str) -> RawAnswer:
    answer = raw_request(url)
    assert answer.body == deep_json(DEEP_JSON_LEVELS)
    assert answer.body[:3] == b"[[[" and len(answer.body) == 2 * DEEP_JSON_LEVELS
    xml = raw_request(url, headers=XML_ACCEPT)
    assert read_xml(xml.body, load_contract())["Sucess"] is True
    return answer


def _connection_reset(url: str) -> RawAnswer:
    answer = raw_request(url)
    assert (answer.head, answer.stopped_by) == (b"", "ConnectionResetError")
    return answer


def _redirect_off_host(url: str) -> RawAnswer:
    answer = raw_request(url)
    assert (answer.status, answer.header("Location")) == (302, "http://example.invalid/")
    return answer


def _redirect_same_host(url: str) -> RawAnswer:
    answer = raw_request(url, "GET")
    assert (answer.status, answer.header("Location")) == (302, url + ROUTE)
    return answer


def _garbage(url: str) -> RawAnswer:
    answer = raw_request(url)
    assert answer.status is None and answer.head.startswith(b"SSH-2.0-")
    return answer


BEHAVES: dict[str, Callable[[str], RawAnswer]] = {
    "hang": _hang,
    "drip": _drip,
    "huge": _huge,
    "gzip-bomb": _gzip_bomb,
    "invalid-utf8": _invalid_utf8,
    "truncated": _truncated,
    "html-500": _html_500,
    "deep-json": _deep_json,
    "connection-reset": _connection_reset,
    "redirect-off-host": _redirect_off_host,
    "redirect-same-host": _redirect_same_host,
    "garbage": _garbage,
}


def test_every_hostile_target_has_a_behaviour_check() -> None:
    assert sorted(BEHAVES) == sorted(HOSTILE)


def usable(answer: RawAnswer) -> bool:
    """Whether a plain client gets a complete, correct-looking answer: 200, read to the end,
    exactly Content-Length bytes, no Content-Encoding (none was asked for), a UTF-8 JSON
    object of ordinary depth."""
    length = answer.header("Content-Length")
    if (answer.status, answer.stopped_by, answer.header("Content-Encoding")) != (200, None, None):
        return False
    if length is None or int(length) != len(answer.body):
        return False
    try:
        document = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(document, dict)


def test_the_reference_answer_is_usable() -> None:
    with serve_reference() as url:
        answer = raw_request(url)
    assert usable(answer), answer


@pytest.mark.parametrize("name", sorted(BEHAVES))
def test_hostile_target_misbehaves_as_described(name: str) -> None:
    with serve_hostile(name) as url:
        answer = BEHAVES[name](url)  # the details its description names
    assert not usable(answer), f"{name} gave a usable answer: {answer.head!r}"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_target_still_answers_the_reset(name: str) -> None:
    with serve_hostile(name) as url:
        answer = raw_request(url, "POST", RESET_PATH)
    assert answer.status == 204


@pytest.mark.parametrize("name", ["invalid-utf8", "deep-json", "html-500"])
def test_hostile_retry_target_answers_an_unknown_path_correctly(name: str) -> None:
    with serve_hostile(name) as url:
        answer = raw_request(url, "GET", "/api/v1/nothing")
    assert answer.status == 404
    assert answer.body.startswith(b'{"Message":"No HTTP resource was found')


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_target_expects_one_canonical_rule(name: str) -> None:
    assert HOSTILE[name].expected_rule in RULES


def test_gzip_bomb_is_a_valid_gzip_stream_of_spaces_of_its_declared_size() -> None:
    bomb = GzipBomb(4 * 2**20)
    stream = b"".join(bomb.pieces())
    assert len(stream) == bomb.compressed_size
    assert gzip.decompress(stream) == b" " * (4 * 2**20)


def test_gzip_bomb_of_two_gigabytes_compresses_to_a_few_megabytes() -> None:
    assert GzipBomb(BOMB_EXPANDED_BYTES).compressed_size < 4 * 2**20


def test_gzip_bomb_refuses_a_size_that_is_not_whole_megabytes() -> None:
    with pytest.raises(ValueError, match="multiple of 1048576"):
        GzipBomb(1000)


def test_huge_body_yields_exactly_its_size_as_one_json_document() -> None:
    size = 200_000
    body = b"".join(huge_body(size))
    assert len(body) == size
    assert json.loads(body)["Data"] == []
