"""One field cut into sentences, with its vocabulary hits and resolved entity mentions.

The later stages (themes, posture, dyads) only read these records.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from .gazetteer import DATA, Hit, matcher
from .sentences import split
from .status import conditional_hits, drop_month_may
from .text import by_initial, fold

_PREV_WORD = re.compile(r"([\w'’.-]+)\W*$")
_NEXT_WORD = re.compile(r"^\W*?([\w'’.-]+)")
_POSSESSIVE = re.compile(r"\b(?:its|their|son|sa|ses|leur|leurs)\s+$")
# A state right after these is where something happens ("from Russia" is a supplier: not here).
_IN_PLACE = re.compile(r"\b(?:" + by_initial(["in", "inside", "across", "throughout", "en", "au",
                                                "aux", "dans"]) + r")\s+(?:the\s+|la\s+|l')?$")
# "a Wagner executive who it says worked with...": the verb of saying has its own subject.
_RELATIVE = re.compile(r"\b(?:who|which|that|whom|qui|que|qu')\b")
# A year before 1950: history, not posture. The pattern starts with its literal "1" (the word
# boundary before it is checked behind it), so the engine skips from one "1" to the next
# instead of trying the pattern at every position of every sentence.
_OLD_YEAR = re.compile(r"1(?<!\w1)(?:[0-8]\d\d|9[0-4]\d)\b")
# Actor and partner mentions checked per sentence: later stages pair them with each other and
# with every cue, so a sentence listing hundreds of names would cost time by their square. News
# sentences name at most ten (gold set); beyond this many, the sentence is a list.
MAX_MENTIONS = 32


@dataclass(slots=True)
class Ent:
    """An actor or partner mention after context checks."""

    role: str  # 'actor' | 'partner'
    value: str
    parent: str | None
    place: str | None
    start: int
    end: int
    hit: Hit
    promoted: bool = False  # an African state acting abroad (troops of X in Y)
    landmark: bool = False  # named as a landmark ("on the borders of Niger", "the war in
    # Ukraine"): no dyad, no posture, a mention only


@dataclass(slots=True)
class Sentence:
    """A sentence of a field (offsets are within the field) and what was found in it."""

    field: str
    start: int
    end: int
    text: str  # the whole field
    folded: str
    hits: list[Hit]
    ents: list[Ent] = dataclasses.field(default_factory=list)
    themes: dict[str, tuple[str, int, int, float]] = dataclasses.field(default_factory=dict)
    offtopic: bool = False
    by_cat: dict[str, list[Hit]] = dataclasses.field(default_factory=dict)
    # African states hosting another's forces
    hosts: set[str] = dataclasses.field(default_factory=set)
    # per-sentence results computed once
    memo: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def sentence(self) -> str:
        return self.text[self.start:self.end]

    def cues(self, cat: str) -> list[Hit]:
        return self.by_cat.get(cat, [])

    def has(self, cat: str) -> bool:
        return cat in self.by_cat

    def actors(self) -> list[Ent]:
        found = self.memo.get("actors")
        return found if found is not None else [e for e in self.ents if e.role == "actor"]

    def partners(self) -> list[Ent]:
        found = self.memo.get("partners")
        return found if found is not None else [e for e in self.ents if e.role == "partner"]

    def freeze(self) -> None:
        """Roles are settled: keep the actor and partner lists instead of rebuilding them."""
        self.memo["actors"] = [e for e in self.ents if e.role == "actor" and not e.landmark]
        self.memo["partners"] = [e for e in self.ents if e.role == "partner"]


@cache
def _context(lang: str) -> tuple[tuple[str, ...], frozenset[str]]:
    with open(DATA / "cues.json", encoding="utf-8") as fh:
        cues = json.load(fh)
    return tuple(cues["locative"][lang]), frozenset(cues["title_words"])


def analyse(field_name: str, text: str, lang: str) -> list[Sentence]:
    """Split a field, scan it once, and attach hits and checked entity mentions to sentences."""
    folded = fold(text)
    hits = matcher(lang).scan(text, folded)
    if lang == "fr":
        hits = conditional_hits(folded, hits)
    elif "May" in text:
        hits = drop_month_may(text, hits)
    out: list[Sentence] = []
    i = 0
    for start, end in split(text):
        while i < len(hits) and hits[i].start < start:
            i += 1
        j = i
        while j < len(hits) and hits[j].start < end:
            j += 1
        s = Sentence(field_name, start, end, text, folded, hits[i:j])
        by_cat = s.by_cat
        for h in s.hits:
            cat = h.entry.cat
            if cat in by_cat:
                by_cat[cat].append(h)
            else:
                by_cat[cat] = [h]
        s.offtopic = s.has("sport") or (s.has("read_more") and _links_elsewhere(s))
        if not s.offtopic and (s.has("actor") or s.has("partner")):
            s.offtopic = bool(_OLD_YEAR.search(text, start, end))
            if not s.offtopic:
                s.ents = _entities(s, lang)
        out.append(s)
        i = j
    return out


_LEAD = re.compile(r"[\W_]*")


def _links_elsewhere(s: Sentence) -> bool:
    """Rule ``aside:read-more``: a sentence that opens with 'Read more', 'LIRE AUSSI' is the
    headline of another article, or a link to it: its names and themes are not this story's."""
    return any(_LEAD.fullmatch(s.text, s.start, h.start) for h in s.cues("read_more"))


