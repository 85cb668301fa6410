"""From a parsed document to a stored, tagged article: the one path feeds and seeds share.

``store_document`` decides whether a document is new, changed, unchanged or a copy of a story
already stored, and writes the article with its tags, dyads and posture events in a single
transaction. ``retag`` streams stored articles through the current tagger in batches, so memory
stays flat however large the table grows, and re-applies analyst corrections; with workers, the
tagging runs in other processes and this one only writes.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import NamedTuple

import sqlite_utils

from ingest import corrections, events, rollups, store, stories
from ingest.store import now, transaction
from ingest.tagger import TAGGER_VERSION, TagResult, tag
from ingest.urls import canonical_url, claim_identity, identity_hash

OUTCOMES = ("new", "updated", "unchanged", "duplicate")


class WorkerError(RuntimeError):
    """A tagger process of ``retag --workers`` ended without finishing its batch."""


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
    # The registered URL of the feed that published ``url`` although it is not that feed's
    # site: the entry is that feed's claim about the link, not the linked outlet's article.
    claimed_by: str | None = None


def content_hash(title: str, text: str) -> str:
    """A hash that ignores case, accents of spacing and whitespace: finds republished copies."""
    normal = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return hashlib.sha256(re.sub(r"\s+", " ", normal).strip().encode()).hexdigest()


def article_id(doc: Document) -> str:
    if doc.url and doc.claimed_by:
        return identity_hash(claim_identity(doc.claimed_by, doc.url))
    return identity_hash(canonical_url(doc.url) if doc.url else doc.key)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Not strftime: it writes year 1 as "1", not "0001", and such a date cannot be read back.
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def store_document(db: sqlite_utils.Database, doc: Document, source_id: int) -> str:
    """Store ``doc`` for ``source_id`` and return what happened: one of ``OUTCOMES``."""
    return store_documents(db, [doc], source_id)[0]


def store_documents(db: sqlite_utils.Database, docs: Iterable[Document],
                    source_id: int) -> list[str]:
    """Store a batch (one feed's entries) in one transaction: all of them or none, with their
    stories (placed together once the batch is written: ``stories.place``). The
    statements of the articles written join their events in that transaction, after the
    analysts' verdicts (a rejected statement joins no event), in one pass for the batch."""
    with transaction(db), rollups.refreshing(db) as refresh:
        done = [_store(db, doc, source_id, refresh) for doc in docs]
        written = [ident for outcome, ident in done if outcome in ("new", "updated")]
        stories.place(db, written)  # their stories land with them, or neither does
        events.assign(db, written)
        return [outcome for outcome, _ in done]


def _store(db: sqlite_utils.Database, doc: Document, source_id: int,
           refresh: rollups.Refresh) -> tuple[str, str]:
    """What happened to ``doc`` (one of ``OUTCOMES``) and the id of the article it is."""
    ident = article_id(doc)
    claim = bool(doc.url and doc.claimed_by)
    # A claim holds no canonical URL: that key belongs to the linked outlet's own article.
    url = canonical_url(doc.url) if doc.url and not claim else None
    digest = content_hash(doc.title, doc.text)
    existing = db.execute(
        "SELECT id, content_hash, source_id FROM articles WHERE id = ? OR (canonical_url"
        " IS NOT NULL AND canonical_url = ?)",
        [ident, url],
    ).fetchone()
    if existing is None:
        # A claim repeating a stored text is a copy of it; an outlet's own article is never
        # folded into a claim that came first, or a squatter could still hide it.
        copy = db.execute(
            "SELECT id FROM articles WHERE content_hash = ? AND (? OR offsite = 0) LIMIT 1",
            [digest, claim],
        ).fetchone()
        if copy is not None:
            _record_source(db, copy[0], source_id, doc.url, refresh)
            return "duplicate", copy[0]
    elif existing[1] == digest or existing[2] != source_id:
        # Same text, or the same story as another source words it: one article, both sources.
        _record_source(db, existing[0], source_id, doc.url, refresh)
        return ("unchanged" if existing[1] == digest else "duplicate"), existing[0]
    stamp = now()
    row = {
        "url": doc.url, "canonical_url": url, "title": doc.title, "text": doc.text,
        "published": iso(doc.published), "published_inferred": int(doc.published_inferred),
        "language": doc.language, "author": doc.author, "outlet": doc.outlet,
        "source_id": source_id, "updated_at": stamp, "content_hash": digest,
        "offsite": int(claim),
    }
    if existing is None:
        row.update(id=ident, first_seen=stamp)
        columns = ", ".join(row)
        db.execute(f"INSERT INTO articles ({columns}) VALUES ({', '.join('?' * len(row))})",
                   list(row.values()))
        refresh.new(ident)
        outcome = "new"
    else:
        ident = existing[0]
        refresh.before([ident])
        sets = ", ".join(f"{column} = ?" for column in row)
        db.execute(f"UPDATE articles SET {sets} WHERE id = ?", [*row.values(), ident])
        outcome = "updated"
    _record_source(db, ident, source_id, doc.url, refresh)
    tagged = tag_row(doc.title, doc.text, doc.language, row["published"])
    write_tags(db, ident, tagged, replace=outcome == "updated")
    corrections.apply(db, [ident])
    return outcome, ident


def _record_source(db: sqlite_utils.Database, ident: str, source_id: int, url: str | None,
                   refresh: rollups.Refresh) -> None:
    link = [ident, source_id, url or ""]
    if db.execute("SELECT 1 FROM article_sources WHERE article_id = ? AND source_id = ?"
                  " AND url = ?", link).fetchone():
        return  # the usual case for a feed read again
    refresh.linked(ident, source_id)  # a new carrier counts in the rollups
    db.execute("INSERT INTO article_sources (article_id, source_id, url, seen_at)"
               " VALUES (?, ?, ?, ?)", [*link, now()])


class TagRows(NamedTuple):
    """What ``write_tags`` stores for one article, as plain values in column order: cheap to
    send from a tagger process (unpickling the tagger's dataclasses costs ten times more)."""

    lang: str | None
    untagged: str | None
    tags: list[tuple]
    dyads: list[tuple]
    posture: list[tuple]


# (article id, content hash of the text that was tagged, its rows)
Tagged = tuple[str, str, TagRows]

_EVIDENCE = ("evidence", "field", "start", "end", "confidence", "rule", "tagger_version")
_COLUMNS = {
    "tags": ("kind", "value", "parent", "key", *_EVIDENCE),
    "dyads": ("actor", "partner", "themes", "status", "speaker", "published", "key", *_EVIDENCE),
    "posture": ("actor", "country", "action", "personnel", "personnel_text", "place", "date",
                "status", "key", *_EVIDENCE),
}
_INSERTS = {
    table: f"INSERT INTO {table} (article_id, {', '.join(columns)})"
           f" VALUES ({', '.join('?' * (len(columns) + 1))})"
    for table, columns in _COLUMNS.items()
}


def rows_of(result: TagResult, published: str | None) -> TagRows:
    """The rows of a tag result; one tag row per (kind, value), its earliest evidence."""
    def evidence(item) -> tuple:
        return (item.evidence, item.field, item.start, item.end, item.confidence, item.rule,
                TAGGER_VERSION)

    first = {}
    for item in result.tags:
        first.setdefault((item.kind, item.value), item)
    return TagRows(
        result.lang, result.untagged,
        [(t.kind, t.value, t.parent, corrections.tag_key(t.kind, t.value), *evidence(t))
         for t in first.values()],
        [(d.actor, d.partner, json.dumps(sorted(d.themes)), d.status, d.speaker, published,
          corrections.dyad_key(d.actor, d.partner), *evidence(d)) for d in result.dyads],
        [(p.actor, p.country, p.action, p.personnel, p.personnel_text, p.place, p.date, p.status,
          corrections.posture_key(p.actor, p.country, p.action, p.date), *evidence(p))
         for p in result.posture],
    )


def write_tags(db: sqlite_utils.Database, ident: str, rows: TagRows, *,
               replace: bool = True) -> None:
    """Replace an article's tags, dyads and posture events with ``rows``.

    ``replace=False`` is for an article inserted in this transaction: it has no rows to delete,
    and skipping the three lookups saves about 5 % of storing a new article.
    """
    for table in _COLUMNS if replace else ():
        db.execute(f"DELETE FROM {table} WHERE article_id = ?", [ident])
    db.execute(
        "UPDATE articles SET language = coalesce(?, language), tagger_version = ?,"
        " untagged_reason = ? WHERE id = ?",
        [rows.lang, TAGGER_VERSION, rows.untagged, ident],
    )
    for table, values in (("tags", rows.tags), ("dyads", rows.dyads),
                          ("posture", rows.posture)):
        if values:
            db.conn.executemany(_INSERTS[table], [(ident, *row) for row in values])


def retag(db: sqlite_utils.Database, *, batch_size: int = 500, workers: int = 1,
          progress: Callable[[int], None] | None = None) -> int:
    """Re-run the current tagger over every stored article, batch by batch; corrections stay.

    With ``workers`` > 1, tagging runs in that many processes while this one writes: a batch
    is written in its own transaction, in rowid order, as soon as its turn comes. At most
    two batches per worker are in flight, so memory stays flat however large the table is.
    """
    done = 0
    batches = _tagged_here(db, batch_size) if workers <= 1 else _tagged_in_workers(
        db, batch_size, workers)
    for results in batches:
        done += write_batch(db, results)
        if progress:
            progress(len(results))
    return done


def write_batch(db: sqlite_utils.Database, results: list[Tagged]) -> int:
    """Write a batch's tags in one transaction, but only for articles whose text is still the
    one that was tagged: an article changed since it was read was re-tagged by whoever changed
    it, and tags of an older text must never sit beside a newer one. Returns how many."""
    with transaction(db):
        current = dict(db.execute(
            f"SELECT id, content_hash FROM articles WHERE id IN ({', '.join('?' * len(results))})",
            [ident for ident, _, _ in results]).fetchall()) if results else {}
        fresh = [(ident, tagged) for ident, digest, tagged in results
                 if current.get(ident) == digest]
        with rollups.refreshing(db, [ident for ident, _ in fresh]):
            for ident, tagged in fresh:
                write_tags(db, ident, tagged, replace=True)
            corrections.apply(db, [ident for ident, _ in fresh])  # one lookup per batch
            events.assign(db, [ident for ident, _ in fresh])
    return len(fresh)


_BATCH = ("SELECT rowid, id, content_hash, title, text, language, published FROM articles"
          " WHERE rowid > ? ORDER BY rowid LIMIT ?")


def tag_row(title: str, text: str, language: str | None, published: str | None) -> TagRows:
    """Tag an article as stored and give the rows to store for it."""
    result = tag(text, title=title, lang=language, published=(published or "")[:10] or None)
    return rows_of(result, published)


def _tag_batch(db: sqlite_utils.Database, after_rowid: int,
               batch_size: int) -> tuple[int, list[Tagged]]:
    """(last rowid read, [(article id, content hash, its rows)]) for the batch after
    ``after_rowid``; the cursor is spent before tagging, so the caller can commit in between."""
    rows = db.execute(_BATCH, [after_rowid, batch_size]).fetchall()
    last = rows[-1][0] if rows else after_rowid
    return last, [(row[1], row[2], tag_row(*row[3:])) for row in rows]


def _tagged_here(db: sqlite_utils.Database,
                 batch_size: int) -> Iterator[list[Tagged]]:
    """Stored articles tagged in this process, ``batch_size`` at a time, in rowid order."""
    after = 0
    while True:
        after, results = _tag_batch(db, after, batch_size)
        if not results:
            return
        yield results


def tag_stored(path: str, after_rowid: int, batch_size: int) -> list[Tagged]:
    """Tag one batch in a worker process, which reads the articles itself: only three numbers
    and a path go to it (a worker dying while a large batch was being sent to it could hang
    the pool on Python 3.11)."""
    return _tag_batch(_reader(path), after_rowid, batch_size)[1]


@cache
def _reader(path: str) -> sqlite_utils.Database:
    """A worker's read-only connection, opened once per process."""
    return store.open_db(path, readonly=True)


def _batch_starts(db: sqlite_utils.Database, batch_size: int) -> Iterator[int]:
    """The rowid each batch starts after, found as the batches are handed out."""
    after = 0
    while (last := db.execute(
        "SELECT max(rowid) FROM (SELECT rowid FROM articles WHERE rowid > ? ORDER BY rowid"
        " LIMIT ?)", [after, batch_size]).fetchone()[0]) is not None:
        yield after
        after = last


def _tagged_in_workers(db: sqlite_utils.Database, batch_size: int,
                       workers: int) -> Iterator[list[Tagged]]:
    """The batches of _tagged_here, tagged in ``workers`` processes, in the same order."""
    path = db.execute("PRAGMA main.database_list").fetchone()[2]  # seq, name, file
    if not path:
        raise ValueError("retag with workers needs a database file, not an in-memory one")
    # spawn, not fork: a forked child would inherit this process's SQLite connection
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    pending: deque[Future[list[Tagged]]] = deque()
    try:
        for after in _batch_starts(db, batch_size):
            pending.append(pool.submit(tag_stored, path, after, batch_size))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except Exception as exc:
        processes = list(pool._processes.values())  # noqa: SLF001 - no public handle on them
        if not isinstance(exc, BrokenProcessPool) and all(p.is_alive() for p in processes):
            raise  # an error of the work itself, not of the pool
        # A dead worker shows as BrokenProcessPool, or as an OSError or ValueError from a
        # submit racing the pool's breakdown. Once the pool is broken nobody reads the result
        # pipe, and Python 3.11 then waits forever for a worker blocked on sending a batch
        # back (seen in the fault test): end the workers first.
        for process in processes:
            process.kill()
        raise WorkerError("a tagger worker process died (killed, or out of memory); the"
                          " batches written so far are kept: run retag again") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
