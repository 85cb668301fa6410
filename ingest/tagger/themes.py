"""Themes of a sentence: vocabulary cues, co-occurrence rules, and themes implied by entities."""

from __future__ import annotations

import re

from .analysis import Sentence, comparisons
from .gazetteer import Hit

_CUE_CONFIDENCE = 0.8
_COOCCUR_CONFIDENCE = 0.6
_IMPLIED_CONFIDENCE = 0.7


def add(s: Sentence, theme: str, rule: str, start: int, end: int, confidence: float) -> None:
    """Record a theme once per sentence, keeping the first (leftmost) evidence."""
    if theme not in s.themes:
        s.themes[theme] = (rule, start, end, confidence)


def assign(s: Sentence) -> None:
    """Fill s.themes from the cues of the sentence (negated cues were dropped by the matcher)."""
    by_cat = s.by_cat
    cues = by_cat.get("theme")
    if s.offtopic:
        return
    if cues is not None or "co_a" in by_cat:  # most sentences have neither
        _cue_themes(s, cues or [])
    for ent in s.ents:
        for theme in ent.hit.entry.implies:
            add(s, theme, f"theme:{theme}:implied-by:{ent.value}", ent.start, ent.end,
                _IMPLIED_CONFIDENCE)


def _cue_themes(s: Sentence, cues: list[Hit]) -> None:
    """The themes of the theme cues and co-occurrences that are not set aside."""
    by_cat = s.by_cat
    aside = comparisons(s) if "comparison" in by_cat else []  # "à l'instar du retrait de..."
    if "actor" in by_cat:  # a broadcaster named only as a source brings no information theme
        kept = {e.start for e in s.ents}
        aside += [(h.start, h.end) for h in s.cues("actor")
                  if h.entry.rule.startswith("media:") and h.start not in kept]
    if ("speech" in by_cat or "source_before" in by_cat) and (
            "co_a" in by_cat or any(h.entry.value in _SAID_THEMES for h in cues)):
        aside += attributions(s)
    for h in cues:
        if (aside and _within(h, aside)) or (h.entry.value == "security_incident"
                                             and in_setting(s, h)) or (
                h.entry.extra == "needs_transfer" and not _transfer(s)):
            continue
        add(s, h.entry.value, h.entry.rule, h.start, h.end, _CUE_CONFIDENCE)
    bases = by_cat.get("base_nouns")
    firsts: dict[str, tuple[int, int]] = {}
    for h in s.cues("co_a"):
        if not (aside and _within(h, aside)) and not (bases and _describes_base(s, h, bases)):
            firsts.setdefault(h.entry.value, (h.start, h.end))
    seconds = {h.entry.value for h in s.cues("co_b") if not (aside and _within(h, aside))}
    for theme, (start, end) in firsts.items():
        if theme in seconds:
            add(s, theme, f"theme:{theme}:cooccurrence", start, end, _COOCCUR_CONFIDENCE)


def _transfer(s: Sentence) -> bool:
    """A word of transfer in the sentence: an ``equipment.transfer`` cue of themes.json
    (bought, sold, livraison), a ``supply`` cue (delivered, livré) or a deploy cue (sent,
    arrived, déployé): equipment that moves into a country is an arms transfer."""
    by_cat = s.by_cat
    return "transfer" in by_cat or "supply" in by_cat or any(
        h.entry.value == "deploy" for h in by_cat.get("posture", ()))


def _within(h: Hit, spans: list[tuple[int, int]]) -> bool:
    return any(lo <= h.start < hi for lo, hi in spans)


# Between a word and the base noun it describes: "support facilities", "support base",
# "military and support facilities".
_BASE_WORD_GAP = re.compile(r"[\s'’‘“”\"«»-]*(?:(?:and|or|et|ou)\s+[\w-]+[\s'’‘“”\"«»]*)?")


def _describes_base(s: Sentence, h: Hit, bases: list[Hit]) -> bool:
    """Rule ``cooccurrence:base-word``: a word of help glued to a base noun ('support
    facilities', 'a support base', 'base de soutien') names a kind of base (theme ``base``), it
    does not say that a power helps: no military cooperation from it."""
    folded = s.folded
    return any((b.start >= h.end and _BASE_WORD_GAP.fullmatch(folded, h.end, b.start))
               or (h.start >= b.end and _BASE_WORD_GAP.fullmatch(folded, b.end, h.start))
               for b in bases)


# What opens a clause describing a place or another party: "..., where a militant insurgency
# has left thousands dead", "jihadists, who launch regular attacks", "..., a country grappling".
_DESCRIBING = re.compile(r"[ ,](?:where|who|which|that|où|qui|dont)\b|,\s*(?:(?:a|an|the|un|"
                         r"une|la|le)\s+)?(?:[\w-]+\s+)?(?:country|nation|region|province|pays|"
                         r"région|ville|town|city)\b")
