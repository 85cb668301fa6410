"""Briefs: the first draft of an analyst's note for a filter, as one self-contained file.

A brief is what leaves the building (forwarded to a minister's office, printed, archived), so
it must stand alone: charts are PNGs embedded as data URIs, the CSS is inline, and the only
links are the cited articles' own addresses. The charts are the dashboard's Altair specs
(``ingest.charts``) rendered offline by vl-convert; the PDF is the same HTML laid out by
WeasyPrint. Queries come from ``ingest.queries`` and ``ingest.aggregates``, so a brief counts
what the dashboard counts for the same filters.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import lru_cache

import sqlite_utils

from ingest import aggregates, export, labels, queries
from ingest.queries import Filters

MAX_DEVELOPMENTS = 60   # reported bullets; beyond, the newest are kept
MAX_ASIDE = 30          # planned, denied and hedged bullets
ROWS_PER_BULLET = 4     # statements read per bullet shown: a sentence can back several pairs
MAX_FORCES = 4          # force-level charts, most documented forces first
MAX_ACTORS = 6          # small multiples of the articles-per-month chart
MAX_LEVELS = 12         # rows of a force-level table: the latest changes; the chart has all
MAX_PAIRS = 15          # rows of the partnership table
CHART_WIDTH = 600       # px: fits an A4 page between 18 mm margins at 96 dpi
CHART_SCALE = 2         # PNG pixels per CSS pixel: sharp on screen and in print


class BriefError(ValueError):
    """A brief that cannot be made as asked (an unknown actor, an empty date range)."""


def check_filters(db: sqlite_utils.Database, filters: Filters) -> Filters:
    """The filters with each name spelled as stored, or ``BriefError`` naming the bad one.

    Names are matched without regard to case against the tagger's gazetteer and the database,
    so a brief on an actor that simply has no article yet says so instead of failing."""
    if filters.since and filters.until and filters.since > filters.until:
        raise BriefError(f"--since {filters.since} is after --until {filters.until}")
    options = aggregates.filter_options(db)
    known = {
        "actor": set(options["actors"]) | set(_gazetteer_actors()),
        "partner": set(options["partners"]) | set(_gazetteer_countries()),
        "theme": set(labels.THEME_LABELS),
        "lang": set(options["languages"]) | {"en", "fr"},
    }
    spelled = {}
    for field, kind in (("actors", "actor"), ("partners", "partner"), ("themes", "theme"),
                        ("languages", "lang")):
        names = {name.casefold(): name for name in known[kind]}
        if kind == "theme":
            names |= {label.casefold(): id_ for id_, label in labels.THEME_LABELS.items()}
        out = []
        for value in getattr(filters, field):
            if value.casefold() not in names:
                raise BriefError(f"unknown {kind} {value!r}; known: "
                                 + ", ".join(sorted(known[kind])))
            out.append(names[value.casefold()])
        spelled[field] = tuple(out)
    return replace(filters, **spelled)


@lru_cache(maxsize=1)
def _gazetteer_actors() -> tuple[str, ...]:
    from ingest.tagger.gazetteer import DATA

    actors = json.loads((DATA / "actors.json").read_text(encoding="utf-8"))["actors"]
    return tuple(actor["name"] for actor in actors)


@lru_cache(maxsize=1)
def _gazetteer_countries() -> tuple[str, ...]:
    from ingest.tagger.gazetteer import countries

    return tuple(countries().values())


def build(db: sqlite_utils.Database, filters: Filters, now: datetime | None = None) -> dict:
    """Everything the template shows, gathered from the database for ``filters``."""
    from ingest.tagger import TAGGER_VERSION  # the tagger package loads its data: only here

    filters = check_filters(db, filters)
    now = now or datetime.now(UTC)
    reported, more = newest(db, aggregates.facts(filters), MAX_DEVELOPMENTS)
    aside, more_aside = newest(db, replace(filters, statuses=tuple(
        status for status in filters.statuses if status != "reported")), MAX_ASIDE)
    counts = {**aggregates.cited_counts(db, filters),  # and how many reports they carry
              "stories": aggregates.overview_counts(db, replace(filters, unit="stories"))
              .get("stories", 0)}
    fresh = aggregates.freshness(db)
    return {
        "title": title(filters),
        "period": period(filters),
        "filters": described(filters, {row["id"]: row["name"] for row
                                        in aggregates.filter_options(db)["sources"]}),
        "generated": now.strftime("%d %B %Y, %H:%M UTC").lstrip("0"),
        "tagger": TAGGER_VERSION,
        "older_taggers": aggregates.older_taggers(db, TAGGER_VERSION),
        "counts": counts,
        "latest_article": readable_date(fresh["latest_article"]),
        "last_ingest": readable_stamp(fresh["last_ingest"]),
        # All sample data: one warning on top. Some: the warning, and each such bullet marked.
        "illustrative": aggregates.illustrative_share(db) is not None,
        "some_illustrative": any(b["illustrative"] for b in reported + aside),
        "developments": reported, "developments_left": more,
        "aside": aside, "aside_left": more_aside,
        "cited": len({b["article_id"] for b in reported + aside}
                     | {c["article_id"] for b in reported + aside for c in b["also"]}),
        "forces": forces(db, filters),
        "partnerships": partnerships(db, filters),
        "export_hint": export_hint(filters),
    }


def newest(db: sqlite_utils.Database, filters: Filters, most: int) -> tuple[list[dict], bool]:
    """The newest ``most`` bullets, oldest first, and whether older ones were left out. Only
    the newest statements are read: an unfiltered brief of a million articles stays small."""
    cap = most * ROWS_PER_BULLET
    rows = list(queries.statements(db, filters, limit=cap))
    made = one_per_report(db, bullets(reversed(rows)))
    if len(rows) == cap:  # the oldest bullet read may lack some of its pairs: it goes
        made = made[1:]
    return made[-most:], len(rows) == cap or len(made) > most


def bullets(rows: Iterable[dict]) -> list[dict]:
    """One bullet per sentence of an article: the pairs and events it supports listed
    together ("Russia – Mali; Wagner Group – Mali"), so one quote is not repeated."""
    merged: dict[tuple, dict] = {}
    for row in rows:
        key = (row["article_id"], row["evidence"], row["status"])
        bullet = merged.setdefault(key, {
            "date": readable_date(row["published"]),
            "status": labels.status(row["status"]), "status_id": row["status"],
            "evidence": row["evidence"], "outlet": row["outlet"], "source": row["source"],
            "title": row["title"],
            "url": row["url"], "article_id": row["article_id"], "what": [], "themes": [],
            "illustrative": bool(row["illustrative"]),
        })
        said = statement(row)
        if said not in bullet["what"]:
            bullet["what"].append(said)
        for theme in json.loads(row["themes"] or "[]"):
            if labels.theme(theme) not in bullet["themes"]:
                bullet["themes"].append(labels.theme(theme))
    return list(merged.values())


def one_per_report(db: sqlite_utils.Database, made: list[dict]) -> list[dict]:
    """Copies of one report (a story: syndicated, retitled) saying the same thing make one
    bullet, citing the first copy and naming the others under "also carried by": an analyst
    counts reports, and a quote repeated three times reads as three confirmations."""
    story = queries.story_ids(db, list({b["article_id"] for b in made}))
    kept: dict[tuple, dict] = {}
    for bullet in made:
        key = (story.get(bullet["article_id"], bullet["article_id"]), bullet["status_id"],
               tuple(bullet["what"]))
        first = kept.setdefault(key, {**bullet, "also": []})
        if first["article_id"] != bullet["article_id"]:
            first["also"].append(bullet)
    return list(kept.values())


def statement(row: dict) -> str:
    """A dyad as "Russia – Mali", a posture event as "Russia in Mali: Presence, 2,000"."""
    if row["kind"] == "dyad":
        return f"{row['actor']} – {row['country']}"
    said = f"{row['actor']} in {row['country']}: {labels.action(row['action'])}"
    if row["personnel"] is not None:
        said += f", {row['personnel']:,} personnel"
    if row["date"] and row["date"] != row["published"]:
        said += f" ({readable_date(row['date'])})"
    return said


def forces(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """The force-level chart and table of the most documented forces with a reported figure.
    Levels count events, as the Troop posture page does by default: three outlets reporting
    one deployment of 300 add 300, not 900; where they disagree, the median and the range."""
    counted = queries.counting_reports(db, filters)
    out = []
    for pair in aggregates.posture_pairs(db, aggregates.facts(filters)):
        levels = aggregates.force_levels(db, counted, pair["actor"], pair["country"])
        if not levels:
            continue
        # One figure makes a one-dot line: its table row says the same.
        out.append({"actor": pair["actor"], "country": pair["country"],
                    "image": png(force_chart(levels, pair["actor"], pair["country"]))
                    if len(levels) > 1 else None,
                    "rows": [{"date": short_date(row["date"]), "level": level_text(row)}
                             for row in levels[-MAX_LEVELS:]],
                    "earlier": max(0, len(levels) - MAX_LEVELS)})
        if len(out) == MAX_FORCES:
            break
    return out


def force_chart(levels: list[dict], actor: str, country: str):
    """The Troop posture page's level chart of one force: its panel and legend name the force
    and the country, as the page's do."""
    from ingest import charts

    frame = _frame(levels).assign(actor=actor, country=country)
    return charts.force_level(frame).properties(width=CHART_WIDTH, height=160)


