"""Exports of the store, byte-identical on rebuild.

:func:`write_exports` writes, into one folder:

* ``kg.trig``    — every named graph (one per document, plus ``_reference``), TriG;
* ``kg.nq``      — the same as N-Quads, one statement per line (for ``oxigraph load`` and friends);
* ``kg.ttl``     — the union of the graphs, Turtle;
* ``kg.jsonld``  — JSON-LD (named graphs kept) with the context of ``ontology/context.jsonld``;
* ``kg.graphml`` — the explorer graph (:func:`kg.netview.explorer_graph`) for Gephi; list
  and dict attributes are JSON strings;
* ``responsibilities.csv`` — one row per responsibility note.

Statements are sorted canonically and nothing depends on time or on hash order.
"""
from __future__ import annotations

import csv
import io
import json
import os
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pyoxigraph

from kg.namespace import PREFIXES
from kg.query import sort_prefix_lines

CONTEXT_FILE = Path(__file__).resolve().parent.parent / "ontology" / "context.jsonld"
EXPORT_FILES = ("kg.trig", "kg.nq", "kg.ttl", "kg.jsonld", "kg.graphml", "responsibilities.csv")
CSV_COLUMNS = ("source", "document", "date", "section", "task_no", "task", "programmes", "leads", "supporting",
               "collective", "lead_mode", "role_word", "evidence", "raw_start", "raw_end")


def _oxi(store):
    return store if isinstance(store, pyoxigraph.Store) else store.store


def sorted_quads(store) -> list:
    """Every quad of the store, in canonical order: by graph name, then by N-Triples line."""
    st = _oxi(store)
    graphs = sorted(st.named_graphs(), key=str)
    if next(iter(st.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())), None) is not None:
        graphs.insert(0, pyoxigraph.DefaultGraph())
    out = []
    for g in graphs:
        lines = sorted(st.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=g).splitlines())
        triples = pyoxigraph.parse(b"\n".join(lines), format=pyoxigraph.RdfFormat.N_TRIPLES)
        out.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, g) for t in triples)
    return out


def _sorted_union(store) -> list:
    """The union of all graphs as triples (duplicates across graphs removed), sorted."""
    st = _oxi(store)
    lines = set()
    for g in st.named_graphs():
        lines.update(st.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=g).splitlines())
    lines.update(st.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph()).splitlines())
    return list(pyoxigraph.parse(b"\n".join(sorted(lines)), format=pyoxigraph.RdfFormat.N_TRIPLES))


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def context() -> dict:
    """The JSON-LD ``@context`` object of ``ontology/context.jsonld``."""
    if CONTEXT_FILE.exists():
        return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return dict(PREFIXES)


_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: (-len(kv[1]), kv[0]))


@lru_cache(maxsize=4096)
def _curie(iri: str) -> str:
    for p, base in _BY_LENGTH:
        if iri.startswith(base) and p != "kgid":
            local = iri[len(base):]
            if local and all(c.isalnum() or c in "_-" for c in local):
                return f"{p}:{local}"
    return iri


def _jsonld_value(o):
    if isinstance(o, pyoxigraph.NamedNode):
        return {"@id": o.value}
    if isinstance(o, pyoxigraph.BlankNode):
        return {"@id": "_:" + o.value}
    if o.language:
        return {"@value": o.value, "@language": o.language}
    dt = o.datatype.value
    if dt == PREFIXES["xsd"] + "string":
        return o.value
    return {"@value": o.value, "@type": _curie(dt)}


def jsonld(quads: list) -> bytes:
    """JSON-LD text of sorted quads: one ``@graph`` object per named graph."""
    graphs: dict[str, dict[str, dict]] = {}
    for q in quads:
        g = "" if isinstance(q.graph_name, pyoxigraph.DefaultGraph) else q.graph_name.value
        s = q.subject.value if isinstance(q.subject, pyoxigraph.NamedNode) else "_:" + q.subject.value
        node = graphs.setdefault(g, {}).setdefault(s, {"@id": s})
        if q.predicate.value == PREFIXES["rdf"] + "type" and isinstance(q.object, pyoxigraph.NamedNode):
            node.setdefault("@type", []).append(_curie(q.object.value))
        else:
            node.setdefault(_curie(q.predicate.value), []).append(_jsonld_value(q.object))
    out = []
    for g in sorted(graphs):
        nodes = [graphs[g][s] for s in sorted(graphs[g])]
        out.append({"@id": g, "@graph": nodes} if g else {"@graph": nodes})
    doc = {"@context": context(), "@graph": out}
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def graphml(G: nx.Graph) -> bytes:
    """GraphML of a networkx graph; list and dict attributes become JSON strings."""
    H = nx.MultiDiGraph() if G.is_multigraph() else nx.DiGraph() if G.is_directed() else nx.Graph()

    def flat(attrs):
        return {k: (json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, (list, dict, tuple)) else v)
                for k, v in sorted(attrs.items())}

    for n in sorted(G.nodes):
        H.add_node(n, **flat(G.nodes[n]))
    if G.is_multigraph():
        for s, o, k, a in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
            H.add_edge(s, o, key=k, **flat(a))
    else:
        for s, o, a in sorted(G.edges(data=True), key=lambda e: (e[0], e[1])):
            H.add_edge(s, o, **flat(a))
    buf = io.BytesIO()
    nx.write_graphml(H, buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def responsibilities_csv(records: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in records:
        row = dict(r, raw_start=r["span"][0], raw_end=r["span"][1])
        w.writerow(["；".join(row[c]) if isinstance(row.get(c), list) else ("" if row.get(c) is None else row[c])
                    for c in CSV_COLUMNS])
    return buf.getvalue().encode("utf-8")


def write_exports(store, out_dir, *, formats=EXPORT_FILES) -> list[Path]:
    """Write the exports of ``store`` (a :class:`kg.store.GraphStore` or ``pyoxigraph.Store``)
    into ``out_dir``; returns the paths written, in order."""
    from kg.leads import all_responsibilities
    from kg.netview import explorer_graph

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    quads = sorted_quads(store)
    written = []
    for name in formats:
        path = out / name
        if name == "kg.trig":
            data = sort_prefix_lines(pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.TRIG, prefixes=PREFIXES))
        elif name == "kg.nq":
            data = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS)
        elif name == "kg.ttl":
            triples = _sorted_union(store)
            data = sort_prefix_lines(pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=PREFIXES))
        elif name == "kg.jsonld":
            data = jsonld(quads)
        elif name == "kg.graphml":
            data = graphml(explorer_graph(store))
        elif name == "responsibilities.csv":
            data = responsibilities_csv(all_responsibilities(store=store))
        else:
            raise ValueError(f"unknown export {name!r}; choose from {', '.join(EXPORT_FILES)}")
        _write(path, data)
        written.append(path)
    return written
