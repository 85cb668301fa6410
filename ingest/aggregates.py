"""The dashboard's aggregates: small GROUP BY results built on the export's own filters.

Every function takes the same ``Filters`` as ``queries`` (so a filter means the same on screen
and in a CSV export) and returns plain dict rows, few enough to hand straight to a chart:
months, actor x partner cells, countries, places. Per-article rows only ever come from
``queries`` with a ``limit``. Counts of dyads and posture events are facts: only ``reported``
statuses count, whatever else the analyst chose to list.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from itertools import groupby

import sqlite_utils

from ingest import rollups
from ingest.corrections import TARGET_TABLES
from ingest.queries import (
    STATUSES,
    UNITS,
    Filters,
    QueryError,
    article_where,
    event_where,
    evidence_where,
    fetch_rows,
)
from ingest.tagger.posture import ALL_LEFT

TOP_THEMES = 3
MAX_STEPS = 1_000


def facts(filters: Filters) -> Filters:
    """The filters narrowed to reported statements (see ``Filters.facts_only``)."""
    return filters.facts_only()


def unit_count(filters: Filters, article: str, statement: str | None = None) -> tuple[str, str]:
    """How to count ``filters.unit`` over rows whose article id is the SQL ``article``: a join
    to add after FROM, and the count expression. Stories count every copy of a report once;
    an article stored before stories existed (not yet placed by ``cluster``) is its own.
    Events count the events of the statement rows aliased ``statement`` (dyads or posture);
    a statement not yet placed by ``events`` is its own."""
    if filters.unit == "articles":
        return "", f"count(DISTINCT {article})"
    if filters.unit == "stories":
        return (f" LEFT JOIN story_articles su ON su.article_id = {article}",
                f"count(DISTINCT coalesce(su.story_id, {article}))")
    if filters.unit == "events" and statement:
        return "", f"count(DISTINCT coalesce({statement}.event_id, -{statement}.id))"
    raise QueryError(f"this count cannot be made in {filters.unit}")


def previous_period(filters: Filters) -> Filters | None:
    """The period of equal length just before the filtered one, for "what changed"."""
    if not (filters.since and filters.until):
        return None
    length = filters.until - filters.since + timedelta(days=1)
    return replace(filters, since=filters.since - length, until=filters.since - timedelta(days=1))


def filter_options(db: sqlite_utils.Database) -> dict[str, list]:
    """What the sidebar offers: values actually present, so no filter can match nothing."""
    def values(kind: str) -> list[str]:
        # From the rollups: a value every tag of which an analyst rejected matches nothing.
        return [row[0] for row in db.execute(
            "SELECT value FROM rollup_tags WHERE kind = ? GROUP BY value"
            " HAVING sum(articles) > 0 ORDER BY value", [kind])]

    # Two subqueries: SQLite reads a lone min() or max() off the index's end, not both at once.
    first, last = db.execute("SELECT (SELECT min(published) FROM articles),"
                             " (SELECT max(published) FROM articles)").fetchone()
    return {
        "actors": values("actor"), "partners": values("partner"), "themes": values("theme"),
        "languages": [row[0] for row in db.execute(
            "SELECT language FROM rollup_articles WHERE language != '' GROUP BY language"
            " HAVING sum(articles) > 0 ORDER BY 1")],
        "sources": [dict(zip(("id", "name"), row, strict=True)) for row in db.execute(
            "SELECT id, name FROM sources ORDER BY name")],
        "first": first, "last": last,
    }


def units(db: sqlite_utils.Database) -> list[str]:
    """What counts can count in this database: articles and stories, and events once an
    events table exists."""
    return [unit for unit in UNITS if unit != "events" or db["events"].exists()]


def overview_counts(db: sqlite_utils.Database, filters: Filters) -> dict[str, int]:
    """Headline numbers for the period: articles, sources, actors, partners, dyads."""
    totals = rollups.article_totals(db, filters) if rollups.answers(filters) else None
    if totals is not None:
        articles, sources = totals
        where, params = rollups.where(facts(filters), actor="actor", partner="partner",
                                      status=True)
        actors, partners, dyads = db.execute(
            "SELECT count(DISTINCT CASE WHEN dyads > 0 THEN actor END), count(DISTINCT CASE"
            " WHEN dyads > 0 THEN partner END), coalesce(sum(dyads), 0) FROM rollup_dyads"
            f" WHERE {where}", params).fetchone()
        extra = {}
        if filters.unit == "events":
            extra["events"] = event_count(db, filters)
        elif filters.unit == "stories":
            where, params = article_where(filters)
            extra["stories"] = articles - db.execute(
                "SELECT count(*) - count(DISTINCT s.story_id) FROM rollup_story_copies s"
                f" JOIN articles a ON a.id = s.article_id WHERE {where}", params).fetchone()[0]
        return {"articles": articles, "sources": sources, "actors": actors,
                "partners": partners, "dyads": dyads, **extra}
    where, params = article_where(filters)
    articles, sources = db.execute(
        f"SELECT count(*), count(DISTINCT a.source_id) FROM articles a WHERE {where}", params
    ).fetchone()
    extra = {}
    if filters.unit == "events":
        extra["events"] = event_count(db, filters)
    elif filters.unit != "articles":  # the articles are counted in the chosen unit too
        join, count = unit_count(filters, "a.id")
        extra[filters.unit] = db.execute(
            f"SELECT {count} FROM articles a{join} WHERE {where}", params).fetchone()[0]
    where, params = evidence_where(facts(filters), "d", "actor", "partner", "themes")
    actors, partners, dyads = db.execute(
        "SELECT count(DISTINCT d.actor), count(DISTINCT d.partner), count(*)"
        f" FROM dyads d JOIN articles a ON a.id = d.article_id WHERE {where}", params
    ).fetchone()
    return {"articles": articles, "sources": sources, "actors": actors,
            "partners": partners, "dyads": dyads, **extra}


def matrix(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """Actor x partner cells: articles (or ``filters.unit``) reporting the pair, first and last
    date, top themes."""
    if rollups.counts(filters) or rollups.counts_events(db, filters):
        cells = _matrix_from_rollups(db, facts(filters))
        if filters.unit == "stories":
            copies = _dyad_copies(db, facts(filters), "d.actor, d.partner")
            for cell in cells:
                cell["articles"] -= copies.get((cell["actor"], cell["partner"]), 0)
            cells.sort(key=lambda cell: (-cell["articles"], cell["actor"], cell["partner"]))
        return cells
    where, params = evidence_where(facts(filters), "d", "actor", "partner", "themes")
    join, count = unit_count(filters, "d.article_id", "d")
    cells = list(fetch_rows(db, f"""
        SELECT d.actor, d.partner, {count} AS articles,
               substr(min(a.published), 1, 10) AS first, substr(max(a.published), 1, 10) AS last
        FROM dyads d JOIN articles a ON a.id = d.article_id{join}
        WHERE {where} GROUP BY +d.actor, +d.partner ORDER BY articles DESC, d.actor, d.partner
    """, params))
    themes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    # Count dyads per stored theme list (a few hundred distinct lists) and split the lists
    # here: json_each in SQL runs once per dyad, and in a join it made SQLite scan every dyad.
    # ``+`` in GROUP BY: without it SQLite walks dyads_pair for its order and reads every
    # dyad row; sorting what the covering dyads_article_status index gives is 3x faster.
    for actor, partner, listed, count in db.execute(f"""
        SELECT d.actor, d.partner, d.themes, count(*)
        FROM dyads d JOIN articles a ON a.id = d.article_id
        WHERE {where} GROUP BY +d.actor, +d.partner, d.themes
    """, params):
        for theme in json.loads(listed):
            themes[actor, partner][theme] += count
    return _with_top_themes(cells, themes)


def _dyad_copies(db: sqlite_utils.Database, filters: Filters, group: str) -> dict[tuple, int]:
    """Per ``group`` (columns of ``d`` dyads and ``a`` articles), the articles counted beyond
    the first of each story: what turns the rollups' article counts into story counts.
    Read from the copies alone (``rollups.TRIGGERED``), so it costs what they hold."""
    where, params = evidence_where(filters, "d", "actor", "partner", "themes")
    return {tuple(row[:-1]): row[-1] for row in db.execute(f"""
        SELECT {group}, count(DISTINCT d.article_id) - count(DISTINCT s.story_id)
        FROM rollup_story_copies s JOIN dyads d ON d.article_id = s.article_id
             JOIN articles a ON a.id = d.article_id
        WHERE {where} GROUP BY {group}
    """, params) if row[-1]}


def _with_top_themes(cells: list[dict], themes: dict[tuple[str, str], Counter]) -> list[dict]:
    for cell in cells:
        counted = themes[cell["actor"], cell["partner"]].items()
        top = sorted(counted, key=lambda item: (-item[1], item[0]))[:TOP_THEMES]  # ties: a-z
        cell["themes"] = ", ".join(f"{theme} ({count})" for theme, count in top)
    return cells


def _matrix_from_rollups(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """``matrix`` over all dates: counts from the rollups (articles, or events), and each
    cell's first and last date from the dyads_pair index (a max cannot be kept by
    subtraction), walked from either end to the first reported, unrejected dyad that passes
    the language filter."""
    where, params = rollups.where(filters, actor="actor", partner="partner", status=True)
    table, counted, counted_params = "rollup_dyads", "articles", (where, params)
    if filters.unit == "events":
        table, counted = "rollup_event_pairs", "events"
        counted_params = rollups.event_where(db, filters, actor="actor", partner="partner")
    cells = list(fetch_rows(db, f"""
        SELECT actor, partner, sum({counted}) AS articles FROM {table}
        WHERE {counted_params[0]}
        GROUP BY actor, partner HAVING sum({counted}) > 0
        ORDER BY articles DESC, actor, partner
    """, counted_params[1]))
    themes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for actor, partner, theme, count in db.execute(
            f"SELECT actor, partner, theme, sum(dyads) FROM rollup_dyad_themes WHERE {where}"
            " GROUP BY actor, partner, theme", params):
        themes[actor, partner][theme] += count
    language = ""
    narrow = [*filters.statuses]
    if filters.languages:
        language = (" AND d.article_id IN (SELECT a.id FROM articles a WHERE a.id ="
                    f" d.article_id AND a.language IN ({', '.join('?' * len(filters.languages))}))")
        narrow += list(filters.languages)
    for order, column in (("", "first"), (" DESC", "last")):
        probe = f"""
            SELECT substr(d.published, 1, 10) FROM dyads d INDEXED BY dyads_pair
            WHERE d.actor = ? AND d.partner = ? AND d.published IS NOT NULL
              AND d.status IN ({', '.join('?' * len(filters.statuses))})
              AND d.verdict IS NOT 'rejected'{language}
            ORDER BY d.published{order} LIMIT 1"""
        for cell in cells:
            found = db.execute(probe, [cell["actor"], cell["partner"], *narrow]).fetchone()
            cell[column] = found[0] if found else None
    return _with_top_themes(cells, themes)


def new_partnerships(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """Pairs in the period never reported before it, anywhere in the database."""
    if not filters.since:
        return []
    where, params = evidence_where(facts(filters), "d", "actor", "partner", "themes")
    return list(fetch_rows(db, f"""
        SELECT actor, partner, substr(first_seen, 1, 10) AS first_seen FROM (
            SELECT d.actor, d.partner, (
                SELECT e.published FROM dyads e
                WHERE e.actor = d.actor AND e.partner = d.partner AND e.status = 'reported'
                  AND e.verdict IS NOT 'rejected' AND e.published IS NOT NULL
                ORDER BY e.published LIMIT 1
            ) AS first_seen
            FROM dyads d JOIN articles a ON a.id = d.article_id
            WHERE {where} GROUP BY d.actor, d.partner
        ) WHERE first_seen >= ? ORDER BY first_seen DESC, actor, partner
    """, [*params, filters.since.isoformat()]))


def compare(current: Iterable[dict], previous: Iterable[dict]) -> list[dict]:
    """Cells whose article count moved between two periods, biggest change first."""
    before = {(row["actor"], row["partner"]): row["articles"] for row in previous}
    now = {(row["actor"], row["partner"]): row["articles"] for row in current}
    rows = [
        {"actor": actor, "partner": partner, "now": now.get((actor, partner), 0),
         "before": before.get((actor, partner), 0)}
        for actor, partner in sorted(now.keys() | before.keys())
    ]
    for row in rows:
        row["change"] = row["now"] - row["before"]
    return sorted((row for row in rows if row["change"]), key=lambda row: -abs(row["change"]))


def actor_months(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """Articles (or ``filters.unit``) per actor per month (``substr(published, 1, 7)``: the
    index does the work). Counting events, the events of the actor's reported partnerships."""
    if rollups.counts(filters) and len(filters.partners) <= 1:
        # One partner: the articles naming it with each actor (two could count one twice).
        table, column = ("rollup_tag_pairs", "actor") if filters.partners else (
            "rollup_tags", "value")
        where, params = rollups.where(filters, actor=column,
                                      partner="partner" if filters.partners else None)
        if not filters.partners:
            where += " AND kind = 'actor'"
        rows = list(fetch_rows(db, f"""
            SELECT month, {column} AS actor, sum(articles) AS articles FROM {table}
            WHERE month != '' AND {where}
            GROUP BY month, {column} HAVING sum(articles) > 0 ORDER BY month, actor
        """, params))
        if filters.unit == "stories":
            copies = _actor_copies(db, filters)
            for row in rows:
                row["articles"] -= copies.get((row["month"], row["actor"]), 0)
        return rows
    if rollups.counts_events(db, filters) and len(filters.partners) <= 1:
        # One partner: its events by month; none: every partner's, an event merged across
        # partners once (rollup_event_actors).
        table = "rollup_event_dyads" if filters.partners else "rollup_event_actors"
        where, params = rollups.event_where(db, facts(filters), actor="actor",
                                            partner="partner" if filters.partners else None)
        return list(fetch_rows(db, f"""
            SELECT month, actor, sum(events) AS articles FROM {table}
            WHERE month != '' AND {where}
            GROUP BY month, actor HAVING sum(events) > 0 ORDER BY month, actor
        """, params))
    if filters.unit == "events":  # events are of statements: the reported partnerships'
        where, params = evidence_where(facts(filters), "d", "actor", "partner", "themes")
        return list(fetch_rows(db, f"""
            SELECT substr(a.published, 1, 7) AS month, d.actor,
                   count(DISTINCT coalesce(d.event_id, -d.id)) AS articles
            FROM dyads d JOIN articles a ON a.id = d.article_id
            WHERE {where} AND a.published IS NOT NULL
            GROUP BY month, d.actor ORDER BY month, d.actor
        """, params))
    where, params = article_where(filters)
    narrow = ""
    if filters.actors:
        narrow = f" AND t.value IN ({', '.join('?' * len(filters.actors))})"
        params += list(filters.actors)
    join, count = ("", "count(*)") if filters.unit == "articles" else unit_count(filters, "a.id")
    return list(fetch_rows(db, f"""
        SELECT substr(a.published, 1, 7) AS month, t.value AS actor, {count} AS articles
        FROM articles a JOIN tags t ON t.article_id = a.id AND t.kind = 'actor'
             AND t.verdict IS NOT 'rejected'{join}
        WHERE {where} AND a.published IS NOT NULL{narrow}
        GROUP BY month, actor ORDER BY month, actor
    """, params))


