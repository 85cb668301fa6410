"""Troop-posture events: who moves or holds forces where, how many, when, with what status."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

from . import themes
from .analysis import Ent, Sentence
from .dates import find_dates
from .gazetteer import DATA, Hit
from .model import Posture
from .personnel import figures
from .status import clause_bounds, status_of

_PLACE_WINDOW = 45  # a place this close after the verb, with no comma between, is where it happens
_FORCE_WINDOW = 100  # the verb must have troops (or a force, or a base) this close
_OBJECT_WINDOW = 30  # "sent fighter jets": equipment right after the verb is not a troop move
_BASE_AFTER, _BASE_BEFORE = 40, 50  # "close its base" / "the bases ... will be closed"
_STOCK_VERBS = ("deployed", "déployé", "déployés", "déployée", "déployées", "stationed")
# Between a force noun and 'deployed', these still describe a stock, not a movement.
_STOCK_AUX = ("", "had been", "are", "is", "remain", "remained", "sont", "étaient", "restent",
              "avaient été", "still", "would be", "are believed to be", "seraient", "serait",
              "sont toujours", "are still")
_POSSESSIVE = re.compile(r"\b(?:son|sa|ses|its|their|leur|leurs)\s+$")
_FILLERS = frozenset(("du", "de", "des", "d'", "of", "the", "la", "le", "les", "group", "groupe"))
_CHANGES = ("deploy", "withdraw", "handover", "base_open", "base_close")
# "Wagner n'est plus présent au Mali", "troops are no longer stationed": the force there is none.
_NO_LONGER = re.compile(r"\b(?:no longer|not any longer|n'(?:est|sont|y est|y sont)\s+plus|"
                        r"ne\s+(?:sont|est)\s+plus)\b(?:\s+\w+){0,2}\s*$")
_NO_LONGER_REACH = 30
# "au Niger, au Tchad et au Burkina Faso": countries listed together share one figure.
_LISTED = re.compile(r"\s*(?:,|and|et|or|ou)\s*(?:au|aux|en|in|à|the|le|la|l')?\s*")
_WITH = re.compile(r"\b(?:and|et|with|avec|alongside|aux côtés)\b|,")
# "the last French soldiers left", "les derniers soldats ont quitté": nobody remains.
_LAST = re.compile(
    r"\b(?:(?:the\s+)?(?:last|final)(?:\s+[\w-]+){0,3}?\s+(?:troops|soldiers|forces|contingent|"
    r"detachment|unit|elements|personnel|servicemen|service members)|"
    r"(?:les\s+|le\s+)?derni(?:ers|er|ères|ère)(?:\s+[\w'-]+){0,3}?\s+(?:soldats|militaires|"
    r"éléments|détachement|contingent|troupes|forces|hommes))\b")
ALL_LEFT = ":all-left"  # rule suffix of a withdrawal after which no force remains
_LAST_REACH = 60
# "4,300 troops in the Sahel, including 2,400 in Mali": the share named for a country is its
# force there.
_SHARE = re.compile(
    r"\b(?:including|of which|of whom|with|dont|parmi lesquels|y compris)\s+"
    r"(?:about\s+|some\s+|around\s+|nearly\s+|environ\s+|près de\s+|quelque\s+)?"
    r"(\d{1,3}(?:[,.\u202f\u00a0 ]\d{3})+|\d+)\s+(?:in|au|en|à)\s+(?:l'|la\s+|le\s+)?")


@dataclass(frozen=True, slots=True)
class _Candidate:
    event: Posture
    stated_date: bool
    cue: Hit


@lru_cache(maxsize=1)
def _posture_themes() -> dict[str, str]:
    with open(DATA / "cues.json", encoding="utf-8") as fh:
        return json.load(fh)["posture_themes"]


def extract(sentences: list[Sentence], lang: str, published: dt.date | None) -> list[Posture]:
    """Posture events of a document, one per (actor, country, action, date)."""
    found: list[_Candidate] = []
    last_partner: Ent | None = None
    prev: Sentence | None = None
    for s in sentences:
        if s.offtopic:
            prev = None
            continue
        if s.has("posture"):
            context = last_partner if s.has("anaphor_partner") or _same_paragraph(prev, s) else None
            found += _sentence_events(s, lang, published, context)
        partners = [p for p in s.partners() if not p.landmark]
        if partners:
            last_partner = partners[-1]
        prev = s
    return _merge(found)


def _same_paragraph(prev: Sentence | None, s: Sentence) -> bool:
    return (prev is not None and prev.field == s.field and bool(prev.partners())
            and "\n" not in s.text[prev.end:s.start])


def _force_near(s: Sentence, cue: Hit) -> bool:
    """Troops, a force, a base or an armed organisation within reach of the verb, and no
    equipment as its object ("sent fighter jets to Libya" moves arms, not troops)."""
    if _POSSESSIVE.match(s.folded, max(s.start, cue.start - 6), cue.start):
        return True  # "son retrait", "their withdrawal": the actor's own forces
    objects = [h for h in s.cues("force") + s.cues("theme")
               if 0 <= h.start - cue.end <= _OBJECT_WINDOW
               and (h.entry.cat == "force" or h.entry.value == "arms_transfer")]
    if objects and min(objects, key=lambda h: h.start).entry.cat != "force":
        return False
    for h in s.cues("force") + s.cues("base_nouns"):
        if _gap(h, cue) <= _FORCE_WINDOW:
            return True
    return any(_force_kind(e) in ("pmc", "mission", "operation") and _gap(e.hit, cue)
               <= _FORCE_WINDOW for e in s.actors())


def _someone_elses_force(s: Sentence, cue: Hit, actor: Ent, owner: str) -> bool:
    """The force right before the verb is another state's ("Britain trains soldiers in Kenya
    and supports Kenyan forces deploying to Somalia"): the move is theirs, not the actor's,
    unless the actor's force is named with it ("Wagner mercenaries and Malian troops
    deployed")."""
    before = [h for h in s.cues("force") if h.end <= cue.start
              and len(s.folded[h.end:cue.start].split()) <= 2]
    if not before:
        return False
    force = max(before, key=lambda h: h.end)
    for e in s.ents:
        if (e.role == "partner" and e.value != owner and e.end <= force.start
                and not s.folded[e.end:force.start].strip()):
            between = s.folded[actor.end:e.start] if actor.end <= e.start else None
            return not (between is not None and len(between.split()) <= 4
                        and _WITH.search(between))
    return False


