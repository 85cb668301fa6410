"""Watches and alerts on real SQLite files, with the real tagger, a real SMTP server on
loopback (aiosmtpd) for the apprise e-mails, and feedparser reading the Atom file back."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from datetime import datetime

import feedparser
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from ingest import alerts, feeds, pipeline, runner, store, watches
from ingest.cli import cli
from ingest.queries import Filters
from tests.feedserver import options, rss

pytest_plugins = ["tests.conftest_feeds"]

REPORTED = Filters(statuses=("reported",))
LONG_AGO = "2000-01-01T00:00:00Z"


# --- Building a database the way ingest does ---------------------------------------------

def source(db, name: str = "Wire", affiliation: str | None = None) -> int:
    with store.transaction(db):
        return store.ensure_source(db, kind="feed", url=f"https://{name.lower()}.example/feed",
                                   name=name, affiliation=affiliation)


def article(db, slug: str, text: str, day: str, source_id: int | None = None) -> str:
    """Store and tag one English article published on ``day``; returns its URL."""
    url = f"https://news.example/{slug}"
    doc = pipeline.Document(title=f"Report {slug}", text=text, key=slug, url=url,
                            published=datetime.fromisoformat(f"{day}T09:00:00+00:00"),
                            language="en")
    assert pipeline.store_document(db, doc, source_id or source(db)) == "new"
    return url


def stored_earlier(db) -> None:
    """Everything stored so far was stored before any watch was saved (not this second)."""
    with store.transaction(db):
        db.execute("UPDATE articles SET first_seen = ?, updated_at = ?", [LONG_AGO, LONG_AGO])


def watch(db, trigger: str, filters: Filters = REPORTED, **kwargs) -> int:
    return watches.add_watch(db, f"{trigger} {len(watches.list_watches(db))}", trigger, filters,
                             **kwargs)


def raised(db) -> list[dict]:
    return sorted(alerts.alert_list(db), key=lambda row: row["id"])


DEPLOY = "Russia deployed 300 soldiers to Mali on March 3, 2023, officials said."
WITHDRAW = "Russia withdrew 100 soldiers from Mali on April 10, 2023."
TURKEY = "Turkey signed a military cooperation agreement with Niger."
RUSSIA_MALI = "Russia signed a military cooperation agreement with Mali."


# --- Each trigger ---------------------------------------------------------------------------

def test_a_new_pair_alerts_once_with_its_evidence_and_a_known_one_never(db):
    article(db, "old", RUSSIA_MALI, "2023-01-05")
    stored_earlier(db)
    watch(db, "new-pair")
    article(db, "again", RUSSIA_MALI, "2023-02-01")
    url = article(db, "turkey", TURKEY, "2023-02-02", source(db, "Courier"))
    article(db, "turkey-2", TURKEY + " Talks went on.", "2023-02-03")
    assert alerts.check(db, []) == 1
    [alert] = raised(db)
    assert alert["summary"] == "New pair: Turkey – Niger"
    assert (alert["evidence"], alert["title"], alert["url"], alert["source"]) == (
        TURKEY, "Report turkey", url, "Courier")
    assert alerts.check(db, []) == 0


def test_a_new_posture_event_alerts_within_the_watch_filters(db):
    watch(db, "posture", Filters(actors=("Russia",), statuses=("reported",)))
    article(db, "deploy", DEPLOY, "2023-03-04")
    article(db, "france", "France deployed 200 soldiers to Chad on March 5, 2023.", "2023-03-05")
    alerts.check(db, [])
    assert [row["summary"] for row in raised(db)] == [
        "Russia in Mali: Deployment 300 (2023-03-03)"]
    assert raised(db)[0]["evidence"] == DEPLOY


def test_a_change_of_force_level_alerts_with_the_level_before_and_after(db):
    article(db, "deploy", DEPLOY, "2023-03-04")
    stored_earlier(db)
    watch(db, "level")
    article(db, "withdraw", WITHDRAW, "2023-04-11")
    alerts.check(db, [])
    assert [row["summary"] for row in raised(db)] == [
        "Russia in Mali: force level 300 → 200 (2023-04-10)"]


def test_a_spike_needs_k_times_the_trailing_eight_week_median(db):
    # One article a week on Russia–Mali for eight weeks: the median is one.
    for week, day in enumerate(("2023-01-09", "2023-01-17", "2023-01-25", "2023-02-02",
                                "2023-02-06", "2023-02-14", "2023-02-22", "2023-03-05")):
        article(db, f"weekly-{week}", RUSSIA_MALI + f" Week {week}.", day)
    stored_earlier(db)
    calm, jumpy = watch(db, "spike", k=4), watch(db, "spike", k=3)
    # Three articles in the week of Monday 2023-03-06.
    for n, day in enumerate(("2023-03-06", "2023-03-08", "2023-03-12")):
        article(db, f"burst-{n}", RUSSIA_MALI + f" Burst {n}.", day)
    alerts.check(db, [])
    fired = raised(db)
    assert {row["watch_name"] for row in fired} == {
        watches.find_watch(db, str(jumpy)).name}, calm
    assert fired[0]["summary"].startswith("Spike: Russia – Mali, 3 stories in the week of"
                                          " 2023-03-06")


def test_a_pair_first_carried_by_state_media_alerts_once_per_affiliation(db):
    article(db, "independent", RUSSIA_MALI, "2023-01-05")
    stored_earlier(db)
    watch(db, "state-first")
    sputnik = source(db, "Sputnik", affiliation="Russia")
    article(db, "sputnik-1", RUSSIA_MALI + " Said at dawn.", "2023-02-01", sputnik)
    article(db, "sputnik-2", RUSSIA_MALI + " Said again.", "2023-02-02", sputnik)
    article(db, "cgtn", RUSSIA_MALI + " Broadcast at noon.", "2023-02-03",
            source(db, "CGTN", affiliation="China"))
    article(db, "wire", TURKEY, "2023-02-04")  # no state media: nothing
    alerts.check(db, [])
    assert [row["summary"] for row in raised(db)] == [
        "Russia – Mali first reported by Russia-affiliated media (Sputnik)",
        "Russia – Mali first reported by China-affiliated media (CGTN)"]


def test_a_paused_watch_raises_nothing_and_resumes_from_then(db):
    name = watches.find_watch(db, str(watch(db, "new-pair"))).name
    watches.set_paused(db, name, True)
    article(db, "while-paused", TURKEY, "2023-02-02")
    assert alerts.check(db, []) == 0
    stored_earlier(db)
    watches.set_paused(db, name, False)
    assert alerts.check(db, []) == 0  # what came in while paused is skipped
    article(db, "after", RUSSIA_MALI, "2023-02-03")
    assert alerts.check(db, []) == 1


def test_a_retag_or_a_check_killed_before_its_cursor_moved_raises_nothing_twice(db):
    watch(db, "new-pair")
    watch(db, "posture")
    watch(db, "level")
    article(db, "deploy", DEPLOY, "2023-03-04")
    article(db, "turkey", TURKEY, "2023-03-05")
    first = alerts.check(db, [])
    assert first == 4
    rows_before = db.execute("SELECT min(id) FROM dyads").fetchone()[0]
    assert pipeline.retag(db) == 2
    assert db.execute("SELECT min(id) FROM dyads").fetchone()[0] != rows_before  # rebuilt
    with store.transaction(db):  # as if every check so far had been killed before committing
        db.execute("UPDATE watches SET cursor = ?", [LONG_AGO])
    assert alerts.after_ingest(db).raised == 0
    assert len(raised(db)) == first


# --- Delivery: a real SMTP server on loopback ---------------------------------------------

class Mailbox:
    """aiosmtpd on 127.0.0.1; ``messages`` holds what it accepted."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.port = free_port()
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.content)
        return "250 OK"

    def start(self) -> Mailbox:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()

    @property
    def url(self) -> str:
        return (f"mailto://127.0.0.1:{self.port}?from=monitor@example.org"
                "&to=analyst@example.org")

    def subjects(self) -> list[str]:
        return [str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])
                for raw in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox():
    box = Mailbox().start()
    yield box
    box.stop()


