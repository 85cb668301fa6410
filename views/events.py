"""Events: what happened, once, however many articles, outlets and languages reported it;
each event's statements, sources and disagreement, and the analyst's split and merge."""

import streamlit as st

from ingest import events, labels, store
from ingest.queries import disagreement
from views import common

LIST_COLUMNS = ["event_id", "first_date", "last_date", "actor", "country", "action",
                "figure_low", "figure_high", "disputed", "statements", "articles", "sources",
                "languages", "state_affiliated", "statuses"]
STATEMENT_COLUMNS = ["kind", "statement_id", "date", "status", "personnel", "personnel_text",
                     "place", "source", "outlet", "language", "evidence", "title", "url",
                     "verdict"]


def describe(row: dict) -> str:
    figures = (f" · {row['figure_low']:,}" + (f"–{row['figure_high']:,}"
               if row["figure_high"] != row["figure_low"] else "")) if row["figure_low"] else ""
    return (f"#{row['event_id']} {row['first_date'] or '?'} · {row['actor']} in"
            f" {row['country']}: {labels.theme(labels.action(row['action']))}"
            f"{figures} · {row['articles']} articles, {row['languages']}")


def correct(change, *args, **options) -> None:
    """Write through the library on a connection of its own, then drop every cached result."""
    try:
        db = store.open_db(common.db_path())
        try:
            change(db, *args, **options)
        finally:
            db.conn.close()
    except (ValueError, store.StoreError) as exc:
        common.stop_with(f"Cannot record the event correction: {exc}")
    st.cache_data.clear()
    st.session_state["e_done"] = f"Recorded by {options['analyst'].strip()}."


common.require_articles()
filters = common.filters()
st.title("Events")
st.caption("One row per happening: the posture and partnership statements that report the same"
           " actor, country and action within a few days, whatever the outlet or language."
           " Where sources disagree on the figure or the date, the range is shown and the"
           " statements below say who said what.")
if done := st.session_state.pop("e_done", None):
    st.success(done)

rows = common.fetch("queries.events", filters=filters, limit=common.PAGE_ROWS)
if not rows:
    st.info("No event matches these filters. If articles are stored but no event is, run"
            " `python -m ingest events --rebuild`.")
    st.stop()
common.table(rows, LIST_COLUMNS)
common.download(rows, "events")

chosen = st.selectbox(f"Event (latest first, up to {common.PAGE_ROWS})",
                      [row["event_id"] for row in rows], key="e_event",
                      format_func=lambda e: describe(next(r for r in rows if r["event_id"] == e)))
event = next(row for row in rows if row["event_id"] == chosen)
statements = common.fetch("queries.event_statements", chosen)
spread = disagreement(statements)
left, right = st.columns(2)
left.metric("Articles", event["articles"])
right.metric("Sources", event["sources"], help=f"Languages: {event['languages']}; state-"
             f"affiliated articles: {event['state_affiliated']}")
if spread["disputed"]:
    st.subheader("Where the sources disagree")
    said = [{"what": "figure", "value": f"{int(value):,}", "said by": ", ".join(who)}
            for value, who in sorted(spread["figures_said"].items(), key=lambda i: int(i[0]))]
    said += [{"what": "date", "value": day, "said by": ", ".join(who)}
             for day, who in sorted(spread["dates_said"].items())]
    common.table(said, ["what", "value", "said by"])
st.subheader("Statements")
common.table(statements, STATEMENT_COLUMNS)
common.download(statements, f"event-{chosen}-statements")

st.subheader("Correct this event")
analyst = st.text_input("Your name (required)", key="e_analyst")
note = st.text_input("Note (why)", key=f"e_note_{chosen}")
split_tab, merge_tab = st.tabs(["Split: these statements are another happening",
                                "Merge: this event and another are one happening"])
with split_tab:
    options = {(("posture" if s["kind"] == "posture" else "dyads"), s["statement_id"]):
               f"{s['kind']} {s['statement_id']} · {s['date']} · {s['outlet'] or s['source']}"
               f" · {(s['evidence'] or '')[:80]}" for s in statements}
    moved = st.multiselect("Statements to move out", list(options), format_func=options.get,
                           key=f"e_split_{chosen}")
    if st.button("Split", key="e_split_go", disabled=not (moved and analyst.strip())):
        correct(events.split, chosen, moved, analyst=analyst, note=note or None)
        st.rerun()
with merge_tab:
    others = [row["event_id"] for row in rows if row["event_id"] != chosen]
    other = st.selectbox("Event to fold into this one", others, index=None,
                         key=f"e_merge_{chosen}", format_func=lambda e: describe(
                             next(r for r in rows if r["event_id"] == e)))
    if st.button("Merge", key="e_merge_go", disabled=not (other and analyst.strip())):
        correct(events.merge, chosen, other, analyst=analyst, note=note or None)
        st.rerun()
st.caption("Splits and merges are recorded with your name, the time and the note, and are"
           " applied again whenever events are rebuilt or articles retagged.")
