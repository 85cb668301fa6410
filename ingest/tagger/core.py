"""tag(): one document in, a TagResult out, never an exception."""

from __future__ import annotations

import datetime as dt

from . import dyads, posture, themes
from .analysis import Sentence, analyse, promote
from .dates import parse_published
from .language import SUPPORTED, detect
from .model import Tag, TagResult
from .text import MAX_CHARS, clean, looks_binary

_SPORT_DOC_MIN = 2


def tag(text: str, title: str | None = None, lang: str | None = None,
        published: str | dt.date | None = None) -> TagResult:
    """Tag one article. Bad input gives an untagged result with a reason instead of raising."""
    try:
        return _tag(text, title, lang, published)
    except Exception as exc:  # noqa: BLE001 - the contract is that tag() never raises
        return TagResult(lang=lang, untagged=f"tagger error: {type(exc).__name__}")


def _as_text(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bytes):
        if b"\x00" in value[:4096]:
            return None
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else None


def _tag(text: str, title: str | None, lang: str | None,
         published: str | dt.date | None) -> TagResult:
    body, head = _as_text(text), _as_text(title)
    if body is None or head is None:
        return TagResult(lang=None, untagged="binary content")
    truncated = len(body) > MAX_CHARS
    body, head = body[:MAX_CHARS], head[:2000]
    if not body.strip() and not head.strip():
        return TagResult(lang=lang, untagged="empty text")
    if looks_binary(body) or looks_binary(head):
        return TagResult(lang=None, untagged="binary content")
    body, head = clean(body), clean(head)
    lang = (lang or "").strip().lower()[:2] or detect(f"{head}\n{body}")
    if lang is None:
        return TagResult(lang=None, untagged="language not identified", truncated=truncated)
    if lang not in SUPPORTED:
        return TagResult(lang=lang, untagged=f"unsupported language: {lang}",
                         truncated=truncated)
    ref = parse_published(published)
    sentences = analyse("title", head, lang) + analyse("text", body, lang)
    _mark_sport_document(sentences)
    promote(sentences)
    for s in sentences:
        s.freeze()
    notes = (f"truncated to the first {MAX_CHARS} characters",) if truncated else ()
    if not _may_have_tags(sentences):  # most feed articles: skip posture, themes and dyads
        return TagResult(lang=lang, untagged=None, truncated=truncated, notes=notes)
    events = posture.extract(sentences, lang, ref)
    for s in sentences:
        themes.assign(s)
    pairs = dyads.extract(sentences, lang)
    tags = _tags(sentences, events, pairs)
    if not tags:
        events, pairs = [], []
    return TagResult(lang=lang, untagged=None, tags=tuple(tags), dyads=tuple(pairs),
                     posture=tuple(events), truncated=truncated, notes=notes)


def _mark_sport_document(sentences: list[Sentence]) -> None:
    """A sports article (more sport cues than theme cues) is off-topic as a whole."""
    sport = sum(1 for s in sentences for h in s.hits if h.entry.cat == "sport")
    topical = sum(1 for s in sentences for h in s.hits if h.entry.cat == "theme")
    if sport >= _SPORT_DOC_MIN and sport >= topical:
        for s in sentences:
            s.offtopic = True
            s.ents = []


def _may_have_tags(sentences: list[Sentence]) -> bool:
    """False when _tags() is sure to find nothing: no actor, or neither a partner nor a word of
    Africa. Later stages do not change roles, so the document can stop here."""
    roles = {e.role for s in sentences for e in s.ents}
    return "actor" in roles and ("partner" in roles or any(s.has("africa") for s in sentences))


def _tags(sentences: list[Sentence], events, pairs) -> list[Tag]:
    """Entity and theme tags of a document in scope.

    In scope: a foreign power acting in or with an African state, or in Africa at large. A
    document with no power (a river crossing four countries) or with no African state and no
    word of Africa (Russian troops in Ukraine) gets no tags.
    """
    acting_only = _acting_only(sentences, events, pairs)
    out: list[Tag] = []
    for s in sentences:
        for e in s.ents:
            if e.role == "partner" and (e.landmark or e.value in acting_only):
                continue
            rule = e.hit.entry.rule + (":acting-abroad" if e.promoted else "")
            conf = e.hit.entry.confidence
            out.append(Tag(e.role, e.value, e.parent, s.field, e.start, e.end, s.sentence,
                           conf, rule))
            if e.parent:  # the parent is an actor in its own right (one row per actor to store)
                out.append(Tag("actor", e.parent, None, s.field, e.start, e.end, s.sentence,
                               conf, f"{rule}:parent"))
    has_partner = any(t.kind == "partner" for t in out)
    if not any(t.kind == "actor" for t in out) or not (
        has_partner or any(s.has("africa") for s in sentences)
    ):
        return []
    for s in sentences:
        for theme, (rule, start, end, conf) in s.themes.items():
            out.append(Tag("theme", theme, None, s.field, start, end, s.sentence, conf, rule))
    return out


def _acting_only(sentences: list[Sentence], events, pairs) -> set[str]:
    """African states that act abroad in this document and are nowhere its partner."""
    promoted = {e.value for s in sentences for e in s.ents if e.promoted}
    hosts = {p.country for p in events} | {d.partner for d in pairs}
    return promoted - hosts
