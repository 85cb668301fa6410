"""A naive keyword co-occurrence tagger: the floor the rule-based tagger has to beat.

It uses the tagger's own vocabulary but none of its rules: every power and African state named
is an actor or a partner, every theme cue counts, every power and state in one sentence form a
dyad, and a posture word in that sentence makes an event of each pair.
"""

from __future__ import annotations

from ingest.tagger.gazetteer import matcher
from ingest.tagger.language import SUPPORTED, detect
from ingest.tagger.sentences import split
from ingest.tagger.text import clean, fold


def tag_naive(doc: dict) -> dict:
    """The contract's fields for one document, by co-occurrence alone."""
    text = clean(f"{doc.get('title') or ''}\n{doc.get('text') or ''}")
    lang = doc.get("lang") or detect(text)
    hits = matcher(lang if lang in SUPPORTED else "en").scan(text, fold(text))
    actors: set[str] = set()
    partners: set[str] = set()
    themes: set[str] = set()
    dyads: set[tuple[str, str]] = set()
    posture: set[tuple[str, str, str]] = set()
    for start, end in split(text):
        found = [h.entry for h in hits if start <= h.start < end]
        here = {e.value for e in found if e.cat == "actor"} | {
            e.parent for e in found if e.cat == "actor" and e.parent}
        states = {e.value for e in found if e.cat == "partner"}
        actors |= here
        partners |= states
        themes |= {e.value for e in found if e.cat == "theme"}
        dyads |= {(a, p) for a in here for p in states}
        posture |= {(a, p, e.value) for e in found if e.cat == "posture" for a in here
                    for p in states}
    return {"id": doc.get("id"), "actors": sorted(actors), "partners": sorted(partners),
            "themes": sorted(themes) if actors else [],
            "dyads": [{"actor": a, "partner": p, "status": "reported"} for a, p in dyads],
            "posture": [{"actor": a, "country": c, "action": x, "personnel": None,
                         "status": "reported"} for a, c, x in posture]}
