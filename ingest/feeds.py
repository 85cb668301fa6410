"""The feed registry and each feed's health: what to poll, when, and how it went last time.

Feeds are rows of ``sources`` with ``kind = 'feed'``. Removing a feed retires it
(``removed_at``) rather than deleting the row, because the articles it brought keep pointing at
it as their source; adding the same URL again brings it back. A feed that keeps failing is
polled ever less often (the interval doubles per failure, up to a day) and is paused after
``PAUSE_AFTER`` failures in a row, until ``feeds resume``.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pycountry
import sqlite_utils

from ingest import fetch, opml, store
from ingest.fetch import MAX_URL_LENGTH

LOGGER = logging.getLogger(__name__)

ALLOW_PRIVATE_ENV = "MONITOR_ALLOW_PRIVATE_HOSTS"
PAUSE_AFTER = 10
MAX_BACKOFF = timedelta(days=1)
MAX_POLL_MINUTES = 30 * 24 * 60   # a month: rarer than that is not a feed worth polling
HEALTH_COLUMNS = ("id", "name", "url", "language", "country", "affiliation", "paused",
                  "malformed", "items_seen", "last_success_at", "last_error", "last_error_at",
                  "consecutive_failures", "next_due_at", "poll_minutes", "site")


class FeedError(ValueError):
    """A registry request that cannot be done: unknown feed, bad URL."""


@dataclass(frozen=True)
class Feed:
    """What a worker needs to poll one feed; nothing here touches the database."""

    id: int
    url: str
    name: str
    language: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    site: str | None = None           # the publisher declared for a feed served elsewhere


def add_feed(db: sqlite_utils.Database, url: str, *, name: str | None = None,
             language: str | None = None, country: str | None = None,
             affiliation: str | None = None, poll_minutes: int | None = None,
             site: str | None = None) -> tuple[int, bool]:
    """Register ``url`` (or update and revive it); returns its id and whether it was new.

    ``site`` is the publisher's host when the feed is served from another one (a CDN, a
    mirror): entries linking there are the feed's own articles, not claims about others'.
    """
    url = validate_url(url)
    language = validate_language(language) if language else None
    fields = {"language": language, "country": country, "affiliation": affiliation,
              "poll_minutes": poll_minutes, "site": validate_site(site) if site else None}
    fields = {key: value for key, value in fields.items() if value is not None}
    with store.transaction(db):
        row = db.execute("SELECT id, kind FROM sources WHERE url = ?", [url]).fetchone()
        if row and row[1] != "feed":
            raise FeedError(f"{url} is already a {row[1]} source (#{row[0]})")
        if row is None:
            feed_id = store.ensure_source(db, kind="feed", url=url,
                                          name=name or urlsplit(url).hostname or url, **fields)
        else:
            feed_id = row[0]
            _update(db, feed_id, fields | ({"name": name} if name else {}) | {"removed_at": None})
    return feed_id, row is None


def validate_url(url: str) -> str:
    """A feed URL we could poll: http(s), a host, not absurdly long. No DNS here."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise FeedError(f"URL longer than {MAX_URL_LENGTH} characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedError(f"{url[:80]}: not an http(s) feed URL")
    return url


def refuse_file_path(url: str) -> None:
    """A file path is a common first try; say how to serve it, or to use ``seeds``, instead of
    only "not an http(s) feed URL"."""
    if "://" not in url and (url.startswith(("/", ".", "~")) or Path(url).exists()):
        raise FeedError(
            f"{url}: feeds are polled over http(s), not read from files. Serve the folder"
            " (`python -m http.server 8000`) and add http://127.0.0.1:8000/FILE, then run with"
            " --allow-private-hosts; or put documents in a folder for `python -m ingest seeds`")


def private_hosts_allowed() -> bool:
    """The operator's word, never the analyst's: may the dashboard register feeds on loopback
    and private addresses? Read from ``MONITOR_ALLOW_PRIVATE_HOSTS`` (1, true or yes)."""
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes")


def refuse_private(url: str, *, allow_private: bool) -> None:
    """Refuse a feed whose host resolves inward, with the same check and hint as ``run``.

    A host that cannot be resolved now is let through, as ``feeds add`` lets it through: the
    run reports it, and a name down for a minute must not block the registry.
    """
    try:
        fetch.check_url(url, allow_private=allow_private)
    except fetch.Refused as exc:
        raise FeedError(f"{exc}; the operator can allow such feeds on the dashboard with"
                        f" {ALLOW_PRIVATE_ENV}=1") from None
    except fetch.FetchError:
        LOGGER.info("%s: not resolvable now; registered, the run will say", url[:80])


