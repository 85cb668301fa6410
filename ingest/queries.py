"""Read queries shared by the CLI export and the dashboard: one filter, one meaning everywhere.

Every function takes a ``Filters`` and returns plain dict rows (or yields them, for exports of
any size). Rows an analyst rejected in the Review page never come back.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

import sqlite_utils

STATUSES = ("reported", "planned", "denied", "hedged")
# What counts and charts count: articles, stories (every copy of one report once, see
# ingest/stories.py) or events (one happening, however many reports; ingest/events.py).
UNITS = ("articles", "stories", "events")


class QueryError(ValueError):
    """A filter or search the database cannot run; the message is fit to show as is."""


@dataclass(frozen=True)
class Filters:
    """What the analyst narrowed the view to. Empty tuples mean "any"."""

    since: date | None = None
    until: date | None = None           # inclusive
    actors: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sources: tuple[int, ...] = ()
    affiliated: bool | None = None      # True: carried by state media; False: by independents
    statuses: tuple[str, ...] = STATUSES  # for dyads and posture; drop denied/hedged for facts
    query: str | None = None            # FTS5 full-text query over title and text
    unit: str = "articles"              # what aggregates count: one of UNITS

    def facts_only(self) -> Filters:
        """Reported statements only, or nothing if the analyst hid those."""
        return replace(self, statuses=("reported",) if "reported" in self.statuses else ())


def article_where(filters: Filters, alias: str = "a", *,
                  correlated: bool = False) -> tuple[str, list]:
    """SQL conditions on an articles row ``alias`` for the article-level filters.
    ``correlated``: tag and search filters as lookups of this one article, for conditions
    inside a correlated subquery (SQLite built an IN list there again for every outer row:
    four minutes for a partner's stories at a million articles)."""
    clauses: list[str] = []
    params: list = []
    if filters.since:
        clauses.append(f"{alias}.published >= ?")
        params.append(filters.since.isoformat())
    if filters.until:
        clauses.append(f"{alias}.published < ?")
        params.append((filters.until + timedelta(days=1)).isoformat())
    for kind, values in (("actor", filters.actors), ("partner", filters.partners),
                         ("theme", filters.themes)):
        if values and correlated:
            clauses.append(
                f"EXISTS (SELECT 1 FROM tags t INDEXED BY tags_article_kind"
                f" WHERE t.article_id = {alias}.id AND t.kind = ?"
                f" AND t.value IN ({_marks(values)}) AND t.verdict IS NOT 'rejected')"
            )
            params += [kind, *values]
        elif values:
            # An IN list rather than a correlated EXISTS: SQLite can then start from the
            # tags(kind, value, ...) index instead of testing every article in the window.
            clauses.append(
                f"{alias}.id IN (SELECT t.article_id FROM tags t WHERE t.kind = ?"
                f" AND t.value IN ({_marks(values)}) AND t.verdict IS NOT 'rejected')"
            )
            params += [kind, *values]
    if filters.languages:
        clauses.append(f"{alias}.language IN ({_marks(filters.languages)})")
        params += list(filters.languages)
    if filters.sources:
        clauses.append(
            f"EXISTS (SELECT 1 FROM article_sources s WHERE s.article_id = {alias}.id"
            f" AND s.source_id IN ({_marks(filters.sources)}))"
        )
        params += list(filters.sources)
    if filters.affiliated is not None:
        # Which sources carried the article, either way: a story an independent outlet
        # carried stays under "Exclude state-affiliated" even if state media copied it.
        clauses.append(
            f"EXISTS (SELECT 1 FROM article_sources s JOIN sources so ON so.id = s.source_id"
            f" WHERE s.article_id = {alias}.id AND so.affiliation IS"
            f"{' NOT' if filters.affiliated else ''} NULL)"
        )
    if filters.query:
        clauses.append(
            f"EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ?"
            f" AND rowid = {alias}.rowid)" if correlated else
            f"{alias}.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
        )
        params.append(filters.query)
    return " AND ".join(clauses) or "1", params


def listing_where(filters: Filters, matching: Filters | None = None) -> tuple[str, list]:
    """``article_where`` for a list of articles; counting stories, one row per story: the
    first of its articles that matches ``matching`` (default ``filters``), its copies
    collapsed under it (the Articles page shows them when it is opened)."""
    where, params = article_where(filters)
    if filters.unit == "articles":
        return where, params
    earlier, earlier_params = article_where(matching or filters, "b", correlated=True)
    return (
        f"{where} AND NOT EXISTS (SELECT 1 FROM story_articles x JOIN story_articles y"
        " ON y.story_id = x.story_id AND y.article_id != x.article_id"
        " JOIN articles b ON b.id = y.article_id"
        f" WHERE x.article_id = a.id AND b.rowid < a.rowid AND {earlier})",
        params + earlier_params,
    )


def check_query(db: sqlite_utils.Database, query: str | None) -> None:
    """Raise ``QueryError`` with a readable message if FTS5 cannot parse ``query``."""
    if not query:
        return
    try:
        db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1", [query])
    except sqlite3.OperationalError as exc:
        raise QueryError(
            f"cannot search for {query!r}: {exc}. Put phrases in double quotes, "
            "e.g. \"Africa Corps\", and use AND, OR, NOT between words."
        ) from None


def search_query(db: sqlite_utils.Database, typed: str) -> tuple[str, bool]:
    """What to search for when an analyst types ``typed``, and whether its words were quoted.

    FTS5 syntax is kept when FTS5 can run it (phrases, AND/OR/NOT, prefixes, ``title:``).
    Otherwise every word is searched as a plain term: "C-130", "Africa-Corps" and
    "Côte d'Ivoire" are names to find, not broken syntax to refuse.
    """
    try:
        check_query(db, typed)
        return typed, False
    except QueryError:
        quoted = " ".join('"' + word.replace('"', '""') + '"' for word in typed.split())
        check_query(db, quoted)
        return quoted, True


def _marks(values) -> str:
    return ", ".join("?" * len(values))


def fetch_rows(db: sqlite_utils.Database, sql: str, params: list) -> Iterator[dict]:
    cursor = db.execute(sql, params)
    names = [column[0] for column in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def evidence_where(filters: Filters, alias: str, actor_col: str, partner_col: str,
                    theme_json: str | None) -> tuple[str, list]:
    """Filters on a dyad or posture row, on top of the article-level ones.

    Actor, partner and theme filters apply to the row itself, not to the article's tags: a
    France–Mali dyad stays countable even if an analyst rejected the article's Mali tag.
    """
    row_level = {"actors": (), "partners": ()} | ({"themes": ()} if theme_json else {})
    where, params = article_where(replace(filters, **row_level))
    clauses = [where, f"{alias}.verdict IS NOT 'rejected'",
               f"{alias}.status IN ({_marks(filters.statuses)})"]
    params += list(filters.statuses)
    if filters.actors:
        clauses.append(f"{alias}.{actor_col} IN ({_marks(filters.actors)})")
        params += list(filters.actors)
    if filters.partners:
        clauses.append(f"{alias}.{partner_col} IN ({_marks(filters.partners)})")
        params += list(filters.partners)
    if filters.themes and theme_json:
        clauses.append(
            f"EXISTS (SELECT 1 FROM json_each({alias}.{theme_json}) j"
            f" WHERE j.value IN ({_marks(filters.themes)}))"
        )
        params += list(filters.themes)
    return " AND ".join(clauses), params


COUNT_CAP = 10_000   # a search's count is exact up to here; beyond, "more than 10,000"
WALK_DEPTH = 250     # a broad search's first pages (offset + limit) are found by walking...
WALK_FACTOR = 10     # ...at most this many times as many newest articles as the page needs


def _row_columns() -> str:
    """An article's columns on the Articles page, its tag lists included."""
    return f"""
        a.id AS article_id, a.published, a.published_inferred, a.title, a.url,
        (SELECT count(*) FROM story_articles x JOIN story_articles y ON y.story_id = x.story_id
         WHERE x.article_id = a.id AND y.article_id != a.id) AS copies,
        so.name AS source, a.outlet, a.language, a.untagged_reason, a.offsite,
        {_tag_list('actor')} AS actors, {_tag_list('partner')} AS partners,
        {_tag_list('theme')} AS themes
    """


def articles(db: sqlite_utils.Database, filters: Filters, *, limit: int | None = None,
             offset: int = 0) -> Iterator[dict]:
    """Articles, newest first, with their tags gathered into readable lists: every match, in
    full (exports stream this). The Articles page asks ``article_page``.

    The page is chosen first, from the ``articles_window`` index walked newest first (a
    broad search or filter fills a page within its first rows), and only the rows shown get
    their source and tag lists: computing those for every match before ``LIMIT`` took 20-40 s
    for a search of ``the`` on 100k articles (docs/benchmarks.md).
    """
    check_query(db, filters.query)
    where, params = listing_where(filters)
    sql = f"""
        SELECT {_row_columns()}
        FROM (SELECT a.rowid AS page_row FROM articles a INDEXED BY articles_window
              WHERE {where} ORDER BY a.published DESC, a.id LIMIT ? OFFSET ?) page
             JOIN articles a ON a.rowid = page.page_row JOIN sources so ON so.id = a.source_id
        ORDER BY a.published DESC, a.id
    """
    return fetch_rows(db, sql, [*params, -1 if limit is None else limit, offset])


@dataclass(frozen=True)
class Page:
    """One page of the Articles list and how many articles match in all."""

    total: int          # exact, unless ``more``
    more: bool          # counting stopped: more than ``total`` articles match
    rows: list[dict]


def article_page(db: sqlite_utils.Database, filters: Filters, *, limit: int = 50,
                 offset: int = 0, cap: int | None = None) -> Page:
    """The rows ``articles`` would give from ``offset`` on, and the number of matches, exact
    up to ``cap``: counting every match of a broad search costs a second at 1M articles.

    A search reads FTS5 in one of three ways (docs/benchmarks.md): a prefix search once,
    into a temporary table (FTS5 rebuilds a prefix's doclist on every query, so it must not
    be asked per article); a broad search is counted to ``cap`` and its page found by testing
    the newest articles one by one; a narrow one is counted and paged from the set of matches.
    """
    cap = COUNT_CAP if cap is None else cap
    if not filters.query:
        return Page(_count(db, filters), False, list(articles(db, filters, limit=limit,
                                                              offset=offset)))
    if is_prefix_search(filters.query):  # checked as it is read: one more reading costs
        return _page_from_hits(db, filters, limit, offset)
    check_query(db, filters.query)
    total = _capped_count(db, filters, cap)
    if total > cap:
        rowids = _walk(db, filters, limit, offset)
        if rowids is not None:
            return Page(cap, True, _rows_of(db, rowids))
    return Page(min(total, cap), total > cap,
                list(articles(db, filters, limit=limit, offset=offset)))


def is_prefix_search(query: str) -> bool:
    """Whether an FTS5 query holds a prefix (``a*``, ``"Africa Co"*``): a ``*`` outside quotes."""
    return "*" in re.sub(r'"(?:[^"]|"")*"', "", query)


def _count(db: sqlite_utils.Database, filters: Filters) -> int:
    where, params = listing_where(filters)
    return db.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]


def _capped_count(db: sqlite_utils.Database, filters: Filters, cap: int) -> int:
    """Matches of a search, counted to ``cap + 1`` at most, read from FTS5 in rowid order (it
    streams them; ``rowid IN (...)`` would first gather every match)."""
    where, params = listing_where(replace(filters, query=None), filters)
    join = "" if where == "1" else " CROSS JOIN articles a ON a.rowid = articles_fts.rowid"
    return db.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM articles_fts{join}"
        f" WHERE articles_fts MATCH ? AND {where} LIMIT ?)",
        [filters.query, *params, cap + 1],
    ).fetchone()[0]


