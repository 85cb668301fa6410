"""Themes of a sentence: vocabulary cues, co-occurrence rules, and themes implied by entities."""

from __future__ import annotations

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
    """Fill s.themes from the cues of the sentence (negated cues were dropped by the matcher).

    Only the theme and co-occurrence cues are read (each list in text order, so the leftmost
    evidence still comes first), not every hit of the sentence."""
    if s.offtopic:
        return
    aside = _asides(s) if s.has("comparison") or s.has("actor") else []
    for h in s.cues("theme"):
        if not (aside and _inside(h, aside)):
            add(s, h.entry.value, h.entry.rule, h.start, h.end, _CUE_CONFIDENCE)
    if s.has("co_a") and s.has("co_b"):
        seconds = _firsts(s.cues("co_b"), aside)
        for theme, (start, end) in _firsts(s.cues("co_a"), aside).items():
            if theme in seconds:
                add(s, theme, f"theme:{theme}:cooccurrence", start, end, _COOCCUR_CONFIDENCE)
    for ent in s.ents:
        for theme in ent.hit.entry.implies:
            add(s, theme, f"theme:{theme}:implied-by:{ent.value}", ent.start, ent.end,
                _IMPLIED_CONFIDENCE)


def _asides(s: Sentence) -> list[tuple[int, int]]:
    """Spans whose cues bring no theme: a comparison ("à l'instar du retrait de...") and a
    broadcaster named only as a source (a media hit that is no entity of the sentence)."""
    aside = comparisons(s) if s.has("comparison") else []
    media = [h for h in s.cues("actor") if h.entry.rule.startswith("media:")]
    if media:
        kept = {e.start for e in s.ents}
        aside += [(h.start, h.end) for h in media if h.start not in kept]
    return aside


def _inside(h: Hit, spans: list[tuple[int, int]]) -> bool:
    return any(lo <= h.start < hi for lo, hi in spans)


def _firsts(cues: list[Hit], aside: list[tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """The first cue of each theme outside the asides."""
    found: dict[str, tuple[int, int]] = {}
    for h in cues:
        if not (aside and _inside(h, aside)):
            found.setdefault(h.entry.value, (h.start, h.end))
    return found
