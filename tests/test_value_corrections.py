"""Correcting a tag's values, adding what the tagger missed, and undoing either.

Each correction is applied to the rows themselves, so the Partnerships matrix, the force level
and the CSV exports read it with no change; it is replayed after a retag and taken back by an
undo, which restores the tagger's value. Real SQLite files in tmp_path, the real tagger on the
seed article, the real command line.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest import aggregates, corrections, pipeline, queries, schema, seeds, store
from ingest.cli import cli
from ingest.queries import Filters
from tests.test_aggregates import build_demo

FRANCE_MALI = "Paris undertook in June to reorganize its military system in the Sahel"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    return result.exit_code, result.output


def csv_export(db_path: Path, what: str) -> str:
    code, output = run("export", what, "--db", db_path)
    assert code == 0, output
    return output


def cell(db, actor: str, partner: str) -> dict | None:
    return next((row for row in aggregates.matrix(db, Filters())
                 if (row["actor"], row["partner"]) == (actor, partner)), None)


def france_in_mali(db) -> dict:
    """The seed article's one France–Mali posture event (a withdrawal with no figure)."""
    return next(row for row in queries.posture(db, Filters(actors=("France",)))
                if row["country"] == "Mali")


def test_correcting_a_dyad_actor_moves_it_in_the_matrix_and_the_csv_export(db, db_path,
                                                                           seed_dir):
    seeds.ingest_folder(db, seed_dir)
    dyad = next(row for row in queries.partnerships(db, Filters())
                if (row["actor"], row["partner"]) == ("Russia", "Mali"))
    assert cell(db, "Russia", "Mali")["articles"] == 1

    code, output = run("correct", "set", "dyad", dyad["dyad_id"], "--actor", "China",
                       "--by", "A. Analyst", "--why", "the help is Chinese", "--db", db_path)

    assert code == 0 and "actor=China" in output
    assert cell(db, "Russia", "Mali") is None
    assert cell(db, "China", "Mali")["articles"] == 1
    exported = csv_export(db_path, "partnerships")
    assert "China,Mali" in exported and "Russia,Mali" not in exported
    row = next(line for line in exported.splitlines() if "China,Mali" in line)
    assert ",corrected," in row, "the export marks the corrected row"
    history = aggregates.correction_history(db)[0]
    assert (history["analyst"], history["kind"], history["note"]) == (
        "A. Analyst", "edit", "the help is Chinese")
    assert history["created_at"]


def test_changing_a_posture_figure_changes_the_force_level(db_path):
    db = build_demo(db_path)  # Russia in Mali: 1,000 present, 200 more, then 1,500 leave
    levels = [point["level"] for point in aggregates.force_levels(db, Filters(), "Russia",
                                                                   "Mali")]
    assert levels == [1000, 1200, 0]
    withdrawal = next(row for row in queries.posture(db, Filters())
                      if row["action"] == "withdraw")

    corrections.correct(db, target="posture", row_id=withdrawal["posture_id"],
                        changes={"personnel": "500"}, analyst="A. Analyst",
                        note="the article says 500, the tagger read 1500 from a typo")

    levels = [point["level"] for point in aggregates.force_levels(db, Filters(), "Russia",
                                                                   "Mali")]
    assert levels == [1000, 1200, 700]
    latest = next(row for row in aggregates.latest_posture(db, Filters())
                  if (row["actor"], row["country"]) == ("Russia", "Mali"))
    assert (latest["personnel"], latest["personnel_text"]) == (500, None)


def test_a_corrected_date_moves_the_event_where_every_posture_table_dates_it(db_path):
    db = build_demo(db_path)
    present = next(row for row in queries.posture(db, Filters()) if row["action"] == "present")

    corrections.correct(db, target="posture", row_id=present["posture_id"],
                        changes={"date": "2023-11-30"}, analyst="A")

    assert aggregates.force_levels(db, Filters(), "Russia", "Mali")[0] == {
        "date": "2023-11-30", "level": 1000}
    assert next(queries.posture(db, Filters(actors=("Russia",))), None)  # still listed
    dates = {row["date"] for row in queries.posture(db, Filters()) if row["action"] == "present"}
    assert dates == {"2023-11-30"}


def test_adding_a_missing_posture_event_quotes_a_sentence_of_the_article(db, db_path,
                                                                         seed_dir):
    seeds.ingest_folder(db, seed_dir)
    article = france_in_mali(db)["article_id"]
    code, listed = run("correct", "sentences", article, "--db", db_path)
    sentence = next(line for line in listed.splitlines() if line.startswith(FRANCE_MALI))

    code, output = run("correct", "add", "posture", article, "--actor", "France", "--country",
                       "Mali", "--action", "present", "--personnel", "5,100", "--date",
                       "2021-05-31", "--evidence", sentence, "--by", "A. Analyst",
                       "--why", "Barkhane's strength before the reorganisation", "--db", db_path)

    assert code == 0, output
    added = next(row for row in queries.posture(db, Filters(actors=("France",)))
                 if row["action"] == "present")
    assert (added["personnel"], added["date"], added["evidence"]) == (5100, "2021-05-31",
                                                                      sentence)
    assert (added["rule"], added["verdict"]) == ("analyst", "added")
    assert aggregates.force_levels(db, Filters(), "France", "Mali")[0] == {
        "date": "2021-05-31", "level": 5100}
    assert "France,Mali,present" in csv_export(db_path, "posture")


