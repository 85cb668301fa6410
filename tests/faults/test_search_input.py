"""Whatever an analyst types in the search box: results, never a traceback.

The same strings go through the library (every query function: results or one readable
QueryError line), the dashboard's search box and ``export --query`` on the real command line
(which search the typed words as plain terms when FTS5 cannot parse them).
"""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ingest import queries, store
from tests.faults.conftest import REPO, build_hostile_db, count, one_line_error, run_cli

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

TYPED = [
    '"', '"Africa Corps', 'Mali"', "NEAR(", "NEAR(wagner", "NEAR(Russia Mali, 5)", "*", "wag*",
    "-", "-wagner", "title:wagner", "title:Russia", "text:", "title:", "nosuchcolumn:x", "^",
    "^Russia", "'; DROP TABLE articles; --", '"; DROP TABLE articles; --', "", " ", "\t\n",
    "AND", "OR OR", "NOT", "Russia NOT", "()", "(Russia", "{title text}: Mali", "x:y:z",
    "Россия", "俄罗斯", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "روسيا", "Rus\x00sia", "a" * 10_000, "Russia " * 2_000,
    "%", "_", "\\", "1=1", "rowid = 1",
]
FUNCTIONS = [queries.articles, queries.tags, queries.partnerships, queries.posture]


@pytest.fixture(scope="module")
def search_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "hostile.db"
    build_hostile_db(path).conn.close()
    return path


@pytest.mark.parametrize("typed", TYPED, ids=lambda typed: repr(typed[:30]))
def test_every_query_function_answers_or_explains(search_db, typed):
    db = store.open_db(search_db, readonly=True)
    for function in FUNCTIONS:
        try:
            rows = list(function(db, queries.Filters(query=typed)))
        except queries.QueryError as exc:
            message = str(exc)
            assert "\n" not in message and len(message) < 600, message
            assert message.startswith("cannot search for")
        else:
            assert isinstance(rows, list)
    db.conn.close()
    assert count(search_db) == 17  # the DROP TABLE strings are only ever search terms


def test_plain_words_in_any_script_find_their_articles(search_db):
    db = store.open_db(search_db, readonly=True)
    for word in ("Россия", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "title:Russia", "wag* OR Russia",
                 '"military cooperation"'):
        assert list(queries.articles(db, queries.Filters(query=word))), word
    db.conn.close()


def test_names_that_are_not_fts_syntax_find_their_articles(search_db):
    db = store.open_db(search_db, readonly=True)
    for typed in ("Burkina-Faso", '"Burkina Faso', "Niger)", "(Chad"):
        query, quoted = queries.search_query(db, typed)
        assert quoted, typed
        assert list(queries.articles(db, queries.Filters(query=query))), typed
    assert queries.search_query(db, "wag* OR Russia") == ("wag* OR Russia", False)
    db.conn.close()


def test_the_dashboard_search_box_never_shows_a_traceback(search_db, monkeypatch):
    monkeypatch.setenv("MONITOR_DB", str(search_db))
    st.cache_data.clear()
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    at = at.switch_page("views/articles.py").run()
    quoted = 0
    for typed in TYPED:
        at = at.text_input(key="a_query").input(typed).run()
        assert not at.exception, (typed, [item.value for item in at.exception])
        assert not at.error, (typed, [element.value for element in at.error])
        quoted += any("searched as typed" in caption.value for caption in at.caption)
    assert 0 < quoted < len(TYPED)
    st.cache_data.clear()


@pytest.mark.parametrize("typed", ['NEAR(', "'; DROP TABLE articles; --", "a" * 10_000,
                                   "title:"])
def test_export_query_on_the_command_line(search_db, typed):
    result = run_cli("export", "articles", "--query", typed, "--db", str(search_db))
    if result.returncode == 0:
        assert "Traceback" not in result.stderr
    else:
        assert "cannot search for" in one_line_error(result)
    assert count(search_db) == 17
