"""Safe HTTP: timeouts, deadlines, byte caps, redirects, retries and address refusal."""

from __future__ import annotations

import gzip
import ipaddress
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from werkzeug import Response

from ingest.fetch import (
    USER_AGENT,
    FetchError,
    HostGate,
    check_url,
    fetch,
    is_internal,
    make_client,
    parse_retry_after,
)
from tests.feedserver import TEST_LIMITS

pytest_plugins = ["tests.conftest_feeds"]

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.fixture
def client():
    with make_client(TEST_LIMITS) as http:
        yield http


def test_sends_user_agent_and_gzip_and_reads_body(feed_server, client):
    feed_server.expect_request(
        "/feed", headers={"User-Agent": USER_AGENT}
    ).respond_with_data(gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    response = fetch(client, feed_server.url_for("/feed"), TEST_LIMITS)
    assert response.body == FEED
    assert "gzip" in feed_server.log[0][0].headers["Accept-Encoding"]


def test_conditional_get_returns_304(feed_server, client):
    feed_server.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304)
    feed_server.expect_request("/feed").respond_with_data(FEED, headers={"ETag": '"v1"'})
    first = fetch(client, feed_server.url_for("/feed"), TEST_LIMITS)
    second = fetch(client, feed_server.url_for("/feed"), TEST_LIMITS, etag=first.etag)
    assert (first.status, first.etag) == (200, '"v1"')
    assert second.not_modified and second.body == b""


def test_retries_500_then_succeeds(feed_server, client):
    feed_server.expect_oneshot_request("/feed").respond_with_data("oops", status=500)
    feed_server.expect_request("/feed").respond_with_data(FEED)
    assert fetch(client, feed_server.url_for("/feed"), TEST_LIMITS).body == FEED
    assert len(feed_server.log) == 2


def test_429_honours_retry_after_seconds(feed_server, client):
    feed_server.expect_oneshot_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"})
    feed_server.expect_request("/feed").respond_with_data(FEED)
    started = time.monotonic()
    assert fetch(client, feed_server.url_for("/feed"), TEST_LIMITS).body == FEED
    assert time.monotonic() - started >= 0.9


def test_long_retry_after_fails_now_and_says_when(feed_server, client):
    feed_server.expect_request("/feed").respond_with_data(
        "", status=503, headers={"Retry-After": "3600"})
    with pytest.raises(FetchError) as caught:
        fetch(client, feed_server.url_for("/feed"), TEST_LIMITS)
    assert caught.value.retry_after == 3600 and len(feed_server.log) == 1


def test_retry_after_http_date():
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    assert 100 < parse_retry_after(later) <= 120
    assert parse_retry_after("soon") is None


def test_no_retry_on_404(feed_server, client):
    feed_server.expect_request("/feed").respond_with_data("gone", status=404)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(client, feed_server.url_for("/feed"), TEST_LIMITS)
    assert len(feed_server.log) == 1


def test_slow_drip_past_deadline_is_cut(feed_server, client):
    def drip(_request):
        def body():
            for _ in range(40):
                yield b"<!-- drip -->\n"
                time.sleep(0.1)
        return Response(body(), content_type="application/xml")

    feed_server.expect_request("/feed").respond_with_handler(drip)
    limits = replace(TEST_LIMITS, deadline=0.5, retries=0)
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline"):
        fetch(client, feed_server.url_for("/feed"), limits)
    assert time.monotonic() - started < 1.5


def test_redirects_are_followed_and_loops_refused(feed_server, client):
    feed_server.expect_request("/old").respond_with_data("", status=301,
                                                         headers={"Location": "/new"})
    feed_server.expect_request("/new").respond_with_data(FEED)
    feed_server.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    feed_server.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    moved = fetch(client, feed_server.url_for("/old"), TEST_LIMITS)
    assert moved.body == FEED and moved.url.endswith("/new")
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(client, feed_server.url_for("/a"), TEST_LIMITS)


def test_redirect_hops_are_checked_again(feed_server, client):
    feed_server.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="only http and https"):
        fetch(client, feed_server.url_for("/feed"), TEST_LIMITS)


def test_redirect_to_an_internal_address_is_refused(feed_server, client, monkeypatch):
    # Only 127.0.0.2 counts as internal here, so the first hop (127.0.0.1) is allowed.
    monkeypatch.setattr("ingest.fetch.is_internal", lambda address: str(address) == "127.0.0.2")
    feed_server.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.2:{feed_server.port}/admin"})
    with pytest.raises(FetchError, match="internal address 127.0.0.2"):
        fetch(client, feed_server.url_for("/feed"), replace(TEST_LIMITS, allow_private=False))
    assert len(feed_server.log) == 1


def test_too_many_redirects(feed_server, client):
    for n in range(10):
        feed_server.expect_request(f"/r{n}").respond_with_data(
            "", status=302, headers={"Location": f"/r{n + 1}"})
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(client, feed_server.url_for("/r0"), TEST_LIMITS)


@pytest.mark.faults
@pytest.mark.parametrize("streamed", [False, True])
def test_oversized_body_is_refused(feed_server, client, streamed):
    big = b"x" * 2_000_000

    def handler(_request):
        return Response(iter([big[i:i + 65536] for i in range(0, len(big), 65536)]))

    route = feed_server.expect_request("/big")
    route.respond_with_handler(handler) if streamed else route.respond_with_data(big)
    with pytest.raises(FetchError, match="cap"):
        fetch(client, feed_server.url_for("/big"), TEST_LIMITS)


@pytest.mark.faults
def test_gzip_bomb_is_stopped_at_the_cap(feed_server, client):
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)  # ~50 KB on the wire
    feed_server.expect_request("/bomb").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="application/xml")
    with pytest.raises(FetchError, match="cap"):
        fetch(client, feed_server.url_for("/bomb"), TEST_LIMITS)


def test_private_addresses_refused_without_the_flag(feed_server, client):
    feed_server.expect_request("/feed").respond_with_data(FEED)
    refusing = replace(TEST_LIMITS, allow_private=False)
    with pytest.raises(FetchError, match="internal address 127.0.0.1"):
        fetch(client, feed_server.url_for("/feed"), refusing)
    assert feed_server.log == []


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
    "224.0.0.1", "240.0.0.1", "100.64.0.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::",
])
def test_internal_addresses(address):
    assert is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses(address):
    assert not is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("url, message", [
    ("ftp://example.com/feed", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("http://example.com/" + "a" * 2100, "longer than 2048"),
    ("http://[::1]/feed", "internal address"),
    ("http://[::ffff:169.254.169.254]/latest", "internal address"),
])
def test_check_url_refuses(url, message):
    with pytest.raises(FetchError, match=message):
        check_url(url)


def test_host_gate_spaces_requests_to_one_host():
    gate = HostGate(0.2)
    started = time.monotonic()
    for _ in range(3):
        gate.wait("http://a.example/x")
    gate.wait("http://b.example/x")
    assert 0.35 < time.monotonic() - started < 0.8
