"""Each valid variation differs from the reference on the wire but carries the same data."""

from __future__ import annotations

import gzip
import socket
from urllib.parse import urlsplit

import pytest
from lxml import etree
from werkzeug.test import Client, TestResponse

from contract.artifacts import load_contract
from contract.wire import read_json, read_xml
from tests.conformance.zoo import ROUTE, VALID_VARIATIONS, create_app, serve_reference
from tests.conformance.zoo.rawclient import dechunked
from tests.conformance.zoo.variations import VARIATION_MUTATIONS

JSON = "application/json"
XML = "application/xml"


def answer(variations: frozenset[str], accept: str, **headers: str) -> TestResponse:
    """The first retry of a fresh reference with ``variations`` on."""
    client = Client(create_app(variations=variations))
    return client.post(ROUTE, headers={"Accept": accept, **headers})


def reference(accept: str) -> TestResponse:
    """The first retry of the plain reference."""
    return answer(frozenset(), accept)


def test_every_valid_variation_is_implemented() -> None:
    assert sorted(VARIATION_MUTATIONS) == sorted(VALID_VARIATIONS)


@pytest.mark.parametrize(
    ("name", "accept"),
    [
        ("xml-prefixes", XML),
        ("xml-indented", XML),
        ("xml-declaration", XML),
        ("xml-char-references", XML),
        ("json-indented", JSON),
        ("json-ascii-escapes", JSON),
    ],
)
def test_body_variation_changes_the_bytes_but_not_the_values(name: str, accept: str) -> None:
    varied, plain = answer(frozenset({name}), accept).data, reference(accept).data
    read = read_xml if accept == XML else read_json
    assert varied != plain
    assert read(varied, load_contract()) == read(plain, load_contract())


def test_xml_prefixes_variation_has_no_default_namespace_and_prefixes_x_and_a() -> None:
    body = answer(frozenset({"xml-prefixes"}), XML).data
    root = etree.fromstring(body)
    assert None not in root.nsmap and {"x", "a", "i"} <= set(root.nsmap)
    assert body.startswith(b"<x:RestApiResultOfArrayOfInvoiceSendingStatusVo8ZwS41wm ")
    assert b"<a:InvoiceSendingStatusVo>" in body


def test_xml_char_references_variation_is_ascii_with_a_numeric_reference() -> None:
    body = answer(frozenset({"xml-char-references"}), XML).data
    assert body.isascii() and b"MediSwitch &#8211; EDI" in body


def test_json_ascii_escapes_variation_escapes_the_en_dash() -> None:
    body = answer(frozenset({"json-ascii-escapes"}), JSON).data
    assert body.isascii() and b"MediSwitch \\u2013 EDI" in body


def test_xml_declaration_variation_starts_with_the_declaration() -> None:
    body = answer(frozenset({"xml-declaration"}), XML).data
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?><RestApiResult')


def test_extra_headers_variation_adds_aspnet_headers() -> None:
    response = answer(frozenset({"extra-headers"}), JSON)
    assert (response.headers["X-Powered-By"], response.headers["Expires"]) == ("ASP.NET", "-1")
    assert response.data == reference(JSON).data


def test_charset_spelling_variation_quotes_and_uppercases_the_charset() -> None:
    response = answer(frozenset({"charset-spelling"}), XML)
    assert response.headers["Content-Type"] == 'application/xml;charset="UTF-8"'


def test_gzip_variation_compresses_only_when_the_client_accepts_gzip() -> None:
    compressed = answer(frozenset({"gzip"}), JSON, **{"Accept-Encoding": "gzip, deflate"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.data) == reference(JSON).data
    plain = answer(frozenset({"gzip"}), JSON)
    assert "Content-Encoding" not in plain.headers and plain.data == reference(JSON).data


def _raw_post(base_url: str) -> bytes:
    address = urlsplit(base_url)
    request = (
        f"POST {ROUTE} HTTP/1.1\r\nHost: {address.netloc}\r\nAccept: application/json\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=2) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_chunked_variation_sends_several_chunks_without_content_length() -> None:
    with serve_reference(variations=frozenset({"chunked"})) as base_url:
        head, _, body = _raw_post(base_url).partition(b"\r\n\r\n")
    assert b"\r\nTransfer-Encoding: chunked" in head
    assert b"Content-Length" not in head
    assert body.count(b"\r\n") > 4  # more than one chunk
    assert dechunked(body) == reference(JSON).data