def _actor_copies(db: sqlite_utils.Database, filters: Filters) -> dict[tuple, int]:
    """``_dyad_copies`` for ``actor_months``: per month and actor tag."""
    where, params = article_where(filters)
    narrow = ""
    if filters.actors:
        narrow = f" AND t.value IN ({', '.join('?' * len(filters.actors))})"
        params += list(filters.actors)
    return {(month, actor): extra for month, actor, extra in db.execute(f"""
        SELECT substr(a.published, 1, 7), t.value,
               count(DISTINCT a.id) - count(DISTINCT s.story_id)
        FROM rollup_story_copies s JOIN articles a ON a.id = s.article_id
             JOIN tags t ON t.article_id = a.id AND t.kind = 'actor'
             AND t.verdict IS NOT 'rejected'
        WHERE {where} AND a.published IS NOT NULL{narrow} GROUP BY 1, 2
    """, params) if extra}


def status_counts(db: sqlite_utils.Database, filters: Filters) -> dict[str, int]:
    """Dyads per status: what the counts leave out (planned, denied, hedged) is shown apart."""
    if rollups.answers(filters):
        where, params = rollups.where(filters, actor="actor", partner="partner", status=True)
        return dict(db.execute(
            f"SELECT status, sum(dyads) FROM rollup_dyads WHERE {where} GROUP BY status"
            " HAVING sum(dyads) > 0", params).fetchall())
    where, params = evidence_where(filters, "d", "actor", "partner", "themes")
    return dict(db.execute(
        f"SELECT d.status, count(*) FROM dyads d JOIN articles a ON a.id = d.article_id"
        f" WHERE {where} GROUP BY d.status", params).fetchall())


