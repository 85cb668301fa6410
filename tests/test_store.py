"""The store: schema versions, migrations, WAL, full-text search kept in step."""

from __future__ import annotations

import sqlite3

import pytest

from ingest import schema, store
from tests.conftest import database_at


def test_new_database_is_current_and_in_wal_mode(db, db_path):
    assert store.schema_version(db) == schema.SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"sources", "articles", "tags", "dyads", "posture", "runs", "corrections",
            "article_sources", "articles_fts"} <= set(db.table_names())


def test_db_path_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "from-env.db"))
    assert store.resolve_path(tmp_path / "explicit.db") == tmp_path / "explicit.db"
    assert store.resolve_path() == tmp_path / "from-env.db"
    monkeypatch.delenv("MONITOR_DB")
    assert store.resolve_path() == store.DEFAULT_DB


def test_older_schema_is_upgraded_in_place_keeping_its_data(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    import sqlite_utils

    old = sqlite_utils.Database(conn)
    schema.MIGRATIONS[0](old)  # a file written by the first release
    old.execute("PRAGMA user_version=1")
    old.execute("INSERT INTO sources (kind, name, url, added_at) VALUES ('feed', 'RFI', "
                "'https://rfi.example/rss', '2024-01-01T00:00:00Z')")
    conn.close()

    db = store.open_db(db_path)

    assert store.schema_version(db) == schema.SCHEMA_VERSION
    row = db.execute("SELECT name, consecutive_failures, paused FROM sources").fetchone()
    assert row == ("RFI", 0, 0)


def test_newer_schema_is_refused_with_a_clear_message(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version={schema.SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(store.StoreError, match="newer than this release"):
        store.open_db(db_path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(store.StoreError, match="not a usable SQLite database"):
        store.open_db(bogus)
    assert bogus.read_text().startswith("these are my notes")


def test_readonly_open_of_a_missing_file_says_how_to_build_one(tmp_path):
    with pytest.raises(store.StoreError, match="python -m ingest seeds"):
        store.open_db(tmp_path / "absent.db", readonly=True)
    assert not (tmp_path / "absent.db").exists()


def test_readonly_connection_cannot_write(db, db_path):
    reader = store.open_db(db_path, readonly=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("INSERT INTO runs (kind, started_at) VALUES ('x', 'y')")


def _insert_article(db, ident: str, title: str, text: str) -> None:
    with store.transaction(db):
        source = store.ensure_source(db, kind="seeds", url="seeds:test", name="test")
        db.execute(
            "INSERT INTO articles (id, title, text, source_id, first_seen, updated_at,"
            " content_hash) VALUES (?, ?, ?, ?, 'now', 'now', ?)",
            [ident, title, text, source, ident],
        )


def _search(db, query: str) -> list[str]:
    return [row[0] for row in db.execute(
        "SELECT a.id FROM articles a JOIN articles_fts f ON f.rowid = a.rowid"
        " WHERE articles_fts MATCH ? ORDER BY a.id", [query])]


def test_full_text_search_follows_inserts_updates_and_deletes(db):
    _insert_article(db, "a1", "Wagner in Bangui", "Instructors arrived in the capital.")
    _insert_article(db, "a2", "Barkhane ends", "La France met fin à l'opération.")
    assert _search(db, "bangui") == ["a1"]
    assert _search(db, "operation") == ["a2"]  # accents folded

    db.execute("UPDATE articles SET text = 'Instructors left Bria.' WHERE id = 'a1'")
    assert _search(db, "capital") == []
    assert _search(db, "bria") == ["a1"]

    db.execute("DELETE FROM articles WHERE id = 'a2'")
    assert _search(db, "operation") == []


def test_a_failed_transaction_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError), store.transaction(db):
        store.ensure_source(db, kind="feed", url="https://x.example/rss", name="x")
        raise RuntimeError("crash mid-write")
    assert db.execute("SELECT count(*) FROM sources").fetchone()[0] == 0


def test_the_change_marker_moves_with_the_feed_registry(db):
    before = store.change_marker(db)
    with store.transaction(db):
        source = store.ensure_source(db, kind="feed", url="https://rfi.example/rss", name="RFI")
    added = store.change_marker(db)
    db.execute("UPDATE sources SET paused = 1 WHERE id = ?", [source])
    assert len({before, added, store.change_marker(db)}) == 3


def test_tag_contract_2_upgrade_keeps_tags_and_accepts_mentions(db_path):
    """Migration 9 rebuilds the tags table so a name that does not act can be stored as a
    mention; the rows, their ids and the indexes the dashboard reads survive."""
    conn, old = database_at(db_path, 8)
    old.execute("INSERT INTO sources (id, kind, name, url, added_at) VALUES (1, 'seeds', 'S',"
                " 'seeds:x', '2024-01-01T00:00:00Z')")
    old.execute("INSERT INTO articles (id, title, text, source_id, first_seen, updated_at,"
                " content_hash) VALUES ('a1', 't', 'x', 1, '2024', '2024', 'h')")
    old.execute("INSERT INTO tags (id, article_id, kind, value, key, evidence, field) VALUES"
                " (7, 'a1', 'actor', 'Russia', 'actor:Russia', 'Russia sent troops.', 'text')")
    with pytest.raises(sqlite3.IntegrityError):
        old.execute("INSERT INTO tags (article_id, kind, value, key, evidence, field) VALUES"
                    " ('a1', 'mention', 'Syria', 'mention:Syria', 'in Syria', 'text')")
    indexes = {row[0] for row in old.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tags'")}
    conn.close()

    db = store.open_db(db_path)

    assert store.schema_version(db) == schema.SCHEMA_VERSION
    assert db.execute("SELECT id, kind, value FROM tags").fetchall() == [(7, "actor", "Russia")]
    db.execute("INSERT INTO tags (article_id, kind, value, key, evidence, field) VALUES"
               " ('a1', 'mention', 'Syria', 'mention:Syria', 'in Syria', 'text')")
    assert {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tags'")} == indexes


def test_a_french_item_in_a_feed_declared_english_is_stored_and_tagged_as_french(db_path):
    """A feed's declared language is a hint: the item says otherwise, so it is tagged with the
    French rules and filed under French."""
    from ingest import pipeline
    from ingest.dates import parse_date

    db = store.open_db(db_path)
    with store.transaction(db):
        source = store.ensure_source(db, kind="feed", url="https://news.example/rss",
                                     name="News", language="en")
    doc = pipeline.Document(
        title="Des instructeurs russes arrivent au Niger",
        text="Des instructeurs militaires russes sont arrivés au Niger jeudi, a annoncé la "
             "télévision nationale, dans le cadre d'un accord de coopération militaire.",
        key="item-1", url="https://news.example/item-1", language="en",
        published=parse_date("2024-04-12"))
    assert pipeline.store_document(db, doc, source) == "new"
    row = db.execute("SELECT language FROM articles").fetchone()
    assert row == ("fr",)
    assert db.execute("SELECT actor, country, action FROM posture").fetchall() == [
        ("Russia", "Niger", "deploy")]


def test_seed_folder_health_upgrade_keeps_sources(db_path):
    """Migration 10 gives each source files read and failed; older rows start at zero."""
    conn, old = database_at(db_path, 9)
    old.execute("INSERT INTO sources (kind, name, url, added_at, last_error) VALUES ('seeds',"
                " 'Demo', 'seeds:seeds', '2024-01-01T00:00:00Z', 'x.txt: binary file')")
    conn.close()

    db = store.open_db(db_path)

    assert store.schema_version(db) == schema.SCHEMA_VERSION
    assert db.execute("SELECT name, files_read, files_failed, last_error FROM sources"
                      ).fetchall() == [("Demo", 0, 0, "x.txt: binary file")]
