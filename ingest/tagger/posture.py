"""Troop-posture events: who moves or holds forces where, how many, when, with what status."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from itertools import pairwise

from . import themes
from .analysis import Ent, Sentence
from .gazetteer import DATA, Hit
from .model import Posture
from .personnel import figures
from .status import after_publication, clause_bounds, refine, sentence_dates, status_of
from .text import after_boundary, by_initial

_PLACE_WINDOW = 45  # a place this close after the verb, with no comma between, is where it happens
_FORCE_WINDOW = 100  # the verb must have troops (or a force, or a base) this close
_OBJECT_WINDOW = 30  # "sent fighter jets": equipment right after the verb is not a troop move
_BASE_AFTER, _BASE_BEFORE = 40, 50  # "close its base" / "the bases ... will be closed"
_STOCK_VERBS = ("deployed", "déployé", "déployés", "déployée", "déployées", "stationed")
# Participles that describe a force where it is ("troupes françaises présentes au Niger",
# "soldiers based in Chad"): beside a departure, the force that was there until it left.
_DESCRIBING = (*_STOCK_VERBS, "present", "présent", "présents", "présente", "présentes",
               "based in", "based at", "basés", "basée", "basées", "stationné", "stationnés",
               "stationnée", "stationnées")
# Between a force noun and 'deployed', these still describe a stock, not a movement.
_STOCK_AUX = ("", "had been", "are", "is", "are also", "is also", "also", "remain", "remained",
              "sont", "sont aussi", "sont également", "étaient", "restent",
              "avaient été", "still", "would be", "are believed to be", "seraient", "serait",
              "sont toujours", "are still")
_POSSESSIVE = re.compile(r"\b(?:son|sa|ses|its|their|leur|leurs)\s+$")
_FIRST = re.compile(r"\bfirst\s+$")
_FIRST_FR = re.compile(r"(?:\s+[\w'-]+){0,3}?\s+pour la première fois\b")
_SINCE = re.compile(r"(?:\s+[\w'-]+){0,4}?\s+(?:since|depuis)\b")
_FILLERS = frozenset(("du", "de", "des", "d'", "of", "the", "la", "le", "les", "group", "groupe"))
_CHANGES = ("deploy", "withdraw", "handover", "base_open", "base_close")
_DEPARTURES = ("withdraw", "handover", "base_close")
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
_LAST_REACH = 100
# "4,300 troops in the Sahel, including 2,400 in Mali": the share named for a country is its
# force there.
_SHARE = re.compile(
    "(?:" + after_boundary("including", "of which", "of whom", "with", "dont", "parmi lesquels",
                           "y compris") + r")\s+"
    r"(?:about\s+|some\s+|around\s+|nearly\s+|environ\s+|près de\s+|quelque\s+)?"
    r"(\d{1,3}(?:[,.\u202f\u00a0 ]\d{3})+|\d+)\s+(?:in|au|en|à)\s+(?:l'|la\s+|le\s+)?")


# "mettant fin à neuf ans de présence", "ending France's military presence": the presence is over.
_ENDING = re.compile(r"\b(?:mettant fin|met fin|mis fin|mettre fin|fin (?:officielle )?d(?:e|es|u)|"
                     r"fin officielle|clôt|"
                     r"clôture|clôturant|an end to|ending|ended|ends|end of|closes|closing)\b")
_PRESENCE = re.compile(r"\b(?:presence|présence)\b")
_ENDING_REACH = 90
_LOCAL = re.compile(r"(?:\s+[\w'-]+){0,3}?\s+(?:in|at|à|au|dans)\s+(?:the\s+|la\s+|le\s+|l')?"
                    r"(?:[\w'-]+\s+){0,2}(?:city|town|ville|base|camp|cité|garrison|garnison)\b")
# "completed the withdrawal", "le retrait sera achevé": nobody remains.
_COMPLETED = re.compile(r"\b(?:complet(?:ed|es|e|ing)|achev(?:é|ée|er|e|ant)|termin(?:é|ée|er))\b")
_COMPLETED_REACH = 25
# A verb's place: "to Mali", "from Niger", "au Mali", "en Centrafrique", "at Tartus".
_LOCATIVE = re.compile(r"(?:\b(?:" + by_initial([
    "in", "into", "to", "from", "out of", "at", "inside", "within", "across", "au", "aux", "en",
    "dans", "du", "des", "de", "vers", "depuis",
]) + r")|\bà|\bd'|\bl')\s*(?:the\s+|le\s+|la\s+|l')?$")
# "in neighbouring Djibouti", "into northern Mali": an adjective between locative and place
_COMPASS = ("neighbouring ", "neighboring ", "northern ", "southern ", "eastern ", "western ",
            "central ")
_LOCATIVE_REACH = 90
_REGION_REACH = 45  # "4,300 troops in the Sahel": a region right after the verb is where
# "Western governments led by France say the deployment...": the speaker does not move.
_PAST_STOCK = re.compile(r"\b(?:had been|had|avaient été|avait été|étaient|était)\s+$")
# "Russian fighter jets arrived", "ces engins déployés à Mopti": equipment as the verb's subject
# moves arms, not troops (arms_transfer, not deploy).
_EQUIPMENT = re.compile(r"\b(?:" + by_initial([
    "jets?", "aircraft", "airplanes?", "planes?", "warplanes?", "drones?", "uavs?", "ucavs?",
    "helicopters?", "mohajer-6s?", "tb2s?", "bayraktars?", "avions?", "engins", "appareils",
    "hélicoptères?", "blindés",
]) + r")\b")
_EQUIPMENT_REACH = 45
# "bring an end to", "brought to an end": no one is brought anywhere.
_BRING_END = re.compile(r"\s+(?:to\s+)?an\s+end\b")
# "an insurgency has left thousands dead", "réduit en cendres": no force leaves or shrinks.
_NOT_DEPARTURE = re.compile(
    r"\s+(?:(?:more than|over|at least|some|about|nearly|plus de|des)\s+)?"
    r"(?:\d[\d,. ]*|dozens|hundreds|thousands|millions|scores|many|much|it|them|des centaines|"
    r"des milliers)(?:\s+of)?(?:\s+\w+)?\s+(?:dead|killed|displaced|homeless|injured|wounded|"
    r"without|in ruins|morts|déplacés)\b|\s+(?:en|to)\s+(?:cendres|ruines|ashes|rubble|"
    r"silence)\b")
# "l'arrivée au pouvoir du général Tiani", "came to power": a ruler arrives, no force.
_TO_POWER = re.compile(r"\s+(?:au\s+pouvoir|to\s+power|in\s+power)\b")
# "near the end of his term", "fin de son mandat": a term ends, not a presence ("by the end
# of the year" dates a departure, so calendar words stay out).
_END_OF_TIME = re.compile(r"\s+(?:(?:his|her|its|their|the|this|that|son|sa|ses|leur|l['’]|"
                          r"la|le)\s+)?"
                          r"(?:\w+\s+)?(?:term|mandate|mandat|presidency|présidence|war|guerre|"
                          r"talks|négociations|season|saison)\b")
_END_CUES = ("end of", "fin de", "ending", "ended", "an end to")
# "à partir de la mi-juillet": from a date on, nobody leaves.
_FROM_DATE = re.compile(r"\bà\s+$")
# "20,000 foreign fighters who show no sign of leaving Libya": they stay.
_NO_SIGN = re.compile(r"\b(?:no\s+sign\s+of|aucun\s+signe\s+de|refus\w*\s+(?:to|de))\s+$")
# "the minister, present at the inauguration": a person attending, not a force present.
_ATTENDING = re.compile(r"\b(?:minist(?:er|re)|president|président|ambassad(?:or|eur)|general|"
                        r"général|chef|chief|secretary|secrétaire|envoy|envoyé|délégation|"
                        r"delegation)\b[^.;]{0,20}$")
_AT_EVENT = re.compile(r"\s+(?:à|at|lors|during|au cours|for)\b")
# "Paris will reduce its contingents ... and the process has already begun": under way, so
# reported.
_UNDER_WAY = re.compile(r"\b(?:(?:has|have)\s+already\s+(?:begun|started)|"
                        r"(?:process|withdrawal|pull-out|reduction|deployment)\s+"
                        r"(?:has|have)\s+(?:already\s+)?(?:begun|started)|"
                        r"(?:a|ont)\s+déjà\s+(?:commencé|débuté)|est\s+déjà\s+en\s+cours)\b")
# "La France n'écarte pas un départ", "does not rule out a withdrawal": considered, not done.
_NOT_RULED_OUT = re.compile(r"\b(?:n['’](?:écarte|exclut|excluent|écartent)\s+pas|"
                            r"(?:does|do|did)\s+not\s+rule\s+out|not\s+ruling\s+out|"
                            r"n['’]a\s+pas\s+(?:exclu|écarté))\b[^.;]{0,40}$")
# "aura pour conséquence le départ", "will result in the withdrawal": a consequence to come.
_WILL_RESULT = re.compile(r"\b(?:aura|auront)\s+pour\s+(?:conséquence|effet)|"
                          r"\bentraîner(?:a|ont)\b|\bwill\s+(?:result\s+in|lead\s+to|mean)\b")
_WILL_RESULT_REACH = 50
# "avaient annoncé que le nombre de soldats serait réduit": a conditional reporting an
# announcement is the announced plan, not a hedge.
_ANNOUNCED_THAT = re.compile(r"\b(?:annonc\w*|déclar\w*|indiqu\w*|announc\w*|said|stated)\s+"
                             r"(?:que|qu['’]|that)\b")
_CONDITIONAL = re.compile(r"\b(?:serait|seraient|would)\b")
# "ce qui porte le nombre des militaires ayant quitté le pays à 284", "bringing the total to
# 1,346": the cumulative figure is the document's one event's.
_CUMULATIVE = re.compile("(?:" + after_boundary("porte", "portant", "porter", "bringing", "brings",
                                                 "brought") + r")\s+(?:le\s+nombre|"
                         r"le\s+total|l['’]effectif|the\s+total|the\s+number)\b[^.;]{0,80}?"
                         r"\b(?:à|to)\s+(\d{1,3}(?:[,.\u202f\u00a0 ]\d{3})+|\d+)\b")
# "5 officers and 170 instructors": one force in two parts, counted together.
_AND_FIGURE = re.compile(r"(?:\s+[\w-]+)?\s*(?:,\s*)?(?:and|et)\s*$")

# "an event long before the article, told as background, is not news": a change its clause
# dates more than this many calendar years before publication is history. The labelling guide
# says "about a year"; three keeps a recent precedent told as the story's cause (and a month
# or a year alone resolves to its first day, which ages it).
_HISTORY_YEARS = 3
# Between a date and the verb it dates: no clause break ("began in 2013 ..., but has been asked
# to leave", "retirer ses forces ..., en dénonçant l'accord de 2018").
_DATE_BREAK = re.compile(";|:|,|" + after_boundary("but", "mais", "while", "alors que", "after",
                                                     "après", "before", "avant", then=r"\b"))
# "more troops to join the 2,500 soldiers currently there": the figure is the stock they join.
_JOINED = re.compile(r"\b(?:join|joining|joined|reinforce|reinforcing|rejoindre|rejoignent|"
                     r"renforcer|s['’]ajout\w+\s+aux|en plus des)\s+(?:the\s+|les\s+|"
                     r"aux\s+)?(?:\w+\s+){0,2}$")

@dataclass(frozen=True, slots=True)
class _Candidate:
    event: Posture
    stated_date: bool
    cue: Hit
    history: bool = False  # a change the sentence dates years before the article


@cache
def _missions() -> dict[str, str]:
    """{mission: its international organisation} from the actor list (MINUSMA: United
    Nations). A state's task force (Takuba) is left out: its state keeps its own events."""
    with open(DATA / "actors.json", encoding="utf-8") as fh:
        actors = json.load(fh)["actors"]
    orgs = {a["name"] for a in actors if a["type"] == "org"}
    return {a["name"]: a["parent"] for a in actors
            if a.get("force") == "mission" and a.get("parent") in orgs}


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
    events = _merge([c for c in found if not _history(c, published)])
    return _after_departures(_missions_for_parents(events))