def _walk(db: sqlite_utils.Database, filters: Filters, limit: int,
          offset: int) -> list[int] | None:
    """The page's rowids, found by testing the newest articles that pass the other filters
    against the search one at a time (FTS5 seeks to each rowid). None when the page is deep or
    the matches too sparse to fill it within ``WALK_FACTOR`` times its depth: the set plan is
    then cheaper than so many probes."""
    wanted = offset + limit
    if wanted > WALK_DEPTH:
        return None
    where, params = listing_where(replace(filters, query=None), filters)
    candidates = db.execute(
        f"SELECT a.rowid FROM articles a INDEXED BY articles_window WHERE {where}"
        " ORDER BY a.published DESC, a.id LIMIT ?", [*params, WALK_FACTOR * wanted])
    probe = "SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?"
    found: list[int] = []
    for (rowid,) in candidates:
        if db.execute(probe, [filters.query, rowid]).fetchone():
            found.append(rowid)
            if len(found) == wanted:
                candidates.close()
                return found[offset:]
    return None


def _page_from_hits(db: sqlite_utils.Database, filters: Filters, limit: int,
                    offset: int) -> Page:
    """Count and page a search from one reading of FTS5, kept in a temporary table."""
    db.execute("CREATE TEMP TABLE search_hits (hit INTEGER PRIMARY KEY)")
    try:
        try:
            db.execute("INSERT INTO temp.search_hits SELECT rowid FROM articles_fts"
                       " WHERE articles_fts MATCH ?", [filters.query])
        except sqlite3.OperationalError:
            check_query(db, filters.query)  # says what is wrong with the search
            raise
        where, params = listing_where(replace(filters, query=None), filters)
        hits = "a.rowid IN temp.search_hits"
        total = (db.execute("SELECT count(*) FROM temp.search_hits").fetchone()[0]
                 if where == "1" else db.execute(
                     f"SELECT count(*) FROM articles a WHERE {hits} AND {where}",
                     params).fetchone()[0])
        rowids = [row[0] for row in db.execute(
            f"SELECT a.rowid FROM articles a INDEXED BY articles_window WHERE {hits}"
            f" AND {where} ORDER BY a.published DESC, a.id LIMIT ? OFFSET ?",
            [*params, limit, offset])]
        return Page(total, False, _rows_of(db, rowids))
    finally:
        db.execute("DROP TABLE temp.search_hits")


