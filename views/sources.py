"""Sources: every feed and seed folder, its health, its runs; and the feed registry itself.

The page reads on the read-only connection like every other. Adding, pausing, resuming,
removing and importing feeds write through ``ingest.feeds`` (the command line's functions and
checks) on a connection of their own, the way Review writes corrections.
"""

import json
import sqlite3
from collections.abc import Callable

import pandas as pd
import sqlite_utils
import streamlit as st

from ingest import charts, feeds, store
from ingest.queries import Filters
from views import common


def change(action: Callable[[sqlite_utils.Database], str]) -> str | None:
    """Run one registry change and rerun with its message; return the error line if refused."""
    try:
        db = store.open_db(common.db_path())
    except store.StoreError as exc:
        return f"Cannot change the feeds: {exc}"
    try:
        done = action(db)
    except (ValueError, store.StoreError, sqlite3.DatabaseError) as exc:  # FeedError, OpmlError
        return str(exc)
    finally:
        db.conn.close()
    st.cache_data.clear()
    st.session_state["s_done"] = done
    st.rerun()
    return None


def add(url: str, name: str, language: str, affiliation: str) -> Callable:
    def run(db: sqlite_utils.Database) -> str:
        feeds.refuse_file_path(url.strip())
        checked = feeds.validate_url(url)
        feeds.refuse_private(checked, allow_private=feeds.private_hosts_allowed())
        feed_id, new = feeds.add_feed(db, checked, name=name.strip() or None,
                                      language=language.strip() or None,
                                      affiliation=affiliation.strip() or None)
        return f"{'Added' if new else 'Updated'} feed #{feed_id}: {checked}"
    return run


def marking(row: dict) -> str:
    return ("illustrative sample data, not reporting" if row["illustrative"]
            else f"state-affiliated ({row['affiliation']})" if row["affiliation"]
            else "independent")


def health(row: dict) -> str:
    return ("removed" if row.get("removed_at") else "paused" if row["paused"]
            else "malformed" if row.get("malformed")
            else "failing" if row["consecutive_failures"] else "ok")


def latest_feed_run(runs: list[dict]) -> None:
    """Say plainly when the last feed run failed: a status in a table is easy to miss."""
    run = next((run for run in runs if run["kind"] == "feeds" and run["finished_at"]), None)
    if run is None:
        return
    when = common.readable_time(run["finished_at"])
    if run["status"] == "failed":
        st.error(f"The latest feed run (#{run['id']}, {when}) failed: {run['failed']} of"
                 f" {run['feeds_polled']} feeds could not be polled. Their errors are below.")
    elif run["status"] == "partial":
        st.warning(f"The latest feed run (#{run['id']}, {when}) was partial: {run['failed']}"
                   f" of {run['feeds_polled']} feeds could not be polled.")


def show_health(sources: list[dict]) -> None:
    st.subheader("Articles per source")
    contributing = [row for row in sources if row["articles"]][:30]
    if contributing:
        st.altair_chart(charts.source_contributions(pd.DataFrame(contributing)))
        common.download(contributing, "sources-articles", ["name", "marking", "articles"])
    else:
        st.caption("No source carried an article under these filters.")
    st.subheader("Health")
    common.table(sources, ["name", "kind", "marking", "health", "articles", "last_success_at",
                           "last_error", "last_error_at", "consecutive_failures", "paused",
                           "malformed", "language", "url"])
    common.download(sources, "sources")
    folders = [{**row, "last_run": common.readable_time(row["last_polled_at"])}
               for row in sources if row["kind"] == "seeds"]
    if folders:
        st.subheader("Seed folders")
        st.caption("Each folder's last `python -m ingest seeds` run: files read, files that "
                   "could not be read, and the last error (with its time).")
        common.table(folders, ["name", "last_run", "files_read", "files_failed", "last_error",
                               "last_error_at", "articles", "url"])


def manage() -> None:
    """The feed registry: add, pause, resume, remove, import, as on the command line."""
    st.subheader("Feeds")
    registered = common.fetch("feeds.list_feeds")
    for row in registered:
        row["state"] = health(row)
    common.table(registered, ["id", "name", "state", "language", "affiliation", "url",
                              "last_success_at", "last_error"])
    if registered:
        names = {row["id"]: f"#{row['id']} {row['name']} ({row['state']})"
                 for row in registered}
        chosen = st.selectbox("Feed", list(names), format_func=names.get, key="s_feed")
        pause, resume, remove = st.columns(3)
        actions = {"Pause": (pause, feeds.pause_feed, "Paused"),
                   "Resume": (resume, feeds.resume_feed, "Resumed"),
                   "Remove": (remove, feeds.remove_feed, "Removed")}
        for label, (column, function, verb) in actions.items():
            if column.button(label, key=f"s_{label.lower()}"):
                def act(db, function=function, verb=verb):
                    return f"{verb} feed #{function(db, str(chosen))}."
                if error := change(act):
                    st.error(error)
        st.caption("Removing keeps the feed's articles; adding its URL again brings it back.")

    with st.form("s_add"):
        st.markdown("**Add a feed**")
        url = st.text_input("Feed URL (RSS or Atom)", key="s_url")
        name = st.text_input("Name (default: the host)", key="s_name")
        language = st.text_input("Language (ISO 639, e.g. en or fr)", key="s_lang")
        affiliation = st.text_input("State-affiliated: the state it speaks for, e.g. Russia "
                                    "(blank: independent)", key="s_affiliation")
        if st.form_submit_button("Add feed"):
            if not url.strip():
                st.error("Enter the feed's URL.")
            elif error := change(add(url, name, language, affiliation)):
                st.error(error)

    uploaded = st.file_uploader("Import an OPML file (or a list of URLs, one per line): all its"
                                " feeds or none", type=["opml", "xml", "txt"], key="s_opml")
    if uploaded is not None and st.button("Import feeds", key="s_import"):
        data = uploaded.getvalue()

        def run(db):
            added, updated = feeds.import_feeds(db, data, origin=uploaded.name)
            return f"{uploaded.name}: {added} feeds added, {updated} updated."
        if error := change(run):
            st.error(error)


filters = common.filters()
st.title("Sources")
if done := st.session_state.pop("s_done", None):
    st.success(done)

runs = common.fetch("aggregates.recent_runs")
latest_feed_run(runs)
sources = common.fetch("aggregates.source_health", filters=filters)
for row in sources:
    row["marking"], row["health"] = marking(row), health(row)
if sources:
    show_health(sources)
else:
    st.info(common.INGEST_HINT)

if runs:
    st.subheader("Recent runs")
    common.table(runs, ["id", "kind", "started_at", "finished_at", "status", "feeds_polled",
                        "new", "updated", "unchanged", "duplicate", "failed"])
    common.download(runs, "runs", narrowed=Filters())  # runs are not filtered by the sidebar
errors = [{"run": run["id"], "error": error} for run in runs[:5]
          for error in json.loads(run["errors"] or "[]")]
if errors:
    st.subheader("Errors in the last runs")
    common.table(errors, ["run", "error"])
    common.download(errors, "run-errors", narrowed=Filters())

manage()
