"""Storing: articles per second into SQLite with their tags, and file size per 1,000 articles.

Generated documents (``ingest.synth``) go through ``pipeline.store_documents`` 500 to a
transaction, into a fresh file for each run: the path feeds and seeds take. Tagging the same
documents without a database is timed too, so the share of time spent in SQL is visible.

    .venv/bin/python bench/bench_store.py [--sizes 5000 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sqlite3

from common import OUT, median_time, print_machine

from ingest import store, synth
from ingest.tagger import tag


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
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
