"""Rollups: all-dates views read per-month counts, and those always equal a recount of the rows,
after ingest, an updated or copied article, a rejection, a retag and an upgrade alike."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest import aggregates, corrections, events, pipeline, rollups, schema, store
from ingest.cli import cli
from ingest.queries import UNITS, Filters
from tests.conftest import database_at

REPO = Path(__file__).resolve().parent.parent
VIEWS = ("overview_counts", "matrix", "actor_months", "status_counts", "aside_pairs",
         "posture_pairs", "posture_places", "latest_posture", "article_count", "source_health",
         "pair_months", "latest_known", "final_levels")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """The bundled demo corpus, ingested once through the real command."""
    path = tmp_path_factory.mktemp("rollups") / "demo.db"
    result = CliRunner().invoke(cli, ["seeds", str(REPO / "seeds"), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def demo(demo_file, tmp_path):
    path = tmp_path / "monitor.db"
    shutil.copy(demo_file, path)
    db = store.open_db(path)
    yield db
    db.conn.close()


def check(db) -> tuple[int, str]:
    path = db.execute("PRAGMA main.database_list").fetchone()[2]
    result = CliRunner().invoke(cli, ["check", "--db", path])
    return result.exit_code, result.output


def view(db, name: str, filters: Filters):
    if name == "pair_months":  # the Overview's timeline: the matrix's pairs by month
        pairs = tuple((c["actor"], c["partner"]) for c in aggregates.matrix(db, filters))
        return aggregates.pair_months(db, filters, pairs)
    rows = getattr(aggregates, name)(db, filters)
    return sorted(rows, key=str) if name == "aside_pairs" else rows


def from_rows(db, name: str, filters: Filters):
    """The same view through the row queries: a period from 1900 is every dated article, and
    the rollups answer only all-dates views."""
    return view(db, name, replace(filters, since=date(1900, 1, 1)))


def from_rollups(db, name: str, filters: Filters):
    return view(db, name, filters)


@pytest.fixture
def copied(demo):
    """The demo with copies of some of its reports under another feed, as new articles of the
    same story: one the same day, one three days later (across a month's end for some), one
    labelled in another language; and a rejected statement in a copy."""
    feed = store.ensure_source(demo, kind="feed", url="https://copies.example/rss",
                               name="Copies")
    rows = demo.execute(
        "SELECT a.title, a.text, a.published, a.language FROM articles a"
        " WHERE EXISTS (SELECT 1 FROM dyads d WHERE d.article_id = a.id)"
        " AND EXISTS (SELECT 1 FROM posture p WHERE p.article_id = a.id)"
        " ORDER BY a.published LIMIT 6").fetchall()
    for n, (title, text, published, language) in enumerate(rows):
        moment = datetime.fromisoformat(published.replace("Z", "+00:00"))
        for copy, (days, other) in enumerate(((0, language), (3, language),
                                              (1, "fr" if language == "en" else "en"))):
            doc = pipeline.Document(title=title, text=f"{text} Reported again ({n}.{copy}).",
                                    key=f"https://copies.example/{n}/{copy}",
                                    url=f"https://copies.example/{n}/{copy}",
                                    language=other)
            doc.published = moment + timedelta(days=days)
            assert pipeline.store_document(demo, doc, feed) == "new"
    shared = demo.execute("SELECT count(*), count(DISTINCT story_id) FROM rollup_story_copies"
                          ).fetchone()
    assert shared[0] >= 3 * shared[1] > 0, "the copies joined their originals' stories"
    dyad = demo.execute("SELECT d.id FROM dyads d JOIN rollup_story_copies s"
                        " ON s.article_id = d.article_id LIMIT 1").fetchone()[0]
    corrections.record(demo, target="dyad", row_id=dyad, verdict="rejected", analyst="A")
    return demo


def test_all_dates_views_from_rollups_equal_the_row_queries(copied):
    demo = copied
    options = aggregates.filter_options(demo)
    assert demo.execute("SELECT count(*) FROM articles WHERE published IS NULL").fetchone()[0] == 0
    assert aggregates.matrix(demo, Filters()), "the demo has partnerships to count"
    for filters in (Filters(), Filters(languages=("fr",)), Filters(partners=("Mali",)),
                    Filters(actors=("Russia",)), Filters(actors=("Russia",), partners=("Mali",)),
                    Filters(partners=("Mali", "Niger"), languages=("en",)),
                    Filters(statuses=("planned", "denied", "hedged")), Filters(statuses=()),
                    Filters(partners=(options["partners"][-1],))):
        for unit in UNITS:
            for name in VIEWS:
                counted = replace(filters, unit=unit)
                assert from_rollups(demo, name, counted) == from_rows(demo, name, counted), (
                    name, counted)
    # Counting stories, the copies count once: fewer than articles where they were added.
    stories = aggregates.matrix(demo, Filters(unit="stories"))
    articles = {(c["actor"], c["partner"]): c["articles"] for c in aggregates.matrix(demo,
                                                                                    Filters())}
    assert any(c["articles"] < articles[c["actor"], c["partner"]] for c in stories)
    assert check(demo)[0] == 0


def test_counts_follow_a_rejection_an_update_a_copy_and_a_retag(demo):
    top = aggregates.matrix(demo, Filters())[0]
    pair = (top["actor"], top["partner"])
    dyad = demo.execute(
        "SELECT d.id, d.article_id FROM dyads d WHERE d.actor = ? AND d.partner = ?"
        " AND d.status = 'reported' AND (SELECT count(*) FROM dyads e WHERE e.article_id ="
        " d.article_id AND e.actor = d.actor AND e.partner = d.partner) = 1 LIMIT 1",
        list(pair)).fetchone()

    corrections.record(demo, target="dyad", row_id=dyad[0], verdict="rejected", analyst="A")
    cell = next(c for c in aggregates.matrix(demo, Filters()) if (c["actor"], c["partner"]) == pair)
    assert cell["articles"] == top["articles"] - 1  # the rejected statement no longer counts
    assert check(demo)[0] == 0

    # The same document again with a changed text (updated), then as another feed's copy.
    row = demo.execute("SELECT url, title, text, published, language, source_id FROM articles"
                       " WHERE id = ?", [dyad[1]]).fetchone()
    doc = pipeline.Document(title=row[1], text=row[2] + " Officials confirmed it.", key=row[0],
                            url=row[0], language=row[4])
    doc.published = pipeline.datetime.fromisoformat(row[3].replace("Z", "+00:00"))
    assert pipeline.store_document(demo, doc, row[5]) == "updated"
    feed = store.ensure_source(demo, kind="feed", url="https://copy.example/rss", name="Copier")
    copy = replace(doc, url="https://copy.example/story", key="https://copy.example/story")
    assert pipeline.store_document(demo, copy, feed) == "duplicate"
    sources = {s["name"]: s["articles"] for s in aggregates.source_health(demo, Filters())}
    assert sources["Copier"] == 1
    assert check(demo)[0] == 0

    assert pipeline.retag(demo) > 0
    assert aggregates.matrix(demo, Filters()) == from_rows(demo, "matrix", Filters())
    cell = next(c for c in aggregates.matrix(demo, Filters()) if (c["actor"], c["partner"]) == pair)
    assert cell["articles"] == top["articles"] - 1  # the rejection outlives the retag
    code, output = check(demo)
    assert code == 0 and "rollups agree with the rows" in output


def test_a_corrected_value_an_added_event_and_an_undo_move_the_counts_at_once(demo):
    posture = demo.execute("SELECT id, article_id, actor, country FROM posture"
                           " WHERE status = 'reported' AND country != 'Chad' LIMIT 1").fetchone()
    before = aggregates.matrix(demo, Filters())

    edit = corrections.correct(demo, target="posture", row_id=posture[0],
                               changes={"country": "Chad"}, analyst="A", note="misplaced")
    assert check(demo)[0] == 0  # the event now counts under Chad, no longer under its country
    sentence = corrections.sentences(demo, posture[1])[-1]["sentence"]
    corrections.add(demo, target="dyad", article_id=posture[1], evidence=sentence,
                    values={"actor": "Turkey", "partner": "Chad"}, analyst="A")
    cells = {(c["actor"], c["partner"]) for c in aggregates.matrix(demo, Filters())}
    assert ("Turkey", "Chad") in cells and check(demo)[0] == 0

    corrections.undo(demo, edit, analyst="A")
    assert check(demo)[0] == 0
    moved = [c for c in aggregates.matrix(demo, Filters()) if c["actor"] != "Turkey"
             or c["partner"] != "Chad"]
    assert moved == [c for c in before if c["actor"] != "Turkey" or c["partner"] != "Chad"]


def test_check_names_a_count_that_differs_and_repair_recounts_it(demo):
    before = aggregates.overview_counts(demo, Filters())
    with store.transaction(demo):
        demo.execute("UPDATE rollup_dyads SET dyads = dyads + 5 WHERE (month, language, actor,"
                     " partner, status) IN (SELECT month, language, actor, partner, status"
                     " FROM rollup_dyads WHERE status = 'reported' LIMIT 1)")
    # The all-dates view reads the rollups: the damage shows there, not in the rows.
    assert aggregates.overview_counts(demo, Filters())["dyads"] == before["dyads"] + 5

    code, output = check(demo)
    assert code == 1
    assert "rollup_dyads month=" in output and "status='reported'" in output
    assert "1 rollup counts differ from the rows" in output

    result = CliRunner().invoke(cli, ["check", "--repair", "--db", str(demo.execute(
        "PRAGMA main.database_list").fetchone()[2])])
    assert result.exit_code == 0 and "counted again" in result.output
    assert check(demo)[0] == 0
    assert aggregates.overview_counts(demo, Filters()) == before


def test_an_upgrade_counts_the_rollups_of_an_existing_database(demo_file, tmp_path):
    """A database as release 11 left it (no rollups), holding the demo's rows, upgraded."""
    path = tmp_path / "older.db"
    conn, older = database_at(path, schema.MIGRATIONS.index(schema.m012_rollups))
    conn.execute("ATTACH ? AS demo", [str(demo_file)])
    for table in older.table_names():
        if table.startswith(("articles_fts", "sqlite_")):
            continue  # the full-text index is filled by the articles' triggers
        columns = ", ".join(f"[{c}]" for c in older[table].columns_dict)
        conn.execute(f"INSERT INTO main.[{table}] ({columns}) SELECT {columns} FROM demo.[{table}]")
    conn.execute("DETACH demo")
    conn.close()
    want = aggregates.matrix(store.open_db(demo_file, readonly=True), Filters())

    db = store.open_db(path)
    assert store.schema_version(db) == store.SCHEMA_VERSION
    assert db.execute("SELECT count(*) FROM rollup_dyads").fetchone()[0] > 0
    assert aggregates.matrix(db, Filters()) == want
    assert check(db)[0] == 0


def test_the_latest_level_read_from_the_last_reset_equals_the_whole_history(demo):
    """A presence with its figure resets the level, one without does not; what was said
    before a reset on its own day is overruled by it. Read from the last reset on, over all
    dates, the level is the one the whole history gives, in every unit."""
    pair = ("Turkey", "Gabon")
    assert not demo.execute("SELECT 1 FROM posture WHERE actor = ? AND country = ?",
                            list(pair)).fetchone()
    article = demo.execute("SELECT id FROM articles ORDER BY published LIMIT 1").fetchone()[0]
    sentence = corrections.sentences(demo, article)[-1]["sentence"]
    for day, action, personnel in (("2024-01-10", "present", 100), ("2024-02-01", "deploy", 50),
                                   ("2024-03-01", "present", None), ("2024-04-01", "deploy", 30),
                                   ("2024-04-01", "present", 200), ("2024-04-05", "deploy", 20),
                                   ("2024-04-10", "present", None)):
        corrections.add(demo, target="posture", article_id=article, evidence=sentence,
                        values={"actor": pair[0], "country": pair[1], "action": action,
                                "personnel": personnel, "date": day}, analyst="A")
    for unit in UNITS:
        levels = aggregates.final_levels(demo, Filters(unit=unit))
        assert levels[pair]["level"] == 220, unit
        assert levels == from_rows(demo, "final_levels", Filters(unit=unit)), unit


def events_equal_rows(db) -> None:
    """Every all-dates view counting events equals its row query, and ``check`` agrees."""
    assert rollups.counts_events(db, Filters(unit="events")), "the views read the rollups"
    for filters in (Filters(), Filters(languages=("fr",)), Filters(partners=("Mali",)),
                    Filters(actors=("Russia",)), Filters(statuses=("planned", "hedged")),
                    Filters(languages=("en", "fr"), statuses=("reported", "denied"))):
        counted = replace(filters, unit="events")
        for name in ("overview_counts", "matrix", "actor_months", "pair_months"):
            assert from_rollups(db, name, counted) == from_rows(db, name, counted), (name,
                                                                                    counted)
    code, output = check(db)
    assert code == 0, output


def test_event_counts_follow_a_merge_across_partners_a_split_and_a_rebuild(copied):
    """An event's statements span months and languages (the copies), then partners (an
    analyst's merge): it counts once in each view, as the rows count it."""
    demo = copied
    spanning = demo.execute(
        "SELECT d.event_id FROM dyads d JOIN articles a ON a.id = d.article_id"
        " WHERE d.verdict IS NOT 'rejected' GROUP BY d.event_id"
        " HAVING count(DISTINCT a.language) > 1").fetchall()
    assert spanning, "the copies put one event's statements in two languages"
    events_equal_rows(demo)

    mali, other = (demo.execute(
        "SELECT event_id FROM dyads WHERE actor = 'Russia' AND partner " + test
        + " AND status = 'reported' AND event_id IS NOT NULL LIMIT 1").fetchone()[0]
        for test in ("= 'Mali'", "!= 'Mali'"))
    before = aggregates.event_count(demo, Filters(unit="events"))
    events.merge(demo, mali, other, analyst="A")
    assert aggregates.event_count(demo, Filters(unit="events")) == before - 1
    events_equal_rows(demo)

    moved = demo.execute("SELECT 'dyads', id FROM dyads WHERE event_id = ? AND partner != 'Mali'",
                         [mali]).fetchall()
    events.split(demo, mali, [tuple(row) for row in moved], analyst="A")
    assert aggregates.event_count(demo, Filters(unit="events")) == before
    events_equal_rows(demo)

    events.rebuild(demo)
    events_equal_rows(demo)


def test_counting_events_reads_the_rollups_and_check_repairs_them(copied):
    demo = copied
    before = aggregates.matrix(demo, Filters(unit="events"))
    with store.transaction(demo):
        demo.execute("UPDATE rollup_event_pairs SET events = events + 5 WHERE (actor, partner,"
                     " tokens) IN (SELECT actor, partner, tokens FROM rollup_event_pairs"
                     " WHERE (actor, partner) = (?, ?) ORDER BY events DESC LIMIT 1)",
                     [before[0]["actor"], before[0]["partner"]])
    assert aggregates.matrix(demo, Filters(unit="events"))[0]["articles"] == (
        before[0]["articles"] + 5)
    code, output = check(demo)
    assert code == 1 and "rollup_event_pairs actor=" in output

    path = demo.execute("PRAGMA main.database_list").fetchone()[2]
    assert CliRunner().invoke(cli, ["check", "--repair", "--db", path]).exit_code == 0
    assert aggregates.matrix(demo, Filters(unit="events")) == before
    # A statement waiting for its event (a database from before events): the rows count it.
    with store.transaction(demo):
        demo.execute("UPDATE dyads SET event_id = NULL WHERE id = (SELECT min(id) FROM dyads"
                     " WHERE status = 'reported' AND verdict IS NOT 'rejected')")
        rollups.flush_events(demo)
    assert not rollups.counts_events(demo, Filters(unit="events"))
    assert aggregates.matrix(demo, Filters(unit="events")) == from_rows(
        demo, "matrix", Filters(unit="events"))


def test_force_levels_of_several_pairs_over_a_period_equal_each_pairs_own(copied):
    """The Troop posture page reads a period's levels for all its drawn pairs in one query;
    each pair's series is the one ``force_levels`` gives it alone, in every unit."""
    demo = copied
    for unit in UNITS:
        for filters in (Filters(since=date(1900, 1, 1), unit=unit),
                        Filters(since=date(2020, 1, 1), until=date(2025, 12, 31),
                                languages=("en",), unit=unit)):
            pairs = tuple((row["actor"], row["country"])
                          for row in aggregates.posture_pairs(demo, filters))[:12]
            levels = aggregates.pair_force_levels(demo, filters, pairs)
            assert levels == {pair: aggregates.force_levels(demo, filters, *pair)
                              for pair in pairs}, filters
            assert sum(len(series) for series in levels.values()) > 3