def test_each_alert_is_one_mail_and_only_one(db, mailbox, monkeypatch):
    monkeypatch.setenv("MONITOR_NOTIFY", mailbox.url)
    watch(db, "new-pair")
    article(db, "deploy", DEPLOY, "2023-03-04")
    article(db, "turkey", TURKEY, "2023-03-05")
    report = alerts.after_ingest(db)
    assert (report.raised, report.sent, report.failed) == (2, 2, 0)
    assert sorted(mailbox.subjects()) == sorted(
        f"[{row['watch_name']}] {row['summary']}" for row in raised(db))
    assert all(b"Russia deployed 300 soldiers" in raw or TURKEY.encode() in raw
               for raw in mailbox.messages)
    alerts.after_ingest(db)
    assert len(mailbox.messages) == 2


def test_a_failed_delivery_is_retried_next_run_and_shown_in_stats(db, db_path, monkeypatch):
    down = Mailbox()  # not started: nothing listens on its port
    monkeypatch.setenv("MONITOR_NOTIFY", down.url)
    watch(db, "new-pair")
    article(db, "turkey", TURKEY, "2023-03-05")
    article(db, "mali", RUSSIA_MALI, "2023-03-06")
    report = alerts.after_ingest(db)
    # One attempt, not one per alert: the channel is left alone until the next run.
    assert (report.raised, report.sent, report.failed) == (2, 0, 1)
    stats = CliRunner().invoke(cli, ["stats", "--db", str(db_path)]).output
    assert "alerts: 2 (2 unread)" in stats
    assert f"mailto://127.0.0.1:{down.port}" in stats and "0 sent, 2 pending, failing" in stats
    down.start()
    try:
        assert alerts.after_ingest(db).sent == 2
        assert len(down.messages) == 2
        assert "2 sent, 0 pending" in CliRunner().invoke(
            cli, ["stats", "--db", str(db_path)]).output
    finally:
        down.stop()