def test_an_added_dyad_counts_in_the_matrix(db, seed_dir):
    seeds.ingest_folder(db, seed_dir)
    article = france_in_mali(db)["article_id"]
    sentence = next(row["sentence"] for row in corrections.sentences(db, article)
                    if row["sentence"].startswith(FRANCE_MALI))

    corrections.add(db, target="dyad", article_id=article, evidence=sentence, analyst="A",
                    values={"actor": "France", "partner": "Chad"})

    assert cell(db, "France", "Chad")["articles"] == 1


def test_corrections_hold_after_retag_and_undo_restores_the_tagger_value(db, db_path,
                                                                         seed_dir):
    seeds.ingest_folder(db, seed_dir)
    event = france_in_mali(db)
    assert event["personnel"] is None  # the tagger found no figure
    edit = corrections.correct(db, target="posture", row_id=event["posture_id"],
                               changes={"personnel": "2000", "status": "planned"},
                               analyst="A. Analyst", note="2,000 are to leave, per the text")
    sentence = event["evidence"]
    added = corrections.add(db, target="dyad", article_id=event["article_id"],
                            values={"actor": "France", "partner": "Chad"}, evidence=sentence,
                            analyst="A. Analyst")

    assert pipeline.retag(db) == 1
    event = france_in_mali(db)
    assert (event["personnel"], event["status"]) == (2000, "planned")
    assert [row["partner"] for row in queries.partnerships(db, Filters(actors=("France",)))
            ].count("Chad") == 1, "the added dyad is there once, not once per retag"

    code, output = run("correct", "undo", edit, "--by", "B. Analyst", "--why", "misread",
                       "--db", db_path)

    assert code == 0, output
    event = france_in_mali(db)
    assert (event["personnel"], event["status"], event["verdict"]) == (None, "reported", None)
    assert pipeline.retag(db) == 1
    assert france_in_mali(db)["personnel"] is None, "an undo holds after a retag too"
    assert cell(db, "France", "Chad"), "undoing one correction leaves the others"
    corrections.undo(db, added, analyst="B. Analyst")
    assert cell(db, "France", "Chad") is None
    undo = aggregates.correction_history(db)[1]
    assert (undo["kind"], undo["undoes"], undo["analyst"], undo["note"]) == (
        "undo", edit, "B. Analyst", "misread")
    code, output = run("correct", "history", "--db", db_path)
    assert f"[undone by {undo['id']}]" in output


def test_a_rejection_undone_shows_the_row_again_and_a_later_verdict_wins(db, seed_dir):
    seeds.ingest_folder(db, seed_dir)
    event = france_in_mali(db)
    edit = corrections.correct(db, target="posture", row_id=event["posture_id"],
                               changes={"personnel": "2000"}, analyst="A")
    reject = corrections.record(db, target="posture", row_id=event["posture_id"],
                                verdict="rejected", analyst="B")
    assert not list(queries.posture(db, Filters(actors=("France",))))

    corrections.undo(db, reject, analyst="B")

    event = france_in_mali(db)
    assert (event["personnel"], event["verdict"]) == (2000, "corrected")
    with pytest.raises(ValueError, match=f"already undone by correction {reject + 1}"):
        corrections.undo(db, reject, analyst="B")
    with pytest.raises(ValueError, match="is an undo"):
        corrections.undo(db, reject + 1, analyst="B")
    assert edit


def test_a_correction_changes_the_sentence_judged_not_another_telling_of_the_event(db):
    """One article reports France present in Niger twice: a plan without a figure, and
    "about 1,500 French soldiers" as a fact. Correcting the first leaves the second alone."""
    seeds.ingest_folder(db, Path(__file__).parent.parent / "seeds" / "chronology")
    told_twice = [row for row in queries.posture(db, Filters(actors=("France",),
                                                            partners=("Niger",)))
                  if (row["action"], row["date"]) == ("present", "2023-08-04")]
    planned, reported = sorted(told_twice, key=lambda row: row["status"])
    assert (planned["status"], reported["status"], reported["personnel"]) == (
        "planned", "reported", 1500)
    assert planned["article_id"] == reported["article_id"]
    old_date = planned["date"]

    corrections.correct(db, target="posture", row_id=planned["posture_id"],
                        changes={"status": "hedged"}, analyst="A")
    pipeline.retag(db)

    rows = [row for row in queries.posture(db, Filters(actors=("France",), partners=("Niger",)))
            if row["article_id"] == planned["article_id"] and row["date"] == old_date]
    assert sorted((row["status"], row["personnel"]) for row in rows) == [
        ("hedged", None), ("reported", 1500)]


