"""Poll the feeds that are due: fetch and parse in a small thread pool, store from one thread.

Workers only do network and parsing and hand back plain results; the calling thread writes
every feed's articles in one transaction, then its health in the next. A run killed at any
moment therefore leaves whole feeds stored or not stored, and the next run re-reads whatever
was not recorded, with dedupe turning repeats into 'unchanged'. ``stop`` (set by SIGINT or
SIGTERM) cancels the feeds not yet fetched and abandons, between two chunks or entries, the
feed being read or stored (rolled back: it stays due), and the run is recorded as 'stopped'.
The deadline bounds each stage of a feed: its response, its parsing, its tagging and storing.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
import sqlite_utils

from ingest import alerts, entries, feeds, pipeline, store
from ingest.fetch import FetchError, HostGate, Limits, Refused, Stopped, fetch, make_client
from ingest.urls import canonical_url, on_site

LOGGER = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"


@dataclass(frozen=True)
class RunOptions:
    """How a run polls: concurrency, politeness, limits and what to fetch."""

    workers: int = 4
    host_delay: float = 1.0
    everything: bool = False          # --all: ignore the schedule
    full_text: bool = False
    limits: Limits = field(default_factory=Limits)
    max_entries: int = entries.MAX_ENTRIES


T = TypeVar("T")


class Budget:
    """One stage of one feed (parsing, tagging): its share of the deadline, and the run's stop
    signal, checked between entries so neither waits for the whole feed."""

    def __init__(self, stage: str, seconds: float, stop: threading.Event) -> None:
        self.stage, self.seconds, self.stop = stage, seconds, stop
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if self.stop.is_set():
            raise Stopped(f"stopped while {self.stage}")
        if time.monotonic() > self.ends:
            raise FetchError(f"{self.stage} took longer than the {self.seconds:g}s deadline"
                             " (nothing stored)")

    def each(self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            self.check()
            yield item


@dataclass
class FeedResult:
    """What a worker learned about one feed: ``status`` 'fresh', 'same', 'failed' or 'stopped'."""

    feed: feeds.Feed
    status: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    parsed: entries.ParsedFeed | None = None
    error: str | None = None
    retry_after: float | None = None
    refused: bool = False             # refused by this run's settings, not the server's fault
    warnings: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    """Counts and errors of one run, as recorded in the runs table.

    ``failed`` counts feeds that could not be fetched, parsed or stored; ``errors`` also holds
    the lines that cost no feed (malformed bodies, full-text fallbacks, entries skipped).
    """

    run_id: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("feeds_polled", *pipeline.OUTCOMES, "failed"), 0))
    errors: list[str] = field(default_factory=list)
    status: str = "ok"                # ok, partial (some feeds failed), failed, stopped


class ExtractorMissing(ValueError):
    """``--full-text`` was asked for but trafilatura cannot be imported."""


def page_extractor() -> Callable[..., str | None]:
    """trafilatura's ``extract``, imported only when ``--full-text`` needs it: a broken optional
    extractor must never stop the rest of the command line from starting."""
    try:
        from trafilatura import extract
    except ImportError as exc:
        raise ExtractorMissing(f"--full-text needs trafilatura, which cannot be imported ({exc});"
                               " reinstall with `pip install -e .`") from None
    return extract


def run_once(db: sqlite_utils.Database, options: RunOptions,
             stop: threading.Event | None = None) -> RunReport:
    """Poll every due feed once and record the run."""
    stop = stop or threading.Event()
    if options.full_text:
        page_extractor()  # fail before the run starts, in one line
    store.mark_abandoned_runs(db)
    report = RunReport(run_id=store.start_run(db, "feeds", pipeline.TAGGER_VERSION))
    try:
        _poll(db, feeds.due_feeds(db, everything=options.everything), options, stop, report)
    except BaseException:
        report.status = "failed"
        raise
    finally:
        if stop.is_set() and report.status == "ok":
            report.status = "stopped"
        elif report.status == "ok" and report.counts["failed"]:
            # Said in the status (and by `run`'s exit code), not only in a count.
            everything_failed = report.counts["failed"] == report.counts["feeds_polled"]
            report.status = "failed" if everything_failed else "partial"
        store.finish_run(db, report.run_id, report.counts, report.errors, status=report.status)
    if not stop.is_set():  # stopping: the next run checks these articles
        alerts.after_ingest(db)  # the run is recorded first: alerts never cost it
    return report


def run_forever(db: sqlite_utils.Database, options: RunOptions, every: float,
                stop: threading.Event) -> list[RunReport]:
    """``run_once`` every ``every`` seconds until ``stop`` is set."""
    reports = []
    while not stop.is_set():
        reports.append(run_once(db, options, stop))
        LOGGER.info("next poll in %.0fs", every)
        stop.wait(every)
    return reports


def _poll(db: sqlite_utils.Database, due: list[feeds.Feed], options: RunOptions,
          stop: threading.Event, report: RunReport) -> None:
    if not due:
        LOGGER.info("no feeds due")
        return
    LOGGER.info("polling %d feeds", len(due))
    gate = HostGate(options.host_delay, stop)
    known = _known_urls(db, due) if options.full_text else {}
    with make_client(options.limits) as client, \
            ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        pending: set[Future] = {
            pool.submit(poll_feed, client, feed, options, gate, known.get(feed.id, frozenset()))
            for feed in by_turns_of_host(due)
        }
        try:
            while pending and not stop.is_set():
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    _record(db, future.result(), report, options.limits.deadline, stop)
        finally:
            for future in pending:
                future.cancel()
        # Feeds already being fetched or parsed give up at their next chunk or entry.
        for future in pending:
            if not future.cancelled():
                _record(db, future.result(), report, options.limits.deadline, stop)


def by_turns_of_host(due: list[feeds.Feed]) -> list[feeds.Feed]:
    """The feeds one host at a time in turn (A1, B1, A2, B2...), keeping each host's order.

    A worker waiting for its host's spacing (``HostGate``) holds its thread, so a run of feeds
    from one host must not queue ahead of every other host's feeds.
    """
    hosts: dict[str, list[feeds.Feed]] = {}
    for feed in due:
        hosts.setdefault((urlsplit(feed.url).hostname or "").lower(), []).append(feed)
    turns = zip_longest(*hosts.values())
    return [feed for turn in turns for feed in turn if feed is not None]


def poll_feed(client: httpx.Client, feed: feeds.Feed, options: RunOptions, gate: HostGate,
              known: frozenset[str] = frozenset()) -> FeedResult:
    """Fetch and parse one feed (worker thread: no database access here)."""
    try:
        response = fetch(client, feed.url, options.limits, etag=feed.etag,
                         last_modified=feed.last_modified, gate=gate)
        if response.not_modified:
            return FeedResult(feed, "same", etag=response.etag or feed.etag,
                              last_modified=response.last_modified or feed.last_modified,
                              body_hash=feed.body_hash)
        result = FeedResult(feed, "same", etag=response.etag,
                            last_modified=response.last_modified, body_hash=response.body_hash)
        if response.body_hash == feed.body_hash:
            return result  # many servers change nothing but the ETag, or send no validators
        result.status = "fresh"
        result.parsed = entries.parse_feed(
            response.body, feed_url=response.url, headers=response.headers, outlet=feed.name,
            language=feed.language, max_entries=options.max_entries,
            check=Budget("parsing", options.limits.deadline, gate.stop).check,
        )
        result.warnings += result.parsed.skipped
        mark_claims(result.parsed, feed, response.url)
        if options.full_text:
            result.warnings += _add_full_text(client, result.parsed, options, gate, known)
        return result
    except Stopped:
        return FeedResult(feed, "stopped")
    except (FetchError, entries.FeedError) as exc:
        return FeedResult(feed, "failed", error=str(exc),
                          retry_after=getattr(exc, "retry_after", None),
                          refused=isinstance(exc, Refused))
    except Exception as exc:  # a parser bug must cost one feed, not the run
        LOGGER.exception("%s: unexpected error", feed.url)
        return FeedResult(feed, "failed", error=f"unexpected {type(exc).__name__}: {exc}")


def mark_claims(parsed: entries.ParsedFeed, feed: feeds.Feed, fetched_url: str) -> None:
    """Entries linking outside the feed's own site (its URL, where it was fetched from, or the
    site its operator declared) are the feed's claims about those links, not their articles."""
    sites = {urlsplit(feed.url).hostname or "", urlsplit(fetched_url).hostname or "",
             feed.site or ""}
    for doc in parsed.documents:
        if doc.url and not on_site(doc.url, sites):
            doc.claimed_by = feed.url