def _missions_for_parents(events: list[Posture]) -> list[Posture]:
    """"UN peacekeepers", "the UN mission in Mali": where the document gives one of an
    organisation's missions a move or stock in a country, the organisation's own events
    there are that mission's (MINUSMA, not the United Nations, handed over its last camp)."""
    missions = _missions()
    mission = {(missions[p.actor], p.country): p.actor for p in events if p.actor in missions}
    if not mission:
        return events
    return [replace(p, actor=mission[p.actor, p.country], rule=p.rule + ":mission")
            if (p.actor, p.country) in mission else p for p in events]


def _history(c: _Candidate, published: dt.date | None) -> bool:
    """A change its own clause dates years before the article ("the first deployment of US
    troops to Niger was in 2013", "In 2017, Turkey set up its base") is background told as
    history, not an event of the article. A stock is not: "stationed there since 1960" says
    they are there now."""
    if not (c.history and published and c.event.date and c.event.action in _CHANGES):
        return False
    return published.year - int(c.event.date[:4]) > _HISTORY_YEARS


def _after_departures(events: list[Posture]) -> list[Posture]:
    """Once a document says the last of a force left a country, a stock of that force there
    without a figure of its own ("French forces had been based in Ouallam"), or dated after the
    departure, is history: dropped, so no same-day presence contradicts the departure. A past
    stock ("About 1,500 French troops had been deployed") is the force the day before it left,
    unless the departure carries that figure itself ("completed the withdrawal of the 1,500
    soldiers it had stationed"): a presence dated then would raise a level that earlier
    reports of the pull-out had already brought down."""
    left: dict[tuple[str, str], tuple[str, bool]] = {}
    for p in events:
        if p.action == "withdraw" and ALL_LEFT in p.rule and p.status == "reported":
            day, counted = left.get((p.actor, p.country), ("", False))
            left[p.actor, p.country] = (max(day, p.date or ""),
                                        counted or p.personnel is not None)
    if not left:
        return events
    out = []
    for p in events:
        gone, counted = left.get((p.actor, p.country), (None, False))
        if p.action != "present" or gone is None:
            out.append(p)
        elif p.personnel is not None and (p.date or "") < gone:
            out.append(p)
        elif p.personnel and gone and ":past" in p.rule and not counted:
            before = (dt.date.fromisoformat(gone[:10]) - dt.timedelta(days=1)).isoformat()
            out.append(replace(p, date=before))
    return out