def aside_pairs(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """Actor x partner pairs with statements the matrix leaves out (planned, denied, hedged),
    so that a pair known only from those can still be chosen and its evidence read."""
    aside = tuple(status for status in filters.statuses if status != "reported")
    if not aside:
        return []
    if rollups.answers(filters):
        where, params = rollups.where(replace(filters, statuses=aside), actor="actor",
                                      partner="partner", status=True)
        return list(fetch_rows(db, f"""
            SELECT actor, partner, sum(dyads) AS statements FROM rollup_dyads WHERE {where}
            GROUP BY actor, partner HAVING sum(dyads) > 0
        """, params))
    where, params = evidence_where(replace(filters, statuses=aside), "d", "actor", "partner",
                                   "themes")
    return list(fetch_rows(db, f"""
        SELECT d.actor, d.partner, count(*) AS statements
        FROM dyads d JOIN articles a ON a.id = d.article_id
        WHERE {where} GROUP BY d.actor, d.partner
    """, params))


def posture_pairs(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """Actor x country pairs with posture events (statements; with ``filters.unit`` stories,
    the stories that carry them), most documented first."""
    if rollups.answers(filters) and filters.unit == "articles":
        where, params = rollups.where(filters, actor="actor", partner="country", status=True)
        return list(fetch_rows(db, f"""
            SELECT actor, country, sum(events) AS events FROM rollup_posture WHERE {where}
            GROUP BY actor, country HAVING sum(events) > 0 ORDER BY events DESC, actor, country
        """, params))
    where, params = evidence_where(filters, "p", "actor", "country", None)
    join, count = _statements(filters)
    return list(fetch_rows(db, f"""
        SELECT p.actor, p.country, {count} AS events
        FROM {_posture_rows(filters)}{join}
        WHERE {where} GROUP BY p.actor, p.country ORDER BY events DESC, p.actor, p.country
    """, params))


def _posture_rows(filters: Filters, index: str | None = None) -> str:
    """Posture rows ``p`` (read through ``index`` if named), joined to their articles ``a``
    only when a filter reads the article (every row has one): counting a million articles'
    events over all dates, the join was half the time."""
    article_level = replace(filters, actors=(), partners=(), statuses=STATUSES, unit="articles")
    joined = article_where(article_level)[0] != "1"
    return (f"posture p{f' INDEXED BY {index}' if index else ''}"
            + (" JOIN articles a ON a.id = p.article_id" if joined else ""))


def latest_posture(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """The latest reported posture event per actor x country, with its date and source. On one
    day, the last troops leaving outrank anything else said that day, and a stock without a
    figure comes last: the table agrees with the force level."""
    where, params = evidence_where(facts(filters), "p", "actor", "country", None)
    if rollups.answers(filters):
        # All dates: each pair's latest day from the posture_actor_country index, then the
        # ranking below over that day's events only (a window over every event took 3 s at
        # a million articles).
        return [row for actor, country, day in _latest_days(db, facts(filters))
                for row in _latest_posture(
                    db, f"{where} AND p.actor = ? AND p.country = ? AND "
                    + ("p.date >= ? AND p.date < ? || '~'" if day else "p.date IS NULL"),
                    [*params, actor, country, *([day, day] if day else [])])]
    return _latest_posture(db, where, params)


def _latest_days(db: sqlite_utils.Database, filters: Filters) -> list[tuple[str, str, str]]:
    """(actor, country, latest day or None) of each pair with events under ``filters``."""
    where, params = rollups.where(filters, actor="actor", partner="country", status=True)
    pairs = db.execute(f"SELECT actor, country FROM rollup_posture WHERE {where}"
                       " GROUP BY actor, country HAVING sum(events) > 0 ORDER BY actor, country",
                       params).fetchall()
    language, narrow = "", list(filters.languages)
    if narrow:
        language = (" AND p.article_id IN (SELECT a.id FROM articles a WHERE a.id ="
                    f" p.article_id AND a.language IN ({', '.join('?' * len(narrow))}))")
    probe = f"""
        SELECT substr(p.date, 1, 10) FROM posture p INDEXED BY posture_actor_country
        WHERE p.actor = ? AND p.country = ? AND p.verdict IS NOT 'rejected'
          AND p.status IN ({', '.join('?' * len(filters.statuses))}){language}
        ORDER BY p.date DESC LIMIT 1"""
    return [(actor, country, db.execute(
        probe, [actor, country, *filters.statuses, *narrow]).fetchone()[0])
        for actor, country in pairs]


def _latest_posture(db: sqlite_utils.Database, where: str, params: list) -> list[dict]:
    return list(fetch_rows(db, f"""
        SELECT actor, country, date, action, personnel, personnel_text, place, evidence,
               source, title, url, posture_id FROM (
            SELECT p.actor, p.country, substr(p.date, 1, 10) AS date, p.action, p.personnel,
                   p.personnel_text, p.place, p.evidence, so.name AS source, a.title, a.url,
                   p.id AS posture_id, row_number() OVER (
                       PARTITION BY p.actor, p.country ORDER BY substr(p.date, 1, 10) DESC,
                       p.rule LIKE ? DESC, p.action = 'present' AND p.personnel IS NULL,
                       p.id DESC) AS rank
            FROM posture p JOIN articles a ON a.id = p.article_id
                 JOIN sources so ON so.id = a.source_id
            WHERE {where}
        ) WHERE rank = 1 ORDER BY actor, country
    """, [f"%{ALL_LEFT}%", *params]))


def force_levels(db: sqlite_utils.Database, filters: Filters, actor: str,
                 country: str) -> list[dict]:
    """The reported force of ``actor`` in ``country`` over time, one point per dated change,
    counting ``filters.unit``: every statement, each story's once, or each event's once
    (then with the sources' ``low`` and ``high`` figures beside the median ``level``)."""
    if filters.unit == "events":
        return event_force_levels(db, filters, actor, country)
    narrowed = replace(facts(filters), actors=(actor,), partners=(country,))
    return thin(step_levels(row[2:] for row in _level_steps(db, narrowed)))


def pair_force_levels(db: sqlite_utils.Database, filters: Filters,
                      pairs: tuple[tuple[str, str], ...]) -> dict[tuple[str, str], list[dict]]:
    """``force_levels`` of each (actor, country) of ``pairs`` (the Troop posture page's drawn
    pairs). Over a period, one reading of the period's statements for all of them: asked one
    by one, each pair's statements were read whole, to test their articles' dates. Over all
    dates, one index range per pair."""
    if not (filters.since or filters.until):
        return {pair: force_levels(db, filters, *pair) for pair in pairs}
    narrowed = replace(facts(filters), actors=tuple(sorted({actor for actor, _ in pairs})),
                       partners=tuple(sorted({country for _, country in pairs})))
    if filters.unit == "events":
        steps = _event_steps(db, narrowed)
        return {pair: _event_levels(steps.get(pair, [])) for pair in pairs}
    grouped = {pair: [row[2:] for row in rows] for pair, rows in groupby(
        _level_steps(db, narrowed), key=lambda row: (row[0], row[1]))}
    return {pair: thin(step_levels(grouped.get(pair, []))) for pair in pairs}


def _level_steps(db: sqlite_utils.Database, filters: Filters,
                 from_day: str | None = None) -> Iterable[tuple]:
    """(actor, country, date, action, personnel, all left) of the dated posture statements,
    by force and country in date order: each once, or (counting stories) each figure once per
    story, so forty copies of one report of a deployment add its troops once. ``from_day``:
    only those of that day and after."""
    where, params = evidence_where(filters, "p", "actor", "country", None)
    if from_day:
        where += " AND p.date >= ?"
        params.append(from_day)
    if filters.unit != "stories":
        return db.execute(f"""
            SELECT p.actor, p.country, substr(p.date, 1, 10), p.action, p.personnel,
                   p.rule LIKE ?
            FROM {_posture_rows(filters)}
            WHERE {where} AND p.date IS NOT NULL ORDER BY +p.actor, p.country, p.date, p.id
        """, [f"%{ALL_LEFT}%", *params])  # ``+``: a period starts from its articles, not from
        # an index in this order (every posture row of the archive: 0.5 s for 7 days at 1M)
    return db.execute(f"""
        SELECT p.actor, p.country, substr(p.date, 1, 10) AS day, p.action, p.personnel,
               p.rule LIKE ?
        FROM {_posture_rows(filters)}
             LEFT JOIN story_articles su ON su.article_id = p.article_id
        WHERE {where} AND p.date IS NOT NULL
        GROUP BY p.actor, p.country, coalesce(su.story_id, p.article_id), day, p.action,
                 p.personnel, p.rule LIKE ?
        ORDER BY p.actor, p.country, day, min(p.id)
    """, [f"%{ALL_LEFT}%", *params, f"%{ALL_LEFT}%"])


def step_levels(events: Iterable[tuple[str, str, int | None, bool]]) -> list[dict]:
    """Apply the force rule to dated (date, action, personnel, all left) events in date order.

    ``present`` with a figure resets the level to it; ``deploy`` adds its figure; ``withdraw``
    subtracts it, never below zero, once a level is known (a withdrawal from an unknown level
    says nothing about what remains). A withdrawal of the last troops ("les derniers soldats
    ont quitté le Mali"; the tagger's rule ends in ``:all-left``) brings the level to zero.
    Other events without a figure, handovers and base openings or closures leave the level
    alone. One point per date: the level at the end of that day, which is zero on a day the
    last troops left, whatever else was said that day.
    """
    events = list(events)
    emptied = {day for day, action, _, all_left in events if action == "withdraw" and all_left}
    levels: dict[str, int] = {}
    level: int | None = None
    for day, action, personnel, _ in events:
        if day in emptied:  # the last troops left that day: nothing said that day outlasts it
            level = levels[day] = 0
            continue
        if personnel is None or action not in ("present", "deploy", "withdraw"):
            continue
        if action == "withdraw" and level is None:
            continue
        if action == "present":
            level = personnel
        elif action == "deploy":
            level = (level or 0) + personnel
        else:
            level = max(0, (level or 0) - personnel)
        levels[day] = level
    return [{"date": day, "level": value} for day, value in levels.items()]


def thin(points: list[dict]) -> list[dict]:
    """Keep a step series chartable: past ``MAX_STEPS`` points, the last level of each month."""
    if len(points) <= MAX_STEPS:
        return points
    monthly = {point["date"][:7]: point["level"] for point in points}
    return [{"date": f"{month}-01", "level": level} for month, level in monthly.items()]


def posture_places(db: sqlite_utils.Database, filters: Filters, limit: int = 500) -> list[dict]:
    """Named places where foreign forces are reported, with how often (statements, or
    ``filters.unit``) and how recently."""
    if rollups.answers(filters) and filters.unit == "articles":
        return _places_from_rollups(db, filters, limit)
    where, params = evidence_where(facts(filters), "p", "actor", "country", None)
    join, count = _statements(filters)
    return list(fetch_rows(db, f"""
        SELECT p.place, p.actor, p.country, {count} AS events,
               substr(max(p.date), 1, 10) AS last
        FROM {_posture_rows(filters)}{join}
        WHERE {where} AND p.place IS NOT NULL AND p.place != ''
        GROUP BY p.place, p.actor, p.country ORDER BY events DESC LIMIT {int(limit)}
    """, params))


def _places_from_rollups(db: sqlite_utils.Database, filters: Filters,
                         limit: int) -> list[dict]:
    """``posture_places`` over all dates: counts from the rollups (reported events only),
    each place's latest date from the posture_actor_country index, newest first."""
    if "reported" not in filters.statuses:
        return []
    where, params = rollups.where(filters, actor="actor", partner="country")
    places = list(fetch_rows(db, f"""
        SELECT place, actor, country, sum(events) AS events FROM rollup_places WHERE {where}
        GROUP BY place, actor, country HAVING sum(events) > 0
        ORDER BY events DESC LIMIT {int(limit)}
    """, params))
    language, narrow = "", list(filters.languages)
    if narrow:
        language = (" AND p.article_id IN (SELECT a.id FROM articles a WHERE a.id ="
                    f" p.article_id AND a.language IN ({', '.join('?' * len(narrow))}))")
    probe = f"""
        SELECT substr(p.date, 1, 10) FROM posture p INDEXED BY posture_actor_country
        WHERE p.actor = ? AND p.country = ? AND p.place = ? AND p.status = 'reported'
          AND p.verdict IS NOT 'rejected'{language}
        ORDER BY p.date DESC LIMIT 1"""
    for row in places:
        row["last"] = db.execute(probe, [row["actor"], row["country"], row["place"],
                                         *narrow]).fetchone()[0]
    return places


def _statements(filters: Filters) -> tuple[str, str]:
    """``unit_count`` for posture rows, which count statements (as before units) for articles."""
    return (("", "count(*)") if filters.unit == "articles"
            else unit_count(filters, "p.article_id", "p"))


def article_count(db: sqlite_utils.Database, filters: Filters) -> int:
    if rollups.answers(filters) and (totals := rollups.article_totals(db, filters)):
        return totals[0]
    where, params = article_where(filters)
    return db.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]


def article_detail(db: sqlite_utils.Database, article_id: str) -> dict | None:
    """One article with its text and every tag, dyad and posture event it carries."""
    found = list(fetch_rows(db, """
        SELECT a.id, a.title, a.text, a.url, a.published, a.language, a.outlet, a.author,
               a.offsite, so.name AS source, so.illustrative, so.affiliation
        FROM articles a JOIN sources so ON so.id = a.source_id WHERE a.id = ?
    """, [article_id]))
    if not found:
        return None
    article = found[0]
    article["evidence"] = list(fetch_rows(db, """
        SELECT 'tag' AS target, id, kind || ': ' || value AS what, NULL AS status, evidence,
               field, start, "end", rule, verdict FROM tags WHERE article_id = ?
        UNION ALL
        SELECT 'dyad', id, actor || ' – ' || partner, status, evidence, field, start, "end",
               rule, verdict FROM dyads WHERE article_id = ?
        UNION ALL
        SELECT 'posture', id, actor || ' in ' || country || ': ' || action
               || coalesce(' (' || coalesce(personnel, personnel_text) || ')', ''),
               status, evidence, field, start, "end", rule, verdict
        FROM posture WHERE article_id = ?
    """, [article_id] * 3))
    return article


def illustrative_share(db: sqlite_utils.Database) -> tuple[int, int] | None:
    """(illustrative articles, all articles) while no feed has brought an article and some
    article is illustrative sample data (the bundled demo, a synthetic corpus); else None.

    Seed folders do not end it: the bundled demo ships one real article beside its
    illustrative chronology. The first feed article does. Reads indexes and the small
    sources table only, so it stays instant at a million articles."""
    feeds = [row[0] for row in db.execute("SELECT id FROM sources WHERE kind = 'feed'")]
    marks = ", ".join("?" * len(feeds))
    if feeds and (db.execute(f"SELECT 1 FROM articles WHERE source_id IN ({marks}) LIMIT 1",
                             feeds).fetchone()
                  or db.execute(f"SELECT 1 FROM article_sources WHERE source_id IN ({marks})"
                                " LIMIT 1", feeds).fetchone()):
        return None
    illustrative = db.execute(
        "SELECT count(*) FROM articles WHERE source_id IN"
        " (SELECT id FROM sources WHERE illustrative = 1)").fetchone()[0]
    if not illustrative:
        return None
    return illustrative, db.execute("SELECT count(*) FROM articles").fetchone()[0]


def source_health(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """Every source with its polling health and how many filtered articles it contributed."""
    where, params = article_where(filters)
    counted = f"""
            SELECT s.source_id, count(*) AS articles
            FROM articles a JOIN article_sources s ON s.article_id = a.id
            WHERE {where} GROUP BY s.source_id"""
    if rollups.answers(filters) and not (filters.actors or filters.partners):
        where, params = rollups.where(filters)
        counted = (f"SELECT source_id, sum(links) AS articles FROM rollup_carried"
                   f" WHERE {where} GROUP BY source_id")
    return list(fetch_rows(db, f"""
        SELECT so.id, so.name, so.kind, so.url, so.language, so.affiliation,
               so.illustrative, so.paused, so.malformed, so.consecutive_failures,
               so.last_success_at, so.last_error, so.last_error_at, so.last_polled_at,
               so.files_read, so.files_failed, so.removed_at,
               coalesce(counted.articles, 0) AS articles
        FROM sources so LEFT JOIN ({counted}) counted ON counted.source_id = so.id
        ORDER BY articles DESC, so.name
    """, params))


def table_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Row counts of the main tables, and how many articles could not be tagged."""
    counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("sources", "articles", "tags", "dyads", "posture", "corrections")}
    counts["untagged"] = db.execute(
        "SELECT count(*) FROM articles WHERE untagged_reason IS NOT NULL").fetchone()[0]
    return counts


def older_taggers(db: sqlite_utils.Database, installed: str) -> list[str]:
    """Tagger versions other than ``installed`` whose tags may still be stored: those of runs
    after the last complete retag by ``installed`` ('unknown' for runs from before migration
    7). A finished ingest that stored nothing left no tags. Empty: every tag is current.

    Read from the runs table, so it costs nothing on a million articles."""
    last_retag = db.execute(
        "SELECT max(id) FROM runs WHERE kind = 'retag' AND status = 'ok' AND tagger_version = ?",
        [installed]).fetchone()[0] or 0
    return [row[0] for row in db.execute("""
        SELECT DISTINCT coalesce(tagger_version, 'unknown') FROM runs
        WHERE id > ? AND tagger_version IS NOT ?
          AND (kind = 'retag' OR finished_at IS NULL OR new + updated > 0)
        ORDER BY 1
    """, [last_retag, installed])]


def recent_runs(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    return list(fetch_rows(db, f"""
        SELECT id, kind, started_at, finished_at, status, feeds_polled, new, updated,
               unchanged, duplicate, failed, errors
        FROM runs ORDER BY id DESC LIMIT {int(limit)}
    """, []))


def correction_history(db: sqlite_utils.Database, limit: int = 200) -> list[dict]:
    """Corrections newest first, with the article they concern: what each changed, and the
    undo that took it back (``undone_by``), if any."""
    return list(fetch_rows(db, f"""
        SELECT c.id, c.created_at, c.analyst, c.target, c.kind, c.key, c.verdict, c.changes,
               c.undoes, (SELECT u.id FROM corrections u WHERE u.undoes = c.id) AS undone_by,
               c.note, c.article_id, a.title
        FROM corrections c LEFT JOIN articles a ON a.id = c.article_id
        ORDER BY c.id DESC LIMIT {int(limit)}
    """, []))


def rejected_rows(db: sqlite_utils.Database, target: str, limit: int = 200) -> list[dict]:
    """Rows an analyst rejected (hidden everywhere else), so a rejection can be reversed; a
    posture event with its own date, as the posture tables show it."""
    table = TARGET_TABLES[target]
    return list(fetch_rows(db, f"""
        SELECT r.id, r.key, r.evidence, r.article_id, a.title, a.published,
               {'r.date' if table == 'posture' else 'NULL'} AS date
        FROM {table} r JOIN articles a ON a.id = r.article_id
        WHERE r.verdict = 'rejected' ORDER BY a.published DESC LIMIT {int(limit)}
    """, []))


def freshness(db: sqlite_utils.Database) -> dict:
    """How current the database is: its newest article and its last finished ingest run."""
    latest = db.execute("SELECT max(published) FROM articles").fetchone()[0]
    run = db.execute("SELECT max(finished_at) FROM runs WHERE status = 'ok'"
                     " AND kind != 'retag'").fetchone()[0]
    return {"latest_article": latest, "last_ingest": run}


def cited_counts(db: sqlite_utils.Database, filters: Filters) -> dict[str, int]:
    """Matching articles and the outlets that published them (a seed folder or an aggregator
    feed is one source but carries many outlets)."""
    where, params = article_where(filters)
    articles, sources, outlets = db.execute(
        "SELECT count(*), count(DISTINCT a.source_id),"
        " count(DISTINCT coalesce(nullif(a.outlet, ''), a.source_id))"
        f" FROM articles a WHERE {where}", params).fetchone()
    return {"articles": articles, "sources": sources, "outlets": outlets}


def event_force_levels(db: sqlite_utils.Database, filters: Filters, actor: str,
                       country: str) -> list[dict]:
    """``force_levels`` counting events, not articles: forty reports of one deployment add
    its figure once. Each event steps the level on its first reported date; where its sources
    disagree on the figure, ``level`` follows the median figure and ``low`` and ``high`` the
    smallest and largest, so a chart can show the spread instead of picking one source."""
    narrowed = replace(facts(filters), actors=(actor,), partners=(country,))
    return _event_levels(_event_steps(db, narrowed).get((actor, country), []))


def _event_levels(steps: list[tuple]) -> list[dict]:
    """The level series of one pair's event steps: the median figure's, with low and high."""
    series = {name: {p["date"]: p["level"] for p in step_levels(_median(steps, pick))}
              for name, pick in (("low", 0), ("level", 1), ("high", 2))}
    return thin([{"date": day, "level": level, "low": series["low"].get(day),
                  "high": series["high"].get(day)} for day, level in series["level"].items()])


def _event_steps(db: sqlite_utils.Database, filters: Filters,
                 events: set[int] | None = None,
                 from_day: str | None = None) -> dict[tuple[str, str], list[tuple]]:
    """Each event's step (``_event_step``) by force and country, in date order; its
    statements in the order they were stored, so an event's action is its first statement's.
    ``events`` and ``from_day``: only those events, whose statements are all of that day or
    after."""
    where, params = evidence_where(filters, "p", "actor", "country", None)
    if from_day:
        where += " AND p.date >= ?"
        params.append(from_day)
    grouped: dict[tuple, list[tuple[str, str, int | None, bool]]] = defaultdict(list)
    for actor, country, event_id, *row in db.execute(f"""
        SELECT p.actor, p.country, coalesce(p.event_id, -p.id), substr(p.date, 1, 10),
               p.action, p.personnel, p.rule LIKE ?
        FROM {_posture_rows(filters)}
        WHERE {where} AND p.date IS NOT NULL ORDER BY +p.id
    """, [f"%{ALL_LEFT}%", *params]):
        if events is None or event_id in events:
            grouped[(actor, country, event_id)].append(tuple(row))
    steps: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for (actor, country, _), rows in grouped.items():
        steps[(actor, country)].append(_event_step(rows))
    return {pair: sorted(found, key=lambda step: step[0]) for pair, found in steps.items()}


def _event_step(rows: list[tuple[str, str, int | None, bool]]) -> tuple:
    """(first date, action, (low, median, high) or None, any "last troops left") of an
    event's statements."""
    figures = sorted(p for _, _, p, _ in rows if p is not None)
    spread = (figures[0], figures[(len(figures) - 1) // 2], figures[-1]) if figures else None
    return (min(day for day, _, _, _ in rows), rows[0][1], spread,
            any(all_left for *_, all_left in rows))


def _median(steps: list[tuple], pick: int = 1) -> Iterable[tuple[str, str, int | None, bool]]:
    """Event steps as ``step_levels`` reads them, with the low (0), median (1) or high (2)
    figure of each."""
    return ((day, action, figures[pick] if figures else None, all_left)
            for day, action, figures, all_left in steps)


def posture_event_pairs(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """``posture_pairs`` counting events: actor x country pairs, most events first."""
    where, params = evidence_where(filters, "p", "actor", "country", None)
    return list(fetch_rows(db, f"""
        SELECT p.actor, p.country,
               count(DISTINCT coalesce(p.event_id, -p.id)) AS events
        FROM {_posture_rows(filters)}
        WHERE {where} GROUP BY p.actor, p.country ORDER BY events DESC, p.actor, p.country
    """, params))


def event_count(db: sqlite_utils.Database, filters: Filters) -> int:
    """How many events match the filters (the Overview headline when counting events)."""
    if rollups.counts_events(db, filters):
        where, params = rollups.event_where(db, filters, actor="actor", partner="country")
        return db.execute(f"SELECT coalesce(sum(events), 0) FROM rollup_events WHERE {where}",
                          params).fetchone()[0]
    where, params = event_where(filters)
    return db.execute(f"SELECT count(*) FROM events e WHERE {where}", params).fetchone()[0]


def pair_months(db: sqlite_utils.Database, filters: Filters,
                pairs: tuple[tuple[str, str], ...]) -> list[dict]:
    """Articles (or ``filters.unit``) per month reporting each of ``pairs`` (actor, partner):
    the Overview's timeline of the most active partnerships. Months sum to the matrix's
    counts."""
    if not pairs:
        return []
    listed = ", ".join("(?, ?)" for _ in pairs)
    if rollups.counts(filters):
        where, params = rollups.where(facts(filters), actor="actor", partner="partner",
                                      status=True)
        rows = list(fetch_rows(db, f"""
            SELECT month, actor, partner, sum(articles) AS articles FROM rollup_dyads
            WHERE month != '' AND {where} AND (actor, partner) IN (VALUES {listed})
            GROUP BY month, actor, partner HAVING sum(articles) > 0
            ORDER BY month, actor, partner
        """, [*params, *(name for pair in pairs for name in pair)]))
        if filters.unit == "stories":
            copies = _dyad_copies(db, facts(filters),
                                  "substr(a.published, 1, 7), d.actor, d.partner")
            for row in rows:
                row["articles"] -= copies.get((row["month"], row["actor"], row["partner"]), 0)
        return rows
    if rollups.counts_events(db, filters):
        where, params = rollups.event_where(db, facts(filters), actor="actor",
                                            partner="partner")
        return list(fetch_rows(db, f"""
            SELECT month, actor, partner, sum(events) AS articles FROM rollup_event_dyads
            WHERE month != '' AND {where} AND (actor, partner) IN (VALUES {listed})
            GROUP BY month, actor, partner HAVING sum(events) > 0
            ORDER BY month, actor, partner
        """, [*params, *(name for pair in pairs for name in pair)]))
    where, params = evidence_where(facts(filters), "d", "actor", "partner", "themes")
    join, count = unit_count(filters, "d.article_id", "d")
    return list(fetch_rows(db, f"""
        SELECT substr(a.published, 1, 7) AS month, d.actor, d.partner, {count} AS articles
        FROM dyads d JOIN articles a ON a.id = d.article_id{join}
        WHERE {where} AND a.published IS NOT NULL AND (d.actor, d.partner) IN (VALUES {listed})
        GROUP BY month, d.actor, d.partner ORDER BY month, d.actor, d.partner
    """, [*params, *(name for pair in pairs for name in pair)]))


def first_sightings(db: sqlite_utils.Database, pairs: tuple[tuple[str, str], ...],
                    limit: int = 10) -> list[dict]:
    """The pairs among ``pairs`` first reported most recently, anywhere in the database, each
    with the statement that first reported it: "newly seen" needs no period. One index
    lookup per pair (``dyads_pair``), so it costs the same at a million articles."""
    if not pairs:
        return []
    listed = ", ".join("(?, ?)" for _ in pairs)
    return list(fetch_rows(db, f"""
        WITH pairs(actor, partner) AS (VALUES {listed})
        SELECT d.actor, d.partner, substr(d.published, 1, 10) AS first_seen,
               (SELECT group_concat(value, '; ') FROM json_each(d.themes)) AS themes,
               d.evidence, so.name AS source, a.title, a.url, d.article_id
        FROM pairs p JOIN dyads d ON d.id = (
                 SELECT e.id FROM dyads e
                 WHERE e.actor = p.actor AND e.partner = p.partner AND e.status = 'reported'
                   AND e.verdict IS NOT 'rejected' AND e.published IS NOT NULL
                 ORDER BY e.published, e.id LIMIT 1)
             JOIN articles a ON a.id = d.article_id JOIN sources so ON so.id = a.source_id
        ORDER BY d.published DESC, d.actor, d.partner LIMIT {int(limit)}
    """, [name for pair in pairs for name in pair]))


def final_levels(db: sqlite_utils.Database, filters: Filters) -> dict[tuple[str, str], dict]:
    """The last point of ``force_levels`` for every force and country at once, by
    ``(actor, country)``, in the same unit: what the latest-posture table and the presence map
    show as the reported force, so they agree with the level chart."""
    if rollups.answers(filters):
        return _final_levels_since_reset(db, facts(filters))
    if filters.unit == "events":
        pairs = {pair: step_levels(_median(steps))
                 for pair, steps in _event_steps(db, facts(filters)).items()}
    else:
        pairs = {pair: step_levels(row[2:] for row in rows) for pair, rows in groupby(
            _level_steps(db, facts(filters)), key=lambda row: (row[0], row[1]))}
    return {pair: levels[-1] for pair, levels in pairs.items() if levels}


# A dated statement after which the level no longer depends on what came before: a presence
# with its figure, or the last troops leaving (``step_levels``).
RESET = ("((p.action = 'present' AND p.personnel IS NOT NULL)"
         " OR (p.action = 'withdraw' AND p.rule LIKE ?))")


def _final_levels_since_reset(db: sqlite_utils.Database,
                              filters: Filters) -> dict[tuple[str, str], dict]:
    """``final_levels`` over all dates without reading all of them: for each force and country
    (from the rollups), the day of its latest reset (one probe from the newest end of the
    posture_actor_country index), then ``step_levels`` over that day and after. The whole
    reset day is read, so what was said before the reset that day counts as before."""
    where, params = rollups.where(filters, actor="actor", partner="country", status=True)
    pairs = db.execute(f"SELECT actor, country FROM rollup_posture WHERE {where}"
                       " GROUP BY actor, country HAVING sum(events) > 0 ORDER BY actor, country",
                       params).fetchall()
    found = {}
    for actor, country in pairs:
        pair = replace(filters, actors=(actor,), partners=(country,))
        where, params = evidence_where(pair, "p", "actor", "country", None)
        if filters.unit == "events":
            levels = step_levels(_median(_event_steps_since_reset(db, pair, where, params)
                                         .get((actor, country), [])))
        else:
            day = db.execute(f"""
                SELECT substr(p.date, 1, 10) FROM {_posture_rows(pair, "posture_pair_cover")}
                WHERE {where} AND p.date IS NOT NULL AND {RESET}
                ORDER BY p.date DESC LIMIT 1""", [*params, f"%{ALL_LEFT}%"]).fetchone()
            levels = step_levels(row[2:] for row in _level_steps(db, pair,
                                                                 day[0] if day else None))
        if levels:
            found[actor, country] = levels[-1]
    return found


def _event_steps_since_reset(db: sqlite_utils.Database, pair: Filters, where: str,
                             params: list) -> dict[tuple[str, str], list[tuple]]:
    """``_event_steps`` of one force and country from its latest resetting event on: one whose
    statements are all presences with a figure among them, or all withdrawals with the last
    troops leaving among them. Its first day comes from the SQL; only later events are read."""
    events, reset_day = {}, None
    for event_id, day, resets in db.execute(f"""
        SELECT coalesce(p.event_id, -p.id), min(substr(p.date, 1, 10)),
               min(p.action) = max(p.action) AND (
                   (min(p.action) = 'present' AND max(p.personnel) IS NOT NULL)
                   OR (min(p.action) = 'withdraw' AND max(p.rule LIKE ?)))
        FROM {_posture_rows(pair, "posture_pair_cover")}
        WHERE {where} AND p.date IS NOT NULL GROUP BY 1
    """, [f"%{ALL_LEFT}%", *params]):
        events[event_id] = day
        if resets and (reset_day is None or day > reset_day):
            reset_day = day
    if reset_day is None:
        return _event_steps(db, pair)
    return _event_steps(db, pair, {event for event, day in events.items() if day >= reset_day},
                        reset_day)


def latest_known(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """``latest_posture`` with the reported force after it (``level``, None where no figure
    was ever reported): the latest-posture table and the Overview's presence map."""
    levels = final_levels(db, filters)
    rows = latest_posture(db, filters)
    for row in rows:
        row["level"] = levels.get((row["actor"], row["country"]), {}).get("level")
    return rows


def carried(levels: list[dict], day: str | None) -> list[dict]:
    """The level series carried on to ``day`` (the latest reported event, which may carry no
    figure), so the chart's last point is the table's date and figure."""
    if not levels or not day or day <= levels[-1]["date"]:
        return levels
    return [*levels, {"date": day, "level": levels[-1]["level"]}]
