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

from ingest.corrections import TARGET_TABLES
from ingest.queries import Filters, article_where, evidence_where, fetch_rows
from ingest.tagger.posture import ALL_LEFT

TOP_THEMES = 3
MAX_STEPS = 1_000


def facts(filters: Filters) -> Filters:
    """The filters narrowed to reported statements (see ``Filters.facts_only``)."""
    return filters.facts_only()


def previous_period(filters: Filters) -> Filters | None:
    """The period of equal length just before the filtered one, for "what changed"."""
    if not (filters.since and filters.until):
        return None
    length = filters.until - filters.since + timedelta(days=1)
    return replace(filters, since=filters.since - length, until=filters.since - timedelta(days=1))


def filter_options(db: sqlite_utils.Database) -> dict[str, list]:
    """What the sidebar offers: values actually present, so no filter can match nothing."""
    def values(kind: str) -> list[str]:
        return [row[0] for row in db.execute(
            "SELECT DISTINCT value FROM tags WHERE kind = ? ORDER BY value", [kind])]

    first, last = db.execute("SELECT min(published), max(published) FROM articles").fetchone()
    return {
        "actors": values("actor"), "partners": values("partner"), "themes": values("theme"),
        "languages": [row[0] for row in db.execute(
            "SELECT DISTINCT language FROM articles WHERE language IS NOT NULL ORDER BY 1")],
        "sources": [dict(zip(("id", "name"), row, strict=True)) for row in db.execute(
            "SELECT id, name FROM sources ORDER BY name")],
        "first": first, "last": last,
    }


def overview_counts(db: sqlite_utils.Database, filters: Filters) -> dict[str, int]:
    """Headline numbers for the period: articles, sources, actors, partners, dyads."""
    where, params = article_where(filters)
    articles, sources = db.execute(
        f"SELECT count(*), count(DISTINCT a.source_id) FROM articles a WHERE {where}", params
    ).fetchone()
    where, params = evidence_where(facts(filters), "d", "actor", "partner", "themes")
    actors, partners, dyads = db.execute(
        "SELECT count(DISTINCT d.actor), count(DISTINCT d.partner), count(*)"
        f" FROM dyads d JOIN articles a ON a.id = d.article_id WHERE {where}", params
    ).fetchone()
    return {"articles": articles, "sources": sources, "actors": actors,
            "partners": partners, "dyads": dyads}