def _same_paragraph(prev: Sentence | None, s: Sentence) -> bool:
    return (prev is not None and prev.field == s.field and bool(prev.partners())
            and "\n" not in s.text[prev.end:s.start])


def _force_near(s: Sentence, cue: Hit) -> bool:
    """Troops, a force, a base or an armed organisation within reach of the verb, and no
    equipment as its object ("sent fighter jets to Libya" moves arms, not troops)."""
    if _POSSESSIVE.search(s.folded, max(s.start, cue.start - 7), cue.start):
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
    named = s.partners()
    partners = [p for p in named if not p.landmark]
    context = last_partner if not partners else None
    if not partners and last_partner is None:
        return []
    out: list[_Candidate] = []
    seen: set[tuple[str, str, str]] = set()
    cues = [(cue, action) for cue in s.cues("posture") if (action := _action(s, cue))]
    for cue, action in cues:
        ended = _ends_presence(s, cue, action)
        if ended and action == "present":
            action = "withdraw"  # "mettant fin à neuf ans de présence": a departure
        actor = _pick_actor(s, actors, cue, lang)
        if actor is None:
            continue
        where = _country(s, cue, action, partners, context, named)
        if where is None:
            continue
        owner = _owner(actor)
        if _someone_elses_force(s, cue, actor, owner):
            continue
        listed = _listed_after(s, where, named if where.landmark else partners)
        for country in [where, *listed]:
            key = (owner, country.value, action)
            if key in seen or owner == country.value or not _force_near(s, cue):
                continue
            seen.add(key)
            c = _candidate(s, lang, published, cue, action, actor, country,
                           [c for c, _ in cues], ended)
            if action not in _DEPARTURES or not _backdrop(s, c):
                out.append(c)
    # A stock beside a change of the same force is the change's own figure, unless it has a
    # figure of its own ("1,346 have left; 157 remain"), or it says where the leaving force is
    # stationed ("le départ d'un millier de soldats français déployés dans le pays"): the force
    # that was there until it left, unless the last of it left ("ses derniers soldats présents
    # au Niger").
    changed = {(c.event.actor, c.event.country): c.event.personnel for c in out
               if c.event.action in _CHANGES}
    leaving = {(c.event.actor, c.event.country): c.event.personnel for c in out
               if c.event.action in _DEPARTURES}
    kept = [c if c.event.status != "planned" else _to_be_stationed(c, s) for c in out
            if c.event.action != "present"
            or (c.event.actor, c.event.country) not in changed
            or (c.event.personnel  # a figure of its own: not none, not the change's
                and c.event.personnel != changed[c.event.actor, c.event.country])]
    if len(kept) < len(out):
        kept += [_describing(c) for c in out if c.event.action == "present"
                 and (key := (c.event.actor, c.event.country)) in leaving
                 and not (c.event.personnel and c.event.personnel != changed[key])
                 and c.event.personnel != 0 and _describes_force(s, c.cue, _STOCK_AUX)
                 and not any(ALL_LEFT in o.event.rule for o in out
                             if (o.event.actor, o.event.country) == key)]
    # "le départ d'un millier de soldats déployés dans le pays": the figure of the leaving force
    # is that of the stock its participle describes.
    kept = [replace(c, event=replace(c.event, personnel=leaving[key]))
            if c.event.action == "present" and c.event.personnel is None
            and leaving.get(key := (c.event.actor, c.event.country)) else c for c in kept]
    kept += [j for c in kept if c.event.action == "deploy" and (j := _joined_stock(s, lang, c))
             or c.event.action in _DEPARTURES and _force_stays(s, c)
             and (j := _presupposed_stock(s, lang, c, published, kept))]
    for c in kept:
        # A presence that has ended ("no longer present") is a withdrawal, not a deployment.
        theme = ("troop_withdrawal" if c.event.personnel == 0 and c.event.action == "present"
                 else _posture_themes()[c.event.action])
        themes.add(s, theme, f"posture:{c.event.action}:{c.cue.entry.form}", c.cue.start,
                   c.cue.end, 0.7)
    return kept


def _describing(c: _Candidate) -> _Candidate:
    return replace(c, event=replace(c.event, rule=c.event.rule + ":describing"))


def _to_be_stationed(c: _Candidate, s: Sentence) -> _Candidate:
    """"are expected to be stationed in Djibouti", "the base will host 200 officers": a force
    that is yet to be stationed somewhere is a move to come there, not a stock."""
    verb = s.folded[c.cue.start:c.cue.end]
    if c.event.action != "present" or not verb.startswith(_STATIONING) or verb.endswith(
            ("ment", "ing")):  # "le stationnement du détachement": the stock an accord governs
        return c
    rule = c.event.rule.replace(":present:", ":deploy:", 1) + ":to-be-stationed"
    return replace(c, event=replace(c.event, action="deploy", rule=rule))


_STATIONING = ("station", "based", "basé", "host", "héberg", "accueill", "abrit")


def _backdrop(s: Sentence, c: _Candidate) -> bool:
    """A departure told as the backdrop of the news, not as news: the complement of "after"
    or "since" ("after the forced departure of its troops from Mali", "quelques mois après le
    retrait de la France du Mali"), done "already" ("having already left Mali"), or summed up
    over a period the sentence opens with ("Depuis 2022, Paris s'est retiré du Tchad, du
    Mali"). Told "a few weeks after", of one country, or with a date of its own, it is the
    news's own precedent ("a few weeks after French troops left their base")."""
    lo = max(s.start, c.cue.start - 40)
    after = _AFTER_WORD.search(s.folded, lo, c.cue.start) and _AFTER.search(s.folded, lo,
                                                                            c.cue.start)
    if after:
        if c.stated_date:
            return False
        if after.group(1) and _LONG_BEFORE.search(s.folded, max(s.start, after.start() - 20),
                                                  after.start()):
            return True  # "quelques mois après le retrait", "years after"
        return any(e.value == c.event.country and _listed_with_others(s, e)
                   for e in s.partners())  # a recap of several countries
    opening = _OPENS_WITH_PERIOD.match(s.folded, s.start, c.cue.start)
    return opening is not None and not _CLAUSE_BREAK.search(s.folded, opening.end(),
                                                            c.cue.start)


