"""Partnerships: who partners with whom, since when, on what, with the evidence behind it.

A pair can be chosen in the matrix, on the map or in the actor timeline; its evidence opens
directly under the chart that chose it (an empty slot is left under each), never sections
below it."""

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

cells = common.fetch("aggregates.matrix", filters=filters)
statuses = common.fetch("aggregates.status_counts", filters=filters)
aside = {status: count for status, count in statuses.items() if status != "reported"}
listed = cells + (common.fetch("aggregates.aside_pairs", filters=filters) if aside else [])
actors = sorted({row["actor"] for row in listed})
partners = sorted({row["partner"] for row in listed})
for key, options in (("p_actor", actors), ("p_partner", partners)):
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)


def choose(actor: str | None, partner: str | None) -> None:
    """Set the pair the evidence is listed for (before its boxes are drawn in this rerun)."""
    if actor in actors:
        st.session_state["p_actor"] = actor
    st.session_state["p_partner"] = partner if partner in partners else None


st.subheader("Actor × partner country")
if aside:
    st.caption("Not counted here (listed with the evidence): "
               + ", ".join(f"{count} {labels.status(status).lower()}"
                           for status, count in sorted(aside.items())))
if cells:
    st.caption(f"{common.UNIT_NAMES[unit]} reporting each pair. Choose a cell to read its"
               " evidence just below.")
    event = st.altair_chart(charts.partnership_matrix(pd.DataFrame(cells), unit),
                            on_select="rerun", key="matrix", selection_mode=charts.CELL)
    chosen = common.picked(event, charts.CELL)
    cell = (chosen.get("actor"), chosen.get("partner")) if chosen else None
    if common.newly_chosen("p_seen_matrix", cell):
        st.session_state["p_from"] = "matrix"
        choose(*cell)
    common.download(cells, "partnerships-matrix", narrowed=filters)
else:
    st.info("No reported partnership matches these filters.")
slots = {"matrix": st.container()}

actor = st.session_state.get("p_actor")
if actor:
    st.subheader(f"Where {actor} is active")
    activity = {row["partner"]: row["articles"] for row in cells if row["actor"] == actor}
    if activity:
        event = st.vega_lite_chart(spec=charts.africa_map(activity, unit),
                                   on_select="rerun", key="p_map", selection_mode=charts.COUNTRY)
        chosen = common.picked(event, charts.COUNTRY)
        if common.newly_chosen("p_seen_map", (actor, chosen.get("country")) if chosen else None):
            st.session_state["p_from"] = "map"
            choose(actor, chosen.get("country"))
        common.download([{"partner": name, "articles": count}
                         for name, count in activity.items()], "partnerships-actor-map",
                        narrowed=replace(filters, actors=(actor,)))
        st.caption(f"Countries shaded by the number of {unit} reporting a partnership with "
                   f"{actor} in the period (offline Natural Earth shapes). Choose a country to"
                   " read the pair's evidence just below.")
    else:
        st.caption(f"No reported partnership with {actor} in the period, so there is nothing "
                   "to map; its planned, denied or hedged statements are listed with the"
                   " evidence.")
    slots["map"] = st.container()

st.subheader(f"{common.UNIT_NAMES[unit]} per actor per month")
months = common.fetch("aggregates.actor_months", filters=filters)
if months:
    totals = pd.DataFrame(months).groupby("actor")["articles"].sum().nlargest(12)
    shown = [row for row in months if row["actor"] in totals.index]
    note = (f"The 12 actors with the most {unit}; narrow the actors filter to see others. "
            if len(totals) < len({row["actor"] for row in months}) else "")
    st.caption(f"{note}Every actor's chart shares one scale, so bar heights compare. Choose a"
               " bar to read that actor's evidence just below.")
    event = st.altair_chart(charts.actor_timeline(pd.DataFrame(shown), unit), on_select="rerun",
                            key="p_months", selection_mode=charts.ACTOR)
    chosen = common.picked(event, charts.ACTOR)
    if common.newly_chosen("p_seen_months", chosen.get("actor") if chosen else None):
        st.session_state["p_from"] = "months"
        choose(chosen.get("actor"), None)
    common.download(shown, "partnerships-actor-months", narrowed=filters)
else:
    st.info("No article names an actor under these filters.")
slots["months"] = st.container()

with slots.get(st.session_state.get("p_from"), slots["matrix"]):
    left, right = st.columns(2)
    actor = left.selectbox("Actor", actors, index=None, placeholder="choose a cell, or here",
                           key="p_actor")
    partner = right.selectbox("Partner country", partners, index=None, placeholder="any",
                              key="p_partner")
    if actor:
        narrowed = replace(filters, actors=(actor,), partners=(partner,) if partner else ())
        rows = common.fetch("queries.partnerships", filters=narrowed, limit=common.PAGE_ROWS)
        st.markdown(f"**Evidence: {actor} – {partner or 'any partner'}**")
        st.caption(f"Newest first, up to {common.PAGE_ROWS} statements, every status.")
        common.table(rows, ["published", "actor", "partner", "status", "themes", "evidence",
                            "speaker", "title", "source", "url"],
                     height=300 if len(rows) > 8 else "auto")
        common.download(rows, "partnerships-evidence", narrowed=narrowed)
