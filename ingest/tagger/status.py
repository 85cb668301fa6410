"""Status of a statement (reported, planned, denied, hedged) from cues in its clause.

A cue only counts inside the clause that holds the statement, so "Russia denies it, but Mali
confirmed..." does not deny what Mali confirmed when the statement sits in the second clause.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache, lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING

from .dates import find_dates
from .gazetteer import ANY_CASE, DATA, Entry, Hit
from .text import by_initial

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
# "devrait"/"devraient" are left out: "les vols devraient débuter" says what is expected, a plan
# (a cue of cues.json), not doubt.
_CONDITIONAL = re.compile(r"\b(?!devrai)(?:\w{2,}(?:erai|irai)|serai|aurai|ferai|pourrai|voudrai|"
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


# "a businessman accused of meddling", "des mercenaires accusés de": a participle right after
# a noun describes that noun. Its doubt is about what the noun is accused of, which comes after
# it; a power named before it is not hedged by it. "X is accused of", "ont été accusés de" do
# hedge (an auxiliary before the participle).
_ATTRIBUTIVE = re.compile(r"(?:accus|suspect|soup[cç]onn|alleg)\w*")
_AUXILIARY = re.compile(r"\b(?:is|are|was|were|be|been|being|has|have|had|stands?|stood|widely|"
                        r"also|long|often|repeatedly|previously|est|sont|été|être|étaient|était|"
                        r"sera|seront|souvent|déjà|aussi|longtemps|a|ont|it|they|he|she|we|il|"
                        r"elle|ils|elles|on)\s+$")


def attributive_hedge(folded: str, h: Hit, agent_end: int) -> bool:
    """Whether the hedge ``h`` describes a noun after the power (which ends at ``agent_end``)."""
    return (h.entry.value == "hedged" and agent_end <= h.start
            and _ATTRIBUTIVE.match(folded, h.start) is not None
            and _AUXILIARY.search(folded, max(0, h.start - 16), h.start) is None
            and folded[max(0, h.start - 2):h.start].strip(" ") not in (",", ""))


# A capitalised "May" before a day or a year, or after a preposition of time, is the month:
# "was quoted on May 20" hedges nothing.
_MONTH_MAY = re.compile(r"May\s+\d|(?:\b(?:in|on|since|until|till|by|from|of|last|next|early|mid|"
                        r"late|through|before|after)\s+)May\b")


def drop_month_may(text: str, hits: list[Hit]) -> list[Hit]:
    """English hits without the hedge "may" where the word is the month."""
    return [h for h in hits if not (
        h.entry.cat == "status" and text[h.start:h.end] == "May"
        and (_MONTH_MAY.match(text, h.start) or _MONTH_MAY.search(text, max(0, h.start - 8),
                                                                 h.end)))]


# Statement-level rules, shared by posture events and dyads: they read the words right before
# the statement's verb, which the clause cues of status_of() cannot see.
_INTENT = re.compile(r"\b(?:" + by_initial([
    "agree[sd]?", "decided", "decides", "plans?", "planning", "intends?", "promised", "pledged",
    "vowed", "offered", "a accepté", "ont accepté", "a décidé", "ont décidé", "s'est engagée?",
    "se sont engagés", "a promis", "ont promis",
]) + r")\b(?:\s+[\w-]+){0,2}\s+(?:to|de|d'|à)\s+(?:[\w-]+\s+){0,2}$")
_AGREEMENT = re.compile(r"\b(?:agreement|accord|deal|pact|memorandum|convention|protocole)\b")
_ATTRIBUTED = re.compile(r",\s*(?:a|ont|a-t-il|a-t-elle|ont-ils|has|have)\s+(?:annoncé|"
                         r"announced)\b")
_ANNOUNCING = re.compile(r":(?:annon|announc)\w*$")
# French future tense of the verb itself ("mobilisera", "quitteront", "enverra"): a plan.
_FUTURE_FR = re.compile(r"\w{2,}(?:era|eront|ira|iront)$|^(?:sera|seront|enverra|enverront|"
                        r"ira|iront|fera|feront|devra|devront|viendra|viendront)$")


@lru_cache(maxsize=4096)
def _future_fr(verb: str) -> bool:
    """Whether a French verb is in the future tense (kept per word: a few verbs come back in
    every article)."""
    return _FUTURE_FR.search(verb) is not None


# Headline style, "Rwanda to send 1,000 troops", "Turkey to open base": a power, then "to" and
# the verb: a plan.
_HEADLINE_TO = re.compile(r"\s+to\s+$")
# "ending a presence", "rompre ses accords": announcing the end of something is the end.
_ENDING_WORDS = re.compile(r"\b(?:mettant fin|met fin|mis fin|mettre fin|rompre|rompt|romp\w*|"
                           r"an end to|ending|ended|end to|end its|end their)\b")


def refine(s: Sentence, lang: str, status: str, rule: str | None, lo: int, hi: int, verb: Hit,
           subject: int | None = None, ends: bool = False,
           opens_base: bool = False) -> tuple[str, str | None]:
    """The clause's status corrected by the words around the statement's verb.

    - "a annoncé" attributing a report, or announcing the end of something, is no plan;
    - an intention ("agreed to withdraw", "a décidé de"), a signed agreement for a base, a
      French future tense ("quitteront") or a headline "X to send" make a report a plan.
    ``subject`` is where the statement's power ends, for the headline form.
    """
    folded = s.folded
    if status == "planned" and _ANNOUNCING.search(rule or "") and (
            ends or _ATTRIBUTED.search(folded, verb.end, min(s.end, verb.end + 80))
            or _ENDING_WORDS.search(folded, lo, hi)):
        status, rule = "reported", None
    if status != "reported":
        return status, rule
    if _INTENT.search(folded, max(lo, verb.start - 40), verb.start) or (
            opens_base and _AGREEMENT.search(folded, lo, verb.start)):
        return "planned", "status:planned:intent"
    if lang == "fr" and _future_fr(folded[verb.start:verb.end]):
        return "planned", f"status:fr:planned:future:{verb.entry.form}"
    if (lang == "en" and subject is not None and subject <= verb.start
            and _HEADLINE_TO.fullmatch(folded, subject, verb.start)):
        return "planned", "status:en:planned:headline-to"
    return status, rule


def after_publication(status: str, rule: str | None, date: dt.date | None,
                      published: dt.date | None) -> tuple[str, str | None]:
    """A reported statement dated after the article was published is a plan."""
    if status == "reported" and published and date and date > published:
        return "planned", "status:date-after-publication"
    return status, rule


def sentence_dates(s: Sentence, published: dt.date | None,
                   future: bool = False) -> list[tuple[int, dt.date]]:
    """The dates of a sentence (offsets within it), found once per sentence."""
    key = f"dates:{future}"
    if key not in s.memo:
        s.memo[key] = find_dates(s.folded[s.start:s.end], published, future)
    return s.memo[key]


_STATEMENT_DATE_REACH = 110
_DIGIT = re.compile(r"\d")


def statement_status(s: Sentence, lang: str, lo: int, hi: int, first: int, last: int,
                     subject: int, published: dt.date | None) -> tuple[str, str | None]:
    """Status of a statement that has no single verb (a dyad): the clause's cues, refined at the
    theme or posture cue nearest the statement, and planned when that cue is dated after
    publication."""
    cues = [h for h in s.cues("status") if not attributive_hedge(s.folded, h, subject)]
    status, rule = status_of(cues, lo, hi, first, last)
    if status == "reported":
        if not _refinable(s, lang):
            return status, rule
    elif status != "planned" or not _ANNOUNCING.search(rule or ""):
        return status, rule  # refine() changes only reports and announced plans
    verb, gap = None, 0
    for h in _verbs(s):  # in text order: the first of the nearest
        if h.start >= hi:
            break
        if h.start >= lo:
            d = max(h.start - last, first - h.end, 0)
            if verb is None or d < gap:
                verb, gap = h, d
    if verb is None:
        return status, rule
    status, rule = refine(s, lang, status, rule, lo, hi, verb, subject)
    if status == "reported" and published and _DIGIT.search(s.folded, lo, hi):
        # a date after publication needs a day or a year: "in March" alone is the last March
        near = [(abs(s.start + at - verb.start), d) for at, d in sentence_dates(s, published)
                if lo <= s.start + at < hi]
        near = [x for x in near if x[0] <= _STATEMENT_DATE_REACH]
        if near:
            status, rule = after_publication(status, rule, min(near)[1], published)
    return status, rule


def _refinable(s: Sentence, lang: str) -> bool:
    """Whether a report in this sentence could be refined (computed once per sentence): in
    English, refine() needs a "to" (an intention, "agreed to withdraw", or a headline, "Rwanda to
    send") or a digit (a date after publication); most sentences have neither."""
    found = s.memo.get("refinable")
    if found is None:
        found = (lang != "en" or " to " in s.folded[s.start:s.end]
                 or _DIGIT.search(s.folded, s.start, s.end) is not None)
        s.memo["refinable"] = found
    return found


def _verbs(s: Sentence) -> list[Hit]:
    """The posture and theme cues of a sentence, the verbs a dyad's status is refined at."""
    found = s.memo.get("verbs")
    if found is None:
        found = sorted(s.cues("posture") + s.cues("theme"), key=_START)
        s.memo["verbs"] = found
    return found


_START = attrgetter("start")


def combine(statuses: list[str]) -> str:
    """Status of a fact seen several times: any plain report wins, then plan, hedge, denial."""
    for s in ("reported", "planned", "hedged", "denied"):
        if s in statuses:
            return s
    return "reported"
