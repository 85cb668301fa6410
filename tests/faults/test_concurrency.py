"""An ingest writing while the dashboard reads, and two ingests started at once.

WAL lets readers run beside the one writer, and each reader sees one committed state: an
article always arrives with its tags. A second ingest on the same database waits its turn
(seeds) or says at once that another ingest is running (feeds); it never doubles the data.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from ingest import aggregates, queries, store
from ingest.urls import canonical_url
from tests.faults.conftest import (
    LocalServer,
    corpus,
    count,
    integrity,
    one_line_error,
    rss,
    run_cli,
    snapshot,
    start_cli,
    write_seeds,
)

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]


def dashboard_reads(path: Path) -> dict:
    """What the dashboard's pages ask for, on a fresh read-only connection as it does."""
    db = store.open_db(path, readonly=True)
    try:
        everything = queries.Filters()
        rows = list(queries.articles(db, everything, limit=200))
        seen = {
            "articles": aggregates.article_count(db, everything),
            "rows": rows,
            "partnerships": list(queries.partnerships(db, everything, limit=200)),
            "posture": list(queries.posture(db, everything, limit=200)),
            "overview": aggregates.overview_counts(db, everything),
            "matrix": aggregates.matrix(db, everything),
            "options": aggregates.filter_options(db),
        }
        # One read transaction: the same snapshot for both counts.
        db.execute("BEGIN")
        seen["untagged_in_snapshot"] = db.execute(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS"
            " (SELECT 1 FROM tags t WHERE t.article_id = a.id)").fetchone()[0]
        seen["without_dyads_in_snapshot"] = db.execute(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS"
            " (SELECT 1 FROM dyads d WHERE d.article_id = a.id)").fetchone()[0]
        db.execute("COMMIT")
        return seen
    finally:
        db.conn.close()


def test_dashboard_reads_during_an_ingest_see_whole_articles_and_no_lock_errors(tmp_path):
    docs = corpus(600, prefix="live")
    folder = write_seeds(tmp_path / "reports", docs, per_file=20)
    db_path = tmp_path / "monitor.db"
    store.open_db(db_path).conn.close()  # the dashboard opens an existing database

    writer = start_cli("seeds", str(folder), "--db", str(db_path))
    reads, totals, failures = 0, [], []
    deadline = time.monotonic() + 240  # hang guard only
    while writer.poll() is None and time.monotonic() < deadline:
        try:
            seen = dashboard_reads(db_path)
        except (sqlite3.Error, store.StoreError) as exc:  # "database is locked" would land here
            failures.append(f"{type(exc).__name__}: {exc}")
            continue
        reads += 1
        totals.append(seen["articles"])
        # Every corpus document names an actor and a partner: a row without them is half-written.
        assert all(row["actors"] and row["partners"] for row in seen["rows"]), seen["rows"][:3]
        assert seen["untagged_in_snapshot"] == 0
        assert seen["without_dyads_in_snapshot"] == 0
        assert seen["overview"]["articles"] == seen["articles"] or seen["articles"] < len(docs)
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err

    assert failures == []
    assert reads >= 3, "the reader never overlapped the writer: nothing was tested"
    assert totals == sorted(totals), "the article total went down while reading"
    assert any(0 < total < len(docs) for total in totals), totals
    final = dashboard_reads(db_path)
    assert final["articles"] == len(docs) and final["untagged_in_snapshot"] == 0


def test_two_seed_ingests_on_a_new_database_take_turns_and_store_once(tmp_path):
    docs = corpus(300, prefix="twice")
    folder = write_seeds(tmp_path / "reports", docs, per_file=20)
    db_path = tmp_path / "monitor.db"  # does not exist yet: both create it at the same moment

    first = start_cli("seeds", str(folder), "--db", str(db_path))
    second = start_cli("seeds", str(folder), "--db", str(db_path))
    outputs = [p.communicate(timeout=240) for p in (first, second)]
    results = [(p.returncode, out, err) for p, (out, err) in zip((first, second), outputs,
                                                                  strict=True)]
    for code, _, err in results:
        assert code == 0, err
        assert "Traceback" not in err

    assert integrity(db_path) == "ok"
    got = snapshot(db_path)
    assert sorted(got.urls) == sorted(canonical_url(doc["url"]) for doc in docs)
    assert count(db_path, "SELECT count(*) FROM tags") == count(
        db_path, "SELECT count(DISTINCT article_id || kind || value) FROM tags")
    # One run stored everything; the one that waited found every document unchanged.
    assert got.runs == [("seeds", "ok", 1), ("seeds", "ok", 1)]
    outcomes = sorted(out.strip().splitlines()[-1] for _, out, _ in results)
    assert any(f"{len(docs)} new" in line for line in outcomes), outcomes
    assert any(f"0 new, 0 updated, {len(docs)} unchanged" in line for line in outcomes), outcomes


def test_a_second_feed_run_exits_at_once_saying_another_ingest_is_running(tmp_path):
    docs = corpus(400, prefix="busy")
    site = LocalServer()
    try:
        feeds = [site.bytes(f"/f{n}.xml", rss(docs[n * 50:(n + 1) * 50])) for n in range(8)]
        # One more feed that takes a few seconds to arrive keeps the first run busy.
        feeds.append(site.route("/slow.xml", slow_feed(rss(corpus(5, prefix="slow")), 4.0)))
        db_path = tmp_path / "monitor.db"
        (tmp_path / "feeds.txt").write_text("\n".join(feeds) + "\n")
        assert run_cli("feeds", "import", str(tmp_path / "feeds.txt"),
                       "--db", str(db_path)).returncode == 0
        args = ["run", "--all", "--allow-private-hosts", "--host-delay", "0", "--db",
                str(db_path)]

        first = start_cli(*args)
        wait_for(lambda: count(db_path, "SELECT count(*) FROM runs WHERE status = 'running'"))
        second = run_cli(*args, timeout=60)
        assert "another ingest is running" in one_line_error(second)
        out, err = first.communicate(timeout=240)
        assert first.returncode == 0, err
    finally:
        site.close()

    assert integrity(db_path) == "ok"
    assert count(db_path) == len(docs) + 5
    assert snapshot(db_path).runs == [("feeds", "ok", 1)]  # the refused run left no trace


def slow_feed(body: bytes, seconds: float):
    def handler(request) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        half = len(body) // 2
        request.wfile.write(body[:half])
        request.wfile.flush()
        time.sleep(seconds)
        request.wfile.write(body[half:])
    return handler


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition never became true")
        time.sleep(0.05)



def _open_at_barrier(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        store.open_db(path).conn.close()
        results.put("ok")
    except Exception as exc:  # the test reports whatever escaped
        results.put(f"{type(exc).__name__}: {exc}")


def test_processes_creating_the_same_new_database_at_once_all_succeed(tmp_path):
    """Found by this suite: both ran the first migration ('table sources already exists')."""
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        path = str(tmp_path / f"fresh-{attempt}.db")
        barrier, results = context.Barrier(4), context.Queue()
        workers = [context.Process(target=_open_at_barrier, args=(path, barrier, results))
                   for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [results.get(timeout=5) for _ in workers] == ["ok"] * 4
        assert integrity(Path(path)) == "ok"
        assert store.schema_version(store.open_db(path, readonly=True)) == store.SCHEMA_VERSION
