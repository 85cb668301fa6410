"""Watches: a saved filter and a trigger, and the evidence each trigger finds in new articles.

A watch looks only at articles stored or updated since its ``cursor`` (set when it is saved
or resumed, moved by every check), so saving a watch does not alert on the whole archive.
Each finding carries a natural key of its evidence (a pair, an article's posture event, a
week): ``ingest.alerts`` stores one alert per key and watch, so a re-check after a crash or a
``retag``, which rebuilds the tag rows, finds the same keys and raises nothing new.

Copies do not count twice: a spike counts stories (``ingest.stories``: the copies of one
report once), and a posture watch alerts once per event (``ingest.events``), not once per
outlet that reports the same deployment.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

import sqlite_utils

from ingest import aggregates, labels
from ingest.corrections import posture_key
from ingest.queries import STATUSES, Filters, counting_reports, evidence_where, fetch_rows
from ingest.store import now, transaction

TRIGGERS = {
    "new-pair": "an actor–partner pair reported for the first time",
    "posture": "a new posture event (deployment, withdrawal, base...)",
    "level": "a change in a force's level in a country",
    "spike": "a week's stories on a pair at least k times the trailing eight-week median",
    "state-first": "a pair reported for the first time by a state's affiliated media",
}
FILTER_FIELDS = ("actors", "partners", "themes", "statuses", "sources", "languages")
SPIKE_WEEKS = 8
DEFAULT_K = 3.0


@dataclass(frozen=True)
class Watch:
    id: int
    name: str
    trigger: str
    filters: Filters
    k: float
    paused: bool
    created_at: str
    cursor: str

    def describe(self) -> str:
        """One line: what it watches for and under which filters."""
        parts = [f"{field}: {', '.join(map(str, getattr(self.filters, field)))}"
                 for field in FILTER_FIELDS if getattr(self.filters, field)
                 and not (field == "statuses" and set(self.filters.statuses) == set(STATUSES))]
        what = f"spike (k={self.k:g})" if self.trigger == "spike" else self.trigger
        return f"{what}; " + ("; ".join(parts) if parts else "any article")


@dataclass(frozen=True)
class Finding:
    """What fired a watch: its natural key, a one-line summary, and the evidence behind it."""

    key: str
    summary: str
    evidence: str
    article_id: str
    title: str
    url: str | None
    source: str
    published: str | None


def filters_json(filters: Filters) -> str:
    return json.dumps({field: list(getattr(filters, field)) for field in FILTER_FIELDS},
                      ensure_ascii=False, sort_keys=True)


def filters_of(text: str) -> Filters:
    saved = json.loads(text or "{}")
    return Filters(**{field: tuple(saved[field]) for field in FILTER_FIELDS if field in saved})


def add_watch(db: sqlite_utils.Database, name: str, trigger: str, filters: Filters,
              k: float = DEFAULT_K) -> int:
    """Save a watch; it looks at articles stored from now on. Returns its id."""
    name = name.strip()
    if not name:
        raise ValueError("a watch needs a name")
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger must be one of {', '.join(TRIGGERS)}, not {trigger!r}")
    if not k >= 1:
        raise ValueError(f"k must be at least 1 (this week's count over the median), not {k}")
    unknown = set(filters.statuses) - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown status {', '.join(sorted(unknown))}; one of"
                         f" {', '.join(STATUSES)}")
    with transaction(db):
        if db.execute("SELECT 1 FROM watches WHERE name = ?", [name]).fetchone():
            raise ValueError(f"a watch named {name!r} already exists")
        stamp = now()
        return db.execute(
            "INSERT INTO watches (name, trigger, filters, k, created_at, cursor)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [name, trigger, filters_json(filters), k, stamp, stamp]).lastrowid


def list_watches(db: sqlite_utils.Database, *, active_only: bool = False) -> list[Watch]:
    sql = "SELECT id, name, trigger, filters, k, paused, created_at, cursor FROM watches"
    rows = db.execute(sql + (" WHERE paused = 0" if active_only else "") + " ORDER BY id")
    return [Watch(row[0], row[1], row[2], filters_of(row[3]), row[4], bool(row[5]), row[6],
                  row[7]) for row in rows]


def find_watch(db: sqlite_utils.Database, id_or_name: str) -> Watch:
    for watch in list_watches(db):
        if id_or_name in (str(watch.id), watch.name):
            return watch
    raise ValueError(f"no watch {id_or_name!r} (see `python -m ingest watch list`)")


def set_paused(db: sqlite_utils.Database, id_or_name: str, paused: bool) -> int:
    """Pause or resume a watch. Resuming starts from now: what came in meanwhile is skipped."""
    watch = find_watch(db, id_or_name)
    with transaction(db):
        if paused:
            db.execute("UPDATE watches SET paused = 1 WHERE id = ?", [watch.id])
        else:
            db.execute("UPDATE watches SET paused = 0, cursor = ? WHERE id = ? AND paused = 1",
                       [now(), watch.id])
    return watch.id


def remove_watch(db: sqlite_utils.Database, id_or_name: str) -> int:
    """Delete a watch; the alerts it raised stay, under its name."""
    watch = find_watch(db, id_or_name)
    with transaction(db):
        db.execute("DELETE FROM watches WHERE id = ?", [watch.id])
    return watch.id


# --- What each trigger finds -------------------------------------------------------------

_ROW = """a.id AS article_id, a.title, a.url, so.name AS source, a.published"""


# New articles first, by the articles_updated index, then their rows: left to itself, SQLite
# walks every dyad, or every article in date order, to find the few new ones.
_NEW = "articles a INDEXED BY articles_updated"
_NEW_DYADS = f"{_NEW} CROSS JOIN dyads d ON d.article_id = a.id"
_DYADS = "dyads d JOIN articles a ON a.id = d.article_id"
# Once per state-affiliated source that carried the article (its copies included).
_CARRIED = (" JOIN article_sources s ON s.article_id = a.id"
            " JOIN sources aff ON aff.id = s.source_id AND aff.affiliation IS NOT NULL")


def _dyads(db: sqlite_utils.Database, watch: Watch, *, affiliated: bool = False) -> list[dict]:
    """The watch's dyads in articles stored or updated since its cursor, oldest first."""
    where, args = evidence_where(watch.filters, "d", "actor", "partner", "themes")
    extra = ", aff.affiliation, aff.name AS outlet" if affiliated else ""
    return list(fetch_rows(db, f"""
        SELECT d.actor, d.partner, d.status, d.evidence, {_ROW} {extra}
        FROM {_NEW_DYADS} {_CARRIED if affiliated else ""} JOIN sources so ON so.id = a.source_id
        WHERE a.updated_at >= ? AND {where} ORDER BY a.published, a.id, d.id
    """, [watch.cursor, *args]))


