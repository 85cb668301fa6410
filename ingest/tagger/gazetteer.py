"""Vocabulary loading and the one-pass matcher (one Aho-Corasick automaton per language).

All vocabularies (entities, theme cues, status and posture cues) go into the same automaton,
so a document is scanned once; a Python loop only runs over the hits.
"""

from __future__ import annotations

import csv
import gettext
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import attrgetter
from pathlib import Path

import ahocorasick
import pycountry

from .text import strip_accents

DATA = Path(__file__).parent / "data"
LANGS = ("en", "fr")

# Case modes: a form in lower case matches any case; a capitalised form needs a capital
# (so 'Chad' is not 'chad', 'Turkey' not 'turkey'); an all-caps acronym must match exactly
# (so 'CAR' is not 'car', 'US' not 'us', 'AU' not French 'au').
ANY_CASE, CAPITAL, EXACT = 0, 1, 2
_ENTITY_CATS = ("actor", "partner", "negative")
# Overlap groups: within a group the leftmost-longest hit wins.
_GROUPS = {"actor": "entity", "partner": "entity", "negative": "entity", "theme": "theme",
           "theme_neg": "theme", "status": "status", "posture": "posture",
           "posture_neg": "posture"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One vocabulary form and what it means."""

    cat: str  # actor partner negative theme theme_neg status posture force base anaphor_* ...
    value: str  # canonical name, theme id, status, action
    rule: str
    form: str
    case: int
    prefix: bool  # trailing * in the data: any word ending
    parent: str | None = None
    place: str | None = None
    capital: bool = False
    person_risk: bool = False
    confidence: float = 0.9
    extra: str | None = None  # posture: 'needs_base'; actor: force type; entity: blocked_by
    implies: tuple[str, ...] = ()  # themes any mention of this entity brings


@dataclass(slots=True)
class Hit:
    """A vocabulary form found at [start, end) of a field (not frozen: built by the hundred per
    document, and a frozen dataclass is three times slower to build)."""

    start: int
    end: int
    entry: Entry


def case_mode(form: str) -> int:
    letters = [c for c in form if c.isalpha()]
    if not letters or form[0].islower() or not form[0].isalpha():
        return ANY_CASE if not (letters and all(c.isupper() for c in letters)) else EXACT
    if all(c.isupper() for c in letters) and len(letters) <= 6:
        return EXACT
    return CAPITAL


def _load(name: str) -> dict:
    with open(DATA / name, encoding="utf-8") as fh:
        return json.load(fh)


def _forms(block: dict, lang: str) -> list[str]:
    return list(block.get("all", [])) + list(block.get(lang, []))


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """ISO alpha-2 -> canonical English name for the African states of partners.json."""
    data = _load("partners.json")["countries"]
    out = {}
    for code, block in data.items():
        c = pycountry.countries.get(alpha_2=code)
        out[code] = block.get("canonical") or getattr(c, "common_name", None) or c.name
    return out


@lru_cache(maxsize=1)
def _places() -> list[dict]:
    with open(DATA / "places.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def place_coordinates() -> dict[str, tuple[float, float, str]]:
    """{place name or alias: (lat, lon, country)} for capitals and military places, offline."""
    names = countries()
    out: dict[str, tuple[float, float, str]] = {}
    for row in _places():
        value = (float(row["lat"]), float(row["lon"]), names[row["country"]])
        for name in [row["name"], *filter(None, row["aliases"].split("|"))]:
            out[name] = value
    return out


def _country_entries(lang: str) -> list[Entry]:
    data = _load("partners.json")["countries"]
    names = countries()
    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    out: list[Entry] = []
    for code, block in data.items():
        c = pycountry.countries.get(alpha_2=code)
        canonical = names[code]
        official = [canonical, c.name, getattr(c, "official_name", None)]
        if lang == "fr":
            official += [fr.gettext(c.name)]
        excluded = set(block.get("exclude", []))
        risky = set(block.get("person_risk", []))
        forms = [f for f in official if f and "," not in f and f not in excluded]
        for form in dict.fromkeys(forms + _forms(block, lang)):
            demonym = form[0].islower() or form.endswith(("an", "ans", "ese", "ois", "ien", "ian"))
            out.append(Entry("partner", canonical, f"gazetteer:{lang}:{form.lower()}", form,
                             case_mode(form), False, person_risk=form in risky,
                             confidence=0.85 if demonym else 0.95))
        for form in block.get("leaders", []):
            out.append(Entry("partner", canonical, f"leader:{lang}:{form.lower()}", form,
                             case_mode(form), False, confidence=0.7))
    for row in _places():
        if row["match"] != "1":
            continue
        for form in [row["name"], *filter(None, row["aliases"].split("|"))]:
            out.append(Entry("partner", names[row["country"]], f"place:{lang}:{form.lower()}",
                             form, CAPITAL, False, place=row["name"], confidence=0.8,
                             extra=row["kind"]))
    return out


def _actor_entries(lang: str) -> list[Entry]:
    data = _load("actors.json")
    out: list[Entry] = []
    for a in data["actors"]:
        extra = ",".join(filter(None, [a.get("force")] + a.get("blocked_by", []))) or None
        for form in _forms(a, lang):
            out.append(Entry("actor", a["name"], f"gazetteer:{lang}:{form.lower()}", form,
                             case_mode(form), False, parent=a.get("parent"),
                             person_risk=a.get("person_risk", False) and " " not in form,
                             confidence=0.9, extra=extra, implies=tuple(a.get("implies", ()))))
        for form in a.get("leaders", []):
            out.append(Entry("actor", a["name"], f"leader:{lang}:{form.lower()}", form,
                             case_mode(form), False, parent=a.get("parent"), confidence=0.7,
                             extra=extra))
        for form in a.get("media", []):
            out.append(Entry("actor", a["name"], f"media:{lang}:{form.lower()}", form,
                             case_mode(form), False, confidence=0.8, implies=("information",)))
        for form in a.get("capitals", []):
            out.append(Entry("actor", a["name"], f"capital:{lang}:{form.lower()}", form,
                             CAPITAL, False, parent=a.get("parent"), capital=True,
                             confidence=0.75, extra=extra, implies=tuple(a.get("implies", ()))))
    for form in _forms(data["negatives"], lang):
        out.append(Entry("negative", form, f"negative:{lang}:{form.lower()}", form,
                         ANY_CASE, False))
    return out


CUE_SETS = ("force", "base_nouns", "anaphor_partner", "anaphor_actor", "sport", "music", "geo",
            "geo_after", "speech", "source_before", "not_actor_after", "not_actor_before",
            "africa", "supply", "dative_verbs", "role_nouns", "posture_neg",
            "reaction", "abroad", "theatres", "read_more", "comparison",
            "endorse_before", "press_after")


def _cue(cat: str, value: str, form: str, lang: str, extra: str | None = None) -> Entry:
    prefix = form.endswith("*")
    form = form.rstrip("*")
    case = EXACT if case_mode(form) == EXACT else ANY_CASE
    return Entry(cat, value, f"{cat}:{lang}:{value}:{form.lower()}", form, case, prefix,
                 confidence=0.8, extra=extra)


def _cue_entries(lang: str) -> list[Entry]:
    themes = _load("themes.json")
    cues = _load("cues.json")
    out: list[Entry] = []
    for theme, block in themes["themes"].items():
        out += [_cue("theme", theme, f, lang) for f in block.get(lang, [])]
    out += [_cue("theme_neg", "none", f, lang) for f in themes["negatives"].get(lang, [])]
    gear = themes["equipment"]  # arms_transfer only with a word of transfer in the sentence
    out += [_cue("theme", gear["theme"], f, lang, "needs_transfer") for f in gear[lang]]
    out += [_cue("transfer", "transfer", f, lang) for f in gear["transfer"][lang]]
    for rule in themes["cooccur"]:
        first, second = rule[lang]
        out += [_cue("co_a", rule["theme"], f, lang) for f in first]
        out += [_cue("co_b", rule["theme"], f, lang) for f in second]
    for status, block in cues["status"].items():
        out += [_cue("status", status, f, lang) for f in block.get(lang, [])]
    for name, block in cues["posture"].items():
        extra = "needs_base" if block.get("needs_base") else None
        action = block.get("action", name)
        out += [_cue("posture", action, f, lang, extra) for f in block.get(lang, [])]
    for cat in CUE_SETS:
        out += [_cue(cat, cat, f, lang) for f in cues[cat].get(lang, [])]
    return out


_NON_WORD = re.compile(r"[^\w ]")
_NON_WORDS = re.compile(r"[^\w]+")


def _keys(entry: Entry) -> set[str]:
    """Automaton keys of a form: lower-case, punctuation as space; names also without accents
    (cues keep them: 'basé' is not 'base')."""
    low = _NON_WORDS.sub(" ", entry.form.lower()).strip()
    if not low:
        return set()
    return {low, strip_accents(low)} if entry.cat in _ENTITY_CATS else {low}


# _NON_WORD as a byte table over Latin-1: most English and French news is Latin-1, and a
# byte translation is many times faster than the engine testing \w at every character.
_LATIN1_WORDS = bytes(32 if _NON_WORD.match(chr(b)) else b for b in range(256))


def words_only(folded: str) -> str:
    """The folded text with every non-word character as a space (same length), padded by one
    space each side, so keys padded with spaces only match whole words."""
    try:
        latin1 = folded.encode("latin-1")
    except UnicodeEncodeError:
        return f" {_NON_WORD.sub(' ', folded)} "
    return f" {latin1.translate(_LATIN1_WORDS).decode('latin-1')} "


class Matcher:
    """Finds every vocabulary form of one language in a field, with word boundaries and case."""

    def __init__(self, lang: str) -> None:
        table: dict[str, list[Entry]] = {}
        for entry in _country_entries(lang) + _actor_entries(lang) + _cue_entries(lang):
            for key in _keys(entry):
                key = f" {key}" if entry.prefix else f" {key} "
                bucket = table.setdefault(key, [])
                if entry not in bucket:
                    bucket.append(entry)
        self.automaton = ahocorasick.Automaton()
        for key, entries in table.items():
            with_groups = tuple((e, _GROUPS.get(e.cat)) for e in entries)
            shared_cat = len({e.cat for e in entries}) < len(entries)
            self.automaton.add_word(key, (len(key), not key.endswith(" "), shared_cat,
                                          with_groups))
        self.automaton.make_automaton()

    def scan(self, text: str, folded: str) -> list[Hit]:
        """All hits, overlaps resolved leftmost-longest within each group.

        Hits are sorted into their overlap group as they are found (in the order _resolve
        expects), which saves a second pass over them.
        """
        padded = words_only(folded)
        free: list[Hit] = []  # cues whose overlaps do not matter
        groups: dict[str, list[Hit]] = {}
        for last, (size, prefix, shared_cat, entries) in self.automaton.iter(padded):
            # padded[i] is text[i - 1]; a key spans its leading space (and trailing, if whole word)
            start = last - size + 1
            end = (padded.find(" ", last) if prefix else last) - 1
            taken: set[str] = set()  # one entry per category at a spot
            for e, group in entries:
                if e.case and not _case_ok(text, start, end, e):
                    continue
                if shared_cat:
                    if e.cat in taken:
                        continue
                    taken.add(e.cat)
                if group is None:
                    free.append(Hit(start, end, e))
                elif group in groups:
                    groups[group].append(Hit(start, end, e))
                else:
                    groups[group] = [Hit(start, end, e)]
        return _resolve(free, groups)


def _case_ok(text: str, start: int, end: int, e: Entry) -> bool:
    if e.case == CAPITAL:
        return text[start].isupper()
    s = text[start:end]
    return s == e.form or s == _bare(e.form) or s.replace("\u2019", "'") == e.form


@lru_cache(maxsize=4096)
def _bare(form: str) -> str:
    """strip_accents() of a vocabulary form, computed once per form instead of once per hit."""
    return strip_accents(form)


_CANCELLING = frozenset({"negative", "theme_neg", "posture_neg"})


def _span_order(h: Hit) -> tuple[int, int, bool]:
    """Leftmost, then longest, then a cancellation before the cue it cancels: a wildcard cue
    (`install*`) and its exception (`installations`) cover the same letters."""
    return h.start, h.start - h.end, h.entry.cat not in _CANCELLING


def _resolve(free: list[Hit], groups: dict[str, list[Hit]]) -> list[Hit]:
    """Leftmost-longest within the groups where an overlap changes the meaning (names, theme
    cues and their negations, status cues and their cancellations); other cues pass through."""
    out = free
    for group in groups.values():
        group.sort(key=_span_order)
        last = -1
        for h in group:
            if h.start >= last:
                out.append(h)
                last = h.end
    out.sort(key=_START)
    return out


_START = attrgetter("start")


@cache
def matcher(lang: str) -> Matcher:
    """The compiled matcher of a language, built on first use."""
    return Matcher(lang)
