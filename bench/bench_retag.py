"""Retagging: wall time and memory of ``pipeline.retag`` as the corpus grows.

Each size has its own generated corpus in bench/out/retag-N.db, built once through the real
storing path and reused. Every retag runs in a fresh child process, so its peak memory belongs
to that size alone; the child samples its RSS in the background and at each tenth of the work.
Flat memory across sizes is the point: retag streams by rowid and never loads the table.

    .venv/bin/python bench/bench_retag.py [--sizes 10000 100000] [--repeat 3] [--workers 2]
        [--tracemalloc]

The million-article corpus takes a while to build (it is tagged once on the way in):

    nohup .venv/bin/python bench/bench_retag.py --sizes 1000000 --repeat 1 \
        > bench/out/retag-1m.log 2>&1 &
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from common import OUT, RssSampler, peak_rss_mb, print_machine, rss_mb

from ingest import pipeline, rollups, store, synth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1,
                        help="tagger processes (pipeline.retag's workers)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python allocations (slower; one extra run per size)")
    parser.add_argument("--untagged", action="store_true",
                        help="build the corpus without tagging it (articles only, minutes for a"
                             " million instead of hours); the first retag then writes every tag")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(Path(args.child), args.tracemalloc, args.workers)
    print_machine()
    for n in args.sizes:
        path = OUT / f"retag-{n}{'-untagged' if args.untagged else ''}.db"
        if not path.exists():
            _build(path, n, args.seed, tagged=not args.untagged)
        runs = [_retag_in_child(path, traced=False, workers=args.workers)
                for _ in range(args.repeat)]
        times = [r["seconds"] for r in runs]
        seconds = statistics.median(times)
        articles = runs[0]["articles"]
        print(
            f"{n:>9,} documents, {articles:,} articles, {args.workers} worker(s):"
            f" retag {seconds:,.1f} s median"
            f" ({', '.join(f'{t:.1f}' for t in times)}) ="
            f" {articles / seconds:,.0f} articles/s; RSS start"
            f" {statistics.median(r['rss_start'] for r in runs):.0f} MB, peak"
            f" {statistics.median(r['rss_peak'] for r in runs):.0f} MB"
            f" (ru_maxrss {statistics.median(r['ru_maxrss'] for r in runs):.0f} MB)"
            + (f"; workers together peak"
               f" {statistics.median(r['workers_peak'] for r in runs):.0f} MB"
               if args.workers > 1 else "")
        )
        print("  RSS at each tenth (MB): "
              + " ".join(f"{mb:.0f}" for mb in runs[len(runs) // 2]["rss_by_tenth"]))
        if args.tracemalloc:
            traced = _retag_in_child(path, traced=True, workers=args.workers)
            print(f"  tracemalloc peak {traced['traced_peak']:.1f} MB"
                  f" (run took {traced['seconds']:.1f} s under tracing)")


def _build(path: Path, n: int, seed: int, *, tagged: bool = True) -> None:
    """Generate the corpus once, through the real store-and-tag path (or, untagged, as bare
    article rows: the same texts, ids and hashes, for a retag that writes every tag)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.db")
    start = time.perf_counter()
    db = store.open_db(partial)
    source_id = synth.register_source(db, seed)
    documents = synth.documents(synth.records(n, seed), seed)
    counts = (synth.store_all(db, documents, source_id) if tagged
              else _insert_untagged(db, documents, source_id))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    partial.rename(path)
    seconds = time.perf_counter() - start
    print(f"built {path.name}: {n:,} documents in {seconds:,.0f} s ({n / seconds:,.0f}/s),"
          f" {counts}, {path.stat().st_size / 1e6:,.0f} MB")


def _insert_untagged(db, documents, source_id: int) -> dict:
    """Article rows only, 10,000 to a transaction; copies under the same id are skipped."""
    stamp = store.now()
    rows = ({"id": pipeline.article_id(doc), "url": doc.url, "title": doc.title,
             "text": doc.text, "published": pipeline.iso(doc.published),
             "language": doc.language, "source_id": source_id, "first_seen": stamp,
             "updated_at": stamp, "content_hash": pipeline.content_hash(doc.title, doc.text)}
            for doc in documents)
    with store.transaction(db):
        db["articles"].insert_all(rows, batch_size=10_000, ignore=True)
        rollups.rebuild(db)  # the rows went in past the writers that keep the counts
    return {"new": db["articles"].count}


def _retag_in_child(path: Path, *, traced: bool, workers: int) -> dict:
    command = [sys.executable, __file__, "--child", str(path), "--workers", str(workers)]
    if traced:
        command.append("--tracemalloc")
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(path: Path, traced: bool, workers: int) -> None:
    """Retag ``path`` once and print one JSON line: seconds and memory (of this process, and
    of its tagger workers added together)."""
    db = store.open_db(path)
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    result = {"articles": total, "rss_start": rss_mb(), "rss_by_tenth": []}
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        before, done = done, done + count
        if before * 10 // total != done * 10 // total:
            result["rss_by_tenth"].append(rss_mb())

    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    with RssSampler() as sampler:
        pipeline.retag(db, workers=workers, progress=progress)
    result["seconds"] = time.perf_counter() - start
    if traced:
        result["traced_peak"] = tracemalloc.get_traced_memory()[1] / 1e6
    result.update(rss_peak=sampler.peak, ru_maxrss=peak_rss_mb(),
                  workers_peak=sampler.children_peak)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