_AFTER_WORD = re.compile(r"after|following|since|après|depuis|suite|already|déjà")  # quick test
_AFTER = re.compile(r"\b(?:(after|following|since|après|depuis|suite à|à la suite d[eu'’])\s+"
                    r"(?:[\w'’-]+\s+){0,3}|(?:already|déjà)\s+(?:[\w'’-]+\s+)?)$")
_LONG_BEFORE = re.compile(r"\b(?:months|years|decades|mois|ans|années|décennies)\s+$")
_OPENS_WITH_PERIOD = re.compile(r"\W*(?:since|depuis)\s+(?:\w+\s+)?\d{4}\s*,")


_DEMAND = re.compile(r"\b(?:call(?:s|ed|ing)?\s+for|demand(?:s|ed|ing)?|urg(?:e|es|ed|ing)|"
                     r"ask(?:s|ed|ing)?|told|tells?|exig\w*|réclam\w*|demand[eé]\w*|"
                     r"appel\w*\s+(?:à|au)|somm[eé]\w*)\b(?:\s+[\w'’-]+){0,6}?\s+(?:to\s+|à\s+|"
                     r"d['’]|de\s+|que\s+|qu['’]|that\s+)?(?:[\w'’-]+\s+){0,4}$")
_DEMAND_REACH = 60


def _force_stays(s: Sentence, c: _Candidate) -> bool:
    """The departure leaves the force where it is for now: only considered or denied ("does
    not rule out", "will not withdraw"), a reduction ("va réduire ses effectifs"), or a
    withdrawal begun and not finished ("a engagé le retrait de ses 13 000 militaires"). A
    plain plan to leave ("will withdraw its troops") says nothing more than the plan."""
    if c.event.status in ("hedged", "denied"):
        return True
    if s.folded[c.cue.start:c.cue.end].startswith(_REDUCING):
        return c.event.status == "planned"
    lo = max(s.start, c.cue.start - 25)
    return ALL_LEFT not in c.event.rule and _BEGUN_WORD.search(s.folded, lo, c.cue.start) \
        is not None and _BEGUN.search(s.folded, lo, c.cue.start) is not None


_REDUCING = ("reduc", "reduce", "réduc", "réduir", "réduit", "scale", "scaling", "downsiz",
             "draw down", "drawdown", "allég", "allèg", "diminu")
_BEGUN_WORD = re.compile(r"began|begun|begins|started|starts|engagé|entamé|commencé")
_BEGUN = re.compile(r"\b(?:began|begun|begins|started|starts|engagé|entamé|commencé)\b"
                    r"(?:\s+[\w'’]+){0,2}\s*$")


def _presupposed_stock(s: Sentence, lang: str, c: _Candidate, published: dt.date | None,
                       kept: list[_Candidate]) -> _Candidate | None:
    """"n'écarte pas un départ de ses forces spéciales", "va réduire ses effectifs au Gabon": a
    departure that leaves the power's own force in place says the force is there now: a
    stock, reported, with the figure the possessive gives it ("ses quelque 13 000
    militaires"), unless the sentence already gives that stock."""
    if any(k.event.action == "present" and k.event.actor == c.event.actor
           and k.event.country == c.event.country for k in kept):
        return None
    lo, hi = max(s.start, c.cue.start - _OWN_FORCE_REACH), min(s.end, c.cue.end + _OWN_FORCE_REACH)
    for h in s.cues("force"):
        if not lo <= h.start < hi:
            continue
        own = _OWN.search(s.folded, max(s.start, h.start - 30), h.start)
        if own is None or _CLAUSE_BREAK.search(s.folded, min(own.start(), c.cue.start),
                                               max(h.start, c.cue.end)):
            continue
        fig = next((f for f in _figures(s, lang) if own.start() <= s.start + f.start < h.start),
                   None)
        return replace(c, stated_date=False, history=False, event=replace(
            c.event, action="present", status="reported",
            personnel=fig.value if fig else None, personnel_text=fig.text if fig else None,
            date=published.isoformat() if published else None,
            rule=re.sub(r":(?:withdraw|handover|base_close):", ":present:", c.event.rule, count=1
                        ).split("|")[0] + ":presupposed"))
    return None


# "its troops", "ses quelque 13 000 militaires", "leurs forces spéciales": the power's own force
_OWN = re.compile(r"\b(?:its|their|son|sa|ses|leur|leurs)\s+(?:[\w,.\u202f\u00a0-]+\s+){0,3}$")
_OWN_FORCE_REACH = 40


def _joined_stock(s: Sentence, lang: str, c: _Candidate) -> _Candidate | None:
    """"sent more troops to join the 2,500 soldiers currently fighting there": the force the
    move joins is a stock of the same power in the same country, with its own figure."""
    for f in _figures(s, lang):
        at = s.start + f.start
        if f.value and at > c.cue.end and _JOINED.search(s.folded, max(s.start, at - 40), at):
            return replace(c, stated_date=False, event=replace(
                c.event, action="present", personnel=f.value, personnel_text=f.text,
                rule=c.event.rule.replace(":deploy:", ":present:", 1) + ":joined"))
    return None


def _candidate(s: Sentence, lang: str, published: dt.date | None, cue: Hit, action: str,
               actor: Ent, country: Ent, verbs: list[Hit], ended: str | None) -> _Candidate:
    """One event of a posture verb: its status, date, figure, place and rule."""
    first = min(actor.start, cue.start, country.start)
    last = max(actor.end, cue.end, country.end)
    lo, hi = clause_bounds(s, first, last, lang)
    status, status_rule = status_of(s.cues("status"), lo, hi, first, last)
    status, status_rule = refine(s, lang, status, status_rule, lo, hi, cue, actor.end,
                                 ends=bool(_ENDING.match(s.folded, cue.start)),
                                 opens_base=action == "base_open")
    date, stated, at = _event_date(s, cue, published, status == "planned",
                                   announced=_ANNOUNCING_RULE.search(status_rule or "") is not None)
    status, status_rule = after_publication(status, status_rule, date, published)
    if status == "planned" and action in _CHANGES and not stated and _UNDER_WAY.search(
            s.folded, s.start, s.end):
        status, status_rule = "reported", "status:under-way"
    status, status_rule = _considered_or_consequence(s, cue, status, status_rule)
    if status != "reported" and _presupposed_by_phrase(s, cue, action):
        status, status_rule = "reported", "status:presupposed"
    if status == "reported" and action == "withdraw" and _DEMAND.search(
            s.folded, max(s.start, cue.start - _DEMAND_REACH), cue.start):
        # "call for French army withdrawal", "Mali's demand for the peacekeepers to leave",
        # "a exigé le départ de l'armée française": asked for, not done
        status, status_rule = "planned", "status:demanded"
    if status == "planned" and action == "present" and _describes_force(s, cue):
        status, status_rule = "reported", "status:stock-participle"
    claimed = _claimed_figures(s, cue, verbs, lang)
    if action == "deploy":  # "sent more troops to join the 2,500 soldiers": not who was sent
        claimed = [f for f in claimed if not _JOINED.search(
            s.folded, max(s.start, s.start + f.start - 40), s.start + f.start)]
    personnel, personnel_text, how = _personnel(s, cue, action, country, claimed, ended)
    place = _place(s, cue, country.value)
    rule = f"posture:{lang}:{action}:{cue.entry.form}{how}"
    if status_rule:
        rule += f"|{status_rule}"
    if action == "present" and _PAST_STOCK.search(s.folded, max(s.start, cue.start - 14),
                                                    cue.start):
        rule += ":past"
    confidence = (0.55 + 0.1 * (personnel is not None) + 0.1 * (place is not None)
                  + 0.1 * stated)
    when = date or published
    return _Candidate(Posture(
        actor=_owner(actor), country=country.value, action=action,
        personnel=personnel, personnel_text=personnel_text,
        place=place, date=when.isoformat() if when else None,
        status=status, evidence=s.sentence, field=s.field, start=s.start, end=s.end,
        confidence=round(confidence, 2), rule=rule,
    ), stated, cue, stated and _dates_verb(s, cue, at))


