"""SPARQL over the graph: a local store or a remote endpoint, and the named queries.

Queries see the union of all named graphs as their default graph (one graph per
document; the named queries use DISTINCT or GROUP BY). A remote endpoint must do the
same (``oxigraph serve --union-default-graph``, Fuseki's ``tdb2:unionDefaultGraph``,
``kg serve``).

>>> sorted(named_queries())[:2]
['co_leads', 'department_leads']
>>> print(bind("SELECT ?x WHERE { ?x ?p ?name }", {"name": "省发改委"}))
SELECT ?x WHERE { VALUES ?name { "省发改委" } ?x ?p ?name }
>>> print(bind("SELECT ?x WHERE {\\n ?x ?p ?name .  #!if name\\n ?x ?q ?y }", {}))
SELECT ?x WHERE {
 ?x ?q ?y }
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from kg.errors import QueryError
from kg.namespace import PREFIXES

QUERY_DIR = Path(__file__).resolve().parent / "queries"
FORMATS = ("table", "csv", "json", "turtle")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_FORM = re.compile(r"^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
                   re.IGNORECASE)


def named_queries() -> dict[str, str]:
    """Name → SPARQL text of every ``kg/queries/*.rq``, sorted by name."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(QUERY_DIR.glob("*.rq"))}


def describe_query(text: str) -> str:
    """The comment header of a named query, as one paragraph."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    text = " ".join(lines)
    head, sep, rest = text.partition(": ")
    return rest if sep and " " not in head else text


def _sparql_term(value) -> str:
    if isinstance(value, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    v = str(value)
    if v.startswith("<") and v.endswith(">") and " " not in v:
        return v
    return str(pyoxigraph.Literal(v))


_IF = re.compile(r"#!if\s+\??(\w+)\s*$")


def _label_term(value) -> str:
    if isinstance(value, str) and not (value.startswith("<") and value.endswith(">")):
        return str(pyoxigraph.Literal(value.strip(), language="zh"))
    return _sparql_term(value)


def bind(sparql: str, bindings: dict | None) -> str:
    """``sparql`` with a ``VALUES`` block for each binding put first in its outer ``WHERE``.

    Values: ``<iri>`` for an IRI, Python ints and bools as such, anything else a plain string.
    A line ending in ``#!if VAR`` is kept only when ``VAR`` is bound, with ``%VAR%`` in it replaced
    by the value as a ``@zh`` literal (named queries match a given name against labels this way).
    """
    bindings = {k.lstrip("?$"): v for k, v in (bindings or {}).items()}
    kept = []
    for ln in sparql.split("\n"):
        m = _IF.search(ln)
        if m and m.group(1) not in bindings:
            continue
        if m:  # %VAR% in a conditional line: the value as a Chinese-tagged label, for an index lookup
            ln = ln.replace(f"%{m.group(1)}%", _label_term(bindings[m.group(1)]))
        kept.append(ln)
    sparql = "\n".join(kept)
    if not bindings:
        return sparql
    m = next((m for m in _WHERE.finditer(sparql)
              if "#" not in sparql[sparql.rfind("\n", 0, m.start()) + 1: m.start()]), None)
    if not m:
        raise QueryError("cannot bind variables: the query has no WHERE { … } clause")
    values = " ".join(f"VALUES ?{k.lstrip('?$')} {{ {_sparql_term(v)} }}" for k, v in sorted(bindings.items()))
    return sparql[: m.end()] + " " + values + sparql[m.end():]


def _with_prefixes(sparql: str) -> str:
    declared = {m.group(1) for m in re.finditer(r"PREFIX\s+([\w-]*):", sparql, re.IGNORECASE)}
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in declared)
    return head + sparql


def term_str(t) -> str | None:
    """The plain string of an RDF term: IRI, literal value, or ``_:id`` for a blank node."""
    if t is None:
        return None
    if isinstance(t, pyoxigraph.BlankNode):
        return "_:" + t.value
    return t.value


@dataclass
class QueryResult:
    """The answer to one query: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    vars: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    boolean: bool | None = None
    graph: list | None = None  # pyoxigraph.Triple objects

    def to(self, fmt: str) -> str:
        """The result as ``table``, ``csv``, ``json`` or ``turtle`` text."""
        if fmt not in FORMATS:
            raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        if self.graph is not None:
            if fmt == "json":
                return json.dumps([[term_str(t.subject), term_str(t.predicate), term_str(t.object)]
                                   for t in _sorted_triples(self.graph)], ensure_ascii=False, indent=1) + "\n"
            if fmt in ("csv", "table"):
                res = QueryResult(vars=["subject", "predicate", "object"], rows=[
                    {"subject": term_str(t.subject), "predicate": term_str(t.predicate), "object": term_str(t.object)}
                    for t in _sorted_triples(self.graph)])
                return res.to(fmt)
            return turtle(self.graph)
        if self.boolean is not None:
            if fmt == "json":
                return json.dumps({"boolean": self.boolean}) + "\n"
            if fmt == "turtle":
                raise QueryError("--format turtle needs a CONSTRUCT or DESCRIBE query; use table, csv or json")
            return ("true" if self.boolean else "false") + "\n"
        if fmt == "turtle":
            raise QueryError("--format turtle needs a CONSTRUCT or DESCRIBE query; use table, csv or json")
        if fmt == "json":
            return json.dumps({"vars": self.vars, "rows": self.rows}, ensure_ascii=False, indent=1) + "\n"
        if fmt == "csv":
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(self.vars)
            for r in self.rows:
                w.writerow(["" if r.get(v) is None else r[v] for v in self.vars])
            return buf.getvalue()
        return table(self.vars, [[_compact(r.get(v)) for v in self.vars] for r in self.rows])


def _sorted_triples(triples) -> list:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def sort_prefix_lines(data: bytes) -> bytes:
    """Put the leading ``@prefix`` lines of Turtle/TriG in sorted order (serialiser order may vary)."""
    lines = data.split(b"\n")
    n = 0
    while n < len(lines) and lines[n].startswith(b"@prefix "):
        n += 1
    return b"\n".join(sorted(lines[:n]) + lines[n:])


def turtle(triples) -> str:
    """Turtle text of ``triples`` (sorted, with the project's prefixes)."""
    data = pyoxigraph.serialize(_sorted_triples(triples), format=pyoxigraph.RdfFormat.TURTLE, prefixes=PREFIXES)
    return sort_prefix_lines(data).decode("utf-8")


def _compact(v: str | None) -> str:
    if v is None:
        return ""
    for p, iri in PREFIXES.items():
        if v.startswith(iri) and p != "kgid":
            return f"{p}:{v[len(iri):]}"
    return v.replace("\n", "⏎")


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table, columns padded for wide (Chinese) characters.

    >>> print(table(["a", "名称"], [["1", "省发改委"]]), end="")
    a  名称
    -  --------
    1  省发改委
    """
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]
    return "\n".join(out) + "\n"


def _oxi_store(store):
    if isinstance(store, pyoxigraph.Store):
        return store
    inner = getattr(store, "store", None)
    if isinstance(inner, pyoxigraph.Store):
        return inner
    raise QueryError(f"not a graph store: {type(store).__name__}")


def run(sparql: str, *, store=None, endpoint: str | None = None, bindings: dict | None = None,
        timeout: float = 60.0) -> QueryResult:
    """Run ``sparql`` on a local store (a :class:`kg.store.GraphStore` or ``pyoxigraph.Store``)
    or a remote SPARQL 1.1 endpoint URL. Raises :class:`~kg.errors.QueryError` with the cause."""
    if (store is None) == (endpoint is None):
        raise QueryError("give exactly one of a store (--store DIR) or an endpoint (--endpoint URL)")
    text = _with_prefixes(bind(sparql, bindings))
    if endpoint is not None:
        return _remote(text, endpoint, timeout)
    try:
        if isinstance(store, pyoxigraph.Store):
            res = store.query(text, use_default_graph_as_union=True)
        elif hasattr(store, "query") and isinstance(getattr(store, "store", None), pyoxigraph.Store):
            res = store.query(text)  # GraphStore: its deduplicated union, each triple once
        else:
            res = _oxi_store(store).query(text, use_default_graph_as_union=True)
    except SyntaxError as e:
        raise QueryError(f"SPARQL syntax error: {' '.join(str(e).split())}") from e
    except OSError as e:
        raise QueryError(f"the store could not be read: {e}") from e
    return _from_oxigraph(res)


def _from_oxigraph(res) -> QueryResult:
    if isinstance(res, pyoxigraph.QueryBoolean):
        return QueryResult(boolean=bool(res))
    if isinstance(res, pyoxigraph.QuerySolutions):
        names = [v.value for v in res.variables]
        rows = [{n: term_str(sol[n]) for n in names} for sol in res]
        return QueryResult(vars=names, rows=rows)
    return QueryResult(graph=list(res))


def _remote(text: str, endpoint: str, timeout: float) -> QueryResult:
    form = _FORM.match(text)
    graph_query = bool(form) and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples, text/turtle;q=0.9" if graph_query else \
        "application/sparql-results+json, application/n-triples;q=0.5"
    data = urllib.parse.urlencode({"query": text}).encode("utf-8")
    req = urllib.request.Request(endpoint, data=data, method="POST", headers={
        "Accept": accept, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            ctype = resp.headers.get("Content-Type", "").split(";")[0].strip()
            body = resp.read()
    except urllib.error.HTTPError as e:
        msg = " ".join(e.read().decode("utf-8", "replace").split())[:300]
        raise QueryError(f"{endpoint}: HTTP {e.code}: {msg}") from e
    except (urllib.error.URLError, OSError) as e:
        raise QueryError(f"{endpoint}: cannot reach the endpoint ({getattr(e, 'reason', e)}); is it running?") from e
    if ctype in ("application/sparql-results+json", "application/json"):
        doc = json.loads(body.decode("utf-8"))
        if "boolean" in doc:
            return QueryResult(boolean=bool(doc["boolean"]))
        names = list(doc.get("head", {}).get("vars", []))
        rows = []
        for b in doc.get("results", {}).get("bindings", []):
            rows.append({n: (("_:" + b[n]["value"]) if b[n].get("type") == "bnode" else b[n]["value"])
                         if n in b else None for n in names})
        return QueryResult(vars=names, rows=rows)
    try:
        fmt = pyoxigraph.RdfFormat.from_media_type(ctype) or pyoxigraph.RdfFormat.N_TRIPLES
        triples = [q.triple for q in pyoxigraph.parse(body, format=fmt)]
    except (SyntaxError, ValueError) as e:
        raise QueryError(f"{endpoint}: unexpected answer of type {ctype or 'unknown'}: {e}") from e
    return QueryResult(graph=triples)


def load_query(spec: str) -> str:
    """SPARQL text from a query given as text, a ``.rq`` file path, or a named query."""
    named = named_queries()
    if spec in named:
        return named[spec]
    p = Path(spec)
    if spec.endswith(".rq") or (len(spec) < 256 and "\n" not in spec and p.is_file()):
        try:
            return p.read_text(encoding="utf-8")
        except OSError as e:
            raise QueryError(f"{spec}: cannot read the query file ({e.strerror or e})") from e
    if not re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", spec, re.IGNORECASE):
        raise QueryError(f"{spec!r} is neither SPARQL, a .rq file nor a named query "
                         f"(named: {', '.join(named)})")
    return spec
