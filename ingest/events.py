"""Events: posture and dyad statements that describe one happening, grouped across articles,
outlets, stories and languages, so forty reports of one deployment count once.

Two statements are the same happening when they name the same actor (an organisation counts
as its state if the analyst rolled organisations up), the same country and the same action,
their dates lie within ``window_days`` of the event's (a tagger date on the 1st stands for
its month, on 1 January for its year, which joins only the same year), their places do not
contradict each other and their figures lie within ``figure_ratio`` of each other. A
deployment, withdrawal or base opening or closure whose sentence gives no date is dated by its
article, which says only that it had happened by then: failing an event within the window, it
joins the latest earlier one of its key reported as done within ``lookback_days``, without
moving that event's dates. Every statement stays under its event with its evidence: the
event keeps the range of figures and dates the sources gave, never one of them picked
silently.

``assign`` runs inside the transaction that writes a batch of articles' rows (ingest,
retag), so the rows and their events change together. A statement finds its event by one
lookup on the ``events_key`` index, so memory and time per article stay flat at a million
articles.
Analysts split or merge events (``split``, ``merge``); the decision is kept as links between
the statements' natural keys, which a retag or a ``rebuild`` honours.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import sqlite_utils

from ingest import rollups
from ingest.store import now, transaction
from ingest.tagger.dates import find_dates
from ingest.tagger.gazetteer import DATA
from ingest.tagger.model import THEMES
from ingest.tagger.posture import ALL_LEFT
from ingest.tagger.text import fold

TABLES = ("posture", "dyads")
DEFAULTS = {"window_days": 3, "figure_ratio": 3.0, "roll_up": False, "lookback_days": 730}
RECALLED = ("deploy", "withdraw", "base_open", "base_close")
THEME_ACTIONS = {"troop_withdrawal": "withdraw", "troop_deployment": "deploy"}


@dataclass(frozen=True)
class Settings:
    """How statements are matched; stored in ``event_settings`` so ingest and rebuild agree."""

    window_days: int = DEFAULTS["window_days"]
    figure_ratio: float = DEFAULTS["figure_ratio"]
    roll_up: bool = DEFAULTS["roll_up"]
    lookback_days: int = DEFAULTS["lookback_days"]


@dataclass(slots=True)
class Statement:
    """One posture or dyad row, as events see it."""

    table: str
    row_id: int
    article_id: str
    key: str
    actor: str
    country: str
    action: str
    status: str
    day: str | None
    personnel: int | None
    place: str | None
    by_article: bool = False  # dated only by its article: see dated_by_article
    all_left: bool = False  # the last troops left (posture rule ending in ALL_LEFT)

    @property
    def recalls(self) -> bool:
        """A past posture statement dated by its article may recall a happening of any
        earlier day: "after the departure of French troops from Mali", "Russian jets arrived".
        Only one-off moves are recalled: a presence is a report of the day it was written
        ("700 US troops are in Somalia") and a handover is of one base among several; a plan
        is ahead."""
        return self.by_article and self.status != "planned" and self.action in RECALLED

    @property
    def span(self) -> tuple[str, str] | None:
        """The days the statement's date may mean: the tagger dates "in March" on the 1st
        and "in 2017" on 1 January, so such a posture date stands for its month or year. A
        dyad is dated by its article, to the day."""
        if self.day is None:
            return None
        return (self.day, self.day) if self.table == "dyads" else date_span(self.day)

    @property
    def identity(self) -> str:
        """The natural key a correction names: it survives the row being rebuilt."""
        return statement_identity(self.table, self.article_id, self.key)


def date_span(day: str) -> tuple[str, str]:
    """(first, last) day a tagger date may mean: a 1 January its year, another 1st its month."""
    start = date.fromisoformat(day)
    if start.day != 1:
        return day, day
    if start.month == 1:
        return day, f"{start.year}-12-31"
    after = (start + timedelta(days=31)).replace(day=1)
    return day, (after - timedelta(days=1)).isoformat()


def statement_identity(table: str, article_id: str, key: str) -> str:
    return f"{table}|{article_id}|{key}"


def settings(db: sqlite_utils.Database) -> Settings:
    stored = dict(db.execute("SELECT name, value FROM event_settings").fetchall())
    return Settings(
        window_days=int(stored.get("window_days", DEFAULTS["window_days"])),
        figure_ratio=float(stored.get("figure_ratio", DEFAULTS["figure_ratio"])),
        roll_up=stored.get("roll_up", "0") == "1",
        lookback_days=int(stored.get("lookback_days", DEFAULTS["lookback_days"])),
    )


def save_settings(db: sqlite_utils.Database, chosen: Settings) -> None:
    if chosen.window_days < 0 or chosen.figure_ratio < 1 or chosen.lookback_days < 0:
        raise ValueError("the window and the look-back must be 0 days or more and the figure"
                         " ratio 1 or more")
    for name, value in (("window_days", str(chosen.window_days)),
                        ("figure_ratio", str(chosen.figure_ratio)),
                        ("roll_up", "1" if chosen.roll_up else "0"),
                        ("lookback_days", str(chosen.lookback_days))):
        db.execute("INSERT OR REPLACE INTO event_settings (name, value) VALUES (?, ?)",
                   [name, value])


@cache
def parents() -> dict[str, str]:
    """Organisation -> the state or body it belongs to, from the gazetteer (Wagner Group and
    Africa Corps -> Russia, MINUSMA -> United Nations): reporters name either."""
    actors = json.loads((DATA / "actors.json").read_text(encoding="utf-8"))["actors"]
    return {a["name"]: a["parent"] for a in actors if a.get("parent")}


def event_actor(actor: str, chosen: Settings) -> str:
    return parents().get(actor, actor) if chosen.roll_up else actor


def dyad_action(themes: Sequence[str]) -> str:
    """A dyad's action: deploy or withdraw when it says troops moved (so it joins the posture
    event it restates), else its leading theme in the vocabulary's order."""
    for theme, action in THEME_ACTIONS.items():
        if theme in themes:
            return action
    return next((t for t in THEMES if t in themes), "partnership")


