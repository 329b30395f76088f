"""Both stores as two worker processes (or two instances) see them: two stores on one
SQLite file, or on one PostgreSQL database. Every test of :class:`Store` behaviour runs on
both backends (the ``open_store`` fixture); the tests of one backend's own ways of writing
say so in their name."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from contract.netdatetime import NetDateTime
from mock_server import journal_rules, postgres_schema, sqlite_retry
from mock_server.clock import Clock
from mock_server.invoices import Invoice, seed_invoices
from mock_server.mock import current_mock_of
from mock_server.postgres_store import PostgresStore
from mock_server.postgres_url import PostgresUrl
from mock_server.scenarios import Scenario, builtin_scenario
from mock_server.sqlite_store import SqliteStore
from mock_server.store import FaultKind, JournalEntry, RetriedInvoice, Store, StoreUnavailable
from mock_server.vocabulary import FAILED, SENT
from mock_server.writer_lock import WriterBusy
from tests.conftest import POSTGRES
from tests.mock_server.conftest import FROZEN, REPO, ROUTE, make_app
from tests.mock_server.retry_model import retry_failed
from tests.postgres_support import PASSWORD, Cluster

NOW = NetDateTime.parse(FROZEN)
CLOCK = Clock(120, NOW)
OpenStore = Callable[[], Store]
BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=POSTGRES)]


@pytest.fixture(params=BACKENDS)
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """Opens a new store on the test's one database each call (as another worker would)."""
    opened: list[Store] = []
    if request.param == "sqlite":
        path = tmp_path / "db.sqlite3"

        def store() -> Store:
            opened.append(SqliteStore(path))
            return opened[-1]
    else:
        url = PostgresUrl(request.getfixturevalue("postgres_url"))

        def store() -> Store:
            opened.append(PostgresStore(url))
            return opened[-1]

    yield store
    for each in opened:
        each.close()


def count_rows(store: Store, table: str) -> int:
    """The rows of ``table`` in ``store``'s database (a name of this module, never input)."""
    query = f"SELECT COUNT(*) FROM {table}"
    if isinstance(store, SqliteStore):
        return int(store._connection().execute(query).fetchone()[0])
    assert isinstance(store, PostgresStore)
    with psycopg.connect(store.url.text) as db:
        row = db.execute(query).fetchone()  # type: ignore[call-overload]
    assert row is not None
    return int(row[0])


def _ids(retried: Sequence[RetriedInvoice]) -> list[str]:
    return [str(item[2]) for item in retried]


def test_retry_sees_invoices_another_store_replaced(open_store: OpenStore) -> None:
    first, second = open_store(), open_store()
    first.reset(builtin_scenario("all-failing"), seed_invoices(5, seed=1, clock=CLOCK))
    assert _ids(second.retry(NOW).invoices) == [str(i.invoice_id) for i in first.invoices()]
    replacement = seed_invoices(3, seed=2, clock=CLOCK)
    first.replace_invoices(replacement, seed=2)
    assert _ids(second.retry(NOW).invoices) == [str(i.invoice_id) for i in replacement]


def test_retry_writes_every_outcome_the_call_returns(open_store: OpenStore) -> None:
    store = open_store()
    store.reset(builtin_scenario("partial"), seed_invoices(40, seed=3, clock=CLOCK))
    before = {str(i.invoice_id): i.sending_attempts for i in store.invoices()}
    call = store.retry(NOW)
    stored = {str(i.invoice_id): i for i in store.invoices()}
    statuses = {item[4] for item in call.invoices}
    assert {FAILED, SENT} <= statuses, "the seeded draws should give both outcomes"
    for item in call.invoices:
        invoice = stored[str(item[2])]
        assert (invoice.reason, invoice.status) == (item[3], item[4])
        assert invoice.sending_time == NOW
        assert invoice.sending_attempts == item[7] == before[str(item[2])] + 1


def _entry() -> JournalEntry:
    return JournalEntry(method="POST", path="/retry", accept=None, media_type="application/json",
                        status=200, time=FROZEN, fault=None)  # fmt: skip


