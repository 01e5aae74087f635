"""SPARQL results for the endpoint: content negotiation and bounded serialisation.

Pure functions over a :class:`kg.store.GraphStore`; the HTTP layer is :mod:`kg.serve`.

>>> negotiate("solutions", "text/csv;q=0.5, application/sparql-results+xml")
('application/sparql-results+xml', 'xml')
>>> negotiate("graph", "application/json, */*;q=0.1")
('application/json', 'jsonld')
>>> negotiate("graph", None, "nt")
('application/n-triples', 'nt')
>>> negotiate("solutions", "image/png") is None
True
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import KgError
from kg.store import GraphStore, SparqlSyntaxError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: (media type, format key) in the server's order of preference, per result kind.
OFFERS: dict[str, tuple[tuple[str, str], ...]] = {
    "solutions": (
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
        ("application/json", "json"),
        ("application/xml", "xml"),
        ("text/xml", "xml"),
    ),
    "graph": (
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/n-quads", "nq"),
        ("application/trig", "trig"),
        ("application/rdf+xml", "rdfxml"),
        ("application/ld+json", "jsonld"),
        ("application/x-turtle", "turtle"),
        ("text/plain", "nt"),
        ("application/json", "jsonld"),
        ("application/xml", "rdfxml"),
    ),
}
OFFERS["boolean"] = OFFERS["solutions"]

#: ``format=`` values (besides full media types) -> format key, per result kind.
FORMAT_ALIASES: dict[str, dict[str, str]] = {
    "solutions": {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"},
    "graph": {"turtle": "turtle", "ttl": "turtle", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
              "nq": "nq", "nquads": "nq", "n-quads": "nq", "trig": "trig", "rdfxml": "rdfxml", "rdf": "rdfxml",
              "xml": "rdfxml", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld"},
}
FORMAT_ALIASES["boolean"] = FORMAT_ALIASES["solutions"]

_MEDIA = {  # format key -> (Content-Type sent, pyoxigraph format)
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv; charset=utf-8", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values; charset=utf-8", ox.QueryResultsFormat.TSV),
    "turtle": ("text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
}
_QUAD_FORMATS = {"nq", "trig", "jsonld"}
_PREFIX_RE = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>")


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, Content-Type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str, **headers: str) -> "Reply":
        return cls(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"), headers)


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, in header order.

    >>> parse_accept("text/csv;q=0.5, application/json , */*;q=0")
    [('text/csv', 0.5), ('application/json', 1.0), ('*/*', 0.0)]
    """
    ranges = []
    for part in (header or "").split(","):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(b[2:])))
                except ValueError:
                    q = 0.0
        ranges.append((bits[0].lower(), q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    best, best_spec = 0.0, -1
    major = media.split("/")[0]
    for rng, q in ranges:
        spec = 3 if rng == media else 2 if rng == f"{major}/*" else 1 if rng in ("*/*", "*") else -1
        if spec > best_spec:
            best, best_spec = q, spec
    return best if best_spec >= 0 else 0.0


def negotiate(kind: str, accept: str | None, fmt: str | None = None) -> tuple[str, str] | None:
    """Pick ``(media type, format key)`` for a result kind (solutions | boolean | graph); None = 406."""
    offers = OFFERS[kind]
    if fmt:
        f = fmt.strip().lower()
        key = FORMAT_ALIASES[kind].get(f) or next((k for m, k in offers if m == f), None)
        return (_MEDIA[key][0].split(";")[0], key) if key else None
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    scored = [(_quality(m, ranges), -i, m, k) for i, (m, k) in enumerate(offers)]
    q, _, media, key = max(scored)
    return (media, key) if q > 0 else None


def _term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value not in (XSD_STRING, RDF_LANGSTRING):
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": _term(t.subject), "predicate": _term(t.predicate),
                                            "object": _term(t.object)}}
    raise TypeError(f"unexpected RDF term {t!r}")


def _offered(kind: str) -> str:
    return ", ".join(dict.fromkeys(m for m, _ in OFFERS[kind]))


def execute(store: GraphStore, sparql: str, *, accept: str | None = None, fmt: str | None = None,
            max_results: int = 10000) -> Reply:
    """Run one query and serialise at most ``max_results`` rows/triples in the negotiated format.

    A truncated answer carries the header ``X-SPARQL-MaxRows``.
    """
    try:
        res = store.query(sparql)
    except SparqlSyntaxError as exc:
        return Reply.text(400, str(exc))
    kind = ("boolean" if isinstance(res, ox.QueryBoolean) else
            "graph" if isinstance(res, ox.QueryTriples) else "solutions")
    chosen = negotiate(kind, accept, fmt)
    if chosen is None:
        asked = f"format={fmt!r}" if fmt else f"Accept: {accept}"
        return Reply.text(406, f"cannot answer a {kind} result as {asked}; available: {_offered(kind)}")
    _, key = chosen
    ctype, oxfmt = _MEDIA[key]
    headers: dict[str, str] = {}
    try:
        if kind == "boolean":
            return Reply(200, ctype, res.serialize(format=oxfmt), headers)
        if kind == "solutions":
            names = [v.value for v in res.variables]
            rows, seen = [], {}  # seen: term -> its JSON form (labels and IRIs repeat a lot)
            for sol in res:
                if len(rows) >= max_results:
                    headers["X-SPARQL-MaxRows"] = str(max_results)
                    break
                row = {}
                for n, t in zip(names, sol):
                    if t is not None:
                        j = seen.get(t)
                        if j is None:
                            j = seen[t] = _term(t)
                        row[n] = j
                rows.append(row)
            body = json.dumps({"head": {"vars": names}, "results": {"bindings": rows}},
                              ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            if key != "json":
                body = ox.parse_query_results(body, ox.QueryResultsFormat.JSON).serialize(format=oxfmt)
            return Reply(200, ctype, body, headers)
        triples = []
        for t in res:
            if len(triples) >= max_results:
                headers["X-SPARQL-MaxRows"] = str(max_results)
                break
            triples.append(t)
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples] if key in _QUAD_FORMATS else triples
        prefixes = dict(sorted((p or "", iri) for p, iri in _PREFIX_RE.findall(sparql))) or None
        try:
            body = ox.serialize(items, format=oxfmt, prefixes=prefixes if key in ("turtle", "trig") else None)
        except (ValueError, SyntaxError):
            body = ox.serialize(items, format=oxfmt)
        return Reply(200, ctype, body, headers)
    except (OSError, RuntimeError, ValueError, KgError) as exc:
        return Reply.text(500, f"query evaluation failed: {exc}")