def _rows_of(db: sqlite_utils.Database, rowids: list[int]) -> list[dict]:
    """The page's rows with their source and tag lists, newest first."""
    return list(fetch_rows(db, f"""
        SELECT {_row_columns()} FROM articles a JOIN sources so ON so.id = a.source_id
        WHERE a.rowid IN ({_marks(rowids)}) ORDER BY a.published DESC, a.id
    """, rowids))


def _tag_list(kind: str) -> str:
    """One article's tags of ``kind``, a-z. The index is named: without statistics (``ANALYZE``
    never runs on an ingested database) SQLite chose ``tags(kind, ...)`` and read every tag of
    the kind for each article."""
    return (
        "(SELECT group_concat(value, '; ') FROM (SELECT value FROM tags t INDEXED BY"
        f" tags_article_kind WHERE t.article_id = a.id AND t.kind = '{kind}'"
        " AND t.verdict IS NOT 'rejected' ORDER BY value))"
    )


def tags(db: sqlite_utils.Database, filters: Filters, *,
         limit: int | None = None) -> Iterator[dict]:
    """Every tag of the matching articles, with its evidence sentence and the rule behind it."""
    check_query(db, filters.query)
    where, params = article_where(filters)
    sql = f"""
        SELECT t.id AS tag_id, a.published, a.title, a.url, t.kind, t.value, t.parent,
               t.evidence, t.rule, t.confidence, t.verdict, t.article_id
        FROM tags t JOIN articles a ON a.id = t.article_id
        WHERE {where} AND t.verdict IS NOT 'rejected'
        ORDER BY a.published DESC, t.article_id, t.kind, t.value
    """
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return fetch_rows(db, sql, params)


