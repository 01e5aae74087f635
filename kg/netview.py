"""The graph as networkx: the explorer view (helper E renders it) and projections for analysts.

:func:`explorer_graph` returns a ``MultiDiGraph`` whose nodes (IRI strings) all carry
``type``, ``label``, ``aliases``, ``documents``, ``years``, ``n_led``, ``collective`` and
``evidence``, and whose edges carry ``relation``, ``label`` and ``evidence``.
:func:`to_networkx` gives the same graph or a weighted projection (department–programme,
co-lead), optionally for one year.
"""
from __future__ import annotations

from collections import defaultdict

import networkx as nx

from kg.errors import QueryError
from kg.namespace import CLASS_TYPE, GRAPH_BASE, VOCAB
from kg.query import run

EDGE_LABEL = {
    "leads": "牵头 leads", "supports": "参与 supports", "part_of": "属于 part of",
    "located_in": "位于 located in", "mentions": "提及 mentions", "in_document": "出自 in document",
}
PROJECTIONS = ("full", "department-programme", "co-lead")

_P = """PREFIX kg: <https://w3id.org/cnpolicy-kg/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
_Q_ENT = _P + """SELECT DISTINCT ?e ?cls ?g WHERE { GRAPH ?g { ?e a ?cls } FILTER(STRSTARTS(STR(?cls), STR(kg:))) }"""
_Q_LABEL = _P + """SELECT DISTINCT ?e ?pref ?alt ?coll WHERE {
  { ?e skos:prefLabel ?pref } UNION { ?e skos:altLabel ?alt } UNION { ?e kg:collective ?coll } }"""
_Q_DOC = _P + """SELECT ?d ?source ?title ?issued WHERE { ?d a kg:PolicyDocument ; kg:sourcePath ?source .
  OPTIONAL { ?d dcterms:title ?title } OPTIONAL { ?d dcterms:issued ?issued } }"""
_Q_TASK = _P + """SELECT DISTINCT ?t ?title ?d WHERE { ?t a kg:Task ; dcterms:isPartOf ?d . OPTIONAL { ?t dcterms:title ?title } }"""
_Q_RESP = _P + """SELECT ?r ?t ?d ?evidence ?section ?role ?u WHERE {
  ?r kg:forTask ?t ; prov:wasQuotedFrom ?d ; kg:evidenceText ?evidence .
  OPTIONAL { ?r kg:sectionPath ?section }
  { ?r kg:leadUnit ?u BIND("leads" AS ?role) } UNION { ?r kg:supportingUnit|kg:collectiveUnit ?u BIND("supports" AS ?role) }
}"""
_Q_REGION_SECTIONS = _P + """SELECT DISTINCT ?e ?d ?section WHERE {
  ?m kg:mentionOf ?e ; prov:wasQuotedFrom ?d ; kg:sectionPath ?section . ?e a kg:Region }"""
_Q_EDGES = _P + """SELECT DISTINCT ?s ?rel ?o WHERE {
  { ?s kg:partOfProgramme|kg:parentProgramme ?o BIND("part_of" AS ?rel) }
  UNION { ?s kg:locatedIn ?o BIND("located_in" AS ?rel) }
  UNION { ?s kg:mentions ?o BIND("mentions" AS ?rel) }
}"""


class _Data:
    """Everything the views need, read from the store in a few queries."""

    def __init__(self, store=None, endpoint=None):
        def q(text):
            return run(text, store=store, endpoint=endpoint).rows

        self.docs = {}
        for r in q(_Q_DOC):
            year = int(r["issued"][:4]) if r["issued"] and r["issued"][:4].isdigit() else None
            self.docs[r["d"]] = {"title": r["title"] or r["source"], "source": r["source"], "year": year}
        self.type: dict[str, str] = {}
        self.in_docs: dict[str, set] = defaultdict(set)
        for r in q(_Q_ENT):
            t = CLASS_TYPE.get(r["cls"][len(VOCAB):])
            if t is None:
                continue
            self.type.setdefault(r["e"], t)
            g = r["g"]
            if g.startswith(GRAPH_BASE) and not g[len(GRAPH_BASE):].startswith("_"):
                self.in_docs[r["e"]].add(GRAPH_BASE.replace("graph/", "id/document/") + g[len(GRAPH_BASE):])
        self.pref: dict[str, str] = {}
        self.alts: dict[str, set] = defaultdict(set)
        self.coll: set[str] = set()
        for r in q(_Q_LABEL):
            e = r["e"]
            if r["pref"]:
                self.pref[e] = min(self.pref.get(e, r["pref"]), r["pref"])
            if r["alt"]:
                self.alts[e].add(r["alt"])
            if r["coll"] == "true":
                self.coll.add(e)
        self.tasks = {r["t"]: {"title": r["title"] or "", "doc": r["d"]} for r in q(_Q_TASK)}
        self.resp = q(_Q_RESP)
        self.edges = [(r["s"], r["rel"], r["o"]) for r in q(_Q_EDGES)]
        self.region_sections: dict[tuple, set] = defaultdict(set)
        for r in q(_Q_REGION_SECTIONS):
            self.region_sections[(r["d"], r["section"])].add(r["e"])

    def evidence(self, r: dict, role: str) -> dict:
        return {"text": r["evidence"], "document": self.docs.get(r["d"], {}).get("title", r["d"]),
                "section": r["section"] or "", "task": self.tasks.get(r["t"], {}).get("title", ""), "role": role}

    def find(self, name: str, types: tuple[str, ...]) -> list[str]:
        name = name.strip()
        hits = sorted(e for e, t in self.type.items() if t in types and (self.pref.get(e) == name or name in self.alts.get(e, ())))
        if not hits:
            raise QueryError(f"nothing of type {'/'.join(types)} is named {name!r} in the graph")
        return hits


def _ev_key(e: dict):
    return (e["document"], e["section"], e["task"], e["text"], e["role"])


def _full(data: _Data) -> nx.MultiDiGraph:
    nodes: dict[str, dict] = {}

    def node(iri: str, typ: str, label: str):
        if iri not in nodes:
            nodes[iri] = {"type": typ, "label": label, "aliases": sorted(data.alts.get(iri, set()) - {label}),
                          "documents": set(), "years": set(), "n_led": 0, "collective": iri in data.coll,
                          "evidence": []}
        return nodes[iri]

    def add_doc(n: dict, d: str):
        if d in data.docs:
            n["documents"].add(data.docs[d]["title"])
            if data.docs[d]["year"] is not None:
                n["years"].add(data.docs[d]["year"])

    for d, info in data.docs.items():
        add_doc(node(d, "document", info["title"]), d)
    for e, docs in data.in_docs.items():
        n = node(e, data.type[e], data.pref.get(e, e))
        for d in docs:
            add_doc(n, d)
    for t, info in data.tasks.items():
        add_doc(node(t, "task", info["title"]), info["doc"])
    edges: dict[tuple, list] = defaultdict(list)
    led: dict[str, set] = defaultdict(set)
    for r in data.resp:
        u, t = r["u"], r["t"]
        if u not in nodes or t not in nodes:
            continue
        ev = data.evidence(r, r["role"])
        nodes[u]["evidence"].append(ev)
        nodes[t]["evidence"].append(ev)
        edges[(u, t, r["role"])].append(ev)
        if r["role"] == "leads":
            led[u].add(t)
    for t, info in data.tasks.items():
        if info["doc"] in nodes:
            edges[(t, info["doc"], "in_document")]
    # region and programme ancestors of used nodes come along, so the hierarchy shows
    for s, rel, o in sorted(data.edges):
        if rel in ("part_of", "located_in") and s in nodes and o not in nodes and o in data.type:
            node(o, data.type[o], data.pref.get(o, o))
    changed = True
    while changed:
        changed = False
        for s, rel, o in sorted(data.edges):
            if rel in ("part_of", "located_in") and s in nodes and o not in nodes and o in data.type:
                node(o, data.type[o], data.pref.get(o, o))
                changed = True
    for s, rel, o in data.edges:
        if s in nodes and o in nodes:
            edges[(s, o, rel)]
    G = nx.MultiDiGraph()
    for iri in sorted(nodes):
        n = nodes[iri]
        n["n_led"] = len(led.get(iri, ())) if n["type"] == "department" else 0
        n["documents"] = sorted(n["documents"])
        n["years"] = sorted(n["years"])
        n["evidence"] = sorted({_ev_key(e): e for e in n["evidence"]}.values(), key=_ev_key)
        if n["type"] not in ("department", "task"):
            n["evidence"] = []
        G.add_node(iri, **n)
    for (s, o, rel) in sorted(edges):
        ev = sorted({_ev_key(e): e for e in edges[(s, o, rel)]}.values(), key=_ev_key)
        G.add_edge(s, o, key=rel, relation=rel, label=EDGE_LABEL[rel], evidence=ev)
    return G


def _subgraph(G: nx.MultiDiGraph, keep: set) -> nx.MultiDiGraph:
    H = nx.MultiDiGraph()
    for n in sorted(keep):
        if n in G:
            H.add_node(n, **G.nodes[n])
    for s, o, k, a in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if s in keep and o in keep:
            H.add_edge(s, o, key=k, **a)
    return H


def _ancestors(G, nodes: set, rels=("part_of", "located_in")) -> set:
    out, todo = set(nodes), list(nodes)
    while todo:
        n = todo.pop()
        for _, o, a in G.out_edges(n, data=True):
            if a["relation"] in rels and o not in out:
                out.add(o)
                todo.append(o)
    return out


def _regions_near(G, data: _Data, tasks: set) -> set:
    """Regions named in the sections (or their sub-sections) that hold these tasks' notes."""
    places = {(r["d"], r["section"]) for r in data.resp if r["t"] in tasks and r["section"]}
    out = set()
    for (d, sec), regions in data.region_sections.items():
        if any(d == pd and (sec == ps or sec.startswith(ps + " / ")) for pd, ps in places):
            out |= {e for e in regions if e in G}
    return out


