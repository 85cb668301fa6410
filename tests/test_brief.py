"""Briefs from the bundled demo, end to end through the CLI: what they cite is stored, the HTML
reaches nothing outside itself, the PDF has its pages, bad flags are one line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from pypdf import PdfReader
from selectolax.lexbor import LexborHTMLParser

from ingest import aggregates, labels
from ingest.cli import cli
from ingest.queries import Filters

REPO = Path(__file__).resolve().parent.parent
RUSSIA_MALI = ("--actor", "Russia", "--partner", "Mali", "--since", "2021-01-01")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """The bundled demo, ingested once by the real command (the tests only read it)."""
    path = tmp_path_factory.mktemp("demo") / "monitor.db"
    subprocess.run([sys.executable, "-m", "ingest", "-q", "seeds", str(REPO / "seeds"),
                    "--db", str(path)], check=True, cwd=REPO)
    return path


@pytest.fixture
def demo(demo_db, tmp_path) -> Path:
    path = tmp_path / "monitor.db"
    shutil.copy(demo_db, path)
    return path


def brief(db: Path, out: Path, *args: str):
    return CliRunner().invoke(cli, ["brief", *args, "-o", str(out), "--db", str(db)])


@pytest.fixture(scope="module")
def russia_mali(demo_db, tmp_path_factory) -> LexborHTMLParser:
    out = tmp_path_factory.mktemp("brief") / "brief.html"
    result = brief(demo_db, out, *RUSSIA_MALI)
    assert result.exit_code == 0, result.output
    return LexborHTMLParser(out.read_text(encoding="utf-8"))


def test_every_bullet_cites_a_stored_article_and_quotes_its_sentence(russia_mali, demo_db):
    db = sqlite_utils.Database(demo_db)
    bullets = russia_mali.css("li[data-article]")
    assert len(bullets) > 10
    for bullet in bullets:
        article = db["articles"].get(bullet.attributes["data-article"])  # raises if not stored
        cite = bullet.css_first(".cite").text()
        assert article["title"] in cite
        if article["url"]:
            assert bullet.css_first(".cite a").attributes["href"] == article["url"]
        quote = bullet.css_first("blockquote").text().strip("“”")
        status = bullet.attributes["data-status"]
        stored = {row[0] for table in ("dyads", "posture") for row in db.execute(
            f"SELECT evidence FROM {table} WHERE article_id = ? AND status = ?",
            [article["id"], status])}
        assert quote in stored


def test_planned_denied_and_hedged_are_apart_and_marked(russia_mali):
    developments = russia_mali.css("ol.bullets:not(.aside) li")
    aside = russia_mali.css("ol.aside li")
    assert {li.attributes["data-status"] for li in developments} == {"reported"}
    assert aside and {li.attributes["data-status"] for li in aside} <= {
        "planned", "denied", "hedged"}
    for li in aside:
        assert li.css_first(".badge").text() == labels.status(li.attributes["data-status"])


def test_the_reader_sees_labels_and_dates_never_ids(russia_mali):
    text = russia_mali.body.text()
    for link in russia_mali.css(".cite a"):
        text = text.replace(link.text(), "")  # addresses may hold anything
    assert not re.search(r"\b(troop_withdrawal|military_cooperation|base_close|pmc)\b", text)
    assert not re.search(r"\d{4}-\d\d-\d\d", text)
    assert "13 September 2021" in text and "Private military companies" in text
    assert "Illustrative sample data" in text  # the demo must never be cited as reporting


def test_the_brief_says_what_it_rests_on(russia_mali, demo_db):
    about = {row.css_first("th").text(): " ".join(row.css_first("td").text().split())
             for row in russia_mali.css("table.about tr")}
    db = sqlite_utils.Database(demo_db)
    counts = aggregates.cited_counts(db, Filters(since=date(2021, 1, 1), actors=("Russia",),
                                                 partners=("Mali",)))
    latest = db.execute("SELECT max(published) FROM articles").fetchone()[0]
    assert about["Actors"] == "Russia" and about["Partner countries"] == "Mali"
    assert about["Period"] == "Since 1 January 2021"
    stories = db.execute(
        "SELECT count(DISTINCT s.story_id) FROM story_articles s JOIN articles a"
        " ON a.id = s.article_id WHERE a.published >= '2021-01-01' AND EXISTS (SELECT 1 FROM"
        " tags t WHERE t.article_id = a.id AND t.kind = 'actor' AND t.value = 'Russia') AND"
        " EXISTS (SELECT 1 FROM tags t WHERE t.article_id = a.id AND t.kind = 'partner'"
        " AND t.value = 'Mali')").fetchone()[0]
    assert about["Behind this brief"].startswith(
        f"{counts['articles']} articles ({stories} stories: copies of one report count once)"
        f" from {counts['outlets']} outlets")
    assert counts["articles"] > 10
    assert "newest article 8 October 2025" in about["Data as of"] and latest.startswith(
        "2025-10-08")
    from ingest.tagger import TAGGER_VERSION

    assert about["Tagger"].startswith(TAGGER_VERSION)


def test_the_html_reaches_nothing_outside_itself(russia_mali, demo_db):
    """Images are data URIs, the CSS is inline, no script; the only addresses are the cited
    articles' own links, as plain <a href> in a citation."""
    db = sqlite_utils.Database(demo_db)
    urls = {row[0] for row in db.execute("SELECT url FROM articles WHERE url IS NOT NULL")}
    images = russia_mali.css("img")
    assert images and all(img.attributes["src"].startswith("data:image/png;base64,")
                          for img in images)
    assert not russia_mali.css("script, link, iframe, object, embed")
    for style in russia_mali.css("style"):
        assert "url(" not in style.text() and "@import" not in style.text()
    for node in russia_mali.css("[href], [src], [srcset], [style]"):
        for name, value in node.attributes.items():
            if name in ("href",):
                assert node.tag == "a" and node.parent.attributes.get("class") == "cite"
                assert value in urls
            elif name in ("src", "srcset", "style"):
                assert not re.search(r"https?:|url\(", value or "")


