"""``retry-mock proxy --upstream URL`` and ``retry-mock --replay FILE``: parse, check, serve.

Bad options - an upstream that is not an http(s) URL, a HAR file replay cannot use, a
port nothing can listen on - exit 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from mock_server.__main__ import _Parser, _port, _port_or_exit, _positive, _warn_unless_loopback
from mock_server.plain_server import make_plain_server, serve_until_stopped
from mock_server.proxy import ProxyConfig, ValidatingProxy
from mock_server.replay import HarError, ReplayApp, describe, load_har

__all__ = ["proxy_main", "replay_main"]

_PROG = "retry-mock proxy"


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=_PROG, description="Forward to an upstream (staging) and check "
                     "each answer of the retry route and each error answer live.")  # fmt: skip
    add = parser.add_argument
    add("--upstream", required=True, metavar="URL", help="the service root to forward to")
    add("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    add("--port", type=_port, default=5001, help="TCP port (default 5001, 0: a free one)")
    add("--record", type=Path, metavar="FILE", help="write every exchange to FILE as HAR 1.2")
    add("--redact-header", action="append", default=[], metavar="NAME",
        help="also mask header NAME and its values in the HAR (repeatable)")  # fmt: skip
    add("--read-only", action="store_true",
        help="answer POST 403 and forward none (no invoice is re-sent)")  # fmt: skip
    add("--timeout", type=_seconds, default=30.0, help="seconds per upstream answer (default 30)")
    add("--max-bytes", type=_positive, default=10 * 2**20,
        help="largest upstream body accepted (default 10 MiB)")  # fmt: skip
    return parser


def _error(prog: str, message: str) -> SystemExit:
    print(f"{prog}: error: {message}", file=sys.stderr, flush=True)
    return SystemExit(2)


def _upstream(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _error(_PROG, f"--upstream {text!r}: not an http(s) URL with a host")
    return text.rstrip("/")


def proxy_main(argv: Sequence[str]) -> None:
    """Serve the validating proxy until SIGTERM or SIGINT."""
    options = _parser().parse_args(argv)
    upstream = _upstream(options.upstream)
    if options.record is not None and not options.record.parent.is_dir():
        raise _error(_PROG, f"--record {options.record}: no such directory")
    _warn_unless_loopback(options.host, guarded=False)
    port = _port_or_exit(options.host, options.port)
    config = ProxyConfig(upstream, timeout=options.timeout, max_bytes=options.max_bytes,
                         read_only=options.read_only, record=options.record,
                         redact_headers=tuple(options.redact_header))  # fmt: skip
    proxy = ValidatingProxy(config)
    server = make_plain_server(proxy, options.host, port)
    recording = f", recording to {options.record}" if options.record else ""
    mode = ", read-only" if options.read_only else ""

    def ready() -> None:
        print(f"retry proxy: http://{options.host}:{server.server_port} -> {upstream}"
              f"{mode}{recording}", file=sys.stderr, flush=True)  # fmt: skip

    try:
        serve_until_stopped(server, ready)
    finally:
        proxy.close()


def replay_main(har: Path, *, mode: str, host: str, port: int) -> None:
    """Serve the recorded answers of ``har`` until SIGTERM or SIGINT."""
    try:
        shapes = load_har(har)
    except HarError as error:
        raise _error("retry-mock", f"--replay {har}: {error}") from None
    _warn_unless_loopback(host, guarded=False)
    server = make_plain_server(ReplayApp(shapes, mode=mode), host, _port_or_exit(host, port))

    def ready() -> None:
        listed = "; ".join(describe(shape) for shape in shapes)
        print(f"retry mock: http://{host}:{server.server_port} (replay of {har}, {mode}: "
              f"{listed})", file=sys.stderr, flush=True)  # fmt: skip

    serve_until_stopped(server, ready)
