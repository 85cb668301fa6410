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
PAIR_PERIOD = "pair_period"  # the Overview timeline: actor, partner, since, until
PRESENCE = "presence"  # the Overview's presence map: actor, country
ACTOR = "actor"    # a bar of the actor timeline: actor
COUNTRY = "country"  # a country of the actor map: country
LEVEL = "level"    # a point of the force-level chart: actor, country
ACTIONS = [labels.ACTION_LABELS[action] for action in
           ("deploy", "withdraw", "handover", "base_open", "base_close", "present")]
MAP_PROJECTION = "mercator"
# Counts are whole numbers: no tick or legend entry at 0.5 article.
COUNT_AXIS = alt.Axis(format=",d", tickMinStep=1)
COUNT_LEGEND = alt.Legend(format=",d", tickMinStep=1)
NAMES = alt.Axis(labelLimit=320)  # "Central African Republic", "United Arab Emirates" in full
AFRICA = "africa_shapes"  # the data name of Africa's countries, put in by ``with_shapes``


def actor_timeline(months: pd.DataFrame, unit: str = "articles") -> alt.Chart:
    """Articles (or stories or events: ``unit``) per month, one small multiple per actor (an
    article can name several). Every multiple shares one scale, so bar heights compare across
    actors; a click picks the actor."""
    select = alt.selection_point(name=ACTOR, fields=["actor"], on="click")
    return alt.Chart(months).mark_bar().encode(
        x=alt.X("month:T", title=None, timeUnit="yearmonth",
                axis=alt.Axis(format="%b %Y", labelOverlap=True)),
        y=alt.Y("articles:Q", title=unit, axis=COUNT_AXIS),
        color=alt.Color("actor:N", legend=None),
        opacity=alt.condition(select, alt.value(1.0), alt.value(0.4)),
        row=alt.Row("actor:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=["actor:N", alt.Tooltip("month:T", timeUnit="yearmonth"),
                 alt.Tooltip("articles:Q", title=unit)],
    ).add_params(select).properties(height=60, width=640).resolve_scale(y="shared")


def partnership_matrix(cells: pd.DataFrame, unit: str = "articles") -> alt.LayerChart:
    """Actor x partner heatmap of articles (or stories or events: ``unit``) with each cell's
    count written in it; hover lists the top themes, a click selects the cell."""
    select = alt.selection_point(name=CELL, fields=["actor", "partner"], on="click")
    cells = cells.assign(themes_label=cells["themes"].map(labels.themes_text))
    base = alt.Chart(cells).encode(
        x=alt.X("partner:N", title="partner country", sort="ascending", axis=NAMES),
        y=alt.Y("actor:N", title="actor", sort="ascending", axis=NAMES),
        tooltip=["actor:N", "partner:N", alt.Tooltip("articles:Q", title=unit), "first:N",
                 "last:N", alt.Tooltip("themes_label:N", title="top themes")],
    )
    rect = base.mark_rect().encode(
        color=alt.Color("articles:Q", scale=alt.Scale(scheme="oranges"), title=unit,
                        legend=COUNT_LEGEND),
        opacity=alt.condition(select, alt.value(1.0), alt.value(0.35)),
    ).add_params(select)
    dark = float(cells["articles"].max()) * 0.6
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("articles:Q", format=",d"),
        color=alt.condition(f"datum.articles > {dark}", alt.value("white"), alt.value("black")),
    )
    return alt.layer(rect, text)


def africa_map(values: dict[str, float], title: str) -> dict:
    """Africa shaded by ``values`` per country name; countries without activity stay grey.
    A click on a country picks it (``country``). A Vega-Lite spec (see ``with_shapes``)."""
    select = alt.selection_point(name=COUNTRY, fields=["country"], on="click")
    chart = alt.Chart(alt.NamedData(name=AFRICA)).mark_geoshape(
        stroke="white", strokeWidth=0.5
    ).transform_calculate(country="datum.properties.name").encode(
        color=alt.condition(
            "datum.properties.value > 0",
            alt.Color("properties.value:Q", scale=alt.Scale(scheme="oranges"), title=title),
            alt.value("#e6e6e6"),
        ),
        tooltip=[alt.Tooltip("properties.name:N", title="country"),
                 alt.Tooltip("properties.value:Q", title=title)],
    ).add_params(select).project(MAP_PROJECTION).properties(height=480)
    return with_shapes(chart, values)


