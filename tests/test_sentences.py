"""Sentence splitting: abbreviations, initials, decimals, quotes, French spacing, paragraphs."""

from __future__ import annotations

import pytest

from ingest.tagger.sentences import MAX_SENTENCE, sentences, split


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gen. Smith arrived. He left.", ["Gen. Smith arrived.", "He left."]),
        ("U.S. troops left Niger. Russia stayed.", ["U.S. troops left Niger.", "Russia stayed."]),
        ("M. Diop est arrivé. Il parle.", ["M. Diop est arrivé.", "Il parle."]),
        ("Mr. Lavrov met J. R. Doe in St. Petersburg. Talks ended.",
         ["Mr. Lavrov met J. R. Doe in St. Petersburg.", "Talks ended."]),
        ("Aid rose 1.5 percent. Troops fell.", ["Aid rose 1.5 percent.", "Troops fell."]),
        ("Il a dit : « Nous partirons. » Le ministre a confirmé.",
         ["Il a dit : « Nous partirons. »", "Le ministre a confirmé."]),
        ("“We will stay,” he said. Then he left.", ["“We will stay,” he said.", "Then he left."]),
        ("Vraiment ? Oui ! Bien sûr ; non.", ["Vraiment ?", "Oui !", "Bien sûr ; non."]),
        ("They waited... and waited. Then... Nothing.",
         ["They waited... and waited.", "Then...", "Nothing."]),
        ("A headline without a stop\nThe body starts here.",
         ["A headline without a stop", "The body starts here."]),
        ("First paragraph.\n\nSecond paragraph.", ["First paragraph.", "Second paragraph."]),
        ("Signed on Nov. 11 in Bamako. No. 5 was there.",
         ["Signed on Nov. 11 in Bamako.", "No. 5 was there."]),
        ("He said no. Then he left.", ["He said no.", "Then he left."]),
    ],
)
def test_split_cases(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_spans_point_into_the_text() -> None:
    text = "  Russia sent troops.  Mali agreed.\n"
    spans = split(text)
    assert [text[s:e] for s, e in spans] == ["Russia sent troops.", "Mali agreed."]


def test_empty_and_blank() -> None:
    assert split("") == []
    assert split(" \n\n ") == []


def test_an_endless_sentence_is_cut_at_clause_breaks_into_bounded_pieces() -> None:
    text = "Russia deployed troops to Mali, and " * 100 + "then left."
    pieces = sentences(text)
    assert len(pieces) > 1 and all(len(piece) <= MAX_SENTENCE for piece in pieces)
    assert all(piece.endswith(",") for piece in pieces[:-1])  # a clause break, not mid-word
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


def test_an_endless_word_is_cut_at_the_hard_cap() -> None:
    assert [e - s for s, e in split("x" * 2500)] == [MAX_SENTENCE, MAX_SENTENCE, 500]