def _entities(s: Sentence, lang: str) -> list[Ent]:
    locatives, titles = _context(lang)
    music = s.has("music")
    ents: list[Ent] = []
    mentions = s.cues("actor") + s.cues("partner")
    if len(mentions) > MAX_MENTIONS:  # a list, not a report: its first names are enough
        mentions = sorted(mentions, key=lambda h: h.start)[:MAX_MENTIONS]
    for h in mentions:
        e = h.entry
        if music and e.extra and "music" in e.extra:
            continue
        if e.capital and _after_locative(s, h, locatives):
            continue
        if e.person_risk and _looks_like_person(s, h, titles):
            continue
        if lang == "fr" and s.text[h.start:h.end] in _FR_WORDS and _in_capitals(s, h):
            continue  # "LA TURQUIE LIVRE UN LOT DE DRONES AU NIGER": French words, no body
        if _describes_goods_or_people(s, h) or (e.cat == "actor" and (
                _only_a_source(s, h) or _press(s, h))):
            continue
        ents.append(Ent(e.cat, e.value, e.parent, e.place, h.start, h.end, h))
    ents.sort(key=lambda x: x.start)
    _mark_landmarks(s, ents)
    return [e for e in ents if not (e.role == "actor" and e.landmark)]


def _cue_right_after(s: Sentence, end: int, cat: str, max_gap: int = 1) -> bool:
    cues = s.by_cat.get(cat)  # usually absent: no generator to build then
    return cues is not None and any(0 <= h.start - end <= max_gap + 1 for h in cues)


def _describes_goods_or_people(s: Sentence, h: Hit) -> bool:
    """'Chinese-made drones', 'Russian journalists', 'de fabrication chinoise'."""
    if _cue_right_after(s, h.end, "not_actor_after"):
        return True
    before = s.by_cat.get("not_actor_before")
    return before is not None and any(0 <= h.start - x.end <= 2 for x in before)


_TOLD = re.compile(r"\b(?:told|to|for|à|au|pour)\s+(?:the\s+|la\s+|le\s+|l')?$")
_BYLINE_END = re.compile(r"[\s.,;:)\]\"”»]*")


def _press(s: Sentence, h: Hit) -> bool:
    """A name that is a news outlet's home or the outlet itself, not what a state does: 'the
    French Le Monde', 'The Washington Post', 'a déclaré à Sputnik', a byline '..., Sputnik
    Afrique' closing the sentence."""
    if h.entry.rule.startswith("media:"):
        return (_BYLINE_END.fullmatch(s.text, h.end, s.end) is not None
                or _TOLD.search(s.folded, max(s.start, h.start - 12), h.start) is not None)
    press = s.by_cat.get("press_after")
    return press is not None and any(
        0 <= x.start - h.end <= 2 and s.text[x.start].isupper() for x in press)