def validate_language(code: str) -> str:
    """An ISO 639 language code, lower case ('en', 'fr', 'ara'); anything else is refused, so a
    typo cannot silently leave a feed's articles untagged."""
    value = code.strip().lower()
    known = (len(value) == 2 and pycountry.languages.get(alpha_2=value)) or (
        len(value) == 3 and pycountry.languages.get(alpha_3=value))
    if not known:
        raise FeedError(f"{code[:20]!r} is not a language code (ISO 639, e.g. en or fr)")
    return value


def validate_site(site: str) -> str:
    """A publisher's host name ('rfi.fr', 'www.bbc.co.uk'), from a host or a URL."""
    value = site.strip().lower()
    host = urlsplit(value if "://" in value else f"https://{value}").hostname or ""
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?", host) or "." not in host:
        raise FeedError(f"{site[:80]!r}: not a site's host name (e.g. rfi.fr)")
    return host


def find_feed(db: sqlite_utils.Database, id_or_url: str) -> int:
    """The id of a registered feed given its id or URL."""
    column = "id" if id_or_url.strip().isdigit() else "url"
    row = db.execute(
        f"SELECT id FROM sources WHERE kind = 'feed' AND removed_at IS NULL AND {column} = ?",
        [id_or_url.strip()],
    ).fetchone()
    if row is None:
        label = f"id {id_or_url}" if column == "id" else f"URL {id_or_url}"
        raise FeedError(f"no feed with {label} (see `feeds list`)")
    return row[0]


def remove_feed(db: sqlite_utils.Database, id_or_url: str) -> int:
    """Stop polling a feed and hide it; its articles stay, with their provenance."""
    feed_id = find_feed(db, id_or_url)
    with store.transaction(db):
        db.execute("UPDATE sources SET removed_at = ? WHERE id = ?", [store.now(), feed_id])
    return feed_id


def pause_feed(db: sqlite_utils.Database, id_or_url: str) -> int:
    """Stop polling a feed until it is resumed; unlike removing it, it stays in the list."""
    feed_id = find_feed(db, id_or_url)
    with store.transaction(db):
        db.execute("UPDATE sources SET paused = 1 WHERE id = ?", [feed_id])
    return feed_id


def resume_feed(db: sqlite_utils.Database, id_or_url: str) -> int:
    """Unpause a feed and make it due now, with a clean failure count."""
    feed_id = find_feed(db, id_or_url)
    with store.transaction(db):
        db.execute("UPDATE sources SET paused = 0, consecutive_failures = 0, next_due_at = NULL"
                   " WHERE id = ?", [feed_id])
    return feed_id


