"""Themes of a sentence: vocabulary cues, co-occurrence rules, and themes implied by entities."""

from __future__ import annotations

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
    firsts: dict[str, tuple[int, int]] = {}
    seconds: dict[str, tuple[int, int]] = {}
    for h in s.hits:
        e = h.entry
        if aside and any(lo <= h.start < hi for lo, hi in aside):
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
