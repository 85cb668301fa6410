"""Chart builders are pure: check their Vega-Lite specs with ``to_dict()``."""

from __future__ import annotations

import json

import pandas as pd

from ingest import charts, geo


def test_timeline_is_small_multiples_per_actor_on_one_scale():
    months = pd.DataFrame([{"month": "2024-01", "actor": "Russia", "articles": 3},
                           {"month": "2024-01", "actor": "France", "articles": 1}])
    spec = charts.actor_timeline(months).to_dict()
    assert spec["encoding"]["row"]["field"] == "actor"
    assert spec["encoding"]["y"]["field"] == "articles"
    # one scale for every actor: a bar of 1 is a third of a bar of 3, whoever's it is
    assert spec["resolve"]["scale"]["y"] == "shared"
    assert spec["params"][0]["select"]["fields"] == ["actor"]


def test_matrix_has_a_cell_selection_and_theme_tooltip():
    cells = pd.DataFrame([{"actor": "Russia", "partner": "Mali", "articles": 3,
                           "first": "2024-01-10", "last": "2024-03-01",
                           "themes": "pmc (2), training (1)"}])
    spec = charts.partnership_matrix(cells).to_dict()
    rect, text = spec["layer"]
    assert rect["mark"]["type"] == "rect" and text["mark"]["type"] == "text"
    assert spec["params"][0]["name"] == charts.CELL
    assert spec["params"][0]["select"]["fields"] == ["actor", "partner"]
    assert {"field": "themes_label", "type": "nominal", "title": "top themes"} in rect[
        "encoding"]["tooltip"]
    # the count is written in its cell
    assert text["encoding"]["text"]["field"] == "articles"


def test_africa_map_is_offline_and_shaded():
    spec = charts.africa_map({"Mali": 4}, "articles")
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


def event(posture_id: int, day: str, action: str, personnel: int | None, *,
          actor: str = "Russia", country: str = "Mali", status: str = "reported") -> dict:
    return {"posture_id": posture_id, "date": day, "actor": actor, "country": country,
            "action": action, "personnel": personnel, "personnel_text": None, "place": None,
            "status": status, "source": "Demo", "evidence": f"Sentence {posture_id}."}


def test_posture_charts():
    events = pd.DataFrame([event(1, "2024-01-10", "present", 1000),
                           event(2, "2024-02-10", "handover", None)])
    spec = charts.posture_events(events).to_dict()
    assert spec["params"][0]["select"]["fields"] == ["posture_id"]
    # An event without a figure is still drawn (Vega-Lite would drop a null size).
    rows = next(iter(spec["datasets"].values()))
    assert [row["size"] for row in rows] == [1000, 0]
    line = charts.force_level(pd.DataFrame([{"actor": "Russia", "country": "Mali",
                                             "date": "2024-01-10", "level": 1000}])).to_dict()
    assert line["mark"]["interpolate"] == "step-after"


def test_a_force_across_countries_is_one_panel_per_country_on_one_scale():
    """France across the Sahel, Russia with Wagner: one panel per country, one colour per
    force, every panel on the same personnel scale and the same time axis."""
    levels = pd.DataFrame([
        {"actor": "France", "country": "Mali", "date": "2021-06-01", "level": 5100},
        {"actor": "France", "country": "Mali", "date": "2022-08-15", "level": 0},
        {"actor": "France", "country": "Niger", "date": "2022-09-01", "level": 1500},
        {"actor": "Wagner Group", "country": "Mali", "date": "2022-01-01", "level": 1000}])
    spec = charts.force_level(levels).to_dict()
    assert spec["encoding"]["row"]["field"] == "country"
    assert spec["encoding"]["color"]["field"] == "actor"
    assert spec["resolve"]["scale"]["y"] == "shared"
    assert spec["params"][0]["select"]["fields"] == ["actor", "country"]
    events = pd.DataFrame([event(1, "2021-06-01", "present", 5100, actor="France"),
                           event(2, "2022-09-01", "deploy", 1500, actor="France",
                                 country="Niger"),
                           event(3, "2022-01-01", "deploy", 1000, actor="Wagner Group")])
    top = charts.posture_events(events, levels["date"]).to_dict()
    rows = {row["row"] for row in next(iter(top["datasets"].values()))}
    assert rows == {"Mali · France", "Niger · France", "Mali · Wagner Group"}
    assert top["encoding"]["x"]["scale"] == spec["encoding"]["x"]["scale"]


