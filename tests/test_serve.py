"""`kg serve` over real HTTP on 127.0.0.1: SPARQLWrapper and raw requests."""
from __future__ import annotations

import importlib.util
import json
import threading
import time
import urllib.error
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper

from kg.serve import make_server
from kg.serve_results import negotiate, parse_accept
from kg.store import GraphStore, current_generation

DATA = Path(__file__).resolve().parent / "data" / "serve"
EX = "https://example.org/"
BULK = EX + "graph/bulk"
N_BULK = 3000
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 3000^3 rows to count
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def fixture_graphs() -> dict[str, list[ox.Quad]]:
    graphs: dict[str, list[ox.Quad]] = {}
    for q in ox.parse(path=str(DATA / "sample.trig")):
        graphs.setdefault(q.graph_name.value, []).append(q)
    graphs[BULK] = [ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"v{i}"))
                    for i in range(N_BULK)]
    return graphs


N_TOTAL = len({getattr(q, "triple", q) for v in fixture_graphs().values() for q in v})  # the merge: shared triples once


def build(path: Path) -> Path:
    with GraphStore(path) as w:
        w.replace(fixture_graphs())
    return path


def start(store: Path, **options):
    srv = make_server(store, port=0, quiet=True, **options)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("serve") / "store")


@pytest.fixture(scope="module")
def server(store_dir):
    srv = start(store_dir, timeout=1.5, max_results=1000, workers=2)
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def url(server) -> str:
    return server.url