def test_a_feed_run_checks_the_watches_and_a_broken_channel_never_fails_it(
        feed_server, db, monkeypatch):
    monkeypatch.setenv("MONITOR_NOTIFY", "nosuchservice://nowhere")
    watch(db, "new-pair")
    feed_server.expect_request("/feed.xml").respond_with_data(
        rss([{"title": "Turkey and Niger", "link": "https://test.example/1", "text": TURKEY}]),
        content_type="application/rss+xml")
    feeds.add_feed(db, feed_server.url_for("/feed.xml"))
    report = runner.run_once(db, options())
    assert report.status == "ok" and report.counts["new"] == 1
    assert [row["summary"] for row in raised(db)] == ["New pair: Turkey – Niger"]
    assert alerts.delivery_stats(db)["channels"][0]["pending"] == 1



def test_a_scheduled_run_checks_the_watches_after_every_poll(feed_server, db, db_path):
    """`run --every`: each poll of the loop checks the watches, not only the first."""
    watch(db, "new-pair")
    reader = store.open_db(db_path, readonly=True)  # the loop's connection is its own
    first = {"title": "Turkey and Niger", "link": "https://test.example/1", "text": TURKEY}
    feed_server.expect_request("/feed.xml").respond_with_data(rss([first]),
                                                              content_type="application/rss+xml")
    feeds.add_feed(db, feed_server.url_for("/feed.xml"))
    stop = threading.Event()
    loop = threading.Thread(target=runner.run_forever, args=(db, options(), 0.1, stop))
    loop.start()
    try:
        wait_for(lambda: len(raised(reader)) == 1)
        feed_server.clear()
        feed_server.expect_request("/feed.xml").respond_with_data(rss([first, {
            "title": "Russia and Mali", "link": "https://test.example/2", "text": RUSSIA_MALI}]),
            content_type="application/rss+xml")
        wait_for(lambda: len(raised(reader)) == 2)
    finally:
        stop.set()
        loop.join(30)
    assert [row["summary"] for row in raised(db)] == [
        "New pair: Turkey – Niger", "New pair: Russia – Mali"]


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)

