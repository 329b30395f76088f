"""Throughput and latency: our stateful mock against Prism, in the same run, under wrk.

Our mock runs the scenario ``all-failing`` with 20 failed invoices, so every call really
retries the same 20 invoices (a write transaction per call); Prism serves the same
openapi.yaml statically. Both run side by side; wrk drives one at a time with 16
connections, in alternating rounds (ours JSON, Prism JSON, ours XML, Prism XML), and each
figure is the median over the rounds: the machine's speed drifts by a fifth and more over
a minute, and alternating rounds spread that drift over both servers alike.

    .venv/bin/python -m bench.throughput [--rounds 3] [--seconds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
from dataclasses import dataclass, fields

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
    run_main,
    running,
)

MEDIA_TYPES = ("application/json", "application/xml")
OURS, PRISM_NAME = "our mock", "Prism 5.16.0"
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


def median_load(loads: list[Load]) -> Load:
    """Each measure's median over the rounds."""
    medians = (statistics.median(getattr(load, f.name) for load in loads) for f in fields(Load))
    return Load(*medians)


def check_mock(base_url: str) -> None:
    """Our mock must answer 20 invoices in both formats before it is measured."""
    for accept in MEDIA_TYPES:
        response = post(base_url, accept)
        if response.status_code != 200 or item_count(response.content, accept) != 20:
            raise BenchError(f"the mock did not return 20 invoices for {accept}")


def measure(
    rounds: int, seconds: int, connections: int, workers: int
) -> dict[tuple[str, str], Load]:
    """Median loads by (server, media type), both servers running side by side."""
    if not PRISM.exists():
        raise BenchError("Prism is not installed: run bench/setup.sh")
    ours_port, prism_port = free_port(), free_port()
    prism_command = [
        str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(prism_port), str(REPO / "openapi.yaml")
    ]  # fmt: skip
    with (
        running(mock_command(ours_port, failed=20, workers=workers), ours_port) as ours,
        running(prism_command, prism_port, timeout=120) as prism,
    ):
        check_mock(ours.base_url)
        urls = {OURS: ours.base_url + ROUTE, PRISM_NAME: prism.base_url + ROUTE}
        loads: dict[tuple[str, str], list[Load]] = {}
        for _ in range(rounds):
            for media_type in MEDIA_TYPES:
                for name, url in urls.items():
                    load = run_wrk(url, media_type, seconds=seconds, connections=connections)
                    loads.setdefault((name, media_type), []).append(load)
    return {key: median_load(values) for key, values in loads.items()}


def main() -> None:
    """Measure both servers and record the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per measurement")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="mock worker processes")
    options = parser.parse_args()
    if min(options.rounds, options.seconds, options.connections, options.workers) < 1:
        raise SystemExit(
            "error: --rounds, --seconds, --connections and --workers must be 1 or more"
        )
    loads = measure(options.rounds, options.seconds, options.connections, options.workers)
    rows = []
    for media_type in MEDIA_TYPES:
        for name in (OURS, PRISM_NAME):
            load = loads[(name, media_type)]
            rows.append([
                name, media_type, f"{load.requests_per_second:,.0f}", f"{load.p50_ms:.2f}",
                f"{load.p99_ms:.2f}", load.non_2xx, load.socket_errors,
            ])  # fmt: skip
        ratio = (
            loads[(OURS, media_type)].requests_per_second
            / loads[(PRISM_NAME, media_type)].requests_per_second
        )
        rows.append(["ratio ours/Prism", media_type, f"{ratio:.2f}×", "", "", "", ""])
    headers = ["server", "Accept", "requests/s", "p50 ms", "p99 ms", "non-2xx", "socket errors"]
    record(
        f"Throughput, {options.connections} connections, median of {options.rounds} "
        f"alternating rounds of {options.seconds} s",
        markdown_table(headers, rows),
        [
            f"Our mock: `python -m mock_server --workers {options.workers} --scenario "
            "all-failing --failed 20` (every call retries 20 invoices in a SQLite transaction).",
            "Prism: `prism mock openapi.yaml` (static example; keeps no state). "
            "Its non-2xx answers for XML are counted, not excluded.",
        ],
    )


if __name__ == "__main__":
    run_main(main)