_ANTECEDENT = 30  # characters before the clause: "French forces, which", "Wagner, qui"
_WINDOW = 80  # characters around a cue where its clause and its fight are looked for
# The fight against an enemy named as a class: "fighting the insurgency", "la lutte contre les
# groupes armés", "tasked with fighting the world's most powerful al-Qaeda affiliates".
_FIGHT = re.compile(r"[fbcl](?:ight(?:ing|s)?|ought|attl(?:e|es|ing)|ombat(?:s|tre|tent|tant)?|"
                    r"utte|utter)\s+(?:(?:against|contre)\s+)?"
                    r"(?:(?!alongside\b|with\b|beside\b|avec\b|aux\b|côté\b)[\w'’-]+\s+){0,5}?"
                    r"(?:insurgen|jihadi|djihadi|terror|militants|extremis|"
                    r"extrémis|armed group|groupes armés|al-qa|al-shabaa?b|shebab|islamic state|"
                    r"état islamique|boko haram)")


def in_setting(s: Sentence, h: Hit) -> bool:
    """Rule ``aside:setting``: a ``security_incident`` cue that describes the setting rather
    than what a power does. A clause that describes a place or another party (a relative
    clause or ', a country ...') whose antecedent and body name no power, and the fight
    against an enemy named as a class (the abstract fight against terrorism of
    docs/labelling.md), bring no ``security_incident``: the insurgency of the host, the attacks
    of jihadists, are the backdrop of the news, not the news."""
    folded, lo = s.folded, max(s.start, h.start - _WINDOW)
    for m in _FIGHT.finditer(folded, lo, min(s.end, h.end + _WINDOW)):
        if m.start() <= h.start < m.end() and not folded[m.start() - 1].isalnum():
            return True
    head = None
    for m in _DESCRIBING.finditer(folded, lo, h.start):
        head = m  # the clause nearest the cue
    if head is None:
        return False
    stop = _BREAK.search(s.text, h.end, s.end)
    hi = stop.start() if stop else s.end
    if _BREAK.search(s.text, head.end(), h.start):
        return False  # the cue is past that clause
    return not any(head.start() - _ANTECEDENT <= a.start < hi for a in s.actors())


# The themes whose words name who speaks: a minister, an embassy, a statement, the media.
_SAID_THEMES = frozenset(("diplomacy", "information", "military_cooperation"))
_BREAK = re.compile(r"[,;:()\"“”«»—–]")
_THAT = re.compile(r" (?:that|que|qu'|qu’)")
_RELATIVE = re.compile(r" (?:who|which|that|qui|que|dont)\b")
_SPEAKER_WORDS = 6  # "Russian ambassador Vladimir Titorenko", "China's Ministry of Defense"
# "firms it says fund Wagner": a pronoun before the verb is the whole speaker
_PRONOUNS = frozenset("it they he she we i il elle ils elles on nous".split())
_REACH = 80  # characters: six words, or the 'that' after 'said on Thursday'


def attributions(s: Sentence) -> list[tuple[int, int]]:
    """Rule ``aside:attribution``: who speaks and where it was said, not what a power does.

    The spans are the words after 'according to' or 'selon' up to the clause's end, a short
    subject of a verb of saying ('Russian ambassador X told AFP', 'the defence ministry said'),
    the speaker after an inverted verb (', a précisé Africom dans un communiqué.'), and the
    speaker set off by commas before one ('X, a spokesperson for the defence ministry, said
    that'). Their theme cues (a minister, an embassy, a statement, the media) do not count.
    """
    text, spans = s.text, []
    for c in s.cues("source_before"):
        stop = _BREAK.search(text, c.end, s.end)
        spans.append((c.end, stop.start() if stop else s.end))
    sources = {c.start for c in s.cues("source_before")}
    for c in s.cues("speech"):
        if c.start in sources:  # 'selon' is both
            continue
        floor = max(s.start, c.start - _REACH)
        brk = _last_break(text, floor, c.start)
        if text[brk:c.start].strip():  # 'the ministry said', '..., officials said'
            subject = text[brk:c.start]
            words = subject.split()
            if (brk > floor or floor == s.start) and len(words) <= _SPEAKER_WORDS \
                    and words[-1].lower() not in _PRONOUNS and not _RELATIVE.search(subject):
                spans.append((brk, c.end))
        elif _THAT.search(text, c.end, min(s.end, c.end + _REACH)) is None:
            spans.append((c.start, s.end))  # ', said X.' / ', a précisé X.'
        elif brk > s.start:  # 'X, a spokesperson for the ministry, said that ...'
            lo = _last_break(text, max(s.start, brk - 1 - _REACH), brk - 1)
            if len(text[lo:brk].split()) <= _SPEAKER_WORDS:
                spans.append((lo, brk))
    return spans


_UP_TO_BREAK = re.compile(r".*[,;:()\"“”«»—–]", re.S)


def _last_break(text: str, lo: int, hi: int) -> int:
    """Where the clause ending at ``hi`` starts: after the last comma, quote or bracket."""
    m = _UP_TO_BREAK.match(text, lo, hi)
    return m.end() if m else lo
