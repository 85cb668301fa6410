"""The misses of an evaluation, sorted into the causes docs/tagger-evaluation.md counts."""

from __future__ import annotations

import json

from ingest.evaluate import causes, miss_causes

GOLD = {
    "id": "x-1", "lang": "en", "published": "2024-06-01",
    "text": ("Russian instructors arrived in Mali on Monday. A U.S. official said the move "
             "worried Niger."),
    "actors": ["Russia"], "partners": ["Mali"], "themes": ["troop_deployment", "training"],
    "dyads": [{"actor": "Russia", "partner": "Mali", "status": "reported"}],
    "posture": [{"actor": "Russia", "country": "Mali", "action": "present", "personnel": None,
                 "status": "reported"}],
}


def test_each_kind_of_miss_gets_its_cause() -> None:
    predicted = {
        "actors": ["Russia", "United States"], "partners": ["Mali", "Niger"],
        "themes": ["troop_deployment", "diplomacy"],
        "dyads": [{"actor": "Russia", "partner": "Mali", "status": "hedged"},
                  {"actor": "United States", "partner": "Niger", "status": "reported"}],
        "posture": [{"actor": "Russia", "country": "Mali", "action": "deploy", "personnel": 300,
                     "status": "reported"}],
    }
    found = miss_causes(GOLD, predicted)
    assert found["actors FP"] == 1 and found["partners FP"] == 1
    assert found["themes FP diplomacy"] == 1 and found["themes FN training"] == 1
    assert found["dyad status: reported read as hedged"] == 1
    assert found["dyads FP: power that does not act (source, passing, target)"] == 1
    assert found["posture FN: other action for the same force (stock vs move)"] == 1
    assert found["posture FP: other action for the same force (stock vs move)"] == 1


def test_causes_sum_the_tagger_misses_over_a_labelled_file(tmp_path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOLD) + "\n", encoding="utf-8")
    found = causes(path)
    # the tagger reads "arrived" as a move where the label has a stock
    assert found["posture FN: other action for the same force (stock vs move)"] == 1
    assert found["posture FP: other action for the same force (stock vs move)"] == 1
    assert found["dyads FP: power that does not act (source, passing, target)"] == 0
