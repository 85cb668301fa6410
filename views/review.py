"""Review: confirm or reject a tag, dyad or posture event; the dashboard's only write."""

import streamlit as st

from ingest import corrections, labels, store
from ingest.queries import Filters
from views import common

TARGETS = {"Partnership (dyad)": ("dyad", "queries.partnerships", "dyad_id"),
           "Posture event": ("posture", "queries.posture", "posture_id"),
           "Tag": ("tag", "queries.tags", "tag_id")}


def label(row: dict, id_column: str) -> str:
    if id_column == "dyad_id":
        what = f"{row['actor']} – {row['partner']} ({labels.status(row['status'])})"
    elif id_column == "posture_id":
        what = (f"{row['actor']} in {row['country']}: {labels.action(row['action'])}"
                f" ({labels.status(row['status'])})")
    else:
        value = labels.theme(row["value"]) if row["kind"] == "theme" else row["value"]
        what = f"{row['kind']}: {value}"
    # A posture event is dated by the event, as the posture tables show it, not by its article.
    when = row.get("date") if id_column == "posture_id" else row.get("published")
    return f"{(when or '')[:10]} · {what} · {(row['evidence'] or '')[:90]}"


def save(target: str, row_id: int, verdict: str, analyst: str, note: str) -> None:
    """Write through the library on a connection of its own, then drop every cached result."""
    try:
        db = store.open_db(common.db_path())
    except store.StoreError as exc:
        common.stop_with(f"Cannot write the correction: {exc}")
    try:
        corrections.record(db, target=target, row_id=row_id, verdict=verdict,
                           analyst=analyst, note=note or None)
    except (ValueError, store.StoreError) as exc:
        common.stop_with(f"Cannot write the correction: {exc}")
    finally:
        db.conn.close()
    st.cache_data.clear()
    st.session_state["r_done"] = f"Recorded: {target} {row_id} {verdict} by {analyst.strip()}."


common.require_articles()
filters = common.filters()
st.title("Review")
if done := st.session_state.pop("r_done", None):
    st.success(done)

kind = st.radio("What to review", list(TARGETS), horizontal=True, key="r_kind")
target, query, id_column = TARGETS[kind]
rejected = st.toggle("Show rejected rows (to reverse a rejection)", key="r_rejected")
if rejected:
    rows = [{**row, id_column: row["id"]}
            for row in common.fetch("aggregates.rejected_rows", target)]
    labels = {row["id"]: f"{(row['published'] or '')[:10]} · {row['key']} · "
              f"{(row['evidence'] or '')[:90]}" for row in rows}
else:
    rows = common.fetch(query, filters=filters, limit=common.PAGE_ROWS)
    labels = {row[id_column]: label(row, id_column) for row in rows}
if not rows:
    st.info("Nothing to review under these filters.")
else:
    chosen = st.selectbox(f"{kind} (newest first, up to {common.PAGE_ROWS})", list(labels),
                          format_func=labels.get, key="r_row")
    row = next(row for row in rows if row[id_column] == chosen)
    st.markdown("**Evidence**")
    st.text(row["evidence"] or "")
    st.text(f"Article: {row['title']}")
    # Verdict and note belong to this row: when the list moves on (a rejected row leaves it),
    # the next row starts blank instead of inheriting a verdict and a note meant for another.
    # The name is the analyst's and stays.
    row_key = f"{target}-{chosen}"
    with st.form("r_form", clear_on_submit=False):
        verdict = st.radio("Verdict", corrections.VERDICTS, horizontal=True, index=None,
                           key=f"r_verdict_{row_key}")
        analyst = st.text_input("Your name (required)", key="r_analyst")
        note = st.text_area("Note (why)", key=f"r_note_{row_key}")
        if st.form_submit_button("Record correction"):
            if verdict is None:
                st.error("Choose a verdict: confirmed or rejected.")
            elif not analyst.strip():
                st.error("Enter your name: every correction records who made it.")
            else:
                save(target, chosen, verdict, analyst, note)
                st.rerun()

st.subheader("History of corrections")
history = common.fetch("aggregates.correction_history")
common.table(history, ["created_at", "analyst", "target", "key", "verdict", "note", "title"])
common.download(history, "corrections", narrowed=Filters())  # the sidebar does not apply
