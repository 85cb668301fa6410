"""Altair chart builders: pure functions from small, pre-aggregated DataFrames to charts.

Nothing here touches the database or Streamlit, so each chart is testable with ``to_dict()``.
Callers pass aggregates (months, cells, countries, places), never per-article rows, which keeps
every chart far below Altair's 5,000-row limit.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ingest import geo, labels

CELL = "cell"      # point selection on the partnership matrix: actor + partner
EVENT = "event"    # point selection on the posture timeline: posture_id
ACTIONS = [labels.ACTION_LABELS[action] for action in
           ("deploy", "withdraw", "handover", "base_open", "base_close", "present")]
MAP_PROJECTION = "mercator"
# Counts are whole numbers: no tick or legend entry at 0.5 article.
COUNT_AXIS = alt.Axis(format=",d", tickMinStep=1)
COUNT_LEGEND = alt.Legend(format=",d", tickMinStep=1)
NAMES = alt.Axis(labelLimit=320)  # "Central African Republic", "United Arab Emirates" in full


def actor_timeline(months: pd.DataFrame, unit: str = "articles") -> alt.Chart:
    """Articles (or stories: ``unit``) per month, one small multiple per actor (an article can
    name several)."""
    return alt.Chart(months).mark_bar().encode(
        x=alt.X("month:T", title=None, timeUnit="yearmonth"),
        y=alt.Y("articles:Q", title=unit, axis=COUNT_AXIS),
        color=alt.Color("actor:N", legend=None),
        row=alt.Row("actor:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=["actor:N", alt.Tooltip("month:T", timeUnit="yearmonth"),
                 alt.Tooltip("articles:Q", title=unit)],
    ).properties(height=60, width=640).resolve_scale(y="independent")


def partnership_matrix(cells: pd.DataFrame, unit: str = "articles") -> alt.Chart:
    """Actor x partner heatmap of articles (or stories: ``unit``); hover lists the top themes,
    a click selects the cell."""
    select = alt.selection_point(name=CELL, fields=["actor", "partner"], on="click")
    cells = cells.assign(themes_label=cells["themes"].map(labels.themes_text))
    return alt.Chart(cells).mark_rect().encode(
        x=alt.X("partner:N", title="partner country", sort="ascending", axis=NAMES),
        y=alt.Y("actor:N", title="actor", sort="ascending", axis=NAMES),
        color=alt.Color("articles:Q", scale=alt.Scale(scheme="oranges"), title=unit,
                        legend=COUNT_LEGEND),
        opacity=alt.condition(select, alt.value(1.0), alt.value(0.35)),
        tooltip=["actor:N", "partner:N", alt.Tooltip("articles:Q", title=unit), "first:N",
                 "last:N",
                 alt.Tooltip("themes_label:N", title="top themes")],
    ).add_params(select)


def africa_map(values: dict[str, float], title: str) -> alt.Chart:
    """Africa shaded by ``values`` per country name; countries without activity stay grey."""
    features = geo.shaded(values)
    return alt.Chart(alt.Data(values=features)).mark_geoshape(
        stroke="white", strokeWidth=0.5
    ).encode(
        color=alt.condition(
            "datum.properties.value > 0",
            alt.Color("properties.value:Q", scale=alt.Scale(scheme="oranges"), title=title),
            alt.value("#e6e6e6"),
        ),
        tooltip=[alt.Tooltip("properties.name:N", title="country"),
                 alt.Tooltip("properties.value:Q", title=title)],
    ).project(MAP_PROJECTION).properties(height=480)


def time_axis(dates: pd.Series) -> alt.X:
    """A date axis that always shows the year, ticks at a step that suits the span.

    Vega's own labels adapt to the span but drop the year ("Feb 20", "Mar 06" under a
    2022 line); a fixed "%b %Y" printed one month under every weekly tick; a lone event got
    hour labels. So the labels carry the year, the ticks step by day, month or year with the
    span, and a short span gets a month around it. Charts given the same dates share the axis.
    """
    days = pd.to_datetime(dates, utc=True)
    first, last = days.min(), days.max()
    if pd.isna(first):
        return alt.X("date:T", title=None)
    span = last - first
    pad = max(span * 0.03, pd.Timedelta(days=15))
    domain = [(first - pad).strftime("%Y-%m-%d"), (last + pad).strftime("%Y-%m-%d")]
    if span < pd.Timedelta(days=120):
        axis = alt.Axis(format="%d %b %Y", labelOverlap=True)
    elif span < pd.Timedelta(days=3 * 365):
        months = max(1, round(span.days / 30 / 8))
        axis = alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": months})
    else:
        years = max(1, round(span.days / 365 / 10))
        axis = alt.Axis(format="%Y", tickCount={"interval": "year", "step": years})
    return alt.X("date:T", title=None, scale=alt.Scale(domain=domain), axis=axis)


def posture_events(events: pd.DataFrame, span: pd.Series | None = None) -> alt.Chart:
    """Posture events in time, one row per action, sized by personnel; a click selects one.
    ``span``: the dates of the force-level chart below, so both share one time axis."""
    select = alt.selection_point(name=EVENT, fields=["posture_id"], on="click")
    # Vega-Lite drops rows whose size is null: events without a figure get the smallest dot.
    sized = events.assign(size=events["personnel"].fillna(0),
                          action_label=events["action"].map(labels.action),
                          status_label=events["status"].map(labels.status),
                          **_dashes(events, "personnel_text", "place", "source"),
                          personnel_label=events["personnel"].map(
                              lambda n: "—" if pd.isna(n) else f"{int(n):,}"))
    return alt.Chart(sized).mark_point(filled=True).encode(
        x=time_axis(events["date"] if span is None else pd.concat([events["date"], span])),
        y=alt.Y("action_label:N", sort=ACTIONS, title=None),
        # Below the chart: beside it, the big circles ran past the chart's height.
        size=alt.Size("size:Q", title="personnel", scale=alt.Scale(range=[60, 600]),
                      legend=alt.Legend(format=",d", tickMinStep=1, tickCount=3,
                                        orient="bottom")),
        color=alt.Color("status_label:N", title="status"),
        opacity=alt.condition(select, alt.value(1.0), alt.value(0.4)),
        tooltip=["date:T", alt.Tooltip("action_label:N", title="action"),
                 alt.Tooltip("personnel_label:N", title="personnel"),
                 alt.Tooltip("personnel_text:N", title="in the text"), "place:N",
                 alt.Tooltip("status_label:N", title="status"), "source:N"],
    ).add_params(select).properties(height=220)


def _dashes(frame: pd.DataFrame, *columns: str) -> dict[str, pd.Series]:
    """Text columns with "—" for a missing value: a tooltip would print "null"."""
    return {c: frame[c].astype(object).where(frame[c].notna(), "—") for c in columns
            if c in frame}


def force_level(levels: pd.DataFrame, span: pd.Series | None = None) -> alt.Chart:
    """The reported force over time as a step line (the rule is in ``aggregates.step_levels``).
    ``span``: the dates of the event chart above it, so both share one time axis."""
    dates = levels["date"] if span is None else pd.concat([levels["date"], span])
    return alt.Chart(levels).mark_line(interpolate="step-after", point=True).encode(
        x=time_axis(dates),
        y=alt.Y("level:Q", title="reported personnel", axis=COUNT_AXIS),
        tooltip=["date:T", "level:Q"],
    ).properties(height=220)


def places_map(places: pd.DataFrame) -> alt.LayerChart:
    """Places where foreign forces are reported, as circles on the outline of Africa."""
    outline = alt.Chart(alt.Data(values=geo.shaded({}))).mark_geoshape(
        fill="#f2f2f2", stroke="#9a9a9a", strokeWidth=0.5
    ).project(MAP_PROJECTION)
    points = alt.Chart(places).mark_circle(opacity=0.75, stroke="white").encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("events:Q", scale=alt.Scale(range=[40, 800]), title="events",
                      legend=COUNT_LEGEND),
        color=alt.Color("actor:N", title="actor"),
        tooltip=["place:N", "actor:N", "country:N", "events:Q", "last:N"],
    ).project(MAP_PROJECTION)
    return alt.layer(outline, points).properties(height=480)


def source_contributions(sources: pd.DataFrame) -> alt.Chart:
    """Articles per source, state-affiliated and illustrative sources told apart."""
    return alt.Chart(sources).mark_bar().encode(
        x=alt.X("articles:Q", title="articles in the filtered period", axis=COUNT_AXIS),
        y=alt.Y("name:N", sort="-x", title=None, axis=NAMES),
        color=alt.Color("marking:N", title=None, legend=alt.Legend(labelLimit=400)),
        tooltip=["name:N", "articles:Q", "marking:N"],
    )
