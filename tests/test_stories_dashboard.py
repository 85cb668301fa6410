"""The Count control and collapsed copies in the real dashboard (AppTest, real SQLite file)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ingest import aggregates, pipeline, store
from ingest.pipeline import Document
from ingest.queries import Filters
from tests.test_dashboard import APP, charts, no_exceptions, on_page

DEPLOY = (
    "Russia deployed 200 soldiers to Mali on 3 March 2024, the defence ministry in Bamako"
    " said. The troops landed at the airport of the capital and were met by officers of the"
    " Malian army. Mali has relied on Russian partners since 2021, when the junta turned away"
    " from France. A second group is expected later in the year, officials said."
)
TRAINING = (
    "Russian instructors began training Malian soldiers in Kati on 1 March 2024, according"
    " to a security source. The programme covers drone operations and counter-insurgency"
    " tactics and is due to last twelve weeks. Mali has relied on Russian partners since"
    " 2021. A second group is expected in the summer."
)
HEADLINES = ["Russian troops arrive in Mali", "Russia sends 200 troops to Mali",
             "Mali receives Russian soldiers", "Russian soldiers land in Bamako"]


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def copies_app(db_path, monkeypatch):
    """One deployment reported by four outlets under four headlines, one other report."""
    db = store.open_db(db_path)
    when = datetime(2024, 3, 4, 8, tzinfo=UTC)
    for n, title in enumerate(HEADLINES):
        with store.transaction(db):
            source = store.ensure_source(db, kind="feed", url=f"https://o{n}.example/rss",
                                         name=f"Outlet {n}")
        pipeline.store_document(db, Document(
            title=title, text=DEPLOY, key=f"d{n}", url=f"https://o{n}.example/deploy",
            published=when + timedelta(hours=n), language="en"), source)
    pipeline.store_document(db, Document(
        title="Russia trains Malian troops", text=TRAINING, key="t", url="https://o0.example/t",
        published=when, language="en"), source)
    assert aggregates.matrix(db, Filters())[0]["articles"] == 5
    db.conn.close()
    monkeypatch.setenv("MONITOR_DB", str(db_path))
    return AppTest.from_file(APP, default_timeout=60).run()


def matrix_count(at: AppTest) -> int:
    [frame] = next(frames for spec, frames in charts(at)  # the heatmap: its cells and counts
                   if any(layer.get("mark", {}).get("type") == "rect"
                          for layer in spec.get("layer", [spec])))
    return int(frame.loc[(frame.actor == "Russia") & (frame.partner == "Mali"),
                         "articles"].iloc[0])


def test_partnerships_count_stories_by_default_and_articles_on_request(copies_app):
    at = on_page(copies_app, "views/partnerships.py")
    no_exceptions(at)
    assert at.radio(key="p_unit").options == ["Articles", "Stories", "Events"]
    assert matrix_count(at) == 2
    at.radio(key="p_unit").set_value("articles").run()
    assert matrix_count(at) == 5


def test_force_level_adds_one_deployment_once_per_story_and_per_event(copies_app):
    at = on_page(copies_app, "views/posture.py")
    no_exceptions(at)
    assert at.radio(key="t_unit").value == "events"  # the posture page's default
    levels = next(frames[0] for spec, frames in charts(at) if "level" in frames[0].columns)
    assert levels.level.tolist() == [200]
    at.radio(key="t_unit").set_value("stories").run()
    levels = next(frames[0] for spec, frames in charts(at) if "level" in frames[0].columns)
    assert levels.level.tolist() == [200]
    at.radio(key="t_unit").set_value("articles").run()
    levels = next(frames[0] for spec, frames in charts(at) if "level" in frames[0].columns)
    assert levels.level.tolist() == [800]  # four copies, four deployments: the old count


def test_articles_page_collapses_copies_under_their_story(copies_app, db_path):
    at = on_page(copies_app, "views/articles.py")
    no_exceptions(at)
    listed = at.dataframe[0].value
    assert sorted(listed.copies.tolist()) == [0, 3]
    assert sorted(listed.title) == ["Russia trains Malian troops", HEADLINES[0]]
    assert any(c.value.startswith("2 stories match") for c in at.caption)

    lead = listed.loc[listed.copies == 3]
    opened = store.open_db(db_path).execute("SELECT id FROM articles WHERE title = ?",
                                            [lead.title.iloc[0]]).fetchone()[0]
    at.selectbox(key="a_open").set_value(opened).run()
    assert any(h.value == "The same report: 4 articles" for h in at.subheader)
    members = at.dataframe[-1].value
    assert sorted(members.title) == sorted(HEADLINES)
    assert sorted(members.source) == [f"Outlet {n}" for n in range(4)]

    at.radio(key="a_unit").set_value("articles").run()
    assert len(at.dataframe[0].value) == 5