def _presupposed_by_phrase(s: Sentence, cue: Hit, action: str) -> bool:
    """The move or stock is taken for granted by the phrase that names it, whatever the main
    verb says: a participle on the force noun with its agent ("Forces sent by Turkey ... are
    said to have helped", "les soldats déployés par Paris"), or a power's own presence that is
    to be changed ("dit que la Russie réduisait sa présence, ce qui n'est pas le cas", "plans
    to expand its presence")."""
    if action == "present":
        return (s.folded[cue.start:cue.end] in ("presence", "présence")
                and _OWN_PRESENCE.search(s.folded, max(s.start, cue.start - 45), cue.start)
                is not None)
    if not _BY_AGENT.match(s.folded, cue.end):
        return False
    before = [h for h in s.cues("force") if h.end <= cue.start]
    return bool(before) and not _words_between(s, before[-1].end, cue.start)


_BY_AGENT = re.compile(r"\s+(?:by|par)\b")
_OWN_PRESENCE = re.compile(r"\b(?:reduc\w*|rédui\w*|expand\w*|élargi\w*|renforc\w*|strengthen\w*|"
                           r"increas\w*|bolster\w*|consolid\w*|augment\w*|downsiz\w*|allég\w*)"
                           r"\s+(?:its|their|sa|son|leur)\s+(?:[\w'’-]+\s+)?$")


def _describes_force(s: Sentence, cue: Hit, between: tuple[str, ...] = ("",)) -> bool:
    """"its remaining troops stationed at the Agadez base will withdraw": the participle
    describes the force as it is now; the future is the withdrawal's, not the stock's.
    ``between``: the words allowed between the force noun and the participle."""
    if s.folded[cue.start:cue.end] not in _DESCRIBING:
        return False
    before = [h for h in s.cues("force") if h.end <= cue.start]
    return bool(before) and _words_between(s, before[-1].end, cue.start) in between


def _considered_or_consequence(s: Sentence, cue: Hit, status: str,
                               rule: str | None) -> tuple[str, str | None]:
    """Status words of the verb's own phrase that the clause-wide cues miss: a move "not ruled
    out" is hedged; one an act "aura pour conséquence" is planned; a conditional reporting
    an announcement ("avaient annoncé que le nombre serait réduit") states the plan."""
    before = max(s.start, cue.start - _WILL_RESULT_REACH)
    if status in ("reported", "denied") and _NOT_RULED_OUT.search(s.folded, before, cue.start):
        return "hedged", "status:not-ruled-out"
    if status == "reported" and _WILL_RESULT.search(s.folded, before, cue.start):
        return "planned", "status:consequence"
    if status == "hedged" and _CONDITIONAL.search(rule or ""):
        said = list(_ANNOUNCED_THAT.finditer(s.folded, s.start, cue.start))
        if said and _CONDITIONAL.search(s.folded, said[-1].end(), cue.end):
            return "planned", "status:announced-conditional"
    return status, rule


def _dates_verb(s: Sentence, cue: Hit, at: int) -> bool:
    """The date at ``at`` is in the verb's own clause: nothing breaks the clause between them,
    but a date opening the sentence ("In 2017, Turkey set up") may have its comma."""
    if at >= cue.end:
        return not _DATE_BREAK.search(s.folded, cue.end, at)
    between = s.folded[at:cue.start]
    comma = between.find(",")
    if 0 <= comma <= 25 and (at - s.start <= 3 or _WHEN.match(between, comma + 1)):
        between = between[comma + 1:]  # "In 2017, Turkey set up"; "since 2018, when they arrived"
    return not _DATE_BREAK.search(between)


_WHEN = re.compile(r"\s*(?:when|lorsque|quand|où)\b")


def _ends_presence(s: Sentence, cue: Hit, action: str) -> str | None:
    """The words that end a presence in the country around this cue ("mettant fin à ...
    présence", "ending France's military presence", "clôt soixante-cinq ans de présence"),
    if any; not the end of a presence in one town or camp ("in the northern city")."""
    if action == "present" and _PRESENCE.fullmatch(s.folded, cue.start, cue.end):
        endings = list(_ENDING.finditer(s.folded, max(s.start, cue.start - _ENDING_REACH),
                                        cue.start))
        ending = endings[-1] if endings else None
        if ending is None or _CLAUSE_BREAK.search(s.folded, ending.end(), cue.start):
            return None
        start, presence_end = ending.start(), cue.end
    elif action == "withdraw" and _ENDING.fullmatch(s.folded, cue.start, cue.end):
        presence = _PRESENCE.search(s.folded, cue.end, min(s.end, cue.end + _ENDING_REACH))
        if presence is None or _CLAUSE_BREAK.search(s.folded, cue.end, presence.start()):
            return None
        start, presence_end = cue.start, presence.end()
    else:
        return None
    if _LOCAL.match(s.folded, presence_end, s.end):
        return None
    return s.text[start:presence_end]


_CLAUSE_BREAK = re.compile(";|:|" + after_boundary("but", "while", "mais", "alors que",
                                                    then=r"\b"))


def _country(s: Sentence, cue: Hit, action: str, partners: list[Ent], context: Ent | None,
             named: list[Ent]) -> Ent | None:
    """Where the move happens: the place the verb's locative names ("deployed to Mali",
    "présence militaire française au Mali"), else the country named nearest the verb (or the
    context's). A region ("in the Sahel") is no country's, unless the sentence gives the
    country's share; a place outside Africa ("stationed at Tartus") gives no event, but a
    force leaving for home still leaves. ``named``: the sentence's states, landmarks too."""
    target = _locative_target(s, cue, named, action)
    if isinstance(target, Ent):
        return target
    if target == "region":
        return next((p for p in partners if _share(s, p)), None)
    if target == "abroad":
        return None
    if partners:
        return _nearest(partners, cue)
    return context


