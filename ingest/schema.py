"""The database schema, in one place, as an ordered list of migrations.

``PRAGMA user_version`` records how many migrations a file has had. Opening a file runs the
missing ones, each in its own transaction; a file from a newer release is refused rather than
guessed at. Add a migration by appending a function to ``MIGRATIONS``: never edit one that has
shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import sqlite_utils

from ingest import rollups
from ingest.urls import claim_identity, identity_hash, on_site

Migration = Callable[[sqlite_utils.Database], None]


def m001_initial(db: sqlite_utils.Database) -> None:
    """Sources, articles with full-text search, tags, dyads, posture, runs and corrections."""
    db.execute(
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('feed', 'seeds')),
            name TEXT NOT NULL,
            url TEXT NOT NULL UNIQUE,          -- feed URL or seed folder path
            language TEXT,
            country TEXT,
            affiliation TEXT,                  -- actor a state-affiliated outlet speaks for
            illustrative INTEGER NOT NULL DEFAULT 0,  -- bundled sample data, not reporting
            added_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,               -- stable: hash of canonical URL or seed path
            url TEXT,
            canonical_url TEXT UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            published TEXT,                    -- ISO 8601, UTC
            published_inferred INTEGER NOT NULL DEFAULT 0,
            language TEXT,
            author TEXT,
            outlet TEXT,
            source_id INTEGER NOT NULL REFERENCES sources(id),
            first_seen TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,        -- normalised title + text: finds republished copies
            tagger_version TEXT,
            untagged_reason TEXT
        )
        """
    )
    db.execute("CREATE INDEX articles_published ON articles(published)")
    db.execute("CREATE INDEX articles_content_hash ON articles(content_hash)")
    db.execute("CREATE INDEX articles_source ON articles(source_id)")
    db.execute(
        """
        CREATE TABLE article_sources (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            source_id INTEGER NOT NULL REFERENCES sources(id),
            url TEXT NOT NULL DEFAULT '',
            seen_at TEXT NOT NULL,
            PRIMARY KEY (article_id, source_id, url)
        )
        """
    )
    evidence = """
            evidence TEXT NOT NULL,
            field TEXT NOT NULL DEFAULT 'text',
            start INTEGER,
            end INTEGER,
            confidence REAL,
            rule TEXT,
            tagger_version TEXT,
            key TEXT NOT NULL,                 -- natural key: corrections survive a retag
            verdict TEXT                       -- NULL, 'confirmed' or 'rejected' (from corrections)
    """
    db.execute(
        f"""
        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('actor', 'partner', 'theme')),
            value TEXT NOT NULL,
            parent TEXT,
            {evidence}
        )
        """
    )
    db.execute("CREATE INDEX tags_article ON tags(article_id)")
    db.execute("CREATE INDEX tags_kind_value ON tags(kind, value, article_id)")
    db.execute(
        f"""
        CREATE TABLE dyads (
            id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            actor TEXT NOT NULL,
            partner TEXT NOT NULL,
            themes TEXT NOT NULL DEFAULT '[]',  -- JSON list of theme ids
            status TEXT NOT NULL CHECK (status IN ('reported', 'planned', 'denied', 'hedged')),
            speaker TEXT,
            published TEXT,                     -- the article's date, for monthly aggregates
            {evidence}
        )
        """
    )
    db.execute("CREATE INDEX dyads_article ON dyads(article_id)")
    db.execute("CREATE INDEX dyads_pair ON dyads(actor, partner, published)")
    db.execute("CREATE INDEX dyads_published ON dyads(published)")
    db.execute(
        f"""
        CREATE TABLE posture (
            id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            actor TEXT NOT NULL,
            country TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN
                ('deploy', 'withdraw', 'handover', 'base_open', 'base_close', 'present')),
            personnel INTEGER,
            personnel_text TEXT,
            place TEXT,
            date TEXT,
            status TEXT NOT NULL CHECK (status IN ('reported', 'planned', 'denied', 'hedged')),
            {evidence}
        )
        """
    )
    db.execute("CREATE INDEX posture_article ON posture(article_id)")
    db.execute("CREATE INDEX posture_actor_country ON posture(actor, country, date)")
    db.execute(
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,                -- seeds, feeds, retag, synth
            started_at TEXT NOT NULL,
            finished_at TEXT,                  -- NULL: still running, or killed
            status TEXT NOT NULL DEFAULT 'running',
            pid INTEGER,
            feeds_polled INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            duplicate INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            errors TEXT NOT NULL DEFAULT '[]'  -- JSON list of one-line messages
        )
        """
    )
    db.execute(
        """
        CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            target TEXT NOT NULL CHECK (target IN ('tag', 'dyad', 'posture')),
            key TEXT NOT NULL,
            article_id TEXT NOT NULL,
            verdict TEXT NOT NULL CHECK (verdict IN ('confirmed', 'rejected')),
            note TEXT,
            analyst TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX corrections_article ON corrections(article_id, target, key)")
    # External-content FTS5 index, kept in step by triggers (sqlite-utils' enable_fts would
    # commit mid-migration, so the statements are spelled out).
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles',"
        " content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        """
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END
        """
    )


def m002_feed_health(db: sqlite_utils.Database) -> None:
    """Per-feed state for polite polling: validators, backoff, pause, and visible health."""
    columns = {
        "etag": "TEXT", "last_modified": "TEXT", "body_hash": "TEXT",
        "last_polled_at": "TEXT", "last_success_at": "TEXT", "last_error": "TEXT",
        "last_error_at": "TEXT", "consecutive_failures": "INTEGER NOT NULL DEFAULT 0",
        "next_due_at": "TEXT", "paused": "INTEGER NOT NULL DEFAULT 0",
        "malformed": "INTEGER NOT NULL DEFAULT 0", "items_seen": "INTEGER NOT NULL DEFAULT 0",
        "poll_minutes": "INTEGER NOT NULL DEFAULT 30",
    }
    for name, declaration in columns.items():
        db.execute(f"ALTER TABLE sources ADD COLUMN {name} {declaration}")
    db.execute("CREATE INDEX sources_due ON sources(kind, paused, next_due_at)")


def m003_feed_removed(db: sqlite_utils.Database) -> None:
    """Removed feeds are retired, not deleted: their articles still name them as the source."""
    db.execute("ALTER TABLE sources ADD COLUMN removed_at TEXT")


def m004_change_marker_index(db: sqlite_utils.Database) -> None:
    """``store.change_marker`` reads max(updated_at) on every dashboard rerun: index it."""
    db.execute("CREATE INDEX articles_updated ON articles(updated_at)")


def m005_dashboard_covering_indexes(db: sqlite_utils.Database) -> None:
    """Dashboard aggregates read indexes only: a date window is one contiguous range.

    The window's articles come from ``articles(published, language, source_id, id)``, articles
    found by a tag filter from ``articles(id, published, language, source_id)``; their tags
    and dyads from indexes that start with ``article_id`` and carry every column the
    aggregates read, and tag filters test ``verdict`` in the index too, so no article, tag or
    dyad row (with its text) is fetched. Each replaces an index that was its prefix, but for
    the articles' primary key.
    """
    db.execute("CREATE INDEX articles_window ON articles(published, language, source_id, id)")
    db.execute("DROP INDEX articles_published")
    db.execute("CREATE INDEX articles_id_window ON articles(id, published, language, source_id)")
    db.execute("CREATE INDEX tags_kind_value_verdict ON tags(kind, value, article_id, verdict)")
    db.execute("DROP INDEX tags_kind_value")
    db.execute("CREATE INDEX tags_article_kind ON tags(article_id, kind, verdict, value)")
    db.execute("DROP INDEX tags_article")
    db.execute("CREATE INDEX dyads_article_status ON dyads(article_id, status, verdict, actor,"
               " partner, themes)")
    db.execute("DROP INDEX dyads_article")
    if db["sqlite_stat1"].exists():
        # Statistics were gathered (ANALYZE): give the new indexes theirs too.
        for index in ("articles_window", "articles_id_window", "tags_kind_value_verdict",
                      "tags_article_kind", "dyads_article_status"):
            db.execute(f"ANALYZE {index}")


def m006_dyad_pair_covering_indexes(db: sqlite_utils.Database) -> None:
    """Actor or partner filters on dyads read one index range and no dyad rows.

    Filters apply to the dyad itself (a rejected tag must not hide a dyad), so the planner
    starts from the dyads: each index leads with the filtered column and carries the rest.
    """
    db.execute("CREATE INDEX dyads_actor_cover ON dyads(actor, partner, status, verdict,"
               " article_id, themes)")
    db.execute("CREATE INDEX dyads_partner_cover ON dyads(partner, actor, status, verdict,"
               " article_id, themes)")
    if db["sqlite_stat1"].exists():
        for index in ("dyads_actor_cover", "dyads_partner_cover"):
            db.execute(f"ANALYZE {index}")


def m007_run_tagger_version(db: sqlite_utils.Database) -> None:
    """Each run records the tagger version that wrote its tags, so that tags left by an older
    tagger are found from the runs table, without reading a million articles. Runs from before
    this migration have none: their version is unknown."""
    db.execute("ALTER TABLE runs ADD COLUMN tagger_version TEXT")


def m008_claims_and_bounded_dates(db: sqlite_utils.Database) -> None:
    """A feed's entry linking to another site is that feed's claim, not the site's article;
    feed dates lie between 1900 and the moment the entry was first seen.

    ``sources.site`` is the publisher an operator declares for a feed served from another host
    (a CDN, a mirror). ``articles.offsite`` marks claims: they are keyed by feed and link and
    hold no ``canonical_url``, which belongs to the linked outlet's own article. Articles an
    older release stored under another site's link, which that site's own feed delivered too,
    are re-keyed as claims, and every feed is read in full again once, so the outlet's own
    entry, turned away as a duplicate before, is stored. Feed dates past the first sighting
    (9999-12-31) or before 1900 become the first sighting, flagged as inferred.
    """
    db.execute("ALTER TABLE sources ADD COLUMN site TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN offsite INTEGER NOT NULL DEFAULT 0")
    _rekey_claims(db)
    _repair_feed_dates(db)


def _rekey_claims(db: sqlite_utils.Database) -> None:
    """Re-key the squats an older release let through, and only those: an article stored from
    one feed under another site's link, which that site's own feed also delivered (and saw
    turned away as a duplicate). Other articles keep their keys: an older database does not
    say which feeds are served from their publisher's CDN."""
    squatted = {
        ident: (claim_identity(feed_url, url), source_id)
        for ident, url, feed_url, source_id, other_url in db.execute(
            "SELECT a.id, a.url, so.url, so.id, t.url FROM article_sources s"
            " JOIN articles a ON a.id = s.article_id JOIN sources so ON so.id = a.source_id"
            " JOIN sources t ON t.id = s.source_id WHERE s.source_id != a.source_id"
            " AND so.kind = 'feed' AND t.kind = 'feed' AND a.url IS NOT NULL")
        if not on_site(url, {urlsplit(feed_url).hostname or ""})
        and on_site(url, {urlsplit(other_url).hostname or ""})
    }
    if not squatted:
        return
    db.execute("PRAGMA defer_foreign_keys = ON")  # ids change in the articles and their rows
    for old, (identity, source_id) in squatted.items():
        new = identity_hash(identity)
        db.execute("UPDATE articles SET id = ?, canonical_url = NULL, offsite = 1 WHERE id = ?",
                   [new, old])
        for table in ("tags", "dyads", "posture", "article_sources", "corrections"):
            db.execute(f"UPDATE {table} SET article_id = ? WHERE article_id = ?", [new, old])
        # The outlet's entry was folded in as a duplicate of the claim: it is not the claim's.
        db.execute("DELETE FROM article_sources WHERE article_id = ? AND source_id != ?",
                   [new, source_id])
    # Read every feed in full once more, so the outlet's own entry is stored this time.
    db.execute("UPDATE sources SET body_hash = NULL, etag = NULL, last_modified = NULL"
               " WHERE kind = 'feed'")


