"""CSV export that is safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab, carriage return or NUL would run as a
formula in Excel or LibreOffice (CSV injection). OWASP's advice: prefix such cells with a single
quote so they read as text. Everything else goes through the csv module untouched, so quotes,
commas, newlines and any script survive a round trip.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import IO

from ingest import labels

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def neutralise(value: object) -> object:
    """Make a cell inert for spreadsheets; numbers stay numbers."""
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


def to_csv_bytes(rows: Iterable[dict], columns: list[str] | None = None) -> bytes:
    """The same CSV as bytes (UTF-8 with BOM, so Excel reads accents), for download buttons."""
    buffer = io.StringIO()
    write_csv(rows, buffer, columns)
    return buffer.getvalue().encode("utf-8-sig")
