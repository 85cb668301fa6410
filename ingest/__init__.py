"""Influence Monitor: collect news about foreign military partnerships in Africa and tag them.

The package is a library first (``store``, ``seeds``, ``pipeline``, ``queries``, ``export``,
``tagger``) with a thin click CLI in ``cli`` run as ``python -m ingest``.
"""

__version__ = "0.1.0"
