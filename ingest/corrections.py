"""Analyst corrections: judge, correct or add a tag, dyad or posture event, with who, when and why.

A correction names its target by a natural key (article + kind + value, article + actor +
partner, ...) rather than a row id, because ``retag`` rebuilds the rows. Corrections are never
changed or deleted: an undo is a correction of its own that takes an earlier one out of force.

``apply`` is the one place rows change: it puts an article's rows back as the tagger wrote them
and replays the corrections in force, oldest first, onto the rows themselves. So every page,
export and aggregate reads corrected rows with no change to its query, and a retag (new rows
from the tagger) or an undo (one correction fewer) ends in the same state as if the
corrections had just been made. Corrected rows are marked: ``verdict`` is ``corrected`` or
``added`` (or the analyst's later ``confirmed``/``rejected``), ``corrected_by`` names the
correction, ``origin`` is ``analyst`` for an added row, and ``tagger_values`` keeps what the
tagger had written, for the history and for the undo.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from functools import cache

import sqlite_utils

from ingest import events, rollups
from ingest.store import now, transaction
from ingest.tagger.gazetteer import DATA, countries
from ingest.tagger.model import ACTIONS, STATUSES, THEMES
from ingest.tagger.sentences import split

TARGET_TABLES = {"tag": "tags", "dyad": "dyads", "posture": "posture"}
VERDICTS = ("confirmed", "rejected")
# What an analyst may correct on a row, as (field, column). A dyad has no date of its own: it
# is dated by its article everywhere (pages, exports, aggregates), so its date is not a tag.
FIELDS: dict[str, dict[str, str]] = {
    "tag": {"value": "value"},
    "dyad": {"actor": "actor", "partner": "partner", "status": "status"},
    "posture": {"actor": "actor", "country": "country", "action": "action",
                "personnel": "personnel", "date": "date", "status": "status"},
}
# The tagger's columns an edit may overwrite: kept in ``tagger_values`` until it is undone.
# A corrected figure drops the phrase it was read from (``personnel_text``).
_KEPT = {"tags": ("value",), "dyads": ("actor", "partner", "status"),
         "posture": ("actor", "country", "action", "personnel", "personnel_text", "date",
                     "status")}
ANALYST_RULE = "analyst"  # the ``rule`` of a row an analyst added


def tag_key(kind: str, value: str) -> str:
    return f"{kind}|{value}"


def dyad_key(actor: str, partner: str) -> str:
    return f"{actor}|{partner}"


def posture_key(actor: str, country: str, action: str, date: str | None) -> str:
    return f"{actor}|{country}|{action}|{(date or '')[:10]}"


def added_key(correction_id: int) -> str:
    """The key of a row an analyst added: its own, so no tagger row can ever share it."""
    return f"analyst:{correction_id}"


# --- vocabulary: what a corrected value may be ------------------------------------------

@cache
def actors() -> tuple[str, ...]:
    """The foreign powers and organisations the tagger knows (``actors.json``), a-z."""
    data = json.loads((DATA / "actors.json").read_text(encoding="utf-8"))
    return tuple(sorted(actor["name"] for actor in data["actors"]))


@cache
def partner_countries() -> tuple[str, ...]:
    """The African states the tagger knows, by the names it stores, a-z."""
    return tuple(sorted(countries().values()))


def choices(field: str, kind: str | None = None) -> tuple[str, ...]:
    """The values ``field`` may take (a tag's ``value`` by its ``kind``); empty: free."""
    if field == "value":
        return {"actor": actors(), "partner": partner_countries(), "theme": THEMES,
                "mention": tuple(sorted({*actors(), *partner_countries()}))}[kind or "actor"]
    return {"actor": actors(), "partner": partner_countries(), "country": partner_countries(),
            "action": ACTIONS, "status": STATUSES}.get(field, ())


def check_value(field: str, value: object, kind: str | None = None) -> object:
    """``value`` as stored for ``field``, or a ValueError naming the field in one line."""
    text = "" if value is None else str(value).strip()
    if field == "personnel":
        if not text:
            return None  # the figure is not known
        if not re.fullmatch(r"\d{1,7}", text.replace(",", "")):
            raise ValueError(f"personnel: {text!r} is not a number of personnel (a whole"
                             " number, or empty when the figure is not known)")
        return int(text.replace(",", ""))
    if field == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"date: {text!r} is not a date (YYYY-MM-DD)") from None
        if not 1900 <= day.year <= 2100:
            raise ValueError(f"date: {text} is outside the years 1900-2100")
        return day.isoformat()
    allowed = choices(field, kind)
    if text not in allowed:
        what = f"{kind} tag value" if field == "value" else field
        sample = ", ".join(allowed[:6]) + (", ..." if len(allowed) > 6 else "")
        raise ValueError(f"{field}: {text!r} is not a known {what} ({sample};"
                         " see docs/vocabulary.md)")
    return text


