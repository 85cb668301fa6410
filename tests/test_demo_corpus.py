"""The bundled chronology: every document tagged as its event implies, posture charts fed.

``tests/data/demo_expected.csv`` lists, per document, the actor, partner and theme its event
implies and its main posture event; the test doubles as a second gold set for the tagger.
"""

from __future__ import annotations

import csv

import pytest
import yaml

from ingest import aggregates, queries, seeds, store
from ingest.pipeline import Document, article_id
from tests.conftest import REPO

CHRONOLOGY = REPO / "seeds" / "chronology"
EXPECTED_CSV = REPO / "tests" / "data" / "demo_expected.csv"
EXPECTED = list(csv.DictReader(EXPECTED_CSV.open(encoding="utf-8")))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = store.open_db(tmp_path_factory.mktemp("demo") / "demo.db")
    report = seeds.ingest_folder(db, REPO / "seeds")
    assert report.errors == []
    return db


def _split(cell: str) -> set[str]:
    return {part.strip() for part in cell.split(";") if part.strip()}


def test_the_corpus_is_large_bilingual_and_marked_illustrative(demo_db):
    docs = list(seeds.seed_files(CHRONOLOGY))
    assert len(docs) >= 120
    languages = [row["language"] for row in demo_db.query(
        "SELECT a.language FROM articles a JOIN sources s ON s.id = a.source_id"
        " WHERE s.illustrative = 1")]
    assert len(languages) == len(docs)
    assert 0.5 <= languages.count("en") / len(languages) <= 0.7
    source = next(demo_db.query("SELECT name FROM sources WHERE illustrative = 1"))
    assert "illustrative" in source["name"].lower()


def _article_tags(db, filename: str) -> dict[str, set[str]]:
    """The tags of the article read from ``filename``, found by the id the ingester gives it."""
    meta = yaml.safe_load((CHRONOLOGY / filename).read_text("utf-8").split("---")[1])
    ident = article_id(Document(title="", text="", key=f"seed:seeds/chronology/{filename}",
                                url=meta.get("url") or None))
    assert db["articles"].count_where("id = ?", [ident]) == 1, f"{filename} was not ingested"
    found: dict[str, set[str]] = {kind: set() for kind in ("actor", "partner", "theme", "mention")}
    for row in db.query("SELECT kind, value FROM tags WHERE article_id = ?", [ident]):
        found[row["kind"]].add(row["value"])
    return found


@pytest.mark.parametrize("row", EXPECTED, ids=[row["file"] for row in EXPECTED])
def test_each_document_carries_its_event(demo_db, row):
    found = _article_tags(demo_db, row["file"])
    assert _split(row["actors"]) <= found["actor"]
    assert _split(row["partners"]) <= found["partner"]
    assert _split(row["themes"]) <= found["theme"]


def test_posture_charts_have_points_for_the_main_theatres(demo_db):
    rows = list(queries.posture(demo_db, queries.Filters().facts_only()))
    countries = {row["country"] for row in rows}
    assert {"Mali", "Central African Republic", "Niger", "Chad"} <= countries
    with_numbers = {row["country"] for row in rows if row["personnel"]}
    assert {"Mali", "Central African Republic", "Niger", "Chad"} <= with_numbers


# --- France's exits, as the Troop posture page tells them ------------------------------------

EXITS = ("Mali", "Burkina Faso", "Niger", "Central African Republic", "Senegal", "Chad")


@pytest.mark.parametrize("country", EXITS)
def test_the_latest_french_posture_in_each_country_it_left_is_a_departure(demo_db, country):
    latest = {(row["actor"], row["country"]): row
              for row in aggregates.latest_posture(demo_db, queries.Filters())}
    row = latest["France", country]
    assert row["action"] == "withdraw" or (row["action"] == "present" and row["personnel"] == 0)


@pytest.mark.parametrize("country", ("Mali", "Niger", "Central African Republic", "Senegal",
                                     "Chad"))
def test_the_french_force_level_ends_at_zero(demo_db, country):
    levels = aggregates.force_levels(demo_db, queries.Filters(), "France", country)
    assert levels and levels[-1]["level"] == 0


@pytest.mark.parametrize("unit", ("articles", "events"))
def test_the_french_force_in_niger_never_rises_once_it_starts_leaving(demo_db, unit):
    """The report of the last flight out recalls the 1,500 soldiers France had stationed:
    that stock, dated the day before, once lifted a level already brought to 0 by the
    reports of the pull-out, the day before the departure."""
    levels = aggregates.force_levels(demo_db, queries.Filters(unit=unit), "France", "Niger")
    leaving = [p["level"] for p in levels if p["date"] >= "2023-10-01"]
    assert leaving and leaving == sorted(leaving, reverse=True) and leaving[-1] == 0