def _add_full_text(client: httpx.Client, parsed: entries.ParsedFeed, options: RunOptions,
                   gate: HostGate, known: frozenset[str]) -> list[str]:
    """Replace summaries by the article pages' main text; keep the summary when that fails.

    Articles already stored from this feed are skipped, so a page is fetched once, not on
    every poll; their summaries are not re-stored over the full text either.
    """
    extract = page_extractor()
    problems = []
    kept = []
    for doc in parsed.documents:
        if doc.url and canonical_url(doc.url) in known:
            continue
        kept.append(doc)
        if not doc.url or gate.stop.is_set():
            continue
        try:
            page = fetch(client, doc.url, replace(options.limits, retries=0), accept=PAGE_ACCEPT,
                         gate=gate)
            text = extract(page.body, url=page.url, include_comments=False)
            if not text or not text.strip():
                raise FetchError("no main text found in the page")
            doc.text = text[:entries.MAX_TEXT_CHARS]
        except FetchError as exc:
            message = f"full text for {doc.url[:200]}: {exc}; kept the summary"
            LOGGER.warning("%s", message)
            problems.append(message)
    parsed.documents = kept
    return problems


def _known_urls(db: sqlite_utils.Database, due: list[feeds.Feed]) -> dict[int, frozenset[str]]:
    known: dict[int, set[str]] = {}
    for source_id, url in db.execute(
        "SELECT s.source_id, coalesce(a.canonical_url, a.url) FROM article_sources s"
        " JOIN articles a ON a.id = s.article_id WHERE a.url IS NOT NULL AND s.source_id IN"
        f" ({', '.join('?' * len(due))})", [feed.id for feed in due]
    ):
        known.setdefault(source_id, set()).add(canonical_url(url))
    return {key: frozenset(value) for key, value in known.items()}


