"""The Events page under Streamlit's AppTest, on a real SQLite file: one row for an English
and a French report of one deployment, who said which figure, and a split made on the page."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ingest import queries, seeds, store
from tests.conftest import REPO
from tests.test_events import EN, FR, _deploy_events, _store


@pytest.fixture
def events_app(db_path, monkeypatch):
    st.cache_data.clear()
    db = store.open_db(db_path)
    _store(db, EN, "en", "2021-07-09", "reuters.example")
    _store(db, FR, "fr", "2021-07-10", "rfi.example")
    db.conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    yield at.switch_page("views/events.py").run()
    st.cache_data.clear()


def test_the_page_shows_one_event_with_both_languages_and_who_said_which_figure(events_app):
    at = events_app
    assert not at.exception and not at.error
    listed = at.dataframe[0].value
    deploy = listed[listed["action"].str.contains("eploy")]
    assert len(deploy) == 1 and deploy.iloc[0]["languages"] == "en, fr"
    said = at.dataframe[1].value
    assert set(said["said by"]) >= {"reuters.example", "rfi.example"}
    assert {"1,000", "1,200"} <= set(said["value"])


def test_a_split_on_the_page_is_recorded_and_shown(events_app, db_path):
    at = events_app
    db = store.open_db(db_path)
    [event] = _deploy_events(db)
    at.selectbox(key="e_event").set_value(event["event_id"]).run()
    french = [("posture" if s["kind"] == "posture" else "dyads", s["statement_id"])
              for s in queries.event_statements(db, event["event_id"])
              if s["outlet"] == "rfi.example"]
    at.multiselect(key=f"e_split_{event['event_id']}").set_value(french)
    at.text_input(key="e_analyst").input("A. Analyst")
    at.run()
    at.button(key="e_split_go").click().run()
    assert not at.exception
    assert len(_deploy_events(db)) == 2
    assert list(db.query("SELECT analyst FROM event_corrections")) == [{"analyst": "A. Analyst"}]


def test_the_page_renders_the_bundled_corpus_events(db_path, monkeypatch):
    st.cache_data.clear()
    db = store.open_db(db_path)
    seeds.ingest_folder(db, REPO / "seeds")
    reported_twice = db.execute(
        "SELECT count(*) FROM events e WHERE (SELECT count(DISTINCT article_id) FROM posture"
        " WHERE event_id = e.id) > 1").fetchone()[0]
    db.conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    at = at.switch_page("views/events.py").run()
    assert not at.exception and not at.error
    listed = at.dataframe[0].value
    assert len(listed) > 0 and reported_twice > 0
    assert (listed["articles"] > 1).any(), "some happening is reported by several articles"
