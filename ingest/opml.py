"""Feed lists in and out: OPML (what feed readers export) and plain lists of URLs.

OPML outlines may carry ``language``, ``country`` and ``affiliation`` attributes (OPML 2.0
allows extra attributes); ``affiliation`` names the state a state-affiliated outlet speaks for.
An OPML file declaring XML entities is refused, for the same reason a feed is.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

LOGGER = logging.getLogger(__name__)

MAX_LIST_BYTES = 5 * 1024 * 1024


class OpmlError(ValueError):
    """A feed list that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class FeedSpec:
    """One feed as a list describes it, before it is registered."""

    url: str
    name: str | None = None
    language: str | None = None
    country: str | None = None
    affiliation: str | None = None
    site: str | None = None           # the publisher's site (OPML ``htmlUrl``), for claims


def read_feed_list(data: bytes, *, origin: str = "feed list") -> list[FeedSpec]:
    """The feeds in an OPML document, or in a plain list (one URL per line, ``#`` comments)."""
    if len(data) > MAX_LIST_BYTES:
        raise OpmlError(f"{origin}: larger than {MAX_LIST_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OpmlError(f"{origin}: not UTF-8 text (byte {exc.start})") from None
    if text.lstrip().startswith("<"):
        return _read_opml(text, origin)
    return _read_lines(text, origin)


def _read_opml(text: str, origin: str) -> list[FeedSpec]:
    if re.search(r"<!ENTITY", text, re.IGNORECASE):
        raise OpmlError(f"{origin}: declares XML entities (refused)")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise OpmlError(f"{origin}: not valid OPML ({exc})") from None
    if root.tag != "opml":
        raise OpmlError(f"{origin}: not OPML (root element <{root.tag}>)")
    specs = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if not url:
            continue  # a folder, or a link that is not a feed
        specs.append(FeedSpec(
            url=url, name=outline.get("title") or outline.get("text") or None,
            language=outline.get("language") or None, country=outline.get("country") or None,
            affiliation=outline.get("affiliation") or None,
            site=(outline.get("htmlUrl") or "").strip() or None,
        ))
    return specs


def _read_lines(text: str, origin: str) -> list[FeedSpec]:
    specs = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not re.match(r"https?://\S+$", line, re.IGNORECASE):
            raise OpmlError(f"{origin} line {number}: expected one http(s) URL, got {line[:80]!r}")
        specs.append(FeedSpec(url=line))
    return specs


def write_opml(specs: Iterable[FeedSpec], *, title: str = "Influence Monitor feeds") -> str:
    """An OPML 2.0 document listing ``specs``, readable by ``read_feed_list`` and feed readers."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    for spec in specs:
        attributes = {"type": "rss", "text": spec.name or spec.url, "title": spec.name or spec.url,
                      "xmlUrl": spec.url}
        for key in ("language", "country", "affiliation"):
            if getattr(spec, key):
                attributes[key] = getattr(spec, key)
        if spec.site:
            attributes["htmlUrl"] = spec.site if "://" in spec.site else f"https://{spec.site}/"
        ET.SubElement(body, "outline", attributes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
