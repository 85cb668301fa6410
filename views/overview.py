"""Overview: the picture first (what was reported when, where foreign forces are), then the
period in numbers, the latest developments, the most active partnerships and what changed."""

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from ingest import charts, geo
from ingest.aggregates import compare, previous_period
from views import common

TOP_PAIRS = 10
LATEST = 8

common.require_articles()
filters = common.filters()
st.title("Overview")
filters = common.count_control(filters, "stories", "o_unit")
installed = common.tagger_version()
if older := common.fetch("aggregates.older_taggers", installed):
    st.warning(f"Some tags may come from an older tagger ({', '.join(older)}); this release tags"
               f" with {installed}. Counts can change once the operator runs"
               " `python -m ingest retag`.")

cells = common.fetch("aggregates.matrix", filters=filters)
timeline, presence = st.columns(2, gap="medium")

with timeline:
    st.subheader("What was reported")
    pairs = tuple((row["actor"], row["partner"]) for row in cells[:TOP_PAIRS])
    months = common.fetch("aggregates.pair_months", pairs, filters=filters)
    if months:
        event = st.altair_chart(charts.pair_timeline(pd.DataFrame(months), filters.unit),
                                on_select="rerun", key="o_timeline",
                                selection_mode=charts.PAIR_PERIOD)
        st.caption(f"{common.UNIT_NAMES[filters.unit]} reporting each of the {len(pairs)} most"
                   " active partnerships, by"
                   " period; every row shares one colour scale. Choose a cell to read the"
                   " statements it counts.")
        common.download(months, "overview-partnership-months")
        if chosen := common.picked(event, charts.PAIR_PERIOD):
            since, until = (date.fromisoformat(chosen[key]) for key in ("since", "until"))
            narrowed = replace(filters.facts_only(), actors=(chosen["actor"],),
                               partners=(chosen["partner"],),
                               since=max(since, filters.since or since),
                               until=min(until, filters.until or until))
            rows = common.fetch("queries.partnerships", filters=narrowed,
                                limit=common.PAGE_ROWS)
            st.markdown(f"**{chosen['actor']} – {chosen['partner']}, {narrowed.since} to"
                        f" {narrowed.until}**: {len(rows)} reported statements")
            common.table(rows, ["published", "themes", "evidence", "speaker", "source", "title",
                                "url"])
            common.download(rows, "overview-timeline-evidence", narrowed=narrowed)
    else:
        st.info("No reported partnership matches these filters.")

with presence:
    st.subheader("Latest known foreign presence")
    known = common.fetch("aggregates.latest_known", filters=filters)
    placed = geo.at_countries(known)
    if placed:
        event = st.vega_lite_chart(spec=charts.presence_map(pd.DataFrame(placed)),
                                   on_select="rerun", key="o_map",
                                   selection_mode=charts.PRESENCE, width="content")
        st.caption("Each force's latest reported event per country; size: its reported"
                   " personnel where a figure is known (rule on the Troop posture page); a cross:"
                   " reported gone. Hover for the sentence, choose a mark for its source.")
        common.download(known, "overview-latest-presence")
        if chosen := common.picked(event, charts.PRESENCE):
            rows = [row for row in known
                    if (row["actor"], row["country"]) == (chosen["actor"], chosen["country"])]
            common.table(rows, ["actor", "country", "date", "action", "level", "evidence",
                                "source", "title", "url"])
    else:
        st.info("No reported deployment, withdrawal, handover, base or presence matches these"
                " filters.")

counts = common.fetch("aggregates.overview_counts", filters=filters)
new = common.fetch("aggregates.new_partnerships", filters=filters)
columns = st.columns(5)
for column, (label, value) in zip(columns, [
    (common.UNIT_NAMES[filters.unit], counts[filters.unit]), ("Sources", counts["sources"]),
    ("Actors", counts["actors"]), ("Partner countries", counts["partners"]),
    ("New partnerships", len(new) if filters.since else "–"),
], strict=True):
    column.metric(label, value)
st.caption("Actors, partner countries and partnerships count reported statements only. "
           "A new partnership is an actor–partner pair first reported inside the period.")

st.subheader("Latest developments")
st.caption("Newest first under the sidebar's filters, no period needed. Reported statements"
           " only, each with the sentence it was read from.")
events = common.fetch("queries.posture", filters=filters.facts_only(), limit=LATEST)
st.markdown("**Newest posture events**")
if events:
    common.table(events, ["date", "actor", "country", "action", "personnel", "place",
                          "evidence", "source", "url"])
    common.download(events, "overview-latest-posture-events", narrowed=filters.facts_only())
else:
    st.caption("No reported posture event matches these filters.")
sightings = common.fetch("aggregates.first_sightings",
                         tuple((row["actor"], row["partner"]) for row in cells), LATEST)
st.markdown("**Newly seen partnerships**: each pair under the date it was first reported"
            " anywhere in the database")
if sightings:
    common.table(sightings, ["first_seen", "actor", "partner", "themes", "evidence", "source",
                             "url"])
    common.download(sightings, "overview-newly-seen-partnerships")
else:
    st.caption("No reported partnership matches these filters.")

st.subheader("Most active partnerships")
top = [{**row, filters.unit: row["articles"]} for row in cells[:15]]  # counted in the unit
if top:
    st.caption("Choose a row to read its evidence on the Partnerships page.")
    common.pair_table(top, ["actor", "partner", filters.unit, "first", "last", "themes"],
                      "o_top")
    common.download(top, "overview-top-partnerships")
else:
    st.info("No reported partnership matches these filters.")

st.subheader("What changed since the previous period")
before = previous_period(filters)
if before is None:
    st.info("Pick a period in the sidebar (e.g. Last 7 days) to compare it with the one before.")
else:
    st.caption(f"{filters.since} – {filters.until} against {before.since} – {before.until}.")
    changes = compare(cells, common.fetch("aggregates.matrix", filters=before))
    if changes:
        common.pair_table(changes[:50], ["actor", "partner", "now", "before", "change"],
                          "o_changes")
        common.download(changes[:50], "overview-changes")
    else:
        st.info("No partnership was reported more or less often than in the previous period.")
    if new:
        st.markdown("**New partnerships in the period**")
        common.pair_table(new, ["actor", "partner", "first_seen"], "o_new")
        common.download(new, "overview-new-partnerships")
