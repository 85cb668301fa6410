"""Per-month counts kept beside the rows they count, so an all-dates view reads thousands of
rows instead of millions.

Each rollup table groups one kind of row by month (of the article's ``published``, ``''``
when it has none), language (``''`` when unknown) and the row's own keys (source, tag
value, actor, partner, theme, status), counting what the dashboard counts: rejected rows
never. Two tables that only all-dates views read (a pair's themes, posture places) have no
month. The counts are changed only by ``refreshing``, in the writer's transaction: it
subtracts what a set of articles counted for, lets the caller rewrite them, then adds what
they count for now. A count that drops to zero stays as a zero row (harmless in a sum;
readers that list keys skip it). ``check`` recounts everything from the rows and lists what
differs: the operator's ``python -m ingest check``.

Units. The rollups count articles (and statements). Stories are counted from them exactly:
over any set of articles the rollups can select, the stories are the articles less, for each
story of two or more articles, its selected articles but one. Those stories' articles are in
``rollup_story_copies`` (``TRIGGERED``), kept by triggers on ``story_articles`` (migration
16), since stories are placed by writers that know nothing of rollups (``cluster``), and read
whole by the story views: it holds only the copies. Events are counted apart (``EVENTS``):
an event's statements span months, languages and statuses, so counts per cell would count it
once per cell; each event counts once per group of keys instead, with the set of (status,
language) pairs its statements have there (``counts`` and ``counts_events`` say which unit a
view may take here).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import sqlite_utils

from ingest.queries import Filters

CHUNK = 500  # article ids per statement: well under SQLite's bound-parameter limit
MONTH = "substr(coalesce(a.published, ''), 1, 7)"
LANGUAGE = "coalesce(a.language, '')"


@dataclass(frozen=True)
class Rollup:
    """One rollup table: its key and count columns, and the query that counts rows into it.

    ``counted`` is a SELECT of the key and count columns (in that order, named as the table's
    columns) with ``{where}`` standing for the articles it counts, given as a condition on
    the column ``article``: every article, or a chunk of ids.
    """

    table: str
    keys: tuple[str, ...]
    counts: tuple[str, ...]
    counted: str
    article: str

    def select(self, where: str) -> str:
        return self.counted.format(where=where)


ROLLUPS = (
    Rollup("rollup_articles", ("month", "language", "source_id"), ("articles",), f"""
        SELECT {MONTH} AS month, {LANGUAGE} AS language, a.source_id, count(*) AS articles
        FROM articles a WHERE {{where}} GROUP BY 1, 2, 3""", "a.id"),
    # Articles per source that carried them (a copy under another feed is that feed's too).
    Rollup("rollup_carried", ("month", "language", "source_id"), ("links",), f"""
        SELECT {MONTH} AS month, {LANGUAGE} AS language, s.source_id, count(*) AS links
        FROM article_sources s JOIN articles a ON a.id = s.article_id
        WHERE {{where}} GROUP BY 1, 2, 3""", "s.article_id"),
    Rollup("rollup_tags", ("month", "language", "source_id", "kind", "value"), ("articles",), f"""
        SELECT {MONTH} AS month, {LANGUAGE} AS language, a.source_id, t.kind, t.value,
               count(DISTINCT t.article_id) AS articles
        FROM tags t JOIN articles a ON a.id = t.article_id
        WHERE {{where}} AND t.kind IN ('actor', 'partner', 'theme')
          AND t.verdict IS NOT 'rejected'
        GROUP BY 1, 2, 3, 4, 5""", "t.article_id"),
    # Articles naming an actor and a partner country together: actor months under a partner
    # filter (the tags, not the dyads: an article filter means the article's tags).
    Rollup("rollup_tag_pairs", ("month", "language", "actor", "partner"), ("articles",), f"""
        SELECT {MONTH} AS month, {LANGUAGE} AS language, t.value AS actor, p.value AS partner,
               count(DISTINCT t.article_id) AS articles
        FROM tags t JOIN tags p ON p.article_id = t.article_id AND p.kind = 'partner'
             AND p.verdict IS NOT 'rejected'
             JOIN articles a ON a.id = t.article_id
        WHERE {{where}} AND t.kind = 'actor' AND t.verdict IS NOT 'rejected'
        GROUP BY 1, 2, 3, 4""", "t.article_id"),
    Rollup("rollup_dyads", ("month", "language", "actor", "partner", "status"),
           ("dyads", "articles"), f"""
        SELECT {MONTH} AS month, {LANGUAGE} AS language, d.actor, d.partner, d.status,
               count(*) AS dyads, count(DISTINCT d.article_id) AS articles
        FROM dyads d JOIN articles a ON a.id = d.article_id
        WHERE {{where}} AND d.verdict IS NOT 'rejected'
        GROUP BY 1, 2, 3, 4, 5""", "d.article_id"),
    # The two below feed all-dates views only (a pair's top themes, the places map), so they
    # hold no month: ten years of months made them ten times longer to read. Themes per
    # month are in rollup_tags.
    Rollup("rollup_dyad_themes", ("language", "actor", "partner", "status", "theme"),
           ("dyads",), f"""
        SELECT {LANGUAGE} AS language, d.actor, d.partner, d.status, j.value AS theme,
               count(*) AS dyads
        FROM dyads d JOIN articles a ON a.id = d.article_id, json_each(d.themes) j
        WHERE {{where}} AND d.verdict IS NOT 'rejected'
        GROUP BY 1, 2, 3, 4, 5""", "d.article_id"),
    Rollup("rollup_posture", ("month", "language", "actor", "country", "status"), ("events",), f"""
        SELECT {MONTH} AS month, {LANGUAGE} AS language, p.actor, p.country, p.status,
               count(*) AS events
        FROM posture p JOIN articles a ON a.id = p.article_id
        WHERE {{where}} AND p.verdict IS NOT 'rejected'
        GROUP BY 1, 2, 3, 4, 5""", "p.article_id"),
    # Named places of reported posture events (the Troop posture map), by actor and country.
    Rollup("rollup_places", ("language", "place", "actor", "country"), ("events",), f"""
        SELECT {LANGUAGE} AS language, p.place, p.actor, p.country, count(*) AS events
        FROM posture p JOIN articles a ON a.id = p.article_id
        WHERE {{where}} AND p.verdict IS NOT 'rejected' AND p.status = 'reported'
          AND p.place IS NOT NULL AND p.place != ''
        GROUP BY 1, 2, 3, 4""", "p.article_id"),
)
# Kept by triggers on story_articles (migration 16), not by ``refreshing``: an article joins a
# story when it is placed, by a store or by ``cluster``, and never leaves it but by a rebuild.
# Counting stories over all dates is the rollups' article count less, per story of two or
# more articles, its matching articles but one: read from here, a short table (the copies).
TRIGGERED = (
    Rollup("rollup_story_copies", ("story_id", "article_id"), ("articles",), """
        SELECT s.story_id, s.article_id, n.articles FROM story_articles s
        JOIN (SELECT story_id, count(*) AS articles FROM story_articles GROUP BY story_id
              HAVING count(*) > 1) n ON n.story_id = s.story_id
        WHERE {where}""", "s.article_id"),
)


def _per_event(table: str, keys: dict[str, str], statements: tuple[str, ...]) -> Rollup:
    """A rollup of events: per group of ``keys`` (column -> SQL over statements ``s``,
    articles ``a`` and events ``e``), how many events have statements under it with each set
    of (status, language) pairs, ``tokens``, a bit per pair (``rollup_event_tokens``). An
    event counts once per group, whatever the months, languages or statuses its statements
    span there; a view asking for some statuses and languages counts the events whose tokens
    hold one of its pairs. Only statements placed in an event and not rejected count."""
    events = " JOIN events e ON e.id = s.event_id" if "e." in "".join(keys.values()) else ""
    arms = " UNION ALL ".join(f"""
        SELECT s.event_id, {', '.join(f'{sql} AS {column}' for column, sql in keys.items())},
               1 << t.bit AS bit
        FROM {name} s JOIN articles a ON a.id = s.article_id{events}
             JOIN rollup_event_tokens t ON t.status = s.status AND t.language = {LANGUAGE}
        WHERE {{where}} AND s.event_id IS NOT NULL AND s.verdict IS NOT 'rejected'"""
        for name in statements)
    columns = ", ".join(keys)
    return Rollup(table, (*keys, "tokens"), ("events",), f"""
        SELECT {columns}, tokens, count(*) AS events FROM (
            SELECT {columns}, sum(DISTINCT bit) AS tokens FROM ({arms})
            GROUP BY event_id, {columns})
        GROUP BY {columns}, tokens""", "s.event_id")


# Events, kept by triggers on the statements and articles (migration 17) that subtract what
# an event counted for before its first change in a transaction and mark it in
# ``rollup_event_dirty``; ``flush_events`` adds back what the marked events count for now,
# before the writer commits. The pair and actor tables exist because an event spanning
# months, or partners (an analyst's merge), must count once in a sum over them.
DYAD_KEYS = {"actor": "s.actor", "partner": "s.partner"}
EVENTS = (
    _per_event("rollup_event_dyads", {"month": MONTH, **DYAD_KEYS}, ("dyads",)),
    _per_event("rollup_event_pairs", DYAD_KEYS, ("dyads",)),
    _per_event("rollup_event_actors", {"month": MONTH, "actor": "s.actor"}, ("dyads",)),
    # The headline: events by their own force and country, from any of their statements.
    _per_event("rollup_events", {"actor": "e.actor", "country": "e.country"},
               ("dyads", "posture")),
)
MAX_BIT = 62  # (status, language) pairs a 64-bit ``tokens`` holds; past it views read rows
ALL = (*ROLLUPS, *TRIGGERED, *EVENTS)
TABLES = {rollup.table: rollup for rollup in ALL}


def rebuild(db: sqlite_utils.Database, tables: tuple[Rollup, ...] = ROLLUPS) -> None:
    """Count every row again into empty rollups (a migration's backfill, or a repair of
    ``ALL``)."""
    if set(tables) & set(EVENTS):
        db.execute("DELETE FROM rollup_event_dirty")
        _register_tokens(db, "1")
    for rollup in tables:
        db.execute(f"DELETE FROM {rollup.table}")
        columns = ", ".join((*rollup.keys, *rollup.counts))
        db.execute(f"INSERT INTO {rollup.table} ({columns}) {rollup.select('1')}")


def _register_tokens(db: sqlite_utils.Database, where: str) -> None:
    """Give each (status, language) pair of the statements ``where`` (on ``s.event_id``) a
    bit, numbered in the order pairs first appear."""
    seen = " UNION ".join(
        f"SELECT s.status, {LANGUAGE} AS language FROM {name} s"
        f" JOIN articles a ON a.id = s.article_id WHERE {where}" for name in ("dyads", "posture"))
    db.execute(f"""
        INSERT INTO rollup_event_tokens (status, language, bit)
        SELECT status, language, (SELECT count(*) FROM rollup_event_tokens)
               + row_number() OVER (ORDER BY status, language) - 1
        FROM ({seen}) WHERE (status, language) NOT IN
             (SELECT status, language FROM rollup_event_tokens)""")


def _upsert(rollup: Rollup, where: str, sign: int) -> str:
    keys = ", ".join(rollup.keys)
    updates = ", ".join(f"{count} = {count} + excluded.{count}" for count in rollup.counts)
    sums = ", ".join(f"{sign} * {count}" for count in rollup.counts)
    return (f"INSERT INTO {rollup.table} ({keys}, {', '.join(rollup.counts)})"
            f" SELECT {keys}, {sums} FROM ({rollup.select(where)}) WHERE true"
            f" ON CONFLICT ({keys}) DO UPDATE SET {updates}")


def event_triggers() -> list[str]:
    """The triggers that keep ``EVENTS``: before a statement joins, leaves or changes in an
    event, or its article changes month or language, subtract what the events concerned
    count for, once per transaction (``rollup_event_dirty`` remembers them; an event created
    in it counted for nothing before, so it is marked at once). Each runs only for an event
    not yet marked: storing a batch pays one subtraction per event it adds to."""
    def body(events: str) -> str:
        fresh = (f"SELECT x FROM ({events}) WHERE x IS NOT NULL"
                 " AND x NOT IN (SELECT event_id FROM rollup_event_dirty)")
        return "".join(f"{_upsert(rollup, f's.event_id IN ({fresh})', -1)};\n"
                       for rollup in EVENTS) + (
            f"INSERT OR IGNORE INTO rollup_event_dirty (event_id) {fresh};\n")

    def unmarked(event: str) -> str:
        return (f"({event} IS NOT NULL AND {event} NOT IN"
                " (SELECT event_id FROM rollup_event_dirty))")

    triggers = ["CREATE TRIGGER events_rollup_events_ai AFTER INSERT ON events BEGIN\n"
                "INSERT OR IGNORE INTO rollup_event_dirty (event_id) VALUES (new.id);\nEND"]
    for table, partner in (("dyads", "partner"), ("posture", "country")):
        changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in (
            "event_id", "actor", partner, "status", "verdict", "article_id"))
        triggers += [
            f"CREATE TRIGGER {table}_rollup_events_bi BEFORE INSERT ON {table}"
            f" WHEN {unmarked('new.event_id')} BEGIN\n{body('SELECT new.event_id AS x')}END",
            f"CREATE TRIGGER {table}_rollup_events_bd BEFORE DELETE ON {table}"
            f" WHEN {unmarked('old.event_id')} BEGIN\n{body('SELECT old.event_id AS x')}END",
            f"CREATE TRIGGER {table}_rollup_events_bu BEFORE UPDATE ON {table}"
            f" WHEN ({unmarked('old.event_id')} OR {unmarked('new.event_id')}) AND ({changed})"
            f" BEGIN\n{body('SELECT old.event_id AS x UNION SELECT new.event_id')}END",
        ]
    placed = " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE article_id = old.id"
                         " AND event_id IS NOT NULL)" for table in ("dyads", "posture"))
    triggers.append(
        "CREATE TRIGGER articles_rollup_events_bu BEFORE UPDATE OF language, published"
        " ON articles WHEN (old.language IS NOT new.language OR substr(old.published, 1, 7)"
        f" IS NOT substr(new.published, 1, 7)) AND ({placed}) BEGIN\n"
        + body("SELECT event_id AS x FROM dyads WHERE article_id = old.id"
               " UNION SELECT event_id FROM posture WHERE article_id = old.id") + "END")
    return triggers


def clear_events(db: sqlite_utils.Database) -> None:
    """Empty ``EVENTS`` and mark every event changed, before a rewrite of all of them
    (``events.rebuild``): the triggers then have nothing left to subtract."""
    for rollup in EVENTS:
        db.execute(f"DELETE FROM {rollup.table}")
    db.execute("INSERT OR IGNORE INTO rollup_event_dirty (event_id) SELECT id FROM events")


def flush_events(db: sqlite_utils.Database) -> None:
    """Add back what the events changed in this transaction count for now (the triggers
    subtracted what they counted for before). Every writer of statements calls it before
    it commits; views read the rows while any event waits (``counts_events``)."""
    if not db.execute("SELECT EXISTS (SELECT 1 FROM rollup_event_dirty)").fetchone()[0]:
        return
    dirty = "s.event_id IN (SELECT event_id FROM rollup_event_dirty)"
    _register_tokens(db, dirty)
    for rollup in EVENTS:
        db.execute(_upsert(rollup, dirty, 1))
    db.execute("DELETE FROM rollup_event_dirty")


def _apply(db: sqlite_utils.Database, article_ids: list[str], sign: int) -> None:
    """Add (``sign`` 1) or subtract (-1) what these articles count for now."""
    for start in range(0, len(article_ids), CHUNK):
        chunk = article_ids[start:start + CHUNK]
        for rollup in ROLLUPS:
            where = f"{rollup.article} IN ({', '.join('?' * len(chunk))})"
            keys = ", ".join(rollup.keys)
            sums = ", ".join(f"? * {count}" for count in rollup.counts)
            updates = ", ".join(f"{count} = {count} + excluded.{count}"
                                for count in rollup.counts)
            db.execute(
                f"INSERT INTO {rollup.table} ({keys}, {', '.join(rollup.counts)})"
                f" SELECT {keys}, {sums} FROM ({rollup.select(where)}) WHERE true"
                f" ON CONFLICT ({keys}) DO UPDATE SET {updates}",
                [sign] * len(rollup.counts) + chunk)


class Refresh:
    """The articles a writer is changing: subtracted once before their first change, added
    back at the end (``refreshing``)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.ids: dict[str, None] = {}  # each article once, in the order it came

    def before(self, article_ids: Iterable[str]) -> None:
        """Call before changing these stored articles or their rows."""
        fresh = [ident for ident in dict.fromkeys(article_ids) if ident not in self.ids]
        if fresh:
            _apply(self.db, fresh, -1)
        self.ids.update(dict.fromkeys(fresh))

    def new(self, article_id: str) -> None:
        """An article inserted in this transaction: nothing to subtract, only to add."""
        self.ids[article_id] = None

    def linked(self, article_id: str, source_id: int) -> None:
        """Call when another source is found carrying a stored article (a copy under another
        feed): one link more, without recounting the article (a batch of feed entries holds
        many copies; recounting each cost most of the rollups' share of storing)."""
        if article_id in self.ids:
            return  # counted whole at the end
        self.db.execute(
            f"INSERT INTO rollup_carried (month, language, source_id, links)"
            f" SELECT {MONTH}, {LANGUAGE}, ?, 1 FROM articles a WHERE a.id = ?"
            " ON CONFLICT (month, language, source_id) DO UPDATE SET links = links + 1",
            [source_id, article_id])

    def finish(self) -> None:
        _apply(self.db, list(self.ids), 1)
        flush_events(self.db)