def _checked(target: str, changes: Mapping[str, object], kind: str | None) -> dict[str, object]:
    """The changes as {column: stored value}; every field named must be one of the target's."""
    fields = FIELDS[target]
    unknown = [field for field in changes if field not in fields]
    if unknown:
        raise ValueError(f"{unknown[0]}: not a field of a {target} (one of {', '.join(fields)})")
    return {fields[field]: check_value(field, value, kind) for field, value in changes.items()}


def _checked_target(target: str) -> str:
    if target not in TARGET_TABLES:
        raise ValueError(f"target must be one of {', '.join(TARGET_TABLES)}, not {target!r}")
    return TARGET_TABLES[target]


def _checked_analyst(analyst: str) -> str:
    if not analyst.strip():
        raise ValueError("a correction needs the analyst's name")
    return analyst.strip()


def _row(db: sqlite_utils.Database, target: str, row_id: int) -> dict:
    table = _checked_target(target)
    cursor = db.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id])
    found = cursor.fetchone()
    if found is None:
        raise ValueError(f"no {target} with id {row_id}")
    return dict(zip([column[0] for column in cursor.description], found, strict=True))


# --- recording: every correction is one row, written with its effect in one transaction ----

def record(db: sqlite_utils.Database, *, target: str, row_id: int, verdict: str,
           analyst: str, note: str | None = None) -> int:
    """Record a verdict (confirmed or rejected) on the row ``row_id`` of ``target``."""
    _checked_target(target)
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    name = _checked_analyst(analyst)
    with transaction(db):
        row = _row(db, target, row_id)
        return _write(db, target=target, key=row["key"], article_id=row["article_id"],
                      kind="verdict", verdict=verdict, evidence=row["evidence"],
                      analyst=name, note=note)


def correct(db: sqlite_utils.Database, *, target: str, row_id: int,
            changes: Mapping[str, object], analyst: str, note: str | None = None) -> int:
    """Correct values of the row ``row_id``: ``changes`` maps fields of ``FIELDS[target]`` to
    their right values. The correction holds for that row's key in its article, so it is
    replayed on the row a retag rebuilds."""
    _checked_target(target)
    name = _checked_analyst(analyst)
    if not changes:
        raise ValueError(f"nothing to correct: give one of {', '.join(FIELDS[target])}")
    with transaction(db):
        row = _row(db, target, row_id)
        values = _checked(target, changes, row.get("kind"))
        return _write(db, target=target, key=row["key"], article_id=row["article_id"],
                      kind="edit", changes=values, evidence=row["evidence"], analyst=name,
                      note=note)


def add(db: sqlite_utils.Database, *, target: str, article_id: str,
        values: Mapping[str, object], evidence: str, analyst: str,
        note: str | None = None) -> int:
    """Add a dyad or posture event the tagger missed, backed by ``evidence``: a sentence of the
    article (or any passage of it), quoted exactly as stored, so the evidence column always
    quotes the source. A posture event without a date takes its article's date."""
    if target not in ("dyad", "posture"):
        raise ValueError(f"target must be dyad or posture, not {target!r}")
    name = _checked_analyst(analyst)
    required = ("actor", "partner") if target == "dyad" else ("actor", "country", "action")
    missing = [field for field in required if not str(values.get(field) or "").strip()]
    if missing:
        raise ValueError(f"{missing[0]}: required to add a {target}")
    with transaction(db):
        article = db.execute("SELECT title, text, published FROM articles WHERE id = ?",
                             [article_id]).fetchone()
        if article is None:
            raise ValueError(f"article: no article with id {article_id!r}")
        given = {field: value for field, value in values.items() if value not in (None, "")}
        row = _checked(target, {"status": "reported", **given}, None)
        if target == "posture" and row.get("date") is None:
            row["date"] = (article[2] or "")[:10] or None
        row |= _locate(evidence, title=article[0], text=article[1])
        return _write(db, target=target, key="", article_id=article_id, kind="add",
                      changes=row, analyst=name, note=note)


