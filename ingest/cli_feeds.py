"""``python -m ingest feeds ...`` and ``python -m ingest run``: the feed commands.

Thin wrappers: the registry lives in ``ingest.feeds``, polling in ``ingest.runner``.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import click

from ingest import feeds as registry
from ingest import lock, runner, store
from ingest.cli import Seconds, db_option, friendly_errors
from ingest.fetch import Limits

LOGGER = logging.getLogger(__name__)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_EVERY = 30 * 86400  # a month between polls; Event.wait overflows long before 10**20 days
EXIT_FEEDS_FAILED = 3   # the run finished, but some feeds could not be polled (cron: see docs)


@click.group()
def feeds() -> None:
    """Manage the feeds to poll: add, list, pause, resume, remove, import, export."""


@feeds.command()
@click.argument("url")
@click.option("--name", help="Display name (default: the host).")
@click.option("--lang", "language", help="Language code, e.g. en or fr (ISO 639).")
@click.option("--country", help="Country the outlet is based in or covers.")
@click.option("--affiliation", metavar="ACTOR",
              help="State the outlet is affiliated with, e.g. Russia for Sputnik.")
@click.option("--site", metavar="HOST",
              help="The publisher's site, when the feed is served from another host (a CDN or"
              " mirror): its links there are its own articles, e.g. bbc.co.uk.")
@click.option("--poll-minutes", type=click.IntRange(1, registry.MAX_POLL_MINUTES),
              help=f"Polling interval, 1 to {registry.MAX_POLL_MINUTES} (default 30).")
@db_option
@friendly_errors
def add(url, name, language, country, affiliation, site, poll_minutes, db_path) -> None:
    """Register the feed at URL (or update one already registered)."""
    registry.refuse_file_path(url)
    db = store.open_db(db_path)
    feed_id, new = registry.add_feed(db, url, name=name, language=language, country=country,
                                     affiliation=affiliation, poll_minutes=poll_minutes,
                                     site=site)
    click.echo(f"{'added' if new else 'updated'} feed #{feed_id}: {url.strip()}")


@feeds.command(name="list")
@db_option
@friendly_errors
def list_command(db_path: str) -> None:
    """Registered feeds with their health: last success, last error, items, next due."""
    db = store.open_db(db_path, readonly=True)
    rows = registry.list_feeds(db)
    if not rows:
        click.echo("no feeds yet: `feeds add URL` or `feeds import data/feeds-starter.opml`")
    for row in rows:
        click.echo(_describe(row))


def _describe(row: dict) -> str:
    status = "paused" if row["paused"] else (
        f"failing x{row['consecutive_failures']}" if row["consecutive_failures"] else "ok")
    if row["malformed"]:
        status += ", malformed"
    labels = [row["language"], row["country"],
              f"state media: {row['affiliation']}" if row["affiliation"] else None,
              f"site: {row['site']}" if row["site"] else None]
    lines = [
        f"#{row['id']} {row['name']} [{status}]"
        + (f" ({', '.join(label for label in labels if label)})" if any(labels) else ""),
        f"    {row['url']}",
        f"    last success {row['last_success_at'] or 'never'}, items {row['items_seen']},"
        f" next due {row['next_due_at'] or 'now'}, every {row['poll_minutes']} min",
    ]
    if row["last_error"]:
        lines.append(f"    last error {row['last_error_at']}: {row['last_error']}")
    return "\n".join(lines)


@feeds.command()
@click.argument("id_or_url")
@db_option
@friendly_errors
def remove(id_or_url: str, db_path: str) -> None:
    """Stop polling a feed (by id or URL); the articles it brought stay."""
    db = store.open_db(db_path)
    click.echo(f"removed feed #{registry.remove_feed(db, id_or_url)}")


@feeds.command()
@click.argument("id_or_url")
@db_option
@friendly_errors
def pause(id_or_url: str, db_path: str) -> None:
    """Stop polling a feed (by id or URL) until `feeds resume`; it stays listed."""
    db = store.open_db(db_path)
    click.echo(f"paused feed #{registry.pause_feed(db, id_or_url)}")


@feeds.command()
@click.argument("id_or_url")
@db_option
@friendly_errors
def resume(id_or_url: str, db_path: str) -> None:
    """Unpause a feed and poll it on the next run."""
    db = store.open_db(db_path)
    click.echo(f"resumed feed #{registry.resume_feed(db, id_or_url)}")


@feeds.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@friendly_errors
def import_command(file: str, db_path: str) -> None:
    """Register the feeds in FILE: OPML, or a plain list of URLs (one per line)."""
    data = Path(file).read_bytes()
    db = store.open_db(db_path)
    added, updated = registry.import_feeds(db, data, origin=file)
    click.echo(f"{file}: {added} feeds added, {updated} updated")


@feeds.command(name="export")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write (default: standard output).")
@db_option
@friendly_errors
def export_command(output, db_path: str) -> None:
    """Write the registered feeds as OPML (with language, country and affiliation)."""
    output.write(registry.export_feeds(store.open_db(db_path, readonly=True)))


def parse_duration(value: str) -> float:
    """'30m' -> 1800.0; units s, m, h, d."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", value or "")
    if not match or float(match.group(1)) <= 0:
        raise click.BadParameter(f"expected a duration like 30m, 2h or 90s, got {value!r}")
    seconds = float(match.group(1)) * UNITS[match.group(2)]
    if seconds > MAX_EVERY:
        raise click.BadParameter(f"{value!r}: at most {MAX_EVERY // 86400}d between polls")
    return seconds