def _gap(a: Hit, b: Hit) -> int:
    return max(a.start - b.end, b.start - a.end, 0)


def _sentence_events(s: Sentence, lang: str, published: dt.date | None,
                     last_partner: Ent | None) -> list[_Candidate]:
    actors = [e for e in s.actors() if _force_kind(e) != "company"]
    if not actors:
        return []
    partners = [p for p in s.partners() if not p.landmark]
    if not partners and last_partner is not None:
        partners = [last_partner]
    if not partners:
        return []
    out: list[_Candidate] = []
    seen: set[tuple[str, str, str]] = set()
    sentence = s.sentence
    for cue in s.cues("posture"):
        action = _action(s, cue)
        if action is None:
            continue
        actor = _pick_actor(s, actors, cue, lang)
        country = _nearest(partners, cue)
        owner = _owner(actor)
        if _someone_elses_force(s, cue, actor, owner):
            continue
        key = (owner, country.value, action)
        if key in seen or owner == country.value or not _force_near(s, cue):
            continue
        seen.add(key)
        first = min(actor.start, cue.start, country.start)
        last = max(actor.end, cue.end, country.end)
        lo, hi = clause_bounds(s, first, last, lang)
        status, status_rule = status_of(s.cues("status"), lo, hi, first, last)
        dates = _dates(s, published, status == "planned")
        date = min(dates, key=lambda d: abs(d[0] + s.start - cue.start))[1] if dates else None
        personnel, personnel_text, how = _personnel(s, cue, action, country, lang)
        place = _place(s, cue, country.value)
        rule = f"posture:{lang}:{action}:{cue.entry.form}{how}"
        if status_rule:
            rule += f"|{status_rule}"
        confidence = (0.55 + 0.1 * (personnel is not None) + 0.1 * (place is not None)
                      + 0.1 * bool(dates))
        out.append(_Candidate(Posture(
            actor=owner, country=country.value, action=action,
            personnel=personnel, personnel_text=personnel_text,
            place=place, date=(date or published).isoformat() if (date or published) else None,
            status=status, evidence=sentence, field=s.field, start=s.start, end=s.end,
            confidence=round(confidence, 2), rule=rule,
        ), bool(dates), cue))
    changed = {(c.event.actor, c.event.country) for c in out if c.event.action in _CHANGES}
    kept = [c for c in out if c.event.action != "present"
            or (c.event.actor, c.event.country) not in changed]
    for c in kept:
        # A presence that has ended ("no longer present") is a withdrawal, not a deployment.
        theme = ("troop_withdrawal" if c.event.personnel == 0 and c.event.action == "present"
                 else _posture_themes()[c.event.action])
        themes.add(s, theme, f"posture:{c.event.action}:{c.cue.entry.form}", c.cue.start,
                   c.cue.end, 0.7)
    return kept