def _locative_target(s: Sentence, cue: Hit, partners: list[Ent],
                     action: str) -> Ent | str | None:
    """The first thing after the verb that a locative introduces, within its clause: a
    partner (even one named as a landmark: "stationed in neighbouring Djibouti"), 'region'
    (Africa, the Sahel) or 'abroad' (a place outside Africa: Tartus, Yemen,
    the Mediterranean). A place abroad is where a departure happens only when the force
    leaves it ("evacuating citizens from Yemen"); one it heads for is home ("returned to
    Russia"), and one a force is sent from is its origin ("flown from Russia to Libya")."""
    hi = min(s.end, cue.end + _LOCATIVE_REACH)
    broken = _CLAUSE_BREAK.search(s.folded, cue.end, hi)
    if broken:
        hi = broken.start()
    targets: list[tuple[int, Ent | str]] = [(p.start, p) for p in partners
                                            if cue.end <= p.start < hi]
    if action == "withdraw":  # "troops leaving Somalia", "ont quitté le Mali": the object
        for start, p in targets:
            if _OBJECT.fullmatch(s.folded, cue.end, start):
                return p
    near = min(hi, cue.end + _REGION_REACH)
    targets += [(h.start, "region") for h in s.cues("africa") if cue.end <= h.start < near]
    targets += [(h.start, "abroad") for h in s.cues("abroad") if cue.end <= h.start < near]
    for start, target in sorted(targets, key=lambda t: t[0]):
        if not (_LOCATIVE.search(s.folded, max(cue.end, start - 12), start)
                or _compass_locative(s, max(cue.end, start - 30), start)):
            continue
        if isinstance(target, str) and target == "abroad":
            source = _SOURCE.search(s.folded, max(cue.end, start - 12), start) is not None
            if action == "withdraw" and not source:
                return "home"
            if action == "deploy" and source:
                continue
        return target
    return None


_OBJECT = re.compile(r"\s*(?:the\s+|le\s+|la\s+|l')?")
_SOURCE = re.compile(r"\b(?:from|out of|depuis)\s*(?:the\s+|la\s+|le\s+|l')?$")


def _event_date(s: Sentence, cue: Hit, published: dt.date | None,
                planned: bool, announced: bool = False) -> tuple[dt.date | None, bool, int]:
    """(the date nearest the verb, whether the sentence stated it, where). A planned move happens
    later: a past date in its sentence ("le retrait annoncé en février") is when it was
    announced, not when it happens; so is any date of a plan that is an announcement ("France
    had announced its withdrawal ... in February"), unless it is a deadline ("by February")."""
    dates = sentence_dates(s, published, planned)
    if planned:
        dates = [d for d in dates if not _ANNOUNCED.search(
            s.folded, max(s.start, s.start + d[0] - 16), s.start + d[0]) and not (
            announced and not _DEADLINE.search(s.folded, max(s.start, s.start + d[0] - 10),
                                               s.start + d[0] + 8))]
    dates = [d for d in dates if abs(d[0] + s.start - cue.start) <= _DATE_REACH]
    if not dates:
        return None, False, -1
    at, date = min(dates, key=lambda d: abs(d[0] + s.start - cue.start))
    return date, True, at + s.start


_DATE_REACH = 110  # a date further from the verb dates another clause's event
_ANNOUNCING_RULE = re.compile(r":(?:announc|annonc)")
# "by February", "d'ici juillet", "avant la fin de l'année": when a plan is due.
_DEADLINE = re.compile(r"\b(?:by|before|until|d['’]ici|avant|jusqu['’]|starting|à partir|dès|"
                       r"no later than|au plus tard)\b")


_ANNOUNCED = re.compile(r"\b(?:annonc\w*|décid\w*|signé\w*|announced|decided|signed|since|"
                        r"depuis)\s+(?:en|in|le|on|the)?\s*$")


def _claimed_figures(s: Sentence, cue: Hit, cues: list[Hit], lang: str) -> list:
    """The figures of the sentence nearest to this verb rather than to another posture verb:
    "il ne reste plus que 157 soldats, le retrait sera achevé" gives 157 to the stock."""
    out = []
    for f in _figures(s, lang):
        at = f.start + s.start
        nearest = min(cues, key=lambda c: min(abs(at - c.end), abs(c.start - at)))
        if nearest is cue:
            out.append(f)
    return out


def _personnel(s: Sentence, cue: Hit, action: str, country: Ent, figs: list,
               ended: str | None) -> tuple[int | None, str | None, str]:
    """(personnel, its words, a rule suffix saying how it was read) for one event."""
    if action == "present":
        gone = _NO_LONGER.search(s.folded, max(s.start, cue.start - _NO_LONGER_REACH),
                                 cue.start)
        if gone:  # a presence that has ended is a force of none, which the force level plots
            return 0, s.text[gone.start():gone.end()].strip(), ":no-longer"
    share = _share(s, country)
    if share:
        return *share, ""
    complete = action == "withdraw" and (ended or _last_troops(s, cue, country) or (
        _COMPLETED.search(s.folded, max(s.start, cue.start - _COMPLETED_REACH),
                          min(s.end, cue.end + 20))))
    if action in _CHANGES:
        total = _CUMULATIVE.search(s.folded, cue.end, s.end)
        if total:
            return (int(re.sub(r"\D", "", total.group(1))), s.text[total.start():total.end()],
                    ":cumulative")
    if figs:
        fig = min(figs, key=lambda f: abs(f.start + s.start - cue.start))
        if _listed_with_others(s, country) or not _tied(s, fig, country):
            return None, fig.text, ":shared"  # a total for several countries is none of theirs
        parts = _parts(s, figs, fig)
        if parts:
            return parts
        if action == "present" and not _names_country_with(s, country) and (
                s.has("base_nouns") or any(e.place for e in s.partners())):
            return None, fig.text, ":place"  # a garrison at one camp is not the country's force
        return fig.value, fig.text, ALL_LEFT if complete else ""
    remnant = _last_troops(s, cue, country) if action == "withdraw" else None
    if remnant:
        return None, remnant, ALL_LEFT
    if ended:
        return None, ended, ALL_LEFT
    if complete:
        return None, s.text[complete.start():complete.end()], ALL_LEFT
    return None, None, ""


def _parts(s: Sentence, figs: list, fig) -> tuple[int, str, str] | None:
    """"cinq officiers militaires et 170 instructeurs civils": two figures joined by 'and'
    are one force in parts, counted together."""
    at = figs.index(fig)
    for a, b in ((figs[at - 1], fig) if at else (None, None), (fig, figs[at + 1])
                 if at + 1 < len(figs) else (None, None)):
        if a is not None and a.value and b.value and _AND_FIGURE.fullmatch(
                s.sentence, a.end, b.start):
            return a.value + b.value, s.sentence[a.start:b.end], ":parts"
    return None


