"""The small HTML pages of ``kg serve``: a home page with example queries and a query form.

Every piece of text is escaped: query names and bodies are data, never markup.

>>> "<b>" in index_page({"x<b>": "SELECT * WHERE { ?s ?p ?o }"}, read_only=True)
False
"""
from __future__ import annotations

from html import escape
from urllib.parse import urlencode

#: Used when :mod:`kg.query` (the named-query library) is not installed.
FALLBACK_QUERIES: dict[str, str] = {
    "graphs": "SELECT ?graph (COUNT(*) AS ?triples)\nWHERE { GRAPH ?graph { ?s ?p ?o } }\n"
              "GROUP BY ?graph ORDER BY ?graph",
    "classes": "SELECT ?class (COUNT(DISTINCT ?s) AS ?instances)\nWHERE { ?s a ?class }\n"
               "GROUP BY ?class ORDER BY DESC(?instances)",
    "labels": "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
              "SELECT ?thing ?label WHERE { ?thing skos:prefLabel ?label } ORDER BY ?label LIMIT 50",
}


def example_queries() -> dict[str, str]:
    """The named queries of :mod:`kg.query` when available, else a few generic ones."""
    try:
        from kg.query import named_queries

        queries = dict(sorted(named_queries().items()))
        if queries:
            return queries
    except Exception:  # noqa: BLE001 - the page must render whatever state the library is in
        pass
    return dict(FALLBACK_QUERIES)


_STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
pre{background:#f5f5f5;padding:.6rem;overflow:auto;white-space:pre-wrap}textarea{width:100%;height:10rem;
font-family:monospace}code{background:#f5f5f5;padding:0 .2rem}h2{margin-top:2rem}.links a{margin-right:1rem}"""


def index_page(queries: dict[str, str], *, read_only: bool, endpoint: str = "/sparql") -> str:
    """Home page: what the endpoint is, a query form, and every example with run links."""
    items = []
    for name, sparql in queries.items():
        links = " ".join(
            f'<a href="{escape(endpoint)}?{escape(urlencode({"query": sparql, "format": fmt}))}">{label}</a>'
            for fmt, label in (("json", "run → JSON"), ("csv", "CSV"), ("tsv", "TSV")))
        items.append(f'<h3 id="{escape(name)}">{escape(name)}</h3>\n<pre>{escape(sparql)}</pre>\n'
                     f'<p class="links">{links}</p>')
    first = escape(next(iter(queries.values()), "SELECT * WHERE { ?s ?p ?o } LIMIT 10"))
    mode = ("read-only (updates are refused)" if read_only
            else "updates allowed (POST <code>update=</code> or <code>application/sparql-update</code>)")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL endpoint</title><style>{_STYLE}</style></head>
<body>
<h1>kg SPARQL endpoint</h1>
<p>SPARQL 1.1 Protocol endpoint: <code>{escape(endpoint)}</code> — {mode}. The default graph is the union of
all document graphs. Point YASGUI, SPARQLWrapper or <code>kg query --endpoint</code> at it.
The network explorer is at <a href="/explorer">/explorer</a>.</p>
<form action="{escape(endpoint)}" method="get">
<textarea name="query">{first}</textarea>
<p>Format <select name="format">
<option>json</option><option>xml</option><option>csv</option><option>tsv</option>
<option>turtle</option><option>nt</option></select> <button type="submit">Run</button></p>
</form>
<h2>Example queries</h2>
{chr(10).join(items)}
</body></html>
"""
