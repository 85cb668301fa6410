"""``python -m ingest``: a thin click layer over the library modules.

Library errors become one-line ``click.ClickException`` messages and a non-zero exit; nothing
here knows SQL or parsing.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NoReturn

import click

from ingest import (
    aggregates,
    alerts,
    events,
    export,
    labels,
    lock,
    pipeline,
    queries,
    rollups,
    seeds,
    store,
    stories,
)

LOGGER = logging.getLogger(__name__)


class Day(click.DateTime):
    """A YYYY-MM-DD date between 1900 and 2100, the years any stored date lies in."""

    def convert(self, value, param, ctx):
        day = super().convert(value, param, ctx)
        if not 1900 <= day.year <= 2100:
            self.fail(f"{value} is outside the years 1900-2100", param, ctx)
        return day


class Seconds(click.ParamType):
    """A finite number of seconds within [low, high]: nan or inf would switch a limit off."""

    name = "seconds"

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail(f"{value} is not between {self.low:g} and {self.high:g} seconds", param, ctx)
        return number


DATE = Day(formats=["%Y-%m-%d"])


def db_option(command):
    """``--db PATH``, shared by every command that touches the database."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False), envvar="MONITOR_DB",
        default=str(store.DEFAULT_DB), show_default=True,
        help="SQLite database file (or set MONITOR_DB).",
    )(command)


