"""Review: confirm, reject or correct a tag, dyad or posture event, add one the tagger missed,
and undo any of it; the dashboard's only writes to tags, all through ``ingest.corrections``."""

import json
from collections.abc import Callable
from datetime import date

import sqlite_utils
import streamlit as st

from ingest import corrections, labels, store
from ingest.queries import Filters
from views import common

TARGETS = {"Partnership (dyad)": ("dyad", "queries.partnerships", "dyad_id"),
           "Posture event": ("posture", "queries.posture", "posture_id"),
           "Tag": ("tag", "queries.tags", "tag_id")}
# How a field is shown in a form: its label, and the label of each of its values.
FIELD_LABELS = {"value": "Value", "actor": "Actor", "partner": "Partner country",
                "country": "Country", "action": "Action", "personnel": "Personnel (figure)",
                "date": "Date", "status": "Status"}
VALUE_LABELS: dict[str, Callable[[str], str]] = {"action": labels.action,
                                                  "status": labels.status}


def label(row: dict, id_column: str) -> str:
    if id_column == "dyad_id":
        what = f"{row['actor']} – {row['partner']} ({labels.status(row['status'])})"
    elif id_column == "posture_id":
        figure = f" {row['personnel']:,}" if row.get("personnel") is not None else ""
        what = (f"{row['actor']} in {row['country']}: {labels.action(row['action'])}{figure}"
                f" ({labels.status(row['status'])})")
    else:
        value = labels.theme(row["value"]) if row["kind"] == "theme" else row["value"]
        what = f"{row['kind']}: {value}"
    # A posture event is dated by the event, as the posture tables show it, not by its article.
    when = row.get("date") if id_column == "posture_id" else row.get("published")
    mark = f" · {row['verdict']}" if row.get("verdict") in ("corrected", "added") else ""
    return f"{(when or '')[:10]} · {what}{mark} · {(row['evidence'] or '')[:90]}"


def write(change: Callable[[sqlite_utils.Database], int], receipt: str) -> None:
    """Write through the library on a connection of its own, then drop every cached result.
    A refused correction (bad value, unknown row) is shown in one line and changes nothing."""
    try:
        db = store.open_db(common.db_path())
    except store.StoreError as exc:
        common.stop_with(f"Cannot write the correction: {exc}")
    try:
        number = change(db)
    except (ValueError, store.StoreError) as exc:
        common.stop_with(f"Cannot write the correction: {exc}")
    finally:
        db.conn.close()
    st.cache_data.clear()
    st.session_state["r_done"] = f"Recorded: {receipt} (correction {number})."


def value_input(field: str, current: object, key: str, kind: str | None = None) -> object:
    """One field's widget, showing ``current``; returns what the analyst left in it."""
    name = FIELD_LABELS[field]
    if field == "personnel":
        return st.text_input(f"{name}, empty when not known",
                             "" if current is None else str(current), key=key)
    if field == "date":
        return st.date_input(name, day(current), min_value=date(1900, 1, 1),
                             max_value=date(2100, 12, 31), key=key)
    options = list(corrections.choices(field, kind))
    if current is not None and current not in options:
        options.insert(0, current)  # a value from an older vocabulary stays choosable
    shown = labels.theme if kind == "theme" else VALUE_LABELS.get(field, str)
    return st.selectbox(name, options, index=options.index(current) if current in options
                        else None, format_func=shown, key=key)


def day(value: object) -> date | None:
    """A stored date as the date picker takes it (future ones too: a planned withdrawal)."""
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def as_typed(value: object) -> str:
    """A widget's or a row's value as the library reads it: a date as YYYY-MM-DD (a stored
    time cut to its day), nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def changed_values(target: str, row: dict, typed: dict[str, object]) -> dict[str, str]:
    """The fields whose typed value differs from the row's."""
    columns = corrections.FIELDS[target]
    stored = {field: day(row.get(column)) if field == "date" else row.get(column)
              for field, column in columns.items()}
    return {field: as_typed(value) for field, value in typed.items()
            if as_typed(value) != as_typed(stored[field])}


