"""Analyst corrections: confirm or reject a tag, dyad or posture event, with who, when and why.

A correction names its target by a natural key (article + kind + value, article + actor +
partner, ...) rather than a row id, because ``retag`` rebuilds the rows. ``apply`` copies the
latest verdict per key onto the rows, so every query simply skips ``verdict = 'rejected'``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils

from ingest import rollups
from ingest.store import now, transaction

TARGET_TABLES = {"tag": "tags", "dyad": "dyads", "posture": "posture"}
VERDICTS = ("confirmed", "rejected")


def tag_key(kind: str, value: str) -> str:
    return f"{kind}|{value}"


def dyad_key(actor: str, partner: str) -> str:
    return f"{actor}|{partner}"


def posture_key(actor: str, country: str, action: str, date: str | None) -> str:
    return f"{actor}|{country}|{action}|{(date or '')[:10]}"


def record(db: sqlite_utils.Database, *, target: str, row_id: int, verdict: str,
           analyst: str, note: str | None = None) -> int:
    """Record a verdict on the row ``row_id`` of ``target`` and apply it at once."""
    if target not in TARGET_TABLES:
        raise ValueError(f"target must be one of {', '.join(TARGET_TABLES)}, not {target!r}")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    if not analyst.strip():
        raise ValueError("a correction needs the analyst's name")
    table = TARGET_TABLES[target]
    with transaction(db):
        found = db.execute(f"SELECT article_id, key FROM {table} WHERE id = ?", [row_id]).fetchone()
        if found is None:
            raise ValueError(f"no {target} with id {row_id}")
        cursor = db.execute(
            "INSERT INTO corrections (target, key, article_id, verdict, note, analyst, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [target, found[1], found[0], verdict, note, analyst.strip(), now()],
        )
        with rollups.refreshing(db, [found[0]]):
            apply(db, [found[0]])
    return cursor.lastrowid


def apply(db: sqlite_utils.Database, article_ids: Sequence[str]) -> None:
    """Set ``verdict`` on the rows of these articles from their latest corrections."""
    for start in range(0, len(article_ids), 500):
        marks = ", ".join("?" * len(article_ids[start:start + 500]))
        chunk = [
            row[0]
            for row in db.execute(
                f"SELECT DISTINCT article_id FROM corrections WHERE article_id IN ({marks})",
                list(article_ids[start:start + 500]),
            ).fetchall()
        ]
        if not chunk:
            continue  # the usual case: rows are written with no verdict
        marks = ", ".join("?" * len(chunk))
        for target, table in TARGET_TABLES.items():
            db.execute(
                f"""
                UPDATE {table} SET verdict = (
                    SELECT c.verdict FROM corrections c
                    WHERE c.target = ? AND c.article_id = {table}.article_id
                      AND c.key = {table}.key
                    ORDER BY c.id DESC LIMIT 1
                ) WHERE article_id IN ({marks})
                """,
                [target, *chunk],
            )