def friendly_errors(command):
    """Turn the library's expected failures into one clear line instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            quiet_broken_pipe()
        except (store.StoreError, seeds.SeedError, queries.QueryError, lock.LockedError,
                pipeline.WorkerError, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"database error: {exc}") from None
        except OSError as exc:
            raise click.ClickException(f"{exc.filename or 'file'}: {exc.strerror}") from None

    return wrapper


class OneLineErrors(click.Group):
    """Print every error, usage errors included, as one ``Error: ...`` line (no usage dump)."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Error: aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def quiet_broken_pipe() -> NoReturn:
    """``export ... | head``: the reader has what it wanted. Exit 0 without a word, and point
    stdout at /dev/null so Python's final flush does not complain either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


@click.group(cls=OneLineErrors)
@click.version_option(package_name="influence-monitor")
@click.option("-q", "--quiet", is_flag=True, help="Only print warnings and errors.")
def cli(quiet: bool) -> None:
    """Influence Monitor: ingest news about foreign military partnerships in Africa and tag it."""
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(message)s", stream=sys.stderr)


@cli.command()
@db_option
@friendly_errors
def init(db_path: str) -> None:
    """Create the database, or upgrade an older one in place."""
    db = store.open_db(db_path)
    click.echo(f"{db_path}: schema version {store.schema_version(db)}")
    if waiting := stories.unplaced(db):
        click.echo(f"{waiting} articles are in no story yet: run `python -m ingest cluster`")
    if pending := events.pending_count(db):
        click.echo(f"{pending} statements have no event yet: run `python -m ingest events"
                   " --rebuild`")


@cli.command(name="seeds")
@click.argument("folder", default="seeds", type=click.Path(file_okay=False))
@db_option
@friendly_errors
def seeds_command(folder: str, db_path: str) -> None:
    """Ingest the seed documents in FOLDER (default: seeds/)."""
    if not Path(folder).is_dir():
        raise click.ClickException(f"{folder}: no such seeds folder")
    db = store.open_db(db_path)
    with lock.run_lock(db_path, wait=60):
        store.mark_abandoned_runs(db)
        files = list(seeds.seed_files(Path(folder)))
        with _progress(len(files), "seeds") as advance:
            report = seeds.ingest_folder(db, folder, progress=lambda _path: advance(1))
        alerts.after_ingest(db)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    counts = ", ".join(f"{n} {outcome}" for outcome, n in report.counts.items())
    click.echo(f"run {report.run_id}: {len(files)} files, {counts}, {len(report.errors)} failed")


@cli.command()
@friendly_errors
def tag() -> None:
    """Tag JSON lines from stdin without a database; one JSON line out per line in.

    Input: {"id", "text", "title"?, "lang"?, "published"?}. Output: see docs/tag-contract.md.
    """
    from ingest.tagger import tag as tag_text

    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ValueError("expected an object with a string field 'text'")
        except ValueError as exc:
            raise click.ClickException(f"stdin line {number}: {exc}") from None
        result = tag_text(record["text"], title=record.get("title"), lang=record.get("lang"),
                          published=record.get("published"))
        click.echo(json.dumps(result.to_contract(record.get("id")), ensure_ascii=False))


@cli.command()
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Tagger processes; on a large database, up to the number of cores.")
@db_option
@friendly_errors
def retag(workers: int, db_path: str) -> None:
    """Re-run the current tagger over every stored article; analyst corrections stay in force."""
    db = store.open_db(db_path)
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    with lock.run_lock(db_path, wait=60):
        run_id = store.start_run(db, "retag", pipeline.TAGGER_VERSION)
        try:
            with _progress(total, "retag") as advance:
                done = pipeline.retag(db, workers=workers, progress=advance)
        except BaseException as exc:
            store.finish_run(db, run_id, {}, [f"retag stopped: {type(exc).__name__}: {exc}"],
                             status="failed")
            raise
        store.finish_run(db, run_id, {"updated": done}, [])
        alerts.after_ingest(db)
    click.echo(f"run {run_id}: retagged {done} articles")


@cli.command()
@click.option("--rebuild", is_flag=True,
              help="Forget every story and group the whole archive again.")
@db_option
@friendly_errors
def cluster(rebuild: bool, db_path: str) -> None:
    """Group articles carrying the same report into stories: those in no story yet (stored
    before stories existed, or left by an interrupted run), or all of them with --rebuild."""
    db = store.open_db(db_path)
    with lock.run_lock(db_path, wait=60):
        total = (db.execute("SELECT count(*) FROM articles").fetchone()[0] if rebuild
                 else stories.unplaced(db))
        with _progress(total, "cluster") as advance:
            placed = stories.cluster(db, rebuild=rebuild, progress=advance)
    count = db.execute("SELECT count(*) FROM stories").fetchone()[0]
    click.echo(f"placed {placed} articles; {count} stories in all")


EXPORTS = queries.EXPORTS | {"stories": stories.story_rows}


@cli.command(name="export")
@click.argument("what", type=click.Choice(sorted(EXPORTS)))
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True)
@click.option("--since", type=DATE, help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", type=DATE, help="Published on or before this date (YYYY-MM-DD).")
@click.option("--actor", multiple=True, help="Actor, e.g. 'Russia' (repeatable).")
@click.option("--partner", multiple=True, help="Partner country, e.g. 'Mali' (repeatable).")
@click.option("--theme", multiple=True, help="Theme id, e.g. 'pmc' (repeatable).")
@click.option("--query", help="Full-text search (SQLite FTS5 syntax; if it does not parse, "
              "each word is searched as typed).")
@click.option("--facts-only", is_flag=True, help="Only reported dyads and posture events.")
@click.option("-o", "--output", type=click.Path(allow_dash=True), default="-",
              help="File to write, or a folder to write it in under a name that says what it"
              " holds (russia-mali-partnerships-2021-01-01_2025-06-30.csv). Default: standard"
              " output, the same bytes.")
@db_option
@friendly_errors
def export_command(what, fmt, since, until, actor, partner, theme, query, facts_only, output,
                   db_path) -> None:
    """Export articles, tags, partnerships, posture or stories (with their member article
    ids) as CSV (formula-safe) or JSON lines."""
    db = store.open_db(db_path, readonly=True)
    if query:
        query, quoted = queries.search_query(db, query)
        if quoted:
            click.echo(f"note: not a valid search expression; searched for {query}", err=True)
    filters = queries.Filters(
        since=since.date() if since else None, until=until.date() if until else None,
        actors=actor, partners=partner, themes=theme, query=query or None,
    )
    if facts_only:
        filters = filters.facts_only()
    rows = EXPORTS[what](db, filters)  # a generator: streamed from the query
    if output != "-" and Path(output).is_dir():
        output = str(Path(output) / export.file_name(what, filters, fmt))
        LOGGER.info("writing %s", output)
    with _output(output) as out:
        if fmt == "csv":
            count = export.write_export(rows, out, what, filters)
        else:
            count = 0
            for row in rows:
                out.write(json.dumps(labels.with_labels(row), ensure_ascii=False) + "\n")
                count += 1
    LOGGER.info("exported %d %s", count, what)


@contextlib.contextmanager
def _output(path: str) -> Iterator[IO[str]]:
    """The file at ``path`` (or standard output for ``-``) as UTF-8 text; csv writes its own
    line ends."""
    if path == "-":
        with click.open_file("-", "w", encoding="utf-8") as stream:
            yield stream
            stream.flush()
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


@cli.command()
@db_option
@friendly_errors
def stats(db_path: str) -> None:
    """Counts of articles, sources, tags, and the latest runs."""
    db = store.open_db(db_path, readonly=True)
    for name, count in aggregates.table_counts(db).items():
        click.echo(f"{name:12} {count:>9}")
    older = aggregates.older_taggers(db, pipeline.TAGGER_VERSION)
    click.echo(f"\ntagger {pipeline.TAGGER_VERSION}: " + (
        f"tags from older taggers ({', '.join(older)}) may remain; run `python -m ingest retag`"
        if older else "every stored tag is from this version"))
    click.echo("\nlatest runs:")
    for row in aggregates.recent_runs(db, limit=10):
        click.echo(f"  #{row['id']} {row['kind']:6} {row['started_at']} ->"
                   f" {row['finished_at'] or '-'} {row['status']:11}"
                   f" feeds={row['feeds_polled']} new={row['new']} updated={row['updated']}"
                   f" unchanged={row['unchanged']} duplicate={row['duplicate']}"
                   f" failed={row['failed']}")
    _alert_stats(db)


def _alert_stats(db) -> None:
    """Alerts and what their deliveries still owe: a failing channel shows here."""
    figures = alerts.delivery_stats(db)
    if not figures["alerts"]:
        return
    click.echo(f"\nalerts: {figures['alerts']} ({figures['unread']} unread)")
    for row in figures["channels"]:
        click.echo(f"  {row['label']}: {row['sent']} sent, {row['pending']} pending"
                   + (f", failing ({row['last_error']})" if row["failing"] else ""))


@cli.command()
@click.option("--repair", is_flag=True, help="Count the rollups again from the rows when they"
              " differ (takes the write lock; about a minute at a million articles).")
@click.option("--show", type=click.IntRange(0), default=20, show_default=True,
              help="Differences listed per table; the rest are counted.")
@db_option
@friendly_errors
def check(repair: bool, show: int, db_path: str) -> None:
    """Recount the per-month rollups from the rows; exit 1 if any count differs."""
    db = store.open_db(db_path, readonly=not repair)
    db.execute("BEGIN")  # one snapshot of the file for the recount and the stored counts
    try:
        found = _report_differences(rollups.check(db), show)
    finally:
        db.execute("COMMIT")
    if not found:
        click.echo(f"rollups agree with the rows ({len(rollups.ALL)} tables)")
        return
    if repair:
        with store.transaction(db):
            rollups.rebuild(db, rollups.ALL)
        click.echo(f"{found} differences: rollups counted again from the rows")
        return
    raise click.ClickException(f"{found} rollup counts differ from the rows; run"
                               " `python -m ingest check --repair` to count them again")


def _report_differences(differences: Iterator[rollups.Difference], show: int) -> int:
    """Print up to ``show`` differences per table and a count of the rest; return them all."""
    per_table: dict[str, int] = {}
    for difference in differences:
        seen = per_table[difference.table] = per_table.get(difference.table, 0) + 1
        if seen <= show:
            names = rollups.TABLES[difference.table].keys
            key = " ".join(f"{name}={value!r}" for name, value in zip(names, difference.key,
                                                                       strict=True))
            click.echo(f"{difference.table} {key}: stored {difference.stored or 'nothing'},"
                       f" rows say {difference.counted or 'nothing'}")
    for table, seen in per_table.items():
        if seen > show:
            click.echo(f"{table}: {seen - show} more differences")
    return sum(per_table.values())


@cli.command()
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--texts", type=click.Path(exists=True, dir_okay=False),
              help="JSON lines with the texts, joined to the labels by id (real-news set).")
@click.option("--split", type=click.Choice(["dev", "test"]),
              help="Score only the labelled documents of this split.")
@click.option("--baseline", is_flag=True,
              help="Score the naive keyword co-occurrence tagger instead of ours.")
@click.option("--agreement", "second", type=click.Path(exists=True, dir_okay=False),
              help="Score this second labelling against GOLD instead of running a tagger.")
@click.option("--misses/--no-misses", default=True, help="List the false positives and negatives.")
@friendly_errors
def evaluate(gold: str, texts: str | None, split: str | None, baseline: bool,
             second: str | None, misses: bool) -> None:
    """Precision, recall and F1 of the tagger on a labelled gold set (JSON lines)."""
    from ingest import evaluate as scoring

    if second:
        report = scoring.agreement(gold, second)
        report.title = f"{second} against {gold}"
    elif baseline:
        from ingest.baseline import tag_naive

        report = scoring.evaluate(gold, texts, split, tagger=tag_naive)
        report.title = "naive co-occurrence baseline"
    else:
        report = scoring.evaluate(gold, texts, split)
    click.echo(report.to_text(misses=misses))


class _progress:
    """A progress bar on a terminal; on a pipe or in cron, one log line per tenth of the work."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.bar = click.progressbar(length=total, label=label, file=sys.stderr) \
            if sys.stderr.isatty() and total else None

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self.advance

    def advance(self, n: int = 1) -> None:
        before, self.done = self.done, self.done + n
        if self.bar:
            self.bar.update(n)
        elif self.total >= 1000 and before * 10 // self.total != self.done * 10 // self.total:
            LOGGER.info("%s: %d/%d", self.label, self.done, self.total)

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.__exit__(*exc)


from ingest.cli_feeds import feeds, run  # noqa: E402

cli.add_command(feeds)
cli.add_command(run)

from ingest.cli_brief import brief  # noqa: E402

cli.add_command(brief)

from ingest.cli_synth import synth  # noqa: E402

cli.add_command(synth)

from ingest.cli_correct import correct  # noqa: E402

cli.add_command(correct)

from ingest.cli_events import (  # noqa: E402
    evaluate_events,
    event_merge,
    event_split,
    events_command,
)

for command in (events_command, event_split, event_merge, evaluate_events):
    cli.add_command(command)

from ingest.cli_watch import watch  # noqa: E402

cli.add_command(watch)
