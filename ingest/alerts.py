"""Alerts: raise them from the watches after an ingest, deliver them, and publish the feed.

``check`` stores every watch's new findings, the deliveries they owe (one outbox row per
configured apprise URL) and the watch's new cursor in one transaction: a kill at any point
leaves either all of it or none, and the next check redoes what was lost. ``deliver`` sends
what the outbox still owes, marking each delivery as soon as it is acknowledged; a failure is
counted, kept for the next run and shown by ``stats``, and never raised into the ingest.
``write_feed`` rewrites an Atom file of the latest alerts for any feed reader.

Operators name the channels in ``MONITOR_NOTIFY`` (apprise URLs, separated by spaces or
commas); the feed goes to ``MONITOR_ALERTS_FEED``, by default ``alerts.atom`` beside the DB.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import sqlite_utils

from ingest import watches
from ingest.queries import fetch_rows
from ingest.store import now, transaction

LOGGER = logging.getLogger(__name__)
FEED_ENTRIES = 200


@dataclass(frozen=True)
class Channel:
    """An apprise URL the operator configured: kept in memory, stored only as a hash."""

    url: str

    @cached_property
    def id(self) -> str:
        return hashlib.sha256(self.url.encode()).hexdigest()[:16]

    @cached_property
    def label(self) -> str:
        """The URL with its secrets (passwords, tokens) masked by apprise, which knows where
        each service keeps them, and without its options: fit for logs and ``stats``."""
        import apprise

        plugin = apprise.Apprise.instantiate(self.url)
        if not plugin:
            return f"{self.url.split(':', 1)[0]}://… (not an apprise URL)"
        return plugin.url(privacy=True).split("?", 1)[0]


def channels_from_env() -> list[Channel]:
    return [Channel(url) for url in re.split(r"[\s,]+", os.environ.get("MONITOR_NOTIFY", ""))
            if url]


def feed_path(db: sqlite_utils.Database) -> Path:
    """``MONITOR_ALERTS_FEED``, else ``alerts.atom`` in the database's folder."""
    configured = os.environ.get("MONITOR_ALERTS_FEED")
    if configured:
        return Path(configured)
    return Path(database_file(db)).parent / "alerts.atom"


def database_file(db: sqlite_utils.Database) -> str:
    return db.execute("PRAGMA main.database_list").fetchone()[2] or "."


@dataclass
class Report:
    """What one pass after an ingest did; ``errors`` are one-line messages."""

    raised: int = 0
    sent: int = 0
    failed: int = 0
    feed: Path | None = None
    errors: list[str] = field(default_factory=list)


def check(db: sqlite_utils.Database, channels: list[Channel]) -> int:
    """Raise the alerts of every active watch, with their outbox rows; returns how many."""
    raised = 0
    with transaction(db):
        stamp = now()
        for watch in watches.list_watches(db, active_only=True):
            for finding in watches.FINDERS[watch.trigger](db, watch):
                raised += _store(db, watch, finding, stamp, channels)
            db.execute("UPDATE watches SET cursor = ? WHERE id = ?", [stamp, watch.id])
    return raised


def _store(db: sqlite_utils.Database, watch: watches.Watch, finding: watches.Finding,
           stamp: str, channels: list[Channel]) -> int:
    cursor = db.execute(
        "INSERT OR IGNORE INTO alerts (watch_id, watch_name, key, raised_at, summary, evidence,"
        " article_id, title, url, source, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [watch.id, watch.name, finding.key, stamp, finding.summary, finding.evidence,
         finding.article_id, finding.title, finding.url, finding.source, finding.published])
    if not cursor.rowcount:
        return 0  # this evidence already raised this watch's alert
    db.conn.executemany(
        "INSERT INTO alert_outbox (alert_id, channel, label) VALUES (?, ?, ?)",
        [(cursor.lastrowid, channel.id, channel.label) for channel in channels])
    return 1


def deliver(db: sqlite_utils.Database, channels: list[Channel]) -> tuple[int, list[str]]:
    """Send what the outbox owes to the configured channels, oldest first. Returns (sent,
    failures). After a failure the channel is left alone until the next run, so a dead server
    costs one timeout per run, not one per alert it is owed."""
    by_id = {channel.id: channel for channel in channels}
    if not by_id:
        return 0, []
    pending = list(fetch_rows(db, f"""
        SELECT o.alert_id, o.channel, a.watch_name, a.summary, a.evidence, a.title, a.url,
               a.source, a.published
        FROM alert_outbox o JOIN alerts a ON a.id = o.alert_id
        WHERE o.sent_at IS NULL AND o.channel IN ({', '.join('?' * len(by_id))})
        ORDER BY o.alert_id
    """, list(by_id)))
    sent, failures, down = 0, [], set()
    for row in pending:
        channel = by_id[row["channel"]]
        if channel.id in down:
            continue  # one failure per channel and run: a dead server costs one timeout
        error = _send(channel, row)
        with transaction(db):
            db.execute(
                "UPDATE alert_outbox SET attempts = attempts + 1, last_attempt_at = ?,"
                " last_error = ?, sent_at = ? WHERE alert_id = ? AND channel = ?",
                [now(), error, None if error else now(), row["alert_id"], row["channel"]])
        if error:
            down.add(channel.id)
            failures.append(f"alert {row['alert_id']} to {channel.label}: {error}")
        else:
            sent += 1
    return sent, failures


