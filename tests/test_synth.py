"""The generated corpus: deterministic, valid as real input, and stored through the real path."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

import feedparser
from click.testing import CliRunner

from ingest import seeds, store, synth
from ingest.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_same_seed_same_documents_other_seed_other_documents():
    first = list(synth.documents(synth.records(300, seed=7), seed=7))
    again = list(synth.documents(synth.records(300, seed=7), seed=7))
    other = list(synth.documents(synth.records(300, seed=8), seed=8))
    assert first == again
    assert [d.text for d in first] != [d.text for d in other]
    assert [d.url for d in first] != [d.url for d in other]


def test_the_corpus_has_the_shape_of_real_news():
    rows = list(synth.records(2000, seed=3))
    french = sum(r["language"] == "fr" for r in rows) / len(rows)
    assert 0.3 < french < 0.5
    years = {r["published"][:4] for r in rows}
    assert years == {str(year) for year in range(2015, 2026)}
    assert len({r["url"] for r in rows}) == len(rows)
    copies = len(rows) - len({(r["title"], r["text"]) for r in rows})
    assert copies > 0.02 * len(rows)


def test_records_read_back_through_the_seed_reader_are_the_same_documents(tmp_path):
    rows = list(synth.records(200, seed=5))
    folder = tmp_path / "synth"
    folder.mkdir()
    path = folder / "corpus.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")

    read = list(seeds.read_file(path, folder))
    generated = list(synth.documents(rows, seed=5))

    assert not [doc for doc in read if isinstance(doc, seeds.SeedError)]
    assert [_without_key(d) for d in read] == [_without_key(d) for d in generated]
    assert all(d.published and not d.published_inferred and d.language in ("en", "fr")
               for d in generated)


def test_rss_files_parse_with_every_entry(tmp_path):
    rows = list(synth.records(230, seed=2))
    with synth.RssWriter(tmp_path, per_file=40) as writer:
        for row in rows:
            writer.add(row)

    parsed = [feedparser.parse(path.read_bytes()) for path in writer.written]
    assert not [feed for feed in parsed if feed.bozo]
    assert all(len(feed.entries) <= 40 for feed in parsed)
    entries = [entry for feed in parsed for entry in feed.entries]
    assert sorted(e.link for e in entries) == sorted(r["url"] for r in rows)
    assert all(e.published_parsed and e.title and e.summary for e in entries)


def test_cli_writes_the_articles_and_the_store_merges_the_copies(tmp_path):
    db_path = tmp_path / "load.db"
    rss_dir = tmp_path / "rss"
    result = run("synth", "--articles", "150", "--db", str(db_path), "--seed", "4",
                 "--rss-dir", str(rss_dir), "--per-file", "50")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db_path)
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    new, duplicates = conn.execute(
        "SELECT new, duplicate FROM runs WHERE kind = 'synth'").fetchone()
    assert new + duplicates == 150 and duplicates > 0
    assert articles == new < 150
    assert conn.execute("SELECT count(*) FROM dyads").fetchone()[0] > 0
    entries = sum(len(feedparser.parse(p.read_bytes()).entries) for p in rss_dir.glob("*.xml"))
    assert entries == 150


def test_cli_refuses_to_run_without_db(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "env.db"))
    result = CliRunner().invoke(cli, ["synth", "--articles", "10"])
    assert result.exit_code == 2
    assert "--db" in result.output
    assert not list(tmp_path.rglob("*.db"))


def test_connections_get_a_page_cache_fit_for_a_large_corpus(db, db_path):
    # Found by bench/bench_store.py-style runs at 160k articles: the 2 MB default made storing
    # 1.6x slower (docs/benchmarks.md, "Profile").
    assert db.execute("PRAGMA cache_size").fetchone()[0] == -store.CACHE_KB
    reader = store.open_db(db_path, readonly=True)
    assert reader.execute("PRAGMA cache_size").fetchone()[0] == -store.CACHE_KB


def _without_key(doc):
    return dataclasses.replace(doc, key="")