def _only_a_source(s: Sentence, h: Hit) -> bool:
    """The power is only the source: '..., the U.S. Africa Command said.', 'according to U.S.
    officials', or the endorser: 'approved by the UN', 'sous les auspices du Conseil de sécurité
    de l'ONU'. A sentence-initial 'Russia said it had sent...' still makes Russia act."""
    sources = s.by_cat.get("source_before")
    if sources is not None and any(0 <= h.start - x.end <= 12 for x in sources):
        return True
    endorsers = s.by_cat.get("endorse_before")  # "approuvé par l'ONU": it endorses, others act
    if endorsers is not None and any(0 <= h.start - x.end <= 40 and not _CLAUSE_END.search(
            s.text, x.end, h.start) for x in endorsers):
        return True
    if not s.has("speech"):
        return False
    last_comma = s.text.rfind(",", s.start, h.start)
    if last_comma < 0:
        return False
    tail = s.text[h.end:s.end]
    if "," in tail.rstrip(" .\"”»"):
        return False
    return any(h.end <= x.start <= h.end + 40 and not _RELATIVE.search(s.folded, h.end, x.start)
               for x in s.cues("speech"))


def _after_locative(s: Sentence, h: Hit, locatives: tuple[str, ...]) -> bool:
    """'in Paris' is a place; 'Paris decided' and 'demandé à Paris de...' are France."""
    before = s.folded[max(s.start, h.start - 16):h.start].rstrip()
    for w in locatives:
        if before == w or before.endswith(" " + w):
            prep = h.start - (len(s.folded[:h.start]) - len(s.folded[:h.start].rstrip())) - len(w)
            return not any(0 <= prep - x.end <= 2 for x in s.cues("dative_verbs"))
    return False


_COORDINATED = re.compile(r"\s*(?:,|and|et|or|ou|as well as|ainsi que)?\s*"
                          r"(?:(?:the|la|le|les|l')\s+)?")


def coordinated(s: Sentence, e: Ent, ents: list[Ent]) -> list[Ent]:
    """The entities listed with ``e`` ("Turkey, the United Arab Emirates and Iran supplied",
    "Russian and Chinese warships"): what is said of the list is said of each."""
    return run_of(s, e, ents, _COORDINATED)


def run_of(s: Sentence, e: Ent, ents: list[Ent], gap: re.Pattern[str]) -> list[Ent]:
    """``e`` and its neighbours among ``ents`` while the text between two of them is ``gap``."""
    ordered = sorted(ents, key=lambda x: x.start)
    i = ordered.index(e)
    lo = hi = i
    while lo > 0 and gap.fullmatch(s.folded, ordered[lo - 1].end, ordered[lo].start):
        lo -= 1
    while hi + 1 < len(ordered) and gap.fullmatch(s.folded, ordered[hi].end,
                                                  ordered[hi + 1].start):
        hi += 1
    return ordered[lo:hi + 1]


def mark_places(s: Sentence) -> None:
    """'the war in Ukraine', 'en Syrie', 'in Ukraine and Syria': a state after a locative, or
    listed right after one, is where, not who: a landmark. One pass in text order."""
    if not s.ents:
        return
    prev, prev_place = None, False
    for e in s.actors():
        state = e.parent is None and e.hit.entry.extra is None  # "liées au groupe Wagner"
        place = state and (
            _IN_PLACE.search(s.folded, max(s.start, e.start - 12), e.start) is not None
            or (prev_place and _LISTED_PLACE.fullmatch(s.folded, prev.end, e.start) is not None))
        e.landmark = e.landmark or place
        prev, prev_place = e, place
    if (prev is not None and len(s.ents) >= _RECORD_MIN) or "theatres" in s.by_cat:
        _mark_track_record(s)


