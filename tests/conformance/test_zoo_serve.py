"""The zoo's servers bind loopback on a free port and always stop, leaving nothing behind."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from urllib.parse import urlsplit

import pytest

from tests.conformance import zoo
from tests.conformance.zoo import create_app, serve_hostile, serve_reference, serve_wsgi
from tests.conformance.zoo.rawclient import raw_request

Server = Callable[[], AbstractContextManager[str]]

SERVERS: dict[str, Server] = {
    "wsgi": lambda: serve_wsgi(create_app()),
    "reference": lambda: serve_reference(breaks=frozenset({"json-casing"})),
    "hostile": lambda: serve_hostile("html-500"),
}


def zoo_threads() -> set[threading.Thread]:
    """Live threads the zoo's servers started."""
    return {t for t in threading.enumerate() if t.name.startswith("zoo-")}


def refused(url: str) -> bool:
    """Whether nothing listens at ``url`` any more."""
    address = urlsplit(url)
    try:
        socket.create_connection((address.hostname, address.port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture(autouse=True)
def no_thread_left() -> Iterator[None]:
    before = zoo_threads()
    yield
    assert zoo_threads() <= before


@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_server_listens_on_loopback_and_stops_on_exit(kind: str) -> None:
    with SERVERS[kind]() as url:
        assert urlsplit(url).hostname == "127.0.0.1"
        assert raw_request(url, "GET").status == 405
    assert refused(url)


@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_server_stops_when_the_block_raises(kind: str) -> None:
    with pytest.raises(RuntimeError, match="boom"), SERVERS[kind]() as url:
        raise RuntimeError("boom")
    assert refused(url)


def test_hostile_server_stops_with_hanging_connections_still_open() -> None:
    with serve_hostile("hang") as url:
        address = urlsplit(url)
        clients = [
            socket.create_connection((address.hostname, address.port), timeout=1) for _ in range(3)
        ]
        for client in clients:
            client.sendall(b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        assert raw_request(url, budget=0.2).stopped_by == "timeout"
    try:
        assert all(client.recv(1) == b"" for client in clients)  # closed by the server
    finally:
        for client in clients:
            client.close()


def test_serve_hostile_refuses_an_unknown_name_and_lists_the_known_ones() -> None:
    with (
        pytest.raises(ValueError, match=r"unknown hostile target 'nope'; known: \["),
        serve_hostile("nope"),
    ):
        pass


def test_zoo_package_exports_exactly_its_documented_api() -> None:
    assert sorted(zoo.__all__) == sorted(
        [
            "BREAKS",
            "HOSTILE",
            "RESET_PATH",
            "ROUTE",
            "VALID_VARIATIONS",
            "Break",
            "Hostile",
            "RawAnswer",
            "ReferenceApp",
            "Scope",
            "create_app",
            "raw_request",
            "serve_hostile",
            "serve_reference",
            "serve_wsgi",
        ]
    )
    assert all(hasattr(zoo, name) for name in zoo.__all__)