def analyst_name() -> str | None:
    name = st.session_state.get("r_analyst", "")
    if not name.strip():
        st.error("Enter your name: every correction records who made it.")
        return None
    return name


def tagger_said(stored: dict | None) -> None:
    """Under a corrected row: who changed it, and what the tagger had written."""
    if not stored or stored.get("corrected_by") is None:
        return
    if stored["origin"] == "analyst":
        st.caption(f"Added by an analyst (correction {stored['corrected_by']}).")
        return
    tagger = json.loads(stored["tagger_values"] or "{}")
    was = corrections.describe("edit", changes={
        column: value for column, value in tagger.items() if value != stored.get(column)})
    st.caption(f"Corrected (correction {stored['corrected_by']}); the tagger had: {was}. "
               "Undo the correction below to restore it.")


def review_row(rows: list[dict], target: str, id_column: str, kind: str) -> None:
    """Pick a row, judge it and correct its values."""
    labelled = ({row[id_column]: f"{(row['date'] or row['published'] or '')[:10]} ·"
                 f" {row['key']} · {(row['evidence'] or '')[:90]}" for row in rows}
                if "key" in rows[0] else {row[id_column]: label(row, id_column) for row in rows})
    chosen = st.selectbox(f"{kind} (newest first, up to {common.PAGE_ROWS})", list(labelled),
                          format_func=labelled.get, key="r_row")
    row = next(row for row in rows if row[id_column] == chosen)
    st.markdown("**Evidence**")
    st.text(row["evidence"] or "")
    st.text(f"Article: {row['title']}")
    stored = common.fetch("corrections.row_of", target, chosen)
    tagger_said(stored)
    # Verdict, values and notes belong to this row: when the list moves on (a rejected row
    # leaves it), the next row starts blank instead of inheriting what was meant for another.
    # The name is the analyst's and stays.
    row_key = f"{target}-{chosen}"
    with st.form("r_form", clear_on_submit=False):
        verdict = st.radio("Verdict", corrections.VERDICTS, horizontal=True, index=None,
                           key=f"r_verdict_{row_key}")
        note = st.text_area("Note (why)", key=f"r_note_{row_key}")
        if st.form_submit_button("Record correction"):
            if verdict is None:
                st.error("Choose a verdict: confirmed or rejected.")
            elif name := analyst_name():
                write(lambda db: corrections.record(
                    db, target=target, row_id=chosen, verdict=verdict, analyst=name,
                    note=note), f"{target} {chosen} {verdict} by {name.strip()}")
                st.rerun()
    if stored is None:
        return
    with st.form("r_fix_form", clear_on_submit=False):
        st.markdown("**Correct the values**: change what is wrong, leave the rest.")
        typed = {field: value_input(field, stored.get(column), f"r_fix_{field}_{row_key}",
                                    stored.get("kind"))
                 for field, column in corrections.FIELDS[target].items()}
        note = st.text_area("Why (kept in the history)", key=f"r_fix_note_{row_key}")
        if st.form_submit_button("Save corrected values"):
            changes = changed_values(target, stored, typed)
            if not changes:
                st.error("Nothing changed: edit a value first.")
            elif name := analyst_name():
                what = corrections.describe("edit", changes=changes)
                write(lambda db: corrections.correct(
                    db, target=target, row_id=chosen, changes=changes, analyst=name,
                    note=note), f"{target} {chosen} {what}")
                st.rerun()


