"""The Articles page's download holds every matching article, not the page on screen, and is
the file ``python -m ingest export articles`` writes for the same filters."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from ingest import export
from ingest.cli import cli
from tests.conftest import offered_files

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "dashboard.py")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("download") / "demo.db"
    result = CliRunner().invoke(cli, ["seeds", str(REPO / "seeds"), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def articles_page(demo_file, tmp_path, monkeypatch):
    """The Articles page on a copy of the demo (ask for ``downloads`` first: its spy must be
    in place when the page offers its files)."""
    path = tmp_path / "monitor.db"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("MONITOR_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run().switch_page("views/articles.py").run()
    return at.radio(key="a_unit").set_value("articles").run()  # one row per article


def data_rows(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", skiprows=1)


def body(data: bytes) -> bytes:
    """The file but its first line (which says when it was generated)."""
    return data.split(b"\n", 1)[1]


def button_label(at: AppTest) -> str:
    return next(button.proto.label for button in at.get("download_button")
                if button.proto.label.startswith("Download CSV ("))


def test_the_download_holds_every_match_not_the_page(downloads, articles_page):
    at = articles_page
    assert not at.exception
    assert len(at.dataframe[0].value) == 50  # one page of the list
    matching = int(next(c.value for c in at.caption if "articles match" in c.value).split()[0])
    assert matching > 50
    assert button_label(at) == f"Download CSV (all {matching:,} matching articles)"

    saved = offered_files(at, downloads)["articles-all-dates.csv"]
    rows = data_rows(saved)
    assert len(rows) == matching and rows.article_id.is_unique
    assert list(rows.published) == sorted(rows.published, reverse=True)  # newest first

    # The command line (on MONITOR_DB too) writes the same file but the time it was made.
    result = CliRunner().invoke(cli, ["export", "articles"])
    assert result.exit_code == 0
    assert body(result.stdout_bytes.replace(b"\r\n", b"\n")) == body(saved.replace(b"\r\n",
                                                                                  b"\n"))


def test_counting_stories_the_download_still_holds_every_article(downloads, articles_page):
    articles = int(next(c.value for c in articles_page.caption
                        if "articles match" in c.value).split()[0])
    at = articles_page.radio(key="a_unit").set_value("stories").run()
    assert any("stories match" in c.value for c in at.caption)
    assert button_label(at).startswith("Download CSV (every matching article")
    rows = data_rows(offered_files(at, downloads)["articles-all-dates.csv"])
    assert len(rows) == articles  # copies of a report included, not one row per story


def test_the_download_follows_the_filters_and_search(downloads, articles_page):
    at = articles_page
    at.multiselect(key="f_languages").set_value(["fr"]).run()
    at.text_input(key="a_query").input("Mali").run()
    shown = at.dataframe[0].value
    saved = data_rows(offered_files(at, downloads)["articles-all-dates.csv"])
    assert set(saved.language) == {"fr"}
    assert set(shown.title) <= set(saved.title)
    assert "filters: languages=fr; query=Mali" in offered_files(at, downloads)[
        "articles-all-dates.csv"].decode("utf-8-sig").splitlines()[0]


def test_a_download_past_the_cap_says_so_and_holds_the_newest(downloads, articles_page,
                                                              monkeypatch):
    monkeypatch.setattr(export, "DOWNLOAD_CAP", 60)
    at = articles_page.run()
    label = button_label(at)
    assert label.startswith("Download CSV (the newest 60 of the ") and "matching articles" in label
    assert any("up to 60" in caption.value for caption in at.caption)
    data = offered_files(at, downloads)["articles-all-dates.csv"]
    assert "(the newest 60 at most)" in data.decode("utf-8-sig").splitlines()[0]
    rows = data_rows(data)
    assert len(rows) == 60
    everything = data_rows(CliRunner().invoke(cli, ["export", "articles"]).stdout_bytes)
    assert list(rows.article_id) == list(everything.article_id[:60])