def list_feeds(db: sqlite_utils.Database) -> list[dict]:
    """Every registered feed with its health, in id order."""
    cursor = db.execute(
        f"SELECT {', '.join(HEALTH_COLUMNS)} FROM sources WHERE kind = 'feed'"
        " AND removed_at IS NULL ORDER BY id"
    )
    return [dict(zip(HEALTH_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def import_feeds(db: sqlite_utils.Database, data: bytes, *, origin: str) -> tuple[int, int]:
    """Register every feed in an OPML file or URL list; returns (added, updated)."""
    specs = opml.read_feed_list(data, origin=origin)
    for spec in specs:  # all or nothing: a bad line must not leave half a list registered
        try:
            validate_url(spec.url)
            if spec.language:
                validate_language(spec.language)
            if spec.site:
                validate_site(spec.site)
        except FeedError as exc:
            raise FeedError(f"{origin}: {exc}; nothing imported") from None
    added = 0
    for spec in specs:
        _, new = add_feed(db, spec.url, name=spec.name, language=spec.language,
                          country=spec.country, affiliation=spec.affiliation, site=spec.site)
        added += new
    return added, len(specs) - added


def export_feeds(db: sqlite_utils.Database) -> str:
    """The registry as OPML, affiliations included: ``import_feeds`` reads it back."""
    return opml.write_opml(
        opml.FeedSpec(url=row["url"], name=row["name"], language=row["language"],
                      country=row["country"], affiliation=row["affiliation"], site=row["site"])
        for row in list_feeds(db)
    )


def due_feeds(db: sqlite_utils.Database, *, everything: bool = False) -> list[Feed]:
    """Feeds to poll now: not paused, and due (or all unpaused ones with ``everything``)."""
    sql = ("SELECT id, url, name, language, etag, last_modified, body_hash, site FROM sources"
           " WHERE kind = 'feed' AND removed_at IS NULL AND paused = 0")
    params: list[str] = []
    if not everything:
        sql += " AND (next_due_at IS NULL OR next_due_at <= ?)"
        params.append(store.now())
    sql += " ORDER BY coalesce(next_due_at, ''), id"
    return [Feed(*row) for row in db.execute(sql, params).fetchall()]


def record_success(db: sqlite_utils.Database, feed_id: int, *, etag: str | None,
                   last_modified: str | None, body_hash: str | None,
                   malformed: bool | None = None, items: int | None = None,
                   problem: str | None = None) -> None:
    """A poll that worked (new body, 304, or same body): reset failures, schedule the next.

    ``items`` is the number of entries in the body just read; ``malformed`` and ``items`` are
    left as they were when the body was not parsed (304 or unchanged hash).
    """
    stamp = store.now()
    sets = {"last_polled_at": stamp, "last_success_at": stamp, "consecutive_failures": 0,
            "etag": etag, "last_modified": last_modified, "body_hash": body_hash}
    if malformed is not None:
        sets["malformed"] = int(malformed)
    if items is not None:
        sets["items_seen"] = items
    if problem:
        sets.update(last_error=f"malformed: {problem}", last_error_at=stamp)
    with store.transaction(db):
        _update(db, feed_id, sets)
        db.execute("UPDATE sources SET next_due_at = ? WHERE id = ?",
                   [_after(_poll_interval(db, feed_id)), feed_id])


def record_failure(db: sqlite_utils.Database, feed_id: int, message: str, *,
                   retry_after: float | None = None, refused: bool = False) -> bool:
    """A failed poll: back off exponentially, pause after ``PAUSE_AFTER``. True if now paused.

    ``refused``: the run's own settings refused the feed (a private address without
    ``--allow-private-hosts``). The server did nothing wrong, so there is no back-off and no
    count towards the pause: the feed stays due for a run that allows it.
    """
    stamp = store.now()
    if refused:
        with store.transaction(db):
            _update(db, feed_id, {"last_polled_at": stamp, "last_error": message[:500],
                                  "last_error_at": stamp, "next_due_at": None})
        return False
    with store.transaction(db):
        failures = db.execute("SELECT consecutive_failures FROM sources WHERE id = ?",
                              [feed_id]).fetchone()[0] + 1
        delay = min(_poll_interval(db, feed_id) * 2 ** min(failures - 1, 16), MAX_BACKOFF)
        if retry_after:
            delay = max(delay, timedelta(seconds=retry_after))
        paused = failures >= PAUSE_AFTER
        _update(db, feed_id, {
            "last_polled_at": stamp, "last_error": message[:500], "last_error_at": stamp,
            "consecutive_failures": failures, "next_due_at": _after(delay),
            "paused": int(paused),
        })
    if paused:
        LOGGER.warning("feed #%d paused after %d failures in a row: %s", feed_id, failures,
                       message)
    return paused


def _update(db: sqlite_utils.Database, feed_id: int, sets: dict) -> None:
    db.execute(f"UPDATE sources SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
               [*sets.values(), feed_id])


def _poll_interval(db: sqlite_utils.Database, feed_id: int) -> timedelta:
    """The feed's interval, kept between a minute and ``MAX_POLL_MINUTES`` whatever is stored
    (an older release accepted any number, and timedelta overflows past 999,999,999 days)."""
    minutes = db.execute("SELECT poll_minutes FROM sources WHERE id = ?", [feed_id]).fetchone()[0]
    try:
        minutes = int(minutes or 30)
    except (TypeError, ValueError):
        minutes = 30
    return timedelta(minutes=min(max(1, minutes), MAX_POLL_MINUTES))


def _after(delay: timedelta) -> str:
    return (datetime.now(UTC) + delay).strftime("%Y-%m-%dT%H:%M:%SZ")
