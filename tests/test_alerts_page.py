"""The Alerts page and the sidebar's "Save as a watch", under Streamlit's AppTest, against a
real SQLite file."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ingest import alerts, store, watches
from ingest.queries import Filters
from tests.test_aggregates import build_demo
from tests.test_alerts import LONG_AGO
from tests.test_dashboard import APP, no_exceptions, on_page


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def alerted(db_path, monkeypatch):
    """The demo database with a new-pair watch that has seen every demo article arrive."""
    db = build_demo(db_path)
    watches.add_watch(db, "new pairs", "new-pair", Filters(statuses=("reported",)))
    with store.transaction(db):
        db.execute("UPDATE watches SET cursor = ?", [LONG_AGO])
    assert alerts.check(db, []) == 4
    db.conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    return AppTest.from_file(APP, default_timeout=60).run()


def read_state(db_path) -> dict[str, bool]:
    db = store.open_db(db_path, readonly=True)
    try:
        return {row["summary"]: bool(row["read_at"]) for row in alerts.alert_list(db)}
    finally:
        db.conn.close()


def test_alerts_are_listed_unread_first_and_can_be_marked_read(alerted, db_path):
    at = on_page(alerted, "views/alerts.py")
    no_exceptions(at)
    assert {m.label: m.value for m in at.metric} == {"Unread": "4", "Alerts": "4"}
    table = at.dataframe[0].value
    assert set(table.state) == {"unread"}
    assert "Russia and Mali signed a defence pact on Tuesday." in set(table.evidence)
    pick = at.multiselect(key="a_pick")
    chosen = "New pair: Russia – Mali · new pairs"
    assert chosen in pick.options
    db = store.open_db(db_path, readonly=True)
    mali = next(row["id"] for row in alerts.alert_list(db) if "Russia – Mali" in row["summary"])
    db.conn.close()
    at = pick.set_value([mali]).run()
    at = at.button(key="a_read").click().run()
    no_exceptions(at)
    assert {m.label: m.value for m in at.metric}["Unread"] == "3"
    states = list(at.dataframe[0].value.state)
    assert states == ["unread"] * 3 + ["read"]  # unread first
    assert sum(read_state(db_path).values()) == 1
    assert chosen not in at.multiselect(key="a_pick").options
    at = at.button(key="a_read_all").click().run()
    assert all(read_state(db_path).values())
    assert {m.label: m.value for m in at.metric}["Unread"] == "0"


def test_a_watch_is_paused_resumed_and_removed_from_the_page(alerted, db_path):
    at = on_page(alerted, "views/alerts.py")
    at = at.button(key="a_pause").click().run()
    assert at.dataframe[-1].value.state.tolist() == ["paused"]
    at = at.button(key="a_pause").click().run()
    assert at.dataframe[-1].value.state.tolist() == ["active"]
    at = at.button(key="a_remove").click().run()
    no_exceptions(at)
    db = store.open_db(db_path, readonly=True)
    assert watches.list_watches(db) == [] and len(alerts.alert_list(db)) == 4
    db.conn.close()


def test_the_sidebar_saves_the_current_filters_as_a_watch(alerted, db_path):
    at = alerted
    at.multiselect(key="f_actors").set_value(["Russia"]).run()
    at.multiselect(key="f_statuses").set_value(["reported"]).run()
    at.text_input(key="w_name").set_value("Russia spikes").run()
    at.selectbox(key="w_trigger").set_value("spike").run()
    at.number_input(key="w_k").set_value(2.5).run()
    at = at.button(key="w_save").click().run()
    no_exceptions(at)
    assert any("Saved “Russia spikes”" in item.value for item in at.success)
    db = store.open_db(db_path, readonly=True)
    saved = watches.find_watch(db, "Russia spikes")
    db.conn.close()
    assert (saved.trigger, saved.k) == ("spike", 2.5)
    assert (saved.filters.actors, saved.filters.statuses) == (("Russia",), ("reported",))
    at = at.button(key="w_save").click().run()  # the same name twice: one clear line
    assert any("a watch named 'Russia spikes' already exists" in item.value
               for item in at.error)


def test_an_empty_alerts_page_says_how_to_start(db_path, monkeypatch):
    build_demo(db_path).conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = on_page(AppTest.from_file(APP, default_timeout=60).run(), "views/alerts.py")
    no_exceptions(at)
    assert any("Save a watch first" in item.value for item in at.info)
