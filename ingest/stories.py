"""Stories: articles that carry the same report, however often and wherever it was copied.

A verbatim copy under another URL, a lightly edited wire copy, a changed headline and a feed's
truncated summary of the full text all belong to one story. ``place`` places the articles of
a batch in the transaction that stores them; ``cluster`` places every article that has no story
yet (after an upgrade, or after ``rebuild=True`` cleared them), one committed batch at a time,
so a run killed half-way is finished by the next.

How candidates are found, with all state in SQLite (bounded memory at any size): each article's
body is cut into word 3-shingles and summarised by a MinHash (datasketch); the signature's
``BANDS`` bands, and the article's first ``LEAD_WORDS`` words, are hashed together with the
article's date bucket into 64-bit keys kept in the indexed ``story_keys`` table. Articles that
share ``MIN_BANDS`` band keys or the lead key with the new one, within ``WINDOW_DAYS``, are
candidates. A candidate joins when its figures agree and when
``MIN_OVERLAP`` of the shorter body's shingles are found in the longer one: containment, not
Jaccard, so a two-sentence summary joins its full text. The lead key finds that summary even
when the bands cannot (a summary's Jaccard with its full text is low).

An article belongs to exactly one story (``story_articles`` is keyed by article). Retagging
never touches stories; a corrected text keeps its article's story and only refreshes its keys.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import sqlite_utils

from ingest.queries import Filters, article_where, check_query, fetch_rows
from ingest.store import transaction

if TYPE_CHECKING:
    from datasketch import MinHash

SHINGLE = 3          # words per shingle
BANDS, ROWS = 16, 3  # LSH bands; an article sharing MIN_BANDS of them is a candidate:
MIN_BANDS = 2        # P(candidate) is 0.99 at Jaccard 0.7, 0.89 at 0.6, 0.07 at 0.3
LEAD_WORDS = 8       # a truncated summary starts as its full text does
WINDOW_DAYS = 4      # copies of a report appear within days of each other
MIN_OVERLAP = 0.65   # share of the shorter body's shingles found in the longer one
MIN_FIGURES = 0.8    # share of the figures (dates, counts) of the one with fewer found in both
MAX_CANDIDATES = 8   # those sharing most keys: boilerplate cannot make a store slow


class Body:
    """What grouping reads of an article's body: its words, case- and width-folded. Its
    figures and its set of shingles are worked out only when a candidate is compared: most
    articles have none."""

    def __init__(self, title: str, text: str) -> None:
        # The headline is left out (desks rewrite it; a summary's would not be found in its
        # full text) unless there is next to no body.
        self.text = unicodedata.normalize("NFKC", text)
        tokens = WORD.findall(self.text.casefold())
        if len(tokens) < SHINGLE:
            tokens = WORD.findall(unicodedata.normalize("NFKC", title).casefold()) + tokens
        self.hashes = shingles(tokens)  # in text order, repeats kept
        self.lead = " ".join(tokens[:LEAD_WORDS])  # all of them, if fewer
        self.short = len(tokens) < LEAD_WORDS  # too few shingles for MinHash

    @cached_property
    def grams(self) -> set[int]:
        """Its distinct word 3-shingles, hashed."""
        return set(self.hashes.tolist())

    @cached_property
    def figures(self) -> set[str]:
        """Its numbers: dates, counts."""
        return figures(self.text)


WORD = re.compile(r"\w+")
FIGURE = re.compile(r"(?<!\w)\d+(?!\w)")


def figures(text: str) -> set[str]:
    """The numbers standing as words in a (normalised) text: dates, counts."""
    return set(FIGURE.findall(text))


def _figures_agree(a: set[str], b: set[str]) -> bool:
    return not (a and b) or overlap(a, b) >= MIN_FIGURES


def shingles(tokens: list[str]) -> np.ndarray:
    """Word 3-shingles as 32-bit hashes: each word hashed once (CRC-32, mapped in C rather
    than by a Python loop) and each shingle mixed from its words' hashes in numpy, rather than
    one string per shingle."""
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    hashed = np.fromiter(map(zlib.crc32, map(str.encode, tokens)), dtype=np.uint64,
                         count=len(tokens))
    if len(tokens) < SHINGLE:
        return np.array([hashed.sum() & _MASK], dtype=np.uint32)
    mixed = hashed[:-2] * _P1 + hashed[1:-1] * _P2 + hashed[2:]  # < 2**63: no overflow
    return (mixed & _MASK).astype(np.uint32)


_P1, _P2, _MASK = np.uint64(1_000_003), np.uint64(998_244_353), np.uint64(0xFFFFFFFF)


def _day(published: str | None, first_seen: str) -> int:
    """The article's day number: its publication date, else when it was first seen."""
    for value in (published, first_seen):
        try:
            return date.fromisoformat((value or "")[:10]).toordinal()
        except ValueError:
            continue
    return 0