def test_the_pdf_has_its_pages(demo, tmp_path):
    out = tmp_path / "brief.pdf"
    result = brief(demo, out, *RUSSIA_MALI)  # the format follows the extension
    assert result.exit_code == 0, result.output
    pages = PdfReader(out).pages
    texts = [page.extract_text() for page in pages]
    assert len(pages) >= 3
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Russia in Mali" in text  # the running header
    assert "Key developments" in texts[0] and "Since 1 January 2021" in texts[0]
    rest = "\n".join(texts)
    order = [rest.index(heading) for heading in (
        "Key developments", "Planned, denied and hedged statements", "Reported force levels",
        "Partnerships")]
    assert order == sorted(order)
    assert any(page.images for page in pages)  # the force-level chart, drawn


def test_a_folder_output_names_the_file_after_its_filters(demo, tmp_path):
    result = brief(demo, tmp_path, *RUSSIA_MALI, "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "russia-mali-brief-from-2021-01-01.pdf").read_bytes().startswith(b"%PDF")


def test_an_empty_period_says_so(demo, tmp_path):
    html = tmp_path / "empty.html"
    assert brief(demo, html, "--actor", "Russia", "--since", "2040-01-01").exit_code == 0
    page = LexborHTMLParser(html.read_text(encoding="utf-8"))
    assert "No article matches these filters in this period" in page.body.text()
    assert "0 articles" in page.body.text() and not page.css("li[data-article]")
    pdf = tmp_path / "empty.pdf"
    assert brief(demo, pdf, "--actor", "Russia", "--since", "2040-01-01").exit_code == 0
    assert "No article matches" in PdfReader(pdf).pages[0].extract_text()


def test_an_empty_database_says_so(tmp_path):
    out, db = tmp_path / "brief.html", tmp_path / "new.db"
    missing = brief(db, out, "--actor", "Russia")
    assert missing.exit_code == 1 and "no database here yet" in missing.output
    assert CliRunner().invoke(cli, ["init", "--db", str(db)]).exit_code == 0
    result = brief(db, out, "--actor", "Russia")
    assert result.exit_code == 0, result.output
    assert "No article matches these filters" in out.read_text(encoding="utf-8")


def test_names_are_matched_without_case(demo, tmp_path):
    out = tmp_path / "brief.html"
    assert brief(demo, out, "--actor", "russia", "--theme", "Private military companies",
                 "--lang", "FR").exit_code == 0
    about = LexborHTMLParser(out.read_text(encoding="utf-8")).css("table.about td")
    assert [td.text() for td in about[:4]] == ["Russia", "any", "Private military companies",
                                               "fr"]


@pytest.mark.parametrize(("args", "message"), [
    (("--actor", "Rusia"), "unknown actor 'Rusia'; known: "),
    (("--partner", "Atlantis"), "unknown partner 'Atlantis'"),
    (("--theme", "cyber"), "unknown theme 'cyber'"),
    (("--since", "2024-13-01"), "'--since': '2024-13-01'"),
    (("--since", "2024-05-01", "--until", "2024-04-01"), "--since 2024-05-01 is after"),
    (("--format", "docx"), "'--format'"),
])
def test_a_bad_flag_is_one_line(demo, tmp_path, args, message):
    out = tmp_path / "brief.html"
    result = subprocess.run([sys.executable, "-m", "ingest", "brief", *args, "-o", str(out),
                             "--db", str(demo)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    assert not out.exists()


@pytest.mark.browser
def test_chromium_opens_the_brief_without_any_request_and_draws_its_charts(demo, tmp_path):
    """Offline in practice, not only by parsing: the browser asks for nothing but the file."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM

    out = tmp_path / "brief.html"
    assert brief(demo, out, "--actor", "France", "--partner", "Mali", "--since", "2022-01-01",
                 "--until", "2022-12-31").exit_code == 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(out.as_uri())
            page.wait_for_load_state("networkidle")
            widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
        finally:
            browser.close()
    assert requested == [out.as_uri()]
    assert len(widths) >= 2 and all(width > 100 for width in widths)


def test_known_rows_give_known_bullets_and_force_levels(db_path):
    """On a hand-built database: the force table follows the force rule, an analyst's
    rejection takes the sentence out, and a hostile title stays text."""
    from ingest import brief as briefs
    from ingest import corrections
    from tests.test_aggregates import HOSTILE, build_demo

    db = build_demo(db_path)
    russia_mali = Filters(actors=("Russia",), partners=("Mali",))
    page = LexborHTMLParser(briefs.make(db, russia_mali).decode("utf-8"))
    force = [[td.text() for td in tr.css("td")] for tr in page.css(".force tbody tr")]
    assert force == [["10 Jan 2024", "1,000"], ["5 Feb 2024", "1,200"], ["1 Mar 2024", "0"]]
    assert page.css_first(".force img")  # three figures: a line worth drawing
    quotes = [q.text() for q in page.css("ol.bullets blockquote")]
    assert "“Russia sent 200 more troops to Mali.”" in quotes
    # A feed brought real articles, so sample data is marked bullet by bullet.
    assert "Some statements below come from illustrative sample data" in page.body.text()
    assert all(li.css_first(".badge.sample") for li in page.css("li[data-article]"))
    russia = LexborHTMLParser(briefs.make(db, Filters(actors=("Russia",))).decode("utf-8"))
    from_feed = russia.css("li[data-article='a2']")
    assert from_feed and not any(li.css_first(".badge.sample") for li in from_feed)

    dyad = db.execute("SELECT id FROM dyads WHERE article_id = 'a3'").fetchone()[0]
    corrections.record(db, target="dyad", row_id=dyad, verdict="rejected", analyst="test")
    page = LexborHTMLParser(briefs.make(db, russia_mali).decode("utf-8"))
    bullets = [li.css_first(".what").text() for li in page.css("li[data-article='a3']")]
    assert bullets == ["Russia in Mali: Deployment, 200 personnel"]  # the posture event stays

    with db.conn:
        db.execute("UPDATE articles SET url = 'javascript:alert(1)' WHERE id = 'a6'")
    page = LexborHTMLParser(briefs.make(db, Filters(actors=("Turkey",))).decode("utf-8"))
    assert HOSTILE in page.css_first(".cite").text()
    assert not page.css("li img, li a")  # the address is shown, as text: no link to run
    assert "javascript:alert(1)" in page.css_first(".cite").text()


def test_a_long_period_keeps_the_latest_developments_in_date_order(demo_db):
    from ingest import brief as briefs

    db = sqlite_utils.Database(demo_db)
    page = LexborHTMLParser(briefs.make(db, Filters()).decode("utf-8"))
    listed = page.css("ol.bullets:not(.aside) li")
    assert len(listed) == briefs.MAX_DEVELOPMENTS
    days = [db["articles"].get(li.attributes["data-article"])["published"] for li in listed]
    assert days == sorted(days)
    newest = db.execute(
        "SELECT max(a.published) FROM articles a WHERE a.id IN (SELECT article_id FROM dyads"
        " WHERE status = 'reported' UNION SELECT article_id FROM posture"
        " WHERE status = 'reported')").fetchone()[0]
    assert days[-1] == newest
    assert f"Only the latest {briefs.MAX_DEVELOPMENTS} are listed" in " ".join(
        page.css_first("h2 + p.note").text().split())


def test_copies_of_one_report_and_other_reports_of_one_deployment_count_once(db_path):
    """Three outlets carry one wire report of a deployment of 300, a fourth reports it in
    its own words: the force level is 300 (events, as on Troop posture), the pair counts two
    stories (as on Partnerships), and the wire report is one bullet naming every outlet."""
    from ingest import brief as briefs
    from ingest import store
    from tests.test_alerts import DEPLOY, WITHDRAW, article, source

    db = store.open_db(db_path)
    copies = [article(db, f"copy-{n}", DEPLOY, "2023-03-04", source(db, outlet))
              for n, outlet in enumerate(("Wire", "Courier", "Herald"))]
    article(db, "own-words", "On March 3, 2023, Russia deployed 300 soldiers to Mali, a"
            " spokesman said.", "2023-03-05", source(db, "Gazette"))
    article(db, "withdraw", WITHDRAW, "2023-04-11", source(db, "Wire"))
    assert db.execute("SELECT count(DISTINCT story_id) FROM story_articles").fetchone()[0] == 3

    page = LexborHTMLParser(briefs.make(db, Filters(actors=("Russia",), partners=("Mali",)))
                            .decode("utf-8"))
    force = [[td.text() for td in tr.css("td")] for tr in page.css(".force tbody tr")]
    assert force == [["3 Mar 2023", "300"], ["10 Apr 2023", "200"]]
    [pair] = [[td.text() for td in tr.css("td")][:3] for tr in page.css("table.data")[-1]
              .css("tbody tr")]
    assert pair == ["Russia", "Mali", "3"]  # the wire report, the own-words one, the withdrawal

    quotes = [q.text() for q in page.css("ol.bullets blockquote")]
    assert quotes.count(f"“{DEPLOY}”") == 1
    [wire] = [li for li in page.css("ol.bullets li") if DEPLOY in li.text()]
    cited = {a.attributes["href"] for a in wire.css("a")}
    assert cited == set(copies)  # the first copy cited, the others named with their address
    assert "Also carried by" in wire.text() and "Courier" in wire.text() \
        and "Herald" in wire.text()


def test_a_force_chart_names_its_force_and_country():
    """The chart's panel title and legend read "Mali" and "Russia" (they read "undefined"
    when the levels were drawn without them)."""
    from ingest import brief as briefs

    spec = briefs.force_chart([{"date": "2023-03-03", "level": 300},
                               {"date": "2023-04-10", "level": 200}], "Russia", "Mali").to_dict()
    [values] = spec["datasets"].values()
    assert {(row["actor"], row["country"]) for row in values} == {("Russia", "Mali")}
