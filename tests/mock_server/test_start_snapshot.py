"""A reset copies the kept start invoices back instead of seeding them again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_server import mock as mock_module
from tests.mock_server.conftest import make_app, retry


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