def explorer_graph(store=None, *, focus: str | None = None, programme: str | None = None,
                   document: str | None = None, endpoint: str | None = None) -> nx.MultiDiGraph:
    """The graph for the HTML explorer, or a trace view around a department, programme or document.

    ``focus``/``programme``: any alias or the full name; ``document``: a source path or file name.
    Raises :class:`~kg.errors.QueryError` when the name is not in the graph.
    """
    data = _Data(store, endpoint)
    G = _full(data)
    keep: set | None = None
    if focus:
        depts = set(data.find(focus, ("department",)))
        tasks = {o for d in depts for _, o, a in G.out_edges(d, data=True) if a["relation"] in ("leads", "supports")}
        sel = depts | tasks
        sel |= {u for t in tasks for u, _, a in G.in_edges(t, data=True) if a["relation"] in ("leads", "supports")}
        sel |= {o for t in tasks for _, o, a in G.out_edges(t, data=True) if a["relation"] in ("part_of", "in_document")}
        sel |= _regions_near(G, data, tasks)
        keep = _ancestors(G, sel)
    if programme:
        progs = set(data.find(programme, ("programme",)))
        progs |= {s for s in G if G.nodes[s]["type"] == "programme" and _ancestors(G, {s}, ("part_of",)) & progs}
        tasks = {s for p in progs for s, _, a in G.in_edges(p, data=True)
                 if a["relation"] == "part_of" and G.nodes[s]["type"] == "task"}
        sel = progs | tasks
        sel |= {u for t in tasks for u, _, a in G.in_edges(t, data=True) if a["relation"] in ("leads", "supports")}
        sel |= {o for t in tasks for _, o, a in G.out_edges(t, data=True) if a["relation"] == "in_document"}
        sel |= _regions_near(G, data, tasks)
        sel = _ancestors(G, sel)
        keep = sel if keep is None else keep & sel
    if document:
        name = document.strip()
        docs = {d for d, i in data.docs.items() if name in (i["source"], i["source"].replace("\\", "/").rsplit("/", 1)[-1])}
        if not docs:
            raise QueryError(f"no document with source path or file name {name!r} in the graph")
        tasks = {t for t, i in data.tasks.items() if i["doc"] in docs}
        sel = docs | tasks
        sel |= {u for t in tasks for u, _, a in G.in_edges(t, data=True)}
        sel |= {o for t in tasks for _, o, a in G.out_edges(t, data=True)}
        sel |= {o for d in docs for _, o in G.out_edges(d)}
        sel = _ancestors(G, sel)
        keep = sel if keep is None else keep & sel
    return G if keep is None else _subgraph(G, keep)