def partnerships(db: sqlite_utils.Database, filters: Filters, *,
                 limit: int | None = None) -> Iterator[dict]:
    """Actor–partner dyads with their themes, status, speaker and evidence."""
    check_query(db, filters.query)
    where, params = evidence_where(filters, "d", "actor", "partner", "themes")
    # The rows are chosen first, from covering indexes, then given their columns: asked for
    # the evidence and titles at once, SQLite started from the sources and sorted every dyad
    # (20 s for the newest 200 of a million articles' dyads; 0.05 s this way).
    order = "a.published DESC, d.article_id, d.actor, d.partner"
    sql = f"""
        SELECT d.id AS dyad_id, a.published, d.actor, d.partner,
               (SELECT group_concat(value, '; ') FROM json_each(d.themes)) AS themes,
               d.status, d.speaker, d.evidence, d.rule, d.verdict, a.title, a.url,
               so.name AS source, d.article_id
        FROM (SELECT d.id AS chosen FROM dyads d JOIN articles a ON a.id = d.article_id
              WHERE {where} ORDER BY {order} LIMIT {-1 if limit is None else int(limit)}) page
             JOIN dyads d ON d.id = page.chosen JOIN articles a ON a.id = d.article_id
             JOIN sources so ON so.id = a.source_id
        ORDER BY {order}
    """
    return fetch_rows(db, sql, params)


def posture(db: sqlite_utils.Database, filters: Filters, *,
            limit: int | None = None) -> Iterator[dict]:
    """Troop-posture events: who deployed, withdrew or is present where, how many, when."""
    check_query(db, filters.query)
    where, params = evidence_where(filters, "p", "actor", "country", None)
    sql = f"""
        SELECT p.id AS posture_id, p.date, p.actor, p.country, p.action, p.personnel,
               p.personnel_text, p.place, p.status, p.evidence, p.rule, p.verdict,
               a.published, a.title, a.url, so.name AS source, p.article_id
        FROM posture p JOIN articles a ON a.id = p.article_id
             JOIN sources so ON so.id = a.source_id
        WHERE {where}
        ORDER BY p.date DESC, p.article_id
    """
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return fetch_rows(db, sql, params)


