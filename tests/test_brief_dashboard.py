"""The dashboard's brief download: the brief of exactly the sidebar's filters."""

from __future__ import annotations

import io

import pytest
import streamlit as st
from pypdf import PdfReader
from selectolax.lexbor import LexborHTMLParser
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from tests.test_brief import demo_db  # noqa: F401  (the bundled demo, ingested once)


@pytest.fixture
def deferred(monkeypatch) -> dict[str, tuple[object, str | None]]:
    """Each deferred download the page registers (built on click, never on a rerun): its
    builder and MIME type by file name. The test calls the builder as a click would."""
    captured: dict[str, tuple[object, str | None]] = {}
    real = MediaFileManager.add_deferred

    def spy(self, data, mimetype, coordinates, file_name=None, **kwargs):
        captured[file_name] = (data, mimetype)
        return real(self, data, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return captured


def test_the_sidebar_offers_the_brief_of_its_filters(demo_db, monkeypatch, deferred):  # noqa: F811
    st.cache_data.clear()
    monkeypatch.setenv("MONITOR_DB", str(demo_db))
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    at.sidebar.multiselect(key="f_actors").set_value(["Russia"])
    at.sidebar.multiselect(key="f_partners").set_value(["Mali"]).run()
    assert not at.exception
    labels = [button.proto.label for button in at.get("download_button")]
    assert "Brief of these filters (HTML)" in labels and "Brief of these filters (PDF)" in labels

    build, mime = deferred["russia-mali-brief-all-dates.html"]
    page = LexborHTMLParser(build().decode("utf-8"))
    assert mime == "text/html" and page.css_first("h1").text() == "Russia in Mali"
    assert page.css("li[data-article]")
    build, mime = deferred["russia-mali-brief-all-dates.pdf"]
    pdf = build()
    assert mime == "application/pdf"
    assert "Russia in Mali" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    st.cache_data.clear()

