"""Seed folders become tagged articles: the shipped seed first, then every format and failure."""

from __future__ import annotations

import json

import pytest

from ingest import seeds


def _article(db):
    return db.execute("SELECT * FROM articles").fetchone()


def test_the_shipped_seed_is_read_perfectly(db, seed_dir):
    report = seeds.ingest_folder(db, seed_dir)

    assert report.counts["new"] == 1 and report.errors == []
    article = next(db.query("SELECT * FROM articles"))
    assert article["title"] == "Mali relies on Russian help to restore security"
    assert article["published"] == "2021-11-11T00:00:00Z"
    assert article["published_inferred"] == 1
    assert article["author"] == "France Televisions · Writing Africa"
    # Byline and stamp lines are metadata, not body; paragraphs stay paragraphs.
    for metadata in ("Article written by", "Reading time", "source site", "Posted"):
        assert metadata not in article["text"]
    assert article["text"].startswith("On the program, a strengthening of military cooperation")
    assert article["text"].count("\n\n") >= 6
    assert article["text"].rstrip().endswith("by the transitional government.")


def test_the_seed_is_tagged_with_its_evidence(db, seed_dir):
    seeds.ingest_folder(db, seed_dir)

    dyads = list(db.query("SELECT actor, partner, themes, status, evidence FROM dyads"))
    russia_mali = [d for d in dyads if (d["actor"], d["partner"]) == ("Russia", "Mali")]
    assert any("military_cooperation" in json.loads(d["themes"]) and d["status"] == "reported"
               for d in russia_mali)
    wagner = db.query("SELECT evidence FROM tags WHERE kind = 'actor' AND value = 'Wagner Group'")
    assert "Wagner" in next(wagner)["evidence"]
    pmc = next(db.query("SELECT evidence, rule FROM tags WHERE kind = 'theme' AND value = 'pmc'"))
    assert "Wagner" in pmc["evidence"] and pmc["rule"]
    withdrawals = list(db.query(
        "SELECT date, place, evidence, status FROM posture WHERE actor = 'France'"
        " AND country = 'Mali' AND action = 'withdraw'"))
    assert withdrawals, "France leaving its northern Mali bases is a posture event"
    assert withdrawals[0]["date"].startswith("2021-06")
    assert "northernmost bases" in withdrawals[0]["evidence"]


def test_reingesting_the_same_folder_changes_nothing(db, seed_dir):
    seeds.ingest_folder(db, seed_dir)
    before = {t: db[t].count for t in ("articles", "tags", "dyads", "posture", "article_sources")}

    again = seeds.ingest_folder(db, seed_dir)

    assert again.counts["unchanged"] == 1 and again.counts["new"] == 0
    assert {t: db[t].count for t in before} == before


def test_a_changed_document_is_updated_not_duplicated(db, seed_dir):
    seeds.ingest_folder(db, seed_dir)
    path = next(seed_dir.iterdir())
    extra = "\nTurkey delivered Bayraktar TB2 drones to Niamey.\n"
    path.write_text(path.read_text("utf-8") + extra, "utf-8")

    report = seeds.ingest_folder(db, seed_dir)

    assert report.counts["updated"] == 1
    assert db["articles"].count == 1
    assert "Bayraktar" in _article(db)[4]
    hits = db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'bayraktar'")
    assert hits.fetchone()[0] == 1


def test_a_broken_file_is_named_and_the_rest_still_lands(db, seed_dir):
    (seed_dir / "broken.json").write_text('{"title": "Half a record", "text": ', "utf-8")
    (seed_dir / "binary.txt").write_bytes(b"\x00\x01\x02garbage")

    report = seeds.ingest_folder(db, seed_dir)

    assert report.counts["new"] == 1
    assert len(report.errors) == 2
    assert any("broken.json: not valid JSON" in e for e in report.errors)
    assert any("binary.txt: binary file" in e for e in report.errors)
    run = next(db.query("SELECT failed, status, errors FROM runs"))
    assert run["failed"] == 2 and run["status"] == "ok"
    assert "broken.json" in run["errors"]