def add_row(filters: Filters) -> None:
    """Add a dyad or posture event the tagger missed, quoting one of the article's sentences."""
    st.subheader("Add a missing partnership or posture event")
    target = {"Partnership (dyad)": "dyad", "Posture event": "posture"}[
        st.radio("Add a", ["Partnership (dyad)", "Posture event"], horizontal=True,
                 key="r_add_target")]
    articles = {row["article_id"]: f"{(row['published'] or '')[:10]} · {row['title']}"
                for row in common.fetch("queries.articles", filters=filters,
                                        limit=common.PAGE_ROWS)}
    if not articles:
        st.info("No article under these filters.")
        return
    article = st.selectbox(f"Article (newest first, up to {common.PAGE_ROWS})", list(articles),
                           format_func=articles.get, key="r_add_article")
    sentences = common.fetch("corrections.sentences", article)
    chosen = st.selectbox("Evidence: the sentence that says it", range(len(sentences)),
                          format_func=lambda i: f"{sentences[i]['field']}: "
                          f"{sentences[i]['sentence'][:160]}", index=None,
                          key=f"r_add_sentence_{article}")
    fields = ("actor", "partner", "status") if target == "dyad" else (
        "actor", "country", "action", "personnel", "date", "status")
    with st.form("r_add_form", clear_on_submit=False):
        typed = {field: value_input(field, "reported" if field == "status" else None,
                                    f"r_add_{field}_{target}") for field in fields}
        if target == "posture":
            st.caption("Without a date the event takes its article's date.")
        note = st.text_area("Why (kept in the history)", key="r_add_note")
        if st.form_submit_button(f"Add this {target}"):
            if chosen is None:
                st.error("Choose the evidence sentence: an added row quotes its article.")
            elif name := analyst_name():
                values = {field: as_typed(value) for field, value in typed.items()}
                write(lambda db: corrections.add(
                    db, target=target, article_id=article, values=values,
                    evidence=sentences[chosen]["sentence"], analyst=name, note=note),
                    corrections.describe("add", changes=values))
                st.rerun()


def history() -> None:
    """Every correction, newest first, and the undo of any still in force."""
    st.subheader("History of corrections")
    rows = [{**row, "change": corrections.describe(row["kind"], verdict=row["verdict"],
                                                    changes=row["changes"],
                                                    undoes=row["undoes"])}
            for row in common.fetch("aggregates.correction_history")]
    in_force = {row["id"]: f"{row['id']} · {row['target']} {row['key']}: {row['change']}"
                f" · {row['analyst']}" for row in rows
                if row["kind"] != "undo" and row["undone_by"] is None}
    if in_force:
        with st.form("r_undo_form", clear_on_submit=False):
            undone = st.selectbox("Undo a correction (its rows go back to the tagger's values)",
                                  list(in_force), format_func=in_force.get, index=None,
                                  key="r_undo")
            note = st.text_area("Why undo it", key="r_undo_note")
            if st.form_submit_button("Undo"):
                if undone is None:
                    st.error("Choose the correction to undo.")
                elif name := analyst_name():
                    write(lambda db: corrections.undo(db, undone, analyst=name, note=note),
                          f"undo of correction {undone}")
                    st.rerun()
    common.table(rows, ["id", "created_at", "analyst", "target", "kind", "key", "change",
                        "verdict", "undone_by", "note", "title"])
    common.download(rows, "corrections", narrowed=Filters())  # the sidebar does not apply


common.require_articles()
filters = common.filters()
st.title("Review")
if done := st.session_state.pop("r_done", None):
    st.success(done)

# The name outlives the widget: Streamlit forgets a widget's value on another page.
if "r_analyst" not in st.session_state:
    st.session_state["r_analyst"] = st.session_state.get("analyst", "")
st.session_state["analyst"] = st.text_input("Your name (required for every correction)",
                                            key="r_analyst")
kind = st.radio("What to review", list(TARGETS), horizontal=True, key="r_kind")
target, query, id_column = TARGETS[kind]
rejected = st.toggle("Show rejected rows (to reverse a rejection)", key="r_rejected")
if rejected:
    rows = [{**row, id_column: row["id"]}
            for row in common.fetch("aggregates.rejected_rows", target)]
else:
    rows = common.fetch(query, filters=filters, limit=common.PAGE_ROWS)
if rows:
    review_row(rows, target, id_column, kind)
else:
    st.info("Nothing to review under these filters.")
add_row(filters)
history()