def test_retry_applies_a_fault_another_store_added_in_its_own_step(
    open_store: OpenStore,
) -> None:
    store = open_store()
    store.reset(builtin_scenario("all-failing"), seed_invoices(4, seed=3, clock=CLOCK))
    entry = _entry()
    fault = open_store()  # another worker adds the fault
    fault.add_fault(FaultKind.HTTP_500, calls=1, share=None, latency_ms=0)
    before = store.invoices()
    faulted = store.retry(NOW, journal=entry)
    assert (faulted.answer, list(faulted.invoices)) == (FaultKind.HTTP_500, [])
    assert store.invoices() == before
    assert store.journal() == [replace(entry, status=500, fault="http-500", sequence=1)]
    assert store.faults() == [], "the fault was used up in the same step"
    call = store.retry(NOW, journal=entry)
    assert call.answer is None and call.faults == () and len(call.invoices) == 4
    assert store.journal()[-1] == replace(entry, sequence=2)
    attempts = [invoice.sending_attempts for invoice in store.invoices()]
    assert attempts == [invoice.sending_attempts + 1 for invoice in before]


def test_a_latency_fault_returns_the_wait_and_the_call_goes_on_after_it(
    open_store: OpenStore,
) -> None:
    store = open_store()
    store.reset(builtin_scenario("all-failing"), seed_invoices(3, seed=3, clock=CLOCK))
    store.add_fault(FaultKind.LATENCY, calls=1, share=None, latency_ms=7)
    store.add_fault(FaultKind.MALFORMED_BODY, calls=1, share=None, latency_ms=0)
    store.add_fault(FaultKind.LATENCY, calls=1, share=None, latency_ms=5)
    before = store.invoices()
    waiting = store.retry(NOW, journal=_entry())
    assert (waiting.wait_ms, list(waiting.invoices), store.journal()) == (12, [], [])
    assert store.invoices() == before and store.faults() == []
    call = store.retry(NOW, journal=_entry(), faults=waiting.faults)
    assert call.wait_ms == 0 and call.answer is None and len(call.invoices) == 3
    [entry] = store.journal()
    assert (entry.status, entry.fault) == (200, "latency,malformed-body,latency")


@pytest.mark.parametrize(
    ("kind", "status", "media_type"),
    [(FaultKind.DROP_CONNECTION, None, None),
     (FaultKind.ENVELOPE_FAILURE, 200, "application/json")],
)  # fmt: skip
def test_a_fault_answering_early_is_journaled_with_its_status(
    open_store: OpenStore, kind: FaultKind, status: int | None, media_type: str | None
) -> None:
    store = open_store()
    store.reset(builtin_scenario("all-failing"), seed_invoices(2, seed=3, clock=CLOCK))
    store.add_fault(kind, calls=1, share=None, latency_ms=0)
    before = store.invoices()
    assert store.retry(NOW, journal=_entry()).answer is kind
    [entry] = store.journal()
    assert (entry.status, entry.media_type, entry.fault) == (status, media_type, kind.value)
    assert store.invoices() == before


def test_journal_keeps_the_newest_entries_and_trims_the_rest_in_batches(
    open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_rules, "JOURNAL_LIMIT", 5)
    monkeypatch.setattr(journal_rules, "JOURNAL_TRIM_EVERY", 4)
    store = open_store()
    store.reset(builtin_scenario("all-failing"), [])
    for number in range(1, 24):
        entry = JournalEntry(method="POST", path=f"/call/{number}", accept=None,
                             media_type=None, status=200, time=FROZEN, fault=None)  # fmt: skip
        store.record(entry)
        shown = [e.path for e in store.journal()]
        assert shown == [f"/call/{n}" for n in range(max(1, number - 4), number + 1)]
    assert 5 <= count_rows(store, "journal") < 5 + 4


def _states_after_retries(
    invoices: list[Invoice], scenario: Scenario, *, calls: int
) -> list[list[dict[str, object]]]:
    """Every invoice after each of ``calls`` retries, by the object-level retry model."""
    states = []
    for _ in range(calls):
        failed = [invoice for invoice in invoices if invoice.status == FAILED]
        retried = {i.invoice_id: i for i in retry_failed(failed, scenario, now=NOW).invoices}
        invoices = [retried.get(invoice.invoice_id, invoice) for invoice in invoices]
        states.append([invoice.to_json() for invoice in invoices])
    return states