@contextmanager
def refreshing(db: sqlite_utils.Database,
               article_ids: Iterable[str] = ()) -> Iterator[Refresh]:
    """Keep the rollups right while the caller changes these articles (and any it names to
    the ``Refresh`` later), inside the caller's transaction::

        with transaction(db), rollups.refreshing(db, ids):
            ...rewrite the rows of ids...

    Nothing is added back if the block raises: the transaction is rolled back anyway.
    """
    refresh = Refresh(db)
    refresh.before(article_ids)
    yield refresh
    refresh.finish()


@dataclass(frozen=True)
class Difference:
    """A rollup row that does not match a recount from the rows."""

    table: str
    key: tuple
    stored: tuple | None   # None: missing from the rollup
    counted: tuple | None  # None: the rows count nothing there


def check(db: sqlite_utils.Database) -> Iterator[Difference]:
    """Recount every rollup from the rows and yield each key whose counts differ. The recount
    goes to a temporary table, so memory stays flat at any size."""
    for rollup in ALL:
        keys = ", ".join(rollup.keys)
        counts = ", ".join(rollup.counts)
        same = " AND ".join(f"r.{key} IS c.{key}" for key in rollup.keys)
        equal = " AND ".join(f"r.{count} IS c.{count}" for count in rollup.counts)
        nonzero = " OR ".join(f"r.{count} != 0" for count in rollup.counts)
        db.execute("DROP TABLE IF EXISTS temp.recount")
        db.execute(f"CREATE TEMP TABLE recount AS {rollup.select('1')}")
        try:
            stored = f"(SELECT {keys}, {counts} FROM {rollup.table} r WHERE {nonzero})"
            width = len(rollup.keys)
            for row in db.execute(f"""
                SELECT r.*, c.* FROM {stored} r LEFT JOIN temp.recount c ON {same}
                WHERE NOT ({equal}) OR c.{rollup.keys[0]} IS NULL
                UNION ALL
                SELECT r.*, c.* FROM temp.recount c LEFT JOIN {stored} r ON {same}
                WHERE r.{rollup.keys[0]} IS NULL
            """):
                half = len(row) // 2
                stored_row, counted_row = row[:half], row[half:]
                yield Difference(
                    rollup.table,
                    tuple(stored_row[:width] if stored_row[0] is not None
                          else counted_row[:width]),
                    None if stored_row[0] is None else tuple(stored_row[width:]),
                    None if counted_row[0] is None else tuple(counted_row[width:]))
        finally:
            db.execute("DROP TABLE IF EXISTS temp.recount")