def _known_before(db: sqlite_utils.Database, watch: Watch, actor: str, partner: str,
                  affiliation: str | None = None) -> bool:
    """Whether the watch's filters find the pair (carried by media affiliated with
    ``affiliation``, if given) in an article first seen before its cursor. One pair at a time
    through a covering index of the dyads that leads with the pair: an EXISTS stops at the
    first earlier article, so the cost does not grow with the database."""
    narrowed = replace(watch.filters, actors=(actor,), partners=(partner,))
    where, args = evidence_where(narrowed, "d", "actor", "partner", "themes")
    carried = f"{_CARRIED} AND aff.affiliation = ?" if affiliation else ""
    return bool(db.execute(f"""
        SELECT EXISTS (SELECT 1 FROM {_DYADS} {carried} WHERE {where} AND a.first_seen < ?)
    """, [*([affiliation] if affiliation else []), *args, watch.cursor]).fetchone()[0])


def _finding(key: str, summary: str, row: dict) -> Finding:
    return Finding(key, summary, row["evidence"] or "", row["article_id"], row["title"] or "",
                   row["url"], row["source"], row["published"])


def _status(row: dict) -> str:
    return "" if row["status"] == "reported" else f" ({labels.status(row['status'])})"


def new_pairs(db: sqlite_utils.Database, watch: Watch) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for row in _dyads(db, watch):
        pair = (row["actor"], row["partner"])
        if pair not in seen:
            seen.add(pair)
            if not _known_before(db, watch, *pair):
                yield _finding(f"pair|{pair[0]}|{pair[1]}",
                               f"New pair: {pair[0]} – {pair[1]}{_status(row)}", row)