@pytest.mark.parametrize(
    ("grouped_from", "update_from", "rows_per_statement"),
    [
        pytest.param(1, True, 1024, id="grouped"),
        pytest.param(10**9, True, 1024, id="values"),
        pytest.param(10**9, True, 7, id="values-in-batches"),
        pytest.param(10**9, False, 1024, id="per-row"),
    ],
)
def test_every_way_sqlite_writes_outcomes_writes_the_same_state(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    grouped_from: int,
    update_from: bool,
    rows_per_statement: int,
) -> None:
    scenario = builtin_scenario("partial").with_options(seed=5, max_attempts=3)
    expected = _states_after_retries(seed_invoices(60, seed=5, clock=CLOCK), scenario, calls=3)
    monkeypatch.setattr(sqlite_retry, "GROUPED_FROM", grouped_from)
    monkeypatch.setattr(sqlite_retry, "_HAS_UPDATE_FROM", update_from)
    monkeypatch.setattr(sqlite_retry, "ROWS_PER_STATEMENT", rows_per_statement)
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.reset(scenario, seed_invoices(60, seed=5, clock=CLOCK))
    for want in expected:
        store.retry(NOW)
        assert [invoice.to_json() for invoice in store.invoices()] == want
    seen = {invoice["Status"] for state in expected for invoice in state}
    assert seen == {FAILED, SENT, "Abandoned"}, "the calls wrote every outcome kind"


def test_retries_write_the_states_the_retry_model_gives(open_store: OpenStore) -> None:
    scenario = builtin_scenario("partial").with_options(seed=5, max_attempts=3)
    expected = _states_after_retries(seed_invoices(60, seed=5, clock=CLOCK), scenario, calls=3)
    store = open_store()
    store.reset(scenario, seed_invoices(60, seed=5, clock=CLOCK))
    for want in expected:
        store.retry(NOW)
        assert [invoice.to_json() for invoice in store.invoices()] == want


def test_a_closed_store_reopens_its_connection_when_used_again(open_store: OpenStore) -> None:
    store = open_store()
    store.reset(builtin_scenario("all-failing"), seed_invoices(3, seed=1, clock=CLOCK))
    store.close()
    assert len(store.retry(NOW).invoices) == 3
    assert all(invoice.sending_time == NOW for invoice in store.invoices())


@pytest.mark.parametrize(("database", "synchronous"), [("named", 1), (None, 0)])
def test_only_a_named_sqlite_database_waits_for_the_disk(
    tmp_path: Path, database: str | None, synchronous: int
) -> None:
    app = make_app(tmp_path, DATABASE=None if database is None else tmp_path / "named.sqlite3")
    store = current_mock_of(app).store
    assert isinstance(store, SqliteStore)
    # 1 = NORMAL (WAL syncs at checkpoints), 0 = OFF (a temporary file outlives no crash)
    assert store._connection().execute("PRAGMA synchronous").fetchone()[0] == synchronous


def test_the_first_store_seeds_and_later_ones_serve_the_stored_state(
    open_store: OpenStore,
) -> None:
    first, second = open_store(), open_store()
    seeded = seed_invoices(4, seed=1, clock=CLOCK)
    assert first.initialize(builtin_scenario("healthy"), lambda: seeded, force=False)
    never: Callable[[], list[Invoice]] = lambda: pytest.fail("a joining store seeded")  # noqa: E731
    assert not second.initialize(builtin_scenario("empty"), never, force=False)
    assert (second.scenario().name, second.invoices()) == ("healthy", seeded)
    assert second.initialize(builtin_scenario("empty"), lambda: [], force=True)
    assert (first.scenario().name, first.invoices()) == ("empty", [])