def _personnel(s: Sentence, cue: Hit, action: str, country: Ent,
               lang: str) -> tuple[int | None, str | None, str]:
    """(personnel, its words, a rule suffix saying how it was read) for one event."""
    if action == "present":
        ended = _NO_LONGER.search(s.folded, max(s.start, cue.start - _NO_LONGER_REACH),
                                  cue.start)
        if ended:  # a presence that has ended is a force of none, which the force level plots
            return 0, s.text[ended.start():ended.end()].strip(), ":no-longer"
    share = _share(s, country)
    if share:
        return *share, ""
    figs = _figures(s, lang)
    if figs:
        fig = min(figs, key=lambda f: abs(f.start + s.start - cue.start))
        if _listed_with_others(s, country):  # a total for several countries is none of theirs
            return None, fig.text, ":shared"
        return fig.value, fig.text, ""
    remnant = _last_troops(s, cue) if action == "withdraw" else None
    if remnant:
        return None, remnant, ALL_LEFT
    return None, None, ""


def _listed_with_others(s: Sentence, country: Ent) -> bool:
    """The country is one of a list ("au Niger, au Tchad et au Burkina Faso")."""
    listed = sorted((e for e in s.partners() if not e.landmark), key=lambda e: e.start)
    for a, b in pairwise(listed):
        if a.value != b.value and _LISTED.fullmatch(s.folded, a.end, b.start) and (
                country.value in (a.value, b.value)):
            return True
    return False


def _last_troops(s: Sentence, cue: Hit) -> str | None:
    """The words naming the last of a force ("les derniers soldats") near a withdrawal verb,
    when the sentence is about the country: the last troops out of a base or a town
    ("les derniers ont quitté Tessalit") leave others elsewhere in the country."""
    if s.has("base_nouns") or any(e.place for e in s.partners()):
        return None
    lo, hi = max(s.start, cue.start - _LAST_REACH), min(s.end, cue.end + _LAST_REACH)
    m = _LAST.search(s.folded, lo, hi)
    return s.text[m.start():m.end()] if m else None


def _share(s: Sentence, country: Ent) -> tuple[int, str] | None:
    """The figure a sentence gives for this country as part of a larger force, if any."""
    for m in _SHARE.finditer(s.folded, s.start, country.start):
        if m.end() == country.start:
            return int(re.sub(r"\D", "", m.group(1))), s.text[m.start(1):country.end]
    return None


