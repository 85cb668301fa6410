"""Titles, evidence and source names carrying HTML and Markdown render as text on every page.

The database is built through the library with the real tagger, so the evidence sentences
carry the payloads too. Every page runs under Streamlit's AppTest; each article is opened. No
Markdown-rendering element may hold a payload (it would become a link, bold text, LaTeX or,
with unsafe HTML, a live tag), and every HTML element must hold it escaped.
"""

from __future__ import annotations

import html

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ingest import queries, store
from tests.faults.conftest import HOSTILE_SOURCE, MARKUP, REPO, build_hostile_db

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

APP = str(REPO / "dashboard.py")
PAGES = ["views/overview.py", "views/partnerships.py", "views/posture.py", "views/articles.py",
         "views/sources.py", "views/review.py"]
# Element types whose text Streamlit renders as Markdown.
ALL = queries.Filters()
MARKDOWN_TYPES = ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                  "error", "success", "exception", "toast", "metric")


@pytest.fixture
def hostile_app(tmp_path, monkeypatch):
    path = tmp_path / "hostile.db"
    build_hostile_db(path).conn.close()
    monkeypatch.setenv("MONITOR_DB", str(path))
    st.cache_data.clear()
    yield AppTest.from_file(APP, default_timeout=60).run()
    st.cache_data.clear()


def rendered_as_markdown(at: AppTest) -> list[str]:
    texts = []
    for kind in MARKDOWN_TYPES:
        for element in at.get(kind):
            proto = element.proto
            texts += [str(getattr(proto, name, "")) for name in ("body", "label", "value")]
    return texts


def assert_inert(at: AppTest, where: str) -> None:
    assert not at.exception, (where, [item.value for item in at.exception])
    for text in rendered_as_markdown(at):
        for payload in [*MARKUP, "<script>alert('source')</script>", "**feed**"]:
            assert payload not in text, f"{where}: Markdown element renders {payload!r}: {text!r}"
    for element in at.get("html"):
        body = element.proto.body
        assert "<img" not in body and "<script" not in body, f"{where}: live markup {body!r}"
        assert "javascript:" not in body.replace(html.escape("[link](javascript:"), ""), body
    for element in at.get("markdown"):
        if element.proto.allow_html:
            assert "<img" not in element.proto.body and "<script" not in element.proto.body


def grid_text(at: AppTest) -> str:
    return "\n".join(frame.value.to_csv() for frame in at.dataframe)


def test_every_page_shows_the_payloads_as_text(hostile_app):
    at = hostile_app
    assert_inert(at, "start")
    shown = ""
    for page in PAGES:
        at = at.switch_page(page).run()
        assert_inert(at, page)
        shown += grid_text(at)
    # The literal strings reach the analyst, unaltered, in the tables.
    for payload in MARKUP:
        assert payload in shown, payload
    assert HOSTILE_SOURCE in shown


def test_opening_each_hostile_article_shows_its_title_and_evidence_escaped(hostile_app):
    at = hostile_app.switch_page("views/articles.py").run()
    seen = ""
    for ident in stored_article_ids():
        at = at.selectbox(key="a_open").set_value(ident).run()
        assert_inert(at, f"article {ident}")
        seen += "".join(element.proto.body for element in at.get("html"))
    for payload in MARKUP:
        assert html.escape(payload) in seen, payload


def stored_article_ids() -> list[str]:
    db = store.open_db(readonly=True)  # MONITOR_DB, as the app sees it
    try:
        return [row["article_id"] for row in queries.articles(db, queries.Filters())]
    finally:
        db.conn.close()


def test_reviewing_each_kind_of_row_shows_its_evidence_as_text(hostile_app):
    at = hostile_app.switch_page("views/review.py").run()
    db = store.open_db(readonly=True)
    kinds = {"Partnership (dyad)": [r["dyad_id"] for r in queries.partnerships(db, ALL)],
             "Posture event": [r["posture_id"] for r in queries.posture(db, ALL)],
             "Tag": [r["tag_id"] for r in queries.tags(db, ALL)]}
    db.conn.close()
    shown = ""
    for kind, ids in kinds.items():
        assert ids, kind
        at = at.radio(key="r_kind").set_value(kind).run()
        for row_id in ids:
            at = at.selectbox(key="r_row").set_value(row_id).run()
            assert_inert(at, f"review {kind} {row_id}")
            shown += "".join(element.value for element in at.text)
    for payload in MARKUP:  # shown as plain st.text, literally
        assert payload in shown, payload


@pytest.mark.timeout(30)
@pytest.mark.parametrize("markup", [
    "<div>" * 100_000,                       # the parser's tree building slows with depth
    "<script>" * 100_000,                    # an unclosed script, again and again
    "<p>Russia and Mali.</p>" + "<i>" * 10_000,
], ids=["nested divs", "unclosed scripts", "open inline tags"])
def test_markup_left_open_by_the_thousand_is_read_as_text(markup):
    """A feed field or an HTML seed of deep or unclosed markup becomes plain text at once
    (each took seconds to minutes in the HTML parser); no script content survives."""
    from ingest.text import html_to_text

    text = html_to_text(markup + "<p>tail</p>")
    assert text.endswith("tail") and "<" not in text and "script" not in text