def undo(db: sqlite_utils.Database, correction_id: int, *, analyst: str,
         note: str | None = None) -> int:
    """Take correction ``correction_id`` out of force: its rows go back to what the tagger (and
    the corrections still in force) make them. The undo is recorded like any correction."""
    name = _checked_analyst(analyst)
    with transaction(db):
        found = db.execute(
            "SELECT target, key, article_id, kind, (SELECT id FROM corrections u"
            " WHERE u.undoes = c.id) FROM corrections c WHERE id = ?", [correction_id]).fetchone()
        if found is None:
            raise ValueError(f"correction: no correction with id {correction_id}")
        target, key, article_id, kind, undone_by = found
        if kind == "undo":
            raise ValueError(f"correction {correction_id} is an undo: record the correction"
                             " again instead of undoing the undo")
        if undone_by is not None:
            raise ValueError(f"correction {correction_id} was already undone by"
                             f" correction {undone_by}")
        return _write(db, target=target, key=key, article_id=article_id, kind="undo",
                      undoes=correction_id, analyst=name, note=note)


def _write(db: sqlite_utils.Database, *, target: str, key: str, article_id: str, kind: str,
           analyst: str, note: str | None, verdict: str | None = None,
           changes: Mapping | None = None, undoes: int | None = None,
           evidence: str | None = None) -> int:
    """Insert one correction and apply its article's corrections (in the caller's
    transaction)."""
    cursor = db.execute(
        "INSERT INTO corrections (target, key, article_id, kind, verdict, changes, undoes,"
        " evidence, note, analyst, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [target, key, article_id, kind, verdict,
         None if changes is None else json.dumps(changes, ensure_ascii=False), undoes,
         evidence, (note or "").strip() or None, analyst, now()])
    correction_id = cursor.lastrowid
    if kind == "add":  # an added row is keyed by the correction that added it
        db.execute("UPDATE corrections SET key = ? WHERE id = ?",
                   [added_key(correction_id), correction_id])
    with rollups.refreshing(db, [article_id]):
        apply(db, [article_id])
    events.reassign(db, [article_id])  # a changed actor, date or figure may move its event
    return correction_id


def row_of(db: sqlite_utils.Database, target: str, row_id: int) -> dict | None:
    """The stored row ``row_id`` of ``target``, corrections marks included; None if gone."""
    try:
        return _row(db, target, row_id)
    except ValueError:
        return None


def describe(kind: str, *, verdict: str | None = None, changes: str | Mapping | None = None,
             undoes: int | None = None) -> str:
    """What a correction did, in a few words: ``rejected``, ``personnel=2400 date=2022-08-15``,
    ``undo of 12``."""
    if kind == "verdict":
        return str(verdict)
    if kind == "undo":
        return f"undo of {undoes}"
    values = json.loads(changes) if isinstance(changes, str) else dict(changes or {})
    shown = " ".join(f"{field}={'' if value is None else value}"
                     for field, value in values.items()
                     if field not in ("evidence", "field", "start", "end"))
    return f"added {shown}" if kind == "add" else shown


def _locate(evidence: str, *, title: str, text: str) -> dict[str, object]:
    """Where ``evidence`` is in the article: its field and offsets, or a ValueError."""
    quoted = evidence.strip()
    for field, body in (("text", text), ("title", title)):
        start = body.find(quoted) if quoted else -1
        if start >= 0:
            return {"evidence": quoted, "field": field, "start": start,
                    "end": start + len(quoted)}
    raise ValueError("evidence: not a sentence of this article; quote one exactly as stored"
                     " (`python -m ingest correct sentences ARTICLE` lists them)")


def sentences(db: sqlite_utils.Database, article_id: str) -> list[dict]:
    """The article's title and text sentences, as the tagger splits them: the evidence an
    added row may quote."""
    found = db.execute("SELECT title, text FROM articles WHERE id = ?", [article_id]).fetchone()
    if found is None:
        return []
    return [{"field": field, "start": start, "end": end, "sentence": body[start:end]}
            for field, body in (("title", found[0]), ("text", found[1]))
            for start, end in split(body)]


# --- applying: the one place rows change ---------------------------------------------------

