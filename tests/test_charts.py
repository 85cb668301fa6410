"""Chart builders are pure: check their Vega-Lite specs with ``to_dict()``."""

from __future__ import annotations

import json

import pandas as pd

from ingest import charts, geo


def test_timeline_is_small_multiples_per_actor():
    months = pd.DataFrame([{"month": "2024-01", "actor": "Russia", "articles": 3},
                           {"month": "2024-01", "actor": "France", "articles": 1}])
    spec = charts.actor_timeline(months).to_dict()
    assert spec["encoding"]["row"]["field"] == "actor"
    assert spec["encoding"]["y"]["field"] == "articles"


def test_matrix_has_a_cell_selection_and_theme_tooltip():
    cells = pd.DataFrame([{"actor": "Russia", "partner": "Mali", "articles": 3,
                           "first": "2024-01-10", "last": "2024-03-01",
                           "themes": "pmc (2), training (1)"}])
    spec = charts.partnership_matrix(cells).to_dict()
    assert spec["mark"]["type"] == "rect"
    assert spec["params"][0]["name"] == charts.CELL
    assert spec["params"][0]["select"]["fields"] == ["actor", "partner"]
    assert {"field": "themes_label", "type": "nominal", "title": "top themes"} in spec[
        "encoding"]["tooltip"]


def test_africa_map_is_offline_and_shaded():
    spec = charts.africa_map({"Mali": 4}, "articles").to_dict()
    assert "url" not in json.dumps(spec["data"])
    values = {f["properties"]["name"]: f["properties"]["value"] for f in spec["data"]["values"]}
    assert values["Mali"] == 4 and values["Niger"] == 0
    assert spec["projection"]["type"] == charts.MAP_PROJECTION


def test_geometry_is_small_and_covers_africa():
    names = geo.country_names()
    assert len(names) == 56
    assert {"Mali", "Central African Republic", "Côte d'Ivoire", "Cabo Verde",
            "Democratic Republic of the Congo", "Somalia"} <= set(names)
    size = (geo.resources.files("ingest") / "data/africa.geojson").stat().st_size
    assert size < 300_000


def test_posture_charts():
    events = pd.DataFrame([
        {"posture_id": 1, "date": "2024-01-10", "action": "present", "personnel": 1000,
         "personnel_text": None, "place": "Gao", "status": "reported", "source": "Demo"},
        {"posture_id": 2, "date": "2024-02-10", "action": "handover", "personnel": None,
         "personnel_text": None, "place": "Gao", "status": "reported", "source": "Demo"}])
    spec = charts.posture_events(events).to_dict()
    assert spec["params"][0]["select"]["fields"] == ["posture_id"]
    # An event without a figure is still drawn (Vega-Lite would drop a null size).
    rows = next(iter(spec["datasets"].values()))
    assert [row["size"] for row in rows] == [1000, 0]
    line = charts.force_level(pd.DataFrame([{"date": "2024-01-10", "level": 1000}])).to_dict()
    assert line["mark"]["interpolate"] == "step-after"


def test_places_map_layers_points_on_the_outline():
    places = pd.DataFrame([{"place": "Gao", "actor": "Russia", "country": "Mali", "events": 2,
                            "last": "2024-03-01", "lat": 16.27, "lon": -0.04}])
    spec = charts.places_map(places).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["geoshape", "circle"]
    assert spec["layer"][1]["encoding"]["longitude"]["field"] == "lon"


def test_locate_uses_the_gazetteer_when_present(monkeypatch):
    monkeypatch.setattr(geo, "place_coordinates", lambda: {"Gao": (16.27, -0.04, "Mali")})
    found, missing = geo.locate([{"place": "gao"}, {"place": "Atlantis"}])
    assert found == [{"place": "gao", "lat": 16.27, "lon": -0.04}] and missing == ["Atlantis"]


def test_counts_have_whole_ticks_and_names_are_not_cut():
    cells = pd.DataFrame([{"actor": "United Arab Emirates", "partner": "Central African Republic",
                           "articles": 2, "first": "2024-01-01", "last": "2024-02-01",
                           "themes": ""}])
    encoding = charts.partnership_matrix(cells).to_dict()["encoding"]
    assert encoding["color"]["legend"]["tickMinStep"] == 1  # no "1.5 articles" in the legend
    assert encoding["x"]["axis"]["labelLimit"] >= len("Central African Republic") * 8
    months = pd.DataFrame([{"actor": "Russia", "month": "2024-01-01", "articles": 1}])
    assert charts.actor_timeline(months).to_dict()["encoding"]["y"]["axis"]["tickMinStep"] == 1


def test_dates_read_as_dates_whatever_the_span():
    lone = charts.time_axis(pd.Series(["2025-07-17"])).to_dict()
    assert lone["scale"]["domain"] == ["2025-07-02", "2025-08-01"]  # not hours of one day
    assert lone["axis"]["format"] == "%d %b %Y"
    years = charts.time_axis(pd.Series(["2013-01-11", "2022-08-15"])).to_dict()
    assert years["axis"]["format"] == "%Y" and years["axis"]["tickCount"]["interval"] == "year"
    months = charts.time_axis(pd.Series(["2022-02-17", "2022-08-16"])).to_dict()
    assert months["axis"]["format"] == "%b %Y"  # the year is on every label, whatever the span


def test_the_event_and_level_charts_share_one_time_axis():
    events = pd.DataFrame([{"date": "2013-01-11", "action": "deploy", "personnel": 3000,
                            "status": "planned", "posture_id": 1, "personnel_text": None,
                            "place": None, "source": "s"}])
    levels = pd.DataFrame([{"date": "2022-02-17", "level": 2400}, {"date": "2022-08-15",
                                                                     "level": 0}])
    span = pd.concat([events["date"], levels["date"]])
    top = charts.posture_events(events, span).to_dict()["encoding"]["x"]
    bottom = charts.force_level(levels, span).to_dict()["encoding"]["x"]
    assert top["scale"]["domain"] == bottom["scale"]["domain"]
    assert top["scale"]["domain"][0] < "2013-01-11" and bottom["scale"]["domain"][1] > "2022-08-15"


def test_charts_read_labels_not_ids():
    cells = pd.DataFrame([{"actor": "Russia", "partner": "Mali", "articles": 3,
                           "first": "2024-01-10", "last": "2024-03-01",
                           "themes": "troop_withdrawal (2), military_cooperation (1)"}])
    spec = charts.partnership_matrix(cells).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["themes_label"] == "Troop withdrawal (2), Military cooperation (1)"
    events = pd.DataFrame([{"posture_id": 1, "date": "2024-03-01", "action": "withdraw",
                            "personnel": 1500, "personnel_text": None, "place": "Gao",
                            "status": "hedged", "source": "Demo"}])
    spec = charts.posture_events(events).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert (rows[0]["action_label"], rows[0]["status_label"]) == ("Withdrawal", "Hedged")
    assert spec["encoding"]["y"]["field"] == "action_label"
    assert spec["encoding"]["color"]["field"] == "status_label"
    tooltip = {item["field"]: item.get("title") for item in spec["encoding"]["tooltip"]}
    assert tooltip["action_label"] == "action" and "action" not in tooltip
    # a missing figure or text reads "—" in the tooltip, never "null"
    assert {rows[0][field] for field in tooltip if field != "date"} >= {"—", "1,500"}
    assert None not in [rows[0][field] for field in tooltip]
