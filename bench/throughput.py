"""Throughput and latency: our stateful mock against Prism, in the same run, under wrk.

Our mock runs the scenario ``all-failing`` with 20 failed invoices, so every call really
retries the same 20 invoices (a write transaction per call); Prism serves the same
openapi.yaml statically. Three calls, each sent alike to both servers: a plain POST
asking for JSON, one asking for XML, and a browser-shaped one (what a frontend's
``fetch(url, {method: "POST", credentials: "include"})`` or axios sends from a dev server
on another port: ``Origin``, cookies, axios's ``Accept``, the browser's own headers).
Both servers run side by side; wrk drives one at a time with 16 connections, in
alternating rounds (ours plain JSON, Prism plain JSON, ours XML, ...), and each figure is
the median over the rounds: the machine's speed drifts by a fifth and more over a
minute, and alternating rounds spread that drift over both servers alike.

    .venv/bin/python -m bench.throughput [--rounds 3] [--seconds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
from dataclasses import dataclass, fields

import httpx

from bench.common import (
    REPO,
    ROUTE,
    BenchError,
    free_port,
    item_count,
    markdown_table,
    mock_command,
    record,
    require_tool,
    run_main,
    running,
)

OURS, PRISM_NAME = "our mock", "Prism 5.16.0"
PRISM = REPO / "bench" / "prism" / "node_modules" / ".bin" / "prism"
BROWSER_ORIGIN = "http://localhost:5173"
# What Chrome sends for axios.post(url, undefined, {withCredentials: true}) from a Vite
# dev server (fetch with credentials: 'include' sends the same but its Accept, */*).
BROWSER_HEADERS = {
    "Accept": "application/json, text/plain, */*",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Accept-Language": "en-ZA,en;q=0.9",
    "Cookie": "ASP.NET_SessionId=k2v1q3mz0wq5xj2n4r1d; .AspNet.Cookies=CfDJ8Nq3x7Yb2w",
    "Origin": BROWSER_ORIGIN,
    "Referer": BROWSER_ORIGIN + "/billing/failed",
    "Sec-Fetch-Dest": "empty",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Site": "same-site",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
}
CALLS: dict[str, dict[str, str]] = {
    "plain, JSON": {"Accept": "application/json"},
    "plain, XML": {"Accept": "application/xml"},
    "browser-shaped": BROWSER_HEADERS,
}
"""Each call's name and its request headers (besides ``Content-Length: 0``)."""


