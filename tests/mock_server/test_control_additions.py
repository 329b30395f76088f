"""Control API additions: removing one fault, journal sequence/limit/since, journal bytes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from mock_server import journal_rules
from mock_server.journal_rules import JOURNAL_BYTES_LIMIT, entry_size
from mock_server.scenarios import builtin_scenario
from mock_server.sqlite_store import SqliteStore
from mock_server.store import JournalEntry
from tests.mock_server.conftest import FROZEN, retry


def stored_bytes(db: sqlite3.Connection) -> int:
    """The bytes the journal's entries take, as ``entry_size`` counts them (a full scan)."""
    return int(db.execute("SELECT TOTAL(size) FROM journal").fetchone()[0])


def _add(client: FlaskClient, kind: str) -> int:
    response = client.post("/__mock/faults", json={"kind": kind, "calls": 3})
    assert response.status_code == 201
    return int(response.json["id"])


def test_delete_one_fault_answers_the_remaining_ones(client: FlaskClient) -> None:
    first, second = _add(client, "http-500"), _add(client, "malformed-body")
    response = client.delete(f"/__mock/faults/{first}")
    assert response.status_code == 200
    assert [fault["id"] for fault in response.json["faults"]] == [second]
    assert response.json == client.get("/__mock/faults").json


@pytest.mark.parametrize("fault_id", ["99", "0", "9" * 30])
def test_delete_of_an_unknown_fault_is_a_404_naming_the_id(
    client: FlaskClient, fault_id: str
) -> None:
    _add(client, "http-500")
    response = client.delete(f"/__mock/faults/{fault_id}")
    assert response.status_code == 404
    assert f"no fault has id {fault_id}" in response.json["error"]
    assert len(client.get("/__mock/faults").json["faults"]) == 1


@pytest.mark.parametrize("fault_id", ["abc", "-1", "1.5", "٣"])
def test_delete_of_a_fault_id_that_is_not_a_number_is_a_400(
    client: FlaskClient, fault_id: str
) -> None:
    response = client.delete(f"/__mock/faults/{fault_id}")
    assert response.status_code == 400
    assert "fault id must be a whole number" in response.json["error"]


def _journal(client: FlaskClient, query: str = "") -> list[dict[str, object]]:
    response = client.get("/__mock/journal" + query)
    assert response.status_code == 200, response.json
    return response.json["journal"]  # type: ignore[no-any-return]


def test_journal_entries_carry_growing_sequence_numbers(client: FlaskClient) -> None:
    for _ in range(3):
        retry(client)
    assert [entry["sequence"] for entry in _journal(client)] == [1, 2, 3]


def test_journal_limit_is_the_newest_n(client: FlaskClient) -> None:
    for _ in range(5):
        retry(client)
    assert [entry["sequence"] for entry in _journal(client, "?limit=2")] == [4, 5]


def test_journal_since_a_sequence_number_is_the_entries_after_it(client: FlaskClient) -> None:
    for _ in range(4):
        retry(client)
    assert [entry["sequence"] for entry in _journal(client, "?since=2")] == [3, 4]
    assert _journal(client, "?since=4") == []
    assert [e["sequence"] for e in _journal(client, "?since=1&limit=1")] == [4]


def test_journal_since_a_time_compares_instants(client: FlaskClient) -> None:
    retry(client)  # journaled at FROZEN, 2025-12-14T19:20:43.1992775+02:00
    assert len(_journal(client, "?since=2025-12-14T17:20:43.1992774Z")) == 1
    assert _journal(client, "?since=2025-12-14T17:20:43.1992775Z") == []
    assert _journal(client, "?since=" + FROZEN.replace("+", "%2B")) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit must be a whole number from 1 to 10,000"),
        ("limit=10001", "limit must be a whole number from 1 to 10,000"),
        ("limit=ten", "limit must be a whole number from 1 to 10,000"),
        ("limit=" + "9" * 5000, "limit must be a whole number from 1 to 10,000"),
        ("since=yesterday", "since must be a sequence number"),
        ("since=-1", "since must be a sequence number"),
        ("since=2025-02-30T00:00:00Z", "since must be a sequence number"),
    ],
)
def test_a_bad_journal_query_is_a_400_naming_the_parameter(
    client: FlaskClient, query: str, message: str
) -> None:
    response = client.get("/__mock/journal?" + query)
    assert response.status_code == 400
    assert message in response.json["error"]


def test_a_huge_since_sequence_number_selects_nothing(client: FlaskClient) -> None:
    retry(client)
    assert _journal(client, "?since=" + "9" * 5000) == []


def _big_entry(number: int) -> JournalEntry:
    return JournalEntry(method="POST", path=f"/{number}/" + "x" * 1000, accept="a" * 1000,
                        media_type=None, status=200, time=FROZEN)  # fmt: skip


def test_the_journal_stores_at_most_its_byte_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit, largest = 512 * 1024, entry_size(_big_entry(999))
    monkeypatch.setattr(journal_rules, "JOURNAL_BYTES_LIMIT", limit)
    kept = limit - (journal_rules.JOURNAL_TRIM_EVERY - 1) * largest  # as the module's rule
    monkeypatch.setattr(journal_rules, "BYTES_KEPT", kept)
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.reset(builtin_scenario("partial"), [])
    for number in range(1, 1000):
        store.record(_big_entry(number))
        assert stored_bytes(store._connection()) <= limit
    journal = store.journal()
    assert journal[-1].sequence == 999  # the newest stay
    assert sum(entry_size(entry) for entry in journal) == stored_bytes(store._connection())
    assert len(journal) < 999


def test_entry_size_covers_the_entry_as_the_control_api_sends_it() -> None:
    import json  # noqa: PLC0415

    entry = _big_entry(7)
    assert entry_size(entry) >= len(json.dumps(entry.to_json(), separators=(",", ":")))
    assert JOURNAL_BYTES_LIMIT == 8 * 1024 * 1024


def test_max_entry_size_covers_the_largest_entry() -> None:
    wide = "\U0001f600" * 5000  # 4 UTF-8 bytes a character, cut to 1,024 characters
    entry = JournalEntry(method=wide, path=wide, accept=wide, media_type=wide, status=200,
                         time=FROZEN, fault=wide)  # fmt: skip
    assert entry_size(entry) <= journal_rules.MAX_ENTRY_SIZE
