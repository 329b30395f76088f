"""Throughput and latency: our stateful mock against Prism, in the same run, under wrk.

Our mock runs the scenario ``all-failing`` with 20 failed invoices, so every call really
retries the same 20 invoices (a write transaction per call); Prism serves the same
openapi.yaml statically. wrk drives each with 16 connections, JSON then XML.

    .venv/bin/python -m bench.throughput [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from dataclasses import dataclass

from bench.common import (
    REPO,
    ROUTE,
    BenchError,
    free_port,
    item_count,
    markdown_table,
    mock_command,
    post,
    record,
    require_tool,
    running,
)

MEDIA_TYPES = ("application/json", "application/xml")
PRISM = REPO / "bench" / "prism" / "node_modules" / ".bin" / "prism"


@dataclass(frozen=True)
class Load:
    """What wrk measured for one server and one media type."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


def run_wrk(url: str, accept: str, *, seconds: int, connections: int) -> Load:
    """Drive ``url`` with wrk (2 threads) and read the JSON line post.lua prints."""
    wrk = require_tool("wrk", "run bench/setup.sh")
    command = [
        wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(REPO / "bench" / "post.lua"), url,
    ]  # fmt: skip
    completed = subprocess.run(
        command, capture_output=True, text=True, env={"ACCEPT": accept}, check=False
    )
    line = next((x for x in completed.stdout.splitlines() if x.startswith("RESULT ")), None)
    if completed.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    data = json.loads(line.removeprefix("RESULT "))
    return Load(
        requests_per_second=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
    )


def load_each_format(url: str, seconds: int, connections: int) -> dict[str, Load]:
    """wrk against ``url`` once per media type."""
    return {mt: run_wrk(url, mt, seconds=seconds, connections=connections) for mt in MEDIA_TYPES}


def measure_mock(seconds: int, connections: int, workers: int) -> dict[str, Load]:
    """Our mock, all-failing with 20 invoices; checks first that it answers as it should."""
    port = free_port()
    with running(mock_command(port, failed=20, workers=workers), port) as server:
        for accept in MEDIA_TYPES:
            response = post(server.base_url, accept)
            if response.status_code != 200 or item_count(response.content, accept) != 20:
                raise BenchError(f"the mock did not return 20 invoices for {accept}")
        return load_each_format(server.base_url + ROUTE, seconds, connections)


def measure_prism(seconds: int, connections: int) -> dict[str, Load]:
    """Prism's static mock of the same openapi.yaml."""
    if not PRISM.exists():
        raise BenchError("Prism is not installed: run bench/setup.sh")
    port = free_port()
    command = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(REPO / "openapi.yaml")]
    with running(command, port, timeout=120) as server:
        return load_each_format(server.base_url + ROUTE, seconds, connections)


def main() -> None:
    """Measure both servers and record the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per measurement")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="mock worker processes")
    options = parser.parse_args()
    ours = measure_mock(options.seconds, options.connections, options.workers)
    prism = measure_prism(options.seconds, options.connections)
    rows = []
    for media_type in MEDIA_TYPES:
        for name, load in (("our mock", ours[media_type]), ("Prism 5.16.0", prism[media_type])):
            rows.append([
                name, media_type, f"{load.requests_per_second:,.0f}", f"{load.p50_ms:.2f}",
                f"{load.p99_ms:.2f}", load.non_2xx, load.socket_errors,
            ])  # fmt: skip
        ratio = ours[media_type].requests_per_second / prism[media_type].requests_per_second
        rows.append(["ratio ours/Prism", media_type, f"{ratio:.2f}×", "", "", "", ""])
    headers = ["server", "Accept", "requests/s", "p50 ms", "p99 ms", "non-2xx", "socket errors"]
    record(
        f"Throughput, {options.connections} connections, {options.seconds} s each",
        markdown_table(headers, rows),
        [
            f"Our mock: `python -m mock_server --workers {options.workers} --scenario "
            "all-failing --failed 20` (every call retries 20 invoices in a SQLite transaction).",
            "Prism: `prism mock openapi.yaml` (static example; keeps no state). "
            "Its non-2xx answers for XML are counted, not excluded.",
        ],
    )


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        raise SystemExit(f"error: {error}") from None