# --- The Atom feed --------------------------------------------------------------------------

def test_the_atom_feed_validates_and_lists_every_alert(db, db_path, monkeypatch):
    watch(db, "new-pair")
    watch(db, "posture")
    article(db, "deploy", DEPLOY, "2023-03-04")
    article(db, "turkey", TURKEY, "2023-03-05")
    report = alerts.after_ingest(db)
    assert report.feed == db_path.parent / "alerts.atom"
    parsed = feedparser.parse(str(report.feed))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    rows = raised(db)
    assert sorted(entry.title for entry in parsed.entries) == sorted(
        f"[{row['watch_name']}] {row['summary']}" for row in rows)
    assert {entry.link for entry in parsed.entries} == {row["url"] for row in rows}
    assert any(DEPLOY in entry.content[0].value for entry in parsed.entries)
    elsewhere = db_path.parent / "public" / "monitor.atom"
    monkeypatch.setenv("MONITOR_ALERTS_FEED", str(elsewhere))
    assert alerts.after_ingest(db).feed == elsewhere and elsewhere.exists()


def test_no_watch_no_feed_file(db, db_path):
    article(db, "turkey", TURKEY, "2023-03-05")
    assert alerts.after_ingest(db).feed is None
    assert not (db_path.parent / "alerts.atom").exists()


# --- Reading and marking ------------------------------------------------------------------

def test_unread_alerts_come_first_and_marking_read_is_counted(db):
    watch(db, "new-pair")
    article(db, "turkey", TURKEY, "2023-03-05")
    article(db, "mali", RUSSIA_MALI, "2023-03-06")
    alerts.check(db, [])
    first, second = raised(db)
    assert alerts.mark_read(db, [first["id"]]) == 1
    assert [row["id"] for row in alerts.alert_list(db)] == [second["id"], first["id"]]
    assert alerts.mark_read(db) == 1 and alerts.mark_read(db) == 0


# --- The command line -----------------------------------------------------------------------

def test_watch_commands_add_list_pause_resume_remove(db_path):
    def run(*args: str):
        return CliRunner().invoke(cli, ["watch", *args, "--db", str(db_path)])

    added = run("add", "Russia in new places", "--trigger", "new-pair", "--actor", "Russia")
    assert added.exit_code == 0, added.output
    assert "added watch #1 Russia in new places: new-pair; actors: Russia; statuses: reported" \
        in added.output
    assert run("add", "spiky", "--trigger", "spike", "-k", "2.5", "--partner", "Mali").exit_code \
        == 0
    listed = run("list").output
    assert "#1 Russia in new places [active]" in listed and "spike (k=2.5)" in listed
    assert run("pause", "spiky").output.strip() == "paused watch #2"
    assert "#2 spiky [paused]" in run("list").output
    assert run("resume", "2").output.strip() == "resumed watch #2"
    assert run("remove", "Russia in new places").output.strip() == "removed watch #1"
    assert "Russia in new places" not in run("list").output
    twice = run("add", "spiky", "--trigger", "posture")
    assert twice.exit_code == 1 and "a watch named 'spiky' already exists" in twice.output
    missing = run("pause", "nope")
    assert missing.exit_code == 1 and "no watch 'nope'" in missing.output