_PENDING = {
    "posture": "SELECT id, article_id, key, actor, country, action, status,"
               " substr(date, 1, 10), personnel, place, (SELECT substr(published, 1, 10) FROM"
               " articles WHERE articles.id = posture.article_id), evidence,"
               f" rule LIKE '%{ALL_LEFT}%' FROM posture",
    "dyads": "SELECT id, article_id, key, actor, partner, themes, status,"
             " substr(published, 1, 10), NULL, NULL, NULL, NULL, 0 FROM dyads",
}


def dated_by_article(table: str, day: str | None, published: str | None,
                     evidence: str | None) -> bool:
    """Whether a posture statement's date is only its article's: the publication day, and its
    sentence states no date that is that day ("on Friday", "today" are). The tagger falls back
    to the publication day when the sentence gives no date, so the happening was reported by
    then, not on that day. A dyad is always dated by its article but restates the day's news:
    it keeps matching by the window."""
    if table != "posture" or day is None or day != published:
        return False
    stated = find_dates(fold(evidence or ""), date.fromisoformat(day))
    return all(found.isoformat() != day for _, found in stated)


def _statements(db: sqlite_utils.Database, table: str, where: str,
                params: list) -> list[Statement]:
    out = []
    for (row_id, article, key, actor, country, action, status, day, personnel, place,
         published, evidence, all_left) in db.execute(f"{_PENDING[table]} WHERE {where}",
                                                       params):
        if table == "dyads":
            action = dyad_action(json.loads(action or "[]"))
        out.append(Statement(table, row_id, article, key, actor, country, action, status, day,
                             personnel, place,
                             dated_by_article(table, day, published, evidence),
                             bool(all_left)))
    return out