# --- Reading: the all-dates views, from the rollups --------------------------------------


def answers(filters: Filters) -> bool:
    """Whether the rollups hold what a view needs under ``filters``: all dates, no search, no
    source, state-affiliation or theme filter (those select articles or dyads the rollups do
    not tell apart). A view that counts in ``filters.unit`` checks that it can (``counts``);
    views check further filters of their own and otherwise read the rows."""
    return not (filters.since or filters.until or filters.query or filters.sources
                or filters.affiliated is not None or filters.themes)


def counts(filters: Filters) -> bool:
    """``answers``, for a view that counts ``filters.unit``: articles, or stories (the
    articles less the copies, ``TRIGGERED``). Events are counted by other tables
    (``counts_events``): one event's statements span months, languages and statuses, so
    these per-cell counts do not add up to events."""
    return filters.unit in ("articles", "stories") and answers(filters)


def counts_events(db: sqlite_utils.Database, filters: Filters) -> bool:
    """``answers``, for a view counting events: and every statement is placed in an event
    (a database from before events has some waiting for ``events --rebuild``), no change
    waits to be added back (``flush_events``) and ``tokens`` holds every pair."""
    # The indexes are named: statistics taken before the statements were placed made SQLite
    # scan every dyad (0.3 s at a million articles).
    return filters.unit == "events" and answers(filters) and not db.execute(
        "SELECT EXISTS (SELECT 1 FROM rollup_event_dirty)"
        " OR EXISTS (SELECT 1 FROM dyads INDEXED BY dyads_event WHERE event_id IS NULL"
        " AND verdict IS NOT 'rejected') OR EXISTS (SELECT 1 FROM posture INDEXED BY"
        " posture_event WHERE event_id IS NULL AND verdict IS NOT 'rejected')"
        f" OR coalesce((SELECT max(bit) FROM rollup_event_tokens), 0) > {MAX_BIT}"
    ).fetchone()[0]


