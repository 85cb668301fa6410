"""Feeds written to hurt: entity bombs, a gzip bomb, endless and enormous bodies, bad bytes.

All of them are served from 127.0.0.1 in one real ``python -m ingest run`` beside an honest
feed. Each hostile feed is refused or handled within the run's limits, said clearly in the
feed's health and the run's errors, the honest feed is stored, and the process never grows past
a few hundred megabytes (its peak resident size, from ``wait4``).
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import time
import zlib
from dataclasses import replace

import pytest

from ingest import entries, fetch, runner
from tests.faults.conftest import (
    LocalServer,
    cli_args,
    cli_env,
    corpus,
    count,
    integrity,
    ro,
    rss,
    run_cli,
)

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

MAX_RSS_MB = 500
BIG = 100 * 1024 * 1024

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>laughs</title><item><title>&lol9;</title>
<link>https://news.example/laughs</link><description>&lol9;</description></item>
</channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>xxe</title><item><title>Russia in Mali &xxe;</title>
<link>https://news.example/xxe</link><description>Russia and Mali &xxe;</description></item>
</channel></rss>"""

HOSTILE_MARKUP = [
    {"title": "<img src=x onerror=alert(1)>Russia trains Mali troops",
     "url": "javascript:alert(1)", "text": "<script>alert('x')</script>Russia trained soldiers"
     " in Mali. <a href=\"javascript:alert(2)\" onclick=\"steal()\">read more</a>"},
    {"title": "<script>document.location='https://evil.example'</script>France leaves Niger",
     "url": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
     "text": "<svg onload=alert(1)>France withdrew its troops from Niger."
             "<iframe src=\"https://evil.example\"></iframe>"},
    {"title": "Turkey sells drones to Chad", "url": "https://news.example/drones",
     "text": "<p onmouseover=\"alert(3)\">Turkey delivered TB2 drones to Chad.</p>"},
]


