"""URL canonicalisation: one story, one key, whatever tracking junk a feed appends."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ocid", "cmpid",
     "xtor", "at_medium", "at_campaign", "ref", "ref_src", "_ga", "yclid", "spm"}
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no ``utm_*`` or click ids."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


# Second-level labels under which a country code's domains are registered (bbc.co.uk,
# news24.com.ng): a dependency-free stand-in for the public suffix list, enough for news sites.
_SHARED_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "gouv", "ac", "edu", "or",
                                  "ne", "go", "info", "nom", "mil"})


def site_of(host: str) -> str:
    """The registrable part of ``host``: 'www.rfi.fr' -> 'rfi.fr', 'feeds.bbci.co.uk' ->
    'bbci.co.uk'. An IP address is its own site."""
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if host.replace(".", "").isdigit() or ":" in host or len(labels) <= 2:
        return host
    keep = 3 if len(labels[-1]) == 2 and labels[-2] in _SHARED_SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def on_site(link: str, sites: set[str]) -> bool:
    """Whether ``link`` belongs to one of ``sites`` (hosts or registrable domains): a feed may
    publish its own site's articles, and only those, under their URLs."""
    host = (urlsplit(link).hostname or "").lower().rstrip(".")
    if not host:
        return False
    wanted = {site_of(site.lower().strip().rstrip(".")) for site in sites if site}
    return site_of(host) in wanted


def identity_hash(identity: str) -> str:
    """An article's id: a short hash of what identifies it (canonical URL, seed path, claim)."""
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def claim_identity(feed_url: str, link: str) -> str:
    """What identifies a feed's entry linking to another site: the feed and the link together,
    so a claim never takes the linked outlet's own article's place."""
    return f"claim:{feed_url}#{canonical_url(link)}"
