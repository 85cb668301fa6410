"""Inputs that cost time rather than memory: unparseable dates, and feeds heavy to tag.

Ten ``<pubDate>`` values of ``"1 " * 20000`` once spent 78 s in dateparser, and ``run
--deadline 5`` stopped only fetching: SIGTERM at 8 s, exit at 77 s. Date strings are now capped
before parsing (feeds and seeds), and the deadline and SIGTERM cover parsing and tagging too.
Everything runs through the real command line against feeds served from 127.0.0.1 or seed
folders in ``tmp_path``; the time bounds are the issue's, with wide margins.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from tests.faults.conftest import cli_args, cli_env, count, ro, rss, run_cli

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

ENDLESS_DATE = "1 " * 20000
HEAVY_UNIT = "Russia deployed troops to Mali and "


def date_bomb_feed() -> bytes:
    items = "".join(
        f"<item><title>Russia and Mali {n}</title><link>https://news.example/dates/{n}</link>"
        f"<pubDate>{ENDLESS_DATE}</pubDate><description>Russia deployed 300 soldiers to Mali."
        "</description></item>" for n in range(10))
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Dates</title><link>https://news.example/</link>{items}"
            "</channel></rss>").encode()


def heavy_feed(entries: int = 200) -> bytes:
    """About 95 KB of tag-dense text per entry: tens of seconds of tagging in all."""
    text = HEAVY_UNIT * (95_000 // len(HEAVY_UNIT))
    return rss([{"title": f"Heavy {n}", "url": f"https://news.example/heavy/{n}", "text": text}
                for n in range(entries)], title="Heavy")


def add_feed(url: str, db) -> None:
    added = run_cli("feeds", "add", url, "--db", str(db))
    assert added.returncode == 0, added.stderr


def run_args(db, *extra: str) -> list[str]:
    return cli_args("run", "--all", "--allow-private-hosts", "--host-delay", "0",
                    "--max-bytes", "30000000", *extra, "--db", str(db))


def timed_run(db, *extra: str, guard: float = 150) -> tuple[float, subprocess.CompletedProcess]:
    started = time.monotonic()
    done = subprocess.run(run_args(db, *extra), capture_output=True, text=True, timeout=guard,
                          env=cli_env())
    return time.monotonic() - started, done


def last_run(db) -> tuple:
    with ro(db) as conn:
        return conn.execute("SELECT status, errors, failed FROM runs ORDER BY id DESC").fetchone()


def test_unparseable_feed_dates_cost_no_time_and_the_entries_are_stored(server, tmp_path):
    db = tmp_path / "monitor.db"
    add_feed(server.bytes("/dates.xml", date_bomb_feed()), db)
    seconds, done = timed_run(db, "--deadline", "5")
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert seconds < 30, f"the run took {seconds:.0f} s"
    assert count(db, "SELECT count(*) FROM articles WHERE published_inferred = 1") == 10


def test_unparseable_seed_dates_cost_one_line_each(tmp_path):
    folder = tmp_path / "seeds" / "dates"
    folder.mkdir(parents=True)
    (folder / "a.json").write_text(json.dumps({"title": "Russia and Mali", "text": "Russia and"
                                               " Mali signed.", "published": ENDLESS_DATE}))
    (folder / "b.md").write_text(f'---\ntitle: France and Niger\ndate: "{ENDLESS_DATE}"\n---\n'
                                 "France left Niger.\n")
    (folder / "c.html").write_text(f'<html><head><meta name="pubdate" content="{ENDLESS_DATE}">'
                                   "<title>Turkey and Chad</title></head><body><p>Turkey sold"
                                   " drones to Chad.</p></body></html>")
    (folder / "good.txt").write_text("China and Sudan\n\nChina trained Sudanese officers.\n")
    db = tmp_path / "monitor.db"
    started = time.monotonic()
    done = run_cli("seeds", str(tmp_path / "seeds"), "--db", str(db), timeout=150)
    seconds = time.monotonic() - started
    assert seconds < 30, f"the seeds took {seconds:.0f} s"
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3, done.stderr
    for name, line in zip(("a.json", "b.md", "c.html"), sorted(errors), strict=True):
        assert name in line and "date" in line and len(line) < 300, line
    assert count(db) == 1


def test_a_deadline_covers_tagging(server, tmp_path):
    """``--deadline 3``: a feed that takes longer to tag fails, whole, in about that time."""
    db = tmp_path / "monitor.db"
    url = server.bytes("/heavy.xml", heavy_feed())
    add_feed(url, db)
    seconds, done = timed_run(db, "--deadline", "3")
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert seconds < 25, f"the run took {seconds:.0f} s"
    status, errors, failed = last_run(db)
    assert failed == 1 and any(url in line and "deadline" in line for line in json.loads(errors))
    assert count(db) == 0  # a feed is stored whole or not at all


def test_sigterm_stops_a_run_in_the_middle_of_tagging(server, tmp_path):
    db = tmp_path / "monitor.db"
    add_feed(server.bytes("/heavy.xml", heavy_feed()), db)
    process = subprocess.Popen(run_args(db), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=cli_env())
    try:
        for line in process.stderr:  # "polling 1 feeds", then fetching, parsing, tagging
            if "polling" in line:
                break
        time.sleep(3)
        assert process.poll() is None, "the run ended before it could be stopped"
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
        after = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert after < 10, f"the run exited {after:.0f} s after SIGTERM"
    assert last_run(db)[0] == "stopped"
    assert count(db) == 0
    with ro(db) as conn:  # not the feed's fault: no failure recorded, still due
        failures, due = conn.execute("SELECT consecutive_failures, next_due_at FROM sources"
                                     " WHERE kind = 'feed'").fetchone()
    assert failures == 0 and due is None


def test_a_dripping_feed_costs_one_deadline_and_holds_up_no_other_feed(server, tmp_path):
    """One feed drips a byte every 0.2 s; four others share its host, four are on another.

    Once the drip was retried after each deadline (three deadlines and two back-offs), and the
    feeds queued behind it and its host's spacing waited. Now it is read once, cut at the
    deadline, and every other feed is fetched while it is still dripping.
    """
    requested: dict[str, float] = {}

    def drip(request) -> None:
        requested.setdefault("/drip.xml", time.monotonic())
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.end_headers()
        request.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        for _ in range(150):
            if server.stopping.is_set():
                return
            request.wfile.write(b" ")
            request.wfile.flush()
            time.sleep(0.2)

    def honest(path: str, body: bytes):
        def handler(request) -> None:
            requested[path] = time.monotonic()
            request.send_response(200)
            request.send_header("Content-Type", "application/rss+xml")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        return handler

    db = tmp_path / "monitor.db"
    urls = [server.route("/drip.xml", drip)]
    for n in range(8):
        path = f"/feed-{n}.xml"
        body = rss([{"title": f"Feed {n}", "url": f"https://news.example/drip/{n}",
                     "text": "Russia deployed troops to Mali."}])
        url = server.route(path, honest(path, body))
        urls.append(url if n < 4 else url.replace("127.0.0.1", "localhost"))  # a second host
    (tmp_path / "feeds.txt").write_text("\n".join(urls) + "\n")
    assert run_cli("feeds", "import", str(tmp_path / "feeds.txt"), "--db",
                   str(db)).returncode == 0
    deadline = 4.0
    seconds, done = timed_run(db, "--workers", "2", "--host-delay", "0.3", "--timeout", "2",
                              "--deadline", f"{deadline:g}")
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert server.hits["/drip.xml"] == 1, "the dripping feed was fetched again"
    assert seconds < 2 * deadline + 4, f"the run took {seconds:.1f} s"
    assert count(db) == 8
    started = requested["/drip.xml"]
    late = {path: round(at - started, 1) for path, at in requested.items()
            if at - started >= deadline}
    assert not late, f"fetched only after the dripping feed's deadline: {late}"