def _dates(s: Sentence, published: dt.date | None, future: bool) -> list:
    key = f"dates:{future}"
    if key not in s.memo:
        s.memo[key] = find_dates(s.folded[s.start:s.end], published, future)
    return s.memo[key]


def _figures(s: Sentence, lang: str) -> list:
    if "figures" not in s.memo:
        s.memo["figures"] = figures(s.sentence, lang)
    return s.memo["figures"]


def _force_kind(e: Ent) -> str | None:
    extra = e.hit.entry.extra
    return _first_of(extra) if extra else None


@cache
def _first_of(extra: str) -> str:
    """The force type heading an actor's 'extra' field (a handful of distinct values)."""
    return extra.split(",")[0]


def _owner(e: Ent) -> str:
    """A national operation's forces are its state's; a PMC or a mission keeps its own name."""
    if _force_kind(e) == "operation" and e.parent:
        return e.parent
    return e.value


def _action(s: Sentence, cue: Hit) -> str | None:
    action = cue.entry.value
    if cue.entry.extra == "needs_base" and not any(
        0 <= h.start - cue.end <= _BASE_AFTER or 0 <= cue.start - h.end <= _BASE_BEFORE
        for h in s.cues("base_nouns")
    ):
        return None
    if action == "deploy" and s.folded[cue.start:cue.end] in _STOCK_VERBS:
        before = [h for h in s.cues("force") if h.end <= cue.start]
        if before and _words_between(s, before[-1].end, cue.start) in _STOCK_AUX:
            return "present"  # "2,000 mercenaries deployed in the country": a stock, not a move
    return action


def _words_between(s: Sentence, start: int, end: int) -> str:
    """The words between two points, leaving out named entities ('soldats français sont')."""
    gap = s.folded[start:end]
    for e in s.ents:
        if start <= e.start and e.end <= end:
            gap = gap.replace(s.folded[e.start:e.end], " ", 1)
    return " ".join(w for w in gap.split() if w not in _FILLERS)


def _pick_actor(s: Sentence, actors: list[Ent], cue: Hit, lang: str) -> Ent:
    """The actor nearest the verb; if it is a state whose PMC or mission is also named in the
    verb's clause ("the Russian intervention ... paramilitaries from Wagner"), that force."""
    nearest = _nearest(actors, cue)
    lo, hi = clause_bounds(s, cue.start, cue.end, lang)
    forces = [e for e in actors if _force_kind(e) in ("pmc", "mission")
              and e.parent == nearest.value and lo <= e.start < hi]
    return _nearest(forces, cue) if forces else nearest


def _nearest(ents: list[Ent], cue: Hit) -> Ent:
    def distance(e: Ent) -> tuple[int, int]:
        gap = cue.start - e.end if e.end <= cue.start else e.start - cue.end
        return (abs(gap), 0 if e.end <= cue.start else 1)

    return min(ents, key=distance)


def _place(s: Sentence, cue: Hit, country: str) -> str | None:
    for e in s.partners():
        if e.place and e.value == country and 0 <= e.start - cue.end <= _PLACE_WINDOW:
            between = s.text[cue.end:e.start]
            if "," not in between and ";" not in between:
                return e.place
    return None


def _merge(found: list[_Candidate]) -> list[Posture]:
    """One event per (actor, country, action, date); an undated repeat joins a dated event."""
    dated = {(c.event.actor, c.event.country, c.event.action) for c in found if c.stated_date}
    out: dict[tuple, Posture] = {}
    for c in found:
        p = c.event
        base = (p.actor, p.country, p.action)
        if not c.stated_date and base in dated:
            continue
        key = (*base, p.date)
        if key not in out:
            out[key] = p
        elif out[key].personnel is None and p.personnel is not None:
            out[key] = p
    return list(out.values())