def gzip_bomb(decompressed: int = 500 * 1024 * 1024) -> bytes:
    """Half a gigabyte of zeros in about half a megabyte of gzip."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(decompressed // len(block))]
    return b"".join(parts) + packer.flush()


def endless(request) -> None:
    """Headers, then a byte every half second until the client gives up."""
    request.send_response(200)
    request.send_header("Content-Type", "application/rss+xml")
    request.send_header("Connection", "close")
    request.end_headers()
    request.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
    for _ in range(600):
        request.wfile.write(b" ")
        request.wfile.flush()
        time.sleep(0.5)


def huge(declare_length: bool):
    """100 MB generated on the fly, with or without an honest Content-Length."""
    def handler(request) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        if declare_length:
            request.send_header("Content-Length", str(BIG))
        request.send_header("Connection", "close")
        request.end_headers()
        chunk = b"<!-- padding -->" * 4096
        for _ in range(BIG // len(chunk)):
            request.wfile.write(chunk)
    return handler


def ten_thousand_entries() -> bytes:
    docs = [{"title": f"Brief {n}", "url": f"https://news.example/brief/{n}",
             "text": f"Brief number {n}."} for n in range(10_000)]
    return rss(docs, title="Ten thousand")


def invalid_utf8() -> bytes:
    good = rss(corpus(3, prefix="bytes"), title="Bad bytes")
    return good.replace(b"report bytes 1", b"report \xff\xfe\xc3( bytes 1")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """One run over every hostile feed and an honest one; what it stored, said and cost."""
    site = LocalServer()
    tmp = tmp_path_factory.mktemp("hostile")
    honest = corpus(30, prefix="honest")
    feeds = {
        "laughs": site.bytes("/laughs.xml", BILLION_LAUGHS),
        "xxe": site.bytes("/xxe.xml", EXTERNAL_ENTITY),
        "bomb": site.bytes("/bomb.xml", gzip_bomb(), headers={"Content-Encoding": "gzip"}),
        "huge": site.route("/huge.xml", huge(declare_length=False)),
        "huge-declared": site.route("/huge-declared.xml", huge(declare_length=True)),
        "endless": site.route("/endless.xml", endless),
        "bad-bytes": site.bytes("/bad-bytes.xml", invalid_utf8()),
        "ten-thousand": site.bytes("/10k.xml", ten_thousand_entries()),
        "markup": site.bytes("/markup.xml", rss(HOSTILE_MARKUP, title="Markup")),
        "honest": site.bytes("/honest.xml", gzip.compress(rss(honest, title="Honest")),
                             headers={"Content-Encoding": "gzip"}),
    }
    db = tmp / "monitor.db"
    (tmp / "feeds.txt").write_text("\n".join(feeds.values()) + "\n")
    assert run_cli("feeds", "import", str(tmp / "feeds.txt"), "--db", str(db)).returncode == 0

    started = time.monotonic()
    with open(tmp / "out.txt", "wb") as out, open(tmp / "err.txt", "wb") as err:
        process = subprocess.Popen(
            cli_args("run", "--all", "--allow-private-hosts", "--host-delay", "0", "--workers",
                     "4", "--timeout", "2", "--deadline", "10", "--db", str(db)),
            stdout=out, stderr=err, env=cli_env())
        try:
            returncode, peak_rss_mb = wait_with_rusage(process, hang_guard=180)
        finally:
            site.close()
    with ro(db) as conn:
        health = {
            name: dict(zip(("error", "failures", "items", "success"), conn.execute(
                "SELECT last_error, consecutive_failures, items_seen, last_success_at"
                " FROM sources WHERE url = ?", [url]).fetchone(), strict=True))
            for name, url in feeds.items()
        }
        run = conn.execute("SELECT status, errors, failed FROM runs ORDER BY id DESC").fetchone()
    return {"db": db, "returncode": returncode, "stdout": (tmp / "out.txt").read_text(),
            "stderr": (tmp / "err.txt").read_text(), "health": health, "run": run,
            "honest": honest, "seconds": time.monotonic() - started, "feeds": feeds,
            "peak_rss_mb": peak_rss_mb}


def wait_with_rusage(process: subprocess.Popen, hang_guard: float) -> tuple[int, float]:
    """Reap ``process`` ourselves with wait4: its exit code and peak resident size in MB."""
    deadline = time.monotonic() + hang_guard
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage.ru_maxrss / 1024  # Linux: kilobytes
        if time.monotonic() > deadline:
            process.send_signal(signal.SIGKILL)
            process.wait()
            pytest.fail("the run hung past the hang guard")
        time.sleep(0.1)


def test_the_run_completes_and_stores_the_honest_feed(hostile_run):
    # Feeds failed, so the run says so: status 'partial', exit code 3 (docs/operators-guide.md).
    assert hostile_run["returncode"] == 3, hostile_run["stderr"][-3000:]
    assert "Traceback" not in hostile_run["stderr"]
    db = hostile_run["db"]
    assert integrity(db) == "ok"
    stored = {row[0] for row in ro(db).execute("SELECT url FROM articles")}
    assert {doc["url"] for doc in hostile_run["honest"]} <= stored
    assert hostile_run["health"]["honest"]["success"] and not hostile_run["health"]["honest"][
        "failures"]


@pytest.mark.parametrize(("feed", "reason"), [
    ("laughs", "declares XML entities"),
    ("xxe", "declares XML entities"),
    ("bomb", "cap"),
    ("huge", "cap"),
    ("huge-declared", "cap"),
    ("endless", "deadline"),
])
def test_each_hostile_feed_is_refused_with_its_reason_in_the_feed_health(hostile_run, feed,
                                                                          reason):
    health = hostile_run["health"][feed]
    assert health["failures"] == 1 and not health["success"]
    assert reason in health["error"], health["error"]
    status, errors, failed = hostile_run["run"]
    assert any(hostile_run["feeds"][feed] in line and reason in line
               for line in json.loads(errors)), errors
    assert status == "partial" and failed == 6


def test_nothing_from_a_refused_feed_or_a_local_file_is_stored(hostile_run):
    texts = " ".join(r[0] + r[1] for r in ro(hostile_run["db"]).execute(
        "SELECT title, text FROM articles"))
    assert "root:" not in texts and "lollol" not in texts and "padding" not in texts


def test_a_ten_thousand_entry_feed_is_capped_and_says_so(hostile_run):
    health = hostile_run["health"]["ten-thousand"]
    assert health["success"] and health["items"] == 10_000
    stored = count(hostile_run["db"], "SELECT count(*) FROM articles WHERE url LIKE"
                                      " 'https://news.example/brief/%'")
    assert stored == entries.MAX_ENTRIES
    errors = json.loads(hostile_run["run"][1])
    assert any("5000 entries past the 5000-entry cap skipped" in line for line in errors), errors


def test_invalid_utf8_costs_at_most_the_bad_characters(hostile_run):
    rows = dict(ro(hostile_run["db"]).execute(
        "SELECT url, title FROM articles WHERE url LIKE 'https://news.example/bytes/%'"))
    assert len(rows) == 3, hostile_run["health"]["bad-bytes"]
    assert rows["https://news.example/bytes/0"] == "Russia and Mali: report bytes 0"


def test_markup_and_script_links_are_stored_as_plain_text_without_the_links(hostile_run):
    rows = list(ro(hostile_run["db"]).execute(
        "SELECT title, text, url FROM articles WHERE source_id = (SELECT id FROM sources"
        " WHERE url = ?)", [hostile_run["feeds"]["markup"]]))
    assert len(rows) == 3
    for title, text, url in rows:
        for needle in ("<", "onerror", "onload", "onclick", "onmouseover", "javascript:",
                       "data:", "alert(", "document.location"):
            assert needle not in title + text + (url or ""), (needle, title, text, url)
        assert url in (None, "https://news.example/drones")
    titles = sorted(title for title, _, _ in rows)
    assert titles == ["France leaves Niger", "Russia trains Mali troops",
                      "Turkey sells drones to Chad"]


def test_the_run_stayed_small_in_memory(hostile_run):
    assert hostile_run["peak_rss_mb"] < MAX_RSS_MB


# --- Full-text fetching at the library level: the feed may be local, its links may not -------

def test_full_text_fetching_refuses_article_links_to_private_addresses(server):
    page = server.bytes("/article.html", b"<html><body><p>" + b"Secret intranet page. " * 50
                        + b"</p></body></html>", content_type="text/html")
    docs = [{"title": "Russia and Mali", "url": page, "text": "The summary from the feed."},
            {"title": "Localhost too", "url": page.replace("127.0.0.1", "localhost"),
             "text": "Another summary."}]
    parsed = entries.parse_feed(rss(docs), feed_url="https://news.example/feed.xml")
    options = runner.RunOptions(full_text=True, host_delay=0.0,
                                limits=replace(fetch.Limits(), allow_private=False))
    with fetch.make_client(options.limits) as client:
        problems = runner._add_full_text(client, parsed, options,
                                         fetch.HostGate(0.0), frozenset())
    assert [doc.text for doc in parsed.documents] == ["The summary from the feed.",
                                                      "Another summary."]
    assert len(problems) == 2 and all("internal address" in p for p in problems), problems
    assert server.hits.get("/article.html", 0) == 0, "the private page was fetched"

