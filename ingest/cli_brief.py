"""``python -m ingest brief``: write the brief of a filter as one HTML or PDF file.

The work is in ``ingest.brief``; this only reads the flags. Registered on the ``cli`` group in
``ingest.cli``.
"""

from __future__ import annotations

from pathlib import Path

import click

from ingest import brief as briefs
from ingest import queries, store
from ingest.cli import DATE, db_option, friendly_errors


@click.command(name="brief")
@click.option("--actor", multiple=True, help="Actor, e.g. 'Russia' (repeatable).")
@click.option("--partner", multiple=True, help="Partner country, e.g. 'Mali' (repeatable).")
@click.option("--theme", multiple=True, help="Theme id or label, e.g. 'pmc' (repeatable).")
@click.option("--lang", multiple=True, help="Article language, e.g. 'fr' (repeatable).")
@click.option("--since", type=DATE, help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", type=DATE, help="Published on or before this date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default=None,
              help="Default: from the output's extension, else html.")
@click.option("-o", "--output", type=click.Path(), default=".", show_default=True,
              help="File to write, or a folder to write it in under a name that says what it"
              " covers (russia-mali-brief-from-2024-01-01.html).")
@db_option
@friendly_errors
def brief(actor, partner, theme, lang, since, until, fmt, output, db_path) -> None:
    """Write a self-contained brief (HTML or PDF): key developments with their sources,
    planned/denied/hedged statements apart, force-level and partnership charts."""
    db = store.open_db(db_path, readonly=True)
    filters = queries.Filters(
        since=since.date() if since else None, until=until.date() if until else None,
        actors=actor, partners=partner, themes=theme, languages=lang)
    target = Path(output)
    if fmt is None:
        fmt = "pdf" if target.suffix.lower() == ".pdf" else "html"
    data = briefs.make(db, filters, fmt)
    if target.is_dir():
        target = target / briefs.file_name(briefs.check_filters(db, filters), fmt)
    target.write_bytes(data)
    click.echo(f"wrote {target} ({len(data):,} bytes)")
