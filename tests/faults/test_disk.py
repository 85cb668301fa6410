"""A full disk and a read-only database: one clear line, a non-zero exit, nothing damaged.

Tests run as root, where chmod stops no write, so the read-only cases use real read-only bind
mounts, and the full disk is a real 'tmpfs' a few hundred kilobytes large, each inside a private
mount namespace (``unshare -m``) that vanishes with the command. Where that is not possible the
mount tests skip; the library-level disk-full test (SQLite's ``max_page_count``) always runs.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from ingest import pipeline, seeds, store
from tests.faults.conftest import (
    cli_args,
    cli_env,
    corpus,
    count,
    integrity,
    one_line_error,
    run_cli,
    snapshot,
    write_seeds,
)

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

PRIOR = 20


def can_mount() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(not can_mount(),
                                  reason="needs root and unshare -m to mount in private")


def in_private_mounts(setup: str, *args: str, after: str = "") -> subprocess.CompletedProcess:
    """Run ``python -m ingest ARGS`` after ``setup`` (mount commands) in a private namespace."""
    command = " ".join(shlex.quote(part) for part in cli_args(*args))
    script = f"set -e; {setup}; set +e; {command}; code=$?; {after or 'true'}; exit $code"
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                          timeout=240, env=cli_env())


@pytest.fixture(scope="module")
def prior_db(tmp_path_factory) -> Path:
    """A database holding ``PRIOR`` tagged articles, checkpointed into the main file."""
    root = tmp_path_factory.mktemp("prior")
    path = root / "prior.db"
    result = run_cli("seeds", str(write_seeds(root / "first", corpus(PRIOR, prefix="prior"))),
                     "--db", str(path))
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def more_seeds(tmp_path_factory) -> Path:
    return write_seeds(tmp_path_factory.mktemp("more") / "more", corpus(600, prefix="more"))


def copy_db(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, folder / "monitor.db")
    return folder / "monitor.db"


def assert_prior_articles_intact(path: Path, prior: Path) -> None:
    assert integrity(path) == "ok"
    before, after = snapshot(prior), snapshot(path)
    assert set(before.urls) <= set(after.urls)
    assert {url: after.tags[url] for url in before.urls} == before.tags
    # Nothing half-stored: every article that made it in has its tags.
    assert count(path, "SELECT count(*) FROM articles a WHERE NOT EXISTS"
                       " (SELECT 1 FROM tags t WHERE t.article_id = a.id)") == 0


@needs_mounts
def test_a_full_disk_stops_the_ingest_with_one_line_and_loses_nothing(prior_db, more_seeds,
                                                                       tmp_path):
    disk, saved = tmp_path / "disk", tmp_path / "saved"
    staging = copy_db(prior_db, tmp_path / "staging")
    disk.mkdir()
    saved.mkdir()
    room_kb = prior_db.stat().st_size // 1024 + 160  # the file, its -shm, and a little more
    result = in_private_mounts(
        f"mount -t tmpfs -o size={room_kb}k tmpfs {disk} && cp {staging} {disk}/",
        "seeds", str(more_seeds), "--db", str(disk / "monitor.db"),
        after=f"cp -a {disk}/. {saved}/",
    )
    assert "disk is full" in one_line_error(result)

    full = saved / "monitor.db"
    assert_prior_articles_intact(full, prior_db)
    assert count(full) < PRIOR + 600
    assert count(full, "SELECT count(*) FROM runs WHERE status = 'ok'") == 1  # only the first

    # Moved to a disk with room, the same command completes the job.
    rerun = run_cli("seeds", str(more_seeds), "--db", str(full), timeout=240)
    assert rerun.returncode == 0, rerun.stderr
    assert integrity(full) == "ok" and count(full) == PRIOR + 600
    assert snapshot(full).runs[-1] == ("seeds", "ok", 1)


def test_a_full_database_rolls_back_the_article_being_stored(prior_db, more_seeds, tmp_path):
    """Library level: SQLite's max_page_count makes the file 'full' a few pages from now.

    Found by this suite: SQLite had already rolled the transaction back, and the ROLLBACK in
    ``store.transaction`` replaced "database or disk is full" by "cannot rollback - no
    transaction is active".
    """
    path = copy_db(prior_db, tmp_path / "lib")
    db = store.open_db(path)
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 12}")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        seeds.ingest_folder(db, more_seeds)
    db.conn.close()

    assert_prior_articles_intact(path, prior_db)
    assert PRIOR <= count(path) < PRIOR + 600
    assert count(path, "SELECT count(*) FROM runs WHERE status = 'ok'") == 1

    db = store.open_db(path)  # room again (max_page_count is per connection)
    seeds.ingest_folder(db, more_seeds)
    assert count(path) == PRIOR + 600 and integrity(path) == "ok"


@needs_mounts
@pytest.mark.parametrize("command", [["seeds", "{seeds}"], ["stats"], ["feeds", "add",
                                     "https://news.example/feed.xml"]])
def test_a_database_in_a_read_only_folder_is_named_as_such(prior_db, more_seeds, tmp_path,
                                                           command):
    folder = tmp_path / "share"
    path = copy_db(prior_db, folder)
    args = [part.replace("{seeds}", str(more_seeds)) for part in command]
    result = in_private_mounts(f"mount --bind {folder} {folder} && "
                               f"mount -o remount,bind,ro {folder}", *args, "--db", str(path))
    line = one_line_error(result)
    assert "read-only" in line and str(path) in line
    assert_prior_articles_intact(path, prior_db)
    assert snapshot(path).runs == snapshot(prior_db).runs


@needs_mounts
def test_a_read_only_database_file_refuses_writes_but_still_reads(prior_db, more_seeds,
                                                                  tmp_path):
    path = copy_db(prior_db, tmp_path / "ro-file")
    bind = f"mount --bind {path} {path} && mount -o remount,bind,ro {path}"
    write = in_private_mounts(bind, "seeds", str(more_seeds), "--db", str(path))
    assert "readonly database" in one_line_error(write)

    read = in_private_mounts(bind, "stats", "--db", str(path))
    assert read.returncode == 0, read.stderr
    assert re.search(rf"^articles\s+{PRIOR}$", read.stdout, re.MULTILINE), read.stdout
    assert_prior_articles_intact(path, prior_db)
    assert snapshot(path).runs == snapshot(prior_db).runs


def test_a_read_only_connection_refuses_to_store(prior_db, tmp_path):
    path = copy_db(prior_db, tmp_path / "query-only")
    db = store.open_db(path, readonly=True)
    doc = pipeline.Document(title="Russia and Mali", text="Russia deployed troops to Mali.",
                            key="seed:x", url="https://news.example/ro")
    with pytest.raises(sqlite3.OperationalError, match="readonly database"):
        pipeline.store_document(db, doc, source_id=1)
    db.conn.close()
    assert count(path) == PRIOR and integrity(path) == "ok"