def statements(db: sqlite_utils.Database, filters: Filters, *,
               limit: int | None = None) -> Iterator[dict]:
    """The dyad and posture statements of the matching articles, one row each, newest first,
    with what a citation needs (outlet, title, publication date, URL): a brief's bullets."""
    check_query(db, filters.query)
    dyad_where, dyad_params = evidence_where(filters, "d", "actor", "partner", "themes")
    posture_where, posture_params = evidence_where(filters, "p", "actor", "country", None)
    cite = ("a.id AS article_id, substr(a.published, 1, 10) AS published, a.title, a.url,"
            " nullif(a.outlet, '') AS outlet, so.name AS source, so.illustrative")
    sql = f"""
        SELECT 'dyad' AS kind, d.id AS id, d.status, d.actor, d.partner AS country, d.themes,
               NULL AS action, NULL AS personnel, NULL AS date, d.evidence, {cite}
        FROM dyads d JOIN articles a ON a.id = d.article_id JOIN sources so ON so.id = a.source_id
        WHERE {dyad_where}
        UNION ALL
        SELECT 'posture', p.id, p.status, p.actor, p.country, '[]', p.action, p.personnel,
               substr(p.date, 1, 10), p.evidence, {cite}
        FROM posture p JOIN articles a ON a.id = p.article_id
             JOIN sources so ON so.id = a.source_id
        WHERE {posture_where}
        ORDER BY published DESC, article_id, kind, id LIMIT ?
    """
    return fetch_rows(db, sql, [*dyad_params, *posture_params, -1 if limit is None else limit])


def event_where(filters: Filters) -> tuple[str, list]:
    """Conditions on an ``events`` row ``e``: its key and dates, and at least one statement
    that passes the statement filters (status, verdict, language, source, search...)."""
    clauses, params = [], []
    if filters.since:
        clauses.append("e.last_date >= ?")
        params.append(filters.since.isoformat())
    if filters.until:
        clauses.append("+e.first_date <= ?" if filters.since else "e.first_date <= ?")
        params.append(filters.until.isoformat())
    for column, values in (("actor", filters.actors), ("country", filters.partners)):
        if values:
            clauses.append(f"e.{column} IN ({_marks(values)})")
            params += list(values)
    members = replace(filters, since=None, until=None, actors=(), partners=())
    posture_where, posture_params = evidence_where(members, "p", "actor", "country", None)
    dyad_where, dyad_params = evidence_where(members, "d", "actor", "partner", "themes")
    # The indexes are named: with statistics taken before the statements were placed in
    # events (every event_id NULL), SQLite scanned every statement for each event.
    clauses.append(
        f"(EXISTS (SELECT 1 FROM posture p INDEXED BY posture_event JOIN articles a"
        f" ON a.id = p.article_id WHERE p.event_id = e.id AND {posture_where})"
        f" OR EXISTS (SELECT 1 FROM dyads d INDEXED BY dyads_event JOIN articles a"
        f" ON a.id = d.article_id WHERE d.event_id = e.id AND {dyad_where}))")
    return " AND ".join(clauses), [*params, *posture_params, *dyad_params]


_STATEMENTS = """
    SELECT 'posture' AS kind, p.id AS statement_id, p.article_id, p.actor, p.country, p.action,
           substr(p.date, 1, 10) AS date, p.personnel, p.personnel_text, p.place, p.status,
           p.verdict, p.evidence, a.published, a.language, a.title, a.url, a.outlet,
           so.name AS source, so.affiliation
    FROM posture p JOIN articles a ON a.id = p.article_id JOIN sources so ON so.id = a.source_id
    WHERE p.event_id = :event
    UNION ALL
    SELECT 'dyad', d.id, d.article_id, d.actor, d.partner, NULL, substr(d.published, 1, 10),
           NULL, NULL, NULL, d.status, d.verdict, d.evidence, a.published, a.language, a.title,
           a.url, a.outlet, so.name, so.affiliation
    FROM dyads d JOIN articles a ON a.id = d.article_id JOIN sources so ON so.id = a.source_id
    WHERE d.event_id = :event
    ORDER BY date, kind, statement_id
"""