def assign(db: sqlite_utils.Database, article_ids: Sequence[str]) -> int:
    """Put the articles' statements that have no event yet into one, and refresh the events
    whose statements were deleted. Call it inside the transaction that wrote the rows.
    Returns how many statements were placed."""
    if not article_ids:
        return 0
    chosen = settings(db)
    pending: list[Statement] = []
    for start in range(0, len(article_ids), 500):
        chunk = list(article_ids[start:start + 500])
        marks = ", ".join("?" * len(chunk))
        for table in TABLES:
            pending += _statements(db, table, f"article_id IN ({marks}) AND event_id IS NULL"
                                   " AND verdict IS NOT 'rejected'", chunk)
    return _place_all(db, pending, chosen)


def reassign(db: sqlite_utils.Database, article_ids: Sequence[str]) -> int:
    """Place the articles' statements again, after something changed them in place (an
    analyst's correction of an actor, date or figure, or a rejection): they leave their
    events, which are refreshed or dropped, and join the events they now match. Call it in
    the transaction that made the change."""
    for start in range(0, len(article_ids), 500):
        chunk = list(article_ids[start:start + 500])
        marks = ", ".join("?" * len(chunk))
        for table in TABLES:
            db.execute("INSERT OR IGNORE INTO event_dirty (event_id) SELECT DISTINCT event_id"
                       f" FROM {table} WHERE article_id IN ({marks}) AND event_id IS NOT NULL",
                       chunk)
            db.execute(f"UPDATE {table} SET event_id = NULL WHERE article_id IN ({marks})",
                       chunk)
    return assign(db, article_ids)


def _place_all(db: sqlite_utils.Database, pending: list[Statement], chosen: Settings) -> int:
    # Links exist only once an analyst split or merged: one lookup spares one per statement.
    linked = db.execute("SELECT EXISTS (SELECT 1 FROM event_links)").fetchone()[0]
    # Statements with a date of their own first, in date order, so an event grows from its
    # first report; then those dated by their article (dyads too), so one finds the happening
    # it recalls, on one day posture before dyads, which restate it; undated ones last.
    for statement in sorted(pending, key=lambda s: (s.day is None,
                                                     s.by_article or s.table == "dyads",
                                                     s.day or "", s.table != "posture",
                                                     s.row_id)):
        event_id, summary = _place(db, statement, chosen, linked)
        event_id = _grow(db, event_id, summary, statement, chosen)
        db.execute(f"UPDATE {statement.table} SET event_id = ? WHERE id = ?",
                   [event_id, statement.row_id])
    dirty = [row[0] for row in db.execute("SELECT event_id FROM event_dirty")]
    if dirty:
        refresh(db, dirty)
        db.execute("DELETE FROM event_dirty")
    rollups.flush_events(db)
    return len(pending)


def _links(db: sqlite_utils.Database, identity: str) -> dict[str, str]:
    """The analyst's links from this statement: other statement -> 'same' | 'apart', the
    latest correction winning."""
    return dict(db.execute("SELECT other, link FROM event_links WHERE statement = ?"
                           " ORDER BY correction_id", [identity]).fetchall())


def _events_of(db: sqlite_utils.Database, identities: Iterable[str]) -> set[int]:
    found: set[int] = set()
    for identity in identities:
        table, article, key = identity.split("|", 2)
        if table in TABLES:
            found |= {row[0] for row in db.execute(
                f"SELECT event_id FROM {table} WHERE article_id = ? AND key = ?"
                " AND event_id IS NOT NULL", [article, key])}
    return found


_SUMMARY = "first_date, last_date, precise, low, high, places"
Summary = tuple  # (first_date, last_date, precise, low, high, places JSON)


