"""Stories: how well copies are grouped, and what grouping adds to storing.

Grouping: the generated corpus (``ingest.synth.stories`` knows which record copies which: 5 %
verbatim copies under another URL, 3 % with one sentence changed), plus truncated feed
summaries made here (a ``--summaries`` share of records: the first one or two sentences of a
recent article and an ellipsis, under another URL, a few hours later). Every record is stored
through the real pipeline; pairwise precision and recall compare the story each record's
article landed in with the record it copies.

Cost: the same documents stored with and without story placement (``stories.place``
swapped for a no-op), in fresh files, alternated run by run; medians and their ratio. The
same for a whole feed ingest (``bench_feed_ingest``'s generated feeds, served on 127.0.0.1,
``runner.run_once``), wall and CPU time.

    .venv/bin/python bench/bench_stories.py [--articles 5000] [--repeat 3] [--entries 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from math import comb

import bench_feed_ingest as feed_bench
from common import OUT, print_machine

from ingest import store, stories, synth


def corpus(n: int, seed: int, summaries: float) -> tuple[list[dict], list[int]]:
    """Records and, for each, the index of the record that first told its story."""
    rng = random.Random(seed + 1)
    records: list[dict] = []
    origins: list[int] = []
    for record, origin in synth.stories(n, seed):
        records.append(record)
        origins.append(origin)
        if rng.random() < summaries and len(records) > 1:
            index = rng.randrange(max(0, len(records) - 200), len(records))
            records.append(_summary(rng, records[index], len(records)))
            origins.append(origins[index])
    return records, origins


def _summary(rng: random.Random, original: dict, index: int) -> dict:
    """A feed's truncated summary of ``original``: its first sentence or two and "…"."""
    sentences = re.split(r"(?<=[.?!])\s+", original["text"].replace("\n\n", " "))
    lead = " ".join(sentences[:rng.randint(1, 2)])
    published = datetime.fromisoformat(original["published"]) + timedelta(hours=rng.randint(1, 6))
    return original | {"text": lead.rstrip(".") + " …",
                       "url": f"https://summaries.example/{index}",
                       "published": published.strftime("%Y-%m-%dT%H:%M:%SZ")}


def fresh(path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{path}{suffix}"):
            os.remove(f"{path}{suffix}")


def store_records(path, records: list[dict], seed: int) -> tuple[float, float]:
    """Store ``records`` into a fresh file; the wall and CPU seconds it took (CPU: this
    process's, the steadier figure on a shared machine)."""
    fresh(path)
    docs = list(synth.documents(records, seed))
    db = store.open_db(path)
    source = synth.register_source(db, seed)
    start, cpu = time.perf_counter(), time.process_time()
    synth.store_all(db, docs, source)
    took = time.perf_counter() - start, time.process_time() - cpu
    db.close()
    return took


def pairwise(path, records: list[dict], origins: list[int]) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of the stored stories against the true origins."""
    db = store.open_db(path)
    story_of_url = dict(db.execute(
        "SELECT s.url, sa.story_id FROM article_sources s"
        " JOIN story_articles sa ON sa.article_id = s.article_id").fetchall())
    db.close()
    predicted = [story_of_url[record["url"]] for record in records]
    both = Counter(zip(predicted, origins, strict=True))
    agree = sum(comb(k, 2) for k in both.values())
    said = sum(comb(k, 2) for k in Counter(predicted).values())
    true = sum(comb(k, 2) for k in Counter(origins).values())
    return agree / said if said else 1.0, agree / true if true else 1.0, said, true


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--summaries", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print_machine()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "stories.db"
    records, origins = corpus(args.articles, args.seed, args.summaries)

    store_records(path, records, args.seed)
    precision, recall, said, true = pairwise(path, records, origins)
    print(f"{len(records):,} records ({len(set(origins)):,} true stories, {true:,} true pairs):"
          f" pairwise precision {precision:.4f}, recall {recall:.4f} ({said:,} pairs grouped)",
          flush=True)

    what = f"storing {len(records):,} records (bench_store's path)"
    walls, cpus = alternate(args.repeat, lambda: store_records(path, records, args.seed))
    report(f"{what}, wall", walls, args.repeat)
    report(f"{what}, CPU", cpus, args.repeat)

    bodies = feed_bench.make_feeds(args.feeds, args.entries)
    server = feed_bench.serve(bodies)
    urls = [f"http://127.0.0.1:{server.server_port}{feed}" for feed in bodies]
    feed_bench.time_ingest(urls, args.workers)  # warm-up: the tagger's tables, the server
    try:
        walls, cpus = alternate(args.repeat, lambda: feed_bench.time_ingest(urls, args.workers)[:2])
    finally:
        server.shutdown()
    what = f"feed ingest of {args.entries:,} entries from {args.feeds} feeds"
    report(f"{what}, wall", walls, args.repeat)
    report(f"{what}, CPU", cpus, args.repeat)


Times = dict[str, list[float]]


def alternate(repeat: int, run: Callable[[], tuple[float, float]]) -> tuple[Times, Times]:
    """Wall and CPU seconds of ``run`` with and without story placement, alternated
    ``repeat`` times."""
    placing = stories.place

    def without(db, article_ids):  # the articles go in no story: storing without grouping
        return None

    walls: Times = {"with stories": [], "without": []}
    cpus: Times = {"with stories": [], "without": []}
    try:
        for _ in range(repeat):
            for label, place in (("with stories", placing), ("without", without)):
                stories.place = place
                wall, cpu = run()
                walls[label].append(wall)
                cpus[label].append(cpu)
    finally:
        stories.place = placing
    return walls, cpus


def report(what: str, times: Times, repeat: int) -> None:
    on, off = (statistics.median(times[label]) for label in ("with stories", "without"))
    print(f"{what}, median of {repeat} alternated runs:"
          f" with stories {on:.2f} s ({', '.join(f'{t:.2f}' for t in times['with stories'])}),"
          f" without {off:.2f} s ({', '.join(f'{t:.2f}' for t in times['without'])});"
          f" grouping adds {on / off - 1:.1%}", flush=True)


if __name__ == "__main__":
    main()
