"""evaluate() on a tiny gold file whose scores are known by hand."""

from __future__ import annotations

import json

import pytest

from ingest.evaluate import Report, evaluate, score_document

GOLD = [
    {   # tagged perfectly
        "id": "g1", "lang": "en", "published": "2022-08-15",
        "text": "French troops withdrew from Mali on Monday.",
        "actors": ["France"], "partners": ["Mali"], "themes": ["troop_withdrawal"],
        "dyads": [{"actor": "France", "partner": "Mali", "themes": ["troop_withdrawal"],
                   "status": "reported"}],
        "posture": [{"actor": "France", "country": "Mali", "action": "withdraw",
                     "personnel": None, "status": "reported"}],
    },
    {   # the gold wants a partner and a dyad the text cannot give: 2 false negatives
        "id": "g2", "lang": "en",
        "text": "Turkey delivered drones to Niger.",
        "actors": ["Turkey"], "partners": ["Niger", "Chad"], "themes": ["arms_transfer"],
        "dyads": [{"actor": "Turkey", "partner": "Niger", "themes": ["arms_transfer"],
                   "status": "planned"},
                  {"actor": "Turkey", "partner": "Chad", "themes": [], "status": "reported"}],
        "posture": [],
    },
    {   # a negative the gold leaves empty
        "id": "g3", "lang": "en", "text": "Richard Wagner wrote Parsifal.",
        "actors": [], "partners": [], "themes": [], "dyads": [], "posture": [],
    },
]


@pytest.fixture
def gold_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(g) for g in GOLD) + "\n", encoding="utf-8")
    return path


def test_known_scores(gold_file) -> None:
    report = evaluate(gold_file)
    assert report.documents == 3
    s = report.scores
    assert (s["actors"].tp, s["actors"].fp, s["actors"].fn) == (2, 0, 0)
    assert (s["partners"].tp, s["partners"].fp, s["partners"].fn) == (2, 0, 1)
    assert s["partners"].precision == 1.0
    assert s["partners"].recall == pytest.approx(2 / 3)
    assert s["partners"].f1 == pytest.approx(0.8)
    assert (s["dyads"].tp, s["dyads"].fn) == (2, 1)
    # g2's Turkey–Niger matches on the pair but the status differs
    assert (report.dyad_status.tp, report.dyad_status.fp) == (1, 1)
    assert (s["posture"].tp, s["posture"].fp, s["posture"].fn) == (1, 0, 0)
    assert report.posture_personnel.tp == 1
    missed = {(m.doc_id, m.field) for m in report.misses}
    assert missed == {("g2", "partners"), ("g2", "dyads")}


def test_text_report(gold_file) -> None:
    text = evaluate(gold_file).to_text()
    assert "partners" in text and "0.800" in text and "FN Chad" in text
    assert "misses" not in evaluate(gold_file).to_text(misses=False)


def test_score_document_counts_false_positives() -> None:
    report = Report()
    score_document({"id": "x", "actors": ["Russia"]}, {"actors": ["Russia", "China"]}, report)
    s = report.scores["actors"]
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)
    assert s.precision == 0.5 and s.recall == 1.0
    assert report.misses[0].false_positives == ["China"]


def test_empty_field_scores_one() -> None:
    report = Report()
    score_document({"id": "x"}, {}, report)
    assert report.scores["posture"].f1 == 1.0


def test_labels_and_texts_kept_apart_are_joined_by_id_and_split(tmp_path) -> None:
    """The real-news set commits labels but not texts: evaluate joins them, keeps one split,
    and says which text is missing instead of scoring an empty document."""
    labels, texts = tmp_path / "labels.jsonl", tmp_path / "texts.jsonl"
    rows = [{**{k: v for k, v in g.items() if k != "text"}, "split": split}
            for g, split in zip(GOLD, ("dev", "test", "dev"), strict=True)]
    labels.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    texts.write_text("\n".join(json.dumps({"id": g["id"], "text": g["text"]}) for g in GOLD)
                     + "\n", encoding="utf-8")
    dev = evaluate(labels, texts, "dev")
    assert dev.documents == 2 and dev.scores["actors"].tp == 1
    assert evaluate(labels, texts, "test").documents == 1
    texts.write_text(json.dumps({"id": "g1", "text": GOLD[0]["text"]}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no text for 1 labelled documents"):
        evaluate(labels, texts, "test")


def test_the_baseline_and_the_agreement_are_scored_the_same_way(gold_file, tmp_path) -> None:
    from ingest.baseline import tag_naive
    from ingest.evaluate import agreement

    naive = evaluate(gold_file, tagger=tag_naive)
    # the naive tagger finds the names but calls every statement reported: g2's planned dyad
    assert naive.scores["actors"].tp == 2 and naive.dyad_status.fp == 1
    second = tmp_path / "second.jsonl"
    second.write_text("\n".join(json.dumps({**g, "partners": []}) for g in GOLD) + "\n",
                      encoding="utf-8")
    report = agreement(gold_file, second)
    assert report.scores["actors"].f1 == 1.0 and report.scores["partners"].recall == 0.0


def test_a_bad_labels_file_is_named_in_one_line(tmp_path) -> None:
    """A line that is not JSON names its file and line; a split nobody labelled is said, not
    scored as zero documents."""
    from click.testing import CliRunner

    from ingest.cli import cli

    bad = tmp_path / "labels.jsonl"
    bad.write_text(json.dumps(GOLD[0]) + "\n{\"id\": 1, \"text\": \n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(bad), "--no-misses"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {bad}:2: not a JSON object (Expecting value)"]
    bad.write_text(json.dumps(GOLD[0]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(bad), "--split", "test", "--no-misses"])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {bad}: no labelled document has split 'test'"
