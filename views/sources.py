"""Sources: every feed and seed folder, its health, its runs and what it contributes."""

import json

import pandas as pd
import streamlit as st

from ingest import charts
from views import common

filters = common.filters()
st.title("Sources")

sources = common.fetch("aggregates.source_health", filters=filters)
if not sources:
    st.info(common.INGEST_HINT)
    st.stop()
for row in sources:
    row["marking"] = ("illustrative sample data, not reporting" if row["illustrative"]
                      else f"state-affiliated ({row['affiliation']})" if row["affiliation"]
                      else "independent")
    row["health"] = ("paused" if row["paused"] else "malformed" if row["malformed"]
                     else "failing" if row["consecutive_failures"] else "ok")

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

st.subheader("Recent runs")
runs = common.fetch("aggregates.recent_runs")
common.table(runs, ["id", "kind", "started_at", "finished_at", "status", "feeds_polled", "new",
                    "updated", "unchanged", "duplicate", "failed"])
common.download(runs, "runs")
errors = [{"run": run["id"], "error": error} for run in runs[:5]
          for error in json.loads(run["errors"] or "[]")]
if errors:
    st.subheader("Errors in the last runs")
    common.table(errors, ["run", "error"])
    common.download(errors, "run-errors")
