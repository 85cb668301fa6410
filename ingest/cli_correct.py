"""``python -m ingest correct ...``: the Review page's corrections, from the command line.

A thin layer over ``ingest.corrections``: the same checks, the same one-line errors naming
the field. Row ids are those of the exports (``tag_id``, ``dyad_id``, ``posture_id``) and of
the Review page; correction ids are those ``correct history`` lists. Registered on the
``cli`` group at the end of ``ingest.cli``.
"""

from __future__ import annotations

import click

from ingest import aggregates, corrections, store
from ingest.cli import db_option, friendly_errors

TARGET = click.Choice(sorted(corrections.TARGET_TABLES))


def analyst_options(command):
    """``--by NAME`` (required) and ``--why TEXT``: every correction records who and why."""
    command = click.option("--why", "note", help="Why: kept in the history.")(command)
    return click.option("--by", "analyst", required=True,
                        help="Your name (required: every correction records who made it).")(
        command)


def value_options(command):
    """One option per correctable field; only those given are changed."""
    for field in reversed(("value", "actor", "partner", "country", "action", "personnel",
                           "date", "status")):
        command = click.option(f"--{field}", help=_HELP[field])(command)
    return command


_HELP = {
    "value": "A tag's value (an actor, a country or a theme id, by the tag's kind).",
    "actor": "The foreign power or organisation, e.g. 'Russia'.",
    "partner": "A dyad's partner country, e.g. 'Mali'.",
    "country": "A posture event's country, e.g. 'Mali'.",
    "action": "deploy, withdraw, handover, base_open, base_close or present.",
    "personnel": "The figure, a whole number ('' when it is not known).",
    "date": "The event's date, YYYY-MM-DD.",
    "status": "reported, planned, denied or hedged.",
}


@click.group()
def correct() -> None:
    """Confirm, reject, correct or add tags, dyads and posture events; undo a correction."""


@correct.command()
@click.argument("target", type=TARGET)
@click.argument("row_id", type=int)
@click.argument("verdict", type=click.Choice(corrections.VERDICTS))
@analyst_options
@db_option
@friendly_errors
def verdict(target: str, row_id: int, verdict: str, analyst: str, note: str | None,
            db_path: str) -> None:
    """Confirm or reject the row ROW_ID of TARGET (a rejected row is hidden everywhere)."""
    db = store.open_db(db_path)
    number = corrections.record(db, target=target, row_id=row_id, verdict=verdict,
                                analyst=analyst, note=note)
    click.echo(f"correction {number}: {target} {row_id} {verdict}")


@correct.command(name="set")
@click.argument("target", type=TARGET)
@click.argument("row_id", type=int)
@value_options
@analyst_options
@db_option
@friendly_errors
def set_values(target: str, row_id: int, analyst: str, note: str | None, db_path: str,
               **values: str | None) -> None:
    """Correct values of the row ROW_ID of TARGET; only the fields given change."""
    db = store.open_db(db_path)
    changes = {field: value for field, value in values.items() if value is not None}
    number = corrections.correct(db, target=target, row_id=row_id, changes=changes,
                                 analyst=analyst, note=note)
    click.echo(f"correction {number}: {target} {row_id}"
               f" {corrections.describe('edit', changes=changes)}")


@correct.command(name="add")
@click.argument("target", type=click.Choice(["dyad", "posture"]))
@click.argument("article_id")
@value_options
@click.option("--evidence", required=True,
              help="The sentence of the article that says it, exactly as stored"
              " (see `correct sentences`).")
@analyst_options
@db_option
@friendly_errors
def add_row(target: str, article_id: str, evidence: str, analyst: str, note: str | None,
            db_path: str, **values: str | None) -> None:
    """Add a dyad or posture event the tagger missed to the article ARTICLE_ID."""
    db = store.open_db(db_path)
    given = {field: value for field, value in values.items() if value is not None}
    number = corrections.add(db, target=target, article_id=article_id, values=given,
                             evidence=evidence, analyst=analyst, note=note)
    click.echo(f"correction {number}: {corrections.describe('add', changes=given)}"
               f" ({target} in {article_id})")


@correct.command(name="undo")
@click.argument("correction_id", type=int)
@analyst_options
@db_option
@friendly_errors
def undo_correction(correction_id: int, analyst: str, note: str | None, db_path: str) -> None:
    """Undo correction CORRECTION_ID: its rows go back to the tagger's values."""
    db = store.open_db(db_path)
    number = corrections.undo(db, correction_id, analyst=analyst, note=note)
    click.echo(f"correction {number}: undid correction {correction_id}")


@correct.command()
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@db_option
@friendly_errors
def history(limit: int, db_path: str) -> None:
    """The latest corrections, newest first, with what each changed and whether it was undone."""
    db = store.open_db(db_path, readonly=True)
    for row in aggregates.correction_history(db, limit=limit):
        what = corrections.describe(row["kind"], verdict=row["verdict"],
                                    changes=row["changes"], undoes=row["undoes"])
        undone = f" [undone by {row['undone_by']}]" if row["undone_by"] else ""
        click.echo(f"{row['id']:>5} {row['created_at']} {row['analyst']}: {row['kind']}"
                   f" {row['target']} {row['key']} in {row['article_id']}: {what}{undone}"
                   + (f" ({row['note']})" if row["note"] else ""))


@correct.command()
@click.argument("article_id")
@db_option
@friendly_errors
def sentences(article_id: str, db_path: str) -> None:
    """The sentences of ARTICLE_ID an added row may quote as its evidence, one a line."""
    db = store.open_db(db_path, readonly=True)
    found = corrections.sentences(db, article_id)
    if not found:
        raise click.ClickException(f"article: no article with id {article_id!r}")
    for row in found:
        click.echo(row["sentence"])

