"""The pages an analyst looks at (issue 14): the Overview's picture first, evidence under the
chart that chose it, a force across its countries, the latest posture agreeing with the level
chart. Real SQLite files, the real app under AppTest; chart choices are set as the browser
sets them, through the chart's selection state."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ingest import aggregates, seeds, store
from ingest.queries import Filters
from tests.conftest import REPO
from tests.test_aggregates import build_demo
from tests.test_dashboard import APP, chart_with, charts, no_exceptions, on_page


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The bundled demo as `python -m ingest seeds` builds it (126 documents)."""
    path = tmp_path_factory.mktemp("glance") / "demo.db"
    db = store.open_db(path)
    assert seeds.ingest_folder(db, REPO / "seeds").errors == []
    db.conn.close()
    return path


def app_on(path, monkeypatch, page: str | None = None) -> AppTest:
    monkeypatch.setenv("MONITOR_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    return on_page(at, page) if page else at


@pytest.fixture
def small(db_path, monkeypatch):
    """The six-article database of test_aggregates, whose answers are known."""
    build_demo(db_path).conn.close()
    return app_on(db_path, monkeypatch)


def layout(at: AppTest) -> list[str]:
    """The main area top to bottom: "subheader:...", "chart:<marks>", "table:<columns>",
    "metric:<label>", "markdown:..." (containers filled late sit where they were made)."""
    def walk(block):
        for index in sorted(block.children):
            node = block.children[index]
            if hasattr(node, "children"):  # a container, columns, a column
                yield from walk(node)
                continue
            kind = node.type
            if kind in ("arrow_vega_lite_chart", "vega_lite_chart"):
                spec = json.loads(node.proto.spec)
                marks = [layer["mark"]["type"] for layer in spec.get("layer", [spec])]
                yield "chart:" + ",".join(marks)
            elif kind in ("arrow_data_frame", "dataframe"):
                yield "table:" + ",".join(node.value.columns)
            elif kind in ("subheader", "metric", "markdown"):
                yield f"{kind}:{node.label if kind == 'metric' else node.value}"
    return list(walk(at.main))


def position(items: list[str], prefix: str) -> int:
    return next(i for i, item in enumerate(items) if item.startswith(prefix))


def select(at: AppTest, key: str, name: str, point: dict) -> AppTest:
    """Choose a chart mark as a click does: the chart's selection state holds its fields."""
    at.session_state[key] = {"selection": {name: [point]}}
    at = at.run()
    no_exceptions(at)
    return at


# --- Overview -------------------------------------------------------------------------------

def test_the_overview_shows_the_timeline_and_the_map_above_the_numbers(bundled, monkeypatch):
    at = app_on(bundled, monkeypatch)
    no_exceptions(at)
    items = layout(at)
    timeline = position(items, "chart:rect")
    presence = position(items, "chart:geoshape,point")
    assert max(timeline, presence) < position(items, "metric:Stories")  # counted by default
    spec, (cells,) = chart_with(at, "rect")
    # the ten most active partnerships, readable at 126 articles over eleven years: by year
    assert cells.pair.nunique() == 10 and set(cells.period.str.len()) == {4}
    assert cells.groupby("pair").articles.sum().max() == 19  # Russia – Mali, as the matrix


@pytest.mark.parametrize("unit", ["articles", "stories", "events"])
def test_the_timeline_counts_what_the_matrix_counts(bundled, unit):
    db = store.open_db(bundled, readonly=True)
    cells = aggregates.matrix(db, Filters(unit=unit))[:10]
    months = aggregates.pair_months(db, Filters(unit=unit), tuple((c["actor"], c["partner"])
                                                                  for c in cells))
    summed = Counter()
    for row in months:
        summed[row["actor"], row["partner"]] += row["articles"]
    assert summed == {(c["actor"], c["partner"]): c["articles"] for c in cells}


def test_a_timeline_cell_lists_the_statements_it_counts(small):
    at = select(small, "o_timeline", "pair_period", {
        "actor": "Russia", "partner": "Mali", "since": "2024-02-01", "until": "2024-02-29"})
    items = layout(at)
    evidence = position(items, "table:published,themes,evidence")
    assert position(items, "chart:rect") < evidence < position(items, "metric:Stories")
    table = next(t.value for t in at.dataframe if "speaker" in t.value.columns)
    assert list(table.evidence) == ["Russia sent 200 more troops to Mali."]


def test_the_presence_map_marks_the_latest_force_and_leads_to_its_sentence(small):
    spec, frames = chart_with(small, "geoshape")
    marks = {(row.actor, row.country): row for row in frames[-1].itertuples()}
    # Russia in Mali: 1,000, then 200 more, then 1,500 withdrawn: none left
    assert marks["Russia", "Mali"].level_label == "0"
    assert marks["Russia", "Mali"].state == "reported gone (0)"
    assert marks["Wagner Group", "Central African Republic"].level_label == "300"
    assert "Wagner a déployé" in marks["Wagner Group", "Central African Republic"].evidence_short
    at = select(small, "o_map", "presence", {"actor": "Wagner Group",
                                             "country": "Central African Republic"})
    items = layout(at)
    assert position(items, "chart:geoshape") < position(items, "table:actor,country,date")
    chosen = next(t.value for t in at.dataframe if "level" in t.value.columns)
    assert list(zip(chosen.actor, chosen.source, strict=True)) == [("Wagner Group",
                                                                     "RT Afrique")]


def test_latest_developments_need_no_period(small):
    assert small.selectbox(key="f_period").value == "All dates"
    tables = [t.value for t in small.dataframe]
    events = next(t for t in tables if "action" in t.columns and "place" in t.columns)
    assert (events.date[0], events.actor[0], events.action[0]) == ("2024-03-01", "Russia",
                                                                   "Withdrawal")
    assert events.evidence[0] and events.source[0] == "Demo folder"
    sightings = next(t for t in tables if "first_seen" in t.columns)
    assert (sightings.actor[0], sightings.partner[0], sightings.first_seen[0]) == (
        "Turkey", "Somalia", "2024-03-02")
    assert sightings.evidence[0] == "Turkey delivered drones to Somalia."
    assert "Russia" in set(sightings.actor)  # seen long ago, still listed, last


# --- Partnerships ---------------------------------------------------------------------------

def test_a_matrix_cell_opens_its_evidence_right_under_the_matrix(small):
    at = on_page(small, "views/partnerships.py")
    at = select(at, "matrix", "cell", {"actor": "Russia", "partner": "Mali"})
    items = layout(at)
    evidence = position(items, "table:published,actor,partner")
    assert position(items, "chart:rect,text") < evidence < position(items, "subheader:Where")
    table = at.dataframe[-1].value
    assert set(zip(table.actor, table.partner, strict=True)) == {("Russia", "Mali")}
    spec, (cells,) = chart_with(at, "rect")
    assert spec["layer"][1]["encoding"]["text"]["field"] == "articles"  # counts in the cells


def test_a_country_on_the_map_opens_its_evidence_under_the_map(small):
    at = on_page(small, "views/partnerships.py")
    at.selectbox(key="p_actor").set_value("Russia").run()
    at = select(at, "p_map", "country", {"country": "Central African Republic"})
    items = layout(at)
    evidence = position(items, "table:published,actor,partner")
    assert position(items, "chart:geoshape") < evidence < position(items, "subheader:Stories")
    table = at.dataframe[-1].value
    assert set(zip(table.actor, table.partner, strict=True)) == {
        ("Russia", "Central African Republic")}


def test_an_actor_bar_opens_its_evidence_under_the_timeline(small):
    at = on_page(small, "views/partnerships.py")
    at = select(at, "p_months", "actor", {"actor": "Wagner Group"})
    items = layout(at)
    assert position(items, "subheader:Stories per actor") < position(items, "table:published,actor")
    assert set(at.dataframe[-1].value.actor) == {"Wagner Group"}
    spec, _ = chart_with(at, "bar")
    assert spec["resolve"]["scale"]["y"] == "shared"


# --- Troop posture --------------------------------------------------------------------------

def event_chart(at: AppTest):
    return next((spec, frames) for spec, frames in charts(at)
                if spec.get("mark", {}).get("type") == "point")


def test_a_force_across_its_countries_on_one_time_axis(bundled, monkeypatch):
    at = app_on(bundled, monkeypatch, "views/posture.py")
    at.multiselect(key="t_forces").set_value(["France"]).run()
    no_exceptions(at)
    spec, (levels,) = chart_with(at, "line")
    assert {"Mali", "Niger", "Chad", "Burkina Faso"} <= set(levels.country)
    assert spec["encoding"]["row"]["field"] == "country"
    events_spec, (events,) = event_chart(at)
    assert {"Mali", "Niger", "Chad", "Burkina Faso"} <= set(events.country)
    assert events_spec["encoding"]["x"]["scale"] == spec["encoding"]["x"]["scale"]
    assert "%Y" in spec["encoding"]["x"]["axis"]["format"]  # the year on every label
    at.multiselect(key="t_forces").set_value(["Russia", "Wagner Group", "Africa Corps"]).run()
    no_exceptions(at)
    _, (levels,) = chart_with(at, "line")
    events_spec, (events,) = event_chart(at)
    assert {"Mali", "Central African Republic", "Libya", "Sudan"} <= set(events.country)
    assert {"Russia", "Wagner Group", "Africa Corps"} <= set(events.actor)
    assert {"Russia", "Wagner Group"} <= set(levels.actor)
    for spec, frame in ((events_spec, events), chart_with(at, "line")):
        frame = frame[0] if isinstance(frame, list) else frame
        shown = [item["field"] for item in spec["encoding"]["tooltip"]]
        assert frame[shown].notna().all().all(), shown  # a tooltip never reads null


@pytest.mark.parametrize("unit", ["articles", "stories", "events"])
def test_final_levels_are_the_level_charts_last_points(bundled, unit):
    db = store.open_db(bundled, readonly=True)
    counted = Filters(unit=unit)
    finals = aggregates.final_levels(db, counted)
    for row in aggregates.posture_pairs(db, counted):
        pair = (row["actor"], row["country"])
        levels = aggregates.force_levels(db, counted, *pair)
        last = {"date": levels[-1]["date"], "level": levels[-1]["level"]} if levels else None
        assert finals.get(pair) == last, pair
    assert aggregates.carried([{"date": "2024-01-01", "level": 5}], "2024-03-01") == [
        {"date": "2024-01-01", "level": 5}, {"date": "2024-03-01", "level": 5}]
    assert aggregates.carried([], "2024-03-01") == []


def latest_table(at: AppTest):
    return next(t.value for t in at.dataframe if "level" in t.value.columns)


def test_the_latest_posture_agrees_with_the_level_chart_and_the_evidence(bundled,
                                                                          monkeypatch):
    """For every force and country of the bundled demo: choosing its row shows the level
    chart whose last point is the table's date and figure, and the evidence beside it holds
    the table's sentence as the newest reported event."""
    at = app_on(bundled, monkeypatch, "views/posture.py")
    rows = latest_table(at).to_dict("records")
    assert len(rows) >= 30
    for index, row in enumerate(rows):
        at.session_state["t_latest"] = {"selection": {"rows": [index], "columns": [],
                                                      "cells": []}}
        at = at.run()
        no_exceptions(at)
        pair = (row["actor"], row["country"])
        assert (at.selectbox(key="t_actor").value, at.selectbox(key="t_country").value) == pair
        evidence = next(t.value for t in at.dataframe if "personnel_text" in t.value.columns
                        and "level" not in t.value.columns)
        reported = evidence[evidence.status == "Reported"]
        assert row["evidence"] in set(reported.evidence), pair
        assert reported.date.iloc[0] == row["date"], pair
        levels = next((f for s, f in charts(at) if s.get("mark", {}).get("type") == "line"),
                      [None])[0]
        own = [] if levels is None else levels[(levels.actor == pair[0])
                                               & (levels.country == pair[1])]
        if row["level"] == "—":
            assert len(own) == 0, pair
        else:
            last = own.iloc[-1]
            assert (f"{last.level:,}", last.date) == (row["level"], row["date"]), pair
        if index == 0:  # the evidence opens under the table that chose it
            items = layout(at)
            assert position(items, "table:actor,country,date") < position(
                items, "table:date,action") < position(items, "subheader:Where")


def test_choosing_an_event_shows_its_sentence_under_the_charts(small, db_path):
    at = on_page(small, "views/posture.py")
    db = store.open_db(db_path, readonly=True)
    posture_id = db.execute("SELECT id FROM posture WHERE action = 'deploy'"
                            " AND actor = 'Russia'").fetchone()[0]
    at = select(at, "events", "event", {"posture_id": posture_id})
    items = layout(at)
    evidence = position(items, "table:date,action")
    assert position(items, "chart:line") < evidence < position(items, "subheader:Latest")
    assert list(at.dataframe[0].value.evidence) == ["Russia sent 200 more troops to Mali."]