def test_fault_ids_and_journal_numbers_start_again_after_a_reset(open_store: OpenStore) -> None:
    store = open_store()
    store.reset(builtin_scenario("all-failing"), seed_invoices(2, seed=1, clock=CLOCK))
    ids = [store.add_fault(FaultKind.LATENCY, calls=1, share=None, latency_ms=1).id
           for _ in range(3)]  # fmt: skip
    assert ids == [1, 2, 3]
    assert store.remove_fault(2) and not store.remove_fault(2)
    assert store.add_fault(FaultKind.HTTP_500, calls=None, share=0.5, latency_ms=0).id == 4
    assert [fault.id for fault in store.faults()] == [1, 3, 4]
    store.record(_entry())
    store.record(_entry())
    store.clear_journal()
    store.record(_entry())
    assert [entry.sequence for entry in store.journal()] == [1]
    store.reset(builtin_scenario("all-failing"), [])
    assert store.faults() == [] and store.journal() == []
    assert store.add_fault(FaultKind.HTTP_500, calls=1, share=None, latency_ms=0).id == 1


def test_a_share_fault_fires_on_the_same_calls_through_any_store(open_store: OpenStore) -> None:
    first, second = open_store(), open_store()
    first.reset(builtin_scenario("all-failing"), [])
    first.add_fault(FaultKind.ENVELOPE_FAILURE, calls=None, share=0.5, latency_ms=0)
    fired = [(first if n % 2 else second).retry(NOW).answer is not None for n in range(40)]
    first.reset(builtin_scenario("all-failing"), [])
    first.add_fault(FaultKind.ENVELOPE_FAILURE, calls=None, share=0.5, latency_ms=0)
    assert [first.retry(NOW).answer is not None for _ in range(40)] == fired
    assert 5 < sum(fired) < 35


def test_scripted_outcomes_are_used_once_whichever_store_retries(open_store: OpenStore) -> None:
    first, second = open_store(), open_store()
    invoices = seed_invoices(2, seed=1, clock=CLOCK)
    target = invoices[0].invoice_id
    scenario = builtin_scenario("all-failing").with_options(outcomes={target: (False, True)})
    first.reset(scenario, invoices)
    assert {item[4] for item in first.retry(NOW).invoices} == {FAILED}
    statuses = {str(item[2]): item[4] for item in second.retry(NOW).invoices}
    assert statuses[str(target)] == SENT
    assert first.scenario().outcomes == {} == second.scenario().outcomes