def test_places_map_layers_points_on_the_outline():
    places = pd.DataFrame([{"place": "Gao", "actor": "Russia", "country": "Mali", "events": 2,
                            "last": "2024-03-01", "lat": 16.27, "lon": -0.04}])
    spec = charts.places_map(places)
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
    spec = charts.partnership_matrix(cells).to_dict()
    color = spec["layer"][0]["encoding"]["color"]
    assert color["legend"]["tickMinStep"] == 1  # no "1.5 articles" in the legend
    x = spec["layer"][0]["encoding"]["x"]
    assert x["axis"]["labelLimit"] >= len("Central African Republic") * 8
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
    events = pd.DataFrame([event(1, "2013-01-11", "deploy", 3000, actor="France",
                                 status="planned")])
    levels = pd.DataFrame([{"actor": "France", "country": "Mali", "date": "2022-02-17",
                            "level": 2400},
                           {"actor": "France", "country": "Mali", "date": "2022-08-15",
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
    events = pd.DataFrame([event(1, "2024-03-01", "withdraw", 1500, status="hedged")])
    spec = charts.posture_events(events).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert (rows[0]["action_label"], rows[0]["status_label"]) == ("Withdrawal", "Hedged")
    assert spec["encoding"]["shape"]["field"] == "action_label"
    assert spec["encoding"]["color"]["field"] == "status_label"
    tooltip = {item["field"]: item.get("title") for item in spec["encoding"]["tooltip"]}
    assert tooltip["action_label"] == "action" and "action" not in tooltip
    # a missing figure or text reads "—" in the tooltip, never "null"
    assert {rows[0][field] for field in tooltip if field != "date"} >= {"—", "1,500"}
    assert None not in [rows[0][field] for field in tooltip]
    assert tooltip["evidence_short"] == "evidence" and rows[0]["evidence_short"] == "Sentence 1."


def test_the_overview_timeline_shares_one_scale_and_fits_its_span():
    """A few articles over eleven years read as years; a year of a million articles as
    months; one colour scale for every pair; a cell selects its pair and period."""
    sparse = pd.DataFrame([
        {"month": "2014-07", "actor": "France", "partner": "Mali", "articles": 1},
        {"month": "2021-03", "actor": "Russia", "partner": "Mali", "articles": 2},
        {"month": "2021-11", "actor": "Russia", "partner": "Mali", "articles": 3},
        {"month": "2025-10", "actor": "Russia", "partner": "Togo", "articles": 1}])
    spec = charts.pair_timeline(sparse).to_dict()
    cells = next(iter(spec["datasets"].values()))
    russia = [c for c in cells if c["pair"] == "Russia – Mali"]
    assert [(c["period"], c["articles"], c["since"], c["until"]) for c in russia] == [
        ("2021", 5, "2021-01-01", "2021-12-31")]
    rect = spec["layer"][0]
    assert rect["encoding"]["color"]["field"] == "articles"  # one scale: no facets, no resolve
    assert "resolve" not in spec and "row" not in rect["encoding"]
    assert spec["params"][0]["select"]["fields"] == ["actor", "partner", "since", "until"]
    assert rect["encoding"]["y"]["sort"][0] == "Russia – Mali"  # most active first
    busy = pd.DataFrame([{"month": f"2024-{m:02d}", "actor": "Russia", "partner": "Mali",
                          "articles": 40_000 + m} for m in range(1, 13)])
    cells = next(iter(charts.pair_timeline(busy).to_dict()["datasets"].values()))
    assert len(cells) == 12 and cells[0]["period"] == "Jan 2024"
    assert cells[0]["until"] == "2024-01-31"


def test_the_presence_map_is_offline_and_reads_figures():
    rows = pd.DataFrame([
        {"actor": "Russia", "country": "Mali", "date": "2025-06-07", "action": "present",
         "level": 2000, "evidence": "Around 2,000 Russian mercenaries.", "source": "Demo",
         "lat": 17.3, "lon": -3.5},
        {"actor": "France", "country": "Mali", "date": "2022-08-15", "action": "withdraw",
         "level": 0, "evidence": None, "source": "Demo", "lat": 16.0, "lon": -4.0},
        {"actor": "China", "country": "Djibouti", "date": None, "action": "base_open",
         "level": None, "evidence": "China opened a base.", "source": "Demo",
         "lat": 11.7, "lon": 42.5}])
    spec = charts.presence_map(rows)
    assert "url" not in json.dumps(spec)  # no tile server, no remote shapes
    outline, points = spec["layer"]
    assert outline["mark"]["type"] == "geoshape" and len(outline["data"]["values"]) == 56
    assert spec["params"][0]["select"]["fields"] == ["actor", "country"]
    data = spec["datasets"][points["data"]["name"]]
    shown = {row["actor"]: row for row in data}
    assert shown["Russia"]["level_label"] == "2,000" and shown["China"]["level_label"] == "—"
    assert shown["France"]["state"] == "reported gone (0)"
    assert shown["Russia"]["action_label"] == "Presence"
    fields = [item["field"] for item in points["encoding"]["tooltip"]]
    assert None not in [row[field] for row in data for field in fields]


def test_forces_are_placed_in_their_countries_without_hiding_each_other():
    rows = geo.at_countries([{"actor": "Russia", "country": "Mali"},
                             {"actor": "France", "country": "Mali"},
                             {"actor": "China", "country": "Djibouti"},
                             {"actor": "Nobody", "country": "Atlantis"}])
    assert [row["actor"] for row in rows] == ["Russia", "France", "China"]
    mali = geo.centroids()["Mali"]
    assert -12 < mali[1] < 4 and 10 < mali[0] < 25  # inside Mali's bounding box
    assert (rows[0]["lat"], rows[0]["lon"]) != (rows[1]["lat"], rows[1]["lon"])