def to_networkx(store=None, projection: str = "full", year: int | None = None, *,
                endpoint: str | None = None) -> nx.Graph:
    """The graph for analysis: ``full`` (the explorer graph), ``department-programme``
    (weighted bipartite graph, weight = tasks the department leads or supports in the
    programme) or ``co-lead`` (departments named as leads in the same note; weight = notes).
    ``year`` keeps only documents issued that year."""
    if projection not in PROJECTIONS:
        raise QueryError(f"unknown projection {projection!r}; use one of {', '.join(PROJECTIONS)}")
    if projection == "full":
        G = explorer_graph(store, endpoint=endpoint)
        if year is None:
            return G
        keep = {n for n, a in G.nodes(data=True) if year in a["years"] or (not a["years"] and a["type"] == "region")}
        return _subgraph(G, keep)
    data = _Data(store, endpoint)
    docs_ok = {d for d, i in data.docs.items() if year is None or i["year"] == year}
    H = nx.Graph()
    rows = [r for r in data.resp if r["d"] in docs_ok and data.type.get(r["u"]) == "department"]
    weights: dict[tuple, dict] = defaultdict(lambda: {"weight": 0, "leads": 0, "supports": 0})
    if projection == "department-programme":
        progs = defaultdict(set)
        for s, rel, o in data.edges:
            if rel == "part_of" and s in data.tasks:
                progs[s].add(o)
        seen = set()
        for r in rows:
            for p in progs.get(r["t"], ()):
                k = (r["u"], p, r["t"], r["role"])
                if k in seen:
                    continue
                seen.add(k)
                w = weights[(r["u"], p)]
                w["weight"] += 1
                w[r["role"]] += 1
    else:
        leads = defaultdict(set)
        for r in rows:
            if r["role"] == "leads":
                leads[r["r"]].add(r["u"])
        for r, us in leads.items():
            us = sorted(us)
            for i, a in enumerate(us):
                for b in us[i + 1:]:
                    w = weights[(a, b)]
                    w["weight"] += 1
                    w["leads"] += 1
    for a, b in sorted(weights):
        for n in (a, b):
            if n not in H:
                H.add_node(n, type=data.type.get(n, ""), label=data.pref.get(n, n))
        attrs = dict(weights[(a, b)])
        if projection == "co-lead":
            attrs.pop("supports")
        H.add_edge(a, b, **attrs)
    return H
