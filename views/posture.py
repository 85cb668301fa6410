"""Troop posture: where foreign forces are, how many, and how that changed, with sources.

One or several forces across all their countries at once (France across the Sahel; Russia,
Wagner and Africa Corps together), the event chart and the level chart on one time axis. A
force and country chosen in a chart or in the latest-posture table opens its evidence
directly under what chose it."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from ingest import charts, geo, labels
from ingest.aggregates import carried
from views import common

MAX_PAIRS = 12     # countries drawn at once; the rest are named under the charts
MAX_EVENTS = 1_000

common.require_articles()
filters = common.filters()
st.title("Troop posture")
filters = common.count_control(filters, "events", "t_unit")

pairs = common.fetch("aggregates.posture_pairs", filters=filters)
if not pairs:
    st.info("No deployment, withdrawal, handover or base event matches these filters.")
    st.stop()
forces = sorted({row["actor"] for row in pairs})
if pending := st.session_state.pop("t_pending", None):  # a table row chose a pair not drawn
    if pending[0] not in st.session_state.get("t_forces", []):
        st.session_state["t_forces"] = [*st.session_state.get("t_forces", []), pending[0]]
    st.session_state["t_actor"], st.session_state["t_country"] = pending
wanted = [force for force in st.session_state.get("t_forces", []) if force in forces]
st.session_state["t_forces"] = wanted or [pairs[0]["actor"]]
shown_forces = st.multiselect("Forces", forces, key="t_forces",
                              help="Compare several, e.g. Russia, Wagner Group and Africa Corps.")
shown = [row for row in pairs if row["actor"] in shown_forces]
if not shown:
    st.info("Choose at least one force.")
    st.stop()
drawn = {(row["actor"], row["country"]) for row in shown[:MAX_PAIRS]}
chosen_pair = (st.session_state.get("t_actor"), st.session_state.get("t_country"))
if any((row["actor"], row["country"]) == chosen_pair for row in shown):
    drawn.add(chosen_pair)  # the pair whose evidence is read is always drawn
if len(shown) > MAX_PAIRS:
    st.caption(f"The {MAX_PAIRS} most documented force–country pairs are drawn; narrow the"
               " sidebar's Partner countries to see others.")

narrowed = replace(filters, actors=tuple(shown_forces))
events = [row for row in common.fetch("queries.posture", filters=narrowed, limit=MAX_EVENTS)
          if (row["actor"], row["country"]) in drawn]
dated = [row for row in events if row["date"]]
latest = common.fetch("aggregates.latest_known", filters=filters)
last_day = {(row["actor"], row["country"]): row["date"] for row in latest}
by_pair = common.fetch("aggregates.pair_force_levels", tuple(sorted(drawn)), filters=filters)
levels = [{"actor": actor, "country": country, **point}
          for actor, country in sorted(drawn)
          for point in carried(by_pair[actor, country], last_day.get((actor, country)))]
# Both charts read one time axis: the dates of the events and of the levels together.
span = pd.Series([row["date"] for row in dated] + [row["date"] for row in levels],
                 dtype=object)

st.subheader("Events")
picked = level_pair = None
if dated:
    # Drawn at its own width, as the level chart is: the two time axes line up.
    event = st.altair_chart(charts.posture_events(pd.DataFrame(dated), span), on_select="rerun",
                            key="events", selection_mode=charts.EVENT, width="content")
    if chosen := common.picked(event, charts.EVENT):
        picked = chosen.get("posture_id")
    st.caption("Shape: the action; colour: its status; size: the personnel reported. Choose"
               " a mark to read its sentence just below the charts."
               + (f" The newest {MAX_EVENTS:,} events are drawn." if len(events) == MAX_EVENTS
                  else ""))
if levels:
    st.subheader("Reported force over time")
    event = st.altair_chart(charts.force_level(pd.DataFrame(levels), span), on_select="rerun",
                            key="levels", selection_mode=charts.LEVEL)
    if chosen := common.picked(event, charts.LEVEL):
        level_pair = (chosen.get("actor"), chosen.get("country"))
    st.caption("One panel per country on one personnel scale, one colour per force. A presence"
               " figure resets the level (a presence that has ended counts as 0); a deployment"
               " figure adds to it; a withdrawal figure subtracts (never below zero) once a"
               " level is known, and the last troops leaving bring it to zero. Other events"
               " without a figure leave it unchanged; the line runs on to the latest reported"
               " event. Reported statements only. "
               + {"events": "Counting events: one happening reported by many outlets adds its"
                            " figure once (the median where they disagree; the range is on the"
                            " Events page).",
                  "stories": "Counting stories: the copies of one report add its figure once.",
                  "articles": "Counting articles: every report adds its figure."}[filters.unit])
    common.download(levels, "posture-force-levels", narrowed=narrowed)
else:
    st.caption("No reported figure for these forces yet, so no force level can be drawn.")
slots = {"charts": st.container()}

st.subheader("Latest known posture per force and country")
st.caption("The latest reported event per force and country, and the reported force after it"
           " (the level chart's last point). Choose a row to read its evidence just below.")
table = common.table(latest, ["actor", "country", "date", "action", "personnel", "level",
                              "personnel_text", "place", "source", "title", "url", "evidence"],
                     on_select="rerun", selection_mode="single-row", key="t_latest")
rows = ((table or {}).get("selection") or {}).get("rows") or []
row_pair = (latest[rows[0]]["actor"], latest[rows[0]]["country"]) if rows else None
common.download(latest, "posture-latest")
slots["table"] = st.container()

event_pair = next(((row["actor"], row["country"]) for row in events
                   if row["posture_id"] == picked), None)
for slot, name, pair in (("charts", "events", event_pair), ("charts", "levels", level_pair),
                         ("table", "table", row_pair)):
    if common.newly_chosen(f"t_seen_{name}", pair):
        st.session_state["t_from"], st.session_state["t_by"] = slot, name
        if pair not in drawn:
            st.session_state["t_pending"] = pair
            st.rerun()
        st.session_state["t_actor"], st.session_state["t_country"] = pair

with slots.get(st.session_state.get("t_from"), slots["charts"]):
    st.markdown("**Evidence**")
    left, right = st.columns(2)
    if st.session_state.get("t_actor") not in shown_forces:
        st.session_state.pop("t_actor", None)
    actor = left.selectbox("Force", shown_forces, key="t_actor")
    countries = [row["country"] for row in shown if row["actor"] == actor]
    if st.session_state.get("t_country") not in countries:
        st.session_state.pop("t_country", None)
    country = right.selectbox("Country", countries, key="t_country")
    pair = replace(filters, actors=(actor,), partners=(country,))
    now = next((row for row in latest if (row["actor"], row["country"]) == (actor, country)),
               None)
    if now:
        level = "no figure reported" if now["level"] is None else f"{now['level']:,}"
        # No source name here: it is a feed's own text, and this line is Markdown.
        st.markdown(f"Latest reported: **{labels.action(now['action'])}** on"
                    f" {now['date'] or 'an unknown date'}; reported force after it: **{level}**"
                    " (its sentence and source are in the table).")
    evidence = common.fetch("queries.posture", filters=pair, limit=common.PAGE_ROWS)
    one = [row for row in evidence if row["posture_id"] == picked]
    if one and st.session_state.get("t_by") == "events":
        evidence = one
        st.caption("The chosen event alone; click an empty spot of the event chart to list"
                   " every event of the pair.")
    common.table(evidence, ["date", "action", "personnel", "personnel_text", "place", "status",
                            "evidence", "title", "source", "url"],
                 height=260 if len(evidence) > 8 else "auto")
    common.download(evidence, "posture-events", narrowed=pair)
    own = [row for row in levels if (row["actor"], row["country"]) == (actor, country)]
    if own:
        common.download(own, "posture-force-level", narrowed=pair)

st.subheader("Where foreign forces are reported")
places, missing = geo.locate(common.fetch("aggregates.posture_places", filters=filters))
if places:
    st.vega_lite_chart(spec=charts.places_map(pd.DataFrame(places)))
    common.download(places, "posture-places")
elif not missing:
    st.caption("No reported posture event under these filters names a place.")
if missing:
    st.caption(f"{len(missing)} places have no coordinates in the gazetteer yet: "
               + ", ".join(missing[:20]))