_MIX = 0x9E3779B97F4A7C15  # odd: distinct buckets shift a part's digest to distinct keys
_FULL = 1 << 64


_minhash = threading.local()


def _whole(hashes: np.ndarray) -> np.ndarray:
    """MinHash's ``hashfunc``: ``update_batch`` calls it on each item it is given and takes
    the minimum over everything returned; given one item, an article's array of shingle
    hashes, it permutes and reduces them all in one numpy call instead of one Python call
    per shingle (the same values: a set's minimum does not depend on repeats)."""
    return hashes


def _cleared_minhash() -> MinHash:
    """This thread's MinHash, cleared: one per thread, since setting one up (its random
    permutations) costs as much as hashing an article. datasketch is imported here, on first
    use: its package imports scipy (0.7 s), which commands that store nothing need not pay."""
    if not hasattr(_minhash, "value"):
        from datasketch import MinHash

        _minhash.value = MinHash(num_perm=BANDS * ROWS, seed=1, hashfunc=_whole)
    _minhash.value.clear()
    return _minhash.value


_BAND_PREFIXES = [b"band%d:" % band for band in range(BANDS)]


def signature(article: Body) -> np.ndarray:
    """What the keys are made of, whatever the date: a 64-bit digest of each MinHash band,
    then of the lead words (always last). The shingles are hashed already: MinHash's
    permutations supply the randomness. A short body (a headline-only feed's "Brief 12.") has
    its lead, its whole text, alone: a handful of shingles makes no useful bands.

    These values are stored (``story_keys``): changing how they are made would leave every
    stored article unfindable by its new copies until ``cluster --rebuild``."""
    if not article.hashes.size:
        return _NO_PARTS
    parts = []
    if not article.short:
        minhash = _cleared_minhash()
        minhash.update_batch([article.hashes])
        values = minhash.hashvalues.tobytes()
        width = len(values) // BANDS
        parts = [prefix + values[band * width:(band + 1) * width]
                 for band, prefix in enumerate(_BAND_PREFIXES)]
    parts.append(b"lead:" + article.lead.encode())
    digests = b"".join(hashlib.blake2b(part, digest_size=8).digest() for part in parts)
    return np.frombuffer(digests, dtype=">u8").astype(np.uint64)


_NO_PARTS = np.empty(0, dtype=np.uint64)


def keys(parts: np.ndarray, buckets: tuple[int, ...]) -> list[list[int]]:
    """The keys of a ``signature`` in each date bucket, as signed 64-bit integers (SQLite's):
    each part shifted by a multiple of its bucket, in one numpy call for all buckets."""
    shifts = np.array([(bucket * _MIX) % _FULL for bucket in buckets], dtype=np.uint64)
    return (parts[None, :] ^ shifts[:, None]).view(np.int64).tolist()


def _buckets(day: int) -> tuple[int, int]:
    """The article's own date bucket (``2 * WINDOW_DAYS`` wide), then the neighbour on the
    side it is nearer to: every day within ``WINDOW_DAYS`` of it lies in one of the two."""
    bucket, offset = divmod(day, 2 * WINDOW_DAYS)
    return bucket, bucket - 1 if offset < WINDOW_DAYS else bucket + 1


def overlap(a: set, b: set) -> float:
    """Share of the smaller set found in the larger one (containment of the shorter text)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def same_report(a: Body, b: Body) -> float:
    """How surely bodies ``a`` and ``b`` carry the same report: the overlap of their shingles
    if their figures agree, else 0. Figures tell apart two reports written from one template
    or sharing stock sentences ("met officials in Bamako on 19 December" and "... on 23
    December"); a copy keeps its figures."""
    return overlap(a.grams, b.grams) if _figures_agree(a.figures, b.figures) else 0.0


class _Read(NamedTuple):
    """An article to place, read and hashed."""

    rowid: int
    ident: str
    first_seen: str
    placed: bool          # in a story already: a changed text, which keeps its story
    article: Body
    day: int
    near: list[list[int]]  # its keys in its own date bucket, then in the nearer one


def place(db: sqlite_utils.Database, article_ids: Iterable[str]) -> None:
    """Place articles just stored or changed, in the order given, inside the caller's
    transaction. A new article joins the story of its closest copy, or a new story of its own;
    a changed one keeps its story (a correction never splits one) and gets the keys of its new
    text, the old ones staying (a key only proposes a candidate, checked against the stored
    text; finding the old keys again would need an index costing every store). An article in
    no story yet (stored before stories existed) is placed as a new one.

    A batch is read in one query and hashed in one loop before any is placed: one query
    instead of one an article, and the hashing runs with its code and tables warm rather than
    between two articles' tagging. The result is the one of placing them one by one: an
    article's candidates are the articles placed before it."""
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), _CHUNK):
        for read in _read(db, ids[start:start + _CHUNK]):
            if not read.placed:
                _join_story(db, read)
            _store_keys(db, read.rowid, read.near[0])


