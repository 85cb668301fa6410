"""CSV export that is safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab, carriage return or NUL would run as a
formula in Excel or LibreOffice (CSV injection). OWASP's advice: prefix such cells with a single
quote so they read as text. Everything else goes through the csv module untouched, so quotes,
commas, newlines and any script survive a round trip.

Every CSV an analyst takes away, from the dashboard or ``python -m ingest export``, is written
by ``write_export``: UTF-8 with a byte-order mark (Excel opens "Côte d'Ivoire" right), a first
line ``# Influence Monitor export: WHAT; filters: ...; tagger V; generated T`` so a report can
cite the query that produced it, then the header and rows. ``file_name`` names it after the
same filters (``russia-mali-partnerships-evidence-2021-01-01_2025-06-30.csv``).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import UTC, datetime
from itertools import chain
from typing import IO

import sqlite_utils

from ingest import labels, queries, store
from ingest.queries import Filters

# A download is built in memory before the browser gets it (Streamlit holds a file whole):
# 100,000 articles make about 30 MB of CSV. The command line streams any number to a file.
DOWNLOAD_CAP = 100_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")
BOM = "\ufeff"
NAMED = ("actors", "partners", "themes")  # the filters a file name spells out
MAX_NAMED = 2                             # beyond this, "3-actors"


def neutralise(value: object) -> object:
    """Make a cell inert for spreadsheets; numbers stay numbers, a list (a story's article
    ids) is one cell, its items joined by spaces."""
    if isinstance(value, list):
        value = " ".join(map(str, value))
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised_rows(rows: Iterable[dict]) -> Iterator[dict]:
    for row in rows:
        yield {key: neutralise(value) for key, value in row.items()}


def write_csv(rows: Iterable[dict], out: IO[str], columns: list[str] | None = None) -> int:
    """Write ``rows`` as CSV with a header; returns the number of data rows. A theme, action or
    status column is followed by its label (``action``, ``action_label``)."""
    iterator = (labels.with_labels(row) for row in rows)
    first = next(iterator, None)
    fieldnames = labels.label_columns(columns) if columns else list(first or {})
    writer = csv.DictWriter(out, fieldnames=fieldnames, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in neutralised_rows(chain([first] if first else [], iterator)):
        writer.writerow(row)
        count += 1
    return count


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def file_name(what: str, filters: Filters, ext: str = "csv") -> str:
    """What the file holds, from its filters: actors, partners and themes, then what, then
    the period (``2021-01-01_2025-06-30``, ``from-2021-01-01``, ``to-...`` or ``all-dates``)."""
    parts = []
    for name in NAMED:
        values = getattr(filters, name)
        parts += [f"{len(values)}-{name}"] if len(values) > MAX_NAMED else map(_slug, values)
    since, until = filters.since, filters.until
    period = (f"{since}_{until}" if since and until else f"from-{since}" if since
              else f"to-{until}" if until else "all-dates")
    return "-".join(part for part in [*parts, _slug(what), period] if part) + f".{ext}"


def describe(filters: Filters) -> str:
    """The filters that differ from "everything", as ``name=value`` pairs (lists joined by
    ``|``), in the order of ``queries.Filters``; ``none`` when nothing was narrowed."""
    said = []
    for field in fields(filters):
        value = getattr(filters, field.name)
        if value == field.default:
            continue
        if isinstance(value, tuple):
            value = "|".join(map(str, value)) or "(none)"
        said.append(f"{field.name}={value}")
    return "; ".join(said) or "none"


def comment_line(what: str, filters: Filters, now: datetime | None = None) -> str:
    """``# Influence Monitor export: WHAT; filters: ...; tagger V; generated T`` on one line."""
    from ingest.tagger import TAGGER_VERSION  # the tagger package loads its data: only here

    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%MZ")
    text = (f"# Influence Monitor export: {what}; filters: {describe(filters)};"
            f" tagger {TAGGER_VERSION}; generated {stamp}")
    return re.sub(r"[\r\n]+", " ", text)


def write_export(rows: Iterable[dict], out: IO[str], what: str, filters: Filters,
                 columns: list[str] | None = None) -> int:
    """The analyst's CSV: byte-order mark, the comment line, then ``write_csv``. The comment is
    written as a one-cell CSV row, so a comma in a search cannot spill it into other cells."""
    out.write(BOM)
    csv.writer(out).writerow([comment_line(what, filters)])
    return write_csv(rows, out, columns)


def to_csv_bytes(rows: Iterable[dict], columns: list[str] | None = None, *,
                 what: str = "export", filters: Filters = Filters()) -> bytes:  # noqa: B008
    """``write_export`` as bytes, for download buttons."""
    buffer = io.StringIO()
    write_export(rows, buffer, what, filters, columns)
    return buffer.getvalue().encode("utf-8")


def write_query(db: sqlite_utils.Database, what: str, filters: Filters, out: IO[str], *,
                cap: int | None = None) -> int:
    """Every row of the export ``what`` (a key of ``queries.EXPORTS``) under ``filters``,
    newest first, streamed from the query into ``out`` as ``write_export`` writes it; the
    newest ``cap`` at most: the dashboard's downloads (the command line writes the same rows,
    uncapped, through ``write_export``)."""
    rows = queries.EXPORTS[what](db, filters, limit=cap)
    said = what if cap is None else f"{what} (the newest {cap:,} at most)"
    return write_export(rows, out, said, filters)


def query_csv_bytes(path: str, what: str, filters: Filters, *,
                    cap: int = DOWNLOAD_CAP) -> bytes:
    """``write_query`` into bytes on a read-only connection of its own: the Articles page's
    download, made when the analyst asks for it (on Streamlit's download thread)."""
    db = store.open_db(path, readonly=True)
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
    try:
        write_query(db, what, filters, text, cap=cap)
        text.flush()
        return buffer.getvalue()
    finally:
        text.detach()
        db.conn.close()
