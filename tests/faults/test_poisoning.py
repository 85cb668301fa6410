"""Data that must not be poisoned: squatted links, impossible dates, a lock side-stepped.

Feeds are served by the local HTTP server and polled by the real runner into a real SQLite
file; the dashboard is the real Streamlit app under AppTest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ingest import feeds, lock, pipeline, queries, runner, store
from tests.conftest import REPO, database_at
from tests.feedserver import options, rss

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]

APP = str(REPO / "dashboard.py")
RFI_LINK = "https://www.rfi.fr/fr/afrique/20240105-mali-russie-cooperation"
REAL = {"title": "Mali: Russian instructors leave Bamako base",
        "text": "Russian military instructors left the Bamako base on Thursday, Malian officials"
                " said, ending a two-year training mission with the Malian army."}
INVENTED = {"title": "Mali thanks Russia for armoured vehicles",
            "text": "Malian crowds thanked Russia as Russian instructors delivered new armoured"
                    " vehicles to Mali, and France was blamed for the insurgency."}


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def squatted_feeds(server, db) -> tuple[int, int]:
    """A state-affiliated feed squatting RFI's link (polled first), then RFI's own feed."""
    sputnik = server.bytes("/sputnik.xml", rss([INVENTED | {"link": RFI_LINK}],
                                               title="Sputnik Afrique"))
    real = server.bytes("/rfi.xml", rss([REAL | {"link": RFI_LINK}], title="RFI Afrique"))
    squatter, _ = feeds.add_feed(db, sputnik, name="Sputnik Afrique", affiliation="Russia")
    # The test server is not www.rfi.fr: the operator declares whose feed this is.
    outlet, _ = feeds.add_feed(db, real, name="RFI Afrique", site="rfi.fr")
    return squatter, outlet


def test_a_squatted_link_does_not_replace_the_outlets_article(server, db, db_path,
                                                              monkeypatch):
    squatter, outlet = squatted_feeds(server, db)
    report = runner.run_once(db, options(workers=1))
    assert report.counts["failed"] == 0, report.errors

    # The outlet's article under its own link holds the outlet's text, from the outlet.
    real = db.execute("SELECT text, source_id, offsite FROM articles WHERE canonical_url = ?",
                      [RFI_LINK]).fetchone()
    assert real == (REAL["text"], outlet, 0)
    # The invented text is kept, as the squatting feed's claim about someone else's link.
    claim = db.execute("SELECT text, source_id, url, canonical_url FROM articles"
                       " WHERE offsite = 1").fetchone()
    assert claim == (INVENTED["text"], squatter, RFI_LINK, None)
    # Independent reporting keeps the story; state media's view keeps the claim.
    independent = list(queries.articles(db, queries.Filters(affiliated=False)))
    assert [row["source"] for row in independent] == ["RFI Afrique"]
    affiliated = list(queries.articles(db, queries.Filters(affiliated=True)))
    assert [row["source"] for row in affiliated] == ["Sputnik Afrique"]

    # Polling again changes nothing: the claim is found again under its own key.
    feeds.resume_feed(db, str(squatter))
    db.execute("UPDATE sources SET body_hash = NULL")
    again = runner.run_once(db, options(workers=1)).counts
    assert (again["new"], again["unchanged"]) == (0, 2)

    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("views/articles.py").run()
    at.radio(key="f_affiliated").set_value("Exclude state-affiliated").run()
    assert not at.exception
    listed = at.dataframe[0].value
    assert list(listed["source"]) == ["RFI Afrique"]
    at.radio(key="f_affiliated").set_value("All sources").run()
    claim_id = db.execute("SELECT id FROM articles WHERE offsite = 1").fetchone()[0]
    at.selectbox(key="a_open").set_value(claim_id).run()
    assert not at.exception
    shown = " ".join(text.value for text in at.text)
    assert "links to www.rfi.fr" in shown and "not that site's article" in shown


def test_an_upgrade_frees_a_link_already_squatted(tmp_path):
    """A database from before migration 8, where the squat already happened, is repaired."""
    path = tmp_path / "old.db"
    conn, db = database_at(path, 7)
    stamp = "2024-01-05T10:00:00Z"
    conn.execute("INSERT INTO sources (id, kind, name, url, affiliation, added_at, body_hash)"
                 " VALUES (1, 'feed', 'Sputnik', 'https://fr.sputniknews.africa/rss', 'Russia',"
                 " ?, 'abc'), (2, 'feed', 'RFI', 'https://www.rfi.fr/fr/afrique/rss', NULL, ?,"
                 " 'def')", [stamp, stamp])
    old_id = pipeline.article_id(pipeline.Document(title="", text="", key="", url=RFI_LINK))
    conn.execute("INSERT INTO articles (id, url, canonical_url, title, text, published,"
                 " source_id, first_seen, updated_at, content_hash) VALUES"
                 " (?, ?, ?, ?, ?, ?, 1, ?, ?, 'h')",
                 [old_id, RFI_LINK, RFI_LINK, INVENTED["title"], INVENTED["text"], stamp, stamp,
                  stamp])
    conn.execute("INSERT INTO article_sources VALUES (?, 1, ?, ?), (?, 2, ?, ?)",
                 [old_id, RFI_LINK, stamp, old_id, RFI_LINK, stamp])
    conn.execute("INSERT INTO tags (article_id, kind, value, evidence, key) VALUES"
                 " (?, 'actor', 'Russia', 'x', 'actor:Russia')", [old_id])
    conn.close()

    upgraded = store.open_db(path)
    claim = upgraded.execute("SELECT id, canonical_url, offsite, source_id FROM articles"
                             ).fetchall()
    assert len(claim) == 1 and claim[0][1:] == (None, 1, 1) and claim[0][0] != old_id
    assert upgraded.execute("SELECT source_id FROM article_sources").fetchall() == [(1,)]
    assert upgraded.execute("SELECT article_id FROM tags").fetchall() == [(claim[0][0],)]
    # Every feed is read in full once more, so the outlet's own entry is stored this time.
    assert upgraded.execute("SELECT count(*) FROM sources WHERE body_hash IS NOT NULL"
                            ).fetchone()[0] == 0
    assert upgraded.execute("PRAGMA foreign_key_check").fetchall() == []


BAD_DATES = [
    {"title": "Russia to keep troops in Mali forever", "link": "https://test.example/far",
     "text": "Russia deployed 300 soldiers to Mali, officials said.",
     "date": "Fri, 31 Dec 9999 23:59:59 GMT"},
    {"title": "France and Niger, year one", "link": "https://test.example/ancient",
     "text": "France withdrew 1500 soldiers from Niger, officials said.",
     "date": "Mon, 01 Jan 0001 00:00:00 GMT"},
    {"title": "Turkey delivers drones to Chad", "link": "https://test.example/honest",
     "text": "Turkey delivered drones to Chad, officials said.",
     "date": "Mon, 01 Jan 2024 10:00:00 GMT"},
]


def test_feed_dates_are_bounded_and_the_dashboard_never_shows_a_traceback(
        server, db, db_path, monkeypatch):
    url = server.bytes("/dates.xml", rss(BAD_DATES))
    feeds.add_feed(db, url, name="Dates", site="test.example")
    started = datetime.now(UTC).replace(microsecond=0)
    report = runner.run_once(db, options())
    rows = dict(db.execute("SELECT url, published FROM articles").fetchall())
    assert rows["https://test.example/honest"] == "2024-01-01T10:00:00Z"
    future = datetime.fromisoformat(rows["https://test.example/far"].replace("Z", "+00:00"))
    assert started <= future <= datetime.now(UTC) + timedelta(seconds=1)  # the fetch time
    assert db.execute("SELECT published_inferred FROM articles WHERE url LIKE '%/far'"
                      ).fetchone()[0] == 1
    assert rows["https://test.example/ancient"] >= "1900"
    assert any("in the future" in error for error in report.errors), report.errors
    latest = db.execute("SELECT max(date) FROM posture").fetchone()[0]
    assert latest is None or latest[:4] < "9999"

    # A row an older release stored with year 1 must not break the period picker.
    db.execute("UPDATE articles SET published = '1-01-01T00:00:00Z' WHERE url LIKE '%/ancient'")
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key="f_period").set_value("Custom range").run()
    for page in ("views/overview.py", "views/posture.py", "views/articles.py"):
        at.switch_page(page).run()
        assert not at.exception, [item.value for item in at.exception]


def test_the_dashboard_hides_error_details_from_viewers():
    config = (REPO / ".streamlit" / "config.toml").read_text()
    assert 'showErrorDetails = "none"' in config


def test_an_upgrade_repairs_impossible_feed_dates(tmp_path):
    path = tmp_path / "old.db"
    conn, db = database_at(path, 7)
    seen = "2024-03-01T08:00:00Z"
    conn.execute("INSERT INTO sources (id, kind, name, url, added_at) VALUES"
                 " (1, 'feed', 'F', 'https://f.example/rss', ?)", [seen])
    for ident, published in (("far", "9999-12-31T23:59:59Z"), ("one", "1-01-01T00:00:00Z"),
                             ("ok", "2024-02-01T00:00:00Z")):
        conn.execute("INSERT INTO articles (id, title, text, published, source_id, first_seen,"
                     " updated_at, content_hash) VALUES (?, 't', 'x', ?, 1, ?, ?, ?)",
                     [ident, published, seen, seen, ident])
        conn.execute("INSERT INTO dyads (article_id, actor, partner, status, published,"
                     " evidence, key) VALUES (?, 'Russia', 'Mali', 'reported', ?, 'e', 'k')",
                     [ident, published])
        conn.execute("INSERT INTO posture (article_id, actor, country, action, date, status,"
                     " evidence, key) VALUES (?, 'Russia', 'Mali', 'deploy', ?, 'reported',"
                     " 'e', 'k')", [ident, published[:10]])
    conn.close()
    upgraded = store.open_db(path)
    assert dict(upgraded.execute("SELECT id, published FROM articles").fetchall()) == {
        "far": seen, "one": seen, "ok": "2024-02-01T00:00:00Z"}
    assert dict(upgraded.execute("SELECT article_id, published FROM dyads").fetchall()) == {
        "far": seen, "one": seen, "ok": "2024-02-01T00:00:00Z"}
    assert dict(upgraded.execute("SELECT article_id, date FROM posture").fetchall()) == {
        "far": seen[:10], "one": seen[:10], "ok": "2024-02-01"}
    assert upgraded.execute("SELECT group_concat(published_inferred) FROM articles"
                            " WHERE id IN ('far', 'one')").fetchone()[0] == "1,1"


def test_the_run_lock_holds_through_a_symlinked_path(tmp_path):
    real = tmp_path / "data" / "monitor.db"
    store.open_db(real).conn.close()
    link = tmp_path / "elsewhere.db"
    link.symlink_to(real)
    with lock.run_lock(real):
        with pytest.raises(lock.LockedError), lock.run_lock(link):
            pass
    with lock.run_lock(link):
        with pytest.raises(lock.LockedError), lock.run_lock(real):
            pass


def test_retag_never_writes_tags_of_an_older_text(db):
    source = store.ensure_source(db, kind="feed", url="https://f.example/rss", name="F")
    doc = pipeline.Document(title="Russia and Mali", key="k", url="https://f.example/1",
                            text="Russia deployed 300 soldiers to Mali on March 3, 2023.")
    assert pipeline.store_document(db, doc, source) == "new"
    _, stale = pipeline._tag_batch(db, 0, 10)  # retag read and tagged the old text...
    doc.title, doc.text = "Drones for Niger", "China delivered drones to Niger on March 4, 2023."
    assert pipeline.store_document(db, doc, source) == "updated"  # ...a run changed it...
    written = pipeline.write_batch(db, stale)  # ...and retag comes to write its result
    assert written == 0
    actors = {row[0] for row in db.execute("SELECT value FROM tags WHERE kind = 'actor'")}
    evidence = {row[0] for row in db.execute("SELECT evidence FROM tags")}
    assert actors == {"China"}
    assert all("Russia" not in sentence for sentence in evidence)
