"""Score responsibilities against gold notes (``eval/gold/seed_leads.jsonl`` and
``seed_notes_without_lead.jsonl``).

Each gold note is matched to one predicted responsibility of the same document
whose raw evidence span overlaps the gold ``evidence_start`` span (largest overlap
first, one to one). Then:

* ``lead_units`` / ``supporting_units``: precision, recall, F1 over (document, note,
  unit text without blanks); units of unmatched predicted notes are false positives,
  units of unmatched gold notes false negatives;
* ``notes``: note-level precision/recall/F1 (predicted notes that name no unit are ignored);
* ``task_title``: share of gold notes whose matched task equals the gold ``task``
  (blanks removed);
* ``section``: share of gold notes whose predicted section path contains the gold
  ``section`` parts in order (blanks removed, ``附件N`` prefix ignored) — informational.

>>> from kg.types import Document, DocResult, OffsetMap, Responsibility, Unit
>>> raw = "1. 做好甲事。（甲厅牵头，乙局参与）"
>>> doc = Document("d/a.txt", "a", raw, raw, OffsetMap.identity())
>>> r = Responsibility("a", "d/a.txt", (), "1", "做好甲事", "（甲厅牵头，乙局参与）", 8, 19,
...                    leads=(Unit("甲厅", 9, 11),), supporting=(Unit("乙局", 13, 15),))
>>> gold = [{"doc": "a.txt", "task": "做好甲事", "leads": ["甲厅"], "participants": ["乙局", "丙委"],
...          "evidence": "（甲厅牵头，乙局参与）", "evidence_start": 8, "section": ""}]
>>> s = score_responsibilities([DocResult(doc, responsibilities=(r,))], gold)
>>> s["lead_units"]["f1"], s["supporting_units"]["recall"], s["task_title"]["accuracy"]
(1.0, 0.5, 1.0)
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Sequence

from kg.types import DocResult


def _nows(s: str | None) -> str:
    return "".join((s or "").split())


def prf(tp: int, fp: int, fn: int) -> dict:
    """Precision, recall and F1 (1.0 when there is nothing to find and nothing found)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def _section_ok(pred: Sequence[str], gold: str) -> bool:
    def norm(x: str) -> str:
        return re.sub(r"^附件[0-9一二三四五六七八九十]+", "", _nows(x))

    want = [norm(p) for p in gold.split(" / ") if p.strip()]
    have = [norm(p) for p in pred]
    k = 0
    for h in have:
        if k < len(want) and h == want[k]:
            k += 1
    return k == len(want)


def match_notes(result: DocResult, gold_rows: Sequence[dict]) -> list[tuple[dict, object | None]]:
    """Pair each gold row of ``result``'s document with a predicted responsibility (or None)."""
    doc = result.document
    preds = [(r, doc.raw_span(r.start, r.end)) for r in result.responsibilities]
    cands = []
    for gi, g in enumerate(gold_rows):
        gs = int(g["evidence_start"])
        ge = gs + len(g["evidence"])
        for pi, (_, (ps, pe)) in enumerate(preds):
            ov = min(ge, pe) - max(gs, ps)
            if ov > 0:
                cands.append((-ov, gi, pi))
    cands.sort()
    g_used: dict[int, int] = {}
    p_used: set[int] = set()
    for _, gi, pi in cands:
        if gi in g_used or pi in p_used:
            continue
        g_used[gi] = pi
        p_used.add(pi)
    return [(g, preds[g_used[gi]][0] if gi in g_used else None) for gi, g in enumerate(gold_rows)]


def score_responsibilities(results: list[DocResult], gold_rows: list[dict]) -> dict:
    """Scores keyed by metric name (see the module docstring). Only documents in the gold are scored."""
    by_doc: dict[str, list[dict]] = {}
    for g in gold_rows:
        if "evidence" in g:
            by_doc.setdefault(g["doc"], []).append(g)
    counts = {k: Counter() for k in ("lead_units", "supporting_units", "notes")}
    titles = sections = n = 0
    seen_docs = set()
    for res in sorted(results, key=lambda r: r.document.source):
        name = Path(res.document.source).name
        rows = by_doc.get(name)
        if rows is None:
            continue
        seen_docs.add(name)
        pairs = match_notes(res, rows)
        matched = set()
        for gi, (g, r) in enumerate(pairs):
            n += 1
            gl = Counter(_nows(u) for u in g.get("leads", []))
            gsup = Counter(_nows(u) for u in g.get("participants", []))
            if r is None:
                counts["notes"]["fn"] += 1
                counts["lead_units"]["fn"] += sum(gl.values())
                counts["supporting_units"]["fn"] += sum(gsup.values())
                continue
            matched.add(id(r))
            counts["notes"]["tp"] += 1
            for key, gold_c, pred in (("lead_units", gl, r.leads), ("supporting_units", gsup, r.supporting)):
                pc = Counter(_nows(u.text) for u in pred)
                tp = sum((gold_c & pc).values())
                counts[key]["tp"] += tp
                counts[key]["fp"] += sum(pc.values()) - tp
                counts[key]["fn"] += sum(gold_c.values()) - tp
            titles += _nows(r.task) == _nows(g.get("task"))
            sections += _section_ok(r.section, g.get("section", ""))
        for r in res.responsibilities:
            if id(r) in matched or not (r.leads or r.supporting):
                continue
            counts["notes"]["fp"] += 1
            counts["lead_units"]["fp"] += len(r.leads)
            counts["supporting_units"]["fp"] += len(r.supporting)
    for name, rows in by_doc.items():  # gold documents with no result at all
        if name not in seen_docs:
            n += len(rows)
            counts["notes"]["fn"] += len(rows)
            counts["lead_units"]["fn"] += sum(len(g.get("leads", [])) for g in rows)
            counts["supporting_units"]["fn"] += sum(len(g.get("participants", [])) for g in rows)
    out = {k: prf(c["tp"], c["fp"], c["fn"]) for k, c in counts.items()}
    out["task_title"] = {"accuracy": round(titles / n, 4) if n else 1.0, "n": n}
    out["section"] = {"accuracy": round(sections / n, 4) if n else 1.0, "n": n}
    return out