_LISTED_PLACE = re.compile(r"\s*(?:,|and|et|or|ou)\s*(?:in|en|au|aux)?\s*")
# A list of places: "in Ukraine, Syria and Libya", "en Syrie, en Libye et au Mali", "in Syria,
# eastern Ukraine, the Central African Republic", "in Libya, Syria and most strikingly in ...".
_THEATRES = re.compile(r"\s*,?\s*(?:(?:and|et|or|ou|in|en|au|aux|the|la|le|l'|eastern|"
                       r"western|northern|southern|central|most|strikingly|notably|especially)"
                       r"\s+)*")
_CONJUNCTION = re.compile(r"\b(?:and|et|or|ou)\b")
_GAP = 32  # characters between two listed places: ", and most strikingly in "
_RECORD_MIN = 3  # places: two are a comparison ("in Ukraine and in Libya, where ...")


def _mark_track_record(s: Sentence) -> None:
    """Rule ``record:theatres``: a list of three or more places after a locative that takes in a
    place outside Africa ("talked about in Ukraine, Syria and Libya", "fresh from operations in
    Libya, Syria and Azerbaijan") is a power's record across theatres, not its news: the African
    states of the list are landmarks, not partners."""
    theatres = s.by_cat.get("theatres")
    spots: list[Ent | Hit] = s.ents if theatres is None else sorted(
        [*s.ents, *theatres], key=lambda x: x.start)
    folded, lo, closed = s.folded, 0, False  # a list ends with the place after its 'and'
    for hi in range(1, len(spots) + 1):
        if hi < len(spots) and not closed and spots[hi].start - spots[hi - 1].end < _GAP and (
                _THEATRES.fullmatch(folded, spots[hi - 1].end, spots[hi].start)):
            closed = _CONJUNCTION.search(folded, spots[hi - 1].end, spots[hi].start) is not None
            continue
        run, lo, closed = spots[lo:hi], hi, False
        if len(run) >= _RECORD_MIN and any(_outside_africa(x) for x in run) and (
                _IN_PLACE.search(folded, max(s.start, run[0].start - 12), run[0].start)):
            for x in run:
                if isinstance(x, Ent):
                    x.landmark = True


def _outside_africa(x: Ent | Hit) -> bool:
    """A listed place outside Africa: a theatre word, or a foreign state (not an organisation)."""
    return isinstance(x, Hit) or (x.role == "actor" and x.parent is None
                                  and x.hit.entry.extra is None and not x.promoted)


def family(e: Ent) -> str:
    """An organisation counts with its parent state."""
    return e.parent or e.value


def powers(s: Sentence) -> set[str]:
    """The families of the sentence's actors (kept: asked for every actor and pair)."""
    found = s.memo.get("powers")
    if found is None:
        found = s.memo["powers"] = {family(x) for x in s.actors()}
    return found


def owned_themes(s: Sentence, a: Ent) -> set[str]:
    """The sentence's themes that are ``a``'s: with several powers named, a theme cue belongs to
    the power named nearest it, and to the powers listed with that one."""
    if len(powers(s)) <= 1:
        return set(s.themes)
    actors = s.actors()
    spots = [(theme, start, end) for theme, (_rule, start, end, _conf) in s.themes.items()]
    spots += [(h.entry.value, h.start, h.end) for h in s.cues("theme")]  # every cue, not the first
    posture = s.by_cat.get("posture")  # "the presence of French troops": a cue too
    if posture is not None:
        moves = _posture_themes()
        spots += [(moves[h.entry.value], h.start, h.end) for h in posture
                  if h.entry.value in moves]
    out = set()
    for theme, start, end in spots:
        nearest = min(actors, key=lambda x: min(abs(start - x.end), abs(x.start - end)))
        if theme in s.themes and family(a) in {family(x) for x in coordinated(s, nearest,
                                                                             actors)}:
            out.add(theme)
    return out


@cache
def _posture_themes() -> dict[str, str]:
    with open(DATA / "cues.json", encoding="utf-8") as fh:
        return json.load(fh)["posture_themes"]