def test_no_presence_is_reported_on_the_day_the_last_troops_left(demo_db):
    clashes = list(demo_db.query("""
        SELECT p.actor, p.country, p.date, p.evidence FROM posture p
        JOIN posture w ON w.actor = p.actor AND w.country = p.country
             AND substr(w.date, 1, 10) = substr(p.date, 1, 10)
        WHERE p.action = 'present' AND p.status = 'reported' AND coalesce(p.personnel, 1) > 0
          AND w.action = 'withdraw' AND w.status = 'reported' AND w.rule LIKE '%:all-left%'"""))
    assert clashes == []


def test_facilities_handed_over_are_no_base_opening(demo_db):
    """"Les installations ... ont été remis au Sénégal": the facilities, not a base set up."""
    assert demo_db["posture"].count_where(
        "action = 'base_open' AND evidence LIKE '%installations%'") == 0


def test_a_month_given_to_leave_is_a_plan_not_a_departure(demo_db):
    assert {row["status"] for row in demo_db.query(
        "SELECT status FROM posture WHERE evidence LIKE '%one month to leave%'")} == {"planned"}


def test_words_that_only_look_like_posture_move_no_force(demo_db):
    """A warning ("mis en garde") is no garrison, an ambassador no force, "reste le même" (the
    interlocutor stays the same) no presence; a warning against a base is not its opening
    (planned: it joins the article's other report of the plan); Djibouti "exclue de la
    réduction" is the reduction denied there."""
    rows = {(row["actor"], row["country"], row["action"], row["status"]) for row in demo_db.query(
        "SELECT actor, country, action, status FROM posture WHERE evidence LIKE '%mis en garde%'"
        " OR evidence LIKE '%reste le même%' OR evidence LIKE '%exclue de la réduction%'")}
    assert rows == {("France", "Djibouti", "withdraw", "denied")}


def test_a_move_belongs_to_the_power_named_on_it(demo_db):
    """"Russian troops deploy to Timbuktu after French withdrawal": France withdrew (the
    Russian deployment is the article's, told again in its body)."""
    moves = {(row["actor"], row["action"]) for row in demo_db.query(
        "SELECT actor, action FROM posture WHERE evidence LIKE '%after French withdrawal%'")}
    assert ("France", "withdraw") in moves and ("Russia", "withdraw") not in moves


def test_background_and_descriptions_are_no_new_move(demo_db):
    """"since its arrival in Mali" (in 2024) is no arrival in 2024; "a drone base built at a
    cost of $100 million" describes the base the troops are at, it opens nothing."""
    assert demo_db["posture"].count_where(
        "evidence LIKE '%since its arrival%' OR (action = 'base_open'"
        " AND evidence LIKE '%base built at a cost%')") == 0


def test_attendance_is_no_presence(demo_db):
    assert demo_db["posture"].count_where(
        "action = 'present' AND (evidence LIKE '%en présence du%' OR evidence LIKE "
        "'%in the presence of%')") == 0


def test_the_mali_line_reads_no_sahel_wide_or_single_camp_figure(demo_db):
    levels = {p["level"] for p in aggregates.force_levels(demo_db, queries.Filters(), "France",
                                                          "Mali")}
    assert 3000 not in levels and 150 not in levels and 2400 in levels


def test_no_withdrawal_reads_a_future_total_or_the_number_remaining(demo_db):
    figures = {row["personnel"] for row in demo_db.query(
        "SELECT personnel FROM posture WHERE actor = 'France' AND action = 'withdraw'")}
    assert not figures & {2500, 157}


def test_a_detachment_staying_in_cote_divoire_is_not_placed_in_niger(demo_db):
    assert demo_db["posture"].count_where(
        "actor = 'France' AND country = 'Niger' AND personnel = 82") == 0


def test_powers_that_comment_on_a_deployment_do_not_deploy(demo_db):
    assert demo_db["posture"].count_where("actor = 'Canada'") == 0
    assert demo_db["posture"].count_where(
        "actor = 'France' AND country = 'Mali' AND action = 'deploy'"
        " AND evidence LIKE '%Russians are there%'") == 0


def test_tartus_is_not_libya(demo_db):
    assert demo_db["posture"].count_where("evidence LIKE '%Tartus%' AND country = 'Libya'") == 0


def test_no_reported_event_is_dated_after_its_article(demo_db):
    late = list(demo_db.query("""
        SELECT p.date, a.published FROM posture p JOIN articles a ON a.id = p.article_id
        WHERE p.status = 'reported' AND substr(p.date, 1, 10) > substr(a.published, 1, 10)"""))
    assert late == []
    assert demo_db["posture"].count_where("date LIKE '2023-02-01%' AND country = 'Mali'") == 0


def test_sanctions_on_a_wagner_executive_are_not_a_denial(demo_db):
    assert demo_db["dyads"].count_where(
        "status = 'denied' AND evidence LIKE '%not directly related%'") == 0
