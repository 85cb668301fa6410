"""How well events group the posture statements of real reporting: pairwise precision and
recall against an analyst's labels (``tests/realnews/events.jsonl``).

The labelled documents go through the real ingest path (``pipeline.store_document``, one
source per outlet, in publication order) into a fresh SQLite file, so the events scored are
the ones ingest builds incrementally. Each label line names one posture statement
(``doc``, ``actor``, ``country``, ``action``, ``date``, ``status``: the tagger's) and its ``event``:

- ``event`` null: the tagger's statement names no happening (a tagger error); left out.
- a tagger statement with no label line (a newer tagger found it) is counted as
  ``unlabelled`` and left out; a label whose statement the tagger no longer finds is counted
  as ``missed``.
- statements the tagger never found are in no event and cannot be scored here: how many
  posture statements of the tagger's own gold (``labels.jsonl``) it misses in these documents
  is reported beside the figures, and ``python -m ingest evaluate`` scores those.

A pair of statements is grouped right when both the labels and the events put them together.

The rules were written from these labels, so the figure over all of them flatters the rules.
``events-split.json`` holds out a third of the labelled documents, drawn once with a fixed seed
before the rules were tuned (whole groups of documents that share a labelled event, so no
labelled pair straddles the split): ``part="held-out"`` scores only those, ``"tuning"`` the
rest.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from pathlib import Path
from urllib.parse import urlsplit

from ingest import events, pipeline, store
from ingest.evaluate import read_lines

KEY = ("doc", "actor", "country", "action", "date", "status")
PARTS = ("all", "tuning", "held-out")


@dataclass
class EventReport:
    documents: int = 0
    statements: int = 0               # labelled statements the tagger found and scored
    errors: int = 0                   # tagger statements labelled as no happening
    missed: int = 0                   # labelled statements the tagger no longer finds
    gold_missed: int = 0              # the tagger gold's posture statements it did not find
    unlabelled: list[tuple] = field(default_factory=list)
    pairs: Counter = field(default_factory=Counter)  # tp, fp, fn
    causes: Counter = field(default_factory=Counter)  # why pairs the labels join stay apart
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        grouped = self.pairs["tp"] + self.pairs["fp"]
        return self.pairs["tp"] / grouped if grouped else 1.0

    @property
    def recall(self) -> float:
        together = self.pairs["tp"] + self.pairs["fn"]
        return self.pairs["tp"] / together if together else 1.0

    def to_text(self, details: bool = True) -> str:
        lines = [
            f"documents {self.documents}, statements scored {self.statements}, tagger errors"
            f" left out {self.errors}, labelled but no longer found {self.missed},"
            f" unlabelled {len(self.unlabelled)}; posture statements of the tagger gold"
            f" (labels.jsonl) in these documents that the tagger did not find: {self.gold_missed}",
            f"pairs: same event in labels {self.pairs['tp'] + self.pairs['fn']}, grouped"
            f" {self.pairs['tp'] + self.pairs['fp']}, both {self.pairs['tp']}",
            f"pairwise precision {self.precision:.3f}  recall {self.recall:.3f}",
            "pairs the labels join but events keep apart, by cause: " + (", ".join(
                f"{cause} {n}" for cause, n in self.causes.most_common()) or "none"),
        ]
        if details:
            lines += [f"  {line}" for line in self.wrong]
            lines += [f"  unlabelled: {' | '.join(map(str, key))}" for key in self.unlabelled]
        return "\n".join(lines)


def _key(item: dict) -> tuple:
    return tuple(item.get(name) for name in KEY)


def load_labels(labels_path: str | Path, sources_path: str | Path) -> list[dict]:
    """The label lines, checked: every field present, and no document from the test split."""
    splits = {row["id"]: row for row in read_lines(sources_path)}
    labels = read_lines(labels_path)
    for number, label in enumerate(labels, 1):
        missing = [name for name in (*KEY, "event") if name not in label]
        if missing:
            raise ValueError(f"{labels_path}:{number}: missing {', '.join(missing)}")
        split = splits.get(label["doc"], {}).get("split")
        if split != "dev":
            raise ValueError(f"{labels_path}:{number}: {label['doc']} is not a dev document"
                             f" ({split or 'unknown'}); only the dev split may be read")
    return labels


def select_part(labels: list[dict], part: str, split_path: str | Path) -> list[dict]:
    """The labels of one part of the split: all of them, the held-out documents or the rest."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
    if part == "all":
        return labels
    try:
        held_out = set(json.loads(Path(split_path).read_text(encoding="utf-8"))["held_out"])
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"{split_path}: no readable held_out list ({error})") from None
    return [label for label in labels if (label["doc"] in held_out) == (part == "held-out")]


