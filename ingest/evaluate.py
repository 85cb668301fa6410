"""Score the tagger against a gold set (JSON lines) with micro precision, recall and F1."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .tagger import TAGGER_VERSION, tag

FIELDS = ("actors", "partners", "themes", "dyads", "posture", "reported")
# "reported": posture events stated as fact, matched on (actor, country, action): the events
# the force-level chart is drawn from, and the posture measure of the targets.


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
    title: str = f"tagger {TAGGER_VERSION}"
    scores: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    dyad_status: Score = field(default_factory=Score)  # tp = same status, fp = different
    posture_personnel: Score = field(default_factory=Score)
    misses: list[Miss] = field(default_factory=list)

    def to_text(self, misses: bool = True) -> str:
        """A table of P/R/F1 per field, the agreement figures, then (optionally) the misses."""
        lines = [f"{self.title} on {self.documents} documents", "",
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
    if name in ("posture", "reported"):
        items = doc.get("posture") or []
        if name == "reported":
            items = [p for p in items if p.get("status", "reported") == "reported"]
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


def read_lines(path: str | Path) -> list[dict]:
    """The JSON objects of a JSON-lines file; a line that is not one is named, with its number."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not a JSON object ({exc.msg})") from None
            if not isinstance(item, dict):
                raise ValueError(f"{path}:{number}: not a JSON object")
            out.append(item)
    return out


def labelled(gold_path: str | Path, texts_path: str | Path | None = None,
             split: str | None = None) -> list[dict]:
    """Gold documents, their texts joined by id from a separate file when the texts cannot be
    committed (the real-news set), keeping one split if asked."""
    docs = read_lines(gold_path)
    if split:
        docs = [d for d in docs if d.get("split") == split]
        if not docs:
            raise ValueError(f"{gold_path}: no labelled document has split {split!r}")
    if texts_path is not None:
        texts = {t["id"]: t for t in read_lines(texts_path)}
        missing = [d["id"] for d in docs if d["id"] not in texts]
        if missing:
            raise ValueError(f"{texts_path}: no text for {len(missing)} labelled documents "
                             f"(first: {missing[0]}); rebuild it (tests/realnews/README.md)")
        docs = [{**texts[d["id"]], **d} for d in docs]
    return docs


def evaluate(gold_path: str | Path, texts_path: str | Path | None = None,
             split: str | None = None,
             tagger: Callable[[dict], dict] | None = None) -> Report:
    """Run the tagger (ours by default) on every gold document and compare field by field."""
    report = Report()
    for gold in labelled(gold_path, texts_path, split):
        predicted = (tagger or _ours)(gold)
        score_document(gold, predicted, report)
    return report


def _ours(doc: dict) -> dict:
    result = tag(doc.get("text", ""), title=doc.get("title"), lang=doc.get("lang"),
                 published=doc.get("published"))
    return result.to_contract(str(doc.get("id")))


def agreement(first: str | Path, second: str | Path) -> Report:
    """How far two labellings of the same documents agree: the second scored against the first
    (F1 is symmetric; precision and recall swap if the order does)."""
    other = {d["id"]: d for d in read_lines(second)}
    report = Report()
    for doc in read_lines(first):
        if doc["id"] in other:
            score_document(doc, other[doc["id"]], report)
    return report


def miss_causes(gold: dict, predicted: dict) -> Counter[str]:
    """One document's misses sorted into coarse causes that need no reading of the text: the
    table of causes in docs/tagger-evaluation.md is the sum of these over the dev split."""
    out: Counter[str] = Counter()
    for name in ("actors", "partners"):
        out[f"{name} FP"] += len(set(predicted[name]) - set(gold[name]))
        out[f"{name} FN"] += len(set(gold[name]) - set(predicted[name]))
    for theme in set(predicted["themes"]) ^ set(gold["themes"]):
        out[f"themes {'FP' if theme in predicted['themes'] else 'FN'} {theme}"] += 1
    want, got = _keys(gold, "dyads"), _keys(predicted, "dyads")
    for key in want.keys() - got.keys():
        actor, partner = key.split(" – ")
        if actor not in predicted["actors"] and partner not in predicted["partners"]:
            out["dyads FN: neither side found acting"] += 1
        elif any(k.endswith(f" – {partner}") for k in got):
            out["dyads FN: partner paired with another power"] += 1
        else:
            out["dyads FN: pair not linked (other sentence, list, missing cue)"] += 1
    for key in got.keys() - want.keys():
        actor, partner = key.split(" – ")
        out["dyads FP: " + ("power that does not act (source, passing, target)"
                            if actor not in gold["actors"] else
                            "country in background or passing" if partner not in gold["partners"]
                            else "wrong pairing of two real participants")] += 1
    for key in want.keys() & got.keys():
        if want[key]["status"] != got[key]["status"]:
            out[f"dyad status: {want[key]['status']} read as {got[key]['status']}"] += 1
    want, got = _keys(gold, "posture"), _keys(predicted, "posture")
    split = {k: tuple(k.split(" / ")) for k in want.keys() | got.keys()}
    for side, mine, other in (("FN", want, got), ("FP", got, want)):
        for key in mine.keys() - other.keys():
            a, c, act = split[key]
            if any(split[k][:2] == (a, c) for k in other):
                cause = "other action for the same force (stock vs move)"
            elif any(split[k][1:] == (c, act) for k in other):
                cause = "event given to another power"
            elif side == "FP" and any(split[k][0::2] == (a, act) for k in other):
                cause = "wrong country"
            else:
                cause = ("no event for the force there" if side == "FN"
                         else "no such event (background, recap, not troops)")
            out[f"posture {side}: {cause}"] += 1
    for key in want.keys() & got.keys():
        if want[key].get("status", "reported") != got[key]["status"]:
            out[f"posture status: {want[key].get('status')} read as {got[key]['status']}"] += 1
        if want[key].get("personnel") != got[key]["personnel"]:
            out["personnel wrong" + (" (none found)" if got[key]["personnel"] is None
                                     else "")] += 1
    return out


def causes(gold_path: str | Path, texts_path: str | Path | None = None,
           split: str | None = None) -> Counter[str]:
    """miss_causes() summed over a labelled set (only ever run on the dev split)."""
    total: Counter[str] = Counter()
    for gold in labelled(gold_path, texts_path, split):
        total += miss_causes(gold, _ours(gold))
    return total