def test_concurrent_retries_through_two_stores_never_retry_one_failure_twice(
    open_store: OpenStore,
) -> None:
    import threading  # noqa: PLC0415

    stores = [open_store(), open_store()]
    invoices = seed_invoices(10, seed=2, clock=CLOCK)
    stores[0].reset(builtin_scenario("all-failing"), invoices)
    seen: list[tuple[str, int]] = []
    lock = threading.Lock()

    def retry_calls(store: Store) -> None:
        for _ in range(15):
            retried = [(str(item[2]), item[7]) for item in store.retry(NOW).invoices]
            with lock:
                seen.extend(retried)

    threads = [threading.Thread(target=retry_calls, args=(stores[n % 2],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(seen) == len(set(seen)) == 4 * 15 * 10, "an attempt number was given twice"
    final = {str(invoice.invoice_id): invoice.sending_attempts for invoice in stores[1].invoices()}
    for invoice in invoices:
        assert final[str(invoice.invoice_id)] == invoice.sending_attempts + 60


# -- PostgreSQL's own: schema, the writer lock, the URL's password --------------------------


@POSTGRES
def test_postgres_records_its_schema_version_and_refuses_a_newer_one(postgres_url: str) -> None:
    PostgresStore(PostgresUrl(postgres_url)).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert row == (str(postgres_schema.SCHEMA_VERSION),)
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreUnavailable, match=r"schema version 99, newer than this mock's 1"):
        PostgresStore(PostgresUrl(postgres_url))


@POSTGRES
def test_postgres_migrates_an_older_schema_on_start(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    PostgresStore(PostgresUrl(postgres_url)).close()
    monkeypatch.setattr(postgres_schema, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(postgres_schema, "MIGRATIONS", {2: ("CREATE TABLE added (x integer)",)})
    PostgresStore(PostgresUrl(postgres_url)).close()
    with psycopg.connect(postgres_url) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            "2",
        )
        assert db.execute("SELECT COUNT(*) FROM added").fetchone() == (0,)


@POSTGRES
def test_postgres_refuses_tables_of_another_program(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("CREATE TABLE invoices (id integer)")
    with pytest.raises(StoreUnavailable, match="an invoices table but no meta table"):
        PostgresStore(PostgresUrl(postgres_url))


@POSTGRES
def test_postgres_writer_waits_for_the_lock_a_bounded_time(postgres_url: str) -> None:
    url = PostgresUrl(postgres_url)
    store = PostgresStore(url, writer_timeout_s=0.3)
    store.reset(builtin_scenario("all-failing"), seed_invoices(2, seed=1, clock=CLOCK))
    before = store.invoices()
    with psycopg.connect(postgres_url) as holder:  # another instance, stopped mid-write
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (store.writer_key,))
        with pytest.raises(WriterBusy, match=r"writer lock over 0.3 s"):
            store.retry(NOW)
        assert store.invoices() == before, "readers never wait for the writer"
    assert len(store.retry(NOW).invoices) == 2
    store.close()


@POSTGRES
def test_postgres_url_and_errors_never_show_the_password(postgres_cluster: Cluster) -> None:
    url = PostgresUrl(postgres_cluster.url(password=True).replace(PASSWORD, "Wr0ng-secret"))
    assert "Wr0ng-secret" not in f"{url} {url!r}" and ":***@" in str(url)
    with pytest.raises(StoreUnavailable) as failed:
        PostgresStore(url)
    assert "password authentication failed" in str(failed.value)
    assert "Wr0ng-secret" not in str(failed.value)


@POSTGRES
def test_the_mock_app_serves_its_state_from_postgres(tmp_path: Path, postgres_url: str) -> None:
    first = make_app(tmp_path, DATABASE=postgres_url, SCENARIO="all-failing").test_client()
    second = make_app(tmp_path, DATABASE=postgres_url, SCENARIO="healthy").test_client()
    assert second.get("/__mock/scenario").json["name"] == "all-failing", "the second joined"
    assert first.post("/__mock/faults", json={"kind": "http-500", "calls": 1}).status_code == 201
    length = {"CONTENT_LENGTH": "0"}
    assert second.post(ROUTE, environ_base=length).status_code == 500
    answer = first.post(ROUTE, environ_base=length)
    assert answer.status_code == 200 and len(answer.json["Data"]) == 20
    journal = second.get("/__mock/journal").json["journal"]
    assert [entry["status"] for entry in journal] == [500, 200]
    for client in (first, second):
        current_mock_of(client.application).store.close()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:s3cret@h:5432/db",
        "postgresql://u@h/db?password=s3cret",
        "postgresql://u@h?password=s3cret",
        "postgres://u@h?sslmode=require&password=s3cret#x",
        "postgresql://u:s3cret@h?application_name=mock",
        "postgresql://u:s3cret@h",
    ],
)
def test_a_postgres_url_is_shown_without_its_password(url: str) -> None:
    shown = f"{PostgresUrl(url)} {PostgresUrl(url)!r}"
    assert "s3cret" not in shown and "***" in shown
    assert "@h" in shown


def test_a_postgres_db_without_the_driver_is_one_clear_error_line() -> None:
    hide = "import sys; sys.modules['psycopg'] = None; sys.modules['psycopg_pool'] = None\n"
    run = "from mock_server.__main__ import main; main(['--db', 'postgresql://u:pw1@h/db'])"
    result = subprocess.run([sys.executable, "-c", hide + run], capture_output=True, text=True,
                            cwd=REPO, check=False, timeout=60)  # fmt: skip
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "PostgreSQL driver is not installed" in line and "[postgres]" in line
    assert "pw1" not in line and "postgresql://u:***@h/db" in line


def test_restore_start_changes_nothing_unless_its_key_is_the_one_kept(
    open_store: OpenStore,
) -> None:
    store = open_store()
    assert store.restore_start(builtin_scenario("all-failing"), "never kept") is False
    store.reset(
        builtin_scenario("all-failing"), seed_invoices(4, seed=1, clock=CLOCK), start_key="four"
    )
    store.replace_invoices(seed_invoices(2, seed=2, clock=CLOCK), seed=2)
    assert store.restore_start(builtin_scenario("all-failing"), "five") is False
    assert len(store.invoices()) == 2


def test_restore_start_clears_faults_and_serves_every_process_the_start(
    open_store: OpenStore,
) -> None:
    first, second = open_store(), open_store()
    kept = seed_invoices(5, seed=3, clock=CLOCK)
    first.reset(builtin_scenario("all-failing"), kept, start_key="five")
    first.retry(NOW)
    second.retry(NOW)  # the second process holds the start's fixed columns
    first.replace_invoices(seed_invoices(2, seed=4, clock=CLOCK), seed=4)
    assert len(second.retry(NOW).invoices) == 2  # ... and then the replacement's
    first.add_fault(FaultKind.HTTP_500, calls=1, share=None, latency_ms=0)
    assert first.restore_start(builtin_scenario("all-failing"), "five") is True
    assert first.faults() == []
    assert first.invoices() == kept
    call = second.retry(NOW)
    assert [item[2] for item in call.invoices] == [str(i.invoice_id) for i in kept]
    assert [item[7] for item in call.invoices] == [i.sending_attempts + 1 for i in kept]


def test_journal_keeps_the_client_that_marked_a_request(open_store: OpenStore) -> None:
    store = open_store()
    store.reset(builtin_scenario("all-failing"), [])
    store.record(replace(_entry(), client="dashboard"))
    store.record(_entry())
    assert [entry.client for entry in open_store().journal()] == ["dashboard", None]


@POSTGRES
def test_postgres_writes_read_committed_whatever_the_database_default(
    postgres_cluster: Cluster,
) -> None:
    # Under REPEATABLE READ a call queued behind the writer lock would read the state as
    # it was before the lock was granted: the store sets its own level.
    name = postgres_cluster.create_database("serializable")
    with postgres_cluster.admin() as admin:
        admin.execute(
            f"ALTER DATABASE \"{name}\" SET default_transaction_isolation = 'serializable'"
        )
    store = PostgresStore(PostgresUrl(postgres_cluster.url(name, password=True)))
    try:
        with store._write() as db:
            row = db.execute("SHOW transaction_isolation").fetchone()
        assert row is not None and row[0] == "read committed"
    finally:
        store.close()


@POSTGRES
def test_postgres_writer_waits_one_bounded_time_in_all(postgres_url: str) -> None:
    # Queued first behind this process's own writer, then behind another instance's lock:
    # the two waits share one bound, not one each.
    store = PostgresStore(PostgresUrl(postgres_url), writer_timeout_s=1.5)
    store.reset(builtin_scenario("all-failing"), seed_invoices(2, seed=1, clock=CLOCK))
    with psycopg.connect(postgres_url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (store.writer_key,))
        local_writer = threading.Thread(target=_hold_the_thread_lock, args=(store, 1.0))
        local_writer.start()
        time.sleep(0.1)  # the local writer holds the thread lock now
        started = time.monotonic()
        with pytest.raises(WriterBusy):
            store.retry(NOW)
        waited = time.monotonic() - started
        local_writer.join()
    assert waited < 2.0, f"waited {waited:.2f} s for a 1.5 s bound"
    store.close()


def _hold_the_thread_lock(store: PostgresStore, seconds: float) -> None:
    with store._threads:
        time.sleep(seconds)


@POSTGRES
def test_postgres_start_behind_a_busy_writer_is_one_error_not_a_traceback(
    postgres_url: str,
) -> None:
    store = PostgresStore(PostgresUrl(postgres_url), writer_timeout_s=0.3)
    with psycopg.connect(postgres_url) as holder:  # another instance's long --reseed
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (store.writer_key,))
        with pytest.raises(StoreUnavailable, match=r"writer lock over 0.3 s"):
            store.initialize(builtin_scenario("all-failing"), list, force=True)
    store.close()
