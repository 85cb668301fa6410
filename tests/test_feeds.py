"""Feed bodies to articles, hostile feeds, the registry, OPML, and the `feeds` commands."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from ingest import feeds, opml, store
from ingest.cli import cli
from ingest.entries import FeedError, parse_feed
from tests.conftest import REPO
from tests.feedserver import fixture

# name, entries, first title, first url, first published (UTC), language, author
CANNED = [
    ("rss2.xml", 3, "Russian instructors arrive in Bamako",
     "https://sahel-daily.example/2024/01/russian-instructors-bamako?utm_source=rss",
     "2024-01-09T13:30:00", "en", "Amina Traoré"),
    ("atom.xml", 2, "US renews Camp Lemonnier lease",
     "https://horn-observer.example/news/lemonnier-lease", "2024-02-01T11:45:00", "en",
     "J. Smith"),
    ("rss1.rdf", 1, "Joint piracy patrols expand", "https://gulf-review.example/piracy-patrols",
     "2024-03-05T07:00:00", "en", "Gulf Desk"),
    ("fr-latin1.xml", 2, "Le Niger annonce le départ des troupes françaises",
     "https://afrique-defense.example/niger-depart-troupes", "2023-12-22T17:00:00", "fr", None),
    ("utf16.xml", 1, "Africa Corps déployé à Ouagadougou",
     "https://depeches-sahel.example/africa-corps-ouagadougou", "2024-04-02T09:00:00", "fr",
     None),
]
EXECUTABLE = re.compile(r"<script|javascript:|onerror|onclick|onload|onmouseover|alert\(|<",
                        re.IGNORECASE)


@pytest.mark.parametrize("name, count, title, url, published, language, author", CANNED)
def test_canned_feeds(name, count, title, url, published, language, author):
    parsed = parse_feed(fixture(name), feed_url=f"https://feeds.example/{name}",
                        headers={"content-type": "application/xml"})
    first = parsed.documents[0]
    assert (parsed.entries, parsed.malformed) == (count, False)
    assert (first.title, first.url, first.language, first.author) == (title, url, language, author)
    assert first.published.isoformat() == published + "+00:00"
    assert not first.published_inferred and first.text


def test_latin1_text_is_decoded():
    parsed = parse_feed(fixture("fr-latin1.xml"), feed_url="https://f.example/fr",
                        headers={"content-type": "text/xml; charset=ISO-8859-1"})
    assert "état-major à Niamey" in parsed.documents[0].text
    assert parsed.documents[0].outlet == "Afrique Défense"


def test_missing_date_is_first_seen_and_marked_inferred():
    undated = parse_feed(fixture("rss2.xml"), feed_url="https://f.example/").documents[2]
    assert undated.published_inferred
    assert abs((datetime.now(UTC) - undated.published).total_seconds()) < 60


def test_no_markup_or_script_survives_anywhere():
    parsed = parse_feed(fixture("hostile.xml"), feed_url="https://hostile.example/rss")
    for doc in parsed.documents:
        for value in (doc.title, doc.text, doc.author or "", doc.outlet or "", doc.url or ""):
            assert not EXECUTABLE.search(value), value
    first, second = parsed.documents
    assert first.title == "Wagner in Mali" and first.author == "Evil Author"
    assert "Russian forces were seen near Timbuktu." in first.text
    assert second.text == "French troops left Gao."


def test_javascript_and_data_links_are_dropped_but_entry_kept():
    first, second = parse_feed(fixture("hostile.xml"), feed_url="https://h.example/rss").documents
    assert first.url is None and first.key == "feed:https://h.example/rss#hostile-1"
    assert second.url is None and second.key.startswith("feed:https://h.example/rss#")


def test_malformed_feed_is_recovered_and_flagged():
    parsed = parse_feed(fixture("malformed.xml"), feed_url="https://b.example/")
    assert parsed.malformed and "not well-formed" in parsed.problem
    assert parsed.documents[0].title == "Chad and France end defence pact"


@pytest.mark.parametrize("body, message", [
    (b"", "empty response body"),
    (b"   \n", "empty response body"),
    (fixture("html-page.html"), "not a feed (the server sent an HTML page)"),
    (b"just some text", "not a feed"),
])
def test_not_a_feed_is_a_clear_error(body, message):
    with pytest.raises(FeedError, match=re.escape(message)):
        parse_feed(body, feed_url="https://x.example/")


def billion_laughs() -> bytes:
    lols = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{chr(10).join(lols)}\n]>\n'
            '<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
            "</item></channel></rss>").encode()


def quadratic_blowup() -> bytes:
    """110 KB declaring one 50 KB entity and referencing it 20,000 times (a gigabyte expanded)."""
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "{"x" * 50_000}">]>\n'
            f'<rss version="2.0"><channel><title>t</title><item><title>t</title><description>'
            f'{"&a;" * 20_000}</description></item></channel></rss>').encode()


@pytest.mark.faults
@pytest.mark.parametrize("body", [billion_laughs(), quadratic_blowup(),
                                  billion_laughs().decode().encode("utf-16")],
                         ids=["billion-laughs", "quadratic-blowup", "billion-laughs-utf16"])
def test_entity_expansion_is_refused_fast(body):
    started = time.monotonic()
    with pytest.raises(FeedError, match=re.escape("feed declares XML entities (refused)")):
        parse_feed(body, feed_url="https://x.example/")
    assert time.monotonic() - started < 1


def test_entry_cap_bounds_one_feed():
    items = "".join(f"<item><title>n{n}</title><link>https://e.example/{n}</link></item>"
                    for n in range(30))
    body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    parsed = parse_feed(body, feed_url="https://e.example/", max_entries=10)
    assert len(parsed.documents) == 10 and "20 entries past the 10-entry cap" in parsed.skipped[0]


def test_registry_add_list_remove_resume(db):
    feed_id, new = feeds.add_feed(db, "https://sputnik.example/rss", name="Sputnik Afrique",
                                  language="fr", affiliation="Russia")
    assert new and feeds.add_feed(db, "https://sputnik.example/rss", country="RU") == (feed_id,
                                                                                      False)
    [row] = feeds.list_feeds(db)
    assert (row["name"], row["affiliation"], row["country"]) == ("Sputnik Afrique", "Russia",
                                                                 "RU")
    db.execute("UPDATE sources SET paused = 1, consecutive_failures = 10 WHERE id = ?", [feed_id])
    feeds.resume_feed(db, str(feed_id))
    assert [f.id for f in feeds.due_feeds(db)] == [feed_id]
    feeds.remove_feed(db, "https://sputnik.example/rss")
    assert feeds.list_feeds(db) == [] and feeds.due_feeds(db, everything=True) == []
    with pytest.raises(feeds.FeedError, match="no feed with id 42"):
        feeds.remove_feed(db, "42")


def test_failures_back_off_then_pause(db):
    feed_id, _ = feeds.add_feed(db, "https://down.example/rss")
    delays = []
    for _ in range(feeds.PAUSE_AFTER):
        paused = feeds.record_failure(db, feed_id, "HTTP 503")
        due = db.execute("SELECT next_due_at FROM sources WHERE id = ?", [feed_id]).fetchone()[0]
        delays.append(datetime.fromisoformat(due) - datetime.now(UTC))
    assert delays[1] > delays[0] * 1.5 and delays[2] > delays[1] * 1.5
    assert paused and feeds.due_feeds(db, everything=True) == []
    [row] = feeds.list_feeds(db)
    assert row["paused"] and row["last_error"] == "HTTP 503"


def test_starter_list_imports_with_affiliations(db):
    added, updated = feeds.import_feeds(db, (REPO / "data" / "feeds-starter.opml").read_bytes(),
                                        origin="starter")
    rows = {row["name"]: row for row in feeds.list_feeds(db)}
    assert added >= 12 and updated == 0
    assert {rows[n]["affiliation"] for n in rows if "Sputnik" in n or n.startswith("RT")} == {
        "Russia"}
    assert any(row["affiliation"] == "China" for row in rows.values())
    assert any(row["affiliation"] == "Turkey" for row in rows.values())
    assert {row["language"] for row in rows.values()} >= {"en", "fr"}
    assert feeds.import_feeds(db, (REPO / "data" / "feeds-starter.opml").read_bytes(),
                              origin="starter") == (0, added)


def test_opml_round_trip(db, tmp_path):
    feeds.add_feed(db, "https://cgtn.example/africa.xml", name="CGTN Africa", language="en",
                   affiliation="China")
    feeds.add_feed(db, "https://rfi.example/afrique.xml", name="RFI & Afrique", language="fr",
                   country="FR")
    exported = feeds.export_feeds(db)
    specs = opml.read_feed_list(exported.encode())
    assert specs == [
        opml.FeedSpec("https://cgtn.example/africa.xml", "CGTN Africa", "en", None, "China"),
        opml.FeedSpec("https://rfi.example/afrique.xml", "RFI & Afrique", "fr", "FR", None),
    ]


def test_plain_url_list_imports():
    specs = opml.read_feed_list(b"# my feeds\nhttps://a.example/rss\n\nhttp://b.example/atom#x\n")
    assert [spec.url for spec in specs] == ["https://a.example/rss", "http://b.example/atom#x"]
    with pytest.raises(opml.OpmlError, match="line 2: expected one http"):
        opml.read_feed_list(b"https://a.example/rss\nnot a url\n", origin="list")


def cli_run(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_add_list_export_remove(db_path, tmp_path):
    db = str(db_path)
    result = cli_run("feeds", "add", "https://trt.example/afrika.rss", "--name", "TRT Afrika",
                     "--lang", "en", "--affiliation", "Turkey", "--db", db)
    assert result.exit_code == 0 and "added feed #1" in result.output
    listing = cli_run("feeds", "list", "--db", db).output
    assert "TRT Afrika [ok]" in listing and "state media: Turkey" in listing
    assert "next due now" in listing and "last success never" in listing
    out = tmp_path / "feeds.opml"
    assert cli_run("feeds", "export", "-o", str(out), "--db", db).exit_code == 0
    assert 'affiliation="Turkey"' in out.read_text("utf-8")
    assert cli_run("feeds", "remove", "1", "--db", db).output == "removed feed #1\n"
    assert "no feeds yet" in cli_run("feeds", "list", "--db", db).output


@pytest.mark.parametrize("args, message", [
    (["feeds", "remove", "99"], "Error: no feed with id 99 (see `feeds list`)"),
    (["feeds", "resume", "https://nowhere.example/"], "Error: no feed with URL"),
    (["feeds", "add", "ftp://x.example/feed"], "Error: ftp://x.example/feed: not an http(s)"),
    (["feeds", "import", "missing.opml"], "Error: missing.opml: No such file or directory"),
])
def test_cli_errors_are_one_line(db_path, args, message):
    result = cli_run(*args, "--db", str(db_path))
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith(message)


def test_cli_import_bad_opml_is_one_line(db_path, tmp_path):
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body><outline xmlUrl='x'></body>")
    result = cli_run("feeds", "import", str(bad), "--db", str(db_path))
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "not valid OPML" in result.output


def test_an_import_with_one_bad_url_registers_nothing(db, tmp_path):
    listing = b"https://a.example/a.xml\nhttps://b.example/b.xml\nhttps://:80/c.xml\n"
    with pytest.raises(feeds.FeedError, match="nothing imported"):
        feeds.import_feeds(db, listing, origin="list.txt")
    assert feeds.list_feeds(db) == []


def test_cli_pause_keeps_the_feed_listed_but_not_polled(db_path):
    db = str(db_path)
    cli_run("feeds", "add", "https://trt.example/afrika.rss", "--name", "TRT Afrika", "--db", db)
    assert cli_run("feeds", "pause", "1", "--db", db).output == "paused feed #1\n"
    assert "TRT Afrika [paused]" in cli_run("feeds", "list", "--db", db).output
    assert feeds.due_feeds(store.open_db(db_path), everything=True) == []
    cli_run("feeds", "resume", "https://trt.example/afrika.rss", "--db", db)
    assert "TRT Afrika [ok]" in cli_run("feeds", "list", "--db", db).output


def test_the_dashboard_refuses_private_hosts_unless_the_operator_allows_them(monkeypatch):
    monkeypatch.delenv(feeds.ALLOW_PRIVATE_ENV, raising=False)
    assert not feeds.private_hosts_allowed()
    with pytest.raises(feeds.FeedError, match="run with --allow-private-hosts.*"
                       f"{feeds.ALLOW_PRIVATE_ENV}=1"):
        feeds.refuse_private("http://127.0.0.1:8000/feed.xml",
                             allow_private=feeds.private_hosts_allowed())
    feeds.refuse_private("http://93.184.215.14/rss", allow_private=False)  # a public address
    monkeypatch.setenv(feeds.ALLOW_PRIVATE_ENV, "1")
    feeds.refuse_private("http://127.0.0.1:8000/feed.xml",
                         allow_private=feeds.private_hosts_allowed())
