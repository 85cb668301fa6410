"""Storing: articles per second into SQLite with their tags, and file size per 1,000 articles.

Generated documents (``ingest.synth``) go through ``pipeline.store_documents`` 500 to a
transaction, into a fresh file for each run: the path feeds and seeds take. Tagging the same
documents without a database is timed too, so the share of time spent in SQL is visible.

    .venv/bin/python bench/bench_store.py [--sizes 5000 20000] [--repeat 3]
    .venv/bin/python bench/bench_store.py --rollups-ab --sizes 5000 --repeat 5 [--base FILE]

``--rollups-ab`` prices the per-month rollups: runs alternate between the real store path and
the same path with the rollup upkeep switched off, and the medians and their ratio are printed.
``--base FILE`` stores into a copy of FILE (e.g. a 100k-article bench database) instead of an
empty file, so the rollup tables are as large as a real archive's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import time
from contextlib import contextmanager

from common import OUT, median_time, print_machine

from ingest import rollups, store, synth
from ingest.tagger import tag


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rollups-ab", action="store_true",
                        help="alternate runs with and without the rollup upkeep")
    parser.add_argument("--base", help="store into a copy of this database file")
    args = parser.parse_args()
    if args.rollups_ab:
        rollups_ab(args)
        return
    print_machine()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "store.db"
    for n in args.sizes:
        docs = list(synth.documents(synth.records(n, args.seed), args.seed))

        def tag_all(docs=docs) -> None:
            for doc in docs:
                tag(doc.text, title=doc.title, lang=doc.language,
                    published=doc.published.date().isoformat())

        def fresh() -> None:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(f"{path}{suffix}"):
                    os.remove(f"{path}{suffix}")

        def store_all(docs=docs) -> None:
            db = store.open_db(path)
            synth.store_all(db, docs, synth.register_source(db, args.seed))
            db.close()

        tag_median, _ = median_time(tag_all, args.repeat)
        store_median, runs = median_time(store_all, args.repeat, setup=fresh)
        articles, size, tables = _size(path)
        print(
            f"{n:>8,} documents -> {articles:,} articles: store {n / store_median:,.0f} docs/s"
            f" (median of {args.repeat}: {', '.join(f'{t:.1f}' for t in runs)} s);"
            f" tag alone {n / tag_median:,.0f} docs/s, so tagging is"
            f" {tag_median / store_median:.0%} of the store time;"
            f" file {size / 1e6:,.1f} MB = {size / articles:,.0f} KB per 1,000 articles"
        )
        if tables:
            print("  by table: " + ", ".join(f"{name} {share:.0%}" for name, share in tables))


@contextmanager
def rollups_off():
    """The store path with the rollup upkeep switched off: the B of the A/B, never shipped."""
    before, finish, flush = (rollups.Refresh.before, rollups.Refresh.finish,
                             rollups.flush_events)
    rollups.Refresh.before = lambda self, ids: None
    rollups.Refresh.finish = lambda self: None
    rollups.flush_events = lambda db: None
    try:
        yield
    finally:
        rollups.Refresh.before, rollups.Refresh.finish, rollups.flush_events = (
            before, finish, flush)


def rollups_ab(args) -> None:
    """Alternate with/without runs (fresh copy each), medians and the ratio of the medians."""
    print_machine()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "store-ab.db"
    for n in args.sizes:
        docs = list(synth.documents(synth.records(n, args.seed), args.seed))
        times: dict[str, list[float]] = {"with": [], "without": []}
        cpu: dict[str, list[float]] = {"with": [], "without": []}  # steadier on a busy machine
        for run in range(2 * args.repeat):
            variant = ("with", "without")[run % 2]
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(f"{path}{suffix}"):
                    os.remove(f"{path}{suffix}")
            if args.base:
                shutil.copy(args.base, path)
            db = store.open_db(path)
            source = synth.register_source(db, args.seed)
            started, started_cpu = time.perf_counter(), time.process_time()
            if variant == "with":
                synth.store_all(db, docs, source)
            else:
                # The stories' copies and the events' rollups are kept by triggers
                # (migrations 16 and 17): off as well.
                for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type ="
                                             " 'trigger' AND (name LIKE '%copies%'"
                                             " OR name LIKE '%rollup_events%')").fetchall():
                    db.execute(f"DROP TRIGGER {trigger}")
                with rollups_off():
                    synth.store_all(db, docs, source)
            times[variant].append(time.perf_counter() - started)
            cpu[variant].append(time.process_time() - started_cpu)
            db.close()
        with_, without = (statistics.median(times[v]) for v in ("with", "without"))
        print(f"{n:>8,} documents{' into a copy of ' + args.base if args.base else ''}:"
              f" with rollups {with_:.2f} s ({', '.join(f'{t:.2f}' for t in times['with'])}),"
              f" without {without:.2f} s ({', '.join(f'{t:.2f}' for t in times['without'])}):"
              f" {with_ / without - 1:+.1%}; CPU {statistics.median(cpu['with']):.2f} s against"
              f" {statistics.median(cpu['without']):.2f} s:"
              f" {statistics.median(cpu['with']) / statistics.median(cpu['without']) - 1:+.1%}")


def _size(path) -> tuple[int, int, list[tuple[str, float]]]:
    """Articles, file bytes after a checkpoint, and the biggest tables' shares (if dbstat)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    try:
        pages = conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6"
        ).fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        pages = []
    conn.close()
    size = os.path.getsize(path)
    return articles, size, [(name, total / size) for name, total in pages]


if __name__ == "__main__":
    main()