def matrix(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """Actor x partner cells: articles reporting the pair, first and last date, top themes."""
    where, params = evidence_where(facts(filters), "d", "actor", "partner", "themes")
    cells = list(fetch_rows(db, f"""
        SELECT d.actor, d.partner, count(DISTINCT d.article_id) AS articles,
               substr(min(a.published), 1, 10) AS first, substr(max(a.published), 1, 10) AS last
        FROM dyads d JOIN articles a ON a.id = d.article_id
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
    for cell in cells:
        counted = themes[cell["actor"], cell["partner"]].items()
        top = sorted(counted, key=lambda item: (-item[1], item[0]))[:TOP_THEMES]  # ties: a-z
        cell["themes"] = ", ".join(f"{theme} ({count})" for theme, count in top)
    return cells


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
    """Articles per actor per month (``substr(published, 1, 7)``: the index does the work)."""
    where, params = article_where(filters)
    narrow = ""
    if filters.actors:
        narrow = f" AND t.value IN ({', '.join('?' * len(filters.actors))})"
        params += list(filters.actors)
    return list(fetch_rows(db, f"""
        SELECT substr(a.published, 1, 7) AS month, t.value AS actor, count(*) AS articles
        FROM articles a JOIN tags t ON t.article_id = a.id AND t.kind = 'actor'
             AND t.verdict IS NOT 'rejected'
        WHERE {where} AND a.published IS NOT NULL{narrow}
        GROUP BY month, actor ORDER BY month, actor
    """, params))


def status_counts(db: sqlite_utils.Database, filters: Filters) -> dict[str, int]:
    """Dyads per status: what the counts leave out (planned, denied, hedged) is shown apart."""
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
    where, params = evidence_where(replace(filters, statuses=aside), "d", "actor", "partner",
                                   "themes")
    return list(fetch_rows(db, f"""
        SELECT d.actor, d.partner, count(*) AS statements
        FROM dyads d JOIN articles a ON a.id = d.article_id
        WHERE {where} GROUP BY d.actor, d.partner
    """, params))


def posture_pairs(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """Actor x country pairs with posture events, most documented first."""
    where, params = evidence_where(filters, "p", "actor", "country", None)
    return list(fetch_rows(db, f"""
        SELECT p.actor, p.country, count(*) AS events
        FROM posture p JOIN articles a ON a.id = p.article_id
        WHERE {where} GROUP BY p.actor, p.country ORDER BY events DESC, p.actor, p.country
    """, params))


def latest_posture(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """The latest reported posture event per actor x country, with its date and source. On one
    day, the last troops leaving outrank anything else said that day, and a stock without a
    figure comes last: the table agrees with the force level."""
    where, params = evidence_where(facts(filters), "p", "actor", "country", None)
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
    """The reported force of ``actor`` in ``country`` over time, one point per dated change."""
    narrowed = replace(facts(filters), actors=(actor,), partners=(country,))
    where, params = evidence_where(narrowed, "p", "actor", "country", None)
    cursor = db.execute(f"""
        SELECT substr(p.date, 1, 10), p.action, p.personnel, p.rule LIKE ?
        FROM posture p JOIN articles a ON a.id = p.article_id
        WHERE {where} AND p.date IS NOT NULL ORDER BY p.date, p.id
    """, [f"%{ALL_LEFT}%", *params])
    return thin(step_levels(cursor))


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
    """Named places where foreign forces are reported, with how often and how recently."""
    where, params = evidence_where(facts(filters), "p", "actor", "country", None)
    return list(fetch_rows(db, f"""
        SELECT p.place, p.actor, p.country, count(*) AS events,
               substr(max(p.date), 1, 10) AS last
        FROM posture p JOIN articles a ON a.id = p.article_id
        WHERE {where} AND p.place IS NOT NULL AND p.place != ''
        GROUP BY p.place, p.actor, p.country ORDER BY events DESC LIMIT {int(limit)}
    """, params))


def article_count(db: sqlite_utils.Database, filters: Filters) -> int:
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
    return list(fetch_rows(db, f"""
        SELECT so.id, so.name, so.kind, so.url, so.language, so.affiliation,
               so.illustrative, so.paused, so.malformed, so.consecutive_failures,
               so.last_success_at, so.last_error, so.last_error_at, so.last_polled_at,
               so.files_read, so.files_failed, so.removed_at,
               coalesce(counted.articles, 0) AS articles
        FROM sources so LEFT JOIN (
            SELECT s.source_id, count(*) AS articles
            FROM articles a JOIN article_sources s ON s.article_id = a.id
            WHERE {where} GROUP BY s.source_id
        ) counted ON counted.source_id = so.id
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


def pair_months(db: sqlite_utils.Database, filters: Filters,
                pairs: tuple[tuple[str, str], ...]) -> list[dict]:
    """Articles per month reporting each of ``pairs`` (actor, partner): the Overview's
    timeline of the most active partnerships. Months sum to the matrix's counts."""
    if not pairs:
        return []
    where, params = evidence_where(facts(filters), "d", "actor", "partner", "themes")
    listed = ", ".join("(?, ?)" for _ in pairs)
    return list(fetch_rows(db, f"""
        SELECT substr(a.published, 1, 7) AS month, d.actor, d.partner,
               count(DISTINCT d.article_id) AS articles
        FROM dyads d JOIN articles a ON a.id = d.article_id
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
    ``(actor, country)``: what the latest-posture table and the presence map show as the
    reported force, so they agree with the level chart."""
    where, params = evidence_where(facts(filters), "p", "actor", "country", None)
    # Only events with a figure or the last troops leaving can move a level (step_levels
    # skips the others): reading just those halves the rows.
    cursor = db.execute(f"""
        SELECT p.actor, p.country, substr(p.date, 1, 10), p.action, p.personnel, p.rule LIKE ?
        FROM posture p JOIN articles a ON a.id = p.article_id
        WHERE {where} AND p.date IS NOT NULL AND (p.personnel IS NOT NULL OR p.rule LIKE ?)
        ORDER BY p.actor, p.country, p.date, p.id
    """, [f"%{ALL_LEFT}%", *params, f"%{ALL_LEFT}%"])
    found = {}
    for pair, rows in groupby(cursor, key=lambda row: (row[0], row[1])):
        steps = step_levels(row[2:] for row in rows)
        if steps:
            found[pair] = steps[-1]
    return found


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
