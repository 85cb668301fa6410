"""The bundled chronology: every document tagged as its event implies, posture charts fed.

``tests/data/demo_expected.csv`` lists, per document, the actor, partner and theme its event
implies and its main posture event; the test doubles as a second gold set for the tagger.
"""

from __future__ import annotations

import csv

import pytest
import yaml

from ingest import queries, seeds, store
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
    found: dict[str, set[str]] = {"actor": set(), "partner": set(), "theme": set()}
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
