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


# A report dated only by its article (its sentence states no date) recalls a happening.
FIRST = "Rwanda deployed 1,000 troops to Mozambique on 9 July, officials said."
FRESH = "Rwandan troops arrived in Mozambique on Monday, the army said."
PLAN = "Rwanda will send 500 troops to Mozambique, the government said."
RECALL = "Rwanda has deployed troops to Mozambique, the army said."


def _posture_event(db, article_id: str) -> int:
    return db.execute("SELECT event_id FROM posture WHERE article_id = ?",
                      [article_id]).fetchone()[0]


def _recalling(db) -> dict[str, str]:
    return {"first": _store(db, FIRST, "en", "2021-07-12", "a.example"),
            "fresh": _store(db, FRESH, "en", "2021-09-20", "b.example"),
            "plan": _store(db, PLAN, "en", "2022-01-10", "c.example"),
            "recall": _store(db, RECALL, "en", "2022-03-01", "d.example")}


def test_an_undated_report_joins_the_latest_reported_happening_without_moving_its_date(db_path):
    db = store.open_db(db_path)
    ids = _recalling(db)

    event = _posture_event(db, ids["recall"])
    assert event == _posture_event(db, ids["fresh"]), "recalls the latest reported deployment"
    assert len({_posture_event(db, ids[name]) for name in ("first", "fresh", "plan")}) == 3, (
        "a fresh report dated 'on Monday' is news of its own, and a plan is not recalled")
    assert db.execute("SELECT first_date, last_date FROM events WHERE id = ?",
                      [event]).fetchone() == ("2021-09-20", "2021-09-20")
    statements = queries.event_statements(db, event)
    assert ids["recall"] in {s["article_id"] for s in statements}
    spread = queries.disagreement(statements)
    assert spread["dates_said"] == {"2021-09-20": ["b.example"]} and not spread["disputed"], (
        "the recalling article's own day is no date in dispute")

    result = CliRunner().invoke(cli, ["events", "--rebuild", "--lookback", "0",
                                      "--db", str(db_path)])
    assert result.exit_code == 0 and "look-back 0 days" in result.output, result.output
    assert _posture_event(db, ids["recall"]) != _posture_event(db, ids["fresh"])
    assert db.execute("SELECT first_date FROM events WHERE id = ?",
                      [_posture_event(db, ids["recall"])]).fetchone() == ("2022-03-01",)


def test_a_recall_beyond_the_look_back_or_of_a_presence_is_an_event_of_its_own(db_path):
    db = store.open_db(db_path)
    fresh = _store(db, FRESH, "en", "2021-09-20", "b.example")
    late = _store(db, RECALL, "en", "2024-03-01", "d.example")
    present = _store(db, "Some 2,000 Rwandan soldiers are based in Mozambique.", "en",
                     "2021-09-21", "e.example")
    again = _store(db, "Around 2,500 Rwandan soldiers are based in Mozambique.", "en",
                   "2021-12-01", "f.example")

    assert _posture_event(db, late) != _posture_event(db, fresh), "more than 730 days later"
    assert _posture_event(db, present) != _posture_event(db, again), (
        "a presence is reported for the day it is written, never recalled")


def test_the_last_troops_leaving_do_not_recall_a_partial_withdrawal(db_path):
    """The demo's France in Mali: "the last French soldiers have left", reported undated in
    August, once joined June's withdrawal from Ménaka, and the level fell to zero in June."""
    db = store.open_db(db_path)
    _store(db, "France has about 2,400 troops in Mali, officials said.", "en", "2022-02-17",
           "a.example")
    menaka = _store(db, "French troops withdrew from the Ménaka base in Mali on Monday, June 13.",
                    "en", "2022-06-14", "b.example")
    last = _store(db, "The last French soldiers have left Mali, the army said.", "en",
                  "2022-08-16", "c.example")

    assert _posture_event(db, last) != _posture_event(db, menaka)
    levels = aggregates.force_levels(db, queries.Filters(unit="events"), "France", "Mali")
    assert [(p["date"], p["level"]) for p in levels] == [("2022-02-17", 2400),
                                                        ("2022-08-16", 0)]


def test_an_analysts_split_of_a_recalled_report_survives_a_rebuild_and_a_retag(db_path):
    db = store.open_db(db_path)
    ids = _recalling(db)
    event = _posture_event(db, ids["recall"])
    [row] = db.execute("SELECT id FROM posture WHERE article_id = ?", [ids["recall"]])

    events.split(db, event, [("posture", row[0])], analyst="A. Analyst",
                 note="a second rotation, not the September arrival")
    events.rebuild(db)
    pipeline.retag(db)

    assert _posture_event(db, ids["recall"]) != _posture_event(db, ids["fresh"])
    placed = db.execute("SELECT count(*) FROM posture WHERE event_id IS NULL").fetchone()[0]
    assert placed == 0, "every statement is in an event"


def test_a_year_alone_joins_another_year_alone_not_a_day_of_that_year(db_path):
    db = store.open_db(db_path)
    day = _store(db, "Turkey opened a military base in Somalia on 30 September 2016.", "en",
                 "2016-10-01", "g.example")
    year = _store(db, "In 2016, Turkey opened a military base in Somalia.", "en", "2017-05-01",
                  "h.example")
    other_year = _store(db, "Turkey opened its first military base in Somalia in 2016,"
                        " officials recalled.", "en", "2018-03-01", "i.example")

    assert _posture_event(db, year) == _posture_event(db, other_year)
    assert _posture_event(db, year) != _posture_event(db, day), (
        "'in 2016' says too little to be the September opening rather than another")


def test_the_held_out_documents_share_no_labelled_event_with_the_tuning_ones(tmp_path):
    from ingest import evaluate_events

    labels = evaluate_events.load_labels(REPO / "tests/realnews/events.jsonl",
                                         REPO / "tests/realnews/sources.jsonl")
    split = REPO / "tests/realnews/events-split.json"
    held = evaluate_events.select_part(labels, "held-out", split)
    tuning = evaluate_events.select_part(labels, "tuning", split)
    assert len(held) + len(tuning) == len(labels) and held and tuning
    held_docs = {label["doc"] for label in held}
    assert len(held_docs) >= len({label["doc"] for label in labels}) // 3
    assert not ({label["event"] for label in held if label["event"]}
                & {label["event"] for label in tuning if label["event"]})

    broken = tmp_path / "split.json"
    broken.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate-events", "--part", "held-out", "--split",
                                      str(broken)])
    assert result.exit_code != 0 and "split.json" in result.output


def test_the_events_list_finds_each_events_statements_by_index_whatever_the_statistics(db_path):
    """Statistics taken before the statements were placed (every event_id NULL) made SQLite
    read every statement for each event listed: minutes for a period at 100k articles."""
    db = store.open_db(db_path)
    _store(db, EN, "en", "2021-04-30", "one.example")
    with store.transaction(db):
        db.execute("UPDATE posture SET event_id = NULL")
        db.execute("UPDATE dyads SET event_id = NULL")
        db.execute("ANALYZE")
    events.rebuild(db)
    where, params = queries.event_where(queries.Filters(partners=("Mozambique",)))
    plan = " ".join(row[3] for row in db.execute(
        f"EXPLAIN QUERY PLAN SELECT e.id FROM events e WHERE {where}"
        " ORDER BY e.first_date DESC, e.id DESC LIMIT 200", params))
    assert "SCAN p" not in plan and "SCAN d" not in plan
    assert "SEARCH p USING INDEX posture_event" in plan
    assert [row["country"] for row in queries.events(db, queries.Filters(
        partners=("Mozambique",)))] == ["Mozambique"]
