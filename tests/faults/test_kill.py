"""SIGKILL an ingest at several points; the database stays sound and the rerun completes it.

A killed run must cost nothing but time: after each kill ``PRAGMA integrity_check`` says ok;
after a final uninterrupted run the database holds exactly the articles, tags, dyads and posture
events of a clean single run built elsewhere (none lost, none twice), and every killed run is
marked as such in the runs table.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ingest.opml import FeedSpec, write_opml
from ingest.urls import canonical_url
from tests.faults.conftest import (
    corpus,
    count,
    integrity,
    rss,
    run_cli,
    snapshot,
    start_cli,
    write_seeds,
)

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

ARTICLES = 2000
FEEDS, PER_FEED = 12, 100


def kill_when(process: subprocess.Popen, db: Path, *, after: float | None = None,
              articles: int | None = None, hang_guard: float = 120) -> None:
    """SIGKILL ``process`` after ``after`` seconds or once ``articles`` are committed."""
    started = time.monotonic()
    while time.monotonic() - started < hang_guard:
        if after is not None and time.monotonic() - started >= after:
            break
        if articles is not None and count(db) >= articles:
            break
        if process.poll() is not None:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL, (
        f"the ingest ended on its own before the kill point ({out}{err}): nothing was tested")


def assert_same_as_reference(db: Path, reference: Path, expected_urls: set[str]) -> None:
    got, want = snapshot(db), snapshot(reference)
    assert len(got.urls) == len(set(got.urls)), "an article was stored twice (same URL)"
    assert len(got.hashes) == len(set(got.hashes)), "an article was stored twice (same text)"
    lost, extra = expected_urls - set(got.urls), set(got.urls) - expected_urls
    assert not lost and not extra, f"lost {len(lost)}, unexpected {len(extra)}"
    assert got.tags == want.tags
    assert got.dyads == want.dyads
    assert got.posture == want.posture
    assert all(got.tags.get(url) for url in expected_urls), "an article lost its tags"


def assert_killed_runs_marked(db: Path, kind: str, kills_after_start: int) -> None:
    runs = snapshot(db).runs
    *killed, last = runs
    assert last == (kind, "ok", 1)
    assert len(killed) <= kills_after_start
    # The next run's start marks every run its killed predecessors left 'running'.
    assert all(run == (kind, "interrupted", 0) for run in killed), runs


# --- Seeds: one transaction per document ---------------------------------------------------

@pytest.fixture(scope="module")
def seed_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus") / "reports"
    docs = corpus(ARTICLES, prefix="seed")
    write_seeds(folder, docs, per_file=40)
    reference = tmp_path_factory.mktemp("reference") / "reference.db"
    result = run_cli("seeds", str(folder), "--db", str(reference), timeout=300)
    assert result.returncode == 0, result.stderr
    return folder, reference, {canonical_url(doc["url"]) for doc in docs}


def test_seed_ingest_killed_three_times_then_rerun_equals_one_clean_run(seed_corpus, tmp_path):
    folder, reference, expected = seed_corpus
    db = tmp_path / "monitor.db"
    kill_points = [
        {"after": 0.5},                     # starting up, maybe creating the schema
        {"articles": ARTICLES // 5},        # a fifth stored
        {"articles": ARTICLES * 3 // 5},    # most of it stored, in a later run
    ]
    stored_before_kill = []
    for point in kill_points:
        kill_when(start_cli("seeds", str(folder), "--db", str(db)), db, **point)
        if db.exists():
            assert integrity(db) == "ok"
        stored_before_kill.append(count(db))
    assert stored_before_kill == sorted(stored_before_kill), "a kill lost committed articles"
    assert stored_before_kill[-1] < ARTICLES

    final = run_cli("seeds", str(folder), "--db", str(db), timeout=300)
    assert final.returncode == 0, final.stderr
    assert integrity(db) == "ok"
    assert_same_as_reference(db, reference, expected)
    assert_killed_runs_marked(db, "seeds", len(kill_points))
    assert count(db, "SELECT count(*) FROM runs WHERE kind = 'seeds' AND status ="
                     " 'interrupted'") >= 2  # the two count-triggered kills had started runs


# --- Feeds: one transaction per feed, over HTTP from a local server ------------------------

@pytest.fixture(scope="module")
def feed_site(tmp_path_factory):
    from tests.faults.conftest import LocalServer

    local = LocalServer()
    docs = corpus(FEEDS * PER_FEED, prefix="feed")
    urls = [local.bytes(f"/feed/{n}.xml", rss(docs[n * PER_FEED:(n + 1) * PER_FEED],
                                               title=f"Feed {n}"))
            for n in range(FEEDS)]
    reference = tmp_path_factory.mktemp("feeds-reference") / "reference.db"
    register(reference, urls)
    result = run_cli(*poll_args(reference), timeout=300)
    assert result.returncode == 0, result.stderr
    yield urls, reference, {canonical_url(doc["url"]) for doc in docs}
    local.close()


def register(db: Path, urls: list[str]) -> None:
    """``feeds import`` an OPML list: one process, not one per feed. The feeds are news.example's
    served from the local server, so the list declares that site (``htmlUrl``)."""
    listing = db.parent / "feeds.opml"
    listing.write_text(write_opml(FeedSpec(url=url, site="news.example") for url in urls))
    result = run_cli("feeds", "import", str(listing), "--db", str(db))
    assert result.returncode == 0, result.stderr


def poll_args(db: Path) -> list[str]:
    return ["run", "--all", "--allow-private-hosts", "--host-delay", "0", "--workers", "2",
            "--db", str(db)]


def test_feed_run_killed_twice_then_rerun_equals_one_clean_run(feed_site, tmp_path):
    urls, reference, expected = feed_site
    db = tmp_path / "monitor.db"
    register(db, urls)
    for point in ({"articles": PER_FEED * 3}, {"articles": PER_FEED * 7}):
        kill_when(start_cli(*poll_args(db)), db, **point)
        assert integrity(db) == "ok"
        # Feeds are stored whole: a kill never leaves part of one feed behind.
        assert count(db) % PER_FEED == 0

    final = run_cli(*poll_args(db), timeout=300)
    assert final.returncode == 0, final.stderr
    assert integrity(db) == "ok"
    assert_same_as_reference(db, reference, expected)
    assert_killed_runs_marked(db, "feeds", 2)
    assert count(db, "SELECT count(*) FROM sources WHERE kind = 'feed'"
                     " AND last_success_at IS NOT NULL") == FEEDS


# --- Retag in worker processes: a worker killed -------------------------------------------

def _workers(pid: int) -> list[int]:
    """The pool's worker processes among ``pid``'s children (not its resource tracker)."""
    found = []
    for tasks in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in tasks.read_text().split():
            try:
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(int(child))
            except OSError:
                continue  # exited meanwhile
    return found


def test_a_killed_tagger_worker_fails_the_retag_in_one_line_and_the_next_retag_finishes(
        seed_corpus, tmp_path):
    _, reference, _ = seed_corpus
    db = tmp_path / "monitor.db"
    db.write_bytes(reference.read_bytes())
    before = snapshot(db)

    process = start_cli("retag", "--workers", "2", "--db", str(db))
    deadline = time.monotonic() + 60
    while not (workers := _workers(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert workers, "retag --workers 2 started no worker process"
    os.kill(workers[0], signal.SIGKILL)
    _, err = process.communicate(timeout=120)

    assert process.returncode == 1
    assert err.count("\n") == 1 and err.startswith("Error: a tagger worker process died"), err
    assert integrity(db) == "ok"
    assert count(db, "SELECT count(*) FROM runs WHERE kind = 'retag' AND status = 'failed'") == 1
    again = run_cli("retag", "--workers", "2", "--db", str(db), timeout=300)
    assert again.returncode == 0, again.stderr
    after = snapshot(db)
    assert (after.tags, after.dyads, after.posture) == (before.tags, before.dyads, before.posture)
