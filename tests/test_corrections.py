"""Analyst corrections: a rejected tag disappears everywhere at once and stays gone after retag."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest import corrections, pipeline, queries, seeds
from ingest.cli import cli


def _russia_mali(db) -> list[dict]:
    return [row for row in queries.partnerships(db, queries.Filters())
            if (row["actor"], row["partner"]) == ("Russia", "Mali")]


def test_a_rejected_dyad_leaves_every_export_and_survives_retag(db, db_path, seed_dir):
    seeds.ingest_folder(db, seed_dir)
    dyad = _russia_mali(db)[0]

    corrections.record(db, target="dyad", row_id=dyad["dyad_id"], verdict="rejected",
                       analyst="A. Analyst", note="diplomatic visit, not cooperation")

    assert _russia_mali(db) == []
    assert pipeline.retag(db) == 1
    assert _russia_mali(db) == [], "a retag rebuilt the rows but must keep the verdict"
    result = CliRunner().invoke(cli, ["export", "partnerships", "--db", str(db_path)])
    assert "Russia,Mali" not in result.output
    history = next(db.query("SELECT analyst, note, verdict, created_at FROM corrections"))
    assert history["analyst"] == "A. Analyst" and history["verdict"] == "rejected"


def test_a_later_confirmation_overrides_a_rejection(db, seed_dir):
    seeds.ingest_folder(db, seed_dir)
    tag = next(db.query("SELECT id FROM tags WHERE kind = 'actor' AND value = 'France'"))
    corrections.record(db, target="tag", row_id=tag["id"], verdict="rejected", analyst="A")
    assert not list(queries.articles(db, queries.Filters(actors=("France",))))

    corrections.record(db, target="tag", row_id=tag["id"], verdict="confirmed", analyst="B")

    assert len(list(queries.articles(db, queries.Filters(actors=("France",))))) == 1
    assert next(db.query("SELECT verdict FROM tags WHERE id = ?", [tag["id"]]))["verdict"] == (
        "confirmed")


@pytest.mark.parametrize("kwargs, message", [
    ({"target": "tag", "row_id": 999, "verdict": "rejected", "analyst": "A"}, "no tag with id"),
    ({"target": "tag", "row_id": 1, "verdict": "maybe", "analyst": "A"}, "verdict must be"),
    ({"target": "tag", "row_id": 1, "verdict": "rejected", "analyst": " "}, "analyst's name"),
])
def test_bad_corrections_are_refused_with_a_reason(db, seed_dir, kwargs, message):
    seeds.ingest_folder(db, seed_dir)
    with pytest.raises(ValueError, match=message):
        corrections.record(db, **kwargs)
    assert db["corrections"].count == 0


def test_rejecting_a_tag_does_not_hide_the_dyads_of_its_article(db, seed_dir):
    """Tags and dyads are corrected separately: a filtered view counts the dyad itself."""
    seeds.ingest_folder(db, seed_dir)
    mali = next(db.query("SELECT id FROM tags WHERE kind = 'partner' AND value = 'Mali'"))
    corrections.record(db, target="tag", row_id=mali["id"], verdict="rejected", analyst="A")

    filtered = list(queries.partnerships(db, queries.Filters(partners=("Mali",))))

    unfiltered = [row for row in queries.partnerships(db, queries.Filters())
                  if row["partner"] == "Mali"]
    assert filtered and filtered == unfiltered


def _rows(db) -> list[str]:
    """Every tag, dyad and posture row of the file, without row ids (new on every retag)."""
    return sorted(
        repr((table, *row[1:]))
        for table in ("tags", "dyads", "posture")
        for row in db.execute(f"SELECT * FROM {table}").fetchall()
    )


def test_retag_with_worker_processes_writes_what_one_process_writes(db, db_path, seed_dir,
                                                                     tmp_path):
    chronology = Path(__file__).parent.parent / "seeds" / "chronology"
    seeds.ingest_folder(db, chronology)
    dyad = _russia_mali(db)[0]
    corrections.record(db, target="dyad", row_id=dyad["dyad_id"], verdict="rejected",
                       analyst="A. Analyst")
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]

    assert pipeline.retag(db, batch_size=7) == total
    one_process = _rows(db)
    assert pipeline.retag(db, batch_size=7, workers=2) == total

    assert _rows(db) == one_process
    verdict = db.execute("SELECT verdict FROM dyads WHERE article_id = ? AND actor = 'Russia'"
                         " AND partner = 'Mali'", [dyad["article_id"]]).fetchone()
    assert verdict == ("rejected",), "the rejection holds after a parallel retag"


def test_the_retag_command_takes_a_number_of_workers(db_path, seed_dir):
    runner = CliRunner()
    assert runner.invoke(cli, ["seeds", str(seed_dir), "--db", str(db_path)]).exit_code == 0
    result = runner.invoke(cli, ["retag", "--workers", "2", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "retagged 1 articles" in result.output
    bad = runner.invoke(cli, ["retag", "--workers", "0", "--db", str(db_path)])
    assert bad.exit_code != 0 and bad.output.count("\n") == 1 and "--workers" in bad.output
