"""Runs end to end on a real local server: schedule, validators, failures, dedupe, signals."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner
from werkzeug import Response

from ingest import feeds, lock, runner
from ingest.cli import cli
from tests.conftest import REPO
from tests.feedserver import fixture, options, rss
from tests.test_feeds import EXECUTABLE, billion_laughs

pytest_plugins = ["tests.conftest_feeds"]

CANNED = {"rss2.xml": 3, "atom.xml": 2, "rss1.rdf": 1, "fr-latin1.xml": 2, "utf16.xml": 1}


def serve(server, path: str, body: bytes, **kwargs) -> str:
    server.expect_request(path).respond_with_data(body, **kwargs)
    return server.url_for(path)


def last_run(db) -> dict:
    cursor = db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1")
    return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))


def count(db, sql: str, *params) -> int:
    return db.execute(sql, params).fetchone()[0]


def test_run_ingests_due_feeds_and_records_the_run(feed_server, db):
    for name in CANNED:
        feeds.add_feed(db, serve(feed_server, f"/{name}", fixture(name),
                                 content_type="application/xml"))
    report = runner.run_once(db, options(everything=False))
    assert report.counts["new"] == sum(CANNED.values()) and report.status == "ok"
    run = last_run(db)
    assert (run["feeds_polled"], run["new"], run["failed"], run["status"]) == (5, 9, 0, "ok")
    assert run["finished_at"] and json.loads(run["errors"]) == []
    assert count(db, "SELECT count(*) FROM articles WHERE tagger_version IS NOT NULL") == 9
    assert all(row["last_success_at"] and row["next_due_at"] for row in feeds.list_feeds(db))
    assert runner.run_once(db, options(everything=False)).counts["feeds_polled"] == 0


def test_304_after_etag_costs_nothing(feed_server, db):
    feed_server.expect_request("/f", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304)
    feeds.add_feed(db, serve(feed_server, "/f", fixture("rss2.xml"), headers={"ETag": '"v1"'}))
    assert runner.run_once(db, options()).counts["new"] == 3
    second = runner.run_once(db, options()).counts
    assert (second["feeds_polled"], second["new"], second["unchanged"]) == (1, 0, 0)
    assert feed_server.log[-1][1].status_code == 304


def test_changed_body_under_same_etag_is_processed(feed_server, db):
    one = rss([{"title": "Mali and Russia sign accord", "link": "https://n.example/1",
                "text": "Mali signed a defence accord with Russia."}])
    two = rss([{"title": "Mali and Russia sign accord", "link": "https://n.example/1",
                "text": "Mali signed a defence accord with Russia."},
               {"title": "Niger expels French ambassador", "link": "https://n.example/2",
                "text": "Niger's junta expelled the French ambassador."}])
    bodies = iter([one, one, two])
    feed_server.expect_request("/f").respond_with_handler(
        lambda _request: Response(next(bodies), headers={"ETag": '"same"'}))
    feeds.add_feed(db, feed_server.url_for("/f"))
    assert runner.run_once(db, options()).counts["new"] == 1
    same = runner.run_once(db, options()).counts  # same bytes: not even parsed
    assert (same["new"], same["unchanged"]) == (0, 0)
    changed = runner.run_once(db, options()).counts
    assert (changed["new"], changed["unchanged"]) == (1, 1)


def test_500_then_success_and_429_with_retry_after(feed_server, db):
    feed_server.expect_oneshot_request("/a").respond_with_data("", status=500)
    feed_server.expect_oneshot_request("/b").respond_with_data(
        "", status=429, headers={"Retry-After": "1"})
    for path in ("/a", "/b"):
        feeds.add_feed(db, serve(feed_server, path, fixture("atom.xml")))
    started = time.monotonic()
    counts = runner.run_once(db, options()).counts
    # One story each; the second feed's copy of it is a duplicate (both link off their site).
    assert (counts["new"], counts["duplicate"], counts["failed"]) == (2, 2, 0)
    assert time.monotonic() - started >= 0.9


def test_failing_feeds_are_visible_and_backed_off(feed_server, db, db_path):
    feeds.add_feed(db, serve(feed_server, "/gone", b"gone", status=404), name="Gone")
    feeds.add_feed(db, serve(feed_server, "/html", fixture("html-page.html"),
                             content_type="text/html"), name="Moved")
    feeds.add_feed(db, serve(feed_server, "/ok", fixture("rss2.xml")), name="Fine")
    report = runner.run_once(db, options())
    assert (report.counts["failed"], report.counts["new"]) == (2, 3)
    errors = json.loads(last_run(db)["errors"])
    assert any("/gone: HTTP 404" in error for error in errors)
    listing = CliRunner().invoke(cli, ["feeds", "list", "--db", str(db_path)]).output
    assert "Gone [failing x1]" in listing and "last error" in listing and "HTTP 404" in listing
    assert "not a feed (the server sent an HTML page)" in listing
    assert runner.run_once(db, options(everything=False)).counts["feeds_polled"] == 0


def test_entity_bomb_and_private_hosts_fail_the_feed_only(feed_server, db):
    feeds.add_feed(db, serve(feed_server, "/lol", billion_laughs()), name="Laughs")
    feeds.add_feed(db, serve(feed_server, "/ok", fixture("atom.xml")), name="Fine")
    assert runner.run_once(db, options()).counts["new"] == 2
    by_name = {row["name"]: row for row in feeds.list_feeds(db)}
    assert by_name["Laughs"]["last_error"] == "feed declares XML entities (refused)"
    refusing = runner.run_once(db, options(limits={"allow_private": False}))
    assert refusing.counts["failed"] == 2
    assert all("resolves to internal address 127.0.0.1" in e for e in refusing.errors)


def test_malformed_feed_is_ingested_and_flagged(feed_server, db):
    feeds.add_feed(db, serve(feed_server, "/m", fixture("malformed.xml")), name="Broken")
    report = runner.run_once(db, options())
    assert report.counts["new"] == 1
    assert any("malformed feed, recovered 1 entries" in error for error in report.errors)
    [row] = feeds.list_feeds(db)
    assert row["malformed"] and row["last_success_at"]


def test_hostile_entries_store_no_markup(feed_server, db):
    feeds.add_feed(db, serve(feed_server, "/h", fixture("hostile.xml")))
    assert runner.run_once(db, options()).counts["new"] == 2
    for row in db.execute("SELECT title, text, author, outlet, coalesce(url, '') FROM articles"):
        assert not any(EXECUTABLE.search(value or "") for value in row), row
    assert count(db, "SELECT count(*) FROM articles WHERE url IS NULL") == 2


def test_same_story_from_two_feeds_is_one_article_with_both_sources(feed_server, db):
    story = {"title": "Wagner fighters leave Mali", "text": "The Wagner Group said its fighters"
             " were leaving Mali, handing over to Africa Corps."}
    # Two of news.example's feeds (served from the test server, so the site is declared)...
    feeds.add_feed(db, serve(feed_server, "/x", rss([story | {
        "link": "https://news.example/wagner-mali?utm_source=x&utm_medium=rss"}])),
        site="news.example")
    feeds.add_feed(db, serve(feed_server, "/y", rss([story | {
        "link": "https://NEWS.example/wagner-mali?fbclid=abc#top"}])), site="news.example")
    feeds.add_feed(db, serve(feed_server, "/z", rss([story | {  # republished under a new URL
        "link": "https://mirror.example/2024/wagner-leaves"}])))
    counts = runner.run_once(db, options(workers=1)).counts
    # Same canonical URL and text: 'unchanged'; same text under a new URL: 'duplicate'.
    assert (counts["new"], counts["unchanged"], counts["duplicate"]) == (1, 1, 1)
    assert count(db, "SELECT count(*) FROM articles") == 1
    assert count(db, "SELECT count(DISTINCT source_id) FROM article_sources") == 3


def test_full_text_replaces_summaries_and_falls_back(feed_server, db):
    page = ("<html><head><title>x</title><script>alert(1)</script></head><body><nav>Menu</nav>"
            "<article><h1>Drones for Niger</h1>" + "<p>Turkey delivered Bayraktar TB2 drones to"
            " Niger's air force on Tuesday, the defence ministry in Niamey said.</p>" * 6
            + "</article><footer>Copyright</footer></body></html>")
    feed_server.expect_request("/page").respond_with_data(page, content_type="text/html")
    feed_server.expect_request("/missing").respond_with_data("no", status=404)
    body = rss([{"title": "Drones", "link": feed_server.url_for("/page"), "text": "Short."},
                {"title": "Gone", "link": feed_server.url_for("/missing"), "text": "Summary."}])
    feeds.add_feed(db, serve(feed_server, "/f", body))
    report = runner.run_once(db, options(full_text=True))
    texts = dict(db.execute("SELECT title, text FROM articles").fetchall())
    assert "Bayraktar TB2" in texts["Drones"] and "alert" not in texts["Drones"]
    assert texts["Gone"] == "Summary."
    assert any("full text for" in e and "HTTP 404; kept the summary" in e for e in report.errors)


def test_second_run_exits_with_one_line_while_locked(db_path):
    with lock.run_lock(db_path):
        result = CliRunner().invoke(cli, ["run", "--db", str(db_path)])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "another ingest is running" in result.output


def test_run_every_needs_a_duration(db_path):
    result = CliRunner().invoke(cli, ["run", "--every", "soon", "--db", str(db_path)])
    assert result.exit_code == 2 and "expected a duration like 30m" in result.output


def ingest(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ingest", "-q", *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def slow_feeds(server, db, n: int = 6, per_feed: int = 10) -> None:
    """``n`` feeds on one host, so host spacing makes a run last long enough to kill."""
    for f in range(n):
        items = [{"title": f"Feed {f} story {i}", "link": f"https://s.example/{f}/{i}",
                  "text": f"Story {i} of feed {f}: Russia and Mali discussed training."}
                 for i in range(per_feed)]
        feeds.add_feed(db, serve(server, f"/slow{f}", rss(items)))


@pytest.mark.faults
def test_sigkill_mid_run_loses_nothing_and_duplicates_nothing(feed_server, db, db_path):
    slow_feeds(feed_server, db)
    args = ["run", "--all", "--allow-private-hosts", "--workers", "1", "--host-delay", "0.4",
            "--db", str(db_path)]
    victim = ingest(*args)
    deadline = time.monotonic() + 30
    while count(db, "SELECT count(*) FROM articles") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    stored = count(db, "SELECT count(*) FROM articles")
    assert 0 < stored < 60 and stored % 10 == 0  # whole feeds, never part of one
    survivor = ingest(*args[:-2], "--host-delay", "0", "--db", str(db_path))
    assert survivor.wait(60) == 0, survivor.stderr.read()
    assert count(db, "SELECT count(*) FROM articles") == 60
    assert count(db, "SELECT count(*) FROM article_sources") == 60
    statuses = [row[0] for row in db.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["interrupted", "ok"]


@pytest.mark.faults
def test_sigterm_stops_a_polling_loop_cleanly(feed_server, db, db_path):
    slow_feeds(feed_server, db, n=2, per_feed=2)
    loop = ingest("run", "--every", "1s", "--allow-private-hosts", "--host-delay", "0",
                  "--db", str(db_path))
    deadline = time.monotonic() + 30
    while count(db, "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL") == 0 \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    loop.send_signal(signal.SIGTERM)
    assert loop.wait(15) == 0, loop.stderr.read()
    rows = db.execute("SELECT status, finished_at FROM runs").fetchall()
    assert rows and all(finished for _, finished in rows)
    assert {status for status, _ in rows} <= {"ok", "stopped"}
    assert count(db, "SELECT count(*) FROM articles") == 4


def test_killed_runs_are_marked_interrupted_at_the_next_start(db):
    db.execute("INSERT INTO runs (kind, started_at, pid) VALUES ('feeds', '2024-01-01', ?)",
               [2 ** 22 + 12345])
    runner.run_once(db, options())
    assert [r[0] for r in db.execute("SELECT status FROM runs ORDER BY id")] == [
        "interrupted", "ok"]


def test_stopping_a_run_is_not_counted_against_waiting_feeds(feed_server, db):
    """A feed still waiting its turn on a polite host when the run stops is not a failure."""
    body = rss([{"title": "Waiting", "link": "https://example.org/waiting", "text": "Patience."}])
    for name in ("first", "second"):
        feeds.add_feed(db, serve(feed_server, f"/{name}.xml", body,
                                 content_type="application/xml"))
    stop = threading.Event()
    threading.Timer(0.7, stop.set).start()

    report = runner.run_once(db, options(host_delay=5.0, workers=2), stop)

    assert report.status == "stopped" and report.counts["failed"] == 0
    health = {row["url"].rsplit("/", 1)[1]: row for row in feeds.list_feeds(db)}
    assert health["second.xml"]["consecutive_failures"] == 0
    assert health["second.xml"]["last_error"] is None


def test_feeds_are_polled_one_host_at_a_time_in_turn():
    due = [feeds.Feed(n, url, f"feed {n}") for n, url in enumerate([
        "https://a.example/1", "https://a.example/2", "https://a.example/3",
        "https://B.example/1", "https://c.example/1", "https://b.example/2"])]
    assert [feed.id for feed in runner.by_turns_of_host(due)] == [0, 3, 4, 1, 5, 2]
