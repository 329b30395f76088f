"""The steady state on PostgreSQL beside SQLite, in the same run, under wrk.

Three mocks run side by side, each ``--workers 2 --scenario all-failing --failed 20`` (so
every call retries the same 20 invoices in one write transaction): the default one on its
temporary SQLite file, one on a PostgreSQL database, and one on another database of the
same server whose connections commit without waiting for the disk
(``options=-csynchronous_commit=off`` in the URL). The server is a throwaway cluster on
127.0.0.1 (``tests/postgres_support.py``: Debian's binaries, ``scripts/install-postgres``),
with PostgreSQL's default durability. wrk drives one mock at a time with the plain JSON
call, in alternating rounds; each figure is the median over the rounds (the machine's
speed drifts; alternating spreads the drift over all three alike).

    .venv/bin/python -m bench.postgres [--rounds 3] [--seconds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import contextlib
import os

from bench.common import (
    ROUTE,
    BenchError,
    free_port,
    markdown_table,
    mock_command,
    record,
    run_main,
    running,
)
from bench.throughput import Load, add_load_options, check_mock, median_load, run_wrk
from tests.postgres_support import PASSWORD, ClusterError, running_cluster

SQLITE = "SQLite (temporary file, the default)"
POSTGRES = "PostgreSQL (synchronous_commit on, the default)"
POSTGRES_ASYNC = "PostgreSQL (synchronous_commit off)"


def measure(rounds: int, seconds: int, connections: int, workers: int) -> dict[str, Load]:
    """Median loads by store, the three mocks running side by side."""
    loads: dict[str, list[Load]] = {}
    with contextlib.ExitStack() as stack:
        try:
            cluster = stack.enter_context(running_cluster())
        except ClusterError as error:
            raise BenchError(str(error)) from None
        os.environ["PGPASSWORD"] = PASSWORD  # the URLs carry none, as a team's would
        durable = cluster.url(cluster.create_database("bench"))
        relaxed = cluster.url(cluster.create_database("bench"))
        databases = {
            SQLITE: [],
            POSTGRES: ["--db", durable],
            POSTGRES_ASYNC: ["--db", relaxed + "?options=-csynchronous_commit%3Doff"],
        }
        urls: dict[str, str] = {}
        for name, options in databases.items():
            port = free_port()
            command = [*mock_command(port, failed=20, workers=workers), *options]
            server = stack.enter_context(running(command, port))
            check_mock(server.base_url)
            urls[name] = server.base_url + ROUTE
        headers = {"Accept": "application/json"}
        for _ in range(rounds):
            for name, url in urls.items():
                load = run_wrk(url, headers, seconds=seconds, connections=connections)
                loads.setdefault(name, []).append(load)
    return {name: median_load(values) for name, values in loads.items()}


def table_rows(loads: dict[str, Load]) -> list[list[object]]:
    """A row per store, then PostgreSQL's ratios to SQLite."""
    rows: list[list[object]] = [
        [name, f"{load.requests_per_second:,.0f}", f"{load.p50_ms:.2f}", f"{load.p99_ms:.2f}",
         load.non_2xx, load.socket_errors]
        for name, load in loads.items()
    ]  # fmt: skip
    sqlite = loads[SQLITE]
    for name in (POSTGRES, POSTGRES_ASYNC):
        load = loads[name]
        rate = load.requests_per_second / sqlite.requests_per_second
        p99 = load.p99_ms / sqlite.p99_ms
        rows.append([f"ratio {name} / SQLite", f"{rate:.2f}×", "", f"{p99:.2f}×", "", ""])
    return rows


def main() -> None:
    """Measure the three mocks and record the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_load_options(parser)
    options = parser.parse_args()
    if min(options.rounds, options.seconds, options.connections, options.workers) < 1:
        raise SystemExit("error: --rounds, --seconds, --connections and --workers must be >= 1")
    loads = measure(options.rounds, options.seconds, options.connections, options.workers)
    headers = ["store", "requests/s", "p50 ms", "p99 ms", "non-2xx", "socket errors"]
    record(
        f"Steady state on PostgreSQL beside SQLite, {options.connections} connections, "
        f"{options.rounds} rounds of {options.seconds} s",
        markdown_table(headers, table_rows(loads)),
        [
            f"Each mock: `python -m mock_server --workers {options.workers} --scenario "
            "all-failing --failed 20` (every call retries 20 invoices in one write "
            "transaction); the PostgreSQL ones add `--db postgresql://mock@127.0.0.1:PORT/DB`"
            " (`PGPASSWORD` set), the last with `?options=-csynchronous_commit%3Doff`.",
            "PostgreSQL 15 (Debian), a throwaway cluster on the same machine, default "
            "settings; wrk sends the plain JSON call (bench/throughput.py), one mock at a "
            "time, in alternating rounds; medians.",
            "Ratio rows: requests/s PostgreSQL/SQLite, and in the p99 column p99 "
            "PostgreSQL/SQLite (above 1: PostgreSQL's higher).",
        ],
    )


if __name__ == "__main__":
    run_main(main)