def _place(db: sqlite_utils.Database, s: Statement, chosen: Settings,
           linked: bool) -> tuple[int | None, Summary | None]:
    """The event ``s`` belongs to and its summary: one an analyst merged it with, else the
    closest compatible one with its key; (None, None) for a new one."""
    apart: set[int] = set()
    if linked:
        links = _links(db, s.identity)
        apart = _events_of(db, [o for o, link in links.items() if link == "apart"])
        together = _events_of(db, [o for o, link in links.items() if link == "same"]) - apart
        if together:
            event_id = min(together)
            return event_id, db.execute(f"SELECT {_SUMMARY} FROM events WHERE id = ?",
                                        [event_id]).fetchone()
    if s.span is None:
        return None, None
    key = [event_actor(s.actor, chosen), s.country, s.action]
    start, end = s.span
    best: tuple[int, int, Summary] | None = None
    window = chosen.window_days
    # Two index ranges: an event of exact days spans at most the window, so its last day is
    # near this statement's; one of months or years (few) may end up to a year later.
    for event_id, *summary in db.execute(
            f"SELECT id, {_SUMMARY} FROM events WHERE actor = ? AND country = ? AND action = ?"
            " AND precise = 1 AND last_date BETWEEN ? AND ? AND first_date <= ?"
            f" UNION ALL SELECT id, {_SUMMARY} FROM events WHERE actor = ? AND country = ?"
            " AND action = ? AND precise = 0 AND last_date BETWEEN ? AND ? AND first_date <= ?",
            [*key, _shift(start, -window), _shift(end, 2 * window), _shift(end, window),
             *key, _shift(start, -window), _shift(end, window + 366), _shift(end, window)]):
        if event_id in apart or not _compatible(s, summary, chosen):
            continue
        first, last = summary[0], summary[1]
        distance = max(0, _days(end, first), _days(last, start))
        if best is None or distance < best[0]:
            best = (distance, event_id, tuple(summary))
    if best is None and s.recalls and chosen.lookback_days:
        return _recalled(db, s, key, apart, chosen)
    return (best[1], best[2]) if best else (None, None)


def _recalled(db: sqlite_utils.Database, s: Statement, key: list[str], apart: set[int],
              chosen: Settings) -> tuple[int | None, Summary | None]:
    """The latest earlier event a statement dated by its article may recall: same key, ended
    within ``lookback_days`` before the article, reported as done by a source, a figure of
    the same order, and the place the statement names if it names one (a move from one named
    base is news of its own). The latest, as "after the withdrawal" means the last one. The
    last troops leaving recall only a happening in which the last troops left: joined to a
    partial withdrawal months before, they would empty the force level on that day."""
    for event_id, *summary in db.execute(
            f"SELECT id, {_SUMMARY} FROM events WHERE actor = ? AND country = ? AND action = ?"
            " AND precise = 1 AND last_date BETWEEN ? AND ? ORDER BY last_date DESC, id LIMIT 20",
            [*key, _shift(s.day, -chosen.lookback_days), s.day]):
        named = json.loads(summary[-1])
        if (event_id not in apart and (not s.place or s.place in named)
                and _compatible(s, summary, chosen) and _happened(db, event_id)
                and (not s.all_left or _all_left(db, event_id))):
            return event_id, tuple(summary)
    return None, None


def _all_left(db: sqlite_utils.Database, event_id: int) -> bool:
    """Whether a statement of the event says the last troops left."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM posture WHERE event_id = ? AND rule LIKE ?"
                      " AND verdict IS NOT 'rejected')", [event_id, f"%{ALL_LEFT}%"]).fetchone()[0]


def _happened(db: sqlite_utils.Database, event_id: int) -> bool:
    """Whether a source reported the event as done: a past happening recalled is not a plan."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM posture WHERE event_id = ? AND status ="
                      " 'reported' AND verdict IS NOT 'rejected')", [event_id]).fetchone()[0]


def _compatible(s: Statement, summary: Summary, chosen: Settings) -> bool:
    """Dates that may be the same within the window (an exact day must be within the window
    of every exact day so far, so an event does not creep along a chain of weekly reports; a
    year alone, "in 2016", joins only the same year alone: it says too little to place a
    happening among that year's others), no other place named, a figure of the same order."""
    first, last, precise, low, high, places = summary
    start, end = s.span
    year = _whole_year(start, end)
    if year != (not precise and _whole_year(first, last)) or year and first[:4] != start[:4]:
        return False
    if precise and start == end and not s.by_article and (
            _days(first, start) > chosen.window_days or _days(start, last) > chosen.window_days):
        return False
    named = {p.casefold() for p in json.loads(places)}
    if s.place and named and s.place.casefold() not in named:
        return False
    if s.personnel and low and high:
        return (s.personnel <= low * chosen.figure_ratio
                and s.personnel * chosen.figure_ratio >= high)
    return True


