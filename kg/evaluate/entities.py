"""Score entity mentions against gold rows (``eval/gold/seed_entities*.jsonl``).

Per type (``department``, ``region``, ``lab``, ``corridor``, ``programme``): precision/recall/F1 over
distinct ``(doc, type, name)`` with names compared after removing whitespace. Only documents that
have gold rows are scored; a gold document with no result counts all its rows as missed. ``department_canonical``: of the matched gold department rows, the share
whose predicted canonical equals the gold ``canonical``. ``per_doc`` breaks every type down by document.

>>> from kg.types import DocResult, Document, Mention, OffsetMap
>>> doc = Document("d/a.txt", "x", "", "", OffsetMap.identity())
>>> res = DocResult(doc, mentions=(Mention("省发改委", "department", 0, 4, "department/湖南省发展和改革委员会",
...                                        "湖南省发展和改革委员会"), Mention("长沙", "region", 5, 7)))
>>> gold = [{"doc": "a.txt", "type": "department", "name": "省发改委", "canonical": "湖南省发展和改革委员会"},
...         {"doc": "a.txt", "type": "region", "name": "湘潭", "canonical": "湘潭市"}]
>>> s = score_entities([res], gold)
>>> s["department"]["f1"], s["region"]["precision"], s["department_canonical"]["accuracy"]
(1.0, 0.0, 1.0)
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from kg.types import ENTITY_TYPES, DocResult


def _nows(s: str | None) -> str:
    return "".join((s or "").split())


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def score_entities(results: list[DocResult], gold_rows: list[dict]) -> dict:
    """``{type: prf, "department_canonical": {"accuracy", "n"}, "per_doc": {doc: {type: prf}}}``."""
    gold: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for g in gold_rows:
        gold[(g["doc"], g["type"])][_nows(g["name"])] = _nows(g.get("canonical") or g["name"])
    gold_docs = {d for d, _ in gold}
    pred: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for res in results:
        name = Path(res.document.source).name
        if name not in gold_docs:
            continue
        for mt in res.mentions:
            pred[(name, mt.type)][_nows(mt.text)].add(_nows(mt.canonical or ""))
    out: dict = {}
    per_doc: dict = {}
    canon_ok = canon_n = 0
    for typ in ENTITY_TYPES:
        tp = fp = fn = 0
        for doc in sorted(gold_docs):
            g = gold.get((doc, typ), {})
            p = pred.get((doc, typ), {})
            dtp = len(set(g) & set(p))
            dfp = len(set(p) - set(g))
            dfn = len(set(g) - set(p))
            tp, fp, fn = tp + dtp, fp + dfp, fn + dfn
            per_doc.setdefault(doc, {})[typ] = prf(dtp, dfp, dfn)
            if typ == "department":
                for n in sorted(set(g) & set(p)):
                    canon_n += 1
                    canon_ok += g[n] in p[n]
        out[typ] = prf(tp, fp, fn)
    out["department_canonical"] = {"accuracy": round(canon_ok / canon_n, 4) if canon_n else 0.0, "n": canon_n}
    out["per_doc"] = per_doc
    return out
