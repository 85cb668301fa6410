"""What every page shares: the database handle, the sidebar filters, cached fetches, downloads.

Queries run on a fresh read-only connection per cached call (opening SQLite is cheap, and a
connection is never shared between Streamlit's script threads). Results are cached with
``st.cache_data`` keyed on the database path, ``store.change_marker`` (so a new ingest or a
correction shows without a restart) and the filters as a plain tuple.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import astuple, replace
from datetime import date, timedelta
from importlib import import_module
from typing import NoReturn

import pandas as pd
import streamlit as st

from ingest import export, labels, store, watches
from ingest.queries import STATUSES, Filters, QueryError, search_query

LOGGER = logging.getLogger("dashboard")
INGEST_HINT = (
    "The database is empty. Ingest the bundled demo corpus with `python -m ingest seeds`, "
    "or your own folder with `python -m ingest seeds PATH`, then reload this page."
)
PERIODS = {"All dates": None, "Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90,
           "Last 12 months": 365, "Custom range": 0}
AFFILIATION = {"All sources": None, "State-affiliated only": True,
               "Exclude state-affiliated": False}
PAGE_ROWS = 200


def db_path() -> str:
    return str(store.resolve_path())


def stop_with(message: str) -> NoReturn:
    st.error(message)
    st.stop()


def tagger_version() -> str:
    """The installed tagger's version (imported here: most pages never need the tagger)."""
    from ingest.tagger import TAGGER_VERSION

    return TAGGER_VERSION


def open_readonly():
    """A read-only connection, or a clear error on the page (never a traceback)."""
    path = db_path()
    try:
        return store.open_db(path, readonly=True)
    except store.StoreError as exc:
        stop_with(
            f"Cannot open the database: {exc}. Set MONITOR_DB to the right file, or create "
            "this one with `python -m ingest seeds`."
        )


def refresh_marker() -> None:
    """Read the change marker once per rerun: the cache key that makes new data show up."""
    db = open_readonly()
    try:
        st.session_state["marker"] = tuple(store.change_marker(db))
    except sqlite3.DatabaseError as exc:
        stop_with(f"Cannot read the database {db_path()}: {exc}. Restore it from a backup or "
                  "rebuild it with `python -m ingest seeds`.")
    finally:
        db.conn.close()


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(path: str, marker: tuple, name: str, fields: tuple | None, args: tuple,
            options: tuple):
    module, function = name.split(".")
    db = store.open_db(path, readonly=True)
    try:
        call = getattr(import_module(f"ingest.{module}"), function)
        head = (db,) if fields is None else (db, Filters(*fields))
        result = call(*head, *args, **dict(options))
        return list(result) if isinstance(result, Iterator) else result
    finally:
        db.conn.close()


def fetch(name: str, *args, filters: Filters | None = None, **options):
    """Call ``ingest.<module>.<function>`` (e.g. ``aggregates.matrix``) through the cache."""
    fields = None if filters is None else astuple(filters)
    try:
        return _cached(db_path(), st.session_state.get("marker"), name, fields, args,
                       tuple(sorted(options.items())))
    except QueryError as exc:
        stop_with(str(exc))
    except (store.StoreError, sqlite3.DatabaseError) as exc:
        stop_with(f"Cannot read the database {db_path()}: {exc}")


def search(typed: str) -> tuple[str, bool]:
    """``queries.search_query`` on a read-only connection; stops the page with its reason if
    even the quoted words cannot be searched."""
    db = open_readonly()
    try:
        return search_query(db, typed)
    except QueryError as exc:
        stop_with(str(exc))
    finally:
        db.conn.close()
    return None


def sidebar() -> Filters:
    """Draw the filters every page honours and remember them for this rerun."""
    options = fetch("aggregates.filter_options")
    bar = st.sidebar
    bar.header("Filters")
    since, until = _period(bar, options)
    sources = {row["id"]: row["name"] for row in options["sources"]}
    filters = Filters(
        since=since, until=until,
        actors=tuple(bar.multiselect("Actors", options["actors"], key="f_actors")),
        partners=tuple(bar.multiselect("Partner countries", options["partners"],
                                       key="f_partners")),
        themes=tuple(bar.multiselect("Themes", options["themes"], format_func=labels.theme,
                                     key="f_themes")),
        languages=tuple(bar.multiselect("Languages", options["languages"], key="f_languages")),
        sources=tuple(bar.multiselect("Sources", list(sources), format_func=sources.get,
                                      key="f_sources")),
        affiliated=AFFILIATION[bar.radio("State-affiliated sources", list(AFFILIATION),
                                         key="f_affiliated")],
        statuses=tuple(bar.multiselect("Statuses listed", STATUSES, default=list(STATUSES),
                                       format_func=labels.status, key="f_statuses")),
    )
    bar.caption("Counts and charts use reported statements only; planned, denied and hedged "
                "ones are listed apart, with their status.")
    st.session_state["filters"] = filters
    save_watch(bar, filters)
    brief_downloads(bar, filters)
    return filters


