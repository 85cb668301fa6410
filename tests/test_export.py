"""Exports: the filters mean what they say, and no cell reaches a spreadsheet as a formula."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from ingest import export, labels, pipeline, queries, store
from ingest.labels import ACTION_LABELS


def _doc(key: str, title: str, text: str, day: str, lang: str = "en") -> pipeline.Document:
    return pipeline.Document(title=title, text=text, key=key, language=lang,
                             published=datetime.fromisoformat(day).replace(tzinfo=UTC))


@pytest.fixture
def corpus(db):
    with store.transaction(db):
        source = store.ensure_source(db, kind="seeds", url="seeds:test", name="test")
    docs = [
        _doc("mali", "Wagner in Mali",
             "Russian paramilitaries from the Wagner Group deployed to Mali in December 2021.",
             "2021-12-23"),
        _doc("car", "Wagner in the Central African Republic",
             "Russia sent 175 instructors to the Central African Republic in 2018.",
             "2018-03-22"),
        _doc("chad", "France leaves Chad",
             "France handed over its last military base in Chad to the Chadian army.",
             "2025-01-30"),
    ]
    for doc in docs:
        pipeline.store_document(db, doc, source)
    return db


def _titles(rows) -> set[str]:
    return {row["title"] for row in rows}


def test_filters_narrow_every_export(corpus):
    everything = queries.Filters()
    assert len(_titles(queries.articles(corpus, everything))) == 3
    assert _titles(queries.articles(corpus, queries.Filters(since=date(2021, 1, 1)))) == {
        "Wagner in Mali", "France leaves Chad"}
    assert _titles(queries.articles(corpus, queries.Filters(until=date(2021, 12, 23)))) == {
        "Wagner in Mali", "Wagner in the Central African Republic"}
    assert _titles(queries.articles(corpus, queries.Filters(actors=("France",)))) == {
        "France leaves Chad"}
    assert _titles(queries.articles(corpus, queries.Filters(partners=("Mali",)))) == {
        "Wagner in Mali"}
    assert _titles(queries.articles(corpus, queries.Filters(query="instructors"))) == {
        "Wagner in the Central African Republic"}
    pairs = {(r["actor"], r["partner"])
             for r in queries.partnerships(corpus, queries.Filters(actors=("Russia",)))}
    assert pairs == {("Russia", "Mali"), ("Russia", "Central African Republic")}


def test_an_invalid_search_is_a_readable_error(corpus):
    with pytest.raises(queries.QueryError, match="Put phrases in double quotes"):
        list(queries.articles(corpus, queries.Filters(query='"Africa Corps')))


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://evil\")", "+cmd|' /C calc'!A0",
                                       "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR", "\x00NUL"])
def test_formula_cells_are_neutralised(dangerous):
    out = io.StringIO()
    export.write_csv([{"title": dangerous, "count": 3}], out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["title"] == "'" + dangerous
    assert row["count"] == "3"


def test_quotes_commas_newlines_and_scripts_survive_a_round_trip():
    tricky = 'He said "yes", then left;\nновая строка, خبر عاجل, 中文'
    out = io.StringIO()
    export.write_csv([{"evidence": tricky}], out)
    assert next(csv.DictReader(io.StringIO(out.getvalue())))["evidence"] == tricky


def test_csv_bytes_carry_a_bom_for_spreadsheets():
    data = export.to_csv_bytes([{"title": "Côte d'Ivoire"}])
    assert data.startswith(b"\xef\xbb\xbf") and "Côte".encode() in data


def test_exports_keep_the_id_and_its_label(corpus, tmp_path):
    from click.testing import CliRunner

    from ingest.cli import cli

    out = io.StringIO()
    export.write_csv([{"action": "withdraw", "status": "reported", "themes": "pmc; training"}],
                     out)
    row = next(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert list(row) == ["action", "action_label", "status", "status_label", "themes",
                         "themes_label"]
    assert (row["action"], row["action_label"]) == ("withdraw", "Withdrawal")
    assert row["themes_label"] == "Private military companies; Training"
    db_file = corpus.conn.execute("PRAGMA database_list").fetchone()[2]
    result = CliRunner().invoke(cli, ["export", "posture", "--format", "jsonl", "--db", db_file])
    first = json.loads(result.output.splitlines()[0])
    assert first["action_label"] == ACTION_LABELS[first["action"]]


def test_every_tagger_id_has_a_label():
    for kind, ids in labels.IDS.items():
        assert set(labels.COLUMNS[kind]) == set(ids), kind


def test_a_file_name_says_what_it_holds():
    russia_mali = queries.Filters(actors=("Russia",), partners=("Mali",),
                                  since=date(2021, 1, 1), until=date(2025, 6, 30))
    assert export.file_name("evidence", russia_mali) == (
        "russia-mali-evidence-2021-01-01_2025-06-30.csv")
    assert export.file_name("articles", queries.Filters(partners=("Côte d'Ivoire",))) == (
        "cote-d-ivoire-articles-all-dates.csv")
    assert export.file_name("posture", queries.Filters(since=date(2024, 1, 1)), "jsonl") == (
        "posture-from-2024-01-01.jsonl")
    many = queries.Filters(actors=("France", "Russia", "Turkey"), until=date(2024, 3, 1))
    assert export.file_name("tags", many) == "3-actors-tags-to-2024-03-01.csv"


def _comment(data: bytes) -> str:
    assert data.startswith(b"\xef\xbb\xbf# Influence Monitor export: "), data[:80]
    return data[3:].decode("utf-8").splitlines()[0]


def test_cli_csv_carries_a_bom_and_the_filters_that_made_it(corpus, tmp_path):
    from click.testing import CliRunner

    from ingest.cli import cli
    from ingest.tagger import TAGGER_VERSION

    db_file = corpus.conn.execute("PRAGMA database_list").fetchone()[2]
    args = ["export", "partnerships", "--actor", "Russia", "--since", "2018-01-01",
            "--until", "2021-12-31", "--db", db_file]
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    saved = tmp_path / "russia-partnerships-2018-01-01_2021-12-31.csv"
    data = saved.read_bytes()
    comment = _comment(data)
    assert comment.startswith("# Influence Monitor export: partnerships; filters: "
                              "since=2018-01-01; until=2021-12-31; actors=Russia; ")
    assert f"; tagger {TAGGER_VERSION}; generated 20" in comment
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8").split("\n", 1)[1])))
    assert {row["partner"] for row in rows} == {"Mali", "Central African Republic"}
    stdout = CliRunner().invoke(cli, args).stdout_bytes  # no -o: the same bytes on stdout
    assert _comment(stdout).split("; generated")[0] == comment.split("; generated")[0]
    assert stdout.split(b"\n", 1)[1] == data.split(b"\n", 1)[1]


def test_a_run_status_is_not_given_a_tagger_label():
    out = io.StringIO()
    export.write_csv([{"id": 1, "status": "ok"}], out)
    assert out.getvalue().splitlines()[0] == "id,status"


def test_an_event_of_a_partnership_reads_its_theme_as_its_action(corpus):
    """A partnership event's action is its leading theme: the export reads it as a label, as it
    reads a posture event's action."""
    rows = [labels.with_labels(row) for row in queries.events(corpus, queries.Filters())]
    labelled = {row["action"]: row["action_label"] for row in rows}
    assert labelled, "the corpus has events"
    assert all(label != action for action, label in labelled.items()), labelled
