"""Fetch one URL from an untrusted server without letting it hang us, flood us or aim us inward.

feedparser 6 fetches with urllib and has no timeout, so every byte comes through here instead:
httpx with connect and read timeouts, a total deadline checked while streaming, a cap on the
decompressed size (we decompress ourselves, a chunk at a time with ``max_length``, so a gzip
bomb never inflates in memory), redirects followed by hand so each hop is checked again, and a
refusal of hosts that resolve to loopback, private or otherwise internal addresses.
"""

from __future__ import annotations

import email.utils
import hashlib
import ipaddress
import logging
import random
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

LOGGER = logging.getLogger(__name__)

REPO_URL = "https://github.com/influence-monitor/influence-monitor"
USER_AGENT = f"InfluenceMonitor/0.1 (+{REPO_URL})"
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9,"
               " application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1")
MAX_URL_LENGTH = 2048
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """A fetch that failed; ``retryable`` says whether trying again soon could help."""

    def __init__(self, message: str, *, retryable: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Refused(FetchError):
    """A URL this run's settings refuse (a private address): retrying later changes nothing."""


class Stopped(FetchError):
    """The run is shutting down (SIGINT/SIGTERM): not the feed's fault, not a failure."""


@dataclass(frozen=True)
class Limits:
    """What one response may cost. The defaults suit news feeds; tests pass tiny ones."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0            # seconds from request to last byte, checked per chunk
    #                                   (a server silent mid-body is cut by read_timeout)
    max_bytes: int = 10 * 1024 * 1024  # decompressed
    max_redirects: int = 5
    retries: int = 2                  # extra attempts after a timeout, 429 or 5xx
    backoff: float = 2.0              # first retry delay; doubles each time
    max_retry_after: float = 120.0    # a longer Retry-After fails now and defers the feed
    allow_private: bool = False


@dataclass
class Response:
    """A completed fetch: a 200 with its body, or a 304 with none."""

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def body_hash(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Refuse what we never fetch: non-HTTP schemes, huge URLs, and hosts that resolve inward.

    Every address the name resolves to is checked, so a name with one public and one private
    address is refused too.
    """
    if len(url) > MAX_URL_LENGTH:
        raise FetchError(f"URL longer than {MAX_URL_LENGTH} characters (refused)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{url[:80]}: only http and https URLs are fetched")
    if not parts.hostname:
        raise FetchError(f"{url[:80]}: no host in URL")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError) as exc:
        raise FetchError(f"{parts.hostname}: cannot resolve host ({exc})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if is_internal(address):
            raise Refused(
                f"{parts.hostname} resolves to internal address {address} (refused; to poll"
                " feeds on this machine or your own network, run with --allow-private-hosts)"
            )


def is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local, multicast, reserved, unspecified, or not globally routed."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None and is_internal(embedded):
            return True
    return (address.is_loopback or address.is_private or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified
            or not address.is_global)


class HostGate:
    """Spaces requests to the same host by ``delay`` seconds, across all worker threads."""

    def __init__(self, delay: float, stop: threading.Event | None = None) -> None:
        self.delay = delay
        self.stop = stop or threading.Event()
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, 0.0))
            self._next[host] = slot + self.delay
        if slot > now and self.stop.wait(slot - now):
            raise Stopped("stopped before fetching")


def make_client(limits: Limits) -> httpx.Client:
    """One pooled client, shared by the worker threads (httpx clients are thread-safe)."""
    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    return httpx.Client(
        timeout=timeout, follow_redirects=False, trust_env=False,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=8),
    )


def fetch(client: httpx.Client, url: str, limits: Limits, *, etag: str | None = None,
          last_modified: str | None = None, accept: str = FEED_ACCEPT,
          gate: HostGate | None = None) -> Response:
    """GET ``url`` with retries on timeouts, 429 and 5xx (honouring Retry-After, capped)."""
    stop = gate.stop if gate else threading.Event()
    attempt = 0
    while True:
        try:
            return fetch_once(client, url, limits, etag=etag, last_modified=last_modified,
                              accept=accept, gate=gate)
        except FetchError as exc:
            if not exc.retryable or attempt >= limits.retries:
                raise
            if exc.retry_after is not None and exc.retry_after > limits.max_retry_after:
                raise
            delay = exc.retry_after if exc.retry_after is not None else (
                limits.backoff * 2 ** attempt * random.uniform(0.75, 1.25))
            LOGGER.info("%s: %s; retrying in %.1fs", url, exc, delay)
            attempt += 1
            if stop.wait(delay):
                raise Stopped("stopped before retrying") from exc