def _looks_like_person(s: Sentence, h: Hit, titles: frozenset[str]) -> bool:
    """'Carl Wagner' or 'Chad Smith': a capitalised non-title word glued to the form."""
    prev = _PREV_WORD.search(s.text, s.start, h.start)
    if prev and prev.end(1) == h.start - 1 and prev.start(1) > s.start:
        word = prev.group(1)
        if word[0].isupper() and word not in titles and not word.endswith(("'s", "’s")):
            return True
    if s.field == "title":
        return False
    nxt = _NEXT_WORD.match(s.text[h.end:s.end])
    if nxt and nxt.start(1) == 1:
        word = nxt.group(1)
        if word[0].isupper() and word not in titles and not _is_entity_at(s, h.end + 1):
            return True
    return False


_FR_WORDS = frozenset(("AU", "UN"))  # acronyms that are French words in a headline in capitals


def _in_capitals(s: Sentence, h: Hit) -> bool:
    """The words on both sides of the hit are written in capitals (a headline in capitals)."""
    prev = _PREV_WORD.search(s.text, s.start, h.start)
    nxt = _NEXT_WORD.match(s.text[h.end:s.end])
    return all(m is not None and m.group(1).isupper() and len(m.group(1)) > 1
               for m in (prev, nxt))


def _is_entity_at(s: Sentence, pos: int) -> bool:
    return any(x.start == pos and x.entry.cat in ("actor", "partner") for x in s.hits)


_CLAUSE_END = re.compile(r"[,;:()—–]|\s-\s")
# A dateline: a city in capitals, its country, an agency, then a colon or a dash.
_DATELINE = re.compile(r"\s*[A-ZÀ-Ý][A-ZÀ-Ý'’. -]{2,40}(?:,\s+[A-ZÀ-Ý][\w'’. -]{2,40}?)?\s*"
                       r"(?:\((?:AFP|Reuters|AP|APA|Xinhua|Anadolu|dpa)\)\s*)?(?:[:—–]|-\s)")


def comparisons(s: Sentence) -> list[tuple[int, int]]:
    """Spans from a comparison cue ('unlike', 'à l'instar de') to its clause's end: what the
    news is compared with, not the news."""
    spans = []
    for c in s.cues("comparison"):
        stop = _CLAUSE_END.search(s.text, c.end, s.end)
        spans.append((c.end, stop.start() if stop else s.end))
    return spans


def _mark_landmarks(s: Sentence, ents: list[Ent]) -> None:
    """Countries after 'on the borders of' or 'près de', or before 'border', locate: they do
    not act. So do those of a comparison ('unlike in Mali and Niger', up to the clause's end)
    and of a dateline ('DAKAR, Senegal:', where the story was filed)."""
    for e in ents:  # a power named 'via Syria' is a landmark too
        if _cue_right_after(s, e.end, "geo_after"):
            e.landmark = True
    spans = comparisons(s)
    for lo, hi in spans:  # "à l'instar des départs français au Niger ou au Burkina"
        for e in ents:
            if lo <= e.start and e.end <= hi:
                e.landmark = True
    if s.field == "text" and s.start == 0:
        line = _DATELINE.match(s.text, 0, s.end)
        if line:  # "DAKAR, Senegal: ...": where the story was filed
            for e in ents:
                if e.end <= line.end():
                    e.landmark = True
    for g in s.cues("geo"):
        if any(lo == g.end for lo, _hi in spans):
            continue  # a comparison ("unlike Chad and Niger, Russia...") ends with its clause
        pos = g.end
        for e in (e for e in ents if e.start >= g.end):  # the next country and its list
            if not _ROUTE_GAP.fullmatch(s.folded, pos, e.start):
                break
            e.landmark = True
            pos = e.end


# Between a geo cue and the places it locates: a list, and the route words of rule
# geo:route ("via the Cameroonian port of Douala", "la frontière entre le Mali et le Niger").
_ROUTE_GAP = re.compile(r"[\s,]*(?:(?:and|et|or|ou|the|la|le|l'|du|de|des|au|aux|en|in|of|port|"
                        r"between|entre)\s+)*")


