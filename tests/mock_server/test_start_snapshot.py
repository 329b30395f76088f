"""A reset copies the kept start invoices back instead of seeding them again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from contract.netdatetime import NetDateTime
from mock_server import mock as mock_module
from mock_server.clock import Clock
from mock_server.invoices import seed_invoices
from mock_server.scenarios import builtin_scenario
from mock_server.sqlite_store import SqliteStore
from mock_server.store import FaultKind
from tests.mock_server.conftest import FROZEN, make_app, retry

NOW = NetDateTime.parse(FROZEN)
CLOCK = Clock(120, NOW)
ALL_FAILING = builtin_scenario("all-failing")


def _state(client: FlaskClient) -> Any:
    return client.get("/__mock/invoices").get_json()["invoices"]


def test_reset_gives_back_the_start_invoices_without_seeding_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_app(tmp_path, FAILED=50).test_client()
    start = _state(client)
    for _ in range(3):
        assert retry(client).status_code == 200
    assert _state(client) != start

    def no_seeding(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("reset seeded the invoices again")

    monkeypatch.setattr(mock_module, "seed_invoices", no_seeding)
    assert client.post("/__mock/reset").status_code == 200
    assert _state(client) == start
    retried = retry(client, "application/json").get_json()["Data"]
    assert [item["InvoiceId"] for item in retried] == [item["InvoiceId"] for item in start]


def test_reset_seeds_again_when_the_kept_start_is_another_mocks(tmp_path: Path) -> None:
    # Two mocks on one database (--share-db) with different counts: each reset gives the
    # resetting mock's own start state.
    small = make_app(tmp_path, FAILED=3).test_client()
    large = make_app(tmp_path, FAILED=7, RESEED=True).test_client()
    assert len(_state(small)) == 7
    assert small.post("/__mock/reset").status_code == 200
    assert len(_state(large)) == 3
    assert large.post("/__mock/reset").status_code == 200
    assert len(_state(small)) == 7


def test_restore_start_changes_nothing_unless_its_key_is_the_one_kept(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    assert store.restore_start(ALL_FAILING, "never kept") is False
    store.reset(ALL_FAILING, seed_invoices(4, seed=1, clock=CLOCK), start_key="four")
    store.replace_invoices(seed_invoices(2, seed=2, clock=CLOCK), seed=2)
    assert store.restore_start(ALL_FAILING, "five") is False
    assert len(store.invoices()) == 2


def test_restore_start_clears_faults_and_calls_and_serves_every_process_the_start(
    tmp_path: Path,
) -> None:
    first, second = SqliteStore(tmp_path / "db.sqlite3"), SqliteStore(tmp_path / "db.sqlite3")
    kept = seed_invoices(5, seed=3, clock=CLOCK)
    first.reset(ALL_FAILING, kept, start_key="five")
    first.retry(NOW)
    second.retry(NOW)  # the second process holds the start's fixed columns
    first.replace_invoices(seed_invoices(2, seed=4, clock=CLOCK), seed=4)
    assert len(second.retry(NOW).invoices) == 2  # ... and then the replacement's
    first.add_fault(FaultKind.HTTP_500, calls=1, share=None, latency_ms=0)
    assert first.restore_start(ALL_FAILING, "five") is True
    assert first.faults() == []
    assert first.invoices() == kept
    call = second.retry(NOW)
    assert [item[2] for item in call.invoices] == [str(i.invoice_id) for i in kept]
    assert [item[7] for item in call.invoices] == [i.sending_attempts + 1 for i in kept]