_CHUNK = 500  # articles read at once: bounded memory, and well under SQLite's variable limit


def _read(db: sqlite_utils.Database, ids: list[str]) -> list[_Read]:
    rows = {row[1]: row for row in db.execute(
        "SELECT a.rowid, a.id, a.title, a.text, a.published, a.first_seen, EXISTS (SELECT 1"
        " FROM story_articles sa WHERE sa.article_id = a.id) FROM articles a"
        f" WHERE a.id IN ({_marks(ids)})", ids)}
    reads = []
    for ident in ids:
        rowid, _, title, text, published, first_seen, placed = rows[ident]
        article = Body(title, text)
        day = _day(published, first_seen)
        reads.append(_Read(rowid, ident, first_seen, bool(placed), article, day,
                           keys(signature(article), _buckets(day))))
    return reads


def _join_story(db: sqlite_utils.Database, read: _Read) -> None:
    story = _closest_story(db, read.rowid, read.article, read.near, read.day)
    if story is None:
        story = db.execute("INSERT INTO stories (lead_article, first_seen) VALUES (?, ?)",
                           [read.ident, read.first_seen]).lastrowid
    db.execute("INSERT INTO story_articles (article_id, story_id) VALUES (?, ?)",
               [read.ident, story])


def _store_keys(db: sqlite_utils.Database, rowid: int, found: list[int]) -> None:
    """Store an article's keys in its own date bucket: one statement, not one per key."""
    if found:
        db.execute("INSERT OR IGNORE INTO story_keys (key, article_rowid) SELECT column1, ?"
                   f" FROM (VALUES {', '.join(['(?)'] * len(found))})", [rowid, *found])


def _closest_story(db: sqlite_utils.Database, rowid: int, article: Body,
                   near: list[list[int]], day: int) -> int | None:
    """The story of the stored article this one best overlaps, if any overlaps enough, among
    those sharing its ``near`` keys (its keys in its own and the nearer date bucket)."""
    if not near[0]:
        return None
    leads = [found[-1] for found in near]  # the lead key alone makes a candidate
    looked_up = [key for found in near for key in found]
    # One statement finds the candidates, counts the keys each shares, keeps those sharing
    # most (then the latest) and reads them: counting in SQLite, not in a Python dict.
    rows = db.execute(f"""
        SELECT a.title, a.text, a.published, a.first_seen, sa.story_id
        FROM (SELECT article_rowid AS other,
                     sum(CASE WHEN key IN ({_marks(leads)}) THEN {MIN_BANDS} ELSE 1 END) AS n
              FROM story_keys WHERE key IN ({_marks(looked_up)}) AND article_rowid != ?
              GROUP BY article_rowid HAVING n >= {MIN_BANDS}
              ORDER BY n DESC, article_rowid DESC LIMIT {MAX_CANDIDATES}) hits
        JOIN articles a ON a.rowid = hits.other
        JOIN story_articles sa ON sa.article_id = a.id
    """, [*leads, *looked_up, rowid])
    best: tuple[float, int, int] | None = None  # overlap, -days apart, story
    for title, text, published, first_seen, story in rows:
        apart = abs(_day(published, first_seen) - day)
        # Dates and figures first: they turn most candidates away before the text is read.
        if apart > WINDOW_DAYS or not _figures_agree(
                article.figures, figures(unicodedata.normalize("NFKC", text))):
            continue
        score = same_report(article, Body(title, text))
        # The closest match; among equals (a stock sentence found whole in several), the
        # nearest in time, then the latest story.
        if score >= MIN_OVERLAP and (best is None or (score, -apart, story) > best):
            best = (score, -apart, story)
    return best[2] if best else None


def _marks(values: list) -> str:
    return ", ".join("?" * len(values))


