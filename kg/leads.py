"""The headline question: which programmes and tasks does this department lead or support,
and where does it say so?

:func:`leads` resolves a name (any alias or the full name) to the department(s) it labels
and returns every responsibility naming them, grouped by programme and document, each
with its evidence note and place (document, section path, raw character span). The answer
depends only on the resolved departments, never on the name as typed, so
``kg leads 省发改委`` and ``kg leads 湖南省发展和改革委员会`` print the same bytes.
"""
from __future__ import annotations

import json

from kg.errors import QueryError
from kg.query import run, table

_P = """PREFIX kg: <https://w3id.org/cnpolicy-kg/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

_FIND = _P + """SELECT DISTINCT ?d ?unresolved WHERE {
  ?d skos:prefLabel|skos:altLabel %name% .  #!if name
  ?d a kg:GovernmentBody .
  OPTIONAL { ?d kg:unresolved ?unresolved }
}"""

_RESP = _P + """SELECT ?r ?t ?evidence ?quote ?start ?end ?section ?lead_mode ?role_word ?task ?task_no ?doc ?title ?source ?date
WHERE {
  ?r kg:leadUnit|kg:supportingUnit|kg:collectiveUnit ?dept .  #!if dept
  ?r a kg:Responsibility ; kg:forTask ?t ; kg:evidenceText ?evidence ; prov:wasQuotedFrom ?doc ;
     kg:rawStart ?start ; kg:rawEnd ?end .
  OPTIONAL { ?r prov:value ?quote }
  OPTIONAL { ?r kg:sectionPath ?section }
  OPTIONAL { ?r kg:leadMode ?lead_mode }
  OPTIONAL { ?r kg:roleWord ?role_word }
  OPTIONAL { ?t dcterms:title ?task }
  OPTIONAL { ?t kg:taskNumber ?task_no }
  ?doc kg:sourcePath ?source .
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:issued ?date }
}"""

_UNITS = _P + """SELECT ?r ?role ?u ?name WHERE {
  { ?r kg:leadUnit ?u BIND("leads" AS ?role) } UNION { ?r kg:supportingUnit ?u BIND("supports" AS ?role) }
  UNION { ?r kg:collectiveUnit ?u BIND("collective" AS ?role) }
  { SELECT DISTINCT ?u ?name WHERE { ?u a kg:GovernmentBody ; skos:prefLabel ?name } }
}"""

_PROG_LABELS = "{ SELECT DISTINCT ?p ?name WHERE { ?p a kg:Programme ; skos:prefLabel ?name } }"
_PROGS = _P + "SELECT DISTINCT ?t ?p ?name WHERE { ?t kg:partOfProgramme ?p . " + _PROG_LABELS + " }"
_PARENTS = _P + ("SELECT DISTINCT ?p ?parent ?name WHERE { { SELECT DISTINCT ?p ?parent WHERE { ?p kg:parentProgramme ?parent } } "
                 + _PROG_LABELS.replace("?p ", "?parent ") + " }")
_LABELS = _P + """SELECT DISTINCT ?pref ?alt WHERE { { ?d skos:prefLabel ?pref } UNION { ?d skos:altLabel ?alt } }"""

ROLE_LABEL = {"leads": "牵头 leads", "supports": "参与 supports", "collective": "集合 collective"}


def resolve_department(name: str, *, store=None, endpoint: str | None = None) -> list[str]:
    """IRIs of the departments ``name`` labels (preferred or alternative label), sorted.

    Resolved bodies win over nodes flagged unresolved that happen to carry the same text.
    """
    res = run(_FIND, store=store, endpoint=endpoint, bindings={"name": name.strip()})
    found = sorted({(r["d"], (r["unresolved"] or "") == "true") for r in res.rows})
    resolved = [d for d, unres in found if not unres]
    return resolved or [d for d, _ in found]


def _context(store, endpoint):
    units: dict[str, list] = {}
    for r in run(_UNITS, store=store, endpoint=endpoint).rows:
        units.setdefault(r["r"], []).append((r["role"], r["name"], r["u"]))
    progs: dict[str, set] = {}
    for r in run(_PROGS, store=store, endpoint=endpoint).rows:
        progs.setdefault(r["t"], set()).add((r["p"], r["name"]))
    parents: dict[str, list] = {}
    for r in run(_PARENTS, store=store, endpoint=endpoint).rows:
        parents.setdefault(r["p"], []).append((r["name"], r["parent"]))
    return units, progs, parents


def _chain(p: str, name: str, parents: dict) -> list[str]:
    """Programme names from the outermost parent down to ``name``."""
    out, seen = [name], {p}
    while p in parents:
        pname, p = sorted(parents[p])[0]
        if p in seen:
            break
        seen.add(p)
        out.insert(0, pname)
    return out


def _record(r: dict, units: list) -> dict:
    return {
        "document": r["title"] or r["source"],
        "source": r["source"],
        "date": r["date"],
        "section": r["section"] or "",
        "task_no": r["task_no"],
        "task": r["task"],
        "evidence": r["evidence"],
        "raw_text": r["quote"],
        "span": [int(r["start"]), int(r["end"])],
        "lead_mode": r["lead_mode"],
        "role_word": r["role_word"],
        "leads": sorted({n for role, n, _ in units if role == "leads"}),
        "supporting": sorted({n for role, n, _ in units if role == "supports"}),
        "collective": sorted({n for role, n, _ in units if role == "collective"}),
    }


def _sort_key(rec: dict):
    return (rec["date"] or "", rec["source"], rec["span"][0], rec["span"][1])


def all_responsibilities(*, store=None, endpoint: str | None = None) -> list[dict]:
    """Every responsibility in the graph as a plain record (sorted by document and offset)."""
    units, progs, parents = _context(store, endpoint)
    out = []
    for r in run(_RESP, store=store, endpoint=endpoint).rows:
        rec = _record(r, units.get(r["r"], []))
        rec["programmes"] = sorted(" / ".join(_chain(p, n, parents)) for p, n in progs.get(r["t"], ()))
        out.append(rec)
    return sorted(out, key=_sort_key)


def leads(name: str, *, store=None, endpoint: str | None = None) -> dict:
    """Everything the department(s) named ``name`` lead or support, grouped by programme and document.

    Raises :class:`~kg.errors.QueryError` when no department carries that name.
    """
    depts = resolve_department(name, store=store, endpoint=endpoint)
    if not depts:
        raise QueryError(f"no department is named {name!r} in the graph; "
                         f"list names with: kg query \"SELECT ?n WHERE {{ ?d a kg:GovernmentBody ; skos:prefLabel ?n }}\"")
    labels: dict[str, tuple[str, set]] = {}
    for d in depts:
        rows = run(_LABELS, store=store, endpoint=endpoint, bindings={"d": f"<{d}>"}).rows
        prefs = sorted(r["pref"] for r in rows if r["pref"])
        labels[d] = (prefs[0] if prefs else d, {r["alt"] for r in rows if r["alt"]})
    units, progs, parents = _context(store, endpoint)
    answer = []
    for d in depts:
        resp_rows = {r["r"]: r for r in run(_RESP, store=store, endpoint=endpoint, bindings={"dept": f"<{d}>"}).rows}
        pref, alts = labels.get(d, (d, set()))
        groups: dict[tuple, dict] = {}
        counts = {"leads": 0, "supports": 0, "collective": 0}
        for rid, us in sorted(units.items()):
            roles = sorted({role for role, _, u in us if u == d})
            if not roles or rid not in resp_rows:
                continue
            r = resp_rows[rid]
            for role in roles:
                counts[role] += 1
                rec = dict(_record(r, us), role=role)
                chains = sorted(_chain(p, n, parents) for p, n in progs.get(r["t"], ())) or [[]]
                for chain in chains:
                    g = groups.setdefault(tuple(chain), {})
                    g.setdefault((rec["date"] or "", rec["source"]), []).append(rec)
        programmes = []
        for chain in sorted(groups, key=lambda c: (not c, c)):
            documents = []
            for (date, source), recs in sorted(groups[chain].items()):
                recs.sort(key=lambda x: (x["span"], x["role"]))
                documents.append({"document": recs[0]["document"], "source": source, "date": date or None,
                                  "tasks": recs})
            programmes.append({"programme": chain[-1] if chain else None, "path": list(chain),
                               "documents": documents})
        answer.append({"department": pref, "iri": d, "aliases": sorted(alts - {pref}),
                       "leads": counts["leads"], "supports": counts["supports"], "programmes": programmes})
    return {"departments": answer}


def to_json(answer) -> str:
    return json.dumps(answer, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def to_text(answer: dict) -> str:
    """The answer of :func:`leads` as readable text."""
    out = []
    for dep in answer["departments"]:
        aka = f"（又称 aka: {'、'.join(dep['aliases'])}）" if dep["aliases"] else ""
        out.append(f"{dep['department']}{aka}")
        out.append(f"牵头 leads {dep['leads']} · 参与 supports {dep['supports']}")
        for prog in dep["programmes"]:
            out.append("")
            out.append("■ " + (" › ".join(prog["path"]) if prog["path"] else "（未归入工程计划 no programme）"))
            for doc in prog["documents"]:
                out.append(f"  ▸ {doc['document']}  [{doc['source']}{', ' + doc['date'] if doc['date'] else ''}]")
                for t in doc["tasks"]:
                    no = f"{t['task_no']} " if t["task_no"] else ""
                    out.append(f"    - [{ROLE_LABEL[t['role']]}] {no}{t['task'] or ''}")
                    out.append(f"      依据 evidence: {t['evidence']}")
                    out.append(f"      位置 place: {t['section'] or '—'} · 原文 raw chars {t['span'][0]}–{t['span'][1]}")
        out.append("")
    return "\n".join(out)


def all_to_text(records: list[dict]) -> str:
    rows = [[r["source"], r["section"], r["task_no"] or "", r["task"] or "", "、".join(r["leads"]),
             "、".join(r["supporting"] + r["collective"]), r["evidence"]] for r in records]
    return table(["source", "section", "task_no", "task", "leads", "supporting", "evidence"], rows)
