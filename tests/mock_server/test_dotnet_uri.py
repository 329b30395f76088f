"""Uri.ToString() as .NET Framework 4.5+ writes it, and the 404 message that names it."""

from __future__ import annotations

import json
import socket

import pytest
from flask.testing import FlaskClient

from mock_server.dotnet_uri import request_uri_text, uri_to_string
from tests.mock_server.conftest import live_mock

BASE = "http://localhost"


def shown(path_and_query: str, *, legacy: bool = False) -> str:
    """What ToString() shows after the authority for ``BASE + path_and_query``."""
    return uri_to_string(BASE + path_and_query, legacy=legacy).removeprefix(BASE)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/%41%42%63", "/ABc"),  # letters and digits
        ("/%7E%2D%2E%5F", "/~-._"),  # unreserved marks
        ("/a%20b", "/a b"),  # a space comes out as a space: ToString() is no valid URI
        ("/%22%3C%3E%60%7B%7D%7C%5E", '/"<>`{}|^'),  # neither reserved nor unsafe
        ("/%6a%6A", "/jj"),  # either case of hex digits
    ],
)
def test_unreserved_and_other_safe_escapes_are_decoded(given: str, expected: str) -> None:
    assert shown(given) == expected


RESERVED = "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D"


@pytest.mark.parametrize(
    "given",
    [
        "/" + RESERVED,  # RFC 3986 gen-delims and sub-delims
        "/%25",  # '%' itself
        "/%2541",  # '%' itself, then the digits as they are
        "/%5C",  # backslash
        "/%00%01%1F%7F%80%9F",  # control characters
        "/%2f%3a",  # kept escapes keep their spelling
        "/%EE%80%80",  # U+E000, private use: an IRI keeps it escaped outside the query
        "/%EF%BF%BE",  # U+FFFE: no IRI character
    ],
)
def test_reserved_and_unsafe_escapes_are_kept_as_written(given: str) -> None:
    assert shown(given) == given


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/%C3%A9", "/\u00e9"),
        ("/%e2%82%ac", "/\u20ac"),
        ("/%F0%9F%98%80", "/\U0001f600"),
        ("/%E2%80%8E", "/\u200e"),  # a bidi mark is kept (4.7.2+ default)
        ("/%c3", "/%C3"),  # a broken sequence: its bytes in upper-case hex
        ("/%c3%28", "/%C3%28"),  # then '(' is reserved and stays as written
        ("/%a0", "/%A0"),  # a continuation byte alone
        ("/%ef%bf%be", "/%EF%BF%BE"),  # not an IRI character: re-escaped in upper case
    ],
)
def test_utf8_escapes_are_decoded_when_they_spell_iri_characters(given: str, expected: str) -> None:
    assert shown(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [("/a%zz", "/a%25zz"), ("/a%4", "/a%254"), ("/a%", "/a%25"), ("/%%41", "/%25A")],
)
def test_a_percent_that_starts_no_escape_is_escaped(given: str, expected: str) -> None:
    assert shown(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/?x=%41%3D%26%20", "/?x=A%3D%26 "),
        ("/?a=%23&b=%3F&c=%2B", "/?a=%23&b=%3F&c=%2B"),
        ("/?%EE%80%80", "/?\ue000"),  # private use is an IRI character in a query
        ("/p%3F?q=%3F", "/p%3F?q=%3F"),
        ("/a#%41%23", "/a#A%23"),
    ],
)
def test_query_and_fragment_follow_the_same_rules(given: str, expected: str) -> None:
    assert shown(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://LocalHost:80/A", "http://localhost/A"),
        ("HTTPS://example.com:443/", "https://example.com/"),
        ("http://127.0.0.1:5000/x", "http://127.0.0.1:5000/x"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("http://h:80", "http://h/"),
        ("http://h:80?q=1", "http://h/?q=1"),
        ("  http://h/a \t", "http://h/a"),
        ("http://h/a/./b/../c/.", "http://h/a/c/"),
        ("http://h/a/%2E%2E/b", "http://h/a/../b"),  # escaped dots are no dot segments
        ("http://h/a\\b", "http://h/a/b"),
        ("http://h//a", "http://h//a"),
    ],
)
def test_scheme_host_port_and_path_are_canonical(given: str, expected: str) -> None:
    assert uri_to_string(given) == expected


def test_raw_characters_are_copied_and_non_iri_ones_escaped() -> None:
    assert shown("/x y/\u00e9") == "/x y/\u00e9"
    assert shown("/\ue000?\ue000") == "/%EE%80%80?\ue000"


def test_older_targets_use_rfc_2396_reserved_characters() -> None:
    assert shown("/%3A%5B%5D%21%27%28%29%2A", legacy=True) == "/:[]!'()*"
    assert shown("/%3B%2F%3F%40%26%3D%2B%24%2C%25%5C", legacy=True) == (
        "/%3B%2F%3F%40%26%3D%2B%24%2C%25%5C"
    )
    assert shown("/%E2%80%8E", legacy=True) == "/"  # bidi marks dropped


def test_a_relative_uri_is_refused() -> None:
    with pytest.raises(ValueError, match="not an absolute URI"):
        uri_to_string("/api/v1")


def test_request_uri_text_builds_what_aspnet_gives_the_uri_constructor() -> None:
    text = request_uri_text(
        scheme="http", host="Example.com:8080", server_port="5000", path="/a b", query="x=%41"
    )
    assert text == "http://Example.com:5000/a b?x=%41"
    assert request_uri_text(
        scheme="http", host="[::1]:5000", server_port="5000", path="/", query=""
    ) == "http://[::1]:5000/"  # fmt: skip


@pytest.mark.parametrize(
    ("target", "uri"),
    [
        ("/api/v1/billing/nothing?page=2", "http://localhost/api/v1/billing/nothing?page=2"),
        # The server decodes the path (as IIS does for ASP.NET); the query stays raw.
        ("/api/x%20y/%C3%A9/%41%2F?a=%41%26%25&b=%7E%5C%20",
         "http://localhost/api/x y/\u00e9/A/?a=A%26%25&b=~%5C "),
        ("/API/nothing?q=%3D%3d%2b", "http://localhost/API/nothing?q=%3D%3d%2b"),
        ("/api/nothing?q=%zz&r=%", "http://localhost/api/nothing?q=%25zz&r=%25"),
        ("/api/a/../b?x=%E2%82%AC", "http://localhost/api/b?x=\u20ac"),
    ],
)  # fmt: skip
def test_404_names_the_uri_as_web_api_on_iis_shows_it(
    client: FlaskClient, target: str, uri: str
) -> None:
    response = client.get(target, headers={"Accept": "application/json"})
    assert response.status_code == 404
    expected = f"No HTTP resource was found that matches the request URI '{uri}'."
    assert json.loads(response.data) == {"Message": expected}


def _raw_get(port: int, target: str) -> bytes:
    """The body the server sends for ``GET target``, sent byte for byte as written."""
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request.encode("ascii"))
        answer = connection.makefile("rb").read()
    return answer.partition(b"\r\n\r\n")[2]


def test_a_live_mock_names_the_uri_from_the_path_granian_decoded() -> None:
    with live_mock("--workers", "1") as mock:
        body = _raw_get(mock.port, "/api/x%20y/%C3%A9/%41%2F?a=%41%26%25&b=%7e")
    uri = f"http://127.0.0.1:{mock.port}/api/x y/\u00e9/A/?a=A%26%25&b=~"
    expected = f"No HTTP resource was found that matches the request URI '{uri}'."
    assert json.loads(body) == {"Message": expected}
