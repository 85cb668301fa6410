"""Feed bytes to Documents: parse with feedparser, keep only clean text, bound the cost.

feedparser always gets bytes (``io.BytesIO``), never a string it could open as a path or URL,
and the HTTP headers, so it can pick the encoding. Before it sees anything, a feed declaring XML
entities is refused: feedparser drops external entities but keeps internal ones, and a 110 KB
feed expanding one 50 KB entity 20,000 times sends it to its loose parser with a gigabyte of
text. Every title, author, summary and content goes through ``html_to_text``, so no markup,
script or event handler survives in what is stored.

Entry links must be http(s). A ``javascript:`` or ``data:`` link is dropped, not the entry: the
article is stored without a URL and keyed by feed URL + entry id (or a hash of its title and
text when the entry has no id), so re-polling finds it again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import feedparser
from feedparser.encodings import convert_to_utf8

from ingest.dates import DateError, parse_date
from ingest.pipeline import Document
from ingest.text import html_to_text, normalise_whitespace

LOGGER = logging.getLogger(__name__)

MAX_ENTRIES = 5000
MAX_HTML_CHARS = 1_000_000    # per entry field, before parsing
MAX_TEXT_CHARS = 100_000      # per entry, after
FUTURE_SLACK = timedelta(days=2)  # clocks and time zones; later than this is not a date
ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body)", re.IGNORECASE)
# Encoding mismatches between HTTP and the XML prolog are the server's slip, not a broken feed.
BENIGN_BOZO = (feedparser.CharacterEncodingOverride,)


class FeedError(ValueError):
    """A body that is not a feed we will read; the message says why, in one line."""


@dataclass
class ParsedFeed:
    """What one feed body yielded: documents, and whether feedparser had to recover."""

    documents: list[Document]
    entries: int
    title: str = ""
    malformed: bool = False
    problem: str | None = None
    skipped: list[str] = field(default_factory=list)


def parse_feed(body: bytes, *, feed_url: str, headers: dict[str, str] | None = None,
               outlet: str | None = None, language: str | None = None,
               max_entries: int = MAX_ENTRIES, max_text: int = MAX_TEXT_CHARS,
               check: Callable[[], None] | None = None) -> ParsedFeed:
    """Parse ``body`` and turn its first ``max_entries`` entries into Documents.

    ``check`` is called before each entry and raises to give up (a deadline, a stop signal).
    """
    if not body.strip():
        raise FeedError("empty response body (not a feed)")
    response_headers = _feed_headers(headers or {}, feed_url)
    head = _sniff_text(body[:4096])
    if any(ENTITY_DECLARATION.search(text) for text in _readings(body, response_headers)):
        raise FeedError("feed declares XML entities (refused)")
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers=response_headers,
        sanitize_html=False, resolve_relative_uris=False,  # we keep text only: no markup to clean
    )
    if not parsed.get("version") and not parsed.entries:
        if HTML_START.match(head):
            raise FeedError("not a feed (the server sent an HTML page)")
        reason = parsed.get("bozo_exception")
        raise FeedError(f"not a feed ({_one_line(reason) if reason else 'no entries found'})")
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    malformed = problem is not None and not isinstance(problem, BENIGN_BOZO)
    feed_language = _language(parsed.feed.get("language")) or language
    outlet = outlet or _clean(parsed.feed.get("title", ""))[:200] or None
    result = ParsedFeed(documents=[], entries=len(parsed.entries), malformed=malformed,
                        problem=_one_line(problem) if malformed else None,
                        title=_clean(parsed.feed.get("title", "")))
    fetched = datetime.now(UTC).replace(microsecond=0)
    for entry in parsed.entries[:max_entries]:
        if check is not None:
            check()
        doc = entry_document(entry, feed_url=feed_url, outlet=outlet, language=feed_language,
                             max_text=max_text, fetched=fetched)
        if doc.published_inferred and any(_entry_dates(entry)):
            given = _one_line(entry.get("published") or entry.get("updated"))[:60]
            result.skipped.append(f"{feed_url}: an entry dated in the future or before 1900"
                                  f" ({given}) is dated when fetched")
        if doc.title or doc.text:
            result.documents.append(doc)
        else:
            result.skipped.append(f"{feed_url}: an entry with neither title nor text skipped")
    if len(parsed.entries) > max_entries:
        result.skipped.append(f"{feed_url}: {len(parsed.entries) - max_entries} entries past the"
                              f" {max_entries}-entry cap skipped")
    return result


def entry_document(entry: dict, *, feed_url: str, outlet: str | None = None,
                   language: str | None = None, max_text: int = MAX_TEXT_CHARS,
                   fetched: datetime | None = None) -> Document:
    """One feed entry as a Document: clean text, UTC date, http(s) link or none."""
    title = _clean(entry.get("title", ""))[:1000]
    text = _clean(_body_html(entry))[:max_text]
    url = safe_link(entry.get("link"))
    published, inferred = entry_date(entry, fetched=fetched)
    identity = entry.get("id") or entry.get("link") or hashlib.sha256(
        f"{title}\n{text}".encode()).hexdigest()[:16]
    return Document(
        title=title, text=text or title, key=f"feed:{feed_url}#{identity}"[:4096], url=url,
        published=published, published_inferred=inferred,
        language=_entry_language(entry) or language,
        author=_clean(entry.get("author", ""))[:300] or None, outlet=outlet,
    )


def safe_link(link: object) -> str | None:
    """``link`` if it is an http(s) URL of sane length, else None."""
    if not isinstance(link, str):
        return None
    link = link.strip()
    if len(link) > 2048 or urlsplit(link).scheme.lower() not in ("http", "https"):
        return None
    return link if urlsplit(link).hostname else None


def entry_date(entry: dict, *, fetched: datetime | None = None) -> tuple[datetime, bool]:
    """The entry's publication time in UTC, or the fetch time with ``inferred=True`` when it
    has none we can believe.

    Dates are bounded like seed dates: before 1900 a date is unreadable (the next field is
    tried), and one more than ``FUTURE_SLACK`` after the fetch (9999-12-31) is the fetch time,
    flagged as inferred, so no entry can stretch the time axes or become "the latest".
    """
    fetched = fetched or datetime.now(UTC).replace(microsecond=0)
    for moment in _entry_dates(entry):
        if moment.year < 1900:
            continue
        if moment > fetched + FUTURE_SLACK:
            return fetched, True
        return moment, False
    return fetched, True


def _entry_dates(entry: dict) -> Iterator[datetime]:
    """The entry's dates, as feedparser read them, then as we read its strings."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                yield datetime(*value[:6], tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    for key in ("published", "updated", "created"):
        value = entry.get(key)
        if value:
            try:
                yield parse_date(value)
            except DateError:
                continue


