"""Every dashboard page under Streamlit's AppTest, against a real SQLite file in tmp_path."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
import streamlit as st
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from ingest import feeds, opml, queries, rollups, seeds, store
from tests.conftest import REPO, offered_files
from tests.test_aggregates import HOSTILE, build_demo

APP = str(REPO / "dashboard.py")
PAGES = ["views/overview.py", "views/partnerships.py", "views/posture.py", "views/alerts.py",
         "views/articles.py", "views/sources.py", "views/review.py"]


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def demo_app(db_path, monkeypatch):
    build_demo(db_path).conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    return AppTest.from_file(APP, default_timeout=60).run()


def on_page(at: AppTest, page: str) -> AppTest:
    return at.switch_page(page).run()


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [item.value for item in at.exception]


def charts(at: AppTest) -> list[tuple[dict, list[pd.DataFrame]]]:
    """Each chart's Vega-Lite spec and the data frames it was sent."""
    found = []
    for chart in at.get("vega_lite_chart"):
        frames = [convert_arrow_bytes_to_pandas_df(item.data.data)
                  for item in chart.proto.datasets]
        found.append((json.loads(chart.proto.spec), frames))
    return found


def chart_with(at: AppTest, mark: str) -> tuple[dict, list[pd.DataFrame]]:
    return next((spec, frames) for spec, frames in charts(at)
                if json.dumps(spec.get("mark", spec.get("layer"))).find(f'"{mark}"') >= 0)


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(demo_app, page):
    at = on_page(demo_app, page)
    no_exceptions(at)
    assert not at.error


def test_sidebar_filters_change_the_counts(demo_app):
    assert metrics(demo_app)["Stories"] == "6"
    demo_app.multiselect(key="f_languages").set_value(["fr"]).run()
    assert metrics(demo_app)["Stories"] == "1"
    demo_app.multiselect(key="f_languages").set_value([]).run()
    demo_app.radio(key="f_affiliated").set_value("Exclude state-affiliated").run()
    assert metrics(demo_app)["Stories"] == "5"


def test_statuses_filter_lists_but_counts_stay_facts(demo_app):
    demo_app.multiselect(key="f_statuses").set_value(["denied"]).run()
    assert metrics(demo_app)["Actors"] == "0"
    at = on_page(demo_app, "views/review.py")
    assert "France – Niger (Denied)" in at.selectbox(key="r_row").options[0]


def test_review_dates_a_posture_event_as_the_posture_tables_do(demo_app, db_path):
    db = store.open_db(db_path)
    with store.transaction(db):  # an event reported in an article of a later day
        db.execute("UPDATE posture SET date = '2019-03-01' WHERE id = (SELECT min(id)"
                   " FROM posture)")
    dated, published, actor, country = db.execute(
        "SELECT p.date, a.published, p.actor, p.country FROM posture p JOIN articles a"
        " ON a.id = p.article_id WHERE p.date = '2019-03-01'").fetchone()
    db.conn.close()
    st.cache_data.clear()
    at = on_page(demo_app, "views/review.py")
    at = at.radio(key="r_kind").set_value("Posture event").run()
    options = at.selectbox(key="r_row").options
    assert any(o.startswith(f"{dated[:10]} · {actor} in {country}") for o in options)
    assert not any(o.startswith(f"{published[:10]} · {actor} in {country}") for o in options)


def test_partnership_charts_receive_aggregates(demo_app):
    at = on_page(demo_app, "views/partnerships.py")
    spec, (cells,) = chart_with(at, "rect")
    assert spec["params"][0]["name"] == "cell"
    mali = cells[(cells.actor == "Russia") & (cells.partner == "Mali")].iloc[0]
    assert mali.articles == 3 and mali.themes.startswith("military_cooperation (1)")
    assert "France" not in set(cells.actor)  # denied statements are not counted
    _, (months,) = chart_with(at, "bar")
    assert months[months.actor == "Russia"].articles.sum() == 4
    assert len(months) <= 5_000


def russia_mali(demo_app) -> AppTest:
    """The Partnerships page with the Russia–Mali pair chosen."""
    at = on_page(demo_app, "views/partnerships.py")
    at.selectbox(key="p_actor").set_value("Russia").run()
    at.selectbox(key="p_partner").set_value("Mali").run()
    no_exceptions(at)
    return at


