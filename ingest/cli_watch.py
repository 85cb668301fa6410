"""``python -m ingest watch ...``: save, list, pause, resume and remove watches, check them now.

Thin wrappers: watches live in ``ingest.watches``, alerts and their delivery in ``ingest.alerts``.
"""

from __future__ import annotations

import click

from ingest import alerts, lock, store
from ingest import watches as registry
from ingest.cli import db_option, friendly_errors
from ingest.queries import STATUSES, Filters

EXIT_UNDELIVERED = 3  # checked, but some deliveries failed: they are retried on the next run


@click.group()
def watch() -> None:
    """Watches: be alerted when new articles show a new pair, a posture change or a spike."""


@watch.command()
@click.argument("name")
@click.option("--trigger", type=click.Choice(list(registry.TRIGGERS)), required=True,
              help="What fires the watch: " + "; ".join(
                  f"{key}: {text}" for key, text in registry.TRIGGERS.items()) + ".")
@click.option("--actor", multiple=True, help="Actor, e.g. 'Russia' (repeatable).")
@click.option("--partner", multiple=True, help="Partner country, e.g. 'Mali' (repeatable).")
@click.option("--theme", multiple=True, help="Theme id, e.g. 'pmc' (repeatable).")
@click.option("--status", multiple=True, type=click.Choice(STATUSES),
              help="Statuses that count (repeatable; default: reported).")
@click.option("--source", multiple=True, type=int, help="Source id (repeatable; `feeds list`).")
@click.option("--lang", "language", multiple=True, help="Language code, e.g. fr (repeatable).")
@click.option("-k", "k", type=click.FloatRange(1, 1000), default=registry.DEFAULT_K,
              show_default=True, help="Spike: this week's articles at least k times the median"
              " of the eight weeks before.")
@db_option
@friendly_errors
def add(name, trigger, actor, partner, theme, status, source, language, k, db_path) -> None:
    """Save a watch called NAME; it looks at articles stored from now on."""
    filters = Filters(actors=actor, partners=partner, themes=theme,
                      statuses=status or ("reported",), sources=source, languages=language)
    db = store.open_db(db_path)
    watch_id = registry.add_watch(db, name, trigger, filters, k)
    click.echo(f"added watch #{watch_id} {name.strip()}: "
               f"{registry.find_watch(db, str(watch_id)).describe()}")


@watch.command(name="list")
@db_option
@friendly_errors
def list_command(db_path: str) -> None:
    """Saved watches, paused or not, with their filters and alerts."""
    db = store.open_db(db_path, readonly=True)
    rows = registry.list_watches(db)
    if not rows:
        click.echo("no watches yet: `watch add NAME --trigger new-pair --actor Russia`")
    counts = dict(db.execute("SELECT watch_id, count(*) FROM alerts GROUP BY watch_id"))
    for item in rows:
        click.echo(f"#{item.id} {item.name} [{'paused' if item.paused else 'active'}]"
                   f" {item.describe()}; {counts.get(item.id, 0)} alerts,"
                   f" checked up to {item.cursor}")


@watch.command()
@click.argument("id_or_name")
@db_option
@friendly_errors
def pause(id_or_name: str, db_path: str) -> None:
    """Stop a watch from raising alerts until `watch resume`."""
    click.echo(f"paused watch #{registry.set_paused(store.open_db(db_path), id_or_name, True)}")


@watch.command()
@click.argument("id_or_name")
@db_option
@friendly_errors
def resume(id_or_name: str, db_path: str) -> None:
    """Let a paused watch raise alerts again, for articles stored from now on."""
    click.echo(f"resumed watch #{registry.set_paused(store.open_db(db_path), id_or_name, False)}")


@watch.command()
@click.argument("id_or_name")
@db_option
@friendly_errors
def remove(id_or_name: str, db_path: str) -> None:
    """Delete a watch; the alerts it raised stay."""
    click.echo(f"removed watch #{registry.remove_watch(store.open_db(db_path), id_or_name)}")


@watch.command()
@click.option("--wait", type=click.FloatRange(0, 86400), default=60.0, show_default=True,
              help="Seconds to wait for a running ingest to finish.")
@db_option
@friendly_errors
def check(wait: float, db_path: str) -> None:
    """Check the watches now, retry failed deliveries and rewrite the alerts feed.

    Every ingest (run, seeds, retag) does this by itself; this is for retrying deliveries
    without an ingest."""
    db = store.open_db(db_path)
    with lock.run_lock(db_path, wait=wait):
        report = alerts.after_ingest(db)
    click.echo(f"{report.raised} alerts raised, {report.sent} delivered, {report.failed} failed"
               + (f"; feed {report.feed}" if report.feed else ""))
    return EXIT_UNDELIVERED if report.errors else 0
