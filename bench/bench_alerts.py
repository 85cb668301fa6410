"""Checking the watches after an ingest: time of ``alerts.check`` as the database grows.

Each size has its generated corpus in bench/out/alerts-N.db (built once through the real
store-and-tag path, reused). The newest ``--new`` articles are made to look just stored; one
watch of each trigger, without filters, then checks them. What should hold: the check's cost
follows the number of new articles, not the size of the database.

    .venv/bin/python bench/bench_alerts.py [--sizes 10000 40000] [--new 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import OUT, median_time, print_machine

from ingest import alerts, store, synth, watches
from ingest.queries import Filters

LATER = "2100-01-01T00:00:00Z"  # "just stored": after every watch's cursor
CURSOR = "2099-12-31T00:00:00Z"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 40_000])
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print_machine()
    for n in args.sizes:
        path = OUT / f"alerts-{n}.db"
        if not path.exists():
            _build(path, n)
        db = store.open_db(path)
        _prepare(db, args.new)
        seconds, times, raised = _time_check(db, args.repeat)
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        print(f"{articles:>9,} articles, {args.new} new, 5 watches: check {seconds * 1000:,.0f} ms"
              f" median of {args.repeat} ({', '.join(f'{t * 1000:.0f}' for t in times)}),"
              f" {raised} alerts")
        db.conn.close()


def _time_check(db, repeat: int) -> tuple[float, list[float], int]:
    """Median seconds of a check from the same starting point (no alert, cursors reset)."""
    raised = []

    def reset() -> None:
        with store.transaction(db):
            db.execute("DELETE FROM alerts")
            db.execute("UPDATE watches SET cursor = ?", [CURSOR])

    seconds, times = median_time(lambda: raised.append(alerts.check(db, [])), repeat,
                                 setup=reset)
    return seconds, times, raised[-1]


def _build(path: Path, n: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    db = store.open_db(path)
    source = synth.register_source(db, 1)
    synth.store_all(db, synth.documents(synth.records(n, 1), 1), source)
    db.conn.close()


def _prepare(db, new: int) -> None:
    """The newest ``new`` articles look just stored; one watch per trigger, checking them."""
    with store.transaction(db):
        db.execute("DELETE FROM watches")
        db.execute(
            "UPDATE articles SET first_seen = ?, updated_at = ? WHERE rowid IN"
            " (SELECT rowid FROM articles ORDER BY rowid DESC LIMIT ?)", [LATER, LATER, new])
    for trigger in watches.TRIGGERS:
        watches.add_watch(db, trigger, trigger, Filters(statuses=("reported",)))


if __name__ == "__main__":
    main()
