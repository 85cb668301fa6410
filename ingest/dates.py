"""Publication dates: read them from metadata, or infer them from full dates in the text.

dateparser reads the strings (both languages, many formats); a regex only finds candidate full
dates in running text, because asking dateparser to search a whole article is slow and reads
"in June" or "2018" as dates it then has to guess a day for.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import dateparser

EN_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november"
             "|december")
FR_MONTHS = ("janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre"
             "|d[ée]cembre")
FULL_DATE = re.compile(
    rf"\b(?:(?:{EN_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th|er)?\s+(?:{EN_MONTHS}|{FR_MONTHS})\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}})\b",
    re.IGNORECASE,
)
# Longer is no date: "Wednesday, 11 November 2021 10:30:00 +0100 (Central European Time)" is
# 66. dateparser is superlinear on long strings ("1 " * 20000 takes seconds), so cap first.
MAX_DATE_CHARS = 100
SETTINGS = {"TIMEZONE": "UTC", "TO_TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": False}


class DateError(ValueError):
    """A metadata date that cannot be read."""


def parse_date(value: str | date | datetime, *, languages: list[str] | None = None) -> datetime:
    """A metadata date (ISO 8601, RFC 822, "11 novembre 2021"...) as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = str(value).strip()
    if len(text) > MAX_DATE_CHARS:
        raise DateError(f"{text[:40]!r}... is too long to be a date ({len(text):,} characters)")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = dateparser.parse(text, languages=languages or ["en", "fr"], settings=SETTINGS)
    if parsed is None:
        raise DateError(f"cannot read {text!r} as a date")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 1900 <= parsed.year <= 2100:
        raise DateError(f"{text!r} is outside the years 1900-2100")
    return parsed.astimezone(UTC)


def infer_date(text: str, *, not_after: datetime | None = None) -> datetime | None:
    """The latest full date written in ``text``: a report is published on or after what it tells.

    Dates later than ``not_after`` (default: now) are ignored as forecasts or typos.
    """
    limit = not_after or datetime.now(UTC)
    found = []
    for match in FULL_DATE.finditer(text):
        try:
            moment = parse_date(match.group(0))
        except DateError:
            continue
        if moment <= limit:
            found.append(moment)
    return max(found, default=None)