def _record(db: sqlite_utils.Database, result: FeedResult, report: RunReport, deadline: float,
            stop: threading.Event) -> None:
    """Store one feed's articles (one transaction), then its health (the next)."""
    feed = result.feed
    if result.status == "stopped":
        return  # shutting down before this feed was read: it stays due for the next run
    parsed = result.parsed
    outcomes: list[str] = []
    if parsed is not None:
        budget = Budget("tagging and storing the entries", deadline, stop)
        try:
            outcomes = pipeline.store_documents(db, budget.each(parsed.documents), feed.id)
        except Stopped:
            return  # shutting down mid-feed: rolled back, it stays due for the next run
        except store.StoreError:
            raise  # the database itself is unusable: stop the run
        except FetchError as exc:  # past the deadline: rolled back, a failure of this feed
            result.status, result.error = "failed", str(exc)
        except Exception as exc:  # one bad batch costs one feed; it is retried next poll
            LOGGER.exception("%s: storing failed", feed.url)
            result.status = "failed"
            result.error = f"storing failed: {type(exc).__name__}: {exc}"
    report.counts["feeds_polled"] += 1
    report.errors += result.warnings
    if result.status == "failed":
        _fail(db, result, report, result.error or "failed")
        return
    for outcome in outcomes:
        report.counts[outcome] += 1
    if parsed is not None and parsed.malformed:
        report.errors.append(f"{feed.url}: malformed feed, recovered {len(outcomes)}"
                             f" entries ({parsed.problem})")
    feeds.record_success(
        db, feed.id, etag=result.etag, last_modified=result.last_modified,
        body_hash=result.body_hash, malformed=parsed.malformed if parsed else None,
        items=parsed.entries if parsed else None, problem=parsed.problem if parsed else None,
    )
    LOGGER.info("%s: %s", feed.name, _summary(result))


def _fail(db: sqlite_utils.Database, result: FeedResult, report: RunReport, message: str) -> None:
    report.counts["failed"] += 1
    report.errors.append(f"{result.feed.url}: {message}")
    paused = feeds.record_failure(db, result.feed.id, message, retry_after=result.retry_after,
                                  refused=result.refused)
    LOGGER.warning("%s: %s%s", result.feed.name, message, " (feed paused)" if paused else "")


def _summary(result: FeedResult) -> str:
    if result.parsed is None:
        return "unchanged"
    extra = ", malformed" if result.parsed.malformed else ""
    return f"{len(result.parsed.documents)} entries{extra}"


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[threading.Event]:
    """SIGINT/SIGTERM set ``stop`` (a second SIGINT interrupts at once); handlers restored after."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handle(signum, _frame) -> None:
        LOGGER.warning("%s: stopping; a feed being read or stored is left for the next run",
                       signal.Signals(signum).name)
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    for sig in previous:
        signal.signal(sig, handle)
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
