"""SIGKILL an ingest and a retag midway: the rollups still equal a recount of the rows (they are
written in the transactions of the rows they count), and so they do after the rerun."""

from __future__ import annotations

import signal
import time

import pytest

from tests.faults.conftest import corpus, count, integrity, run_cli, start_cli, write_seeds
from tests.faults.test_kill import kill_when

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

ARTICLES = 1200


def check(db) -> str:
    result = run_cli("check", "--db", str(db), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_rollups_equal_a_recount_after_kills_mid_ingest_and_mid_retag(tmp_path):
    folder = write_seeds(tmp_path / "reports", corpus(ARTICLES, prefix="roll"), per_file=40)
    db = tmp_path / "monitor.db"

    kill_when(start_cli("seeds", str(folder), "--db", str(db)), db, articles=ARTICLES // 3)
    stored = count(db)
    assert 0 < stored < ARTICLES and integrity(db) == "ok"
    assert "rollups agree" in check(db)
    assert count(db, "SELECT sum(articles) FROM rollup_articles") == stored

    final = run_cli("seeds", str(folder), "--db", str(db), timeout=300)
    assert final.returncode == 0, final.stderr
    check(db)
    assert count(db, "SELECT sum(articles) FROM rollup_articles") == ARTICLES

    # Retag commits batch by batch: killed once its first batch is in, before its last.
    written = count(db, "SELECT max(id) FROM dyads")
    retag = start_cli("retag", "--db", str(db))
    deadline = time.monotonic() + 120
    while not count(db, "SELECT count(*) FROM dyads WHERE id > ?", [written]):
        assert retag.poll() is None and time.monotonic() < deadline, "retag wrote nothing"
        time.sleep(0.01)
    retag.send_signal(signal.SIGKILL)
    retag.communicate(timeout=30)
    assert retag.returncode == -signal.SIGKILL, "the retag ended before the kill"
    assert count(db, "SELECT count(*) FROM dyads WHERE id <= ?", [written]), (
        "every batch was written before the kill: nothing was tested")
    check(db)
    assert count(db, "SELECT sum(dyads) FROM rollup_dyads WHERE status = 'reported'") == count(
        db, "SELECT count(*) FROM dyads WHERE status = 'reported'")