def brief_downloads(bar, filters: Filters) -> None:
    """The brief of the current filters, as HTML or PDF. Built only when a button is clicked
    (a deferred download): rendering its charts and pages takes seconds, a rerun must not."""
    from ingest import brief

    bar.subheader("Brief")
    bar.caption("A report of these filters to forward: dated developments with their sources "
                "and quotes, force levels and partnerships. Made when clicked (a few seconds).")
    path = db_path()

    def made(fmt: str):
        def build() -> bytes:
            db = store.open_db(path, readonly=True)
            try:
                return brief.make(db, filters, fmt)
            finally:
                db.conn.close()
        return build

    for fmt, mime in (("html", "text/html"), ("pdf", "application/pdf")):
        bar.download_button(f"Brief of these filters ({fmt.upper()})", made(fmt),
                            file_name=brief.file_name(filters, fmt), mime=mime,
                            key=f"brief_{fmt}", on_click="ignore")


UNIT_NAMES = {"articles": "Articles", "stories": "Stories", "events": "Events"}
UNIT_HELP = ("Articles: every stored article. Stories: the copies of one report (syndicated,"
             " lightly edited, retitled, a feed's summary of it) count once. Events: one"
             " happening counts once, however many stories report it.")


def count_control(filters: Filters, default: str, key: str,
                  units: tuple[str, ...] = ("articles", "stories", "events")) -> Filters:
    """The page's "Count" control, offering ``units``; returns the filters counting in the
    chosen unit. ``default`` falls back to stories where the database cannot count it (no
    events yet)."""
    offered = [unit for unit in fetch("aggregates.units") if unit in units]
    if default not in offered:
        default = "stories"
    unit = st.radio("Count", offered, index=offered.index(default), key=key,
                    format_func=UNIT_NAMES.get, horizontal=True, help=UNIT_HELP)
    return replace(filters, unit=unit)


def save_watch(bar, filters: Filters) -> None:
    """Save the actor, partner, theme, status, source and language filters as a watch (the
    period and the state-media choice are not part of a watch)."""
    with bar.expander("Save as a watch"):
        name = st.text_input("Watch name", key="w_name")
        trigger = st.selectbox("Alert me on", list(watches.TRIGGERS),
                               format_func=watches.TRIGGERS.get, key="w_trigger")
        k = st.number_input("k (spikes only)", min_value=1.0, value=watches.DEFAULT_K,
                            step=0.5, key="w_k")
        if st.button("Save watch", key="w_save"):
            try:
                db = store.open_db(db_path())
                try:
                    watches.add_watch(db, name, trigger, filters, k)
                finally:
                    db.conn.close()
            except (ValueError, store.StoreError) as exc:
                st.error(f"Cannot save the watch: {exc}")
            else:
                st.success(f"Saved “{name.strip()}”: see the Alerts page.")


def illustrative_banner() -> None:
    """Say on every page when what is shown is (almost all) bundled sample data, so nobody
    cites the demo as reporting."""
    share = fetch("aggregates.illustrative_share")
    if not share:
        return
    illustrative, total = share
    which = ("Every article in this database is" if illustrative == total
             else f"{illustrative:,} of the {total:,} articles in this database are")
    st.warning(f"{which} illustrative sample data, not reporting: bundled"
               " demo documents that show the tool working. Do not cite them as evidence. The"
               " banner goes once a feed brings real articles (`python -m ingest feeds add`).",
               icon="⚠️")


def day_of(value: str | None) -> date | None:
    """The day of a stored time, if it is one between 1900 and today: a row an older release
    stored with year 1 ("1-01-01T...") or 9999 must not break or stretch the period picker."""
    try:
        day = date.fromisoformat((value or "")[:10])
    except ValueError:
        return None
    return day if date(1900, 1, 1) <= day <= date.today() else None


