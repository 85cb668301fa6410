"""``python -m ingest synth``: fill a scratch database with a generated corpus.

For benchmarks and load tests only. ``--db`` is required and has no default and no
``MONITOR_DB`` fallback, so the command can only write where it is explicitly told to.
Registered on the ``cli`` group at the end of ``ingest.cli``.
"""

from __future__ import annotations

import click

from ingest import lock, pipeline, store
from ingest import synth as corpus
from ingest.cli import _progress, friendly_errors


@click.command()
@click.option("-n", "--articles", type=click.IntRange(min=1), required=True,
              help="How many articles to generate, republished copies included.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), required=True,
              help="SQLite file to write (required: never data/monitor.db by default).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Same seed, same articles.")
@click.option("--rss-dir", type=click.Path(file_okay=False),
              help="Also write the articles as RSS 2.0 files in this folder.")
@click.option("--per-file", type=click.IntRange(min=1), default=100, show_default=True,
              help="Items per RSS file.")
@click.option("--duplicates", type=click.FloatRange(0, 0.5), default=0.05, show_default=True,
              help="Share of articles republished word for word under another URL.")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Articles per transaction.")
@friendly_errors
def synth(articles: int, db_path: str, seed: int, rss_dir: str | None, per_file: int,
          duplicates: float, batch_size: int) -> None:
    """Generate N invented EN/FR articles and store them through the real tagging path."""
    db = store.open_db(db_path)
    with lock.run_lock(db_path, wait=60):
        store.mark_abandoned_runs(db)
        run_id = store.start_run(db, "synth", pipeline.TAGGER_VERSION)
        source_id = corpus.register_source(db, seed)
        rss = corpus.RssWriter(rss_dir, per_file) if rss_dir else None
        rows = corpus.records(articles, seed, duplicates=duplicates)
        if rss:
            rows = map(rss.add, rows)
        try:
            with _progress(articles, "synth") as advance:
                counts = corpus.store_all(db, corpus.documents(rows, seed), source_id,
                                          batch_size=batch_size, progress=advance)
        except BaseException as exc:
            store.finish_run(db, run_id, {}, [str(exc)], status="failed")
            raise
        store.finish_run(db, run_id, counts, [])
    files = rss.close() if rss else []
    summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
    click.echo(f"run {run_id}: {articles} generated, {summary}"
               + (f"; {len(files)} RSS files in {rss_dir}" if rss else ""))