def state_firsts(db: sqlite_utils.Database, watch: Watch) -> Iterator[Finding]:
    seen: set[tuple[str, str, str]] = set()
    for row in _dyads(db, watch, affiliated=True):
        pair = (row["actor"], row["partner"], row["affiliation"])
        if pair not in seen:
            seen.add(pair)
            if not _known_before(db, watch, *pair):
                yield _finding(
                    f"state|{pair[0]}|{pair[1]}|{pair[2]}",
                    f"{pair[0]} – {pair[1]} first reported by {pair[2]}-affiliated media"
                    f" ({row['outlet']}){_status(row)}", row)


def _posture(db: sqlite_utils.Database, watch: Watch) -> list[dict]:
    where, args = evidence_where(watch.filters, "p", "actor", "country", None)
    return list(fetch_rows(db, f"""
        SELECT p.actor, p.country, p.action, p.personnel, p.date, p.status, p.evidence,
               p.event_id, {_ROW}
        FROM {_NEW} CROSS JOIN posture p ON p.article_id = a.id
             JOIN sources so ON so.id = a.source_id
        WHERE a.updated_at >= ? AND {where} ORDER BY p.date, a.published, a.id, p.id
    """, [watch.cursor, *args]))


def _posture_alert_key(row: dict) -> str:
    return (f"posture|{row['article_id']}|"
            f"{posture_key(row['actor'], row['country'], row['action'], row['date'])}")


def posture_events(db: sqlite_utils.Database, watch: Watch) -> Iterator[Finding]:
    """One alert per new event: the first statement of it the watch sees. Other reports of
    the same deployment join its event and raise nothing; a statement not yet in an event
    is its own."""
    seen: set[int] = set()
    for row in _posture(db, watch):
        event = row["event_id"]
        if event is not None:
            if event in seen:
                continue
            seen.add(event)
            if _event_known(db, watch, event):
                continue
        figure = f" {row['personnel']:,}" if row["personnel"] else ""
        yield _finding(
            _posture_alert_key(row),
            f"{row['actor']} in {row['country']}: {labels.action(row['action'])}{figure}"
            f" ({(row['date'] or 'undated')[:10]}){_status(row)}", row)


def _event_known(db: sqlite_utils.Database, watch: Watch, event: int) -> bool:
    """Whether the watch already knew the event: one of its statements (under the watch's
    filters) is in an article first seen before the cursor, or already raised this posture
    watch's alert. The second holds after a re-check from an older cursor (a crash, a retag),
    where another report of the event may come first: alert keys are of statements, which
    outlive a rebuild of the events; event ids do not."""
    where, args = evidence_where(watch.filters, "p", "actor", "country", None)
    members = list(fetch_rows(db, f"""
        SELECT p.actor, p.country, p.action, p.date, a.id AS article_id, a.first_seen
        FROM posture p INDEXED BY posture_event JOIN articles a ON a.id = p.article_id
        WHERE p.event_id = ? AND {where}
    """, [event, *args]))
    if any(row["first_seen"] < watch.cursor for row in members):
        return True
    keys = [_posture_alert_key(row) for row in members]
    return bool(keys) and bool(db.execute(
        f"SELECT EXISTS (SELECT 1 FROM alerts WHERE watch_id = ? AND key IN"
        f" ({', '.join('?' * len(keys))}))", [watch.id, *keys]).fetchone()[0])


