"""Bad command-line input: one error line, a non-zero exit, never a traceback.

Each case runs the real ``python -m ingest`` in a subprocess (a few at a time), against a
database that already holds articles, and checks that database is untouched afterwards.
"""

from __future__ import annotations

import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ingest import store
from tests.faults.conftest import (
    corpus,
    count,
    integrity,
    one_line_error,
    run_cli,
    write_seeds,
)

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cli-input")
    good = root / "good.db"
    result = run_cli("seeds", str(write_seeds(root / "seeds", corpus(10))), "--db", str(good))
    assert result.returncode == 0, result.stderr

    not_sqlite = root / "notes.db"
    not_sqlite.write_text("these are my notes, not a database\n" * 100)
    folder = root / "a-folder.db"
    folder.mkdir()
    newer = root / "newer.db"
    shutil.copy(good, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    corrupt = root / "corrupt.db"
    shutil.copy(good, corrupt)
    with sqlite3.connect(corrupt) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    data = bytearray(corrupt.read_bytes())
    for number in range(2, pages):  # keep the header page, scramble every other page
        data[number * page:(number + 1) * page] = b"\xa5" * page
    corrupt.write_bytes(bytes(data))
    return {"good": good, "not_sqlite": not_sqlite, "folder": folder, "newer": newer,
            "corrupt": corrupt, "root": root}


CASES = [
    # (arguments with {placeholders}, what the one line must say)
    (["feeds", "remove", "999", "--db", "{good}"], "no feed with id 999"),
    (["feeds", "resume", "https://nowhere.example/feed", "--db", "{good}"], "no feed with URL"),
    (["feeds", "add", "javascript:alert(1)", "--db", "{good}"], "not an http(s) feed URL"),
    (["feeds", "import", "{root}/missing.opml", "--db", "{good}"], "missing.opml"),
    (["export", "articles", "--since", "2024-13-45", "--db", "{good}"],
     "'2024-13-45' does not match the format"),
    (["export", "articles", "--until", "2024-02-30", "--db", "{good}"], "2024-02-30"),
    (["export", "nonsense", "--db", "{good}"], "nonsense"),
    (["run", "--every", "soon", "--db", "{good}"], "expected a duration like 30m"),
    (["seeds", "{root}/no-such-folder", "--db", "{good}"], "no such seeds folder"),
    (["stats", "--db", "{not_sqlite}"], "not a usable SQLite database"),
    (["seeds", "{root}/seeds", "--db", "{not_sqlite}"], "not a usable SQLite database"),
    (["stats", "--db", "{folder}"], "is a directory"),
    (["seeds", "{root}/seeds", "--db", "{folder}"], "is a directory"),
    (["stats", "--db", "{newer}"], "newer than this release understands"),
    (["seeds", "{root}/seeds", "--db", "{newer}"], "newer than this release understands"),
    (["export", "articles", "--db", "{root}/never-created.db"], "no database here yet"),
    (["stats", "--db", "{corrupt}"], "malformed"),
]


def test_each_bad_input_is_one_line_and_a_nonzero_exit(files):
    def attempt(case):
        args, _ = case
        return run_cli(*[arg.format(**files) for arg in args])

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(attempt, CASES))
    problems = []
    for (args, expected), result in zip(CASES, results, strict=True):
        try:
            line = one_line_error(result)
            assert expected in line, line
        except AssertionError as exc:
            problems.append(f"{' '.join(args)}:\n{exc}")
    assert problems == [], "\n\n".join(problems)

    assert integrity(files["good"]) == "ok" and count(files["good"]) == 10
    assert count(files["good"], "SELECT count(*) FROM runs") == 1
    assert files["not_sqlite"].read_text().startswith("these are my notes")
    assert list(files["folder"].iterdir()) == []
    with sqlite3.connect(files["newer"]) as conn:  # refused, not "upgraded" backwards
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION + 1
