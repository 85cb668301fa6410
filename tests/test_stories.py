"""Stories: copies of one report are one story, on real SQLite files, through the real pipeline."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from ingest import corrections, pipeline, store, stories
from ingest.cli import cli
from ingest.pipeline import Document
from ingest.queries import Filters

DAY = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
REPORT = (
    "Russia delivered two Mi-35 attack helicopters to the Malian air force in Bamako on"
    " 3 March 2024, the defence ministry said. The helicopters arrived on an Antonov cargo"
    " plane and were received by the chief of staff of the air force. Mali has received"
    " several aircraft from Russia since 2021, when the junta turned away from France."
    " Officials said the crews had been trained in Russia over the winter months."
)
OTHER_REPORT = (
    "Russian military instructors began training 300 Malian soldiers in Kati on 1 March"
    " 2024, according to a security source. The programme covers drone operations and"
    " counter-insurgency tactics and is due to last twelve weeks. Mali has relied on"
    " Russian partners since 2021. A second group is expected in the summer."
)


def doc(url: str, text: str = REPORT, title: str = "Russia sends helicopters to Mali",
        hours: int = 0, language: str = "en") -> Document:
    return Document(title=title, text=text, key=url, url=url,
                    published=DAY + timedelta(hours=hours), language=language)


def source(db, name: str, affiliation: str | None = None) -> int:
    with store.transaction(db):
        return store.ensure_source(db, kind="feed", url=f"https://{name}.example/rss",
                                   name=name, affiliation=affiliation)


def story(db, url: str) -> int:
    """The story of the article stored from ``url``."""
    return db.execute(
        "SELECT sa.story_id FROM article_sources s JOIN story_articles sa"
        " ON sa.article_id = s.article_id WHERE s.url = ?", [url]).fetchone()[0]


def one_story_each(db) -> bool:
    return db.execute(
        "SELECT (SELECT count(*) FROM articles) = (SELECT count(*) FROM articles a"
        " JOIN story_articles sa ON sa.article_id = a.id)").fetchone()[0] == 1


def test_copies_under_new_urls_join_the_story_and_another_report_does_not(db):
    wire, paper, agency = source(db, "wire"), source(db, "paper"), source(db, "agency")
    pipeline.store_document(db, doc("https://wire.example/a"), wire)
    # Word for word elsewhere, a new headline, and a desk's edit of the last sentence.
    pipeline.store_document(db, doc("https://paper.example/b", hours=5), paper)
    pipeline.store_document(db, doc("https://paper.example/c", title="Mali gets new gunships",
                                    hours=20), paper)
    edited = REPORT.rsplit(". ", 1)[0] + ". The ministry gave no price for the aircraft."
    pipeline.store_document(db, doc("https://agency.example/d", text=edited, hours=30), agency)
    # Same pair, same week, another report.
    pipeline.store_document(db, doc("https://agency.example/e", text=OTHER_REPORT,
                                    title="Russia trains Malian troops", hours=2), agency)

    first = story(db, "https://wire.example/a")
    assert {story(db, f"https://{u}") for u in ("paper.example/b", "paper.example/c",
                                                 "agency.example/d")} == {first}
    assert story(db, "https://agency.example/e") != first
    assert one_story_each(db)
    row = next(r for r in stories.story_rows(db, Filters()) if r["story_id"] == first)
    assert (row["articles"], row["sources"], row["title"]) == (
        3, 3, "Russia sends helicopters to Mali")


def test_a_truncated_feed_summary_joins_its_full_text_in_either_order(db):
    feed, site = source(db, "feed"), source(db, "site")
    summary = REPORT.split(". ")[0] + " …"
    pipeline.store_document(db, doc("https://feed.example/s1", text=summary), feed)
    pipeline.store_document(db, doc("https://site.example/f1", hours=3), site)
    assert story(db, "https://feed.example/s1") == story(db, "https://site.example/f1")

    later = DAY + timedelta(days=30)
    text = OTHER_REPORT.replace("1 March", "30 March")
    full = Document(title="Training", text=text, key="f2", url="https://site.example/f2",
                    published=later, language="en")
    short = Document(title="Training", text=text.split(". ")[0] + "…", key="s2",
                     url="https://feed.example/s2", published=later, language="en")
    pipeline.store_document(db, full, site)
    pipeline.store_document(db, short, feed)
    assert story(db, "https://feed.example/s2") == story(db, "https://site.example/f2")
    assert story(db, "https://site.example/f2") != story(db, "https://site.example/f1")


def test_the_same_text_weeks_later_is_a_new_story(db):
    wire = source(db, "wire")
    pipeline.store_document(db, doc("https://wire.example/a"), wire)
    pipeline.store_document(db, doc("https://wire.example/z", title="Archive: helicopters",
                                    hours=24 * 40), wire)
    assert story(db, "https://wire.example/a") != story(db, "https://wire.example/z")


def test_retag_correction_and_changed_text_keep_every_story(db):
    wire, paper = source(db, "wire"), source(db, "paper")
    pipeline.store_document(db, doc("https://wire.example/a"), wire)
    pipeline.store_document(db, doc("https://paper.example/b", title="Gunships for Mali"),
                            paper)
    pipeline.store_document(db, doc("https://paper.example/o", text=OTHER_REPORT), paper)
    before = dict(db.execute("SELECT article_id, story_id FROM story_articles").fetchall())

    pipeline.retag(db)
    dyad = db.execute("SELECT id FROM dyads LIMIT 1").fetchone()[0]
    corrections.record(db, target="dyad", row_id=dyad, verdict="rejected", analyst="test")
    # The wire corrects its article: a new text under the same URL.
    fixed = REPORT.replace("two Mi-35", "three Mi-35")
    assert pipeline.store_document(db, doc("https://wire.example/a", text=fixed), wire) \
        == "updated"

    assert dict(db.execute("SELECT article_id, story_id FROM story_articles").fetchall()) \
        == before


def test_cluster_places_articles_stored_before_stories_and_rebuild_agrees(db, db_path):
    wire, paper = source(db, "wire"), source(db, "paper")
    for n, (text, hours) in enumerate([(REPORT, 0), (REPORT, 2), (OTHER_REPORT, 1),
                                       (OTHER_REPORT, 3)]):
        pipeline.store_document(db, doc(f"https://paper.example/{n}", text=text, hours=hours,
                                        title=f"Headline {n}"), (wire, paper)[n % 2])
    grouped = {story(db, f"https://paper.example/{n}") for n in range(4)}
    assert len(grouped) == 2
    # An older release stored these: no story, no keys.
    with store.transaction(db):
        for table in ("story_keys", "story_articles", "stories"):
            db.execute(f"DELETE FROM {table}")

    result = CliRunner().invoke(cli, ["init", "--db", str(db_path)])
    assert "4 articles are in no story yet: run `python -m ingest cluster`" in result.output
    result = CliRunner().invoke(cli, ["cluster", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "placed 4 articles; 2 stories in all" in result.output
    assert one_story_each(db)
    pairs = {frozenset(r["article_ids"]) for r in stories.story_rows(db, Filters())}

    result = CliRunner().invoke(cli, ["cluster", "--rebuild", "--db", str(db_path)])
    assert "placed 4 articles; 2 stories in all" in result.output
    assert {frozenset(r["article_ids"]) for r in stories.story_rows(db, Filters())} == pairs
    assert "no story" not in CliRunner().invoke(cli, ["init", "--db", str(db_path)]).output


def test_story_counts_languages_and_state_affiliated_share(db):
    wire, state = source(db, "wire"), source(db, "statetv", affiliation="Russia")
    pipeline.store_document(db, doc("https://wire.example/a"), wire)
    pipeline.store_document(db, doc("https://statetv.example/a", title="Hélicoptères",
                                    hours=1), state)
    pipeline.store_document(db, doc("https://statetv.example/b", text=OTHER_REPORT), state)
    [row] = [r for r in stories.story_rows(db, Filters(languages=("en",)))
             if r["articles"] == 2]
    assert (row["sources"], row["languages"], row["state_share"]) == (2, "en", 0.5)
    assert row["first_seen"] <= store.now()
    copies = stories.story_of(db, row["article_ids"][1])
    assert [m["source"] for m in copies["members"]] == ["wire", "statetv"]


def test_export_stories_as_csv_and_jsonl_with_member_ids(db, db_path):
    wire, paper = source(db, "wire"), source(db, "paper")
    pipeline.store_document(db, doc("https://wire.example/a"), wire)
    pipeline.store_document(db, doc("https://paper.example/b", title="Gunships"), paper)
    ids = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY rowid")]

    result = CliRunner().invoke(cli, ["export", "stories", "--format", "jsonl",
                                      "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    [line] = [json.loads(line) for line in result.output.splitlines()]
    assert line["article_ids"] == ids and line["articles"] == 2

    result = CliRunner().invoke(cli, ["export", "stories", "--db", str(db_path)])
    lines = result.output.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("# Influence Monitor export: stories")
    [row] = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert row["article_ids"] == " ".join(ids)


# The keys the release before the faster placement stored for REPORT (published DAY) and for a
# headline-only brief: story_keys in existing files hold these, so new copies of articles
# stored before an upgrade are found only if the same text still makes the same keys.
EARLIER_KEYS = {
    REPORT: {1631372348039583243, -3941759774147556612, 5792214009650891472,
             -3212422292616920324, -3283221440996361543, -6228109469647549925,
             -2534431173870371107, -7121710117936602419, 4910992801826646587,
             5602789192583681464, -2443230876021658432, -2022325243344155411,
             -5831734382789044046, 7305685986865299375, -8877977495414032820,
             -4760262632301639346, -2308545240116145397},
    "Brief 12.": {5136108659858658953},
}


def test_keys_are_those_earlier_releases_stored(db):
    wire = source(db, "wire")
    for n, text in enumerate(EARLIER_KEYS):
        pipeline.store_document(db, doc(f"https://wire.example/{n}", text=text), wire)
        rowid = db.execute("SELECT a.rowid FROM articles a JOIN article_sources s"
                           " ON s.article_id = a.id WHERE s.url = ?",
                           [f"https://wire.example/{n}"]).fetchone()[0]
        stored = {key for (key,) in db.execute(
            "SELECT key FROM story_keys WHERE article_rowid = ?", [rowid])}
        assert stored == EARLIER_KEYS[text]


def test_copies_in_one_batch_group_as_they_would_one_by_one(tmp_path):
    """A feed poll carrying a report, its copies and other reports stores them in one
    transaction; their stories are those of storing them one at a time, and the batch's
    articles are all placed with it."""
    edited = REPORT.rsplit(". ", 1)[0] + ". The ministry gave no price for the aircraft."
    batch = [doc("https://wire.example/a"),
             doc("https://wire.example/o", text=OTHER_REPORT, title="Training", hours=1),
             doc("https://wire.example/b", title="Mali gets new gunships", hours=3),
             doc("https://wire.example/s", text=REPORT.split(". ")[0] + " …", hours=4),
             doc("https://wire.example/d", text=edited, hours=6),
             doc("https://wire.example/p", text=OTHER_REPORT, title="Kati", hours=7)]
    groupings = []
    for together in (True, False):
        db = store.open_db(tmp_path / f"{together}.db")
        wire = source(db, "wire")
        if together:
            assert pipeline.store_documents(db, batch, wire) == ["new"] * 6
        else:
            for item in batch:
                pipeline.store_document(db, item, wire)
        assert one_story_each(db)
        groupings.append([story(db, item.url) for item in batch])
        db.close()
    assert groupings[0] == groupings[1]
    a, o, b, s, d, p = groupings[0]
    assert a == b == s == d and o == p and a != o


def test_an_article_stored_and_corrected_in_one_batch_is_in_one_story(db):
    wire = source(db, "wire")
    fixed = REPORT.replace("two Mi-35", "three Mi-35")
    assert pipeline.store_documents(db, [doc("https://wire.example/a"),
                                         doc("https://wire.example/a", text=fixed)], wire) \
        == ["new", "updated"]
    assert one_story_each(db)
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == 1
    pipeline.store_document(db, doc("https://paper.example/b", text=fixed, hours=2),
                            source(db, "paper"))
    assert story(db, "https://paper.example/b") == story(db, "https://wire.example/a")
