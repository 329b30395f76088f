"""Helpers for the proxy and replay tests: serve a proxy or a replay on loopback."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mock_server.plain_server import make_plain_server
from mock_server.proxy import ProxyConfig, ValidatingProxy
from tests.conformance.zoo.serve import serving

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


@contextlib.contextmanager
def serve_plain(app: WSGIApplication) -> Iterator[str]:
    """Serve ``app`` with the proxy's server on a free loopback port; yields its URL."""
    with serving(make_plain_server(app, "127.0.0.1", 0), "proxy-under-test") as url:
        yield url


@contextlib.contextmanager
def serve_proxy(config: ProxyConfig) -> Iterator[tuple[str, ValidatingProxy]]:
    """A validating proxy with ``config`` on loopback: its URL and the proxy."""
    proxy = ValidatingProxy(config)
    try:
        with serve_plain(proxy) as url:
            yield url, proxy
    finally:
        proxy.close()


class EchoApp:
    """An upstream that answers every request with what it received, as JSON (secrets
    echoed JSON-escaped and in base64; gzip-compressed under ``/gzip``), and keeps them."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}  # fmt: skip
        query = environ.get("QUERY_STRING", "")
        target = environ["PATH_INFO"] + (f"?{query}" if query else "")
        seen = {"method": environ["REQUEST_METHOD"], "target": target, "headers": headers,
                "body": body.decode()}  # fmt: skip
        self.received.append(seen)
        echoed = dict(seen, base64=base64.b64encode(json.dumps(headers).encode()).decode())
        answer = json.dumps(echoed).encode()
        sent = [("Content-Type", "application/json; charset=utf-8"), ("X-Echo", "1")]
        if environ["PATH_INFO"] == "/gzip":
            answer = gzip.compress(answer)
            sent.append(("Content-Encoding", "gzip"))
        start_response("200 OK", [*sent, ("Content-Length", str(len(answer)))])
        return [answer]