def unplaced(db: sqlite_utils.Database) -> int:
    """How many articles are in no story yet (stored before stories existed, or left by an
    interrupted ``cluster``)."""
    return db.execute(
        "SELECT count(*) FROM articles a WHERE NOT EXISTS"
        " (SELECT 1 FROM story_articles sa WHERE sa.article_id = a.id)").fetchone()[0]


def cluster(db: sqlite_utils.Database, *, rebuild: bool = False, batch_size: int = 500,
            progress: Callable[[int], None] | None = None) -> int:
    """Place every article that is in no story, oldest first, ``batch_size`` to a transaction;
    with ``rebuild``, first forget every story (one transaction) and place them all again.
    Returns how many were placed. Killed part-way, it is finished by running it again."""
    if rebuild:
        with transaction(db):
            for table in ("story_keys", "story_articles", "stories"):
                db.execute(f"DELETE FROM {table}")
    placed, after = 0, 0
    while True:
        with transaction(db):
            rows = db.execute(
                "SELECT a.rowid, a.id FROM articles a WHERE a.rowid > ? AND NOT EXISTS"
                " (SELECT 1 FROM story_articles sa WHERE sa.article_id = a.id)"
                " ORDER BY a.rowid LIMIT ?", [after, batch_size]).fetchall()
            place(db, [ident for _, ident in rows])
        if not rows:
            return placed
        placed += len(rows)
        after = rows[-1][0]
        if progress:
            progress(len(rows))


_STORY_COLUMNS = """
    s.id AS story_id, s.first_seen,
    (SELECT min(m.published) FROM story_articles x JOIN articles m ON m.id = x.article_id
     WHERE x.story_id = s.id) AS first_published,
    (SELECT title FROM articles WHERE id = s.lead_article) AS title,
    (SELECT count(*) FROM story_articles x WHERE x.story_id = s.id) AS articles,
    (SELECT count(DISTINCT src.source_id) FROM story_articles x
     JOIN article_sources src ON src.article_id = x.article_id WHERE x.story_id = s.id) AS sources,
    (SELECT group_concat(language, '; ') FROM (SELECT DISTINCT m.language FROM story_articles x
     JOIN articles m ON m.id = x.article_id WHERE x.story_id = s.id AND m.language IS NOT NULL
     ORDER BY m.language)) AS languages,
    (SELECT round(avg(so.affiliation IS NOT NULL), 3) FROM (SELECT DISTINCT src.source_id
     FROM story_articles x JOIN article_sources src ON src.article_id = x.article_id
     WHERE x.story_id = s.id) d JOIN sources so ON so.id = d.source_id) AS state_share
"""


def story_rows(db: sqlite_utils.Database, filters: Filters, *,
               limit: int | None = None) -> Iterator[dict]:
    """Stories with a member article matching ``filters``, newest first: first seen, how many
    articles, sources and languages carry it, the share of its sources that are
    state-affiliated, and its member article ids (oldest first)."""
    check_query(db, filters.query)
    where, params = article_where(filters)
    sql = f"""
        SELECT {_STORY_COLUMNS},
               (SELECT json_group_array(article_id) FROM (SELECT x.article_id
                FROM story_articles x JOIN articles m ON m.id = x.article_id
                WHERE x.story_id = s.id ORDER BY m.first_seen, m.rowid)) AS article_ids
        FROM stories s
        WHERE s.id IN (SELECT sa.story_id FROM story_articles sa
                       JOIN articles a ON a.id = sa.article_id WHERE {where})
        ORDER BY s.first_seen DESC, s.id DESC
    """
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    for row in fetch_rows(db, sql, params):
        yield row | {"article_ids": json.loads(row["article_ids"])}


def story_of(db: sqlite_utils.Database, article_id: str) -> dict | None:
    """The story an article belongs to, with every member (its copies) oldest first."""
    found = list(fetch_rows(db, f"""
        SELECT {_STORY_COLUMNS} FROM stories s
        WHERE s.id = (SELECT story_id FROM story_articles WHERE article_id = ?)
    """, [article_id]))
    if not found:
        return None
    story = found[0]
    story["members"] = list(fetch_rows(db, """
        SELECT a.id AS article_id, a.published, a.title, so.name AS source, a.outlet,
               a.language, a.url
        FROM story_articles x JOIN articles a ON a.id = x.article_id
             JOIN sources so ON so.id = a.source_id
        WHERE x.story_id = ? ORDER BY a.first_seen, a.rowid
    """, [story["story_id"]]))
    return story
