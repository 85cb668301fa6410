"""Time the Articles page's query (``queries.article_page``: a page of 50 with its tags and the
count, exact up to 10,000) on big corpora, and the exact count and full-list page beside it.

    .venv/bin/python bench/bench_articles.py 100000 1000000

Builds databases with the generator of ``bench_dashboard.py`` (in the same ``$BENCH_DATA``),
with their ``sqlite_stat1`` statistics dropped: a database built by ``seeds``/``run`` is never
``ANALYZE``d, and without statistics SQLite chose plans that took 10-40 s. For each search or
filter the page offers, times ``queries.article_page`` ("both"), the exact
``aggregates.article_count`` ("count", which exports and other pages use) and
``queries.articles(limit=50)`` ("page", the plan exports stream), each on a fresh read-only
connection (first call, then the median of ``BENCH_REPEATS``). Prints one
JSON line per size, seconds.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboard import DATA, GENERATOR, WORDS, generate  # noqa: E402
from common import print_machine  # noqa: E402

from ingest import aggregates, queries, store  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
CASES = {
    "the": queries.Filters(query="the"),
    "a*": queries.Filters(query="a*"),
    "500 distinct OR": queries.Filters(
        query=" OR ".join([*(f"w{n}" for n in range(490)), *WORDS[:10]])),
    "actor Russia": queries.Filters(actors=("Russia",)),
    "rare word": queries.Filters(query="zzyzx"),
    "no filter, page 100": queries.Filters(),
}


def without_statistics(path: Path) -> Path:
    """The generated database as an ingest leaves one: no ``sqlite_stat1``."""
    db = store.open_db(path)  # migrates a file kept from an older release
    if db["sqlite_stat1"].exists():
        db.execute("DROP TABLE sqlite_stat1")
    db.conn.close()
    return path


def measure(path: Path) -> dict:
    results = {}
    for name, filters in CASES.items():
        offset = 99 * 50 if name.startswith("no filter") else 0
        for label, call in (
            ("both", lambda db, f=filters, o=offset: queries.article_page(db, f, limit=50,
                                                                         offset=o)),
            ("count", lambda db, f=filters: aggregates.article_count(db, f)),
            ("page", lambda db, f=filters, o=offset: list(queries.articles(db, f, limit=50,
                                                                           offset=o))),
        ):
            times = []
            for _ in range(REPEATS):
                db = store.open_db(path, readonly=True)
                started = time.perf_counter()
                call(db)
                times.append(time.perf_counter() - started)
                db.conn.close()
            results[f"{name} {label}"] = {"first": round(times[0], 3),
                                          "median": round(statistics.median(times), 3)}
    return results


def main(sizes: list[int]) -> None:
    print_machine()
    DATA.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        path = DATA / f"articles-g{GENERATOR}-{size}.db"  # its own copy: statistics dropped
        if not path.exists():
            generate(path, size)
        print(json.dumps({"articles": size, **measure(without_statistics(path))}), flush=True)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100_000])
