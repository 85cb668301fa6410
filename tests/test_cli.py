"""The command line: each command end to end, and bad input as one line with a non-zero exit."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from ingest import store
from ingest.cli import cli


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def test_seeds_then_stats_then_export(seed_dir, db_path, tmp_path):
    result = run("seeds", str(seed_dir), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output

    stats = run("stats", "--db", str(db_path))
    assert "articles" in stats.output and "#1 seeds" in stats.output

    out = tmp_path / "partnerships.csv"
    result = run("export", "partnerships", "--actor", "Russia", "--partner", "Mali",
                 "-o", str(out), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert next(handle).startswith("# Influence Monitor export: partnerships; filters:")
        rows = list(csv.DictReader(handle))
    assert rows and {r["actor"] for r in rows} == {"Russia"}
    assert all(r["evidence"] and r["published"].startswith("2021-11-11") for r in rows)


def test_the_database_can_come_from_the_environment(seed_dir, db_path, monkeypatch):
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    assert run("seeds", str(seed_dir)).exit_code == 0
    assert db_path.exists()


def test_tag_contract_round_trip():
    lines = [
        {"id": "b", "text": "La France a retiré ses 1 500 soldats du Niger en décembre 2023.",
         "lang": "fr", "published": "2023-12-22"},
        {"id": "a", "text": "Mali beat Russia 2-1 in a friendly football match in Moscow."},
    ]
    result = run("tag", stdin="\n".join(json.dumps(line) for line in lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out] == ["b", "a"]
    keys = {"id", "lang", "actors", "partners", "themes", "dyads", "posture"}
    assert all(keys <= set(o) for o in out)
    assert "France" in out[0]["actors"] and "Niger" in out[0]["partners"]
    withdraw = [p for p in out[0]["posture"] if p["action"] == "withdraw"]
    assert withdraw and withdraw[0]["personnel"] == 1500 and withdraw[0]["country"] == "Niger"
    assert out[1]["dyads"] == []


def test_bad_input_is_one_line_and_a_nonzero_exit(tmp_path, db_path, seed_dir):
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("not a database " * 200)
    cases = [
        (["seeds", str(tmp_path / "missing"), "--db", str(db_path)], "no such seeds folder"),
        (["stats", "--db", str(not_sqlite)], "not a usable SQLite database"),
        (["export", "articles", "--since", "last tuesday", "--db", str(db_path)],
         "'last tuesday' does not match the format"),
        (["tag"], "stdin line 1"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(cli, args, input="{not json\n")
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) <= 3, result.output


def test_export_searches_names_that_are_not_fts_syntax(seed_dir, db_path):
    run("seeds", str(seed_dir), "--db", str(db_path))
    result = CliRunner().invoke(cli, ["export", "articles", "--format", "jsonl", "--query",
                                      "Abdoulaye-Diop", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert 'note: not a valid search expression; searched for "Abdoulaye-Diop"' in result.stderr
    assert len([line for line in result.stdout.splitlines() if line.strip()]) == 1


def test_stats_and_the_overview_say_when_tags_come_from_an_older_tagger(seed_dir, db_path,
                                                                         monkeypatch):
    from streamlit.testing.v1 import AppTest

    from ingest.tagger import TAGGER_VERSION
    from tests.conftest import REPO

    run("seeds", str(seed_dir), "--db", str(db_path))
    assert "every stored tag is from this version" in run("stats", "--db", str(db_path)).output
    db = store.open_db(db_path)
    with db.conn:  # what a run of the previous release leaves behind
        db.execute("UPDATE runs SET tagger_version = '2026.11.1'")
    db.conn.close()
    stats = run("stats", "--db", str(db_path)).output
    assert f"tagger {TAGGER_VERSION}: tags from older taggers (2026.11.1) may remain" in stats
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    assert "older tagger (2026.11.1)" in at.warning[0].value

    assert run("retag", "--db", str(db_path)).exit_code == 0
    assert "every stored tag is from this version" in run("stats", "--db", str(db_path)).output
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    assert not at.warning


def test_export_jsonl_streams_rows(seed_dir, db_path):
    run("seeds", str(seed_dir), "--db", str(db_path))
    result = run("export", "articles", "--format", "jsonl", "--db", str(db_path))
    rows = [json.loads(line) for line in io.StringIO(result.output) if line.strip()]
    assert len(rows) == 1 and "Mali" in rows[0]["partners"]
