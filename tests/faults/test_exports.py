"""CSV that is safe to open in a spreadsheet, from the CLI and from every dashboard download.

A cell starting with =, +, -, @, tab, carriage return or NUL must arrive as text (prefixed with
a single quote), never as a formula; everything else (quotes, commas, newlines, Arabic,
Cyrillic, Chinese, Tifinagh) must come back unchanged through Python's csv reader.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import offered_files
from tests.faults.conftest import FORMULAS, REPO, SCRIPTS, build_hostile_db, ro, run_cli

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\x00")
PAGES = ["views/overview.py", "views/partnerships.py", "views/posture.py", "views/articles.py",
         "views/sources.py", "views/review.py"]


def as_text(value: str) -> str:
    """What a formula-safe export must hold for ``value``."""
    return "'" + value if value.startswith(DANGEROUS) else value


def assert_no_formula(rows: list[list[str]], where: str) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(DANGEROUS), f"{where}: formula cell {cell!r}"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("exports") / "hostile.db"
    build_hostile_db(path).conn.close()
    return path


@pytest.mark.parametrize("what", ["articles", "tags", "partnerships", "posture"])
def test_cli_export_neutralises_formulas_and_round_trips_everything_else(hostile_db, tmp_path,
                                                                         what):
    out = tmp_path / f"{what}.csv"
    result = run_cli("export", what, "-o", str(out), "--db", str(hostile_db))
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8-sig", newline="") as handle:
        comment, *rows = list(csv.reader(handle))
    assert comment[0].startswith(f"# Influence Monitor export: {what}; filters: none;")
    assert len(rows) > 1, what
    assert_no_formula(rows, what)

    header, *data = rows
    stored = dict(ro(hostile_db).execute("SELECT url, title FROM articles").fetchall())
    by_url = {row[header.index("url")]: row[header.index("title")] for row in data}
    assert by_url, what
    for url, title in by_url.items():
        assert title == as_text(stored[url]), (url, title)
    titles = "\n".join(by_url.values())
    if what == "articles":  # every article is in this one, so every payload must be
        for payload in [*FORMULAS, *SCRIPTS.values()]:
            assert payload in titles, payload


def test_cli_jsonl_export_keeps_values_exactly(hostile_db):
    result = run_cli("export", "articles", "--format", "jsonl", "--db", str(hostile_db))
    assert result.returncode == 0, result.stderr
    titles = {json.loads(line)["title"] for line in result.stdout.splitlines()}
    stored = {row[0] for row in ro(hostile_db).execute("SELECT title FROM articles")}
    assert titles == stored  # JSON is data, not a spreadsheet: nothing to neutralise


def test_every_dashboard_download_is_formula_safe(hostile_db, downloads, monkeypatch):
    monkeypatch.setenv("MONITOR_DB", str(hostile_db))
    st.cache_data.clear()
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    offered: dict[str, bytes] = {}

    def collect(at: AppTest) -> None:
        assert not at.exception, [item.value for item in at.exception]
        offered.update(offered_files(at, downloads))

    for page in PAGES:
        at = at.switch_page(page).run()
        collect(at)
    at = at.switch_page("views/articles.py").run()
    for ident in [row[0] for row in ro(hostile_db).execute("SELECT id FROM articles")]:
        at = at.selectbox(key="a_open").set_value(ident).run()
        collect(at)
    st.cache_data.clear()

    assert {"articles-all-dates.csv", "sources-all-dates.csv"} <= set(offered), offered
    assert any(re.fullmatch(r"article-\w+-evidence-all-dates\.csv", name) for name in offered)
    cells = []
    for name, data in offered.items():
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert_no_formula(rows, name)
        cells += [cell for row in rows for cell in row]
    for payload in FORMULAS:  # the title cells, quoted and otherwise intact
        assert any(cell.startswith(as_text(payload)) for cell in cells), payload
    for payload in SCRIPTS.values():
        assert any(payload in cell for cell in cells), payload


def test_the_tables_own_csv_button_is_switched_off():
    """st.dataframe's toolbar would export raw cells; the app's config turns it off."""
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
