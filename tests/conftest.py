"""Shared fixtures: every test gets its own real SQLite file under tmp_path."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import sqlite_utils
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ingest import store

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_6b386ba74ace1624.txt"


def pytest_report_header(config) -> str:
    return f"SQLite {sqlite3.sqlite_version}, sqlite-utils {version('sqlite-utils')}"


@pytest.fixture(autouse=True)
def _isolated_db(tmp_path, monkeypatch) -> None:
    """Nothing a test does may touch data/monitor.db."""
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "env-monitor.db"))


@pytest.fixture(autouse=True)
def _real_main_module(monkeypatch) -> None:
    """Streamlit's AppTest leaves the dashboard script in sys.modules as ``__main__``; a worker
    process started later (``retag --workers``) would re-run it. Each test gets it back."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "monitor.db"


@pytest.fixture
def downloads(monkeypatch) -> dict[str, tuple[str | None, bytes]]:
    """Every file a download button hands to Streamlit's media store, by file id."""
    captured: dict[str, tuple[str | None, bytes]] = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        file_id = real(self, path_or_data, mimetype, kind, filename)
        captured[file_id] = (filename, path_or_data)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    deferred = MediaFileManager.add_deferred

    def spy_deferred(self, make, mimetype, coordinates, file_name=None, **kwargs):
        file_id = deferred(self, make, mimetype, coordinates, file_name=file_name, **kwargs)
        captured[file_id] = (file_name, make)  # made when clicked: see offered_files
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy_deferred)
    return captured


def offered_files(at, downloads: dict[str, tuple[str | None, bytes]]) -> dict[str, bytes]:
    """The files the page's download buttons offer now, by file name. The sidebar's brief
    buttons are left out: a brief is tested in tests/test_brief*.py, not on every page."""
    offered = {}
    for button in at.main.get("download_button"):
        if button.proto.deferred_file_id:  # made when clicked (the Articles page): click it
            name, make = downloads[button.proto.deferred_file_id]
            offered[name] = make()
            continue
        file_id = button.proto.url.rsplit("/", 1)[-1].split(".", 1)[0]
        name, data = downloads[file_id]
        offered[name] = data
    return offered


@pytest.fixture
def db(db_path) -> sqlite_utils.Database:
    return store.open_db(db_path)


@pytest.fixture
def seed_dir(tmp_path) -> Path:
    """A seeds folder holding the original seed document, unchanged."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


def database_at(path: Path, version: int) -> tuple[sqlite3.Connection, sqlite_utils.Database]:
    """A database file as a release with ``version`` migrations left it, to test upgrades."""
    from ingest.schema import MIGRATIONS

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    db = sqlite_utils.Database(conn)
    for number, migration in enumerate(MIGRATIONS[:version]):
        migration(db)
        conn.execute(f"PRAGMA user_version={number + 1}")
    return conn, db