def _grow(db: sqlite_utils.Database, event_id: int | None, summary: Summary | None,
          s: Statement, chosen: Settings) -> int:
    """Add ``s`` to the event's summary (a new event if ``event_id`` is None) in one write,
    instead of recounting the event's statements: ingest pays one UPDATE per statement."""
    first, last, precise, low, high, places = summary or (None, None, 0, None, None, "[]")
    if s.span is not None and not (s.by_article and first is not None):
        start, end = s.span
        if start == end and not precise:        # the first exact day replaces months, years
            first, last, precise = start, end, 1
        elif start == end or not precise:
            first, last = min(first or start, start), max(last or end, end)
    if s.personnel is not None:
        low = s.personnel if low is None else min(low, s.personnel)
        high = s.personnel if high is None else max(high, s.personnel)
    named = json.loads(places)
    if s.place and s.place not in named:
        named = sorted([*named, s.place])
    values = [first, last, precise, low, high, json.dumps(named)]
    if event_id is None:
        return db.execute(
            "INSERT INTO events (actor, country, action, first_date, last_date, precise, low,"
            " high, places) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [event_actor(s.actor, chosen), s.country, s.action, *values]).lastrowid
    db.execute("UPDATE events SET first_date = ?, last_date = ?, precise = ?, low = ?,"
               " high = ?, places = ? WHERE id = ?", [*values, event_id])
    return event_id


def _whole_year(first: str, last: str) -> bool:
    return first[:4] == last[:4] and first[5:] == "01-01" and last[5:] == "12-31"


def _days(earlier: str, later: str) -> int:
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def refresh(db: sqlite_utils.Database, event_ids: Iterable[int]) -> None:
    """Recompute events' summaries from their statements; drop events left with none. The
    date span is that of the exact days if any statement gives one, else of the months or
    years the others stand for."""
    for event_id in event_ids:
        members = _members(db, event_id)
        if not members:
            db.execute("DELETE FROM events WHERE id = ?", [event_id])
            continue
        # A statement dated by its article dates the event only when nothing else does, and
        # then by the first such day: later reports say it had happened by then.
        spans = [s.span for s in members if s.span is not None and not s.by_article]
        if not spans:
            spans = sorted(s.span for s in members if s.span is not None)[:1]
        exact = [a for a, b in spans if a == b]
        first, last = ((min(exact), max(exact)) if exact else
                       (min((a for a, _ in spans), default=None),
                        max((b for _, b in spans), default=None)))
        figures = [s.personnel for s in members if s.personnel is not None]
        places = sorted({s.place for s in members if s.place})
        db.execute(
            "UPDATE events SET first_date = ?, last_date = ?, precise = ?, low = ?, high = ?,"
            " places = ? WHERE id = ?",
            [first, last, int(bool(exact)), min(figures, default=None),
             max(figures, default=None), json.dumps(places), event_id])


def pending_count(db: sqlite_utils.Database) -> int:
    """Statements with no event yet (stored before events existed, or a rebuild cut short)."""
    return sum(db.execute(f"SELECT count(*) FROM {table} WHERE event_id IS NULL"
                          " AND verdict IS NOT 'rejected'").fetchone()[0] for table in TABLES)


def place_pending(db: sqlite_utils.Database, *, batch_size: int = 2_000,
                  progress: Callable[[int], None] | None = None) -> int:
    """Give every statement without an event one, a batch per transaction: a run cut short
    keeps what it placed, and the next run places the rest."""
    done = 0
    chosen = settings(db)
    while True:
        with transaction(db):
            batch: list[Statement] = []
            for table in TABLES:
                batch += _statements(db, table, "event_id IS NULL AND verdict IS NOT"
                                     f" 'rejected' LIMIT {int(batch_size)}", [])
            if not batch:
                return done
            done += _place_all(db, batch, chosen)
        if progress:
            progress(len(batch))


def rebuild(db: sqlite_utils.Database, chosen: Settings | None = None, *,
            progress: Callable[[int], None] | None = None) -> int:
    """Regroup every statement from scratch (after changing the settings, or to catch up a
    database from before events): analysts' splits and merges are applied again."""
    with transaction(db):
        if chosen is not None:
            save_settings(db, chosen)
        rollups.clear_events(db)  # every event goes: spare the triggers subtracting each
        for table in TABLES:
            db.execute(f"UPDATE {table} SET event_id = NULL WHERE event_id IS NOT NULL")
        db.execute("DELETE FROM events")
        db.execute("DELETE FROM event_dirty")
        rollups.flush_events(db)
    return place_pending(db, progress=progress)


def _members(db: sqlite_utils.Database, event_id: int) -> list[Statement]:
    return [s for table in TABLES
            for s in _statements(db, table, "event_id = ?", [event_id])]


def _record(db: sqlite_utils.Database, action: str, event_id: int, other_id: int | None,
            moved: list[str], analyst: str, note: str | None) -> int:
    if not analyst.strip():
        raise ValueError("an event correction needs the analyst's name")
    return db.execute(
        "INSERT INTO event_corrections (action, event_id, other_id, statements, note, analyst,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [action, event_id, other_id, json.dumps(moved), note, analyst.strip(), now()],
    ).lastrowid


def _link(db: sqlite_utils.Database, left: Iterable[str], right: Iterable[str], link: str,
          correction_id: int) -> None:
    right = list(right)
    db.conn.executemany(
        "INSERT INTO event_links (statement, other, link, correction_id) VALUES (?, ?, ?, ?)",
        [pair for a in left for b in right
         for pair in ((a, b, link, correction_id), (b, a, link, correction_id))])


def split(db: sqlite_utils.Database, event_id: int, statements: Sequence[tuple[str, int]], *,
          analyst: str, note: str | None = None) -> int:
    """Move ``statements`` ((table, row id) pairs) out of ``event_id`` into an event of their
    own: they are recorded as apart from the statements that stay, through any rebuild."""
    with transaction(db):
        members = _members(db, event_id)
        if not members:
            raise ValueError(f"no event with id {event_id}")
        chosen = {(s.table, s.row_id) for s in members} & set(statements)
        if not chosen or len(chosen) == len(members):
            raise ValueError("a split moves some of the event's statements, not none or all")
        moved = [s for s in members if (s.table, s.row_id) in chosen]
        kept = [s for s in members if (s.table, s.row_id) not in chosen]
        moved_ids = sorted({s.identity for s in moved})
        correction = _record(db, "split", event_id, None, moved_ids, analyst, note)
        _link(db, moved_ids, {s.identity for s in kept}, "apart", correction)
        _link(db, moved_ids, moved_ids, "same", correction)
        new_id = db.execute("INSERT INTO events (actor, country, action) SELECT actor, country,"
                            " action FROM events WHERE id = ?", [event_id]).lastrowid
        for s in moved:
            db.execute(f"UPDATE {s.table} SET event_id = ? WHERE id = ?", [new_id, s.row_id])
        refresh(db, [event_id, new_id])
        rollups.flush_events(db)
    return new_id


def merge(db: sqlite_utils.Database, event_id: int, other_id: int, *, analyst: str,
          note: str | None = None) -> int:
    """Fold ``other_id`` into ``event_id``: their statements are recorded as the same
    happening, through any rebuild, whatever their dates, places or figures."""
    if event_id == other_id:
        raise ValueError("an event cannot be merged with itself")
    with transaction(db):
        keep, fold = _members(db, event_id), _members(db, other_id)
        if not keep or not fold:
            raise ValueError(f"no event with id {other_id if keep else event_id}")
        correction = _record(db, "merge", event_id, other_id,
                             sorted({s.identity for s in fold}), analyst, note)
        _link(db, {s.identity for s in keep}, {s.identity for s in fold}, "same", correction)
        for table in TABLES:
            db.execute(f"UPDATE {table} SET event_id = ? WHERE event_id = ?",
                       [event_id, other_id])
        refresh(db, [event_id, other_id])
        rollups.flush_events(db)
    return event_id
