"""Rule-based tagger: actors, partners, themes, dyads and troop posture in EN/FR news.

Public API: tag(), TagResult, TAGGER_VERSION. See docs/tag-contract.md and docs/vocabulary.md.
"""

from .core import tag
from .model import Dyad, Posture, Tag, TagResult

TAGGER_VERSION = "2026.12.4"

__all__ = ["TAGGER_VERSION", "Dyad", "Posture", "Tag", "TagResult", "tag"]
