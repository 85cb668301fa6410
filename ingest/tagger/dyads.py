"""Actor-partner dyads from one sentence, or two adjacent sentences linked by a reference.

A pair needs a theme in its evidence; an article naming Russia in one paragraph and Mali in an
unrelated one yields nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .analysis import Ent, Sentence, family, owned_themes, powers, run_of
from .model import THEMES, Dyad
from .speaker import find_speaker, is_quote
from .status import attributive_hedge, clause_bounds, combine, statement_status, status_of


@dataclass(slots=True)
class _Evidence:
    actor: Ent
    partner: Ent
    sentences: tuple[Sentence, ...]
    themes: set[str]
    status: str
    rule: str
    window: bool


def extract(sentences: list[Sentence], lang: str, published: dt.date | None = None) -> list[Dyad]:
    """All dyads of a document, one per (actor, partner)."""
    evidence: dict[tuple[str, str], list[_Evidence]] = {}
    prev: Sentence | None = None
    # power -> (index, sentence, mention) of the last sentence where it does something
    story: dict[str, tuple[int, Sentence, Ent]] = {}
    for i, s in enumerate(sentences):
        if s.offtopic:
            prev = None
            continue
        found = (_sentence_pairs(s, lang, published) if s.themes
                 else _story_pairs(s, lang, published, story, i) if story and s.ents else [])
        for ev in found + _window_pairs(prev, s):
            for actor_name in _names(ev.actor):
                evidence.setdefault((actor_name, ev.partner.value), []).append(ev)
        if s.themes:
            for a in s.actors():
                story[family(a)] = (i, s, a)
        prev = s
    _instrument_pairs(evidence, sentences)
    return [_dyad(actor, partner, evs, sentences) for (actor, partner), evs in evidence.items()]


_PRIVATE = ("pmc", "company")


def _instrument_pairs(evidence: dict[tuple[str, str], list[_Evidence]],
                     sentences: list[Sentence]) -> None:
    """A state's dyads are its company's too when that company is the only one of the state's
    named in a sentence with a theme ("three networks of Russian accounts ... researchers said
    the companies included the Wagner Group"): in such a story the state acts through it. Only
    a private military or state company: an operation or a mission has its own theatre
    (Barkhane and Takuba are France's, but not everywhere France is)."""
    orgs: dict[str, set[str]] = {}
    for s in sentences:
        if s.themes and not s.offtopic:
            for e in s.actors():
                if e.parent and (e.hit.entry.extra or "").startswith(_PRIVATE):
                    orgs.setdefault(e.parent, set()).add(e.value)
    for state, names in orgs.items():
        if len(names) != 1:
            continue
        (org,) = names
        for (actor, partner), evs in list(evidence.items()):
            if actor == state and (org, partner) not in evidence:
                evidence[org, partner] = [_Evidence(ev.actor, ev.partner, ev.sentences,
                                                    ev.themes, ev.status,
                                                    f"{ev.rule}|instrument-of:{state}",
                                                    ev.window) for ev in evs]


def _names(actor: Ent) -> list[str]:
    """An organisation's dyad is doubled by its parent's."""
    return [actor.value] + ([actor.parent] if actor.parent else [])


def _partners(s: Sentence) -> list[Ent]:
    """Partners of the sentence that are not also acting in it (kept: asked up to 3 times)."""
    found = s.memo.get("dyad_partners")
    if found is None:
        acting = {e.value for e in s.actors()}
        found = [e for e in s.partners() if e.value not in acting and not e.landmark]
        s.memo["dyad_partners"] = found
    return found


def _sentence_pairs(s: Sentence, lang: str, published: dt.date | None) -> list[_Evidence]:
    actors = s.actors()
    if not actors or not s.themes:
        return []
    partners = _partners(s)
    if not partners:
        return []
    if len(powers(s)) > 1 and len({p.value for p in partners}) > 1:
        # each power with its own partner, or its own list of them ("du Mali et du Niger")
        pairs = [(a, p) for a in actors for p in _listed(s, _closest(a, partners), partners)]
    else:
        pairs = [(a, p) for a in actors for p in partners]
    out, seen = [], set()
    for a, p in pairs:
        if (a.value, p.value) in seen or a.value == p.value:
            continue
        seen.add((a.value, p.value))
        themes = owned_themes(s, a)
        if not themes:
            continue
        first, last = min(a.start, p.start), max(a.end, p.end)
        lo, hi = clause_bounds(s, first, last, lang)
        status, rule = statement_status(s, lang, lo, hi, first, last, a.end, published)
        out.append(_Evidence(a, p, (s,), themes, status,
                             "dyad:sentence" + (f"|{rule}" if rule else ""), False))
    return out


_STORY_REACH = 3  # sentences: about a paragraph of news copy


def _story_pairs(s: Sentence, lang: str, published: dt.date | None,
                 story: dict[str, tuple[int, Sentence, Ent]], i: int) -> list[_Evidence]:
    """A sentence that names states without a theme word of its own, within three sentences of
    one of the same field where a power does something, goes on with the same story: with that
    power if the sentence names it ("Also formally part of Operation Barkhane are the armed
    forces of Mauritania, Mali, Chad..."), or with the story's only power if it names none
    and is in the same paragraph ("Guinea, Cameroon and Madagascar were among the countries
    reached by the posts") or refers back to it ("the mercenaries")."""
    partners = _partners(s)
    if not partners:
        return []
    recent = _recent(story, i, s.field)
    if s.actors():
        agents = [(a, recent[family(a)][1]) for a in s.actors() if family(a) in recent]
    elif len(recent) == 1:
        (last, themes, a), = recent.values()
        if "\n" in s.text[last.end:s.start] and not s.has("anaphor_actor"):
            return []  # a new paragraph that names no power is a new story
        agents = [(a, themes)]
    else:
        return []
    out: list[_Evidence] = []
    for a, themes in agents:
        for p in partners:
            if p.value == a.value:
                continue
            in_s = a.start >= s.start
            first, end = (min(a.start, p.start), max(a.end, p.end)) if in_s else (p.start, p.end)
            lo, hi = clause_bounds(s, first, end, lang)
            status, rule = statement_status(s, lang, lo, hi, first, end,
                                            a.end if in_s else s.start, published)
            out.append(_Evidence(a, p, (s,), set(themes), status,
                                 "dyad:story" + (f"|{rule}" if rule else ""), False))
    return out


def _recent(story: dict[str, tuple[int, Sentence, Ent]], i: int,
            field: str) -> dict[str, tuple[Sentence, set[str], Ent]]:
    """The powers that did something (with themes of their own) in the last sentences of the
    field: their themes are worked out here, for the few sentences that go on with a story."""
    recent = {}
    for f, (j, last, a) in story.items():
        if i - j <= _STORY_REACH and last.field == field:
            themes = owned_themes(last, a)
            if themes:
                recent[f] = (last, themes, a)
    return recent


def _window_pairs(prev: Sentence | None, s: Sentence) -> list[_Evidence]:
    """Actor in one sentence, partner in the next (or the reverse), joined by a reference."""
    if prev is None or not (prev.ents and s.ents) or prev.field != s.field or (
            "\n" in s.text[prev.end:s.start]):
        return []
    themes = set(prev.themes) | set(s.themes)
    if not themes:
        return []
    pairs: list[tuple[Ent, Ent, str]] = []
    before = _partners(prev)
    if s.actors() and not s.partners() and (
            s.has("anaphor_partner") or len({p.value for p in before}) == 1):
        # "Mali's junta wants new partners. Russia sent instructors to the country." and the
        # same without a reference when the previous sentence names a single country
        pairs = [(a, p, "anaphor_partner") for a in s.actors() for p in before]
    elif _partners(s) and not s.actors() and (
            s.has("anaphor_actor") or set(prev.themes) & set(s.themes)):
        # "... networks of Russian accounts interfered in eight countries. The campaigns
        # targeted Madagascar, ..." : the same story goes on without naming the power
        pairs = [(a, p, "anaphor_actor") for a in prev.actors() for p in _partners(s)]
    out, seen = [], set()
    for a, p, cat in pairs:
        if (a.value, p.value) in seen or a.value == p.value:
            continue
        seen.add((a.value, p.value))
        cues = [h for h in prev.cues("status") + s.cues("status")
                if not attributive_hedge(s.folded, h, a.end)]
        status, rule = status_of(cues, prev.start, s.end)
        ref = s.cues(cat)
        link = ref[0].entry.form if ref else "continuation"
        out.append(_Evidence(a, p, (prev, s), themes, status,
                             f"dyad:window:{link}" + (f"|{rule}" if rule else ""), True))
    return out


_LIST_GAP = re.compile(r"\s*(?:,|and|et|or|ou)?\s*(?:(?:in|au|aux|en|du|de|des|the|la|le|l')\s+)*")


def _listed(s: Sentence, partner: Ent, partners: list[Ent]) -> list[Ent]:
    """The partner with the states listed next to it: 'in Mali, Niger and Chad'."""
    return run_of(s, partner, partners, _LIST_GAP)


def _closest(a: Ent, partners: list[Ent]) -> Ent:
    return min(partners, key=lambda p: min(abs(p.start - a.end), abs(a.start - p.end)))


def _dyad(actor: str, partner: str, evs: list[_Evidence], doc: list[Sentence]) -> Dyad:
    status = combine([e.status for e in evs])
    best = min((e for e in evs if e.status == status), key=lambda e: e.window)
    first, last = best.sentences[0], best.sentences[-1]
    text = first.text[first.start:last.end]
    themes = set().union(*(e.themes for e in evs if e.status == status))
    speaker = find_speaker(text, _next_line(last, doc) if is_quote(text) else None)
    confidence = (0.6 if best.window else 0.8) * min(
        best.actor.hit.entry.confidence, best.partner.hit.entry.confidence) / 0.9
    rule = best.rule
    if actor != best.actor.value and "|instrument-of:" not in rule:
        rule += f"|parent-of:{best.actor.value}"
    return Dyad(actor=actor, partner=partner, themes=tuple(t for t in THEMES if t in themes),
                status=status, evidence=text, field=first.field, start=first.start,
                end=last.end, speaker=speaker, confidence=round(min(confidence, 0.95), 2),
                rule=rule)


def _next_line(s: Sentence, doc: list[Sentence]) -> str | None:
    for other in doc:
        if other.field == s.field and other.start > s.end:
            return other.sentence
    return None
