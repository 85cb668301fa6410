"""Human labels for the tagger's ids: one mapping, used on screen, in charts and in exports.

The ids (``troop_withdrawal``, ``withdraw``, ``hedged``) stay what is stored, filtered on and
exported; an analyst reads the labels. Exports carry both: a ``*_label`` column beside each
id column, so a report can quote the label and a script can still join on the id.
"""

from __future__ import annotations

import re

from ingest.tagger.model import ACTIONS, STATUSES, THEMES

THEME_LABELS: dict[str, str] = {
    "military_cooperation": "Military cooperation",
    "pmc": "Private military companies",
    "arms_transfer": "Arms transfers",
    "training": "Training",
    "troop_deployment": "Troop deployment",
    "troop_withdrawal": "Troop withdrawal",
    "base": "Military bases",
    "diplomacy": "Diplomacy",
    "economic": "Economic ties",
    "information": "Information and media",
    "security_incident": "Security incidents",
}
ACTION_LABELS: dict[str, str] = {
    "deploy": "Deployment",
    "withdraw": "Withdrawal",
    "handover": "Handover",
    "base_open": "Base opened",
    "base_close": "Base closed",
    "present": "Presence",
}
STATUS_LABELS: dict[str, str] = {
    "reported": "Reported",
    "planned": "Planned",
    "denied": "Denied",
    "hedged": "Hedged",
}
IDS = {"theme": THEMES, "action": ACTIONS, "status": STATUSES}  # tests: every id has a label

# Which columns hold which ids, wherever rows come from (queries, aggregates, exports).
COLUMNS: dict[str, dict[str, str]] = {
    "themes": THEME_LABELS, "theme": THEME_LABELS,
    "action": ACTION_LABELS, "status": STATUS_LABELS,
}
_THEME_IDS = re.compile(r"\b(" + "|".join(sorted(THEME_LABELS, key=len, reverse=True)) + r")\b")


def theme(value: str) -> str:
    return THEME_LABELS.get(value, value)


def action(value: str) -> str:
    """A posture action's label; an event's action may also be a theme (a partnership event
    takes its leading theme) or ``partnership``."""
    return ACTION_LABELS.get(value) or THEME_LABELS.get(value) or (
        "Partnership" if value == "partnership" else value)


def status(value: str) -> str:
    return STATUS_LABELS.get(value, value)


def themes_text(text: str | None) -> str | None:
    """A list of theme ids as stored or gathered ("pmc; training", "pmc (2), base (1)") with
    each id read as its label; the separators and counts stay."""
    return _THEME_IDS.sub(lambda m: THEME_LABELS[m.group(1)], text) if text else text


def value_label(column: str, value: object) -> object:
    """The label of ``value`` in ``column``; anything unknown (or not text) as it is."""
    if not isinstance(value, str) or column not in COLUMNS:
        return value
    if column in ("themes", "theme"):
        return themes_text(value)
    return action(value) if column == "action" else COLUMNS[column].get(value, value)


def described(target: str, what: str) -> str:
    """An article's tag or event as listed ("theme: pmc", "Russia in Mali: withdraw (200)")
    with its theme or action read as a label."""
    if target == "tag" and what.startswith("theme: "):
        return "theme: " + theme(what[len("theme: "):])
    if target == "posture":
        head, sep, tail = what.rpartition(": ")
        name, _, figure = tail.partition(" ")
        return f"{head}{sep}{action(name)}" + (f" {figure}" if figure else "") if sep else what
    return what


def shown(row: dict) -> dict:
    """The row for the screen: ids replaced by their labels."""
    return {key: value_label(key, value) for key, value in row.items()}


def label_columns(columns: list[str]) -> list[str]:
    """``columns`` with ``<column>_label`` right after each labelled one."""
    out: list[str] = []
    for column in columns:
        out.append(column)
        if column in COLUMNS and f"{column}_label" not in columns:
            out.append(f"{column}_label")
    return out


def with_labels(row: dict) -> dict:
    """The row for an export: each id column followed by its ``*_label`` column. A ``status``
    that is no tagger status (a run's ``ok``) gets none: it is not one of these ids."""
    out: dict = {}
    for key, value in row.items():
        out[key] = value
        if key in COLUMNS and (key != "status" or value is None or value in STATUS_LABELS):
            out[f"{key}_label"] = value_label(key, value)
    return out
