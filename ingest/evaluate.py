"""Score the tagger against a gold set (JSON lines) with micro precision, recall and F1."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .tagger import TAGGER_VERSION, tag

FIELDS = ("actors", "partners", "themes", "dyads", "posture")


@dataclass(slots=True)
class Score:
    """Counts for one field, summed over documents (micro average)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Miss:
    """What one document got wrong in one field."""

    doc_id: str
    field: str
    false_positives: list[str]
    false_negatives: list[str]


@dataclass(slots=True)
class Report:
    """Scores per field, agreement on status and personnel among matched items, and misses."""

    documents: int = 0
    scores: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    dyad_status: Score = field(default_factory=Score)  # tp = same status, fp = different
    posture_personnel: Score = field(default_factory=Score)
    misses: list[Miss] = field(default_factory=list)

    def to_text(self, misses: bool = True) -> str:
        """A table of P/R/F1 per field, the agreement figures, then (optionally) the misses."""
        lines = [f"tagger {TAGGER_VERSION} on {self.documents} documents", "",
                 f"{'field':<10} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"]
        for name, s in self.scores.items():
            lines.append(f"{name:<10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} "
                         f"{s.tp:5d} {s.fp:5d} {s.fn:5d}")
        lines += ["", _agreement("dyad status accuracy (matched dyads)", self.dyad_status),
                  _agreement("posture personnel accuracy (matched events)",
                             self.posture_personnel)]
        if not misses:
            return "\n".join(lines)
        lines += ["", f"misses ({len(self.misses)}):"]
        for m in self.misses:
            parts = []
            if m.false_positives:
                parts.append("FP " + "; ".join(m.false_positives))
            if m.false_negatives:
                parts.append("FN " + "; ".join(m.false_negatives))
            lines.append(f"  {m.doc_id:<14} {m.field:<9} " + " | ".join(parts))
        return "\n".join(lines)


def _agreement(label: str, s: Score) -> str:
    total = s.tp + s.fp
    share = s.tp / total if total else 1.0
    return f"{label}: {share:.3f} ({s.tp}/{total})"


def _keys(doc: dict, name: str) -> dict[str, dict]:
    """The items of one field as {key: item}, keyed the way they are matched."""
    items = doc.get(name) or []
    if name == "dyads":
        return {f"{d['actor']} – {d['partner']}": d for d in items}
    if name == "posture":
        return {f"{p['actor']} / {p['country']} / {p['action']}": p for p in items}
    return {str(v): {} for v in items}


def score_document(gold: dict, predicted: dict, report: Report) -> None:
    """Add one document's counts and misses to the report."""
    report.documents += 1
    for name in FIELDS:
        want, got = _keys(gold, name), _keys(predicted, name)
        hit = want.keys() & got.keys()
        s = report.scores[name]
        s.tp += len(hit)
        s.fp += len(got.keys() - want.keys())
        s.fn += len(want.keys() - got.keys())
        for key in hit:
            if name == "dyads":
                same = want[key].get("status") == got[key].get("status")
                report.dyad_status.tp += same
                report.dyad_status.fp += not same
            elif name == "posture":
                same = want[key].get("personnel") == got[key].get("personnel")
                report.posture_personnel.tp += same
                report.posture_personnel.fp += not same
        fps, fns = sorted(got.keys() - want.keys()), sorted(want.keys() - got.keys())
        if fps or fns:
            report.misses.append(Miss(str(gold.get("id")), name, fps, fns))


def evaluate(gold_path: str | Path) -> Report:
    """Run tag() on every gold document and compare field by field."""
    report = Report()
    with open(gold_path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            gold = json.loads(line)
            result = tag(gold.get("text", ""), title=gold.get("title"), lang=gold.get("lang"),
                         published=gold.get("published"))
            score_document(gold, result.to_contract(str(gold.get("id"))), report)
    return report