def level_text(row: dict) -> str:
    """"1,500", or "1,500 (1,200–2,000)" where the sources of one event disagree."""
    text = f"{row['level']:,}"
    low, high = row.get("low"), row.get("high")
    if low is not None and high is not None and low != high:
        text += f" ({low:,}–{high:,})"
    return text


def partnerships(db: sqlite_utils.Database, filters: Filters) -> dict | None:
    """The actor x partner matrix as the dashboard's Partnerships page draws it by default
    (counting stories: the copies of one report once), and its busiest cells."""
    from ingest import charts

    filters = replace(filters, unit="stories")
    cells = aggregates.matrix(db, filters)
    months = aggregates.actor_months(db, filters)
    if not cells and not months:
        return None
    # One pair makes a one-square heatmap: its table row says the same.
    image = (png(charts.partnership_matrix(_frame(cells), "stories")) if len(cells) > 1
             else None)
    return {"image": image, "timeline": timeline(months), "rows": [
        {**cell, "first": short_date(cell["first"]), "last": short_date(cell["last"]),
         "themes": labels.themes_text(cell["themes"])} for cell in cells[:MAX_PAIRS]],
        "more": max(0, len(cells) - MAX_PAIRS)}


def timeline(months: list[dict]) -> dict | None:
    """Articles per actor per month, as on the Partnerships page, for the busiest actors."""
    from ingest import charts

    if not months:
        return None
    frame = _frame(months)
    busiest = frame.groupby("actor")["articles"].sum().nlargest(MAX_ACTORS).index
    chart = charts.actor_timeline(frame[frame["actor"].isin(busiest)], "stories")
    return {**png(chart.properties(width=CHART_WIDTH - 100)),
            "left": max(0, frame["actor"].nunique() - MAX_ACTORS)}