def _body_html(entry: dict) -> str:
    """The fullest body the entry carries: its longest content, else its summary."""
    contents = [item.get("value", "") for item in entry.get("content", []) or []]
    best = max(contents, key=len, default="")
    summary = entry.get("summary", "") or ""
    return (best if len(best) >= len(summary) else summary)[:MAX_HTML_CHARS]


def _clean(value: object) -> str:
    """Plain text from a field that may hold markup (feedparser keeps it in titles and authors)."""
    if not isinstance(value, str):
        return ""
    return normalise_whitespace(html_to_text(value[:MAX_HTML_CHARS]))


def _entry_language(entry: dict) -> str | None:
    for detail in (entry.get("content") or [{}])[0], entry.get("title_detail") or {}:
        found = _language(detail.get("language"))
        if found:
            return found
    return None


def _language(value: object) -> str | None:
    """'fr-FR' -> 'fr'; anything that is not a plain language tag -> None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _readings(body: bytes, headers: dict[str, str]) -> Iterator[str]:
    """The body decoded as feedparser will read it, then as its BOM or byte pattern says.

    feedparser honours BOMs, UTF-16/32 without one, EBCDIC (cp037, then whatever the prolog
    declares) and the HTTP charset, and hands its parsers UTF-8: looking for entities in any
    other decoding alone (latin-1, say) let an EBCDIC entity bomb through. The second reading
    catches a bomb in a body the first misreads.
    """
    converted = convert_to_utf8(dict(headers), body, {})
    yield converted.decode("utf-8", errors="replace")  # as feedparser's loose parser does
    del converted
    yield _sniff_text(body)


def _sniff_text(body: bytes) -> str:
    """Enough of a decoding to look for markup, whatever the encoding (incl. UTF-16/32)."""
    head = body[:4]
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return body.decode(codec, errors="ignore")
    if head[:2] == b"<\x00":
        return body.decode("utf-16-le", errors="ignore")
    if head[:2] == b"\x00<":
        return body.decode("utf-16-be", errors="ignore")
    return body.decode("latin-1")


def _feed_headers(headers: dict[str, str], feed_url: str) -> dict[str, str]:
    keep = {key: value for key, value in headers.items()
            if key in ("content-type", "content-language")}
    return {**keep, "content-location": feed_url}


def _one_line(problem: object) -> str:
    return " ".join(str(problem).split())[:300]
