"""Dates in a sentence, resolved against the article's date.

A handful of compiled patterns over the folded sentence; dateparser's search is two orders of
magnitude too slow for a per-sentence pass. A month or year alone resolves to its first day.
"""

from __future__ import annotations

import datetime as dt
import re

from .text import by_initial

_MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "february": 2, "feb": 2, "fevrier": 2, "février": 2,
    "march": 3, "mar": 3, "mars": 3, "april": 4, "apr": 4, "avril": 4, "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juin": 6, "july": 7, "jul": 7, "juillet": 7, "august": 8, "aug": 8,
    "aout": 8, "août": 8, "september": 9, "sept": 9, "sep": 9, "septembre": 9, "october": 10,
    "oct": 10, "octobre": 10, "november": 11, "nov": 11, "novembre": 11, "december": 12,
    "dec": 12, "decembre": 12, "décembre": 12,
}


_M = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH = by_initial(_M.split("|"))
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
             "saturday": 5, "sunday": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3,
             "vendredi": 4, "samedi": 5, "dimanche": 6}
_WD = "|".join(_WEEKDAYS)
_WEEKDAY = by_initial(_WD.split("|"))
_DAY = r"(\d{1,2})(?:st|nd|rd|th|er)?"
_YEAR = r"((?:19|20)\d{2})"
_BEFORE_MONTH = (r"in|en|since|depuis|until|jusqu'en|early|late|mid|by|d[eè]s|fin|d[ée]but|mi-?|"
                 r"last|this|next|end of|beginning of")
_BEFORE_YEAR = (r"in|en|since|depuis|until|jusqu'en|early|late|by|d[eè]s|fin|d[ée]but|end of|"
                r"beginning of|of|from|de|between|entre|and|et|mid-?")
_UNIT = r"month|year|week|mois|ann[ée]e|an|semaine"
# "ten years ago", "il y a deux ans": counted back from the article's date.
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
           "fifteen": 15, "twenty": 20, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4,
           "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
           "quinze": 15, "vingt": 20}
_COUNT = r"\d{1,2}|" + by_initial(sorted(_COUNTS, key=len, reverse=True))
_AGO_UNIT = r"years?|months?|weeks?|ans?|ann[ée]es?|mois|semaines?"
_TAIL = r"dernier|derni[eè]re|pass[ée]e?|prochaine?|-ci"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("mdy", re.compile(rf"\b({_MONTH})\.?\s+{_DAY},?\s+{_YEAR}\b")),
    ("dmy", re.compile(rf"\b{_DAY}\s+({_MONTH})\.?,?\s+{_YEAR}\b")),
    ("my", re.compile(rf"\b({_MONTH})\.?,?\s+(?:of\s+)?{_YEAR}\b")),
    ("md", re.compile(rf"\b(?:on\s+|since\s+)({_MONTH})\.?\s+{_DAY}\b(?!\s*,?\s*\d)")),
    ("dm", re.compile(rf"\b(?:le\s+|on\s+(?:the\s+)?|depuis\s+le\s+|(?:{_WEEKDAY}),?\s+)"
                      rf"{_DAY}\s+(?:of\s+)?({_MONTH})\b(?!\.?,?\s+\d)")),
    ("m", re.compile(rf"\b(?:{by_initial(_BEFORE_MONTH.split('|'))})\s+(?:d'|de\s+)?({_MONTH})\b"
                     rf"(?!\.?\s*\d)")),
    ("y", re.compile(rf"\b(?:{by_initial(_BEFORE_YEAR.split('|'))})\s+{_YEAR}\b")),
    ("rel", re.compile(rf"\b(last|next|this|le|la|l'|ce|cette)\s*({_UNIT})(\s+(?:{_TAIL}))?\b")),
    ("day", re.compile(r"\b(yesterday|today|hier|aujourd'hui)\b")),
    # "on Thursday", "a annoncé jeudi": the last such day up to the article's (next, if planned)
    ("wd", re.compile(rf"\b({_WEEKDAY})\b(?!,?\s+(?:\d|the\s+\d))")),
    ("ago", re.compile(rf"\b({_COUNT})\s+({_AGO_UNIT})\s+ago\b")),
    ("ilya", re.compile(rf"\bil\s+y\s+a\s+({_COUNT})\s+({_AGO_UNIT})\b")),
]


def _month_year(month: int, ref: dt.date | None, future: bool) -> int | None:
    if ref is None:
        return None
    if future:
        return ref.year if month >= ref.month else ref.year + 1
    return ref.year if month <= ref.month else ref.year - 1