def test_markdown_html_json_and_jsonl_documents(db, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "2018-03.md").write_text(
        "---\ntitle: Instructeurs russes à Bangui\npublished: 2018-03-22\nlanguage: fr\n"
        "outlet: RFI\nurl: https://www.rfi.example/afrique/123?utm_source=x\n---\n"
        "La Russie a envoyé **cinq officiers** et 170 instructeurs civils en Centrafrique.\n",
        "utf-8")
    (folder / "page.html").write_text(
        "<html lang='en'><head><title>China opens Djibouti base</title>"
        "<script>alert(1)</script></head><body><h1>China opens Djibouti base</h1>"
        "<p>China formally opened its naval base in Djibouti on August 1, 2017.</p>"
        "<p onclick='x()'>It is China's first overseas base.</p></body></html>", "utf-8")
    (folder / "one.json").write_text(json.dumps({
        "title": "US leaves Agadez", "published": "2024-08-05T10:00:00+01:00",
        "text": "The United States completed its withdrawal from Air Base 201 in Niger."}),
        "utf-8")
    (folder / "many.jsonl").write_text(
        json.dumps({"title": "TB2 for Togo", "text": "Togo received Turkish drones.",
                    "published": "2022-04-01"}) + "\nnot json\n"
        + json.dumps({"title": "No text field"}) + "\n", "utf-8")
    (folder / "README.md").write_text("# About this folder\n", "utf-8")

    report = seeds.ingest_folder(db, folder)

    titles = {row["title"]: row for row in db.query("SELECT * FROM articles")}
    assert set(titles) == {"Instructeurs russes à Bangui", "China opens Djibouti base",
                           "US leaves Agadez", "TB2 for Togo"}
    bangui = titles["Instructeurs russes à Bangui"]
    assert bangui["published"] == "2018-03-22T00:00:00Z" and bangui["published_inferred"] == 0
    assert bangui["canonical_url"] == "https://www.rfi.example/afrique/123"
    assert "**" not in bangui["text"] and bangui["language"] == "fr"
    djibouti = titles["China opens Djibouti base"]
    assert "alert" not in djibouti["text"] and djibouti["published"].startswith("2017-08-01")
    assert titles["US leaves Agadez"]["published"] == "2024-08-05T09:00:00Z"
    assert sorted(e.split(": ", 1)[1] for e in report.errors) == [
        "field 'text' is missing or not a string", "not valid JSON (Expecting value)"]
    assert all("many.jsonl:" in e for e in report.errors)


def test_a_bad_date_names_the_field_and_no_document_is_dated_today(db, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bad.json").write_text(json.dumps({"text": "x", "published": "someday"}), "utf-8")
    (folder / "undated.txt").write_text("A title\n\nNo date anywhere in here.\n", "utf-8")

    report = seeds.ingest_folder(db, folder)

    assert report.errors == [f"{folder / 'bad.json'}: field 'published': cannot read "
                             "'someday' as a date"]
    undated = next(db.query("SELECT published, published_inferred FROM articles"))
    assert undated == {"published": None, "published_inferred": 1}


def test_a_missing_folder_is_a_clear_error(db, tmp_path):
    with pytest.raises(seeds.SeedError, match="no such seeds folder"):
        seeds.ingest_folder(db, tmp_path / "nowhere")


def test_metadata_of_the_wrong_type_is_named_not_a_crash(db, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "_source.yaml").write_text("name: [unclosed\n", "utf-8")
    (folder / "odd.jsonl").write_text(
        json.dumps({"text": "Russia and Mali.", "author": {"n": 1}}) + "\n"
        + json.dumps({"text": "France and Chad.", "url": 123}) + "\n"
        + json.dumps({"title": "Fine", "text": "Turkey sold drones to Niger.",
                      "published": "2022-01-01"}) + "\n", "utf-8")

    report = seeds.ingest_folder(db, folder)

    assert report.counts["new"] == 1
    assert sorted(e.rsplit(": ", 1)[-1] for e in report.errors) == [
        "field 'author' must be text, not dict", "field 'url' must be text, not int",
        "not valid YAML (while parsing a flow sequence)"]
    assert any("_source.yaml" in e for e in report.errors)


def test_each_seed_folder_records_its_health(db, tmp_path):
    root = tmp_path / "corpus"
    (root / "good").mkdir(parents=True)
    (root / "mixed").mkdir()
    (root / "good" / "one.txt").write_text("Russia and Mali signed a defence accord.", "utf-8")
    (root / "mixed" / "two.txt").write_text("France withdrew from Mali.", "utf-8")
    (root / "mixed" / "bad.json").write_text('{"title": ', "utf-8")

    seeds.ingest_folder(db, root)

    rows = {row["url"]: row for row in db.query(
        "SELECT url, files_read, files_failed, last_polled_at, last_error FROM sources")}
    good, mixed = rows["seeds:corpus/good"], rows["seeds:corpus/mixed"]
    assert (good["files_read"], good["files_failed"], good["last_error"]) == (1, 0, None)
    assert (mixed["files_read"], mixed["files_failed"]) == (1, 1)
    assert "bad.json: not valid JSON" in mixed["last_error"] and mixed["last_polled_at"]
