"""Result types of the tagger: plain frozen records, so callers can keep and compare them."""

from __future__ import annotations

from dataclasses import dataclass, field

THEMES: tuple[str, ...] = (
    "military_cooperation",
    "pmc",
    "arms_transfer",
    "training",
    "troop_deployment",
    "troop_withdrawal",
    "base",
    "diplomacy",
    "economic",
    "information",
    "security_incident",
)
STATUSES: tuple[str, ...] = ("reported", "planned", "denied", "hedged")
ACTIONS: tuple[str, ...] = ("deploy", "withdraw", "handover", "base_open", "base_close", "present")


@dataclass(frozen=True, slots=True)
class Tag:
    """One mention in the text, with where it is and which rule found it, so it can be audited."""

    kind: str  # 'actor' | 'partner' | 'theme' | 'mention' (named, but not acting)
    value: str
    parent: str | None
    field: str  # 'title' | 'text'
    start: int
    end: int
    evidence: str
    confidence: float
    rule: str


@dataclass(frozen=True, slots=True)
class Dyad:
    """An actor acting with or in a partner country, backed by one piece of evidence."""

    actor: str
    partner: str
    themes: tuple[str, ...]
    status: str
    evidence: str
    field: str
    start: int
    end: int
    speaker: str | None
    confidence: float
    rule: str


@dataclass(frozen=True, slots=True)
class Posture:
    """A troop-posture fact (who, where, what change, how many, when), for the posture map."""

    actor: str
    country: str
    action: str
    personnel: int | None
    personnel_text: str | None
    place: str | None
    date: str | None
    status: str
    evidence: str
    field: str
    start: int
    end: int
    confidence: float
    rule: str


@dataclass(frozen=True, slots=True)
class TagResult:
    """Everything tag() found in one document; to_contract() gives the contract's JSON shape."""

    lang: str | None
    untagged: str | None
    tags: tuple[Tag, ...] = ()
    dyads: tuple[Dyad, ...] = ()
    posture: tuple[Posture, ...] = ()
    truncated: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def actors(self) -> list[str]:
        """Actors in order of first mention; an organisation brings its parent right after it."""
        out: list[str] = []
        for t in self.tags:
            if t.kind != "actor":
                continue
            for name in (t.value, t.parent):
                if name and name not in out:
                    out.append(name)
        return out

    @property
    def partners(self) -> list[str]:
        out: list[str] = []
        for t in self.tags:
            if t.kind == "partner" and t.value not in out:
                out.append(t.value)
        return out

    @property
    def mentions(self) -> list[str]:
        """Every power and country named, acting or not, in order of first mention."""
        out: list[str] = []
        for t in self.tags:
            for name in (t.value, t.parent) if t.kind != "theme" else ():
                if name and name not in out:
                    out.append(name)
        return out

    @property
    def themes(self) -> list[str]:
        found = {t.value for t in self.tags if t.kind == "theme"}
        return [t for t in THEMES if t in found]

    def to_contract(self, id: str) -> dict:  # noqa: A002 - the contract calls it id
        """The output object of docs/tag-contract.md."""
        return {
            "id": id,
            "lang": self.lang,
            "untagged": self.untagged,
            "actors": self.actors,
            "partners": self.partners,
            "themes": self.themes,
            "mentions": self.mentions,
            "dyads": [
                {
                    "actor": d.actor,
                    "partner": d.partner,
                    "themes": list(d.themes),
                    "status": d.status,
                    "evidence": d.evidence,
                    "speaker": d.speaker,
                }
                for d in self.dyads
            ],
            "posture": [
                {
                    "actor": p.actor,
                    "country": p.country,
                    "action": p.action,
                    "personnel": p.personnel,
                    "personnel_text": p.personnel_text,
                    "place": p.place,
                    "date": p.date,
                    "status": p.status,
                    "evidence": p.evidence,
                }
                for p in self.posture
            ],
        }
