"""Benchmark: end-to-end feed ingest against fetching and parsing alone.

Serves N generated feeds (EN and FR, 2,000 entries in all) from a local stdlib HTTP server in a
thread, then times, in the same process and over several rounds:

- ingest: ``runner.run_once`` into a fresh database (fetch, parse, clean, dedupe, tag, store);
- baseline: the same URLs fetched with httpx and parsed with feedparser, same thread count.

Prints medians (wall and CPU time: CPU is the fairer figure on a busy machine), entries per
second, the ratio, where ingest time goes, and the machine.
Run: ``.venv/bin/python bench/bench_feed_ingest.py [--feeds 20] [--entries 2000] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest.mock import patch
from xml.sax.saxutils import escape

import feedparser
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest import entries, feeds, pipeline, store  # noqa: E402
from ingest.fetch import Limits  # noqa: E402
from ingest.runner import RunOptions, run_once  # noqa: E402
from ingest.tagger import TagResult, tag  # noqa: E402

ACTORS_EN = ["Russia", "the Wagner Group", "France", "China", "Turkey", "the United States",
             "the United Arab Emirates", "Africa Corps"]
ACTORS_FR = ["la Russie", "le groupe Wagner", "la France", "la Chine", "la Turquie",
             "les États-Unis", "les Émirats arabes unis", "l'Africa Corps"]
PARTNERS_EN = ["Mali", "Niger", "Burkina Faso", "the Central African Republic", "Chad", "Sudan",
               "Libya", "Djibouti", "Mozambique", "Senegal"]
PARTNERS_FR = ["le Mali", "le Niger", "le Burkina Faso", "la Centrafrique", "le Tchad",
               "le Soudan", "la Libye", "Djibouti", "le Mozambique", "le Sénégal"]
EVENTS_EN = [
    "{a} delivered armoured vehicles and drones to {p}, the defence ministry said on {d}.",
    "About {n} military instructors from {a} arrived in {p} to train special forces.",
    "{p}'s transitional government signed a defence cooperation agreement with {a}.",
    "Officials in {p} denied reports that {a} planned to open a base near the capital.",
    "{a} began withdrawing its last {n} troops from {p} after the junta ended the accord.",
]
EVENTS_FR = [
    "{a} a livré des blindés et des drones au {p}, a indiqué le ministère de la Défense le {d}.",
    "Environ {n} instructeurs militaires envoyés par {a} sont arrivés pour former l'armée de {p}.",
    "Le gouvernement de transition de {p} a signé un accord de coopération militaire avec {a}.",
    "Les autorités de {p} ont démenti que {a} prévoyait d'ouvrir une base près de la capitale.",
    "{a} a commencé à retirer ses {n} derniers soldats de {p} après la fin de l'accord.",
]
FILLER_EN = ("Analysts said the move reflected a wider shift in security partnerships across the"
             " region. Opposition figures criticised the lack of parliamentary oversight.")
FILLER_FR = ("Selon des analystes, cette décision illustre un basculement plus large des"
             " partenariats de sécurité dans la région. L'opposition dénonce l'absence de contrôle"
             " parlementaire.")


def make_feeds(count: int, total: int, seed: int = 7) -> dict[str, bytes]:
    """``count`` RSS feeds, alternately English and French, ``total`` entries in all."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    bodies = {}
    for f in range(count):
        french = f % 2 == 1
        actors, partners, events = ((ACTORS_FR, PARTNERS_FR, EVENTS_FR) if french
                                    else (ACTORS_EN, PARTNERS_EN, EVENTS_EN))
        items = []
        for i in range(total // count + (f < total % count)):
            when = start + timedelta(hours=rng.randrange(24 * 365))
            facts = [rng.choice(events).format(a=rng.choice(actors), p=rng.choice(partners),
                                               n=rng.randrange(50, 2000, 50),
                                               d=when.strftime("%d/%m/%Y"))
                     for _ in range(3)]
            html = "".join(f"<p>{escape(fact)}</p>" for fact in facts)
            html += f"<p>{FILLER_FR if french else FILLER_EN}</p>"
            title = facts[0].split(",")[0][:110]
            link = f"https://outlet{f}.example/{when:%Y/%m}/story-{f}-{i}?utm_source=rss"
            items.append(
                f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
                f"<guid>{escape(link)}</guid><pubDate>{format_datetime(when)}</pubDate>"
                f"<description>{escape(html)}</description></item>")
        bodies[f"/feed{f}.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Outlet {f}</title><link>https://outlet{f}.example/</link>"
            f"<description>News</description><language>{'fr' if french else 'en'}</language>"
            + "".join(items) + "</channel></rss>").encode()
    return bodies


def serve(bodies: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = bodies.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def time_ingest(urls: list[str], workers: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_db(Path(tmp) / "bench.db")
        for url in urls:
            feeds.add_feed(db, url)
        options = RunOptions(workers=workers, host_delay=0.0, everything=True,
                             limits=Limits(allow_private=True))
        started, cpu = time.perf_counter(), time.process_time()
        report = run_once(db, options)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        db.close()
    assert report.counts["failed"] == 0, report.errors
    return elapsed, cpu, stored


def time_baseline(urls: list[str], workers: int) -> tuple[float, float, int]:
    def one(client: httpx.Client, url: str) -> int:
        response = client.get(url)
        parsed = feedparser.parse(io.BytesIO(response.content),
                                  response_headers=dict(response.headers))
        return len(parsed.entries)

    started, cpu = time.perf_counter(), time.process_time()
    with httpx.Client() as client, ThreadPoolExecutor(workers) as pool:
        total = sum(pool.map(lambda url: one(client, url), urls))
    return time.perf_counter() - started, time.process_time() - cpu, total


def breakdown(bodies: dict[str, bytes]) -> dict[str, float]:
    """Single-threaded seconds per stage of our path, to say where the time goes.

    ``store_documents`` tags as it writes, so the evidence-row stage is its time minus the tag
    stage and minus a second run with the tagger returning nothing: that run is the floor of
    any ingest that keeps searchable articles (dedupe, article row, full-text index, commit).
    feedparser alone on the same bytes is the parse share of the baseline, for comparison.
    """
    started = time.perf_counter()
    for body in bodies.values():
        feedparser.parse(body)
    parsed_alone = time.perf_counter()
    docs = [doc for path, body in bodies.items()
            for doc in entries.parse_feed(body, feed_url=path).documents]
    parsed = time.perf_counter()
    for doc in docs:
        tag(doc.text, title=doc.title, lang=doc.language)
    tagged = time.perf_counter()
    stored = _store_seconds(docs)
    with patch.object(pipeline, "tag", lambda *a, **k: TagResult(lang="en", untagged="bench")):
        articles_only = _store_seconds(docs)
    tagging = tagged - parsed
    return {"feedparser alone": parsed_alone - started,
            "parse + clean (ours)": parsed - parsed_alone, "tag": tagging,
            "store articles (no tags)": articles_only,
            "store evidence rows": stored - tagging - articles_only}


def _store_seconds(docs: list[pipeline.Document]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_db(Path(tmp) / "b.db")
        source = feeds.add_feed(db, "https://bench.example/all")[0]
        started = time.perf_counter()
        pipeline.store_documents(db, docs, source)
        elapsed = time.perf_counter() - started
        db.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    bodies = make_feeds(args.feeds, args.entries)
    server = serve(bodies)
    urls = [f"http://127.0.0.1:{server.server_port}{path}" for path in bodies]
    tag("Warm-up: Russia and Mali.", lang="en")  # load the tagger's tables once, outside timing
    tag("Échauffement : la Russie et le Mali.", lang="fr")
    time_baseline(urls, args.workers)

    ours, base = [], []
    for _ in range(args.rounds):
        *timing, stored = time_ingest(urls, args.workers)
        ours.append(timing)
        *timing, parsed = time_baseline(urls, args.workers)
        base.append(timing)
    server.shutdown()
    (ingest_s, ingest_cpu), (base_s, base_cpu) = (
        [statistics.median(column) for column in zip(*runs, strict=True)] for runs in (ours, base))
    size = sum(map(len, bodies.values()))
    print(f"machine: {platform.platform()}, Python {platform.python_version()},"
          f" {os.cpu_count()} CPUs; feedparser {feedparser.__version__}, httpx {httpx.__version__}")
    print(f"input: {args.feeds} feeds, {parsed} entries, {size / 1e6:.1f} MB; {args.workers}"
          f" workers; median of {args.rounds} rounds")
    print(f"ingest (fetch+parse+dedupe+tag+store): {ingest_s:.2f} s wall, {ingest_cpu:.2f} s CPU,"
          f" {stored / ingest_s:,.0f} entries/s")
    print(f"baseline (httpx+feedparser only):       {base_s:.2f} s wall, {base_cpu:.2f} s CPU,"
          f" {parsed / base_s:,.0f} entries/s")
    print(f"ratio: {ingest_s / base_s:.2f}x wall, {ingest_cpu / base_cpu:.2f}x CPU;"
          f" load average {os.getloadavg()[0]:.1f}")
    stages = [breakdown(bodies) for _ in range(3)]
    print("where ingest time goes (one thread, median of 3 passes):")
    for stage in stages[0]:
        print(f"  {stage:26} {statistics.median(s[stage] for s in stages):.2f} s")
    # An ingest that did everything but tag: the baseline, plus what our parse and clean cost
    # over feedparser's, plus storing the articles with their search index.
    extra = statistics.median(s["parse + clean (ours)"] - s["feedparser alone"]
                              + s["store articles (no tags)"] for s in stages)
    print(f"floor without tagging or evidence rows: ({base_s:.2f} + {extra:.2f}) / {base_s:.2f}"
          f" = {(base_s + extra) / base_s:.2f}x the baseline")


if __name__ == "__main__":
    main()