def _listed_after(s: Sentence, country: Ent, partners: list[Ent]) -> list[Ent]:
    """The countries listed right after the verb's country ("se retirer du Mali et du Niger",
    "from Mali, Burkina Faso and Niger"): the move is out of (or into) each of them."""
    if not _LIST_NEXT.match(s.folded, country.end):  # most events: no list after the country
        return []
    out: list[Ent] = []
    prev = country
    for e in sorted(partners, key=lambda e: e.start):
        if e.start < prev.end:
            continue
        if not _LISTED_MOVE.fullmatch(s.folded, prev.end, e.start) or e.value == country.value:
            break
        out.append(e)
        prev = e
    return out


_LIST_NEXT = re.compile(r"\s*(?:,|and\b|et\b|or\b|ou\b)")
_LISTED_MOVE = re.compile(r"\s*(?:,|and|et|or|ou)\s*(?:,|and|et)?\s*"
                          r"(?:from|to|in|into|du|des|de|au|aux|"
                          r"en|d'|à|the|le|la|l')?\s*(?:the\s+|la\s+|le\s+|l')?")


def _tied(s: Sentence, fig, country: Ent) -> bool:
    """With several countries in the sentence, the figure is this country's only when this
    country is the one named nearest to it."""
    others = [e for e in s.partners() if not e.landmark and e.value != country.value]
    if not others:
        return True
    at = fig.start + s.start
    nearest = min((e for e in s.partners() if not e.landmark),
                  key=lambda e: min(abs(at - e.end), abs(e.start - at)))
    return nearest.value == country.value


def _compass_locative(s: Sentence, lo: int, at: int) -> bool:
    """A locative, then a compass or neighbour adjective, right before ``at`` ("in neighbouring
    Djibouti", "into northern Mali"); the locative alone is tested first by the callers."""
    if not s.folded.endswith(_COMPASS, max(lo, at - 14), at):
        return False
    cut = max(lo, s.folded.rfind(" ", lo, at - 1) + 1)  # where the adjective starts
    return _LOCATIVE.search(s.folded, max(lo, cut - 12), cut) is not None


def _names_country_with(s: Sentence, country: Ent) -> bool:
    """The sentence places the force in the country itself ("in Mali", "au Niger"), not only in
    a town, at a camp, or by context ("the Malian flag" is not where the troops are). "Au
    Niger, un millier de soldats sont stationnés, surtout à Agadez" names the country first: the
    figure is the country's; "at the camp in Gossi, in Mali" only says where the town is."""
    return any(e.value == country.value and e.place is None and s.start <= e.start < s.end
               and e.start <= country.start
               and (_LOCATIVE.search(s.folded, max(s.start, e.start - 12), e.start)
                    or _compass_locative(s, max(s.start, e.start - 30), e.start))
               for e in s.partners())


def _listed_with_others(s: Sentence, country: Ent) -> bool:
    """The country is one of a list ("au Niger, au Tchad et au Burkina Faso")."""
    listed = sorted((e for e in s.partners() if not e.landmark), key=lambda e: e.start)
    for a, b in pairwise(listed):
        if a.value != b.value and _LISTED.fullmatch(s.folded, a.end, b.start) and (
                country.value in (a.value, b.value)):
            return True
    return False


def _last_troops(s: Sentence, cue: Hit, country: Ent) -> str | None:
    """The words naming the last of a force ("les derniers soldats") near a withdrawal verb,
    when the move is out of the country: the last troops out of a base or a town ("les
    derniers ont quitté Tessalit", "left the base at Gao") leave others elsewhere in it."""
    if country.place is not None or any(
            0 <= h.start - cue.end <= _BASE_OBJECT for h in s.cues("base_nouns")):
        return None
    lo, hi = max(s.start, cue.start - _LAST_REACH), min(s.end, cue.end + _LAST_REACH)
    m = _LAST.search(s.folded, lo, hi)
    return s.text[m.start():m.end()] if m else None


_BASE_OBJECT = 16  # "left the base", "a quitté la base de": a base as the verb's object


def _share(s: Sentence, country: Ent) -> tuple[int, str] | None:
    """The figure a sentence gives for this country as part of a larger force, if any."""
    for m in _SHARE.finditer(s.folded, s.start, country.start):
        if m.end() == country.start:
            return int(re.sub(r"\D", "", m.group(1))), s.text[m.start(1):country.end]
    return None


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
    if _not_a_move(s, cue, action):
        return None
    if cue.entry.extra == "needs_base" and not any(
        0 <= h.start - cue.end <= _BASE_AFTER or 0 <= cue.start - h.end <= _BASE_BEFORE
        for h in s.cues("base_nouns")
    ):
        return None
    if action == "withdraw" and _NO_SIGN.search(s.folded, max(s.start, cue.start - 20),
                                                cue.start):
        return "present"  # "no sign of leaving Libya": a force that stays
    if action == "withdraw" and _DESTINATION.search(
            s.folded, cue.end, min(s.end, cue.end + _DESTINATION_REACH)) and _bound_for(s, cue):
        return "deploy"
    if action == "deploy" and _SINCE.match(s.folded, cue.end):
        return "present"  # "an Africa Corps unit has been deployed since April": a stock
    if action == "deploy" and (_FIRST.search(s.folded, max(s.start, cue.start - 8), cue.start)
                               or _FIRST_FR.match(s.folded, cue.end)):
        return "present"  # "since they first arrived five years ago": they are still there
    if action == "deploy" and s.folded[cue.start:cue.end] in _STOCK_VERBS:
        before = [h for h in s.cues("force") if h.end <= cue.start]
        if before and _words_between(s, before[-1].end, cue.start) in _STOCK_AUX:
            return "present"  # "2,000 mercenaries deployed in the country": a stock, not a move
    return action


def _bound_for(s: Sentence, cue: Hit) -> bool:
    """A departure from no African state, towards a destination ("ont quitté Zhanjiang ...
    pour arriver à Djibouti", "le départ d'un premier groupe de soldats à destination de la
    base"): the move is an arrival there. Leaving a country for another ("left Niger for
    Chad") stays a departure from the first."""
    to = _DESTINATION.search(s.folded, cue.end, min(s.end, cue.end + _DESTINATION_REACH))
    return to is not None and not _CLAUSE_BREAK.search(s.folded, cue.end, to.start()) and not any(
        cue.end <= p.start < to.start() for p in s.partners())


_DESTINATION = re.compile(r"(?:pour (?:arriver|rejoindre)|à destination d[eu'’]|bound for|"
                          r"headed for|heading for|en route (?:to|for|vers))\b")
_DESTINATION_REACH = 90


