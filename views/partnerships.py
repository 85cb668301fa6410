"""Partnerships: who partners with whom, since when, on what, with the evidence behind it."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from ingest import charts, labels
from views import common

common.require_articles()
filters = common.filters()
st.title("Partnerships")
filters = common.count_control(filters, "stories", "p_unit")
unit = filters.unit

st.subheader(f"{common.UNIT_NAMES[unit]} per actor per month")
months = common.fetch("aggregates.actor_months", filters=filters)
if months:
    totals = pd.DataFrame(months).groupby("actor")["articles"].sum().nlargest(12)
    shown = [row for row in months if row["actor"] in totals.index]
    if len(totals) < len({row["actor"] for row in months}):
        st.caption("The 12 actors with the most articles; narrow the actors filter to see others.")
    st.altair_chart(charts.actor_timeline(pd.DataFrame(shown), unit))
    common.download(shown, "partnerships-actor-months", narrowed=filters)
else:
    st.info("No article names an actor under these filters.")

st.subheader("Actor × partner country")
cells = common.fetch("aggregates.matrix", filters=filters)
statuses = common.fetch("aggregates.status_counts", filters=filters)
aside = {status: count for status, count in statuses.items() if status != "reported"}
if aside:
    st.caption("Not counted here (listed with the evidence below): "
               + ", ".join(f"{count} {labels.status(status).lower()}"
                           for status, count in sorted(aside.items())))
if cells:
    event = st.altair_chart(charts.partnership_matrix(pd.DataFrame(cells), unit),
                            on_select="rerun",
                            key="matrix", selection_mode=charts.CELL)
    chosen = event.selection.get(charts.CELL) if event else None
    cell = (chosen[0].get("actor"), chosen[0].get("partner")) if chosen else None
    if cell and cell != st.session_state.get("p_cell"):
        st.session_state["p_actor"], st.session_state["p_partner"] = cell
    st.session_state["p_cell"] = cell
    common.download(cells, "partnerships-matrix", narrowed=filters)
else:
    st.info("No reported partnership matches these filters.")

listed = cells + (common.fetch("aggregates.aside_pairs", filters=filters) if aside else [])
actors = sorted({row["actor"] for row in listed})
partners = sorted({row["partner"] for row in listed})
for key, options in (("p_actor", actors), ("p_partner", partners)):
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
left, right = st.columns(2)
actor = left.selectbox("Actor", actors, index=None, placeholder="click a cell, or choose",
                       key="p_actor")
partner = right.selectbox("Partner country", partners, index=None, placeholder="any",
                          key="p_partner")

if actor:
    st.subheader(f"Where {actor} is active")
    activity = {row["partner"]: row["articles"] for row in cells if row["actor"] == actor}
    if activity:
        st.altair_chart(charts.africa_map(activity, "articles"))
        common.download([{"partner": name, "articles": count}
                         for name, count in activity.items()], "partnerships-actor-map",
                        narrowed=replace(filters, actors=(actor,)))
        st.caption("Countries shaded by the number of articles reporting a partnership with "
                   f"{actor} in the period (offline Natural Earth shapes).")
    else:
        st.caption(f"No reported partnership with {actor} in the period, so there is nothing "
                   "to map; its planned, denied or hedged statements are listed below.")

if actor:
    narrowed = replace(filters, actors=(actor,), partners=(partner,) if partner else ())
    rows = common.fetch("queries.partnerships", filters=narrowed, limit=common.PAGE_ROWS)
    st.subheader(f"Evidence: {actor} – {partner or 'any partner'}")
    st.caption(f"Newest first, up to {common.PAGE_ROWS} statements, every status.")
    common.table(rows, ["published", "actor", "partner", "status", "themes", "evidence",
                        "speaker", "title", "source", "url"])
    common.download(rows, "partnerships-evidence", narrowed=narrowed)