def _repair_feed_dates(db: sqlite_utils.Database) -> None:
    later = "strftime('%Y-%m-%dT%H:%M:%SZ', a.first_seen, '+2 days')"
    rows = db.execute(
        f"SELECT a.id, a.first_seen, {later} FROM articles a JOIN sources so"
        " ON so.id = a.source_id WHERE a.published < '1900'"
        f" OR (so.kind = 'feed' AND a.published > {later})").fetchall()
    for ident, seen, limit in rows:
        db.execute("UPDATE articles SET published = first_seen, published_inferred = 1"
                   " WHERE id = ?", [ident])
        db.execute("UPDATE dyads SET published = ? WHERE article_id = ?", [seen, ident])
        db.execute("UPDATE posture SET date = ? WHERE article_id = ? AND (date < '1900'"
                   " OR date > ?)", [seen[:10], ident, limit[:10]])


def m009_tag_mentions(db: sqlite_utils.Database) -> None:
    """Tag contract 2: ``actor`` and ``partner`` rows are the powers and states that act; every
    other name is a ``mention`` (for search). SQLite cannot alter a CHECK, so the table is
    rebuilt with its rows, ids and indexes; ``retag`` then sorts old rows into the new kinds."""
    table_sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'tags'").fetchone()[0]
    indexes = [row[0] for row in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tags'"
        " AND sql IS NOT NULL")]
    old_check = "kind IN ('actor', 'partner', 'theme')"
    db.execute(table_sql.replace("CREATE TABLE tags", "CREATE TABLE tags_new", 1).replace(
        old_check, "kind IN ('actor', 'partner', 'theme', 'mention')"))
    db.execute("INSERT INTO tags_new SELECT * FROM tags")
    db.execute("DROP TABLE tags")
    db.execute("ALTER TABLE tags_new RENAME TO tags")
    for sql in indexes:
        db.execute(sql)


