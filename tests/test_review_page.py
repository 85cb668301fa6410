"""The Review page corrects, adds and undoes, under Streamlit's AppTest on a real SQLite file.

What the analyst does on the page shows on the other pages at once: the Partnerships matrix,
the posture force level, the history with who and why.
"""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ingest import queries, store
from ingest.queries import Filters
from tests.test_dashboard import chart_with, charts, demo_app, no_exceptions, on_page

__all__ = ["demo_app"]  # the fixture: a page on the hand-built demo database


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def row_id(db_path, sql: str) -> int:
    db = store.open_db(db_path, readonly=True)
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.conn.close()


def press(at: AppTest, label: str) -> AppTest:
    return next(button for button in at.button if button.label == label).click().run()


def review(demo_app: AppTest, kind: str, chosen: int) -> AppTest:
    """The Review page with the analyst's name typed and the row ``chosen`` of ``kind``."""
    at = on_page(demo_app, "views/review.py")
    at.text_input(key="r_analyst").input("Ana Analyst")
    at.radio(key="r_kind").set_value(kind).run()
    return at.selectbox(key="r_row").set_value(chosen).run()


def levels(at: AppTest) -> list[int]:
    """The Russia–Mali force level the Troop posture page draws."""
    at = on_page(at, "views/posture.py")
    at.selectbox(key="t_actor").set_value("Russia").run()
    at.selectbox(key="t_country").set_value("Mali").run()
    frame = next(frames[0] for _, frames in charts(at) if "level" in frames[0])
    return list(frame.level)


def test_correcting_an_actor_shows_on_partnerships_and_in_the_history(demo_app, db_path):
    turkey = row_id(db_path, "SELECT id FROM dyads WHERE actor = 'Turkey'")
    at = review(demo_app, "Partnership (dyad)", turkey)
    at.selectbox(key=f"r_fix_actor_dyad-{turkey}").set_value("China")
    at.text_area(key=f"r_fix_note_dyad-{turkey}").input("the drones were Chinese")

    at = press(at, "Save corrected values")

    no_exceptions(at)
    assert "Recorded: dyad" in at.success[0].value and "actor=China" in at.success[0].value
    assert "· corrected ·" in at.selectbox(key="r_row").format_func(turkey)
    assert any("the tagger had: actor=Turkey" in c.value for c in at.caption)
    history = at.dataframe[-1].value
    assert (history.analyst.iloc[0], history.kind.iloc[0], history.change.iloc[0],
            history.note.iloc[0]) == ("Ana Analyst", "edit", "actor=China",
                                      "the drones were Chinese")
    _, (cells,) = chart_with(on_page(at, "views/partnerships.py"), "rect")
    assert "China" in set(cells.actor) and "Turkey" not in set(cells.actor)


def test_a_corrected_figure_changes_the_force_level_and_an_undo_restores_it(demo_app,
                                                                           db_path):
    assert levels(demo_app) == [1000, 1200, 0]
    withdrawal = row_id(db_path, "SELECT id FROM posture WHERE action = 'withdraw'")
    at = review(demo_app, "Posture event", withdrawal)
    at.text_input(key=f"r_fix_personnel_posture-{withdrawal}").input("500")
    at = press(at, "Save corrected values")
    no_exceptions(at)
    assert levels(at) == [1000, 1200, 700]

    at = on_page(at, "views/review.py")
    correction = at.selectbox(key="r_undo").options[0]
    assert "personnel=500" in correction
    at.selectbox(key="r_undo").set_value(row_id(db_path, "SELECT max(id) FROM corrections"))
    at.text_area(key="r_undo_note").input("the tagger was right")
    at = press(at, "Undo")

    no_exceptions(at)
    assert "Recorded: undo of correction" in at.success[0].value
    assert levels(at) == [1000, 1200, 0]
    history = on_page(at, "views/review.py").dataframe[-1].value
    assert list(history.kind[:2]) == ["undo", "edit"]
    assert history.undone_by.iloc[1] == str(history.id.iloc[0])


def test_review_rows_are_dated_as_the_posture_tables_date_them_after_a_correction(demo_app,
                                                                                  db_path):
    present = row_id(db_path, "SELECT id FROM posture WHERE action = 'present'")
    at = review(demo_app, "Posture event", present)
    at.date_input(key=f"r_fix_date_posture-{present}").set_value("2023-11-30")
    at = press(at, "Save corrected values")
    no_exceptions(at)
    assert at.selectbox(key="r_row").format_func(present).startswith(
        "2023-11-30 · Russia in Mali: Presence 1,000")
    latest = on_page(at, "views/posture.py").dataframe[-1].value
    assert latest.date.iloc[0] == "2024-03-01"  # the withdrawal is still the latest
    evidence = on_page(at, "views/posture.py").dataframe[0].value
    assert "2023-11-30" in set(evidence.date)


def test_adding_a_missing_posture_event_from_the_page(demo_app, db_path):
    at = on_page(demo_app, "views/review.py")
    at.text_input(key="r_analyst").input("Ana Analyst")
    at.radio(key="r_add_target").set_value("Posture event").run()
    at.selectbox(key="r_add_article").set_value("a4").run()
    sentences = at.selectbox(key="r_add_sentence_a4")
    assert "text: France denied any plan to return to Niger." in sentences.options
    sentences.set_value(sentences.options.index(
        "text: France denied any plan to return to Niger."))
    at.selectbox(key="r_add_actor_posture").set_value("France")
    at.selectbox(key="r_add_country_posture").set_value("Niger")
    at.selectbox(key="r_add_action_posture").set_value("deploy")
    at.selectbox(key="r_add_status_posture").set_value("denied")

    at = press(at, "Add this posture")

    no_exceptions(at)
    assert "Recorded: added" in at.success[0].value
    db = store.open_db(db_path, readonly=True)
    added = [row for row in queries.posture(db, Filters()) if row["actor"] == "France"]
    assert [(row["country"], row["action"], row["status"], row["date"], row["evidence"],
             row["verdict"]) for row in added] == [
        ("Niger", "deploy", "denied", "2024-02-20", "France denied any plan to return to Niger.",
         "added")]


@pytest.mark.parametrize("figure, shown", [
    ("a few hundred", "personnel: 'a few hundred' is not a number of personnel"),
    ("", "Nothing changed: edit a value first."),
])
def test_a_bad_figure_is_refused_in_one_line_and_nothing_is_recorded(demo_app, db_path,
                                                                    figure, shown):
    withdrawal = row_id(db_path, "SELECT id FROM posture WHERE action = 'withdraw'")
    at = review(demo_app, "Posture event", withdrawal)
    at.text_input(key=f"r_fix_personnel_posture-{withdrawal}").input(figure or "1500")

    at = press(at, "Save corrected values")

    no_exceptions(at)
    (error,) = at.error
    assert error.value.startswith(f"Cannot write the correction: {shown}" if figure else shown)
    assert "\n" not in error.value
    assert row_id(db_path, "SELECT count(*) FROM corrections") == 0
    assert row_id(db_path, f"SELECT personnel FROM posture WHERE id = {withdrawal}") == 1500


def test_no_correction_without_a_name(demo_app, db_path):
    turkey = row_id(db_path, "SELECT id FROM dyads WHERE actor = 'Turkey'")
    at = review(demo_app, "Partnership (dyad)", turkey)
    at.text_input(key="r_analyst").input("  ")
    at.selectbox(key=f"r_fix_status_dyad-{turkey}").set_value("hedged")

    at = press(at, "Save corrected values")

    assert "Enter your name" in at.error[0].value
    assert row_id(db_path, "SELECT count(*) FROM corrections") == 0

