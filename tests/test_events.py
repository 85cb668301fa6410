"""Events on real SQLite files: one happening reported in English and French is one event;
reports outside the window stay apart; disagreeing figures show as a range with who said
what; an analyst's split or merge survives a rebuild and a retag."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from click.testing import CliRunner

from ingest import aggregates, corrections, events, pipeline, queries, store
from ingest.cli import cli
from tests.conftest import REPO

EN = ("Rwanda has begun deploying 1,000 troops to Mozambique's Cabo Delgado province,"
      " officials said on Friday.")
FR = ("Le Rwanda a commencé à déployer 1 200 soldats au Mozambique, dans la province du Cabo"
      " Delgado, a annoncé le gouvernement vendredi.")


def _store(db, text: str, lang: str, day: str, outlet: str) -> str:
    source = store.ensure_source(db, kind="feed", url=f"https://{outlet}/feed", name=outlet,
                                 language=lang)
    doc = pipeline.Document(title="", text=text, key=f"{outlet}/{day}",
                            url=f"https://{outlet}/{day}", language=lang, outlet=outlet,
                            published=datetime.fromisoformat(day))
    pipeline.store_document(db, doc, source)
    return pipeline.article_id(doc)


def _deploy_events(db) -> list[dict]:
    return [row for row in queries.events(db, queries.Filters())
            if (row["actor"], row["country"], row["action"]) == ("Rwanda", "Mozambique",
                                                                 "deploy")]


def test_an_english_and_a_french_report_are_one_event_with_the_figures_as_a_range(db_path):
    db = store.open_db(db_path)
    english = _store(db, EN, "en", "2021-07-09", "reuters.example")
    french = _store(db, FR, "fr", "2021-07-10", "rfi.example")

    [event] = _deploy_events(db)
    posture = [s for s in queries.event_statements(db, event["event_id"])
               if s["kind"] == "posture"]
    assert sorted(s["article_id"] for s in posture) == sorted([english, french])
    assert event["languages"] == "en, fr" and event["sources"] == 2
    assert (event["figure_low"], event["figure_high"]) == (1000, 1200)
    spread = queries.disagreement(posture)
    assert spread["figures_said"] == {"1000": ["reuters.example"], "1200": ["rfi.example"]}
    assert spread["disputed"]
    assert all(s["evidence"] for s in posture)


def test_a_report_outside_the_window_is_another_event(db_path):
    db = store.open_db(db_path)
    _store(db, EN, "en", "2021-07-09", "reuters.example")
    _store(db, EN.replace("on Friday", "on 20 August"), "en", "2021-08-20", "bbc.example")

    dates = sorted(row["first_date"] for row in _deploy_events(db))
    assert dates == ["2021-07-09", "2021-08-20"]


def test_force_levels_count_one_deployment_once_however_often_it_is_reported(db_path):
    db = store.open_db(db_path)
    for number in range(5):
        _store(db, EN + f" Report {number}.", "en", "2021-07-09", f"outlet{number}.example")
    _store(db, FR, "fr", "2021-07-10", "rfi.example")

    per_article = aggregates.force_levels(db, queries.Filters(), "Rwanda", "Mozambique")
    per_event = aggregates.event_force_levels(db, queries.Filters(), "Rwanda", "Mozambique")
    assert per_article[-1]["level"] == 5 * 1000 + 1200
    assert per_event == [{"date": "2021-07-09", "level": 1000, "low": 1000, "high": 1200}]
    [pair] = aggregates.posture_event_pairs(db, queries.Filters())
    assert pair["events"] == 1


def test_a_split_and_a_merge_survive_a_rebuild_and_a_retag(db_path):
    db = store.open_db(db_path)
    english = _store(db, EN, "en", "2021-07-09", "reuters.example")
    french = _store(db, FR, "fr", "2021-07-10", "rfi.example")
    [event] = _deploy_events(db)
    moved = [("posture" if s["kind"] == "posture" else "dyads", s["statement_id"])
             for s in queries.event_statements(db, event["event_id"])
             if s["article_id"] == french]

    new_id = events.split(db, event["event_id"], moved, analyst="A. Analyst",
                          note="the French report is a second contingent")

    def apart() -> bool:
        rows = _deploy_events(db)
        owners = {row["article_ids"] for row in rows}
        return len(rows) == 2 and owners == {english, french}

    assert apart()
    assert events.rebuild(db) > 0 and apart(), "a rebuild must keep the analyst's split"
    pipeline.retag(db)
    assert apart(), "a retag must keep the analyst's split"

    first, second = (row["event_id"] for row in _deploy_events(db))
    events.merge(db, first, second, analyst="B. Analyst", note="same contingent after all")
    assert len(_deploy_events(db)) == 1
    events.rebuild(db)
    pipeline.retag(db)
    [together] = _deploy_events(db)
    assert set(together["article_ids"].split()) == {english, french}
    history = list(db.query("SELECT action, analyst, note FROM event_corrections ORDER BY id"))
    assert [(h["action"], h["analyst"]) for h in history] == [
        ("split", "A. Analyst"), ("merge", "B. Analyst")]
    assert new_id not in {None, event["event_id"]}


def test_rebuild_command_and_exports_list_member_ids(db_path):
    db = store.open_db(db_path)
    english = _store(db, EN, "en", "2021-07-09", "reuters.example")
    french = _store(db, FR.replace(" vendredi", ""), "fr", "2021-07-10", "rfi.example")
    runner = CliRunner()

    # The French report states no date, so it is dated by its article, the 10th: only without
    # the look-back does a window of 0 days keep it apart from the 9th.
    result = runner.invoke(cli, ["events", "--rebuild", "--window", "0", "--lookback", "0",
                                 "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "window 0 days" in result.output and "look-back 0 days" in result.output
    assert len(_deploy_events(db)) == 2, "a window of 0 days keeps 9 and 10 July apart"
    refused = runner.invoke(cli, ["events", "--window", "5", "--db", str(db_path)])
    assert refused.exit_code != 0 and "--rebuild" in refused.output
    runner.invoke(cli, ["events", "--rebuild", "--window", "3", "--lookback", "730",
                        "--db", str(db_path)])

    jsonl = runner.invoke(cli, ["export", "events", "--format", "jsonl", "--db", str(db_path)])
    rows = [json.loads(line) for line in jsonl.output.splitlines()]
    deploy = next(r for r in rows if r["action"] == "deploy")
    assert set(deploy["article_ids"].split()) == {english, french}
    assert deploy["statement_ids"].count("posture:") == 2
    exported = runner.invoke(cli, ["export", "events", "--db", str(db_path)]).output
    table = list(csv.DictReader(io.StringIO(exported.split("\n", 1)[1])))
    assert any(set(r["article_ids"].split()) == {english, french} for r in table)


def test_a_merge_needs_an_analyst_and_two_events(db_path):
    db = store.open_db(db_path)
    _store(db, EN, "en", "2021-07-09", "reuters.example")
    [event] = _deploy_events(db)
    runner = CliRunner()
    result = runner.invoke(cli, ["event-merge", str(event["event_id"]), "99999",
                                 "--analyst", "A", "--db", str(db_path)])
    assert result.exit_code != 0 and "no event with id 99999" in result.output


def test_the_event_labels_name_only_dev_documents_and_score_pairs():
    from ingest import evaluate_events

    labels = evaluate_events.load_labels(REPO / "tests/realnews/events.jsonl",
                                         REPO / "tests/realnews/sources.jsonl")
    assert len({label["doc"] for label in labels}) >= 60
    gold = [{"doc": d, "actor": "France", "country": "Mali", "action": "withdraw",
             "date": day, "status": "reported", "event": event}
            for d, day, event in [("a", "2022-08-15", "x"), ("b", "2022-08-16", "x"),
                                  ("c", "2022-08-15", "y")]]
    found = [({k: g[k] for k in evaluate_events.KEY}, 1) for g in gold]
    report = evaluate_events.score(gold, found, 3)
    assert report.pairs == {"tp": 1, "fp": 2}
    assert (round(report.precision, 3), report.recall) == (0.333, 1.0)


def test_a_label_on_a_test_document_is_refused(tmp_path):

    test_doc = next(json.loads(line)["id"] for line in
                    (REPO / "tests/realnews/sources.jsonl").read_text().splitlines()
                    if json.loads(line)["split"] == "test")
    labels = tmp_path / "events.jsonl"
    labels.write_text(json.dumps({"doc": test_doc, "actor": "France", "country": "Mali",
                                  "action": "withdraw", "date": None, "status": "reported",
                                  "event": "x"}) + "\n")
    result = CliRunner().invoke(cli, ["evaluate-events", str(labels)])
    assert result.exit_code != 0 and f"{test_doc} is not a dev document" in result.output


def test_init_says_when_statements_have_no_event_and_events_places_them(db_path):
    db = store.open_db(db_path)
    _store(db, EN, "en", "2021-07-09", "reuters.example")
    _store(db, FR, "fr", "2021-07-10", "rfi.example")
    with store.transaction(db):  # as a database from before migration 14 stands
        db.execute("UPDATE posture SET event_id = NULL")
        db.execute("UPDATE dyads SET event_id = NULL")
        db.execute("DELETE FROM events")
    runner = CliRunner()

    said = runner.invoke(cli, ["init", "--db", str(db_path)]).output
    assert "4 statements have no event yet" in said and "events --rebuild" in said
    placed = runner.invoke(cli, ["events", "--db", str(db_path)])
    assert placed.exit_code == 0 and "placed 4 statements" in placed.output
    assert len(_deploy_events(db)) == 1
    assert "no event yet" not in runner.invoke(cli, ["init", "--db", str(db_path)]).output


def test_a_rejected_statement_leaves_its_event_at_once(db_path):
    db = store.open_db(db_path)
    _store(db, EN, "en", "2021-07-09", "reuters.example")
    french = _store(db, FR, "fr", "2021-07-10", "rfi.example")
    [event] = _deploy_events(db)
    row = next(s for s in queries.event_statements(db, event["event_id"])
               if s["kind"] == "posture" and s["article_id"] == french)

    corrections.record(db, target="posture", row_id=row["statement_id"], verdict="rejected",
                       analyst="A", note="not a deployment")

    [event] = _deploy_events(db)
    assert (event["figure_low"], event["figure_high"]) == (1000, 1000)
    assert db.execute("SELECT event_id FROM posture WHERE id = ?",
                      [row["statement_id"]]).fetchone()[0] is None
    assert db.execute("SELECT low, high FROM events WHERE id = ?",
                      [event["event_id"]]).fetchone() == (1000, 1000)


def test_a_corrected_date_moves_a_statement_to_another_event_and_an_undo_brings_it_back(db_path):
    db = store.open_db(db_path)
    _store(db, EN, "en", "2021-07-09", "reuters.example")
    french = _store(db, FR, "fr", "2021-07-10", "rfi.example")
    [event] = _deploy_events(db)
    row = next(s for s in queries.event_statements(db, event["event_id"])
               if s["kind"] == "posture" and s["article_id"] == french)

    edit = corrections.correct(db, target="posture", row_id=row["statement_id"],
                               changes={"date": "2021-09-30"}, analyst="A",
                               note="the article reports a second rotation")
    assert sorted(e["first_date"] for e in _deploy_events(db)) == ["2021-07-09", "2021-09-30"]

    corrections.undo(db, edit, analyst="A")
    [event] = _deploy_events(db)
    assert (event["figure_low"], event["figure_high"]) == (1000, 1200)