def level_changes(db: sqlite_utils.Database, watch: Watch) -> Iterator[Finding]:
    """A dated change of the force level on a day that a new event reports: the first known
    level counts as a change from unknown. Levels count events, as the Troop posture page
    does: another outlet's report of a known deployment neither adds its troops again nor
    raises the level's alert anew."""
    new: dict[tuple[str, str], dict[str, dict]] = {}
    for row in _posture(db, watch):
        if row["status"] == "reported" and row["date"] and (
                row["event_id"] is None or not _event_known(db, watch, row["event_id"])):
            new.setdefault((row["actor"], row["country"]), {}).setdefault(row["date"][:10], row)
    unscoped = counting_reports(db, replace(watch.filters, actors=(), partners=()))
    for (actor, country), days in new.items():
        before = None
        for point in aggregates.force_levels(db, unscoped, actor, country):
            level, day = point["level"], point["date"]
            if day in days and level != before:
                was = "unknown" if before is None else f"{before:,}"
                yield _finding(f"level|{actor}|{country}|{day}|{level}",
                               f"{actor} in {country}: force level {was} → {level:,} ({day})",
                               days[day])
            before = level


def spikes(db: sqlite_utils.Database, watch: Watch) -> Iterator[Finding]:
    """Weeks (Monday to Sunday) of new articles on a pair whose count of stories reaches k
    times the median of the eight weeks before (weeks with none count as zero, and the median
    as at least one, so a pair's first few reports are not a spike). Stories, not articles:
    one wire report carried by five outlets is one report, not a spike."""
    latest: dict[tuple[str, str, str], dict] = {}
    for row in _dyads(db, watch):
        if row["published"]:
            latest[(row["actor"], row["partner"], _monday(row["published"]))] = row
    for (actor, partner, week), row in latest.items():
        counts = _weekly_counts(db, watch, actor, partner, week)
        this = counts.get(week, 0)
        start = date.fromisoformat(week)
        trailing = [counts.get((start - timedelta(weeks=n)).isoformat(), 0)
                    for n in range(1, SPIKE_WEEKS + 1)]
        median = statistics.median(trailing)
        if this >= watch.k * max(median, 1):
            yield _finding(f"spike|{actor}|{partner}|{week}",
                           f"Spike: {actor} – {partner}, {this} stories in the week of {week}"
                           f" (median of the {SPIKE_WEEKS} weeks before: {median:g})", row)


def _monday(published: str) -> str:
    day = date.fromisoformat(published[:10])
    return (day - timedelta(days=day.weekday())).isoformat()


def _weekly_counts(db: sqlite_utils.Database, watch: Watch, actor: str, partner: str,
                   week: str) -> dict[str, int]:
    """Stories on the pair per week, for the week and the eight before (an article in no
    story yet is its own, as on the dashboard). The window is on the dyad's own copy of its
    article's date, so SQLite reads one range of the pair's index."""
    start = date.fromisoformat(week)
    narrowed = replace(watch.filters, actors=(actor,), partners=(partner,))
    where, args = evidence_where(narrowed, "d", "actor", "partner", "themes")
    return dict(db.execute(f"""
        SELECT date(substr(d.published, 1, 10), 'weekday 0', '-6 days') AS week,
               count(DISTINCT coalesce(su.story_id, d.article_id))
        FROM dyads d INDEXED BY dyads_pair JOIN articles a ON a.id = d.article_id
             LEFT JOIN story_articles su ON su.article_id = d.article_id
        WHERE d.published >= ? AND d.published < ? AND {where} GROUP BY week
    """, [(start - timedelta(weeks=SPIKE_WEEKS)).isoformat(),
          (start + timedelta(weeks=1)).isoformat(), *args]).fetchall())


FINDERS: dict[str, Callable[[sqlite_utils.Database, Watch], Iterator[Finding]]] = {
    "new-pair": new_pairs, "posture": posture_events, "level": level_changes,
    "spike": spikes, "state-first": state_firsts,
}