def _frame(rows: list[dict]):
    import pandas as pd

    return pd.DataFrame(rows)


def png(chart) -> dict:
    """An Altair chart as a PNG data URI rendered offline (vl-convert bundles Vega), with its
    size in CSS pixels: drawn at ``CHART_SCALE`` for print, shown at the size Vega laid out.
    Pillow (WeasyPrint's own dependency) packs it in a palette."""
    import vl_convert
    from PIL import Image

    data = vl_convert.vegalite_to_png(chart.to_dict(), scale=CHART_SCALE)
    image = Image.open(io.BytesIO(data))
    out = io.BytesIO()  # a 256-colour palette: a third of the bytes, no visible change
    image.convert("RGB").quantize(256, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return {"src": "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii"),
            "width": image.width // CHART_SCALE, "height": image.height // CHART_SCALE}


def title(filters: Filters) -> str:
    actors = " and ".join(filters.actors) or "Foreign actors"
    partners = " and ".join(filters.partners) or "Africa"
    return f"{actors} in {partners}"


def period(filters: Filters) -> str:
    since, until = readable_date(filters.since), readable_date(filters.until)
    if since and until:
        return f"{since} – {until}"
    if since:
        return f"Since {since}"
    return f"Until {until}" if until else "All dates"


def described(filters: Filters, source_names: dict[int, str]) -> list[tuple[str, str]]:
    """The filters as (name, value) lines a reader understands; "any" where not narrowed, and
    the dashboard-only ones (sources, state media, statuses) only when narrowed."""
    lines = [
        ("Actors", ", ".join(filters.actors) or "any"),
        ("Partner countries", ", ".join(filters.partners) or "any"),
        ("Themes", ", ".join(map(labels.theme, filters.themes)) or "any"),
        ("Languages", ", ".join(filters.languages) or "any"),
        ("Period", period(filters)),
    ]
    if filters.sources:
        lines.append(("Sources", ", ".join(source_names.get(s, str(s))
                                           for s in filters.sources)))
    if filters.affiliated is not None:
        lines.append(("State-affiliated sources",
                      "only these" if filters.affiliated else "excluded"))
    if set(filters.statuses) != set(queries.STATUSES):
        lines.append(("Statuses listed", ", ".join(map(labels.status, filters.statuses))
                      or "none"))
    if filters.query:
        lines.append(("Search", filters.query))
    return lines


def export_hint(filters: Filters) -> str:
    """The command that exports every statement of the brief, for bullets beyond the cap."""
    parts = ["python -m ingest export partnerships"]
    for flag, values in (("--actor", filters.actors), ("--partner", filters.partners),
                         ("--theme", filters.themes)):
        parts += [f"{flag} '{value}'" for value in values]
    if filters.since:
        parts.append(f"--since {filters.since}")
    if filters.until:
        parts.append(f"--until {filters.until}")
    return " ".join(parts)


def readable_date(value: str | date | None) -> str | None:
    """"2025-06-07" as "7 June 2025": no reader mistakes day and month."""
    if not value:
        return None
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.day} {day:%B %Y}"