def test_choosing_a_cell_lists_evidence_and_maps_the_actor(demo_app):
    at = russia_mali(demo_app)
    evidence = at.dataframe[-1].value
    assert set(evidence.partner) == {"Mali"} and len(evidence) == 3
    assert "Russia sent 200 more troops to Mali." in set(evidence.evidence)
    spec, _ = chart_with(at, "geoshape")
    shaded = {f["properties"]["name"]: f["properties"]["value"] for f in spec["data"]["values"]}
    assert shaded["Mali"] == 3 and shaded["Central African Republic"] == 1
    assert shaded["Niger"] == 0


def test_an_overview_row_opens_its_evidence(demo_app):
    """Every number on the Overview leads to its sentences: choosing a row of the most active
    partnerships opens the Partnerships page on that pair."""
    top = next(t.value for t in demo_app.dataframe if "stories" in t.value.columns)
    assert (top.actor[0], top.partner[0], top.stories[0]) == ("Russia", "Mali", 3)
    demo_app.session_state["o_top"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at = demo_app.run()
    no_exceptions(at)
    assert at.title[0].value == "Partnerships"
    evidence = at.dataframe[-1].value
    assert set(zip(evidence.actor, evidence.partner, strict=True)) == {("Russia", "Mali")}
    assert len(evidence) == 3


def test_a_pair_known_only_from_a_denial_can_be_read(demo_app):
    """The matrix counts facts; a denied or planned pair is still listed with its evidence."""
    at = on_page(demo_app, "views/partnerships.py")
    assert "France" in at.selectbox(key="p_actor").options
    at.selectbox(key="p_actor").set_value("France").run()
    evidence = at.dataframe[-1].value
    assert list(zip(evidence.partner, evidence.status, strict=True)) == [("Niger", "Denied")]
    assert not any(spec.get("mark", {}).get("type") == "geoshape" for spec, _ in charts(at))
    assert any("nothing to map" in caption.value for caption in at.caption)
    demo_app.multiselect(key="f_statuses").set_value(["denied"]).run()
    at = on_page(at, "views/partnerships.py")
    assert at.selectbox(key="p_actor").options == ["France"]


def test_tables_show_dates_to_read_and_downloads_keep_them_whole(db_path, monkeypatch,
                                                                 downloads):
    db = build_demo(db_path)
    with db.conn:  # what a feed entry without a date leaves: dated when first seen
        db.execute("UPDATE articles SET published_inferred = 1 WHERE id = 'a1'")
    db.conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = on_page(AppTest.from_file(APP, default_timeout=60).run(), "views/articles.py")
    shown = dict(zip(at.dataframe[0].value.title, at.dataframe[0].value.published, strict=True))
    assert shown["Russia and Mali sign a defence pact"] == "2024-01-10 08:00 (first seen)"
    assert all("T" not in value and "(first seen)" not in value
               for title, value in shown.items() if "pact" not in title)
    saved = csv_rows(offered_files(at, downloads)["articles-all-dates.csv"])
    assert "2024-01-10T08:00:00Z" in {row["published"] for row in saved}


def test_a_source_chart_without_data_says_so(demo_app):
    demo_app.multiselect(key="f_languages").set_value(["fr"]).run()
    demo_app.radio(key="f_affiliated").set_value("Exclude state-affiliated").run()
    assert metrics(demo_app)["Stories"] == "0"
    at = on_page(demo_app, "views/sources.py")
    assert "No source carried an article" in " ".join(caption.value for caption in at.caption)


def test_posture_page_steps_the_force_level(demo_app):
    at = on_page(demo_app, "views/posture.py")
    at.selectbox(key="t_actor").set_value("Russia").run()
    at.selectbox(key="t_country").set_value("Mali").run()
    spec, (levels,) = chart_with(at, "line")
    assert spec["mark"]["interpolate"] == "step-after"
    assert list(levels.level) == [1000, 1200, 0]
    _, (events,) = chart_with(at, "point")
    assert sorted(events.action) == ["deploy", "present", "withdraw"]
    latest = at.dataframe[1].value
    row = latest[(latest.actor == "Russia") & (latest.country == "Mali")].iloc[0]
    assert (row.action, row.date, row.source) == ("Withdrawal", "2024-03-01", "Demo folder")


def csv_rows(data: bytes) -> list[dict]:
    """A download as a reader loads it: the first line is the export's comment."""
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", skiprows=1).to_dict("records")


def test_charts_offer_their_figures_as_csv(demo_app, downloads):
    """What a chart draws, an analyst can take into a report."""
    at = on_page(demo_app, "views/posture.py")
    at.selectbox(key="t_actor").set_value("Russia").run()
    at.selectbox(key="t_country").set_value("Mali").run()
    levels = csv_rows(offered_files(at, downloads)["russia-mali-posture-force-level-all-dates.csv"])
    assert [(row["actor"], row["country"], row["level"]) for row in levels] == [
        ("Russia", "Mali", 1000), ("Russia", "Mali", 1200), ("Russia", "Mali", 0)]
    at = on_page(at, "views/partnerships.py")
    at.selectbox(key="p_actor").set_value("Russia").run()
    shaded = csv_rows(offered_files(at, downloads)["russia-partnerships-actor-map-all-dates.csv"])
    assert {row["partner"]: row["articles"] for row in shaded} == {
        "Mali": 3, "Central African Republic": 1}
    at = on_page(at, "views/sources.py")
    per_source = csv_rows(offered_files(at, downloads)["sources-articles-all-dates.csv"])
    assert sum(row["articles"] for row in per_source) == 6
    assert list(per_source[0]) == ["name", "marking", "articles"]


def test_empty_database_shows_how_to_ingest(db_path, monkeypatch):
    store.open_db(db_path).conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    no_exceptions(at)
    assert not at.error
    assert "python -m ingest seeds" in at.info[0].value


def test_missing_database_is_a_clear_error(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "monitor.db"
    monkeypatch.setenv("MONITOR_DB", str(missing))
    at = AppTest.from_file(APP, default_timeout=60).run()
    no_exceptions(at)
    assert str(missing) in at.error[0].value and "python -m ingest seeds" in at.error[0].value


def test_corrupt_database_is_a_clear_error(tmp_path, monkeypatch):
    corrupt = tmp_path / "monitor.db"
    corrupt.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("MONITOR_DB", str(corrupt))
    at = AppTest.from_file(APP, default_timeout=60).run()
    no_exceptions(at)
    assert str(corrupt) in at.error[0].value and "not a usable SQLite database" in at.error[0].value


def test_a_search_that_is_not_fts_syntax_searches_its_words(demo_app):
    at = on_page(demo_app, "views/articles.py")
    at.text_input(key="a_query").input('"defence-pact').run()  # FTS5: unterminated string
    no_exceptions(at)
    assert not at.error
    assert any("each word was searched as typed" in caption.value for caption in at.caption)
    assert list(at.dataframe[0].value.title) == ["Russia and Mali sign a defence pact"]
    at.text_input(key="a_query").input("pact").run()
    assert not any("searched as typed" in caption.value for caption in at.caption)
    assert list(at.dataframe[0].value.title) == ["Russia and Mali sign a defence pact"]


def test_hostile_titles_render_as_text(demo_app):
    at = on_page(demo_app, "views/articles.py")
    assert HOSTILE in set(at.dataframe[0].value.title)
    assert any("onerror" in option for option in at.selectbox(key="a_open").options)
    at.selectbox(key="a_open").set_value("a6").run()
    no_exceptions(at)
    bodies = [element.proto.body for element in at.get("html")]
    assert any("&lt;img src=x onerror=alert(1)&gt; **bold**" in body for body in bodies)
    assert not any("<img" in body or "javascript:" in body.replace("[x](javascript:", "")
                   for body in bodies)
    assert all("onerror" not in element.value for element in at.markdown)
    assert any("<mark" in body and "Turkey delivered drones to Somalia." in body
               for body in bodies)


def test_evidence_in_the_headline_is_marked_too(db_path, monkeypatch):
    from ingest import pipeline
    from ingest.dates import parse_date

    db = store.open_db(db_path)
    with store.transaction(db):
        source = store.ensure_source(db, kind="seeds", url="seeds:t", name="Headlines")
    doc = pipeline.Document(title="Russia deploys 500 troops to Mali",
                            text="Residents of the capital described a quiet week.",
                            key="h:1", url="https://news.example/h1",
                            published=parse_date("2024-05-02"), language="en")
    assert pipeline.store_document(db, doc, source) == "new"
    ident = db.execute("SELECT id FROM articles").fetchone()[0]
    db.conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = on_page(AppTest.from_file(APP, default_timeout=60).run(), "views/articles.py")
    at.selectbox(key="a_open").set_value(ident).run()
    no_exceptions(at)
    headline = next(e.proto.body for e in at.get("html") if e.proto.body.startswith("<h3>"))
    assert "<mark" in headline and "Russia deploys 500 troops to Mali</mark>" in headline


def test_rejecting_a_dyad_takes_effect_everywhere(demo_app, db_path):
    at = on_page(demo_app, "views/review.py")
    db = store.open_db(db_path, readonly=True)
    turkey = db.execute("SELECT id FROM dyads WHERE actor = 'Turkey'").fetchone()[0]
    at.selectbox(key="r_row").set_value(turkey).run()
    assert "Turkey delivered drones" in at.text[0].value
    at.button[0].click().run()
    assert "Choose a verdict" in at.error[0].value  # nothing is pre-selected
    at.radio(key=f"r_verdict_dyad-{turkey}").set_value("rejected")
    at.button[0].click().run()
    assert "Enter your name" in at.error[0].value
    at.text_input(key="r_analyst").input("Ana Analyst")
    at.text_area(key=f"r_note_dyad-{turkey}").input("drones were Turkish-made but sold privately")
    at.button[0].click().run()
    no_exceptions(at)
    assert "Recorded: dyad" in at.success[0].value
    # The rejected row left the list; the row shown now starts blank but keeps the name.
    shown = at.selectbox(key="r_row").value
    assert shown != turkey
    assert at.radio(key=f"r_verdict_dyad-{shown}").value is None
    assert at.text_area(key=f"r_note_dyad-{shown}").value == ""
    assert at.text_input(key="r_analyst").value == "Ana Analyst"
    history = at.dataframe[-1].value
    assert (history.analyst.iloc[0], history.verdict.iloc[0]) == ("Ana Analyst", "rejected")
    at = on_page(at, "views/partnerships.py")
    _, (cells,) = chart_with(at, "rect")
    assert "Turkey" not in set(cells.actor)
    assert "Somalia" not in {row["partner"]
                             for row in queries.partnerships(db, queries.Filters())}


def test_sources_page_marks_illustrative_and_affiliated(demo_app):
    at = on_page(demo_app, "views/sources.py")
    health = at.dataframe[0].value.set_index("name")
    assert health.loc["Demo folder", "marking"] == "illustrative sample data, not reporting"
    assert health.loc["RT Afrique", "marking"] == "state-affiliated (Russia)"
    assert health.loc["Demo folder", "articles"] == 5
    _, (bars,) = chart_with(at, "bar")
    assert set(bars.name) == {"Demo folder", "RT Afrique"}


def test_overview_compares_with_the_previous_period(demo_app):
    demo_app.selectbox(key="f_period").set_value("Last 30 days").run()
    no_exceptions(demo_app)
    assert metrics(demo_app)["New partnerships"] == "1"  # Turkey – Somalia, first in March
    tables = [table.value for table in demo_app.dataframe]
    changes = next(t for t in tables if "change" in t.columns)
    assert {"Turkey", "Russia"} <= set(changes.actor)


def test_a_new_ingest_shows_without_restart(demo_app, db_path):
    assert metrics(demo_app)["Stories"] == "6"
    db = store.open_db(db_path)
    with store.transaction(db), rollups.refreshing(db, ["a1"]):  # as a writer does
        db.execute("UPDATE articles SET updated_at = '2030-01-01T00:00:00Z', language = 'fr'"
                   " WHERE id = 'a1'")
    db.conn.close()
    demo_app.multiselect(key="f_languages").set_value(["fr"]).run()
    assert metrics(demo_app)["Stories"] == "2"


def test_a_search_beyond_the_count_cap_says_more_than(demo_app, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    at = on_page(demo_app, "views/articles.py")
    at.text_input(key="a_query").input("Mali OR France OR Russia").run()
    no_exceptions(at)
    assert any(caption.value.startswith("More than 2 stories match")
               for caption in at.caption), [caption.value for caption in at.caption]
    monkeypatch.setattr(queries, "COUNT_CAP", 10_000)
    st.cache_data.clear()
    at.run()
    assert any(re.match(r"\d+ stories match; showing \d+, newest first", caption.value)
               for caption in at.caption), [caption.value for caption in at.caption]


@pytest.fixture
def sources_page(db_path, monkeypatch):
    """The Sources page on a real, empty database: the registry is managed from there."""
    store.open_db(db_path).conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    monkeypatch.delenv("MONITOR_ALLOW_PRIVATE_HOSTS", raising=False)
    return on_page(AppTest.from_file(APP, default_timeout=60).run(), "views/sources.py")


def registered(at: AppTest) -> dict[str, str]:
    """The Feeds table as an analyst reads it: each feed's name and state."""
    table = next(t.value for t in at.dataframe if "state" in t.value.columns)
    return dict(zip(table.name, table.state, strict=True))


def add_feed(at: AppTest, url: str, **fields: str) -> AppTest:
    at.text_input(key="s_url").input(url)
    for key, value in fields.items():
        at.text_input(key=f"s_{key}").input(value)
    return at.button(key="FormSubmitter:s_add-Add feed").click().run()


def test_a_feed_added_on_the_sources_page_is_listed(sources_page, db_path):
    at = add_feed(sources_page, "https://rt.example/fr/rss", name="RT France", lang="fr",
                  affiliation="Russia")
    no_exceptions(at)
    assert not at.error and "Added feed #1" in at.success[0].value
    assert registered(at) == {"RT France": "ok"}
    [row] = feeds.list_feeds(store.open_db(db_path))
    assert (row["language"], row["affiliation"]) == ("fr", "Russia")


def test_the_sources_page_refuses_what_the_command_line_refuses(sources_page, db_path):
    at = add_feed(sources_page, "http://127.0.0.1:8000/feed.xml")
    assert "--allow-private-hosts" in at.error[0].value
    assert "MONITOR_ALLOW_PRIVATE_HOSTS=1" in at.error[0].value
    at = add_feed(at, "https://news.example/rss", lang="english")
    assert "not a language code" in at.error[0].value
    assert feeds.list_feeds(store.open_db(db_path)) == []


def test_the_operator_may_allow_private_feeds_on_the_page(sources_page, monkeypatch):
    monkeypatch.setenv("MONITOR_ALLOW_PRIVATE_HOSTS", "1")
    at = add_feed(sources_page, "http://127.0.0.1:8000/feed.xml", name="Local")
    assert not at.error and registered(at) == {"Local": "ok"}


def test_pause_resume_and_remove_from_the_sources_page(sources_page):
    at = add_feed(sources_page, "https://one.example/rss", name="One")
    at = add_feed(at, "https://two.example/rss", name="Two")
    at.selectbox(key="s_feed").set_value(1)
    at = at.button(key="s_pause").click().run()
    assert registered(at) == {"One": "paused", "Two": "ok"}
    at.selectbox(key="s_feed").set_value(1)
    at = at.button(key="s_resume").click().run()
    assert registered(at) == {"One": "ok", "Two": "ok"}
    at.selectbox(key="s_feed").set_value(2)
    at = at.button(key="s_remove").click().run()
    no_exceptions(at)
    assert registered(at) == {"One": "ok"} and "Removed feed #2" in at.success[0].value


def test_an_opml_upload_adds_all_its_feeds_or_none(sources_page, db_path):
    good = (REPO / "data" / "feeds-starter.opml").read_bytes()
    bad = good.replace(b"</body>", b'<outline text="x" xmlUrl="ftp://x.example/f"/></body>')
    sources_page.file_uploader(key="s_opml").set_value(("bad.opml", bad, "text/xml"))
    at = sources_page.run().button(key="s_import").click().run()
    assert "nothing imported" in at.error[0].value
    assert feeds.list_feeds(store.open_db(db_path)) == []
    at.file_uploader(key="s_opml").set_value(("starter.opml", good, "text/xml"))
    at = at.run().button(key="s_import").click().run()
    no_exceptions(at)
    expected = len(opml.read_feed_list(good))
    assert f"{expected} feeds added" in at.success[0].value
    assert len(registered(at)) == expected


def test_a_seed_folder_has_a_health_row_after_seeds(db_path, tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "one.txt").write_text("Russia and Mali signed a defence accord.", "utf-8")
    (folder / "bad.json").write_text('{"title": ', "utf-8")
    seeds.ingest_folder(store.open_db(db_path), folder)
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = on_page(AppTest.from_file(APP, default_timeout=60).run(), "views/sources.py")
    no_exceptions(at)
    table = next(t.value for t in at.dataframe if "files_read" in t.value.columns)
    [row] = table.to_dict("records")
    assert (row["name"], row["files_read"], row["files_failed"]) == ("corpus", 1, 1)
    assert "bad.json: not valid JSON" in row["last_error"] and row["last_run"]


def test_a_feed_run_that_failed_entirely_says_so(demo_app, db_path):
    db = store.open_db(db_path)
    run_id = store.start_run(db, "feeds", "test")
    store.finish_run(db, run_id, {"feeds_polled": 2, "failed": 2},
                     ["a: HTTP 404", "b: HTTP 500"], status="failed")
    at = on_page(demo_app, "views/sources.py")
    assert "failed: 2 of 2 feeds could not be polled" in at.error[0].value


def screen_text(at: AppTest) -> str:
    """Everything a reader sees as text: tables, captions, headings, boxes and their options."""
    parts = [frame.value.to_csv() for frame in at.dataframe]
    parts += [element.value for kind in ("caption", "markdown", "subheader", "info", "warning")
              for element in at.get(kind)]
    parts += [str(option) for box in [*at.selectbox, *at.multiselect] for option in box.options]
    return "\n".join(parts)


def test_themes_actions_and_statuses_read_as_labels(demo_app):
    """Analysts read "Military cooperation" and "Withdrawal", never `troop_withdrawal`."""
    at = russia_mali(demo_app)
    evidence = at.dataframe[-1].value
    assert {"Military cooperation", "Troop withdrawal", "Troop deployment"} == set(
        evidence.themes)
    assert set(evidence.status) == {"Reported"}
    assert "Military cooperation (1)" in chart_with(at, "rect")[1][0].themes_label[0]
    assert "troop_withdrawal" not in screen_text(at)
    assert "military_cooperation" not in screen_text(at)
    at = on_page(at, "views/posture.py")
    at.selectbox(key="t_actor").set_value("Russia").run()
    at.selectbox(key="t_country").set_value("Mali").run()
    no_exceptions(at)
    assert "Withdrawal" in set(at.dataframe[0].value.action)
    spec, (events,) = chart_with(at, "point")
    assert spec["encoding"]["shape"]["field"] == "action_label" and "Withdrawal" in set(
        events.action_label)
    text = screen_text(at)
    assert "Withdrawal" in text and "troop_withdrawal" not in text
    assert not re.search(r"\bwithdraw\b", " ".join(str(v) for v in at.dataframe[1].value.action))
    assert "Military cooperation" in at.multiselect(key="f_themes").options


@pytest.fixture(scope="module")
def bundled_demo(tmp_path_factory):
    """The bundled demo as `python -m ingest seeds` builds it: illustrative sources only."""
    from ingest import seeds

    path = tmp_path_factory.mktemp("bundled") / "demo.db"
    db = store.open_db(path)
    assert seeds.ingest_folder(db, REPO / "seeds").errors == []
    db.conn.close()
    return path


ILLUSTRATIVE = "illustrative sample data"


@pytest.mark.parametrize("page", PAGES)
def test_an_illustrative_database_says_so_on_every_page(bundled_demo, monkeypatch, page):
    monkeypatch.setenv("MONITOR_DB", str(bundled_demo))
    at = on_page(AppTest.from_file(APP, default_timeout=60).run(), page)
    no_exceptions(at)
    assert any(ILLUSTRATIVE in warning.value and "not reporting" in warning.value
               for warning in at.warning), page


@pytest.mark.parametrize("page", PAGES)
def test_no_illustrative_banner_once_real_sources_carry_articles(demo_app, page):
    at = on_page(demo_app, page)
    assert not any(ILLUSTRATIVE in warning.value for warning in at.warning), page


def test_an_empty_database_has_no_illustrative_banner(db_path, monkeypatch):
    store.open_db(db_path).conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.warning


def test_downloads_are_named_after_their_filters_and_cite_them(demo_app, downloads):
    demo_app.selectbox(key="f_period").set_value("Last 30 days").run()
    at = russia_mali(demo_app)
    offered = offered_files(at, downloads)
    name = "russia-mali-partnerships-evidence-2024-02-02_2024-03-02.csv"
    assert name in offered, list(offered)
    data = offered[name]
    assert data.startswith(b"\xef\xbb\xbf# Influence Monitor export: partnerships-evidence;"
                           b" filters: since=2024-02-02; until=2024-03-02; actors=Russia;"
                           b" partners=Mali;")
    rows = csv_rows(data)
    assert [row["themes_label"] for row in rows] == ["Troop withdrawal", "Troop deployment"]


def test_an_empty_cell_reads_as_a_dash_and_figures_stay_whole():
    """Tables show "—" where a posture event has no figure or place, never "None" or NaN, and a
    personnel column with gaps shows 1,500 rather than 1500.0."""
    import pandas as pd

    from views.common import _blank_when_empty

    frame = pd.DataFrame([{"action": "withdraw", "personnel": None, "place": None},
                          {"action": "present", "personnel": 1500, "place": "Gao"}])
    shown = _blank_when_empty(frame)
    assert shown.to_dict("records") == [
        {"action": "withdraw", "personnel": "—", "place": "—"},
        {"action": "present", "personnel": "1,500", "place": "Gao"}]