def time_axis(dates: pd.Series, field: str = "date") -> alt.X:
    """A date axis that always shows the year, ticks at a step that suits the span.

    Vega's own labels adapt to the span but drop the year ("Feb 20", "Mar 06" under a
    2022 line); a fixed "%b %Y" printed one month under every weekly tick; a lone event got
    hour labels. So the labels carry the year, the ticks step by day, month or year with the
    span, and a short span gets a month around it. Charts given the same dates share the axis.
    """
    days = pd.to_datetime(dates, utc=True)
    first, last = days.min(), days.max()
    if pd.isna(first):
        return alt.X(f"{field}:T", title=None)
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
    return alt.X(f"{field}:T", title=None, scale=alt.Scale(domain=domain), axis=axis)


SHAPES = {"Deployment": "triangle-up", "Withdrawal": "triangle-down", "Handover": "diamond",
          "Base opened": "square", "Base closed": "cross", "Presence": "circle"}
PLOT_LEFT = 170     # both posture charts keep this much room left of the plot: axes line up
CHART_WIDTH = 700
DAY = "%d %b %Y"    # a date in a tooltip: "17 Jul 2025"


def figure(value: object) -> str:
    """A personnel figure to read: "1,500", or "—" when none was reported."""
    return "—" if value is None or pd.isna(value) else f"{int(value):,}"


def short(text: object, limit: int = 200) -> str:
    """An evidence sentence cut for a tooltip; "—" when there is none."""
    if not isinstance(text, str) or not text:
        return "—"
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _row_label(frame: pd.DataFrame) -> pd.Series:
    """A force's country, or "country · force" when several forces share the chart."""
    if frame["actor"].nunique() > 1:
        return frame["country"] + " · " + frame["actor"]
    return frame["country"]


def posture_events(events: pd.DataFrame, span: pd.Series | None = None) -> alt.Chart:
    """Posture events in time, one row per country (and force, when several are shown);
    the shape says the action, the colour the status, the size the personnel; a click selects
    one. ``span``: the dates of the force-level chart, so both share one time axis."""
    select = alt.selection_point(name=EVENT, fields=["posture_id"], on="click")
    # Vega-Lite drops rows whose size is null: events without a figure get the smallest dot.
    sized = events.assign(size=events["personnel"].fillna(0), row=_row_label(events),
                          action_label=events["action"].map(labels.action),
                          status_label=events["status"].map(labels.status),
                          **_dashes(events, "personnel_text", "place", "source"),
                          evidence_short=events["evidence"].map(short),
                          personnel_label=events["personnel"].map(figure))
    return alt.Chart(sized).mark_point(filled=True).encode(
        x=time_axis(events["date"] if span is None else pd.concat([events["date"], span])),
        y=alt.Y("row:N", sort="ascending", title=None,
                axis=alt.Axis(labelLimit=PLOT_LEFT - 10, minExtent=PLOT_LEFT)),
        shape=alt.Shape("action_label:N", title="action",
                        scale=alt.Scale(domain=list(SHAPES), range=list(SHAPES.values())),
                        legend=alt.Legend(orient="bottom", columns=2)),
        # Below the chart: beside it, the big marks ran past the chart's height.
        size=alt.Size("size:Q", title="personnel", scale=alt.Scale(range=[60, 600]),
                      legend=alt.Legend(format=",d", tickMinStep=1, tickCount=3,
                                        orient="bottom")),
        color=alt.Color("status_label:N", title="status",
                        legend=alt.Legend(orient="bottom", columns=1)),
        opacity=alt.condition(select, alt.value(1.0), alt.value(0.5)),
        tooltip=[alt.Tooltip("date:T", format=DAY), alt.Tooltip("actor:N", title="force"),
                 "country:N", alt.Tooltip("action_label:N", title="action"),
                 alt.Tooltip("personnel_label:N", title="personnel"),
                 alt.Tooltip("personnel_text:N", title="in the text"), "place:N",
                 alt.Tooltip("status_label:N", title="status"), "source:N",
                 alt.Tooltip("evidence_short:N", title="evidence")],
    ).add_params(select).properties(
        # Streamlit fits a single chart's whole width, axis labels included, into ``width``;
        # a faceted chart's width is its panel's. This keeps both plots CHART_WIDTH wide.
        height=alt.Step(24), width=CHART_WIDTH + PLOT_LEFT)


def _dashes(frame: pd.DataFrame, *columns: str) -> dict[str, pd.Series]:
    """Text columns with "—" for a missing value: a tooltip would print "null"."""
    return {c: frame[c].astype(object).where(frame[c].notna(), "—") for c in columns
            if c in frame}