@dataclass(frozen=True)
class Load:
    """What wrk measured for one server and one call."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


def run_wrk(url: str, headers: dict[str, str], *, seconds: int, connections: int) -> Load:
    """Drive ``url`` with wrk (2 threads) and read the JSON line post.lua prints."""
    wrk = require_tool("wrk", "run bench/setup.sh")
    command = [
        wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(REPO / "bench" / "post.lua"), url,
    ]  # fmt: skip
    lines = "\n".join(f"{name}: {value}" for name, value in headers.items())
    completed = subprocess.run(
        command, capture_output=True, text=True, env={"HEADERS": lines}, check=False
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
    """Our mock must answer 20 invoices to every call (CORS for the browser) before it runs."""
    for name, headers in CALLS.items():
        response = httpx.post(base_url + ROUTE, headers=headers, timeout=120)
        media_type = response.headers.get("content-type", "")
        if response.status_code != 200 or item_count(response.content, media_type) != 20:
            raise BenchError(f"the mock did not return 20 invoices to the {name} call")
        if "Origin" in headers and (
            response.headers.get("access-control-allow-origin") != headers["Origin"]
            or response.headers.get("access-control-allow-credentials") != "true"
        ):
            raise BenchError(f"the mock did not allow the {name} call's origin with credentials")


def measure(
    rounds: int, seconds: int, connections: int, workers: int, threads: int | None
) -> dict[tuple[str, str], Load]:
    """Median loads by (server, call), both servers running side by side."""
    if not PRISM.exists():
        raise BenchError("Prism is not installed: run bench/setup.sh")
    ours_port, prism_port = free_port(), free_port()
    ours_command = mock_command(ours_port, failed=20, workers=workers, threads=threads)
    prism_command = [
        str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(prism_port), str(REPO / "openapi.yaml")
    ]  # fmt: skip
    with (
        running(ours_command, ours_port) as ours,
        running(prism_command, prism_port, timeout=120) as prism,
    ):
        check_mock(ours.base_url)
        urls = {OURS: ours.base_url + ROUTE, PRISM_NAME: prism.base_url + ROUTE}
        loads: dict[tuple[str, str], list[Load]] = {}
        for _ in range(rounds):
            for call, headers in CALLS.items():
                for name, url in urls.items():
                    load = run_wrk(url, headers, seconds=seconds, connections=connections)
                    loads.setdefault((name, call), []).append(load)
    return {key: median_load(values) for key, values in loads.items()}


def table_rows(loads: dict[tuple[str, str], Load]) -> list[list[object]]:
    """Per call: our row, Prism's, and the ratios (requests/s ours/Prism, p99 ours/Prism)."""
    rows: list[list[object]] = []
    for call in CALLS:
        for name in (OURS, PRISM_NAME):
            load = loads[(name, call)]
            rows.append([
                name, call, f"{load.requests_per_second:,.0f}", f"{load.p50_ms:.2f}",
                f"{load.p99_ms:.2f}", load.non_2xx, load.socket_errors,
            ])  # fmt: skip
        ours, prism = loads[(OURS, call)], loads[(PRISM_NAME, call)]
        ratio = ours.requests_per_second / prism.requests_per_second
        p99 = ours.p99_ms / prism.p99_ms
        rows.append(["ratio ours/Prism", call, f"{ratio:.2f}×", "", f"{p99:.2f}×", "", ""])
    return rows


def add_load_options(parser: argparse.ArgumentParser) -> None:
    """The options of a wrk comparison: rounds, seconds, connections, the mock's workers."""
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per measurement")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="each mock's worker processes")


def main() -> None:
    """Measure both servers and record the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_load_options(parser)
    parser.add_argument(
        "--threads", type=int, default=None,
        help="the mock's --threads (granian threads per worker; default: the mock's)",
    )  # fmt: skip
    options = parser.parse_args()
    if min(options.rounds, options.seconds, options.connections, options.workers) < 1 or (
        options.threads is not None and options.threads < 1
    ):
        raise SystemExit(
            "error: --rounds, --seconds, --connections, --workers and --threads must be 1 or more"
        )
    loads = measure(
        options.rounds, options.seconds, options.connections, options.workers, options.threads
    )
    headers = ["server", "call", "requests/s", "p50 ms", "p99 ms", "non-2xx", "socket errors"]
    threads = "" if options.threads is None else f" --threads {options.threads}"
    record(
        f"Throughput, {options.connections} connections, median of {options.rounds} "
        f"alternating rounds of {options.seconds} s",
        markdown_table(headers, table_rows(loads)),
        [
            f"Our mock: `python -m mock_server --workers {options.workers}{threads} --scenario "
            "all-failing --failed 20` (every call retries 20 invoices in a SQLite transaction).",
            "Prism: `prism mock openapi.yaml` (static example; keeps no state). "
            "Its non-2xx answers for XML are counted, not excluded.",
            "Calls: plain = `Accept` alone; browser-shaped = `Origin: "
            f"{BROWSER_ORIGIN}`, cookies, `Accept: {BROWSER_HEADERS['Accept']}` and a "
            "browser's other headers (bench/throughput.py), the same to both servers.",
            "Ratio rows: requests/s ours/Prism, and in the p99 column p99 ours/Prism "
            "(below 1: ours lower).",
        ],
    )


if __name__ == "__main__":
    run_main(main)
