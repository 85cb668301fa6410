"""Open the SQLite file, keep its schema current, and hold the few writes every module shares.

One resolution order for the path everywhere: ``--db``, then ``MONITOR_DB``, then
``data/monitor.db``. Connections run in autocommit mode and writers open explicit
``BEGIN IMMEDIATE`` transactions, so an article and its tags land together or not at all.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from ingest.schema import MIGRATIONS, SCHEMA_VERSION

DEFAULT_DB = Path("data") / "monitor.db"
BUSY_TIMEOUT_MS = 30_000
# SQLite's default page cache is 2 MB. Indexes on hashes and ids take writes all over a large
# file; 64 MB keeps their upper levels in memory (1.6x faster storing at 160k articles, see
# docs/benchmarks.md). A ceiling, not an allocation: small files use little of it.
CACHE_KB = 64 * 1024


class StoreError(Exception):
    """A database problem worth one clear line to the user (missing, corrupt, too new, locked)."""


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """The database path: explicit argument, else ``MONITOR_DB``, else ``data/monitor.db``."""
    return Path(path or os.environ.get("MONITOR_DB") or DEFAULT_DB)


def now() -> str:
    """The current time as ISO 8601 UTC, second precision: how every timestamp is stored."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_db(path: str | os.PathLike | None = None, *,
            readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating and migrating unless ``readonly``) the monitor database."""
    target = resolve_path(path)
    if readonly:
        if not target.exists():
            raise StoreError(f"{target}: no database here yet (run `python -m ingest seeds` first)")
        conn = _connect(f"file:{target.resolve()}?mode=ro", target, uri=True)
        db = sqlite_utils.Database(conn)
        _check_version(db, target, upgrade=False)
        return db
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = _connect(str(target), target)
    db = sqlite_utils.Database(conn)
    try:
        mode = _enable_wal(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{target}: not a usable SQLite database ({exc})") from None
    if mode.lower() != "wal":
        raise StoreError(f"{target}: could not switch to WAL journal mode (got {mode})")
    _check_version(db, target, upgrade=True)
    return db


def _enable_wal(conn: sqlite3.Connection) -> str:
    """Switch to WAL once; it persists in the file, so later opens only read the mode.

    Switching needs a moment of exclusive access, and SQLite answers "database is locked" at
    once (no busy handler) when another process is creating the same file: retry until the
    busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() == "wal":
                return mode
            return conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _connect(dsn: str, target: Path, *, uri: bool = False) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(dsn, uri=uri, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, safe on crash
        conn.execute(f"PRAGMA cache_size=-{CACHE_KB}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        if target.is_file() and not os.access(target.parent, os.W_OK):
            raise StoreError(
                f"{target}: its folder is read-only, and SQLite needs to write the WAL index"
                f" ({target.name}-shm) beside the file ({exc}); copy it to a writable folder"
            ) from None
        raise StoreError(f"{target}: not a usable SQLite database ({exc})") from None
    return conn


def _check_version(db: sqlite_utils.Database, target: Path, *, upgrade: bool) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{target}: schema version {version} is newer than this release understands "
            f"({SCHEMA_VERSION}); upgrade Influence Monitor before opening it"
        )
    if version < SCHEMA_VERSION and not upgrade:
        raise StoreError(
            f"{target}: schema version {version} is older than {SCHEMA_VERSION}; "
            "run `python -m ingest init` to upgrade it"
        )
    for number in range(version, SCHEMA_VERSION):
        with transaction(db):
            # Another process may have run this migration while we waited for the write lock.
            if db.execute("PRAGMA user_version").fetchone()[0] > number:
                continue
            MIGRATIONS[number](db)
            db.execute(f"PRAGMA user_version={number + 1}")


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """An IMMEDIATE transaction: takes the write lock up front so writers queue, not deadlock."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise StoreError(f"database is busy or read-only: {exc}") from None
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        # SQLite may already have rolled back (e.g. SQLITE_FULL): keep the original error.
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def ensure_source(db: sqlite_utils.Database, *, kind: str, url: str, name: str, **fields) -> int:
    """The id of the source at ``url``, registering it on first sight."""
    row = db.execute("SELECT id FROM sources WHERE url = ?", [url]).fetchone()
    if row:
        if fields:
            sets = ", ".join(f"{column} = ?" for column in fields)
            db.execute(f"UPDATE sources SET {sets} WHERE id = ?", [*fields.values(), row[0]])
        return row[0]
    columns = {"kind": kind, "url": url, "name": name, "added_at": now(), **fields}
    placeholders = ", ".join("?" for _ in columns)
    cursor = db.execute(f"INSERT INTO sources ({', '.join(columns)}) VALUES ({placeholders})",
                        list(columns.values()))
    return cursor.lastrowid


def start_run(db: sqlite_utils.Database, kind: str, tagger_version: str) -> int:
    """Record a run as started, with the tagger version it tags with; a run that never reaches
    ``finish_run`` stays visibly unfinished."""
    cursor = db.execute(
        "INSERT INTO runs (kind, started_at, pid, tagger_version) VALUES (?, ?, ?, ?)",
        [kind, now(), os.getpid(), tagger_version],
    )
    return cursor.lastrowid


def finish_run(db: sqlite_utils.Database, run_id: int, counts: dict[str, int],
               errors: list[str], status: str = "ok") -> None:
    columns = ("feeds_polled", "new", "updated", "unchanged", "duplicate", "failed")
    values = [counts.get(column, 0) for column in columns]
    db.execute(
        f"UPDATE runs SET {', '.join(f'{c} = ?' for c in columns)}, errors = ?, status = ?,"
        " finished_at = ? WHERE id = ?",
        [*values, json.dumps(errors[:1000], ensure_ascii=False), status, now(), run_id],
    )


def mark_abandoned_runs(db: sqlite_utils.Database) -> int:
    """Runs left 'running' by a process that no longer exists were killed: say so."""
    stale = [
        row[0]
        for row in db.execute("SELECT id, pid FROM runs WHERE status = 'running'").fetchall()
        if not _pid_alive(row[1])
    ]
    for run_id in stale:
        db.execute("UPDATE runs SET status = 'interrupted' WHERE id = ?", [run_id])
    return len(stale)


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def change_marker(db: sqlite_utils.Database) -> tuple:
    """Changes whenever articles, runs, corrections or the feed registry change.

    The dashboard's cache key. Sources are a few hundred rows at most, so hashing their
    registry fields (``feeds add/remove/resume`` touch nothing else) costs nothing.
    """
    return db.execute(
        "SELECT (SELECT max(rowid) FROM articles), (SELECT max(updated_at) FROM articles),"
        " (SELECT max(id) FROM runs), (SELECT max(coalesce(finished_at, started_at)) FROM runs),"
        " (SELECT max(id) FROM corrections),"
        " (SELECT group_concat(id || name || paused || coalesce(removed_at, '')"
        " || coalesce(affiliation, '')) FROM sources)"
    ).fetchone()
