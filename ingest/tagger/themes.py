"""Themes of a sentence: vocabulary cues, co-occurrence rules, and themes implied by entities."""

from __future__ import annotations

import re

from .analysis import Sentence, comparisons

_CUE_CONFIDENCE = 0.8
_COOCCUR_CONFIDENCE = 0.6
_IMPLIED_CONFIDENCE = 0.7


def add(s: Sentence, theme: str, rule: str, start: int, end: int, confidence: float) -> None:
    """Record a theme once per sentence, keeping the first (leftmost) evidence."""
    if theme not in s.themes:
        s.themes[theme] = (rule, start, end, confidence)


def assign(s: Sentence) -> None:
    """Fill s.themes from the cues of the sentence (negated cues were dropped by the matcher)."""
    if s.offtopic:
        return
    aside = comparisons(s) if s.has("comparison") else []  # "à l'instar du retrait de..."
    if s.has("actor"):  # a broadcaster named only as a source brings no information theme
        kept = {e.start for e in s.ents}
        aside += [(h.start, h.end) for h in s.cues("actor")
                  if h.entry.rule.startswith("media:") and h.start not in kept]
    if s.has("speech") or s.has("source_before"):
        aside += attributions(s)
    setting = settings(s) if any(h.entry.value == "security_incident"
                                 for h in s.cues("theme")) else []
    firsts: dict[str, tuple[int, int]] = {}
    seconds: dict[str, tuple[int, int]] = {}
    for h in s.hits:
        e = h.entry
        if aside and any(lo <= h.start < hi for lo, hi in aside):
            continue
        if setting and e.value == "security_incident" and any(
                lo <= h.start < hi for lo, hi in setting):
            continue
        if e.cat == "theme":
            add(s, e.value, e.rule, h.start, h.end, _CUE_CONFIDENCE)
        elif e.cat == "co_a":
            firsts.setdefault(e.value, (h.start, h.end))
        elif e.cat == "co_b":
            seconds.setdefault(e.value, (h.start, h.end))
    for theme, (start, end) in firsts.items():
        if theme in seconds:
            add(s, theme, f"theme:{theme}:cooccurrence", start, end, _COOCCUR_CONFIDENCE)
    for ent in s.ents:
        for theme in ent.hit.entry.implies:
            add(s, theme, f"theme:{theme}:implied-by:{ent.value}", ent.start, ent.end,
                _IMPLIED_CONFIDENCE)


# A clause describing a place or another party: "..., where a militant insurgency has left
# thousands dead", "jihadists, who launch regular attacks", "..., a country grappling with".
_DESCRIBING = re.compile(r"(?:,\s*|\s)(?:where|who|which|that|où|qui|dont)\b|,\s*(?:(?:a|an|"
                         r"the|un|une|la|le)\s+)?(?:[\w-]+\s+)?(?:country|nation|region|province|"
                         r"pays|région|ville|town|city)\b")
_ANTECEDENT = 30  # characters before the clause: "French forces, which", "Wagner, qui"
# The fight against an enemy named as a class: "fighting the insurgency", "la lutte contre les
# groupes armés", "tasked with fighting the world's most powerful al-Qaeda affiliates".
_FIGHT = re.compile(r"\b(?:fight(?:ing|s)?|fought|battl(?:e|es|ing)|combat(?:s|tre|tent|tant)?|"
                    r"lutte|lutter)\s+(?:(?:against|contre)\s+)?"
                    r"(?:(?!alongside\b|with\b|beside\b|avec\b|aux\b|côté\b)[\w'’-]+\s+){0,5}?"
                    r"(?:insurgen|jihadi|djihadi|terror|militants|extremis|"
                    r"extrémis|armed group|groupes armés|al-qa|al-shabaa?b|shebab|islamic state|"
                    r"état islamique|boko haram)")


def settings(s: Sentence) -> list[tuple[int, int]]:
    """Rule ``aside:setting``: where a ``security_incident`` cue describes the setting rather
    than what a power does. A clause that describes a place or another party (a relative
    clause or ', a country ...') whose antecedent and body name no power, and the fight
    against an enemy named as a class (the abstract fight against terrorism of
    docs/labelling.md), bring no ``security_incident``: the insurgency of the host, the attacks
    of jihadists, are the backdrop of the news, not the news."""
    actors = [a.start for a in s.actors()]
    spans = [(m.start(), m.end()) for m in _FIGHT.finditer(s.folded, s.start, s.end)]
    for m in _DESCRIBING.finditer(s.folded, s.start, s.end):
        stop = _BREAK.search(s.text, m.end(), s.end)
        hi = stop.start() if stop else s.end
        if not any(m.start() - _ANTECEDENT <= a < hi for a in actors):
            spans.append((m.end(), hi))
    return spans


_BREAK = re.compile(r"[,;:()\"“”«»—–]")
_THAT = re.compile(r"\b(?:that|que|qu'|qu’)")
_RELATIVE = re.compile(r"\b(?:who|which|that|qui|que|dont)\b")
_SPEAKER_WORDS = 6  # "Russian ambassador Vladimir Titorenko", "China's Ministry of Defense"


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
        brk = _last_break(text, s.start, c.start)
        if text[brk:c.start].strip():  # 'the ministry said', '..., officials said'
            subject = text[brk:c.start]
            if len(subject.split()) <= _SPEAKER_WORDS and not _RELATIVE.search(subject):
                spans.append((brk, c.end))
        elif _THAT.search(text, c.end, s.end) is None:  # ', said X.' / ', a précisé X.'
            spans.append((c.start, s.end))
        elif brk > s.start:  # 'X, a spokesperson for the ministry, said that ...'
            lo = _last_break(text, s.start, brk - 1)
            if len(text[lo:brk].split()) <= _SPEAKER_WORDS:
                spans.append((lo, brk))
    return spans


def _last_break(text: str, lo: int, hi: int) -> int:
    """Where the clause ending at ``hi`` starts: after the last comma, quote or bracket."""
    last = lo
    for m in _BREAK.finditer(text, lo, hi):
        last = m.end()
    return last
