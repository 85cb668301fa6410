"""Alerts: what the watches raised, unread first; mark them read; pause or remove watches.

Alerts and watches are read on every rerun, not through the cache: they change without any
article changing (a watch saved, an alert marked read), and both tables are small.
"""

import streamlit as st

from ingest import alerts, store, watches
from views import common


def write(action, *args) -> None:
    """Run one library write on a connection of its own; a failure is one line on the page."""
    try:
        db = store.open_db(common.db_path())
    except store.StoreError as exc:
        common.stop_with(f"Cannot write to the database: {exc}")
    try:
        action(db, *args)
    except (ValueError, store.StoreError) as exc:
        common.stop_with(str(exc))
    finally:
        db.conn.close()
    st.rerun()


db = common.open_readonly()
try:
    rows = alerts.alert_list(db)
    saved = watches.list_watches(db)
    counts = dict(db.execute("SELECT watch_id, count(*) FROM alerts GROUP BY watch_id"))
    feed = alerts.feed_path(db)
finally:
    db.conn.close()

st.title("Alerts")
unread = [row for row in rows if not row["read_at"]]
st.caption("After every ingest, the articles it stored are checked against each watch; an "
           "alert quotes the sentence that fired it. Save a watch from the sidebar's current "
           f"filters (“Save as a watch”). Feed readers can subscribe to {feed}.")

if not rows:
    st.info("No alert yet." + ("" if saved else " Save a watch first: the sidebar's “Save as a"
                               " watch”, or `python -m ingest watch add`."))
else:
    left, right = st.columns(2)
    left.metric("Unread", len(unread))
    right.metric("Alerts", len(rows))
    shown = [{**row, "state": "read" if row["read_at"] else "unread",
              "raised_at": common.readable_time(row["raised_at"])} for row in rows]
    common.table(shown, ["state", "raised_at", "watch_name", "summary", "evidence", "title",
                         "source", "published", "url"],
                 column_config={"url": st.column_config.LinkColumn("url")})
    if unread:
        labels = {row["id"]: f"{row['summary']} · {row['watch_name']}" for row in unread}
        picked = st.multiselect("Unread alerts to mark read", list(labels),
                                format_func=labels.get, key="a_pick")
        one, every = st.columns(2)
        if one.button("Mark read", disabled=not picked, key="a_read"):
            write(alerts.mark_read, picked)
        if every.button(f"Mark all {len(unread)} read", key="a_read_all"):
            write(alerts.mark_read)

st.subheader("Watches")
if not saved:
    st.info("No watch saved.")
else:
    common.table([{"id": item.id, "name": item.name,
                   "state": "paused" if item.paused else "active",
                   "watches for": item.describe(), "alerts": counts.get(item.id, 0)}
                  for item in saved])
    names = {str(item.id): item for item in saved}
    chosen = names[st.selectbox("Watch", list(names), format_func=lambda i: names[i].name,
                                key="a_watch")]
    pause, remove = st.columns(2)
    if pause.button("Resume" if chosen.paused else "Pause", key="a_pause"):
        write(watches.set_paused, str(chosen.id), not chosen.paused)
    if remove.button("Remove (its alerts stay)", key="a_remove"):
        write(watches.remove_watch, str(chosen.id))
