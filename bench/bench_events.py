"""Events: what grouping statements into events adds to storing, and what a rebuild costs.

Generated documents (``ingest.synth``) are stored through ``pipeline.store_documents`` twice
per size, into fresh files: with events assigned in the same transaction (the shipped path),
and with ``events.assign`` switched off (the path before events), so the ratio is the cost
of events at ingest; the share of the storing time spent inside ``events.assign`` is
measured too, since wall times on a shared machine drift more than that share. Then
``python -m ingest events --rebuild`` regroups every statement of the stored file, in a
process of its own, with its peak resident memory: memory that stays flat as the size grows
is what lets a rebuild run at a million articles (candidates come from the ``events_key``
index, statements a batch at a time, never a table held in memory).

    .venv/bin/python bench/bench_events.py [--sizes 5000 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from common import OUT, median_time, print_machine

from ingest import events, store, synth

# The rebuild in a fresh process, as the operator runs it: its peak resident memory once the
# code is imported, and over the whole rebuild. VmHWM, not ru_maxrss: a child's ru_maxrss
# starts from its parent's size at fork (here, with the generated documents in memory).
REBUILD = """
import re, sys
from pathlib import Path
from ingest import events, store
def peak():
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) / 1e3
imported = peak()
events.rebuild(store.open_db(sys.argv[1]))
print(imported, peak())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print_machine()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "events.db"
    real_assign = events.assign
    for n in args.sizes:
        docs = list(synth.documents(synth.records(n, args.seed), args.seed))

        def fresh() -> None:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(f"{path}{suffix}"):
                    os.remove(f"{path}{suffix}")

        def store_all(docs=docs) -> None:
            db = store.open_db(path)
            synth.store_all(db, docs, synth.register_source(db, args.seed))
            db.close()

        spent: list[float] = []

        def timed_assign(db, ids, spent=spent) -> int:
            begin = time.perf_counter()
            try:
                return real_assign(db, ids)
            finally:
                spent.append(time.perf_counter() - begin)

        plain_runs, event_runs, shares = [], [], []
        for _ in range(args.repeat):  # interleaved: a busy machine slows both alike
            events.assign = lambda db, ids: 0
            try:
                plain_runs.append(median_time(store_all, 1, setup=fresh)[0])
            finally:
                events.assign = real_assign
            spent.clear()
            events.assign = timed_assign
            try:
                event_runs.append(median_time(store_all, 1, setup=fresh)[0])
            finally:
                events.assign = real_assign
            shares.append(sum(spent) / event_runs[-1])
        plain, with_events = statistics.median(plain_runs), statistics.median(event_runs)
        db = store.open_db(path)
        statements = sum(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                         for t in events.TABLES)
        db.close()
        # The rebuild runs as the operator runs it, in a process of its own: its peak RSS is
        # the rebuild's, not this process's with the generated documents in memory.
        start = time.perf_counter()
        child = subprocess.run([sys.executable, "-c", REBUILD, str(path)], check=True,
                               capture_output=True, text=True)
        rebuilt = time.perf_counter() - start
        imported, peak = map(float, child.stdout.split()[-2:])
        db = store.open_db(path)
        count = db.execute("SELECT count(*) FROM events").fetchone()[0]
        db.close()
        print(f"n={n}: store {plain:.1f}s without events, {with_events:.1f}s with"
              f" ({with_events / plain - 1:+.0%}; events.assign is"
              f" {statistics.median(shares):.1%} of the storing time);"
              f" {statements} statements -> {count} events"
              f" ({statements / max(count, 1):.2f} per event); rebuild {rebuilt:.1f}s"
              f" ({statements / rebuilt:.0f} statements/s, the process's start included); peak RSS"
              f" {peak:.0f} MB, of which {imported:.0f} MB once the code is imported",
              flush=True)


if __name__ == "__main__":
    main()