def event_statements(db: sqlite_utils.Database, event_id: int) -> list[dict]:
    """Every statement of an event with its evidence, article, source and language (the ones
    an analyst rejected included, marked by ``verdict``)."""
    return list(fetch_rows(db, _STATEMENTS, {"event": event_id}))  # type: ignore[arg-type]


def disagreement(statements: list[dict]) -> dict:
    """What the sources said of the figure and the date, and who said what: the range is
    shown, never one value picked. Only statements an analyst did not reject count. A posture
    statement dated only by its article (a report recalling the happening) said no date, so
    its article's day is not a date in dispute while another statement gives one."""
    from ingest.events import dated_by_article  # events imports the schema, which imports us

    kept = [s for s in statements if s["verdict"] != "rejected"]
    recalled = {id(s) for s in kept if dated_by_article(
        "dyads" if s["kind"] == "dyad" else s["kind"], s["date"], (s["published"] or "")[:10],
        s["evidence"])}
    if len(recalled) == len(kept):
        recalled = set()
    said: dict[str, dict[str, list[str]]] = {"figures": {}, "dates": {}}
    for s in kept:
        who = s["outlet"] or s["source"]
        if s["personnel"] is not None:
            said["figures"].setdefault(str(s["personnel"]), []).append(who)
        if s["date"] and id(s) not in recalled:
            said["dates"].setdefault(s["date"], []).append(who)
    figures = sorted(int(f) for f in said["figures"])
    days = sorted(said["dates"])
    return {
        "figure_low": figures[0] if figures else None,
        "figure_high": figures[-1] if figures else None,
        "date_first": days[0] if days else None, "date_last": days[-1] if days else None,
        "figures_said": {f: sorted(set(w)) for f, w in said["figures"].items()},
        "dates_said": {d: sorted(set(w)) for d, w in said["dates"].items()},
        "disputed": len(figures) > 1 or len(days) > 1,
    }


def events(db: sqlite_utils.Database, filters: Filters, *,
           limit: int | None = None) -> Iterator[dict]:
    """Events, latest first: what happened, the range of figures and dates the sources gave,
    how many articles, sources and languages reported it, and its members' ids."""
    check_query(db, filters.query)
    where, params = event_where(filters)
    sql = f"""
        SELECT e.id AS event_id, e.actor, e.country, e.action, e.first_date, e.last_date,
               e.places FROM events e WHERE {where}
        ORDER BY e.first_date DESC, e.id DESC
    """
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    for row in fetch_rows(db, sql, params):
        yield {**row, **event_summary(event_statements(db, row["event_id"]))}


def event_summary(statements: list[dict]) -> dict:
    """An event's members counted: statements, articles, sources, languages, state-affiliated
    share, statuses; the figure and date ranges; and the ids of its statements and articles."""
    kept = [s for s in statements if s["verdict"] != "rejected"]
    articles = {s["article_id"]: s for s in kept}
    spread = disagreement(kept)
    return {
        "figure_low": spread["figure_low"], "figure_high": spread["figure_high"],
        "date_first": spread["date_first"], "date_last": spread["date_last"],
        "disputed": spread["disputed"], "statements": len(kept), "articles": len(articles),
        "sources": len({s["source"] for s in articles.values()}),
        "languages": ", ".join(sorted({s["language"] or "?" for s in articles.values()})),
        "state_affiliated": sum(1 for s in articles.values() if s["affiliation"]),
        "statuses": ", ".join(sorted({s["status"] for s in kept})),
        "statement_ids": " ".join(f"{s['kind']}:{s['statement_id']}" for s in kept),
        "article_ids": " ".join(sorted(articles)),
    }


EXPORTS = {"articles": articles, "tags": tags, "partnerships": partnerships, "posture": posture,
           "events": events}


def counting_reports(db: sqlite_utils.Database, filters: Filters) -> Filters:
    """The filters counting events where the database has them, else stories: what a force
    level must count so that three outlets reporting one deployment of 300 make 300, not 900
    (the Troop posture page's default). For alerts and briefs, which have no Count control."""
    return replace(filters, unit="events" if db["events"].exists() else "stories")


def story_ids(db: sqlite_utils.Database, article_ids: list[str]) -> dict[str, int]:
    """The story of each of these articles that is in one (``ingest.stories``)."""
    found: dict[str, int] = {}
    for start in range(0, len(article_ids), 500):  # SQLite's bound-parameter limit
        chunk = article_ids[start:start + 500]
        found |= dict(db.execute(
            f"SELECT article_id, story_id FROM story_articles WHERE article_id IN"
            f" ({_marks(chunk)})", chunk).fetchall())
    return found
