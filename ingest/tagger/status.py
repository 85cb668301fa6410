"""Status of a statement (reported, planned, denied, hedged) from cues in its clause.

A cue only counts inside the clause that holds the statement, so "Russia denies it, but Mali
confirmed..." does not deny what Mali confirmed when the statement sits in the second clause.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import TYPE_CHECKING

from .gazetteer import ANY_CASE, DATA, Entry, Hit

if TYPE_CHECKING:
    from .analysis import Sentence

# A denial outranks a hedge, which outranks a plan: "reportedly denied" is a denial.
_RANK = {"denied": 3, "hedged": 2, "planned": 1}


@cache
def _clause_pattern(lang: str) -> re.Pattern[str]:
    with open(DATA / "cues.json", encoding="utf-8") as fh:
        marks = json.load(fh)["clause"][lang]
    return re.compile("|".join(re.escape(m) for m in marks), re.IGNORECASE)


def clause_bounds(s: Sentence, start: int, end: int, lang: str) -> tuple[int, int]:
    """The span of the clauses covering [start, end) inside sentence s."""
    marks = s.memo.get("clauses")
    if marks is None:
        marks = [m.span() for m in _clause_pattern(lang).finditer(s.folded, s.start, s.end)]
        s.memo["clauses"] = marks
    left, right = s.start, s.end
    for m_start, m_end in marks:
        if m_end <= start:
            left = m_end
        elif m_start >= end:
            right = m_start
            break
    return left, right


# French conditional, third person ("chercherait", "fourniraient"): reported speech with doubt.
# ("retirait", the imperfect of retirer, is a rare false hit; "déclarait" is not caught.)
_CONDITIONAL = re.compile(r"\b(?:\w{2,}(?:erai|irai)|serai|aurai|ferai|pourrai|devrai|voudrai|"
                          r"faudrai|viendrai|tiendrai|enverrai|saurai)(?:t|ent)\b")
_CONDITIONAL_ENTRY = Entry("status", "hedged", "status:fr:hedged:conditional", "-rait", ANY_CASE,
                           False)


# Every conditional ends a word this way; a literal search finds these endings quickly.
_CONDITIONAL_END = re.compile(r"rai(?:t|ent)\b")


def _conditionals(folded: str) -> list[re.Match[str]]:
    """The matches of _CONDITIONAL.finditer(folded), trying the pattern only at the start of the
    words that end in -rait/-raient (a match is always one whole word) instead of at every
    word, where its backtracking makes it the slowest step of a French document."""
    found: list[re.Match[str]] = []
    for end in _CONDITIONAL_END.finditer(folded):
        start = end.start()
        while start and (folded[start - 1].isalnum() or folded[start - 1] == "_"):  # \w
            start -= 1
        m = _CONDITIONAL.match(folded, start)
        if m:
            found.append(m)
    return found


def conditional_hits(folded: str, hits: list[Hit]) -> list[Hit]:
    """Add a hedge cue for each French verb in the conditional, keeping hits in text order."""
    extra = [Hit(m.start(), m.end(), _CONDITIONAL_ENTRY) for m in _conditionals(folded)]
    if not extra:
        return hits
    return sorted(hits + extra, key=lambda h: h.start)


_BEFORE, _AFTER = 40, 20  # reach of a plan or denial cue around the statement


def status_of(cues: list[Hit], lo: int, hi: int, first: int | None = None,
              last: int | None = None) -> tuple[str, str | None]:
    """(status, rule) from the status cues of a clause [lo, hi).

    A hedge anywhere in the clause counts ('..., according to sources'); a plan or a denial only
    near the statement spanning [first, last) when that span is given.
    """
    best, rule = "reported", None
    near_lo = max(lo, first - _BEFORE) if first is not None else lo
    near_hi = min(hi, last + _AFTER) if last is not None else hi
    for h in cues:
        if h.entry.value not in _RANK or not lo <= h.start < hi:
            continue
        if h.entry.value != "hedged" and not near_lo <= h.start < near_hi:
            continue
        if best == "reported" or _RANK[h.entry.value] > _RANK[best]:
            best, rule = h.entry.value, h.entry.rule
    return best, rule


def combine(statuses: list[str]) -> str:
    """Status of a fact seen several times: any plain report wins, then plan, hedge, denial."""
    for s in ("reported", "planned", "hedged", "denied"):
        if s in statuses:
            return s
    return "reported"