def _everything(db) -> list:
    return [db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("tags", "dyads", "posture", "corrections")]


@pytest.mark.parametrize("args, message", [
    (["set", "dyad", "{dyad}", "--actor", "Rusia"], "actor: 'Rusia' is not a known actor"),
    (["set", "dyad", "{dyad}", "--partner", "Atlantis"],
     "partner: 'Atlantis' is not a known partner"),
    (["set", "posture", "{posture}", "--country", "Gaul"], "country: 'Gaul' is not a known"),
    (["set", "posture", "{posture}", "--action", "invade"], "action: 'invade' is not a known"),
    (["set", "posture", "{posture}", "--date", "2021-02-30"], "date: '2021-02-30' is not a date"),
    (["set", "posture", "{posture}", "--personnel", "a few"],
     "personnel: 'a few' is not a number"),
    (["set", "dyad", "{dyad}", "--date", "2021-02-01"], "date: not a field of a dyad"),
    (["set", "posture", "99999", "--status", "planned"], "no posture with id 99999"),
    (["set", "tag", "{tag}", "--value", "Narnia"], "value: 'Narnia' is not a known actor tag"),
    (["add", "posture", "{article}", "--actor", "France", "--country", "Mali", "--action",
      "deploy", "--evidence", "France sent 900 troops."], "evidence: not a sentence of this"),
    (["add", "dyad", "{article}", "--actor", "France", "--evidence", FRANCE_MALI],
     "partner: required to add a dyad"),
    (["add", "dyad", "nope", "--actor", "France", "--partner", "Mali", "--evidence", "x"],
     "article: no article with id 'nope'"),
    (["undo", "99"], "correction: no correction with id 99"),
])
def test_bad_input_is_one_line_naming_the_field_and_changes_nothing(db, db_path, seed_dir,
                                                                    args, message):
    seeds.ingest_folder(db, seed_dir)
    event = france_in_mali(db)
    ids = {"dyad": db.execute("SELECT min(id) FROM dyads").fetchone()[0],
           "posture": event["posture_id"], "article": event["article_id"],
           "tag": db.execute("SELECT id FROM tags WHERE kind = 'actor'").fetchone()[0]}
    before = _everything(db)

    code, output = run("correct", *[arg.format(**ids) for arg in args], "--by", "A",
                       "--db", db_path)

    assert code == 1 and output.count("\n") == 1, output
    assert output.startswith("Error: ") and message in output
    assert _everything(db) == before


def test_a_correction_needs_a_name(db_path, seed_dir):
    assert run("seeds", seed_dir, "--db", db_path)[0] == 0
    code, output = run("correct", "set", "posture", "1", "--status", "planned", "--db", db_path)
    assert code != 0 and output.count("\n") == 1 and "--by" in output


def test_verdicts_recorded_before_the_upgrade_are_kept_and_can_be_undone(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    import sqlite_utils

    old = sqlite_utils.Database(conn)
    for migration in schema.MIGRATIONS[:10]:  # a file from the release before value edits
        migration(old)
    old.execute("PRAGMA user_version=10")
    old.execute("INSERT INTO sources (kind, name, url, added_at) VALUES ('seeds', 'S', 's',"
                " '2024-01-01T00:00:00Z')")
    old.execute("INSERT INTO articles (id, title, text, published, source_id, first_seen,"
                " updated_at, content_hash) VALUES ('a', 't', 'Russia helps Mali.', '2024-01-01',"
                " 1, 'x', 'x', 'h')")
    old.execute("INSERT INTO dyads (article_id, actor, partner, status, evidence, key, verdict)"
                " VALUES ('a', 'Russia', 'Mali', 'reported', 'Russia helps Mali.', 'Russia|Mali',"
                " 'rejected')")
    old.execute("INSERT INTO corrections (target, key, article_id, verdict, analyst, created_at)"
                " VALUES ('dyad', 'Russia|Mali', 'a', 'rejected', 'A', '2024-02-01T00:00:00Z')")
    conn.close()

    db = store.open_db(db_path)

    history = aggregates.correction_history(db)
    assert [(row["kind"], row["verdict"], row["analyst"]) for row in history] == [
        ("verdict", "rejected", "A")]
    assert not list(queries.partnerships(db, Filters()))
    corrections.undo(db, history[0]["id"], analyst="B")
    assert [row["actor"] for row in queries.partnerships(db, Filters())] == ["Russia"]
