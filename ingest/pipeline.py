"""From a parsed document to a stored, tagged article: the one path feeds and seeds share.

``store_document`` decides whether a document is new, changed, unchanged or a copy of a story
already stored, and writes the article with its tags, dyads and posture events in a single
transaction. ``retag`` streams stored articles through the current tagger in batches, so memory
stays flat however large the table grows, and re-applies analyst corrections.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from ingest import corrections
from ingest.store import now, transaction
from ingest.tagger import TAGGER_VERSION, TagResult, tag
from ingest.urls import canonical_url

OUTCOMES = ("new", "updated", "unchanged", "duplicate")


@dataclass(slots=True)
class Document:
    """A document as read from a feed entry or a seed file, before storage."""

    title: str
    text: str
    key: str                          # identity when there is no URL (e.g. seed folder + path)
    url: str | None = None
    published: datetime | None = None
    published_inferred: bool = False
    language: str | None = None
    author: str | None = None
    outlet: str | None = None


def content_hash(title: str, text: str) -> str:
    """A hash that ignores case, accents of spacing and whitespace: finds republished copies."""
    normal = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return hashlib.sha256(re.sub(r"\s+", " ", normal).strip().encode()).hexdigest()


def article_id(doc: Document) -> str:
    identity = canonical_url(doc.url) if doc.url else doc.key
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def store_document(db: sqlite_utils.Database, doc: Document, source_id: int) -> str:
    """Store ``doc`` for ``source_id`` and return what happened: one of ``OUTCOMES``."""
    with transaction(db):
        return _store(db, doc, source_id)


def store_documents(db: sqlite_utils.Database, docs: Iterable[Document],
                    source_id: int) -> list[str]:
    """Store a batch (one feed's entries) in one transaction: all of them or none."""
    with transaction(db):
        return [_store(db, doc, source_id) for doc in docs]


def _store(db: sqlite_utils.Database, doc: Document, source_id: int) -> str:
    ident = article_id(doc)
    url = canonical_url(doc.url) if doc.url else None
    digest = content_hash(doc.title, doc.text)
    existing = db.execute(
        "SELECT id, content_hash, source_id FROM articles WHERE id = ? OR (canonical_url"
        " IS NOT NULL AND canonical_url = ?)",
        [ident, url],
    ).fetchone()
    if existing is None:
        copy = db.execute(
            "SELECT id FROM articles WHERE content_hash = ? LIMIT 1", [digest]
        ).fetchone()
        if copy is not None:
            _record_source(db, copy[0], source_id, doc.url)
            return "duplicate"
    elif existing[1] == digest or existing[2] != source_id:
        # Same text, or the same story as another source words it: one article, both sources.
        _record_source(db, existing[0], source_id, doc.url)
        return "unchanged" if existing[1] == digest else "duplicate"
    stamp = now()
    row = {
        "url": doc.url, "canonical_url": url, "title": doc.title, "text": doc.text,
        "published": iso(doc.published), "published_inferred": int(doc.published_inferred),
        "language": doc.language, "author": doc.author, "outlet": doc.outlet,
        "source_id": source_id, "updated_at": stamp, "content_hash": digest,
    }
    if existing is None:
        row.update(id=ident, first_seen=stamp)
        columns = ", ".join(row)
        db.execute(f"INSERT INTO articles ({columns}) VALUES ({', '.join('?' * len(row))})",
                   list(row.values()))
        outcome = "new"
    else:
        ident = existing[0]
        sets = ", ".join(f"{column} = ?" for column in row)
        db.execute(f"UPDATE articles SET {sets} WHERE id = ?", [*row.values(), ident])
        outcome = "updated"
    _record_source(db, ident, source_id, doc.url)
    _tag_and_write(db, ident, doc.title, doc.text, doc.language, row["published"],
                   replace=outcome == "updated")
    corrections.apply(db, [ident])
    return outcome


def _record_source(db: sqlite_utils.Database, ident: str, source_id: int, url: str | None) -> None:
    db.execute(
        "INSERT OR IGNORE INTO article_sources (article_id, source_id, url, seen_at)"
        " VALUES (?, ?, ?, ?)",
        [ident, source_id, url or "", now()],
    )


def _tag_and_write(db: sqlite_utils.Database, ident: str, title: str, text: str,
                   language: str | None, published: str | None, *, replace: bool) -> None:
    result = tag(text, title=title, lang=language, published=(published or "")[:10] or None)
    write_tags(db, ident, result, published, replace=replace)


def write_tags(db: sqlite_utils.Database, ident: str, result: TagResult,
               published: str | None, *, replace: bool = True) -> None:
    """Replace an article's tags, dyads and posture events with ``result``'s.

    ``replace=False`` is for an article inserted in this transaction: it has no rows to delete,
    and skipping the three lookups saves about 5 % of storing a new article.
    """
    for table in ("tags", "dyads", "posture") if replace else ():
        db.execute(f"DELETE FROM {table} WHERE article_id = ?", [ident])
    db.execute(
        "UPDATE articles SET language = coalesce(language, ?), tagger_version = ?,"
        " untagged_reason = ? WHERE id = ?",
        [result.lang, TAGGER_VERSION, result.untagged, ident],
    )
    seen: set[tuple[str, str]] = set()
    for item in result.tags:
        if (item.kind, item.value) in seen:
            continue  # one row per tag: the first (earliest) evidence stands for it
        seen.add((item.kind, item.value))
        _insert(db, "tags", ident, {
            "kind": item.kind, "value": item.value, "parent": item.parent,
            "key": corrections.tag_key(item.kind, item.value),
        }, item)
    for dyad in result.dyads:
        _insert(db, "dyads", ident, {
            "actor": dyad.actor, "partner": dyad.partner,
            "themes": json.dumps(sorted(dyad.themes)), "status": dyad.status,
            "speaker": dyad.speaker, "published": published,
            "key": corrections.dyad_key(dyad.actor, dyad.partner),
        }, dyad)
    for event in result.posture:
        _insert(db, "posture", ident, {
            "actor": event.actor, "country": event.country, "action": event.action,
            "personnel": event.personnel, "personnel_text": event.personnel_text,
            "place": event.place, "date": event.date, "status": event.status,
            "key": corrections.posture_key(event.actor, event.country, event.action, event.date),
        }, event)


def _insert(db: sqlite_utils.Database, table: str, ident: str, row: dict, source) -> None:
    row = {
        "article_id": ident, **row, "evidence": source.evidence, "field": source.field,
        "start": source.start, "end": source.end, "confidence": source.confidence,
        "rule": source.rule, "tagger_version": TAGGER_VERSION,
    }
    db.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )


def retag(db: sqlite_utils.Database, *, batch_size: int = 500,
          progress: Callable[[int], None] | None = None) -> int:
    """Re-run the current tagger over every stored article, batch by batch; corrections stay."""
    done = 0
    last_rowid = 0
    while True:
        rows = db.execute(
            "SELECT rowid, id, title, text, language, published FROM articles"
            " WHERE rowid > ? ORDER BY rowid LIMIT ?",
            [last_rowid, batch_size],
        ).fetchall()
        if not rows:
            return done
        with transaction(db):
            for _, ident, title, text, language, published in rows:
                _tag_and_write(db, ident, title, text, language, published, replace=True)
            corrections.apply(db, [row[1] for row in rows])  # one lookup per batch
        last_rowid = rows[-1][0]
        done += len(rows)
        if progress:
            progress(len(rows))