@click.command()
@click.option("--all", "everything", is_flag=True, help="Poll every unpaused feed, due or not.")
@click.option("--every", callback=lambda _c, _p, v: v and parse_duration(v),
              help="Keep polling at this interval (30m, 2h) until interrupted.")
@click.option("--wait", type=Seconds(0, 86400), default=0.0,
              help="Seconds to wait for another run to finish (default: exit at once).")
@click.option("--workers", type=click.IntRange(1, 32), default=4, show_default=True,
              help="Feeds fetched at once.")
@click.option("--host-delay", type=Seconds(0, 3600), default=1.0, show_default=True,
              help="Seconds between requests to the same host.")
@click.option("--full-text", is_flag=True,
              help="Fetch each new article's page and keep its main text.")
@click.option("--allow-private-hosts", is_flag=True,
              help="Allow feeds on loopback and private addresses (refused by default).")
@click.option("--timeout", type=Seconds(0.1, 3600), default=20.0, show_default=True,
              help="Connect and read timeout, seconds.")
@click.option("--deadline", type=Seconds(0.1, 86400), default=60.0, show_default=True,
              help="Most seconds one response may take.")
@click.option("--max-bytes", type=click.IntRange(1024, 2**30), default=Limits.max_bytes,
              show_default=True, help="Largest body accepted, after decompression.")
@db_option
@friendly_errors
def run(everything, every, wait, workers, host_delay, full_text, allow_private_hosts, timeout,
        deadline, max_bytes, db_path) -> None:
    """Poll the feeds that are due, tag and store new articles."""
    limits = Limits(connect_timeout=timeout, read_timeout=timeout, deadline=deadline,
                    max_bytes=max_bytes, allow_private=allow_private_hosts)
    options = runner.RunOptions(workers=workers, host_delay=host_delay, everything=everything,
                                full_text=full_text, limits=limits)
    db = store.open_db(db_path)
    with lock.run_lock(db_path, wait=wait), runner.stop_on_signals(threading.Event()) as stop:
        if every:
            reports = runner.run_forever(db, options, every, stop)
        else:
            reports = [runner.run_once(db, options, stop)]
    for report in reports:
        counts = ", ".join(f"{value} {key}" for key, value in report.counts.items())
        click.echo(f"run {report.run_id} ({report.status}): {counts}")
    if not every and reports[-1].status in ("partial", "failed"):
        return EXIT_FEEDS_FAILED
    return 0
