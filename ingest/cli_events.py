"""``python -m ingest events``, ``event-split``, ``event-merge`` and ``evaluate-events``.

Thin wrappers over ``ingest.events`` (grouping and corrections) and
``ingest.evaluate_events`` (scoring against labelled real reporting).
"""

from __future__ import annotations

import click

from ingest import events, lock, store
from ingest.cli import _progress, db_option, friendly_errors


@click.command(name="events")
@click.option("--rebuild", is_flag=True,
              help="Regroup every statement from scratch (analysts' splits and merges stay).")
@click.option("--window", "window_days", type=click.IntRange(0, 365),
              help="Days apart two reports of one happening may be (default 3).")
@click.option("--figure-ratio", type=click.FloatRange(1, 100),
              help="How many times larger one source's figure may be than another's (default 3).")
@click.option("--roll-up/--no-roll-up", default=None,
              help="Count an organisation's statements as its state's (Wagner Group as Russia).")
@click.option("--lookback", "lookback_days", type=click.IntRange(0, 3650),
              help="How many days back a report dated only by its article may recall a"
                   " happening (default 730; 0: never).")
@db_option
@friendly_errors
def events_command(rebuild: bool, window_days: int | None, figure_ratio: float | None,
                   roll_up: bool | None, lookback_days: int | None, db_path: str) -> None:
    """Group posture and dyad statements into events: those without one, or all (--rebuild)."""
    db = store.open_db(db_path)
    current = events.settings(db)
    chosen = events.Settings(
        window_days=current.window_days if window_days is None else window_days,
        figure_ratio=current.figure_ratio if figure_ratio is None else figure_ratio,
        roll_up=current.roll_up if roll_up is None else roll_up,
        lookback_days=current.lookback_days if lookback_days is None else lookback_days)
    if chosen != current and not rebuild:
        raise click.ClickException("changing --window, --figure-ratio, --roll-up or --lookback"
                                   " regroups every statement: add --rebuild")
    with lock.run_lock(db_path, wait=60):
        with _progress(events.pending_count(db) if not rebuild else 0, "events") as advance:
            done = (events.rebuild(db, chosen, progress=advance) if rebuild
                    else events.place_pending(db, progress=advance))
    total = db.execute("SELECT count(*) FROM events").fetchone()[0]
    click.echo(f"placed {done} statements; {total} events (window {chosen.window_days} days,"
               f" figure ratio {chosen.figure_ratio:g}, look-back {chosen.lookback_days} days,"
               f" organisations {'rolled up' if chosen.roll_up else 'on their own'})")


@click.command(name="event-split")
@click.argument("event_id", type=int)
@click.option("--statement", "statements", multiple=True, required=True, metavar="KIND:ID",
              help="A statement to move out, e.g. posture:12 or dyad:40 (repeatable).")
@click.option("--analyst", required=True, help="Who decided.")
@click.option("--note", help="Why.")
@db_option
@friendly_errors
def event_split(event_id: int, statements: tuple[str, ...], analyst: str, note: str | None,
                db_path: str) -> None:
    """Move statements out of a wrongly merged event into an event of their own."""
    tables = {"posture": "posture", "dyad": "dyads"}
    chosen = []
    for text in statements:
        kind, _, number = text.partition(":")
        if kind not in tables or not number.isdigit():
            raise click.ClickException(f"--statement {text}: expected posture:ID or dyad:ID")
        chosen.append((tables[kind], int(number)))
    db = store.open_db(db_path)
    new_id = events.split(db, event_id, chosen, analyst=analyst, note=note)
    click.echo(f"event {event_id} split: {len(chosen)} statements now in event {new_id}")


@click.command(name="event-merge")
@click.argument("event_id", type=int)
@click.argument("other_id", type=int)
@click.option("--analyst", required=True, help="Who decided.")
@click.option("--note", help="Why.")
@db_option
@friendly_errors
def event_merge(event_id: int, other_id: int, analyst: str, note: str | None,
                db_path: str) -> None:
    """Fold event OTHER_ID into EVENT_ID: the same happening, reported apart."""
    db = store.open_db(db_path)
    events.merge(db, event_id, other_id, analyst=analyst, note=note)
    click.echo(f"event {other_id} merged into event {event_id}")


@click.command(name="evaluate-events")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False),
                default="tests/realnews/events.jsonl")
@click.option("--texts", type=click.Path(dir_okay=False),  # not committed: see its README
              default="tests/realnews/texts/texts.jsonl", show_default=True)
@click.option("--sources", type=click.Path(exists=True, dir_okay=False),
              default="tests/realnews/sources.jsonl", show_default=True)
@click.option("--gold", type=click.Path(exists=True, dir_okay=False),
              default="tests/realnews/labels.jsonl", show_default=True,
              help="The tagger's labels: its posture statements the tagger missed are counted.")
@click.option("--window", "window_days", type=click.IntRange(0, 365), default=3,
              show_default=True)
@click.option("--figure-ratio", type=click.FloatRange(1, 100), default=3.0, show_default=True)
@click.option("--roll-up", is_flag=True, help="Count organisations as their state or body.")
@click.option("--lookback", "lookback_days", type=click.IntRange(0, 3650),
              default=events.DEFAULTS["lookback_days"], show_default=True)
@click.option("--part", type=click.Choice(["all", "tuning", "held-out"]), default="all",
              show_default=True, help="Score the documents the rules were tuned on, the third"
              " held out before tuning (--split), or all.")
@click.option("--split", "split_path", type=click.Path(dir_okay=False),
              default="tests/realnews/events-split.json", show_default=True)
@click.option("--details/--no-details", default=True, help="List the pairs grouped wrongly.")
@friendly_errors
def evaluate_events(labels: str, texts: str, sources: str, gold: str, window_days: int,
                    figure_ratio: float, roll_up: bool, lookback_days: int, part: str,
                    split_path: str, details: bool) -> None:
    """Pairwise precision and recall of event grouping on labelled real reporting (dev only)."""
    from ingest import evaluate_events as scoring

    report = scoring.evaluate(labels, texts, sources, events.Settings(
        window_days=window_days, figure_ratio=figure_ratio, roll_up=roll_up,
        lookback_days=lookback_days), gold, part, split_path)
    click.echo(report.to_text(details))