def total(url: str) -> int:
    r = requests.get(url, params={"query": COUNT}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# -- the three ways to send a query ----------------------------------------------

@pytest.mark.parametrize("how", ["get", "post-form", "post-body", "post-form-charset"])
def test_query_transports(url, how):
    q = "SELECT ?label WHERE { ?d skos:altLabel ?label } ORDER BY ?label"
    q = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> " + q
    if how == "get":
        r = requests.get(url, params={"query": q})
    elif how == "post-form":
        r = requests.post(url, data={"query": q})
    elif how == "post-form-charset":
        r = requests.post(url, data={"query": q}, headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    else:
        r = requests.post(url, data=q.encode("utf-8"), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/sparql-results+json"
    assert [b["label"]["value"] for b in r.json()["results"]["bindings"]] == ["乙局", "甲厅"]


def test_union_default_graph_counts_every_graph(url):
    assert total(url) == N_TOTAL


# -- content negotiation ------------------------------------------------------------

SELECT = "SELECT ?s ?o WHERE { ?s <https://example.org/p> ?o } ORDER BY ?o LIMIT 3"


def _parse_results(body: bytes, fmt: ox.QueryResultsFormat) -> list[str]:
    return [s["o"].value for s in ox.parse_query_results(body, fmt)]


@pytest.mark.parametrize("accept,ctype,fmt", [
    (None, "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("*/*", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", ox.QueryResultsFormat.TSV),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml",
     ox.QueryResultsFormat.XML),
    ("application/json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("text/*", "text/csv; charset=utf-8", None),
    ("text/csv", "text/csv; charset=utf-8", None),
])
def test_select_formats(url, accept, ctype, fmt):
    headers = {"Accept": accept} if accept else {}
    r = requests.get(url, params={"query": SELECT}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == ctype
    if fmt is None:  # CSV: header line, then the plain values
        assert r.text.splitlines() == ["s,o", f"{EX}s0,v0", f"{EX}s1,v1", f"{EX}s10,v10"]
    else:
        assert _parse_results(r.content, fmt) == ["v0", "v1", "v10"]


@pytest.mark.parametrize("fmt,ctype", [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                                       ("xml", "application/sparql-results+xml"),
                                       ("json", "application/sparql-results+json"),
                                       ("text/csv", "text/csv")])
def test_format_parameter_overrides_accept(url, fmt, ctype):
    r = requests.get(url, params={"query": SELECT, "format": fmt}, headers={"Accept": "application/x-nothing"})
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == ctype


CONSTRUCT = ("PREFIX ex: <https://example.org/> "
             "CONSTRUCT { ?s ex:p ?o } WHERE { ?s ex:p ?o FILTER(STRSTARTS(?o, 'v1') && STRLEN(?o) < 5) }")
N_CONSTRUCT = sum(1 for i in range(N_BULK) if str(i).startswith("1") and i < 1000)  # 111


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/n-quads",
                                    "application/trig", "application/rdf+xml", "application/ld+json", None])
def test_construct_formats(url, accept):
    r = requests.post(url, data={"query": CONSTRUCT}, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.text
    ctype = r.headers["Content-Type"].split(";")[0]
    assert ctype == (accept or "text/turtle")
    parsed = list(ox.parse(r.content, format=ox.RdfFormat.from_media_type(ctype)))
    assert len(parsed) == N_CONSTRUCT
    if ctype == "text/turtle":
        assert r.text.startswith("@prefix ex: <https://example.org/>")  # the query's prefixes are reused


@pytest.mark.parametrize("params,accept", [
    ({"query": SELECT}, "image/png"),
    ({"query": SELECT}, "application/sparql-results+json;q=0, text/turtle"),
    ({"query": CONSTRUCT, "format": "csv"}, None),
    ({"query": SELECT, "format": "klingon"}, None),
])
def test_not_acceptable_is_406_with_the_offer(url, params, accept):
    r = requests.get(url, params=params, headers={"Accept": accept} if accept else {})
    assert r.status_code == 406
    assert "available:" in r.text


@pytest.mark.parametrize("query,expected", [("ASK { ?s ?p ?o }", True), ("ASK { ?s ?p 'no such value' }", False)])
def test_ask(url, query, expected):
    r = requests.get(url, params={"query": query})
    assert r.json() == {"head": {}, "boolean": expected}
    r = requests.get(url, params={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    assert bool(ox.parse_query_results(r.content, ox.QueryResultsFormat.XML)) is expected


def test_result_size_limit(url):
    r = requests.get(url, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert len(r.json()["results"]["bindings"]) == 1000 and r.headers["X-SPARQL-MaxRows"] == "1000"
    r = requests.get(url, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"})
    assert len(r.text.splitlines()) == 1000 and r.headers["X-SPARQL-MaxRows"] == "1000"
    r = requests.get(url, params={"query": SELECT})
    assert "X-SPARQL-MaxRows" not in r.headers


# -- CORS -----------------------------------------------------------------------------

def test_cors_preflight_and_headers(url):
    r = requests.options(url, headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
                                       "Access-Control-Request-Headers": "content-type, accept"})
    assert r.status_code in (200, 204)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"content-type", "accept"} <= {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    r = requests.post(url, data={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"


# -- read-only: updates refused and nothing changes -----------------------------------

@pytest.mark.parametrize("send,status", [
    (lambda u: requests.post(u, data={"update": "DROP ALL"}), 403),
    (lambda u: requests.post(u, data="DROP ALL", headers={"Content-Type": "application/sparql-update"}), 403),
    (lambda u: requests.get(u, params={"update": "DROP ALL"}), 403),
    (lambda u: requests.post(u, data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}), 403),
    (lambda u: requests.get(u, params={"query": "DROP ALL"}), 400),  # an update is not a query
    (lambda u: requests.post(u, data="CLEAR ALL", headers={"Content-Type": "application/sparql-query"}), 400),
])
def test_updates_refused_and_nothing_changed(url, store_dir, send, status):
    gen = current_generation(store_dir)
    r = send(url)
    assert r.status_code == status, r.text
    if status == 403:
        assert "--allow-update" in r.text
    assert total(url) == N_TOTAL and current_generation(store_dir) == gen


# -- errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("send,status,message", [
    (lambda u: requests.get(u, params={"query": "SELEC ?x WHERE {}"}), 400, "error at 1:"),
    (lambda u: requests.get(u, params={"query": "SELECT ?x WHERE { ?x "}), 400, "error at 1:"),
    (lambda u: requests.get(u, params={"query": ""}), 400, "empty query"),
    (lambda u: requests.get(u, params=[("query", "ASK {}"), ("query", "ASK {}")]), 400, "exactly one"),
    (lambda u: requests.post(u, data={"nothing": "x"}), 400, "missing 'query'"),
    (lambda u: requests.post(u, data="ASK {}", headers={"Content-Type": "text/plain"}), 415, "Content-Type"),
    (lambda u: requests.get(u.replace("/sparql", "/nowhere")), 404, "/sparql"),
])
def test_bad_requests(url, send, status, message):
    r = send(url)
    assert r.status_code == status
    assert message in r.text
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_slow_query_is_cut_off_and_server_keeps_answering(server, url):
    restarts = server.pool.restarts
    t0 = time.monotonic()
    r = requests.get(url, params={"query": SLOW}, timeout=60)
    elapsed = time.monotonic() - t0
    assert r.status_code == 503 and "timed out after 1.5 s" in r.text
    assert 1.4 < elapsed < 10
    assert server.pool.restarts == restarts + 1
    assert total(url) == N_TOTAL  # the next query is answered
    for _ in range(3):  # and the pool is back to full strength
        assert requests.get(url, params={"query": "ASK {}"}).json()["boolean"] is True


# -- real clients ------------------------------------------------------------------------

def test_sparqlwrapper_select_ask_construct(url):
    sw = SPARQLWrapper(url)
    sw.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    sw.setReturnFormat(JSON)
    assert int(sw.query().convert()["results"]["bindings"][0]["n"]["value"]) == N_TOTAL
    sw.setMethod(POST)
    sw.setReturnFormat(XML)
    doc = sw.query().convert()  # xml.dom.minidom Document
    assert doc.getElementsByTagName("literal")[0].firstChild.data == str(N_TOTAL)
    sw.setQuery("ASK { ?s ?p ?o }")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    g = sw.queryAndConvert()
    assert len(g if not isinstance(g, bytes) else list(ox.parse(g, format=ox.RdfFormat.TURTLE))) == N_CONSTRUCT


def test_sparqlwrapper_drop_all_refused(url, store_dir):
    sw = SPARQLWrapper(url)
    sw.setMethod(POST)
    sw.setQuery("DROP ALL")
    with pytest.raises(urllib.error.HTTPError) as err:
        sw.query()
    assert err.value.code == 403
    assert total(url) == N_TOTAL


def row_key(row: dict) -> str:
    """A row as text; GROUP_CONCAT lists ("a、b") compared as sets: SPARQL leaves their order to the store."""
    norm = {k: ("、".join(sorted(v.split("、"))) if isinstance(v, str) else v) for k, v in row.items()}
    return json.dumps(norm, sort_keys=True, ensure_ascii=False)


@pytest.mark.skipif(importlib.util.find_spec("kg.query") is None, reason="kg.query not installed")
def test_named_queries_through_kg_query_run_match_local(url, store_dir):
    from kg.query import named_queries, run

    local = GraphStore(store_dir, read_only=True)
    for name, sparql in named_queries().items():
        remote = run(sparql, endpoint=url)
        here = run(sparql, store=local)
        assert remote.vars == here.vars, name
        assert sorted(map(row_key, remote.rows)) == sorted(map(row_key, here.rows)), name
    assert run(named_queries()["co_leads"], endpoint=url).rows  # the fixture has one co-lead pair


# -- pages -------------------------------------------------------------------------------

def test_index_page_lists_example_queries(url):
    from kg.serve_pages import example_queries

    for page in (url.replace("/sparql", "/"), url):
        r = requests.get(page)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
        for name in example_queries():
            assert f'id="{name}"' in r.text
        assert "read-only" in r.text


def test_explorer_page_or_clear_503(url):
    available = all(importlib.util.find_spec(m) is not None for m in ("kg.netview", "kg.visualise"))
    r = requests.get(url.replace("/sparql", "/explorer"), timeout=180)
    if available:
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html"), r.text[:500]
        assert "<html" in r.text.lower()
        t0 = time.monotonic()
        again = requests.get(url.replace("/sparql", "/explorer"))
        assert again.content == r.content and time.monotonic() - t0 < 1.0  # cached per generation
    else:
        assert r.status_code == 503 and "explorer is not available" in r.text


# -- updates allowed; new builds picked up -------------------------------------------------

def test_allow_update_and_new_generations(tmp_path):
    store = build(tmp_path / "store")
    srv = start(store, allow_update=True, timeout=30, workers=1)
    try:
        url = srv.url
        gen = current_generation(store)
        r = requests.post(url, data={"update": f"INSERT DATA {{ GRAPH <{EX}graph/new> {{ <{EX}x> <{EX}p> 'new' }} }}"})
        assert r.status_code == 200, r.text
        assert current_generation(store) != gen and total(url) == N_TOTAL + 1
        r = requests.post(url, data="DROP GRAPH <%s>" % BULK, headers={"Content-Type": "application/sparql-update"})
        assert r.status_code == 200 and total(url) == N_TOTAL + 1 - N_BULK
        r = requests.post(url, data={"update": "DROP EVERYTHING"})
        assert r.status_code == 400 and total(url) == N_TOTAL + 1 - N_BULK
        with GraphStore(store) as w:  # a build while the server runs is served at once
            w.replace({}, drop=[f"{EX}graph/new"])
        assert total(url) == N_TOTAL - N_BULK
    finally:
        srv.close()


# -- unit: negotiation ------------------------------------------------------------------------

@pytest.mark.parametrize("kind,accept,fmt,expected", [
    ("solutions", None, None, "json"),
    ("solutions", "", None, "json"),
    ("solutions", "text/html,application/xhtml+xml,*/*;q=0.8", None, "json"),
    ("solutions", "application/sparql-results+json,*/*;q=0.9", None, "json"),
    ("solutions", "text/tab-separated-values;q=1, text/csv;q=1", None, "csv"),  # tie: server order
    ("solutions", "text/csv;q=0.2, application/*;q=0.1", None, "csv"),
    ("graph", "text/turtle,*/*;q=0.9", None, "turtle"),
    ("graph", "application/n-triples, text/turtle;q=0.9", None, "nt"),
    ("graph", "text/plain", None, "nt"),
    ("graph", None, "ttl", "turtle"),
    ("graph", "text/turtle", "application/rdf+xml", "rdfxml"),
    ("boolean", "application/sparql-results+xml", None, "xml"),
    ("graph", "application/sparql-results+json", None, None),
])
def test_negotiate(kind, accept, fmt, expected):
    got = negotiate(kind, accept, fmt)
    assert (got[1] if got else None) == expected


def test_parse_accept_bad_q_is_zero():
    assert parse_accept("text/csv;q=abc, */*") == [("text/csv", 0.0), ("*/*", 1.0)]


# -- CLI ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("args,code,text", [
    (["--help"], 0, "--allow-update"),
    (["--store", "/nonexistent/kg-store"], 1, "does not exist"),
    (["--store", str(DATA)], 1, "not a kg store"),
])
def test_cli(args, code, text):
    # load kg/cli/serve.py on its own: kg.cli's __init__ imports every other command module
    spec = importlib.util.spec_from_file_location("_kg_cli_serve", Path(__file__).parent.parent / "kg/cli/serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    res = CliRunner().invoke(module.serve, args)
    assert res.exit_code == code, res.output
    assert text in res.output
