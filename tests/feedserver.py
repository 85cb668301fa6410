"""Helpers for the feed tests: run options with tiny limits, fixture files, feed builders."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape

from ingest.fetch import Limits
from ingest.runner import RunOptions

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
# Small enough that a hostile fixture fails fast, large enough for every honest one.
TEST_LIMITS = Limits(connect_timeout=2.0, read_timeout=2.0, deadline=3.0, max_bytes=1_000_000,
                     retries=1, backoff=0.05, max_retry_after=5.0, allow_private=True)


def options(**changes) -> RunOptions:
    """Run options for tests: every feed, no host spacing, tiny limits, loopback allowed."""
    limits = replace(TEST_LIMITS, **changes.pop("limits", {}))
    return RunOptions(**({"workers": 2, "host_delay": 0.0, "everything": True} | changes),
                      limits=limits)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def rss(items: list[dict], *, title: str = "Test Feed", language: str = "en") -> bytes:
    """An RSS 2.0 feed with ``items`` ({title, link, text, guid?, date?})."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
             f"<title>{escape(title)}</title><link>https://test.example/</link>"
             f"<description>test</description><language>{language}</language>"]
    for item in items:
        parts.append(
            f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
            f"<guid>{escape(item.get('guid', item['link']))}</guid>"
            f"<pubDate>{item.get('date', 'Mon, 01 Jan 2024 10:00:00 GMT')}</pubDate>"
            f"<description>{escape(item['text'])}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()
