"""Overview: the period in numbers, the most active partnerships, and what changed."""

import streamlit as st

from ingest.aggregates import compare, previous_period
from views import common

common.require_articles()
filters = common.filters()
st.title("Overview")
filters = common.count_control(filters, "stories", "o_unit")
installed = common.tagger_version()
if older := common.fetch("aggregates.older_taggers", installed):
    st.warning(f"Some tags may come from an older tagger ({', '.join(older)}); this release tags"
               f" with {installed}. Counts can change once the operator runs"
               " `python -m ingest retag`.")

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

cells = common.fetch("aggregates.matrix", filters=filters)
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
