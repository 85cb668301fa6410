"""Input hygiene and case folding that keep character offsets unchanged."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 200_000  # enormous documents are tagged on this prefix only
_BINARY_PROBE = 4096
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# The same characters one by one: "c in text" finds a single character several times faster
# than the engine tests a character set at every position, and prose has none of them.
_CONTROL_CHARS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F)]
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def looks_binary(text: str) -> bool:
    """Many control characters or replacement marks in the first KBs means it is not prose."""
    probe = text[:_BINARY_PROBE]
    if not probe:
        return False
    bad = sum(probe.count(c) for c in _CONTROL_CHARS if c in probe) + probe.count("\ufffd")
    return bad > max(8, len(probe) // 10)


def clean(text: str) -> str:
    """Replace control characters and lone surrogates one-for-one so spans stay valid."""
    if any(c in text for c in _CONTROL_CHARS):
        text = _CONTROL.sub(" ", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATE.sub("\ufffd", text)
    return text


def by_initial(alternatives: list[str]) -> str:
    """An alternation grouped by first character ('s(?:eptember|ept|ep)|...'): the engine tests
    one character per group instead of every alternative, and the alternatives that can start
    at a position are still tried in the same order, so the matches are the same. Each must
    start with a literal letter (lower case in a pattern that ignores case)."""
    groups: dict[str, list[str]] = {}
    for a in alternatives:
        groups.setdefault(a[0], []).append(a[1:])
    return "|".join(c + (f"(?:{'|'.join(rest)})" if len(rest) > 1 else rest[0])
                    for c, rest in groups.items())


def after_boundary(*alternatives: str, then: str = "") -> str:
    r"""Alternatives equal to ``\b(?:alternative)then`` for regex alternatives that each start
    with a literal letter: the boundary is checked behind that letter. A pattern whose every
    alternative starts with a literal gets a set of first characters, with which the engine
    jumps from candidate to candidate instead of trying the pattern at every position."""
    return "|".join(rf"{a[0]}(?<!\w{a[0]}){a[1:]}{then}" for a in alternatives)


def fold(text: str) -> str:
    """Lower-case with the input's length (str.lower() grows a few letters such as 'İ')."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower()[:1] or c for c in text)


def strip_accents(text: str) -> str:
    """Accent-free spelling of a vocabulary form ('Ménaka' -> 'Menaka'), for key variants."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)