def m010_seed_folder_health(db: sqlite_utils.Database) -> None:
    """A seed folder's health of its own: how many files its last run read and could not read
    (its time and last error use the feed columns ``last_polled_at`` and ``last_error``)."""
    db.execute("ALTER TABLE sources ADD COLUMN files_read INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE sources ADD COLUMN files_failed INTEGER NOT NULL DEFAULT 0")


def m011_value_corrections(db: sqlite_utils.Database) -> None:
    """Corrections of values, added rows and undos, beside confirm and reject.

    A correction is now of a ``kind``: ``verdict`` (as before; existing rows become these),
    ``edit`` (``changes``: the corrected columns as JSON), ``add`` (``changes``: the whole row)
    or ``undo`` (``undoes``: the correction it takes out of force); ``evidence`` is the
    sentence of the row judged or edited, since an article may report one event (one key) in
    two sentences with two statuses or figures. SQLite cannot alter a
    CHECK, so the table is rebuilt with its rows and ids. Tag, dyad and posture rows say who
    wrote them (``origin``), which correction last changed them (``corrected_by``) and what
    the tagger had written before (``tagger_values``, JSON), so an undo restores it. Their
    ``verdict`` may now also be ``corrected`` or ``added``; queries still skip only
    ``rejected``.
    """
    db.execute(
        """
        CREATE TABLE corrections_new (
            id INTEGER PRIMARY KEY,
            target TEXT NOT NULL CHECK (target IN ('tag', 'dyad', 'posture')),
            key TEXT NOT NULL,
            article_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('verdict', 'edit', 'add', 'undo')),
            verdict TEXT CHECK (verdict IN ('confirmed', 'rejected')),
            changes TEXT,                      -- JSON: corrected columns, or the added row
            undoes INTEGER REFERENCES corrections_new(id),
            evidence TEXT,                     -- the judged row's sentence: tells apart rows
                                               -- with one key (one event, two sentences)
            note TEXT,
            analyst TEXT NOT NULL,
            created_at TEXT NOT NULL,
            CHECK ((kind = 'verdict') = (verdict IS NOT NULL)),
            CHECK ((kind IN ('edit', 'add')) = (changes IS NOT NULL)),
            CHECK ((kind = 'undo') = (undoes IS NOT NULL))
        )
        """
    )
    db.execute("INSERT INTO corrections_new (id, target, key, article_id, kind, verdict, note,"
               " analyst, created_at) SELECT id, target, key, article_id, 'verdict', verdict,"
               " note, analyst, created_at FROM corrections")
    db.execute("DROP TABLE corrections")
    db.execute("ALTER TABLE corrections_new RENAME TO corrections")
    db.execute("CREATE INDEX corrections_article ON corrections(article_id, target, key)")
    db.execute("CREATE UNIQUE INDEX corrections_undoes ON corrections(undoes)")
    # No CHECK on ``origin`` ('tagger' or 'analyst'): SQLite would test it on every existing
    # row, and adding columns with constant defaults is otherwise instant on a million articles.
    for table in ("tags", "dyads", "posture"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN origin TEXT NOT NULL DEFAULT 'tagger'")
        db.execute(f"ALTER TABLE {table} ADD COLUMN corrected_by INTEGER")
        db.execute(f"ALTER TABLE {table} ADD COLUMN tagger_values TEXT")


def m012_rollups(db: sqlite_utils.Database) -> None:
    """Per-month counts by source, tag, pair, status and posture, and all-time counts of pair
    themes and posture places (``ingest/rollups.py``), so that all-dates views stay instant
    at a million articles. Counted here from the rows of an existing database (about a
    minute at a million articles), then kept by every writer."""
    counted = {
        "rollup_articles": ("source_id INTEGER", ("articles",)),
        "rollup_carried": ("source_id INTEGER", ("links",)),
        "rollup_tags": ("kind TEXT, value TEXT, source_id INTEGER", ("articles",)),
        "rollup_tag_pairs": ("partner TEXT, actor TEXT", ("articles",)),
        "rollup_dyads": ("actor TEXT, partner TEXT, status TEXT", ("dyads", "articles")),
        "rollup_dyad_themes": ("actor TEXT, partner TEXT, theme TEXT, status TEXT", ("dyads",)),
        "rollup_posture": ("actor TEXT, country TEXT, status TEXT", ("events",)),
        "rollup_places": ("place TEXT, actor TEXT, country TEXT", ("events",)),
    }
    for table, (keys, counts) in counted.items():
        monthly = table not in ("rollup_dyad_themes", "rollup_places")  # all-dates views only
        key_columns = [*keys.split(", "), "language TEXT", *["month TEXT"] * monthly]
        columns = [f"{column} NOT NULL" for column in key_columns]
        columns += [f"{count} INTEGER NOT NULL" for count in counts]
        primary = ", ".join(column.split()[0] for column in key_columns)
        # WITHOUT ROWID: each row is its key and counts, stored once in the key's b-tree, in
        # the order the views group by (actor, partner, ...), with month last.
        db.execute(f"CREATE TABLE {table} ({', '.join(columns)}, PRIMARY KEY ({primary}))"
                   " WITHOUT ROWID")
    rollups.rebuild(db)
def m013_stories(db: sqlite_utils.Database) -> None:
    """Stories: articles carrying the same report (see ``ingest.stories``). Each article is in
    exactly one story (``story_articles`` is keyed by article); ``story_keys`` holds each
    article's MinHash band and lead keys, so candidates are found by index, not in memory.
    Articles stored before this migration are in no story until ``python -m ingest cluster``
    places them (``init`` says how many wait); it is not run here: at a million articles it
    takes many minutes, too long to hold the write lock while a dashboard opens the file."""
    db.execute(
        """
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            lead_article TEXT NOT NULL,        -- the first article placed: its title names it
            first_seen TEXT NOT NULL           -- when the first copy was stored
        )
        """
    )
    db.execute(
        """
        CREATE TABLE story_articles (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id INTEGER NOT NULL REFERENCES stories(id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX story_articles_story ON story_articles(story_id, article_id)")
    db.execute(
        """
        CREATE TABLE story_keys (
            key INTEGER NOT NULL,              -- 64-bit hash of a band or lead and a date bucket
            article_rowid INTEGER NOT NULL,
            PRIMARY KEY (key, article_rowid)
        ) WITHOUT ROWID
        """
    )


def m014_events(db: sqlite_utils.Database) -> None:
    """Events: the posture and dyad statements that describe one happening, however many
    articles, outlets and languages report it (``ingest.events``).

    A statement row points at its event (``event_id``); an event keeps only what finding
    candidates needs (its key, date span, figure range and places), so a new statement finds
    its event by one indexed lookup; counts of articles and sources are read from the
    statements when shown. Deleting a statement row (retag, an updated article)
    marks its event in ``event_dirty``, to be refreshed or dropped in the same transaction.
    Analysts' splits and merges are kept as links between statements' natural keys, which
    survive a retag or a rebuild. Statements stored before this migration have no event until
    ``python -m ingest events --rebuild`` (``init`` says so).
    """
    for table in ("posture", "dyads"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN event_id INTEGER")
        db.execute(f"CREATE INDEX {table}_event ON {table}(event_id)")
    db.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            actor TEXT NOT NULL,               -- the statements' actor, or its state if rolled up
            country TEXT NOT NULL,
            action TEXT NOT NULL,              -- posture action, or the dyad's leading theme
            first_date TEXT,                   -- YYYY-MM-DD span of the statements' dates
            last_date TEXT,
            precise INTEGER NOT NULL DEFAULT 0, -- the span is of exact days, not months or years
            low INTEGER,                       -- range of the figures the sources give
            high INTEGER,
            places TEXT NOT NULL DEFAULT '[]'  -- JSON list of the places named
        )
        """
    )
    db.execute("CREATE INDEX events_key ON events(actor, country, action, precise, last_date)")
    db.execute("CREATE INDEX events_first ON events(first_date)")
    db.execute("CREATE TABLE event_dirty (event_id INTEGER PRIMARY KEY)")
    for table in ("posture", "dyads"):
        db.execute(
            f"""
            CREATE TRIGGER {table}_event_ad AFTER DELETE ON {table}
            WHEN old.event_id IS NOT NULL BEGIN
                INSERT OR IGNORE INTO event_dirty (event_id) VALUES (old.event_id);
            END
            """
        )
    db.execute(
        """
        CREATE TABLE event_corrections (
            id INTEGER PRIMARY KEY,
            action TEXT NOT NULL CHECK (action IN ('split', 'merge')),
            event_id INTEGER,                  -- the event as it was numbered then
            other_id INTEGER,                  -- merge: the event folded into it
            statements TEXT NOT NULL,          -- JSON: split: the statements moved out
            note TEXT,
            analyst TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE event_links (
            statement TEXT NOT NULL,           -- natural key: table|article_id|row key
            other TEXT NOT NULL,
            link TEXT NOT NULL CHECK (link IN ('same', 'apart')),
            correction_id INTEGER NOT NULL REFERENCES event_corrections(id)
        )
        """
    )
    db.execute("CREATE INDEX event_links_statement ON event_links(statement, correction_id)")
    db.execute("CREATE TABLE event_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


def m015_watches_and_alerts(db: sqlite_utils.Database) -> None:
    """Watches (a saved filter and a trigger), the alerts they raised, and an outbox of the
    deliveries each alert still owes.

    An alert is keyed by its watch and a natural key of its evidence (a pair, an article and
    posture key, a week), never by a tag row id: ``retag`` rebuilds those rows, and the same
    evidence must not alert twice. Its outbox rows are written in the same transaction, so an
    alert is never stored without the deliveries it owes, nor delivered without being stored.
    ``watches.cursor`` is the time up to which articles were checked, moved in that same
    transaction: a check killed half-way is redone from the same point.
    """
    db.execute(
        """
        CREATE TABLE watches (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            trigger TEXT NOT NULL,             -- new-pair, posture, level, spike, state-first
            filters TEXT NOT NULL DEFAULT '{}', -- JSON: actors, partners, themes, statuses, ...
            k REAL NOT NULL DEFAULT 3,         -- spike: this week >= k x trailing median
            paused INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            cursor TEXT NOT NULL               -- articles updated at or after this are new
        )
        """
    )
    db.execute(
        """
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            watch_id INTEGER REFERENCES watches(id) ON DELETE SET NULL,
            watch_name TEXT NOT NULL,          -- kept when the watch is removed
            key TEXT NOT NULL,                 -- natural key of the evidence
            raised_at TEXT NOT NULL,
            summary TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '',
            article_id TEXT,
            title TEXT,
            url TEXT,
            source TEXT,
            published TEXT,
            read_at TEXT,
            UNIQUE (watch_id, key)
        )
        """
    )
    db.execute("CREATE INDEX alerts_unread ON alerts(read_at, raised_at)")
    db.execute(
        """
        CREATE TABLE alert_outbox (
            alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,             -- hash of the apprise URL (no secret stored)
            label TEXT NOT NULL,               -- the URL with its secrets masked
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_attempt_at TEXT,
            sent_at TEXT,
            PRIMARY KEY (alert_id, channel)
        )
        """
    )
    db.execute("CREATE INDEX alert_outbox_pending ON alert_outbox(sent_at, channel)")


def m016_story_copies(db: sqlite_utils.Database) -> None:
    """``rollup_story_copies``: the articles of every story that has two or more, with its
    size, kept by triggers on ``story_articles`` (whoever places an article: a store,
    ``cluster``, a rebuild), so that counting stories over all dates is the rollups' article
    count less the copies, read from this short table (``ingest/rollups.py``)."""
    db.execute(
        """
        CREATE TABLE rollup_story_copies (
            story_id INTEGER NOT NULL,
            article_id TEXT NOT NULL,
            articles INTEGER NOT NULL,         -- the story's size, two or more
            PRIMARY KEY (story_id, article_id)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TRIGGER story_articles_copies_ai AFTER INSERT ON story_articles BEGIN
            INSERT INTO rollup_story_copies (story_id, article_id, articles)
            SELECT x.story_id, x.article_id, n.articles FROM story_articles x,
                   (SELECT count(*) AS articles FROM story_articles
                    WHERE story_id = new.story_id) n
            WHERE x.story_id = new.story_id AND n.articles > 1
            ON CONFLICT (story_id, article_id) DO UPDATE SET articles = excluded.articles;
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER story_articles_copies_ad AFTER DELETE ON story_articles BEGIN
            DELETE FROM rollup_story_copies WHERE story_id = old.story_id
              AND (article_id = old.article_id OR (SELECT count(*) FROM story_articles
                                                   WHERE story_id = old.story_id) < 2);
            UPDATE rollup_story_copies SET articles = (SELECT count(*) FROM story_articles
                                                       WHERE story_id = old.story_id)
            WHERE story_id = old.story_id;
        END
        """
    )
    rollups.rebuild(db, rollups.TRIGGERED)
    # Posture views counting events read only these (posture rows are a tenth of the articles,
    # so the indexes are small): a force and country's statements in date order with what the
    # level rule and event counts need; the newest events overall and of one force, found from
    # the end of an index instead of sorting every event. (A covering index for the places map,
    # led by its few places, made SQLite skip-scan it for every windowed posture query.)
    db.execute("CREATE INDEX posture_pair_cover ON posture(actor, country, date, status, verdict,"
               " event_id, action, personnel, rule)")
    db.execute("CREATE INDEX posture_newest ON posture(date DESC, article_id)")
    db.execute("CREATE INDEX posture_actor_newest ON posture(actor, date DESC, article_id)")
    if db["sqlite_stat1"].exists():  # a file with statistics: give the new indexes theirs
        db.execute("ANALYZE posture")


def m017_event_rollups(db: sqlite_utils.Database) -> None:
    """Events counted per group (``rollups.EVENTS``): by month and pair, pair, month and
    actor, and the event's own force and country, each with the set of (status, language)
    pairs of its statements there, so that a view counting events over all dates reads
    hundreds of rows instead of every statement. Kept by triggers on the statements and
    articles and ``rollups.flush_events``; counted here from the rows (placed statements
    only: ``events --rebuild`` places the others)."""
    db.execute("CREATE TABLE rollup_event_tokens (status TEXT NOT NULL, language TEXT NOT NULL,"
               " bit INTEGER NOT NULL UNIQUE, PRIMARY KEY (status, language)) WITHOUT ROWID")
    db.execute("CREATE TABLE rollup_event_dirty (event_id INTEGER PRIMARY KEY)")
    for rollup in rollups.EVENTS:
        # Keys in the order the views narrow them (actor, partner or country), month last.
        keys = sorted(rollup.keys, key=lambda key: (key == "tokens", key == "month"))
        columns = [f"{key} {'INTEGER' if key == 'tokens' else 'TEXT'} NOT NULL" for key in keys]
        db.execute(f"CREATE TABLE {rollup.table} ({', '.join(columns)},"
                   f" events INTEGER NOT NULL, PRIMARY KEY ({', '.join(keys)})) WITHOUT ROWID")
    for trigger in rollups.event_triggers():
        db.execute(trigger)
    rollups.rebuild(db, rollups.EVENTS)
    # The Events page under a partner filter: that country's events newest first, walked from
    # the index's end until a page passes, instead of a skip-scan of events_key.
    db.execute("CREATE INDEX events_country_first ON events(country, first_date, id)")
    # A period's events: those ending in or after it, few, rather than every event that
    # began before its end (events_first: all of them for a recent week).
    db.execute("CREATE INDEX events_last ON events(last_date)")
    if db["sqlite_stat1"].exists():
        db.execute("ANALYZE events")


MIGRATIONS: list[Migration] = [
    m001_initial, m002_feed_health, m003_feed_removed, m004_change_marker_index,
    m005_dashboard_covering_indexes, m006_dyad_pair_covering_indexes, m007_run_tagger_version,
    m008_claims_and_bounded_dates, m009_tag_mentions, m010_seed_folder_health,
    m011_value_corrections, m012_rollups, m013_stories, m014_events, m015_watches_and_alerts,
    m016_story_copies, m017_event_rollups,
]
SCHEMA_VERSION = len(MIGRATIONS)
