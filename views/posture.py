"""Troop posture: where foreign forces are, how many, and how that changed, with sources."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from ingest import charts, geo
from views import common

common.require_articles()
filters = common.filters()
st.title("Troop posture")
filters = common.count_control(filters, "events", "t_unit")

pairs = common.fetch("aggregates.posture_pairs", filters=filters)
if not pairs:
    st.info("No deployment, withdrawal, handover or base event matches these filters.")
    st.stop()

actors = sorted({row["actor"] for row in pairs})
left, right = st.columns(2)
actor = left.selectbox("Force", actors, index=actors.index(pairs[0]["actor"]), key="t_actor")
countries = [row["country"] for row in pairs if row["actor"] == actor]
country = right.selectbox("Country", countries, key="t_country")

narrowed = replace(filters, actors=(actor,), partners=(country,))
events = common.fetch("queries.posture", filters=narrowed, limit=common.PAGE_ROWS)
dated = [row for row in events if row["date"]]
levels = common.fetch("aggregates.force_levels", actor, country, filters=filters)
# Both charts read one time axis: the dates of the events and of the levels together.
span = pd.Series([row["date"] for row in dated] + [row["date"] for row in levels], dtype=object)
st.subheader(f"{actor} in {country}: events")
picked = None
if dated:
    event = st.altair_chart(charts.posture_events(pd.DataFrame(dated), span), on_select="rerun",
                            key="events", selection_mode=charts.EVENT)
    chosen = event.selection.get(charts.EVENT) if event else None
    picked = chosen[0].get("posture_id") if chosen else None
if levels:
    st.subheader("Reported force over time")
    st.altair_chart(charts.force_level(pd.DataFrame(levels), span))
    st.caption("A presence figure resets the level (a presence that has ended counts as 0); "
               "a deployment figure adds to it; a withdrawal figure subtracts (never below zero) "
               "once a level is known, and the last troops leaving bring it to zero. Other "
               "events without a figure leave it unchanged. Reported statements only.")
    common.download([{"actor": actor, "country": country, **row} for row in levels],
                    "posture-force-level", narrowed=narrowed)
else:
    st.caption("No reported figure for this force yet, so no force level can be drawn.")

shown = [row for row in events if row["posture_id"] == picked] if picked else events
st.subheader("Evidence" + (" for the selected event" if picked else ""))
common.table(shown, ["date", "action", "personnel", "personnel_text", "place", "status",
                     "evidence", "title", "source", "url"])
common.download(shown, "posture-events", narrowed=narrowed)

st.subheader("Latest known posture per force and country")
latest = common.fetch("aggregates.latest_posture", filters=filters)
common.table(latest, ["actor", "country", "date", "action", "personnel", "personnel_text",
                      "place", "source", "title", "url", "evidence"])
common.download(latest, "posture-latest")

st.subheader("Where foreign forces are reported")
places, missing = geo.locate(common.fetch("aggregates.posture_places", filters=filters))
if places:
    st.altair_chart(charts.places_map(pd.DataFrame(places)))
    common.download(places, "posture-places")
elif not missing:
    st.caption("No reported posture event under these filters names a place.")
if missing:
    st.caption(f"{len(missing)} places have no coordinates in the gazetteer yet: "
               + ", ".join(missing[:20]))