def short_date(value: str) -> str:
    """"2025-06-07" as "7 Jun 2025", for table cells."""
    day = date.fromisoformat(value[:10])
    return f"{day.day} {day:%b %Y}"


def readable_stamp(value: str | None) -> str | None:
    """A stored UTC time ("2026-12-04T01:12:18Z") as "4 December 2026, 01:12 UTC"."""
    if not value:
        return None
    return f"{readable_date(value)}, {value[11:16]} UTC"


def render_html(context: dict) -> str:
    """The brief as one HTML file (Jinja2 autoescapes every value: titles are untrusted)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("ingest", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("brief.html.j2").render(**context)


def render_pdf(html: str) -> bytes:
    """The same HTML laid out for A4 by WeasyPrint, allowed to read ``data:`` URIs only: the
    images travel inside the HTML, and making a brief must never reach out to the network."""
    # Before the import, which parses its own stylesheets: else a log line per step and page.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    try:
        import weasyprint
    except OSError as exc:  # WeasyPrint loads Pango with ctypes when imported
        raise BriefError(f"PDF briefs need the Pango library ({exc}): run `make pango` or"
                         " `apt-get install --no-install-recommends libpango-1.0-0"
                         " libpangoft2-1.0-0`; HTML briefs work without it") from None

    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def make(db: sqlite_utils.Database, filters: Filters, fmt: str = "html",
         now: datetime | None = None) -> bytes:
    """The brief for ``filters`` as HTML or PDF bytes."""
    html = render_html(build(db, filters, now))
    return html.encode("utf-8") if fmt == "html" else render_pdf(html)


def file_name(filters: Filters, fmt: str = "html") -> str:
    """``russia-mali-brief-from-2024-01-01.pdf``: what it covers, as exports are named."""
    return export.file_name("brief", filters, fmt)