def role_cued(s: Sentence) -> list[Ent]:
    """Partner mentions of an African state shown with its own forces: 'Rwandan troops',
    'Rwanda (also) sent', 'soldats tchadiens', 'Rwandan and Mozambican troops'."""
    if len(s.ents) < 1 or not (s.has("role_nouns") or s.has("supply") or s.has("posture")):
        return []
    marks = s.cues("role_nouns") + s.cues("supply") + [
        h for h in s.cues("posture") if h.entry.value == "deploy"]
    states = [e for e in s.ents if e.role == "partner" and e.place is None and not e.landmark]
    cued: list[Ent] = []
    for e in states:
        if any(_role_cue(s, e, h) for h in marks):
            cued.append(e)
    for e in states:  # "Rwandan and Mozambican troops": the first of a pair shares the cue
        if e not in cued and any(
            re.fullmatch(r"\s+(?:and|et)\s+", s.folded[e.end:c.start]) for c in cued
        ):
            cued.append(e)
    return cued


def _role_cue(s: Sentence, e: Ent, h: Hit) -> bool:
    if h.start >= e.end:  # 'Rwandan troops', 'Rwanda has begun deploying', 'a renforcé son'
        gap = s.folded[e.end:h.start]
        if len(gap) > 26:  # checked first: a search of every long gap made pairing quadratic
            return False
        words = 1 if h.entry.cat == "role_nouns" and not _POSSESSIVE.search(gap) else 3
        return re.fullmatch(rf"\s+(?:\w+\s+){{0,{words}}}", gap) is not None
    if h.entry.cat != "role_nouns" or not e.hit.entry.form[0].islower():
        return False
    return h.end <= e.start and not s.folded[h.end:e.start].strip()


def promote(sentences: list[Sentence]) -> None:
    """An African state whose own forces act in another African state is an actor there.

    The host is the country of a town named in the sentence, or another country named without
    its forces; failing that, the document's most named partner if named more than the state.
    """
    acting: set[str] = set()
    cued_in: dict[int, list[Ent]] = {}
    for s in sentences:
        cued = role_cued(s)
        if not cued:
            continue
        cued_in[id(s)] = cued
        cued_values = {e.value for e in cued}
        hosts = {e.value for e in s.ents if e.role == "partner" and not e.landmark
                 and (_is_town(e) or (e not in cued and (
                     e.value not in cued_values or _destination(s, e))))}
        if not hosts and (s.has("posture") or s.has("supply")):
            hosts = _main_partner(sentences, cued_values)
        if not hosts:
            continue
        s.hosts = hosts
        for e in cued:
            if e.value not in hosts:
                acting.add(e.value)
    # Such a state is an actor wherever it is named, except as a host, or as the partner of a
    # foreign power in the same sentence ("the EU funds the Rwandan troops in Mozambique").
    for s in sentences:
        foreign = any(e.role == "actor" and not e.promoted for e in s.ents)
        for e in s.ents:
            if e.role == "partner" and e.value in acting and e.value not in s.hosts and not (
                    foreign and e not in cued_in.get(id(s), ())):
                e.role, e.promoted = "actor", True


_TOWARDS = re.compile(
    r"\b(?:in|to|into|inside|across|within|au|aux|en|dans|vers|à)\s+(?:[\w'’-]+\s+){0,4}$")


def _is_town(e: Ent) -> bool:
    """A town or base names a host; a capital may be its government ('Kigali denies...')."""
    return e.place is not None and e.hit.entry.extra != "capital"


def _destination(s: Sentence, e: Ent) -> bool:
    """'... in the eastern Democratic Republic of the Congo', 'dans l'est de la RDC'."""
    return _TOWARDS.search(s.folded, max(s.start, e.start - 40), e.start) is not None


def _main_partner(sentences: list[Sentence], cued: set[str]) -> set[str]:
    counts: dict[str, int] = {}
    for s in sentences:
        for e in s.ents:
            if e.role == "partner" and not e.landmark:
                counts[e.value] = counts.get(e.value, 0) + 1
    others = {v: n for v, n in counts.items() if v not in cued}
    if not others:
        return set()
    host, n = max(others.items(), key=lambda kv: kv[1])
    return {host} if all(counts.get(c, 0) < n for c in cued) else set()