def force_level(levels: pd.DataFrame, span: pd.Series | None = None) -> alt.Chart:
    """The reported force over time as step lines (the rule is in ``aggregates.step_levels``),
    one panel per country, one colour per force; every panel shares one personnel scale and
    the time axis. ``span``: the dates of the event chart, so both share that axis."""
    select = alt.selection_point(name=LEVEL, fields=["actor", "country"], on="click")
    dates = levels["date"] if span is None else pd.concat([levels["date"], span])
    return alt.Chart(levels.assign(level_label=levels["level"].map(figure))).mark_line(
        interpolate="step-after", point=True).encode(
        x=time_axis(dates),
        # No axis title, the same room for the axis as the event chart's: the plots line up.
        y=alt.Y("level:Q", title=None,
                axis=alt.Axis(format=",d", tickMinStep=1, tickCount=3, minExtent=PLOT_LEFT)),
        color=alt.Color("actor:N", title="force", legend=alt.Legend(orient="bottom")),
        row=alt.Row("country:N", title=None, sort="ascending",
                    # The country above its panel: beside it, it would take the room the
                    # event chart's axis does not, and the two time axes would not line up.
                    header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top",
                                      labelAnchor="start", labelFontWeight="bold",
                                      labelPadding=2)),
        opacity=alt.condition(select, alt.value(1.0), alt.value(0.5)),
        tooltip=[alt.Tooltip("date:T", format=DAY), alt.Tooltip("actor:N", title="force"),
                 "country:N", alt.Tooltip("level_label:N", title="reported personnel")],
    ).add_params(select).properties(height=50, width=CHART_WIDTH).resolve_scale(y="shared")


def places_map(places: pd.DataFrame) -> dict:
    """Places where foreign forces are reported, as circles on the outline of Africa (a
    Vega-Lite spec, see ``with_shapes``)."""
    outline = alt.Chart(alt.NamedData(name=AFRICA)).mark_geoshape(
        fill="#f2f2f2", stroke="#9a9a9a", strokeWidth=0.5
    ).project(MAP_PROJECTION)
    points = alt.Chart(places).mark_circle(opacity=0.75, stroke="white").encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("events:Q", scale=alt.Scale(range=[40, 800]), title="events",
                      legend=COUNT_LEGEND),
        color=alt.Color("actor:N", title="actor"),
        tooltip=["place:N", "actor:N", "country:N", "events:Q", "last:N"],
    ).project(MAP_PROJECTION)
    return with_shapes(alt.layer(outline, points).properties(height=480))


def source_contributions(sources: pd.DataFrame) -> alt.Chart:
    """Articles per source, state-affiliated and illustrative sources told apart."""
    return alt.Chart(sources).mark_bar().encode(
        x=alt.X("articles:Q", title="articles in the filtered period", axis=COUNT_AXIS),
        y=alt.Y("name:N", sort="-x", title=None, axis=NAMES),
        color=alt.Color("marking:N", title=None, legend=alt.Legend(labelLimit=400)),
        tooltip=["name:N", "articles:Q", "marking:N"],
    )


def pair_timeline(months: pd.DataFrame, unit: str = "articles") -> alt.LayerChart:
    """What was reported when: one row per actor–partner pair, one cell per month, quarter or
    year (whichever keeps the span readable), shaded on one colour scale shared by every row
    and with its count written in it. A click on a cell selects the pair and that period
    (``since``, ``until``), so the page can list the statements behind it."""
    select = alt.selection_point(name=PAIR_PERIOD, fields=["actor", "partner", "since", "until"],
                                 on="click")
    cells = _bucketed(months)
    order = (cells.groupby("pair")["articles"].sum().sort_values(ascending=False, kind="stable")
             .index.tolist())
    y = alt.Y("pair:N", sort=order, title=None, axis=NAMES)
    tooltip = [alt.Tooltip("pair:N", title="partnership"), alt.Tooltip("period:N", title="period"),
               alt.Tooltip("articles:Q", title=unit, format=",d")]
    dates = pd.concat([cells["start"], cells["end"]])
    rect = alt.Chart(cells).mark_rect(stroke="white", strokeWidth=0.5).encode(
        x=time_axis(dates, field="start"), x2="end:T", y=y,
        color=alt.Color("articles:Q", scale=alt.Scale(scheme="oranges", domainMin=0),
                        title=unit, legend=COUNT_LEGEND),
        opacity=alt.condition(select, alt.value(1.0), alt.value(0.45)),
        tooltip=tooltip,
    ).add_params(select)
    layers = [rect]
    if cells["start"].nunique() <= 24:  # counts fit in the cells
        dark = float(cells["articles"].max()) * 0.6
        layers.append(alt.Chart(cells).mark_text(fontSize=10).encode(
            x=time_axis(dates, field="middle"), y=y, tooltip=tooltip,
            text=alt.Text("articles:Q", format=",d"),
            color=alt.condition(f"datum.articles > {dark}", alt.value("white"),
                                alt.value("black"))))
    return alt.layer(*layers).properties(height=alt.Step(26))