def evaluate(labels_path: str | Path, texts_path: str | Path, sources_path: str | Path,
             chosen: events.Settings = events.Settings(),  # noqa: B008
             gold_path: str | Path | None = None, part: str = "all",
             split_path: str | Path = "tests/realnews/events-split.json") -> EventReport:
    labels = select_part(load_labels(labels_path, sources_path), part, split_path)
    docs = sorted({label["doc"] for label in labels})
    texts = {row["id"]: row for row in read_lines(texts_path)}
    sources = {row["id"]: row for row in read_lines(sources_path)}
    absent = [doc for doc in docs if doc not in texts]
    if absent:
        raise ValueError(f"{texts_path}: no text for {len(absent)} labelled documents (first:"
                         f" {absent[0]}); rebuild it (tests/realnews/README.md)")
    with tempfile.TemporaryDirectory(prefix="events-eval-") as folder:
        db = store.open_db(Path(folder) / "events.db")
        with store.transaction(db):
            events.save_settings(db, chosen)
        article_doc = {}
        for doc in sorted(docs, key=lambda d: (sources[d]["published"], d)):
            source = sources[doc]
            outlet = urlsplit(source["url"]).hostname or doc
            source_id = store.ensure_source(db, kind="feed", url=f"https://{outlet}/feed",
                                            name=outlet, language=source["lang"])
            document = pipeline.Document(
                title="", text=texts[doc]["text"], key=doc, url=source["url"],
                published=datetime.fromisoformat(source["published"]),
                language=source["lang"], outlet=outlet)
            pipeline.store_document(db, document, source_id)
            article_doc[pipeline.article_id(document)] = doc
        found = [({"doc": article_doc[a], "actor": actor, "country": country,
                   "action": action, "date": day, "status": status}, event_id)
                 for a, actor, country, action, day, status, event_id in db.execute(
                     "SELECT article_id, actor, country, action, substr(date, 1, 10), status,"
                     " event_id FROM posture")]
        db.conn.close()
    report = score(labels, found, len(docs), chosen)
    if gold_path is not None:
        have = {(s["doc"], s["actor"], s["country"], s["action"]) for s, _ in found}
        report.gold_missed = sum(
            (gold["id"], p["actor"], p["country"], p["action"]) not in have
            for gold in read_lines(gold_path) if gold["id"] in set(docs)
            for p in gold.get("posture", []))
    return report


def _cause(a: dict, b: dict, chosen: events.Settings) -> str:
    """Why two statements of one happening were kept apart: the first rule they fail."""
    if events.event_actor(a["actor"], chosen) != events.event_actor(b["actor"], chosen):
        return "actor named differently"
    if a["action"] != b["action"]:
        return "action differs"
    if a["date"] and b["date"]:
        (a_first, a_last), (b_first, b_last) = (events.date_span(a["date"]),
                                                events.date_span(b["date"]))
        if max(0, (date.fromisoformat(b_first) - date.fromisoformat(a_last)).days,
               (date.fromisoformat(a_first) - date.fromisoformat(b_last)).days) \
                > chosen.window_days:
            return "dates further apart than the window"
    return "window of the event, place or figure"


def score(labels: list[dict], found: list[tuple[dict, int]], documents: int,
          chosen: events.Settings = events.Settings()) -> EventReport:  # noqa: B008
    report = EventReport(documents=documents)
    by_key = {_key(label): label for label in labels}
    scored: list[tuple[dict, str, int]] = []
    seen = set()
    for statement, event_id in found:
        label = by_key.get(_key(statement))
        if label is None:
            report.unlabelled.append(_key(statement))
        elif label["event"] is None:
            report.errors += 1
        else:
            scored.append((statement, label["event"], event_id))
        seen.add(_key(statement))
    report.missed = sum(label["event"] is not None and _key(label) not in seen
                        for label in labels)
    report.statements = len(scored)
    for (a, gold_a, ours_a), (b, gold_b, ours_b) in combinations(scored, 2):
        same_gold, same_ours = gold_a == gold_b, ours_a == ours_b
        if same_gold and same_ours:
            report.pairs["tp"] += 1
        elif same_ours:
            report.pairs["fp"] += 1
            report.wrong.append(f"merged, labels differ: {_show(a)} / {_show(b)}")
        elif same_gold:
            report.pairs["fn"] += 1
            report.causes[_cause(a, b, chosen)] += 1
            report.wrong.append(f"apart, labels join: {_show(a)} / {_show(b)}")
    return report


def _show(statement: dict) -> str:
    return " ".join(str(statement[name]) for name in KEY)