def apply(db: sqlite_utils.Database, article_ids: Sequence[str]) -> None:
    """Make these articles' rows what the tagger wrote with the corrections in force replayed.

    Runs inside the caller's transaction: the corrections' own writes, ``store_document`` and
    each ``retag`` batch. Articles without corrections (nearly all) cost one index lookup.
    """
    for start in range(0, len(article_ids), 500):
        batch = list(article_ids[start:start + 500])
        chunk = [row[0] for row in db.execute(
            f"SELECT DISTINCT article_id FROM corrections WHERE article_id IN"
            f" ({', '.join('?' * len(batch))})", batch).fetchall()]
        if not chunk:
            continue  # the usual case: rows are written with no correction
        _restore(db, chunk)
        for correction in _in_force(db, chunk):
            _replay(db, correction)


def _restore(db: sqlite_utils.Database, article_ids: list[str]) -> None:
    """The tagger's rows of these articles, as it wrote them: no added row, no verdict."""
    marks = ", ".join("?" * len(article_ids))
    for table, kept in _KEPT.items():
        db.execute(f"DELETE FROM {table} WHERE article_id IN ({marks}) AND origin = 'analyst'",
                   article_ids)
        restored = ", ".join(f"{column} = json_extract(tagger_values, '$.{column}')"
                             for column in kept)
        db.execute(f"UPDATE {table} SET {restored}, tagger_values = NULL"
                   f" WHERE article_id IN ({marks}) AND tagger_values IS NOT NULL", article_ids)
        db.execute(f"UPDATE {table} SET verdict = NULL, corrected_by = NULL"
                   f" WHERE article_id IN ({marks})"
                   " AND (verdict IS NOT NULL OR corrected_by IS NOT NULL)", article_ids)


def _in_force(db: sqlite_utils.Database, article_ids: list[str]) -> Iterator[dict]:
    """The corrections of these articles that no undo took back, oldest first."""
    cursor = db.execute(
        f"SELECT id, target, key, article_id, kind, verdict, changes, evidence"
        " FROM corrections c"
        f" WHERE article_id IN ({', '.join('?' * len(article_ids))}) AND kind != 'undo'"
        " AND NOT EXISTS (SELECT 1 FROM corrections u WHERE u.undoes = c.id) ORDER BY id",
        article_ids)
    names = [column[0] for column in cursor.description]
    for row in cursor.fetchall():
        yield dict(zip(names, row, strict=True))


def _replay(db: sqlite_utils.Database, correction: dict) -> None:
    table = TARGET_TABLES[correction["target"]]
    # The rows of the key whose sentence is the one judged; all of them when none is (migrated
    # verdicts have no sentence; a new tagger may quote another one).
    where = (f"article_id = ? AND key = ? AND (evidence = ? OR NOT EXISTS (SELECT 1 FROM"
             f" {table} s WHERE s.article_id = ? AND s.key = ? AND s.evidence = ?))")
    same = [correction["article_id"], correction["key"], correction["evidence"]]
    params = [*same, *same]
    if correction["kind"] == "verdict":
        db.execute(f"UPDATE {table} SET verdict = ? WHERE {where}",
                   [correction["verdict"], *params])
    elif correction["kind"] == "edit":
        changes = json.loads(correction["changes"])
        if "personnel" in changes:
            changes["personnel_text"] = None
        kept = ", ".join(f"'{column}', {column}" for column in _KEPT[table])
        sets = ", ".join(f"{column} = ?" for column in changes)
        db.execute(
            f"UPDATE {table} SET tagger_values = CASE WHEN origin = 'tagger' AND tagger_values"
            f" IS NULL THEN json_object({kept}) ELSE tagger_values END, {sets},"
            f" verdict = 'corrected', corrected_by = ? WHERE {where}",
            [*changes.values(), correction["id"], *params])
    else:  # add
        row = json.loads(correction["changes"])
        if table == "dyads":
            row["themes"] = "[]"
            row["published"] = db.execute("SELECT published FROM articles WHERE id = ?",
                                          [correction["article_id"]]).fetchone()[0]
        row |= {"article_id": correction["article_id"], "key": correction["key"],
                "origin": "analyst", "verdict": "added", "corrected_by": correction["id"],
                "rule": ANALYST_RULE}
        db.execute(f"INSERT INTO {table} ({', '.join(f'[{c}]' for c in row)})"
                   f" VALUES ({', '.join('?' * len(row))})", list(row.values()))