def _bucketed(months: pd.DataFrame) -> pd.DataFrame:
    """Monthly counts summed into months (up to 3 years), quarters (up to 8) or years."""
    periods = pd.PeriodIndex(months["month"], freq="M")
    span = (periods.max() - periods.min()).n + 1
    unit = "M" if span <= 36 else "Q" if span <= 96 else "Y"
    buckets = periods.asfreq(unit)
    frame = months.assign(bucket=buckets).groupby(
        ["actor", "partner", "bucket"], as_index=False)["articles"].sum()
    bucket = pd.PeriodIndex(frame["bucket"], freq=unit)
    start, end = bucket.start_time, (bucket + 1).start_time
    label = {"M": bucket.strftime("%b %Y"), "Q": bucket.strftime("%Y Q%q"),
             "Y": bucket.strftime("%Y")}[unit]
    return frame.drop(columns="bucket").assign(
        pair=frame["actor"] + " – " + frame["partner"], period=label,
        start=start.strftime("%Y-%m-%d"), end=end.strftime("%Y-%m-%d"),
        middle=(start + (end - start) / 2).strftime("%Y-%m-%d"),
        since=start.strftime("%Y-%m-%d"),
        until=(end - pd.Timedelta(days=1)).strftime("%Y-%m-%d"))


def presence_map(rows: pd.DataFrame) -> dict:
    """The latest known foreign presence: a mark per force in each country (placed by
    ``geo.at_countries``), sized by the reported force where a figure is known, a cross where
    the force is reported gone (level 0). Hovering shows the latest event with its sentence
    and source; a click selects the force and country. A Vega-Lite spec (``with_shapes``)."""
    select = alt.selection_point(name=PRESENCE, fields=["actor", "country"], on="click")
    outline = alt.Chart(alt.NamedData(name=AFRICA)).mark_geoshape(
        fill="#f2f2f2", stroke="#9a9a9a", strokeWidth=0.5
    ).project(MAP_PROJECTION)
    gone = rows["level"].eq(0)
    shown = rows.assign(
        size=rows["level"].fillna(0),
        state=gone.map({True: "reported gone (0)", False: "present"}),
        level_label=rows["level"].map(figure), action_label=rows["action"].map(labels.action),
        evidence_short=rows["evidence"].map(short),
        **_dashes(rows, "date", "source"))
    points = alt.Chart(shown).mark_point(filled=True, strokeWidth=2).encode(
        longitude="lon:Q", latitude="lat:Q",
        color=alt.Color("actor:N", title="force", scale=alt.Scale(scheme="tableau20"),
                        legend=alt.Legend(labelLimit=200)),
        shape=alt.Shape("state:N", title="latest known",
                        scale=alt.Scale(domain=["present", "reported gone (0)"],
                                        range=["circle", "cross"])),
        size=alt.Size("size:Q", title="reported personnel", scale=alt.Scale(range=[70, 900]),
                      legend=alt.Legend(format=",d", tickMinStep=1, tickCount=3)),
        opacity=alt.condition(select, alt.value(0.95), alt.value(0.45)),
        tooltip=[alt.Tooltip("actor:N", title="force"), "country:N",
                 alt.Tooltip("level_label:N", title="reported personnel"),
                 alt.Tooltip("action_label:N", title="latest event"),
                 alt.Tooltip("date:N", title="on"), "source:N",
                 alt.Tooltip("evidence_short:N", title="evidence")],
    ).add_params(select).project(MAP_PROJECTION)
    return with_shapes(alt.layer(outline, points).properties(height=520, width=460)
                       .configure_legend(orient="bottom", direction="horizontal", columns=3,
                                         labelLimit=120))


def with_shapes(chart: alt.TopLevelMixin, values: dict[str, float] | None = None) -> dict:
    """The chart's Vega-Lite spec with Africa's country shapes (``geo.shaded(values)``) put
    inline where it reads ``AFRICA``. Altair walks every coordinate of inline data, element by
    element, each time a chart is built and serialised: 1.5 s for the 56 countries, on every
    rerun of a page with a map. The shapes are added after that walk instead, so a map costs
    what its points cost. Draw it with ``st.vega_lite_chart``."""
    spec = chart.to_dict()
    shapes = {"values": geo.shaded(values or {})}
    for view in [spec, *spec.get("layer", [])]:
        if view.get("data") == {"name": AFRICA}:
            view["data"] = shapes
    return spec