def _period(bar, options: dict) -> tuple[date | None, date | None]:
    choice = bar.selectbox("Period", list(PERIODS), key="f_period")
    anchor = day_of(options["last"]) or date.today()
    if choice == "Custom range":
        first = min(day_of(options["first"]) or anchor, anchor)
        picked = bar.date_input("From – to", value=(first, anchor), key="f_dates")
        picked = tuple(picked) if isinstance(picked, tuple | list) else (picked,)
        if not picked:  # the analyst cleared the range: all dates until one is picked
            return None, None
        return picked[0], picked[-1]
    days = PERIODS[choice]
    if days is None:
        return None, None
    bar.caption(f"Up to {anchor.isoformat()}, the latest article in the database.")
    return anchor - timedelta(days=days - 1), anchor


def filters() -> Filters:
    return st.session_state.get("filters", Filters())


def require_articles() -> None:
    """On an empty database, say how to ingest something and stop the page there."""
    if not fetch("aggregates.article_count", filters=Filters()):
        st.info(INGEST_HINT)
        st.stop()


TIMES = ("published", "created_at", "started_at", "finished_at", "last_success_at",
         "last_error_at")


def readable_time(value: object) -> object:
    """Stored UTC times as a reader wants them: a date alone when there is no time of day
    ("2025-10-08T00:00:00Z" reads "2025-10-08"), else to the minute. Other values as they are."""
    if not isinstance(value, str) or len(value) < 16 or value[10] != "T":
        return value
    return value[:10] if value[11:19] == "00:00:00" else f"{value[:10]} {value[11:16]}"


def table(rows: list[dict], columns: list[str] | None = None, **kwargs):
    """Show rows as a table (text cells stay text: the grid never renders markup).

    Times are shortened for reading and theme, action and status ids read as their labels; the
    CSV download keeps both. Returns what ``st.dataframe`` returns (the selection, when
    ``on_select`` is given)."""
    rows = [labels.shown(row) for row in rows]
    frame = pd.DataFrame(rows, columns=columns) if rows or columns else pd.DataFrame()
    for column in TIMES:
        if column in frame:
            frame[column] = frame[column].map(readable_time)
    return st.dataframe(_blank_when_empty(frame), hide_index=True, width="stretch", **kwargs)


def _blank_when_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """An empty cell reads "—", never "None" (the grid shows a null as "None", whatever a
    style says). Only columns with gaps become text; a whole-number column with gaps (pandas
    makes it float) keeps its figures whole: 1,500, not 1500.0."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not values.isna().any():
            continue
        if values.dtype.kind == "f" and (values.dropna() % 1 == 0).all():
            values = values.map(lambda v: f"{v:,.0f}" if pd.notna(v) else None)
        out[column] = values.astype(object).where(values.notna(), "—")
    return out


def pair_table(rows: list[dict], columns: list[str], key: str) -> None:
    """A table of actor–partner rows; choosing a row opens that pair's evidence on the
    Partnerships page, so every number on the Overview leads to its sentences."""
    event = table(rows, columns, on_select="rerun", selection_mode="single-row", key=key)
    chosen = event.selection.rows if event else []
    if chosen:
        row = rows[chosen[0]]
        st.session_state["p_actor"], st.session_state["p_partner"] = row["actor"], row["partner"]
        st.switch_page("views/partnerships.py")


def download(rows: list[dict], name: str, columns: list[str] | None = None,
             narrowed: Filters | None = None) -> None:
    """A CSV of exactly these rows, written as the CLI export writes it (BOM, the comment line
    citing the filters, neutralised cells) and named after them. ``narrowed``: the filters the
    rows came from when the page narrowed the sidebar's (a chosen pair, force or country)."""
    used = narrowed or filters()
    st.download_button(
        f"Download CSV ({len(rows)} rows)",
        export.to_csv_bytes(rows, columns, what=name, filters=used),
        file_name=export.file_name(name, used), mime="text/csv", key=f"download_{name}",
    )


def picked(event, name: str) -> dict | None:
    """The point chosen in a chart's selection ``name`` (``on_select="rerun"``), or None.
    Read as a mapping: Streamlit returns its state object, a test the plain dict it set."""
    points = ((event or {}).get("selection") or {}).get(name) or []
    return points[0] if points else None


def newly_chosen(key: str, choice: object) -> bool:
    """Whether a chooser (a chart selection, a table row) made a new choice since the last
    rerun: a chart keeps its selection, which must not override a box the analyst changed
    since. ``key`` remembers the choice in the session."""
    before = st.session_state.get(key)
    st.session_state[key] = choice
    return choice is not None and choice != before