def event_where(db: sqlite_utils.Database, filters: Filters, *, actor: str,
                partner: str | None = None) -> tuple[str, list]:
    """Conditions on an ``EVENTS`` table: actor and partner filters on the columns named,
    and tokens holding one of the (status, language) pairs the filters ask for."""
    where_, params = where(replace(filters, languages=()), actor=actor, partner=partner)
    language = (f" AND language IN ({', '.join('?' * len(filters.languages))})"
                if filters.languages else "")
    mask = sum(1 << bit for (bit,) in db.execute(
        f"SELECT bit FROM rollup_event_tokens WHERE status IN"
        f" ({', '.join('?' * len(filters.statuses))}){language}",
        [*filters.statuses, *filters.languages]))
    return f"{where_} AND tokens & ? != 0", [*params, mask]


def where(filters: Filters, *, actor: str | None = None, partner: str | None = None,
          status: bool = False) -> tuple[str, list]:
    """Conditions on a rollup table for the language filter and, where the table has them,
    actor, partner and status filters (on the columns named)."""
    clauses, params = ["1"], []
    for column, values in (("language", filters.languages), (actor, filters.actors),
                           (partner, filters.partners),
                           ("status" if status else None, filters.statuses)):
        if column and (values or column == "status"):
            clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
            params += list(values)
    return " AND ".join(clauses), params


def article_totals(db: sqlite_utils.Database, filters: Filters) -> tuple[int, int] | None:
    """(articles, distinct sources) under ``filters``, or None when the rollups cannot say:
    an article filter on two tag values could count one article twice."""
    tagged = [(kind, values) for kind, values in (("actor", filters.actors),
                                                  ("partner", filters.partners)) if values]
    language, params = where(filters)
    if not tagged:
        table = "rollup_articles"
    elif len(tagged) == 1 and len(tagged[0][1]) == 1:
        table = "rollup_tags"
        language += " AND kind = ? AND value = ?"
        params += [tagged[0][0], tagged[0][1][0]]
    else:
        return None
    return db.execute(
        f"SELECT coalesce(sum(articles), 0), count(DISTINCT CASE WHEN articles > 0"
        f" THEN source_id END) FROM {table} WHERE {language}", params).fetchone()
