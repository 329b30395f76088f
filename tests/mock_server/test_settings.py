"""Configuration the app factory refuses with SettingsError, naming the key, path and reason."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mock_server import create_app
from mock_server.settings import SettingsError
from tests.mock_server.conftest import CORRUPT


def test_create_app_refuses_a_directory_as_database(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"is a directory, not a database file") as info:
        create_app({"DATABASE": tmp_path})
    assert str(tmp_path) in str(info.value)


def test_create_app_refuses_a_text_file_as_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    with pytest.raises(SettingsError, match=r"is not a SQLite database") as info:
        create_app({"DATABASE": notes})
    assert str(notes) in str(info.value)


def test_create_app_turns_a_corrupt_database_into_a_settings_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(CORRUPT)
    with pytest.raises(SettingsError, match=r"cannot be used as the mock's state") as info:
        create_app({"DATABASE": broken})
    assert str(broken) in str(info.value)
    assert not isinstance(info.value.__cause__, sqlite3.Error)


def test_create_app_refuses_a_database_in_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"does not exist"):
        create_app({"DATABASE": tmp_path / "missing" / "state.sqlite3"})


def test_create_app_accepts_an_empty_file_as_a_new_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    app = create_app({"DATABASE": empty, "FAILED": 3})
    assert app.test_client().get("/__mock/invoices").json["count"] == 3


def test_create_app_refuses_more_failed_invoices_than_the_limit(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"FAILED must be at most 100,000"):
        create_app({"DATABASE": tmp_path / "mock.sqlite3", "FAILED": 100_001})
