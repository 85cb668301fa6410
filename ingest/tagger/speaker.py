"""Who said it: attributions in or next to a quoted sentence."""

from __future__ import annotations

import re
from functools import lru_cache

_PARTICLE = r"(?:de|du|van|von|al|el|ben|bin|ould|ag)?"
_NAME = rf"((?:[A-ZÀ-Ý][\w'’.-]+)(?:\s+{_PARTICLE}\s*[A-ZÀ-Ý][\w'’-]+){{1,3}})"
_TITLE = r"((?:the|le|la|l')\s+[^,.;:«»“”\"]{3,80}?)"
_VERB_EN = (r"(?:said|says|told|added|declared|stated|stressed|insisted|explained|warned|"
            r"announced|affirmed)")
_VERB_FR = (r"(?:a\s+déclaré|a\s+dit|a\s+affirmé|a\s+indiqué|a\s+assuré|a\s+expliqué|a\s+souligné|"
            r"a\s+ajouté|a\s+annoncé|déclare|affirme|indique|assure|explique|souligne|ajoute|estime)")
_PATTERNS = [
    re.compile(rf"\b(?:{_VERB_EN}|{_VERB_FR})\s+{_NAME}"),
    re.compile(rf"\b{_NAME}\s*,?\s+(?:{_VERB_EN}|{_VERB_FR})\b"),
    re.compile(rf"\b(?:according to|selon|d'après)\s+{_NAME}"),
    re.compile(rf"\b(?:according to|selon|d'après)\s+{_TITLE}(?:[,.;]|$)"),
]
_LINE = re.compile(rf"^{_NAME}\s*(?:,|$)")
_QUOTES = "«“\"‘»”"
_NOT_SOURCE = re.compile(r"\b(?:sources?|reports?|media|médias|informations?)\b", re.IGNORECASE)


def is_quote(sentence: str) -> bool:
    return any(q in sentence for q in _QUOTES)


_HINT = re.compile(r"said|says|told|added|declared|stated|stressed|insisted|explained|warned|"
                   r"announced|affirmed|according|selon|d'après|déclar|dit|affirm|indiqu|assur|"
                   r"expliqu|soulign|ajout|estime", re.IGNORECASE)


@lru_cache(maxsize=2048)  # several dyads often share one evidence sentence
def find_speaker(sentence: str, next_line: str | None = None) -> str | None:
    """The named speaker of a sentence, or of a quote attributed on the following line."""
    for pattern in _PATTERNS if _HINT.search(sentence) else ():
        m = pattern.search(sentence)
        if m and not _NOT_SOURCE.search(m.group(1)):
            return m.group(1).strip()
    if next_line and is_quote(sentence) and len(next_line) <= 160:
        m = _LINE.match(next_line.strip())
        if m:
            return m.group(1).strip()
    return None