def _relative(g: tuple, ref: dt.date | None) -> dt.date | None:
    if ref is None:
        return None
    word, unit, tail = g[0], g[1], (g[2] or "").strip()
    step = 0
    if word in ("last",) or tail.startswith(("dern", "pass")):
        step = -1
    elif word == "next" or tail.startswith("proch"):
        step = 1
    elif word in ("this", "ce", "cette") or tail == "-ci":
        step = 0
    else:
        return None
    if unit in ("month", "mois"):
        total = ref.year * 12 + ref.month - 1 + step
        return dt.date(total // 12, total % 12 + 1, 1)
    if unit in ("year", "an", "année", "annee"):
        return dt.date(ref.year + step, 1, 1)
    return ref + dt.timedelta(days=7 * step)


def _back(count: int, unit: str, ref: dt.date | None) -> dt.date | None:
    """``count`` units before ``ref``, to the precision the phrase gives (a year: its first day)."""
    if ref is None:
        return None
    if unit.startswith(("year", "an")):
        return dt.date(ref.year - count, 1, 1)
    if unit.startswith(("month", "mois")):
        total = ref.year * 12 + ref.month - 1 - count
        return dt.date(total // 12, total % 12 + 1, 1)
    return ref - dt.timedelta(days=7 * count)


_ANCHOR_WORDS = (rf"{_M}|month|year|week|mois|an|ann[ée]e|semaine|yesterday|today|hier|aujourd|"
                 rf"ago|ans|{_WD}")


def _initials(*alternations: str) -> str:
    """A lookahead on the first characters a match can start with (a digit or the first letter
    of a word of the alternations): the engine skips other positions after one test instead of
    trying every alternative there."""
    words = "|".join(alternations).split("|")
    return "(?=[\\d" + "".join(sorted({re.escape(w[0]) for w in words})) + "])"


_ANCHOR = re.compile(rf"\b{_initials(_ANCHOR_WORDS)}"
                     rf"(?:\d{{1,4}}|{by_initial(_ANCHOR_WORDS.split('|'))})\b")
# Every pattern starts at a word boundary with a digit, a month or one of these words.
_STARTS = _initials(_M, _BEFORE_MONTH, _BEFORE_YEAR, "on|since|le|depuis",
                    "last|next|this|le|la|l'|ce|cette", "yesterday|today|hier|aujourd'hui",
                    "|".join(_COUNTS), "il", _WD)
_ALL = re.compile(rf"\b{_STARTS}(?:"
                  + "|".join(f"(?P<{kind}>{p.pattern})" for kind, p in _PATTERNS) + ")")
_GROUP_OF = {kind: _ALL.groupindex[kind] for kind, _ in _PATTERNS}
_WIDTH = {kind: p.groups for kind, p in _PATTERNS}


def find_dates(folded: str, ref: dt.date | None, future: bool = False) -> list[tuple[int, dt.date]]:
    """(position, date) for each date expression in a lower-cased sentence, in one regex pass;
    at one position the more complete form (day, month and year) wins."""
    out: list[tuple[int, dt.date]] = []
    for lo, hi in _windows(folded):  # only look around a month, a number or 'month'
        for m in _ALL.finditer(folded, lo, hi):
            kind = m.lastgroup
            first = _GROUP_OF[kind]
            value = _resolve(kind, m.groups()[first:first + _WIDTH[kind]], m, ref, future)
            if value is not None:
                out.append((m.start(), value))
    return out


def _windows(folded: str) -> list[tuple[int, int]]:
    """Merged stretches of text around date anchors, wide enough for 'since the beginning of'."""
    out: list[tuple[int, int]] = []
    for a in _ANCHOR.finditer(folded):
        lo, hi = max(0, a.start() - 24), min(len(folded), a.end() + 24)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _resolve(kind: str, g: tuple, m: re.Match[str], ref: dt.date | None,
             future: bool) -> dt.date | None:
    try:
        if kind == "mdy":
            return dt.date(int(g[2]), _MONTHS[g[0]], int(g[1]))
        if kind == "dmy":
            return dt.date(int(g[2]), _MONTHS[g[1]], int(g[0]))
        if kind == "my":
            return dt.date(int(g[1]), _MONTHS[g[0]], 1)
        if kind in ("md", "dm"):
            month, day = (_MONTHS[g[0]], int(g[1])) if kind == "md" else (_MONTHS[g[1]], int(g[0]))
            year = _month_year(month, ref, future)
            return dt.date(year, month, day) if year else None
        if kind == "m":
            month = _MONTHS[g[0]]
            year = _month_year(month, ref, future)
            return dt.date(year, month, 1) if year else None
        if kind == "y":
            return dt.date(int(g[0]), 1, 1)
        if kind == "rel":
            return _relative(g, ref)
        if kind in ("ago", "ilya"):
            return _back(int(g[0]) if g[0].isdigit() else _COUNTS[g[0]], g[1], ref)
        if kind == "wd" and ref is not None:
            back = (ref.weekday() - _WEEKDAYS[g[0]]) % 7
            return ref + dt.timedelta(days=(7 - back) % 7) if future else ref - dt.timedelta(
                days=back)
        if kind == "day" and ref is not None:
            return ref - dt.timedelta(days=1) if g[0] in ("yesterday", "hier") else ref
    except ValueError:
        return None
    return None


def parse_published(value: str | dt.date | dt.datetime | None) -> dt.date | None:
    """The article date from an ISO string or a date; None when absent or unreadable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None