def _not_a_move(s: Sentence, cue: Hit, action: str) -> bool:
    """The posture word does not move or hold a force: equipment is its subject ("fighter
    jets arrived"), an end is brought, an insurgency "left thousands dead", a post was "réduit
    en cendres", or a person is present at an occasion ("le ministre, présent à
    l'inauguration")."""
    if action == "deploy" and (_BRING_END.match(s.folded, cue.end)
                               or _TO_POWER.match(s.folded, cue.end)):
        return True
    if action == "withdraw" and s.folded[cue.start:cue.end] in _END_CUES and \
            _END_OF_TIME.match(s.folded, cue.end):
        return True
    if action == "withdraw" and s.folded[cue.start:cue.end] == "partir" and _FROM_DATE.search(
            s.folded, max(s.start, cue.start - 3), cue.start):
        return True
    if action == "withdraw" and _NOT_DEPARTURE.match(s.folded, cue.end):
        return True
    if action == "present" and s.folded[cue.start:cue.end].startswith(("présent", "present")) \
            and _AT_EVENT.match(s.folded, cue.end) and _ATTENDING.search(
                s.folded, max(s.start, cue.start - 40), cue.start):
        return True
    return _equipment_subject(s, cue)


def _equipment_subject(s: Sentence, cue: Hit) -> bool:
    """Equipment named just before the verb, with no force noun near it: the verb's subject is
    the equipment ("Russian fighter jets arrived", "ces engins déployés à la base de Mopti")."""
    lo = max(s.start, cue.start - _EQUIPMENT_REACH)
    gear = None
    for m in _EQUIPMENT.finditer(s.folded, lo, cue.start):
        gear = m
    if gear is None or any(lo - 20 <= h.start < cue.start for h in s.cues("force")):
        return False
    if any(gear.start() - 12 <= h.end and h.start <= gear.end() + 8 for h in s.cues("base_nouns")):
        return False  # "la base de drones ... construite", "the drone base": a base, built
    return not re.search(r"[.;:]", s.folded[gear.end():cue.start])


def _words_between(s: Sentence, start: int, end: int) -> str:
    """The words between two points, leaving out named entities ('soldats français sont')."""
    gap = s.folded[start:end]
    for e in s.ents:
        if start <= e.start and e.end <= end:
            gap = gap.replace(s.folded[e.start:e.end], " ", 1)
    return " ".join(w for w in gap.split() if w not in _FILLERS)


def _pick_actor(s: Sentence, actors: list[Ent], cue: Hit, lang: str) -> Ent | None:
    """The actor nearest the verb; if it is a state whose PMC or mission is also named in the
    verb's clause ("the Russian intervention ... paramilitaries from Wagner"), that force.

    A power that only speaks or reacts ("Western governments led by France say the deployment
    includes Wagner contractors", "Canada condemns the deployment of mercenaries") does not
    move: the mover is a power named after its verb, or the speaker itself when a pronoun
    refers back to it ("France said it would withdraw"), else nobody.
    """
    nearest = (_on_the_noun(s, actors, cue) or _force_owner(s, actors, cue)
               or _nearest(actors, cue))
    if nearest.end <= cue.start:
        said = [h for h in s.cues("speech") + s.cues("reaction")
                if nearest.end <= h.start and h.end <= cue.start]
        if said:
            verb = max(said, key=lambda h: h.end)
            after = [e for e in actors if e.start >= verb.end
                     and clause_bounds(s, cue.start, cue.end, lang)[1] > e.start]
            if after:
                nearest = _nearest(after, cue)
            elif not _BACK_REFERENCE.search(s.folded, verb.end, cue.start):
                return None
    lo, hi = clause_bounds(s, cue.start, cue.end, lang)
    forces = [e for e in actors if _force_kind(e) in ("pmc", "mission")
              and e.parent == nearest.value and lo <= e.start < hi]
    return _nearest(forces, cue) if forces else nearest


_OWNER_REACH = 40  # a force noun this close to the verb is the one that moves
_QUOTES = " «»\"“”'’\u00a0"


def _force_owner(s: Sentence, actors: list[Ent], cue: Hit) -> Ent | None:
    """The power named on the force noun next to the verb ("informe l'ONU de l'arrivée de 600
    instructeurs russes", "Russian instructors arrived"): the nationality of the force that
    moves beats a power named nearer the verb."""
    found: list[tuple[int, Ent]] = []
    for h in s.cues("force"):
        reach = _gap(h, cue)
        if reach > _OWNER_REACH:
            continue
        for e in actors:
            gap = (s.folded[e.end:h.start] if e.end <= h.start else
                   s.folded[h.end:e.start] if h.end <= e.start else "-")
            if len(gap) <= 4 and not gap.strip(_QUOTES):  # 'instructeurs » russes' too
                found.append((reach, e))
    return min(found, key=lambda f: f[0])[1] if found else None


def _on_the_noun(s: Sentence, actors: list[Ent], cue: Hit) -> Ent | None:
    """The power named on the move itself ("after French withdrawal", "le retrait français"):
    whose move it is, whatever force is named nearer ("Russian troops deploy to Timbuktu
    after French withdrawal")."""
    for e in actors:
        gap = (s.folded[e.end:cue.start] if e.end <= cue.start else
               s.folded[cue.end:e.start] if cue.end <= e.start else "-")
        if gap == " " and s.folded[cue.start:cue.end] in _MOVE_NOUNS:
            return e
    return None


_MOVE_NOUNS = frozenset({"withdrawal", "pullout", "pull-out", "departure", "deployment",
                         "arrival", "retrait", "depart", "départ", "deploiement", "déploiement",
                         "arrivee", "arrivée", "desengagement", "désengagement"})
_BACK_REFERENCE = re.compile(r"\b(?:it|its|they|their|them|il|elle|ils|elles|sa|son|ses|leur|"
                             r"leurs|eux|we|our|nous|nos|notre)\b")


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
    """One event per (actor, country, action, status, date). An undated repeat joins the dated event
    of its kind (the latest), giving it the figure it lacked ("... on Thursday, ending its
    presence. The departure concerns some 350 soldiers."), unless it says the last of the
    force left and the dated one does not."""
    dated: dict[tuple, Posture] = {}
    for c in found:
        if c.stated_date:
            base = (c.event.actor, c.event.country, c.event.action)
            if base not in dated or (c.event.date or "") > (dated[base].date or ""):
                dated[base] = c.event
    out: dict[tuple, Posture] = {}
    for c in found:
        p = c.event
        base = (p.actor, p.country, p.action)
        anchor = dated.get(base) if not c.stated_date else None
        if anchor is not None and anchor.status != p.status:
            anchor = None  # a plan and a report of the same move are two facts
        if anchor is not None:
            if ALL_LEFT in p.rule and ALL_LEFT not in anchor.rule:
                pass  # the undated sentence says more: it stays, on the article's date
            elif p.personnel is not None and anchor.personnel is None:
                p = replace(p, date=anchor.date, rule=p.rule + (
                    ALL_LEFT if ALL_LEFT in anchor.rule and ALL_LEFT not in p.rule else ""))
            else:
                continue
        key = (*base, p.status, p.date)
        if key not in out or (out[key].personnel is None and p.personnel is not None):
            out[key] = p
    return list(out.values())
