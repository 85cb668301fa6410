"""Absurd numbers and dates on the command line, a closed pipe, and a new user's first feed.

Ranges are checked at the door (one error line, nothing stored); a value already stored by an
older release must not crash a run; ``export | head`` ends quietly; a refused feed says how to
allow it, stays due, and the run says in its status and exit code that feeds failed.
"""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner

from ingest import feeds, store
from ingest.cli import cli
from tests.faults.conftest import cli_args, cli_env, corpus, rss, run_cli, write_seeds

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]

REPO_README = store.Path(__file__).resolve().parents[2] / "README.md"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_line(result) -> str:
    """The single error line of a refused command (no traceback, non-zero exit)."""
    output = result.output
    assert result.exit_code not in (0, None), output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


@pytest.mark.parametrize(("args", "expected"), [
    (["feeds", "add", "https://a.example/rss", "--poll-minutes", "2147483648000"], "poll-minutes"),
    (["feeds", "add", "https://a.example/rss", "--poll-minutes", "99999999999999999999"],
     "poll-minutes"),
    (["feeds", "add", "https://a.example/rss", "--lang", "xx"], "not a language code"),
    (["run", "--every", "99999999999999999999d"], "at most"),
    (["run", "--deadline", "nan"], "deadline"),
    (["run", "--timeout", "inf"], "timeout"),
    (["run", "--host-delay", "nan"], "host-delay"),
    (["export", "articles", "--since", "9999-12-31", "--until", "9999-12-31"], "1900"),
    (["export", "articles", "--since", "0001-01-01"], "1900"),
])
def test_absurd_values_are_refused_at_the_door(db_path, args, expected):
    store.open_db(db_path).conn.close()
    line = one_line(invoke(*args, "--db", str(db_path)))
    assert expected in line, line
    assert feeds.list_feeds(store.open_db(db_path)) == []


def test_a_stored_absurd_poll_interval_costs_no_feed(server, db, db_path):
    first, _ = feeds.add_feed(db, server.bytes("/a.xml", rss(corpus(2, prefix="a"))))
    feeds.add_feed(db, server.bytes("/b.xml", rss(corpus(2, prefix="b"))))
    db.execute("UPDATE sources SET poll_minutes = 2147483648000 WHERE id = ?", [first])
    result = invoke("run", "--allow-private-hosts", "--host-delay", "0", "--db", str(db_path))
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
    due = db.execute("SELECT next_due_at FROM sources WHERE id = ?", [first]).fetchone()[0]
    assert due and due[:4] <= "2100"


def test_export_into_a_closed_pipe_ends_quietly(tmp_path):
    path = tmp_path / "m.db"
    seeded = run_cli("seeds", str(write_seeds(tmp_path / "s", corpus(300))), "--db", str(path))
    assert seeded.returncode == 0, seeded.stderr
    export = subprocess.Popen(cli_args("export", "tags", "--db", str(path)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env())
    export.stdout.readline()
    export.stdout.close()  # what `| head -1` does
    error = export.stderr.read().decode()
    assert export.wait(timeout=60) == 0, error
    assert error.strip() == ""


def test_a_new_users_local_feed_says_how_to_allow_it(server, tmp_path):
    path = str(tmp_path / "m.db")
    local = run_cli("feeds", "add", str(tmp_path / "feed.xml"), "--db", path)
    assert local.returncode != 0 and "Traceback" not in local.stderr
    assert "python -m http.server" in local.stderr and "seeds" in local.stderr

    url = server.bytes("/mine.xml", rss(corpus(3)))
    assert run_cli("feeds", "add", url, "--db", path).returncode == 0
    refused = run_cli("run", "--db", path)
    assert refused.returncode == 3, refused.stderr
    assert "--allow-private-hosts" in refused.stderr
    assert "(failed)" in refused.stdout
    db = store.open_db(path)
    assert db.execute("SELECT status, failed FROM runs").fetchall() == [("failed", 1)]

    allowed = run_cli("run", "--allow-private-hosts", "--db", path)  # due at once, not in 30 min
    assert allowed.returncode == 0, allowed.stderr
    assert "no feeds due" not in allowed.stderr
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    assert db.execute("SELECT status FROM runs ORDER BY id DESC").fetchone()[0] == "ok"
    assert "--allow-private-hosts" in REPO_README.read_text()