def test_watch_check_delivers_what_is_owed(db, db_path, mailbox, monkeypatch):
    watch(db, "new-pair")
    article(db, "turkey", TURKEY, "2023-03-05")
    alerts.check(db, [alerts.Channel(mailbox.url)])  # stored with its outbox, not yet sent
    assert mailbox.messages == []
    monkeypatch.setenv("MONITOR_NOTIFY", mailbox.url)
    result = CliRunner().invoke(cli, ["watch", "check", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "0 alerts raised, 1 delivered, 0 failed" in result.output
    assert len(mailbox.messages) == 1


def test_the_channel_label_masks_passwords_and_tokens():
    mail = alerts.Channel("mailtos://me:s3cret@mail.example.org?to=a@example.org")
    assert "s3cret" not in mail.label and mail.label.startswith("mailtos://me:****@mail.example")
    slack = alerts.Channel("slack://T0SECRETA/B0SECRETB/XXXXsecretYYYY")
    assert "SECRET" not in slack.label and "secret" not in slack.label
    assert alerts.Channel("nosuch://x:y@z").label == "nosuch://… (not an apprise URL)"



# --- Counting reports, not copies (stories and events) -------------------------------------

def test_copies_of_one_report_are_not_a_spike(db):
    """A spike counts stories: one wire report carried by three outlets is one report."""
    for week, day in enumerate(("2023-01-09", "2023-01-17", "2023-01-25", "2023-02-02",
                                "2023-02-06", "2023-02-14", "2023-02-22", "2023-03-05")):
        article(db, f"weekly-{week}", RUSSIA_MALI + f" Week {week}.", day)
    stored_earlier(db)
    watch(db, "spike", k=3)
    wire = ("Russia signed a military cooperation agreement with Mali on Tuesday, the"
            " ministry said, after two days of talks in Bamako on training, equipment and"
            " the supply of helicopters to the Malian air force for operations in the north.")
    for n, outlet in enumerate(("Courier", "Herald", "Gazette")):
        article(db, f"copy-{n}", wire, "2023-03-07", source(db, outlet))
    assert alerts.check(db, []) == 0
    assert db.execute("SELECT count(DISTINCT story_id) FROM story_articles sa"
                      " JOIN articles a ON a.id = sa.article_id WHERE a.url LIKE '%copy-%'"
                      ).fetchone()[0] == 1  # the three are one story
    for n, day in enumerate(("2023-03-08", "2023-03-09")):
        article(db, f"other-{n}", RUSSIA_MALI + f" A different report {n}.", day)
    [alert] = raised(db) if alerts.check(db, []) else [None]
    assert alert and alert["summary"].startswith(
        "Spike: Russia – Mali, 3 stories in the week of 2023-03-06")


def test_one_posture_event_reported_by_several_outlets_alerts_once(db):
    """"A new reported posture event": other outlets' reports of the same deployment join
    its event and raise nothing more, in the same check or a later one."""
    watch(db, "posture")
    article(db, "deploy", DEPLOY, "2023-03-04")
    article(db, "deploy-2", "On March 3, 2023, Russia deployed 300 soldiers to Mali, a"
            " spokesman said.", "2023-03-04", source(db, "Courier"))
    assert alerts.check(db, []) == 1
    # Stored later but published first: a re-check from the start reads it first.
    article(db, "deploy-3", "Russia sent 300 troops to Mali on March 3, 2023.", "2023-03-03",
            source(db, "Herald"))
    article(db, "withdraw", WITHDRAW, "2023-04-11")
    assert alerts.check(db, []) == 1
    assert [row["summary"] for row in raised(db)] == [
        "Russia in Mali: Deployment 300 (2023-03-03)",
        "Russia in Mali: Withdrawal 100 (2023-04-10)"]
    with store.transaction(db):  # a re-check from the start (a crash, a retag) adds nothing
        db.execute("UPDATE watches SET cursor = ?", [LONG_AGO])
    assert pipeline.retag(db) == 4
    assert alerts.check(db, []) == 0


def test_a_force_level_counts_each_deployment_once_however_many_report_it(db):
    """Three outlets reporting one deployment of 300 make a level of 300, not 900 (the Troop
    posture page's default count, events): the level watch says what an analyst sees there."""
    article(db, "deploy", DEPLOY, "2023-03-04")
    article(db, "deploy-2", "On March 3, 2023, Russia deployed 300 soldiers to Mali, a"
            " spokesman said.", "2023-03-04", source(db, "Courier"))
    stored_earlier(db)
    watch(db, "level")
    article(db, "deploy-3", "Russia sent 300 troops to Mali on March 3, 2023.", "2023-03-05",
            source(db, "Herald"))
    article(db, "withdraw", WITHDRAW, "2023-04-11")
    alerts.check(db, [])
    assert [row["summary"] for row in raised(db)] == [
        "Russia in Mali: force level 300 → 200 (2023-04-10)"]
