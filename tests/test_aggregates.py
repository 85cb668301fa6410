"""The dashboard's aggregates on a small hand-built database whose answers are known."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from ingest import aggregates, corrections, export, queries, rollups, store
from ingest.queries import Filters

HOSTILE = "<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1))"
# (id, title, published, language, source, [(actor, partner, themes, status, evidence)],
#  [(actor, country, action, personnel, place, date, status)])
ARTICLES = [
    ("a1", "Russia and Mali sign a defence pact", "2024-01-10", "en", "demo",
     [("Russia", "Mali", ["military_cooperation"], "reported",
       "Russia and Mali signed a defence pact on Tuesday.")],
     [("Russia", "Mali", "present", 1000, "Bamako", "2024-01-10", "reported")]),
    ("a2", "Wagner en Centrafrique", "2024-01-20", "fr", "rt",
     [("Wagner Group", "Central African Republic", ["pmc", "training"], "reported",
       "Wagner a déployé des instructeurs en Centrafrique."),
      ("Russia", "Central African Republic", ["pmc"], "reported",
       "Wagner a déployé des instructeurs en Centrafrique.")],
     [("Wagner Group", "Central African Republic", "deploy", 300, "Bangui", "2024-01-20",
       "reported")]),
    ("a3", "More Russian troops in Mali", "2024-02-05", "en", "demo",
     [("Russia", "Mali", ["troop_deployment"], "reported",
       "Russia sent 200 more troops to Mali.")],
     [("Russia", "Mali", "deploy", 200, "Gao", "2024-02-05", "reported")]),
    ("a4", "France denies a return to Niger", "2024-02-20", "en", "demo",
     [("France", "Niger", ["diplomacy"], "denied", "France denied any plan to return to Niger.")],
     []),
    ("a5", "Russia withdraws part of its force", "2024-03-01", "en", "demo",
     [("Russia", "Mali", ["troop_withdrawal"], "reported",
       "Russia withdrew 1500 troops from Mali.")],
     [("Russia", "Mali", "withdraw", 1500, "Gao", "2024-03-01", "reported")]),
    ("a6", HOSTILE, "2024-03-02", "en", "demo",
     [("Turkey", "Somalia", ["arms_transfer"], "reported",
       "Turkey delivered drones to Somalia.")],
     []),
]


def build_demo(path: Path) -> sqlite_utils.Database:
    """A database with known rows, written straight into the schema (no tagger needed)."""
    db = store.open_db(path)
    with store.transaction(db):
        sources = {
            "demo": store.ensure_source(db, kind="seeds", url="seeds:demo", name="Demo folder",
                                        illustrative=1),
            "rt": store.ensure_source(db, kind="feed", url="https://rt.example/feed",
                                      name="RT Afrique", affiliation="Russia"),
        }
        for ident, title, published, language, source, dyads, posture in ARTICLES:
            text = " ".join(dict.fromkeys(row[4] for row in dyads)) + " Other words follow."
            stamp = f"{published}T08:00:00Z"
            db.execute(
                "INSERT INTO articles (id, url, title, text, published, language, source_id,"
                " first_seen, updated_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [ident, f"https://news.example/{ident}", title, text, stamp, language,
                 sources[source], stamp, stamp, ident])
            db.execute("INSERT INTO article_sources (article_id, source_id, url, seen_at)"
                       " VALUES (?, ?, '', ?)", [ident, sources[source], stamp])
            tags = set()
            for actor, partner, themes, status, evidence in dyads:
                tags |= {("actor", actor, evidence), ("partner", partner, evidence)}
                tags |= {("theme", theme, evidence) for theme in themes}
                db.execute(
                    "INSERT INTO dyads (article_id, actor, partner, themes, status, published,"
                    " evidence, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [ident, actor, partner, json.dumps(themes), status, stamp, evidence,
                     corrections.dyad_key(actor, partner)])
            for kind, value, evidence in sorted(tags):
                db.execute("INSERT INTO tags (article_id, kind, value, evidence, key)"
                           " VALUES (?, ?, ?, ?, ?)",
                           [ident, kind, value, evidence, corrections.tag_key(kind, value)])
            for actor, country, action, personnel, place, day, status in posture:
                db.execute(
                    "INSERT INTO posture (article_id, actor, country, action, personnel, place,"
                    " date, status, evidence, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [ident, actor, country, action, personnel, place, day, status,
                     dyads[0][4], corrections.posture_key(actor, country, action, day)])
        rollups.rebuild(db)  # rows written past the writers that keep the rollups
    return db


@pytest.fixture
def demo(db_path) -> sqlite_utils.Database:
    return build_demo(db_path)


def test_overview_counts_facts_only(demo):
    counts = aggregates.overview_counts(demo, Filters())
    assert counts == {"articles": 6, "sources": 2, "actors": 3, "partners": 3, "dyads": 6}
    assert aggregates.status_counts(demo, Filters()) == {"reported": 6, "denied": 1}


def test_matrix_cells_and_theme_breakdown(demo):
    cells = {(c["actor"], c["partner"]): c for c in aggregates.matrix(demo, Filters())}
    assert ("France", "Niger") not in cells  # denied: shown apart, not counted
    mali = cells["Russia", "Mali"]
    assert (mali["articles"], mali["first"], mali["last"]) == (3, "2024-01-10", "2024-03-01")
    assert mali["themes"].startswith("military_cooperation (1)")
    assert cells["Wagner Group", "Central African Republic"]["themes"] == "pmc (1), training (1)"


def test_filters_mean_the_same_as_the_export(demo):
    french = Filters(languages=("fr",))
    assert aggregates.article_count(demo, french) == len(list(queries.articles(demo, french)))
    assert {c["actor"] for c in aggregates.matrix(demo, french)} == {"Wagner Group", "Russia"}
    affiliated = Filters(affiliated=True)
    assert aggregates.overview_counts(demo, affiliated)["articles"] == 1
    assert aggregates.overview_counts(demo, Filters(affiliated=False))["articles"] == 5


def test_actor_months_group_by_month(demo):
    rows = aggregates.actor_months(demo, Filters(actors=("Russia",)))
    assert rows == [{"month": "2024-01", "actor": "Russia", "articles": 2},
                    {"month": "2024-02", "actor": "Russia", "articles": 1},
                    {"month": "2024-03", "actor": "Russia", "articles": 1}]


def test_new_partnerships_and_period_comparison(demo):
    march = Filters(since=date(2024, 3, 1), until=date(2024, 3, 31))
    assert [(r["actor"], r["partner"]) for r in aggregates.new_partnerships(demo, march)] == [
        ("Turkey", "Somalia")]
    before = aggregates.previous_period(march)
    assert (before.since, before.until) == (date(2024, 1, 30), date(2024, 2, 29))
    changes = aggregates.compare(aggregates.matrix(demo, march), aggregates.matrix(demo, before))
    assert {(r["actor"], r["partner"], r["change"]) for r in changes} == {
        ("Turkey", "Somalia", 1)}


def test_force_level_rule():
    events = [("2023-12-01", "withdraw", 300, False), ("2024-01-01", "deploy", 100, False),
              ("2024-01-05", "present", 1000, False),
              ("2024-01-06", "handover", None, False), ("2024-02-01", "deploy", 200, False),
              ("2024-02-01", "withdraw", 50, False), ("2024-03-01", "withdraw", 5000, False),
              ("2024-03-02", "withdraw", None, False), ("2024-04-01", "present", 800, False),
              ("2024-05-01", "withdraw", None, True)]  # "the last soldiers left"
    assert aggregates.step_levels(events) == [
        {"date": "2024-01-01", "level": 100}, {"date": "2024-01-05", "level": 1000},
        {"date": "2024-02-01", "level": 1150}, {"date": "2024-03-01", "level": 0},
        {"date": "2024-04-01", "level": 800}, {"date": "2024-05-01", "level": 0}]


def test_thin_keeps_charts_small():
    points = [{"date": f"2020-{m:02d}-{d:02d}", "level": m * 100 + d}
              for m in range(1, 13) for d in range(1, 29)] * 4
    thinned = aggregates.thin(points)
    assert len(thinned) == 12 and thinned[0] == {"date": "2020-01-01", "level": 128}


def test_force_levels_and_latest_posture(demo):
    levels = aggregates.force_levels(demo, Filters(), "Russia", "Mali")
    assert [p["level"] for p in levels] == [1000, 1200, 0]
    latest = {(r["actor"], r["country"]): r for r in aggregates.latest_posture(demo, Filters())}
    assert latest["Russia", "Mali"]["action"] == "withdraw"
    assert latest["Russia", "Mali"]["source"] == "Demo folder"
    places = aggregates.posture_places(demo, Filters())
    assert {(p["place"], p["events"]) for p in places} == {("Gao", 2), ("Bamako", 1),
                                                           ("Bangui", 1)}


def test_rejected_dyad_leaves_matrix_and_export(demo):
    dyad_id = demo.execute("SELECT id FROM dyads WHERE partner = 'Somalia'").fetchone()[0]
    corrections.record(demo, target="dyad", row_id=dyad_id, verdict="rejected", analyst="Ana")
    assert ("Turkey", "Somalia") not in {(c["actor"], c["partner"])
                                         for c in aggregates.matrix(demo, Filters())}
    assert b"Somalia" not in export.to_csv_bytes(queries.partnerships(demo, Filters()))
    assert [r["id"] for r in aggregates.rejected_rows(demo, "dyad")] == [dyad_id]
    assert aggregates.correction_history(demo)[0]["analyst"] == "Ana"


def test_article_detail_and_sources(demo):
    article = aggregates.article_detail(demo, "a2")
    assert article["affiliation"] == "Russia"
    assert {row["target"] for row in article["evidence"]} == {"tag", "dyad", "posture"}
    assert aggregates.article_detail(demo, "missing") is None
    health = {row["name"]: row for row in aggregates.source_health(demo, Filters())}
    assert (health["Demo folder"]["articles"], health["Demo folder"]["illustrative"]) == (5, 1)
    assert health["RT Afrique"]["affiliation"] == "Russia"


def test_filter_options_list_what_exists(demo):
    options = aggregates.filter_options(demo)
    assert options["actors"] == ["France", "Russia", "Turkey", "Wagner Group"]
    assert options["languages"] == ["en", "fr"]
    assert options["first"].startswith("2024-01-10") and options["last"].startswith("2024-03-02")


def test_the_last_troops_leaving_brings_the_force_level_to_zero(tmp_path):
    """Through the real tagger: a share named for the country sets the level, and a sentence
    about the last soldiers leaving (no figure) brings it to zero."""
    from ingest import pipeline
    from ingest.dates import parse_date

    db = store.open_db(tmp_path / "levels.db")
    with store.transaction(db):
        source = store.ensure_source(db, kind="seeds", url="seeds:levels", name="Levels")
    reports = [("2022-02-17", "en", "France has about 4,300 troops in the Sahel, including 2,400"
                " in Mali, the armed forces ministry said."),
               ("2022-08-16", "fr", "Les derniers soldats français ont quitté le Mali lundi.")]
    for day, lang, text in reports:
        doc = pipeline.Document(title=text[:40], text=text, key=f"levels:{day}",
                                url=f"https://news.example/{day}", published=parse_date(day),
                                language=lang)
        assert pipeline.store_document(db, doc, source) == "new"
    levels = aggregates.force_levels(db, Filters(), "France", "Mali")
    # "lundi" in an article of Tuesday 16 August is Monday the 15th
    assert [(p["date"], p["level"]) for p in levels] == [("2022-02-17", 2400), ("2022-08-15", 0)]


def test_older_taggers_are_read_from_the_runs(tmp_path):
    db = store.open_db(tmp_path / "runs.db")

    def run(kind: str, version: str | None, new: int = 0, finished: bool = True) -> None:
        run_id = store.start_run(db, kind, version)
        if finished:
            store.finish_run(db, run_id, {"new": new}, [])

    run("seeds", None, new=5)                # before migration 7: version unknown
    run("feeds", "2026.11.1", new=0)         # finished and stored nothing: left no tags
    assert aggregates.older_taggers(db, "2026.11.2") == ["unknown"]
    run("retag", "2026.11.2")                # a complete retag replaces every tag
    assert aggregates.older_taggers(db, "2026.11.2") == []
    run("feeds", "2026.11.1", finished=False)  # killed: it may have stored some
    assert aggregates.older_taggers(db, "2026.11.2") == ["2026.11.1"]
