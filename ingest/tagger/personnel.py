"""Head counts of a force in a sentence ("5,100 troops", "un millier de soldats").

Only a figure attached to a force noun counts; casualties, trainees and ceilings named next to
it are not the force. A range or a vague amount keeps its words and no integer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

from .gazetteer import DATA
from .text import by_initial

_REACH = 90  # characters before a force noun where its figure can start


@dataclass(frozen=True, slots=True)
class Figure:
    """A personnel figure: value is None for ranges, vague amounts, unit counts and ceilings."""

    value: int | None
    text: str
    start: int
    end: int


def _alt(words: list[str] | dict) -> str:
    """The words as an alternation, longest first, grouped by first letter (by_initial())."""
    return by_initial([re.escape(w) for w in sorted(words, key=len, reverse=True)])


def _initials(words: list[str]) -> str:
    """A lookahead on the possible first characters of a match (digits and the words' first
    letters): the engine then tries the long alternation only where it can start, not at every
    character."""
    return "(?=[\\d" + "".join(sorted({re.escape(w[0]) for w in words})) + "])"


@dataclass(frozen=True, slots=True)
class _Lang:
    pattern: re.Pattern[str]
    units: dict[str, int]
    scales: dict[str, int]
    formations: frozenset[str]
    maybe: re.Pattern[str]  # a digit or a number word: cheap test before the full pattern
    nouns: re.Pattern[str]  # the force nouns alone: the full pattern runs just before them
    cap: re.Pattern[str]
    before: re.Pattern[str]
    after: re.Pattern[str]


@cache
def _lang(lang: str) -> _Lang:
    with open(DATA / "numbers.json", encoding="utf-8") as fh:
        d = json.load(fh)
    units, scales = d["units"][lang], d["scales"][lang]
    word = _alt(list(units) + list(scales))
    wordnum = rf"(?:(?:{word})(?:[\s-]+(?:and\s+|et\s+)?(?:{word}))*)"
    digits = r"(?:\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+(?!\d)|\d+)"
    num = rf"(?:{digits}|{wordnum})"
    link = r"(?:to|and|or|-|–|à|et|ou)"
    noun_words = d["force_nouns"][lang] + d["formations"][lang]
    nouns = _alt(noun_words)
    starts = _initials([*units, *scales, *d["vague"][lang], "between", "from", "entre", "de"])
    pattern = re.compile(
        rf"(?<![\w.,]){starts}(?:(?P<vague>{_alt(d['vague'][lang])})|(?:(?:between|from|entre|de)\s+)?"
        rf"(?P<a>{num})(?:\s*{link}\s*(?P<b>{num}))?)"
        rf"\s+(?:de\s+|d'|of\s+)?(?P<mid>(?:[^\s\d,.;]+\s+){{0,2}}?)(?P<noun>{nouns})\b",
        re.IGNORECASE,
    )
    return _Lang(
        pattern=pattern,
        units={k.lower(): v for k, v in units.items()},
        scales={k.lower(): v for k, v in scales.items()},
        formations=frozenset(w.lower() for w in d["formations"][lang]),
        nouns=re.compile(rf"\b{_initials(noun_words)}(?:{nouns})\b", re.IGNORECASE),
        maybe=re.compile(rf"{_initials([*units, *scales, *d['vague'][lang]])}"
                         rf"(?:\d|\b(?:{word}|{_alt(d['vague'][lang])})\b)", re.IGNORECASE),
        cap=re.compile(rf"{_initials(d['cap'][lang])}(?:{_alt(d['cap'][lang])})\s*$",
                       re.IGNORECASE),
        before=re.compile(rf"\b{_initials(d['not_force_before'][lang])}"
                          rf"(?:{_alt(d['not_force_before'][lang])})\b[^,;.]{{0,12}}$",
                          re.IGNORECASE),
        after=re.compile(
            r"^\s*(?:(?:were|have been|had been|has been|are|ont été|sont|ont|was)\s+)?"
            rf"(?:{_alt(d['not_force_after'][lang])})\b",
            re.IGNORECASE,
        ),
    )


_GROUPED = re.compile(r"\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+")
_NON_DIGIT = re.compile(r"\D")
_WORD_GAP = re.compile(r"[\s-]+")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _number(text: str, spec: _Lang) -> int | None:
    text = text.strip().lower()
    if text[0].isdigit():
        if _GROUPED.fullmatch(text):
            return int(_NON_DIGIT.sub("", text))
        return int(text) if text.isdigit() else None
    total = current = 0
    seen_scale = False
    for tok in _WORD_GAP.split(text):
        if tok in ("and", "et"):
            continue
        if tok in spec.units:
            current += spec.units[tok]
        elif tok in spec.scales:
            scale = spec.scales[tok]
            seen_scale = True
            if scale >= 1000:
                total += (current or 1) * scale
                current = 0
            else:
                current = (current or 1) * scale
    value = total + current
    if not seen_scale and text in ("a", "an", "un", "une"):
        return None  # "a soldier" is not a head count
    return value or None


def _matches(spec: _Lang, sentence: str, nouns: list[re.Match[str]]) -> list[re.Match[str]]:
    """Pattern matches, searched only in the stretch before each force noun (fast on long text)."""
    found: list[re.Match[str]] = []
    done = 0
    for noun in nouns:
        lo = max(done, noun.start() - _REACH)
        m = spec.pattern.search(sentence, lo, noun.end())
        if m and m.end() == noun.end():
            found.append(m)
            done = m.end()
    return found


def _is_year(raw: str, mid: str) -> bool:
    return bool(_YEAR.fullmatch(raw.strip())) and bool(mid.strip())


def figures(sentence: str, lang: str) -> list[Figure]:
    """Every force figure in the sentence, in order."""
    spec = _lang(lang)
    out: list[Figure] = []
    nouns = list(spec.nouns.finditer(sentence))  # no force noun, no figure: the cheaper test first
    if not nouns or not spec.maybe.search(sentence):
        return out
    for m in _matches(spec, sentence, nouns):
        a, b, mid = m.group("a"), m.group("b"), m.group("mid") or ""
        if a and _is_year(a, mid):
            continue
        head = sentence[max(0, m.start() - 40): m.start()]
        if spec.before.search(head) or spec.after.match(sentence[m.end(): m.end() + 30]):
            continue
        text = m.group(0)
        noun = m.group("noun").lower()
        value: int | None
        if m.group("vague") or b or noun in spec.formations:
            value = None
        else:
            value = _number(a, spec)
            if value is None:
                continue
        cap = spec.cap.search(head)
        if cap:
            value = None
            text = cap.group(0) + text
        out.append(Figure(value, text.strip(), m.start(), m.end()))
    return out