def fetch_once(client: httpx.Client, url: str, limits: Limits, *, etag: str | None = None,
               last_modified: str | None = None, accept: str = FEED_ACCEPT,
               gate: HostGate | None = None) -> Response:
    """One attempt: follow up to ``limits.max_redirects`` redirects, checking every hop."""
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    seen: set[str] = set()
    current = url
    for _ in range(limits.max_redirects + 1):
        if current in seen:
            raise FetchError(f"redirect loop at {current[:200]}")
        seen.add(current)
        check_url(current, allow_private=limits.allow_private)
        if gate:
            gate.wait(current)
        response = _get(client, current, headers, limits, gate.stop if gate else None)
        if isinstance(response, Response):
            return response
        current = response
    raise FetchError(f"more than {limits.max_redirects} redirects")


def _get(client: httpx.Client, url: str, headers: dict[str, str], limits: Limits,
         stop: threading.Event | None = None) -> Response | str:
    """The response at ``url``, or the next URL when it redirects."""
    started = time.monotonic()
    try:
        with client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} without a Location header")
                return urljoin(url, location.strip())
            if status == 304:
                return Response(url=url, status=304, headers=_headers(response))
            if status in RETRYABLE_STATUS:
                raise FetchError(f"HTTP {status}", retryable=True,
                                 retry_after=parse_retry_after(response.headers.get("retry-after")))
            if status != 200:
                raise FetchError(f"HTTP {status}")
            body = _read_capped(response, limits, started, stop)
            return Response(url=url, status=200, body=body, headers=_headers(response))
    except httpx.TimeoutException as exc:
        raise FetchError(f"timed out ({type(exc).__name__})", retryable=True) from None
    except httpx.TransportError as exc:
        raise FetchError(f"connection failed: {exc or type(exc).__name__}",
                         retryable=True) from None
    except httpx.HTTPError as exc:
        raise FetchError(f"HTTP error: {exc}") from None


def _read_capped(response: httpx.Response, limits: Limits, started: float,
                 stop: threading.Event | None = None) -> bytes:
    """The decompressed body, aborting past the byte cap or the deadline, or on ``stop``."""
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if declared.isdigit() and encoding == "identity" and int(declared) > limits.max_bytes:
        raise FetchError(f"body of {declared} bytes exceeds the {limits.max_bytes}-byte cap")
    decode = _decoder(encoding, limits.max_bytes)
    chunks: list[bytes] = []
    size = 0
    for raw in response.iter_raw():
        if stop is not None and stop.is_set():
            raise Stopped("stopped while fetching")
        if time.monotonic() - started > limits.deadline:
            # Not retried: a server that drips bytes would cost every attempt a whole deadline.
            raise FetchError(f"response took longer than the {limits.deadline:g}s deadline")
        chunk = decode(raw)
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError(f"body exceeds the {limits.max_bytes}-byte cap (decompressed)")
        chunks.append(chunk)
    tail = decode(b"")
    if size + len(tail) > limits.max_bytes:
        raise FetchError(f"body exceeds the {limits.max_bytes}-byte cap (decompressed)")
    chunks.append(tail)
    return b"".join(chunks)


def _decoder(encoding: str, cap: int) -> Callable[[bytes], bytes]:
    """A chunk decoder that never produces more than ``cap + 1`` bytes per call."""
    if encoding in ("identity", ""):
        return lambda chunk: chunk
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"unsupported Content-Encoding {encoding!r}")
    # 32 + MAX_WBITS reads gzip or zlib headers; raw deflate is the fallback for 'deflate'.
    state = {"z": zlib.decompressobj(32 + zlib.MAX_WBITS), "first": True}

    def decode(chunk: bytes) -> bytes:
        z = state["z"]
        try:
            if not chunk:
                return z.flush()
            out = z.decompress(chunk, cap + 1)
        except zlib.error:
            if encoding == "deflate" and state["first"]:
                state["z"] = z = zlib.decompressobj(-zlib.MAX_WBITS)
                state["first"] = False
                return decode(chunk)
            raise FetchError(f"corrupt {encoding} body") from None
        state["first"] = False
        if z.unconsumed_tail:  # more than the cap from one chunk: a bomb, or simply too big
            raise FetchError(f"body exceeds the {cap}-byte cap (decompressed)")
        return out

    return decode


def _headers(response: httpx.Response) -> dict[str, str]:
    return {key.lower(): value for key, value in response.headers.items()}


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