def _send(channel: Channel, alert: dict) -> str | None:
    """One notification through apprise; the reason it failed, or None. Apprise's own
    timeouts apply (4 s to connect and to read; ``?cto=``/``?rto=`` in the URL change them)."""
    import apprise  # loads a hundred plugins: only when something is to be sent

    notifier = apprise.Apprise()
    if not notifier.add(channel.url):
        return "apprise does not understand this URL"
    try:
        ok = notifier.notify(title=f"[{alert['watch_name']}] {alert['summary']}",
                             body=message(alert))
    except Exception as exc:  # noqa: BLE001 - a plugin's bug is one failed delivery
        return f"{type(exc).__name__}: {exc}"
    return None if ok else "not accepted (see the log for the service's answer)"


def message(alert: dict) -> str:
    """The body of a notification or feed entry: the evidence and where it was read."""
    return (f"{alert['summary']}\n\n“{alert['evidence']}”\n\n"
            f"{alert['title']} — {alert['source']}, {(alert['published'] or 'undated')[:10]}\n"
            f"{alert['url'] or ''}").strip()


def write_feed(db: sqlite_utils.Database, path: Path) -> Path:
    """Rewrite the Atom feed of the latest alerts, atomically (a reader never sees half)."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(f"urn:influence-monitor:alerts:{hashlib.sha256(str(path).encode()).hexdigest()}")
    feed.title("Influence Monitor alerts")
    feed.author({"name": "Influence Monitor"})
    feed.link(href=path.resolve().as_uri(), rel="self")
    feed.updated(_aware(now()))
    for row in reversed(alert_list(db, limit=FEED_ENTRIES, newest_first=True)):
        entry = feed.add_entry()
        entry.id(f"urn:influence-monitor:alert:{row['id']}")
        entry.title(f"[{row['watch_name']}] {row['summary']}")
        entry.updated(_aware(row["raised_at"]))
        entry.content(message(row), type="text")
        if row["url"]:
            entry.link(href=row["url"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.",
                                     delete=False) as handle:
        handle.write(feed.atom_str(pretty=True))
    os.chmod(handle.name, 0o644)  # a feed reader or web server may run as another user
    os.replace(handle.name, path)
    return path


def _aware(stamp: str) -> str:
    return stamp.replace("Z", "+00:00")


def after_ingest(db: sqlite_utils.Database) -> Report:
    """Check the watches, deliver, write the feed: after every ingest, never failing it.

    A database with no watch and no alert does nothing at all (no feed file appears)."""
    report = Report()
    try:
        if not db.execute("SELECT EXISTS (SELECT 1 FROM watches)"
                          " OR EXISTS (SELECT 1 FROM alerts)").fetchone()[0]:
            return report
        channels = channels_from_env()
        report.raised = check(db, channels)
        report.sent, failures = deliver(db, channels)
        report.failed = len(failures)
        report.errors += failures
        report.feed = write_feed(db, feed_path(db))
    except Exception as exc:  # noqa: BLE001 - alerts must never cost the ingest
        LOGGER.exception("alerts: checking the watches failed")
        report.errors.append(f"alerts: {type(exc).__name__}: {exc}")
    for error in report.errors:
        LOGGER.warning("alerts: %s", error)
    if report.raised or report.sent:
        LOGGER.info("alerts: %d raised, %d delivered", report.raised, report.sent)
    return report


# --- Reading and marking alerts -----------------------------------------------------------

def alert_list(db: sqlite_utils.Database, *, limit: int = 500,
               newest_first: bool = False) -> list[dict]:
    """Alerts, unread first (each part newest first), or simply newest first."""
    order = "" if newest_first else "read_at IS NOT NULL, "
    return list(fetch_rows(db, f"""
        SELECT id, watch_name, raised_at, summary, evidence, title, url, source, published,
               article_id, read_at
        FROM alerts ORDER BY {order}raised_at DESC, id DESC LIMIT ?
    """, [limit]))


def mark_read(db: sqlite_utils.Database, ids: list[int] | None = None) -> int:
    """Mark these alerts (or every unread one) read; returns how many changed."""
    with transaction(db):
        if ids is None:
            return db.execute("UPDATE alerts SET read_at = ? WHERE read_at IS NULL",
                              [now()]).rowcount
        return db.execute(
            f"UPDATE alerts SET read_at = ? WHERE read_at IS NULL AND id IN"
            f" ({', '.join('?' * len(ids))})", [now(), *ids]).rowcount if ids else 0


def delivery_stats(db: sqlite_utils.Database) -> dict:
    """For ``stats``: alerts, unread, and per channel what was sent and what is still owed."""
    total, unread = db.execute(
        "SELECT count(*), count(*) - count(read_at) FROM alerts").fetchone()
    channels = list(fetch_rows(db, """
        SELECT label, channel, count(sent_at) AS sent, count(*) - count(sent_at) AS pending,
               sum(sent_at IS NULL AND attempts > 0) AS failing,
               max(CASE WHEN sent_at IS NULL THEN last_error END) AS last_error
        FROM alert_outbox GROUP BY channel ORDER BY label
    """, []))
    return {"alerts": total, "unread": unread, "channels": channels}
