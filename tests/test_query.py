"""Named queries, kg.query.run (local store and a real SPARQL endpoint), kg leads and the CLI."""
from __future__ import annotations

import importlib.util
import json
import shutil
import socket
import subprocess
import time

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.errors import QueryError
from kg.graph import GRAPH_BASE, document_quads, graph_iri, reference_quads
from kg.leads import all_responsibilities, leads, resolve_department, to_json, to_text
from kg.query import bind, load_query, named_queries, run

A = "湖南省推进“七大攻坚”实施方案"
B = "湖南省2025年内需扩量提效攻坚工作要点"
FGW = "湖南省发展和改革委员会"


def _fixture(root):
    spec = importlib.util.spec_from_file_location("graph_fixture", root / "tests/data/graph/fixture.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _graphs(fx):
    g = {graph_iri(r.document.doc_id): document_quads(r) for r in fx.results()}
    g[GRAPH_BASE + "_reference"] = reference_quads(fx.REGIONS, fx.DEPARTMENTS)
    return g


@pytest.fixture(scope="module")
def store(root):
    st = ox.Store()
    for quads in _graphs(_fixture(root)).values():
        st.extend(quads)
    return st


@pytest.fixture(scope="module")
def store_dir(root, tmp_path_factory):
    """The fixture in a persistent kg store (kg.store), as `kg build` leaves it."""
    from kg.store import open_store

    d = tmp_path_factory.mktemp("store") / "store"
    gs = open_store(d, read_only=False)
    gs.replace(_graphs(_fixture(root)))
    gs.close()
    return d


# (query, bindings, columns compared, expected rows) — checked by hand against fixture.py
EXPECTED = [
    ("department_leads", {}, ("department", "programme", "task", "year"), [
        (FGW, "内需扩量提效攻坚", "高质量推进“两重”建设", "2023"),
        (FGW, "内需扩量提效攻坚", "实施重大项目", "2025"),
        (FGW, "科技创新赋能攻坚", "支持岳麓山实验室建设", "2023"),
        ("湖南省科学技术厅", "科技创新赋能攻坚", "支持岳麓山实验室建设", "2023"),
        ("湖南省自然资源厅", "内需扩量提效攻坚", "加强要素保障", "2025")]),
    ("department_leads", {"name": "省发改委"}, ("task", "section", "evidence"), [
        ("高质量推进“两重”建设", "附件1 内需扩量提效攻坚实施方案 / （一）大力提振消费",
         "（省发展改革委牵头，省财政厅、各市州人民政府等按职责分工负责）"),
        ("实施重大项目", "一、内需扩量提效攻坚重点任务", "（省发改委牵头）"),
        ("支持岳麓山实验室建设", "附件2 科技创新赋能攻坚实施方案 / （一）建设实验室", "（省科技厅、省发改委牵头，长沙市人民政府参与）")]),
    ("department_supports", {"name": FGW}, ("task", "role", "document"), [
        ("优化消费环境", "按职责分工负责", A), ("加强要素保障", "参与", B)]),
    ("department_supports", {}, ("department", "task"), [
        (FGW, "优化消费环境"), (FGW, "加强要素保障"), ("湖南省市场监督管理局", "优化消费环境"),
        ("湖南省财政厅", "高质量推进“两重”建设"), ("长沙市人民政府", "支持岳麓山实验室建设")]),
    ("programme_leads", {"name": "七大攻坚"}, ("programme", "department", "tasks"), [
        ("七大攻坚", FGW, "3"), ("七大攻坚", "湖南省科学技术厅", "1"), ("七大攻坚", "湖南省自然资源厅", "1")]),
    ("programme_leads", {"name": "内需扩量提效攻坚"}, ("department", "tasks"), [(FGW, "2"), ("湖南省自然资源厅", "1")]),
    ("co_leads", {}, ("department", "co_lead", "tasks", "example"), [(FGW, "湖南省科学技术厅", "1", "支持岳麓山实验室建设")]),
    ("co_leads", {"name": "省科技厅"}, ("department", "co_lead"), [("湖南省科学技术厅", FGW)]),
    ("programmes_per_region", {}, ("region", "code", "programme", "sections"), [("长沙市", "430100", "科技创新赋能攻坚", "1")]),
    ("labs_corridors_per_region", {}, ("region", "type", "facility", "how"), [
        ("湖南省", "lab", "岳麓山实验室", "located_in"), ("长沙市", "lab", "岳麓山实验室", "located_in"),
        ("长沙市", "lab", "岳麓山实验室", "same_section")]),
    ("labs_corridors_per_region", {"name": "长沙"}, ("region", "facility", "how"), [
        ("长沙市", "岳麓山实验室", "located_in"), ("长沙市", "岳麓山实验室", "same_section")]),
    ("programme_across_documents", {}, ("programme", "document", "year", "mentions", "tasks"), [
        ("内需扩量提效攻坚", A, "2023", "1", "2"), ("内需扩量提效攻坚", B, "2025", "2", "3")]),
    ("programme_across_documents", {"name": "科技创新赋能攻坚"}, ("document", "year", "tasks"), [(A, "2023", "1")]),
    ("tasks_without_lead", {}, ("document", "task", "evidence"), [
        (B, "做好统计监测", "（各有关部门按职责分工负责）"), (A, "优化消费环境", "（省市场监管局、省发改委等按职责分工负责）")]),
    ("unresolved_names", {}, ("name", "type", "document"), [("湘江某某推进办", "department", A)]),
]


def test_every_named_query_has_a_documented_header_and_an_expected_answer():
    assert set(named_queries()) == {q for q, *_ in EXPECTED}
    for name, text in named_queries().items():
        assert text.startswith(f"# {name}:"), name


@pytest.mark.parametrize("name,bindings,cols,expected", EXPECTED, ids=[f"{e[0]}-{len(e[1])}" for e in EXPECTED])
def test_named_query_answers(store, name, bindings, cols, expected):
    res = run(named_queries()[name], store=store, bindings=bindings)
    assert [tuple(r[c] for c in cols) for r in res.rows] == expected


@pytest.mark.parametrize("fmt,check", [
    ("csv", lambda s: s.splitlines()[0] == "department,co_lead,tasks,example"),
    ("json", lambda s: json.loads(s)["rows"][0]["co_lead"] == "湖南省科学技术厅"),
    ("table", lambda s: "湖南省科学技术厅" in s and s.splitlines()[1].startswith("---")),
])
def test_output_formats(store, fmt, check):
    assert check(run(named_queries()["co_leads"], store=store).to(fmt))


def test_turtle_for_construct_and_ask(store):
    res = run("CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s a kg:Lab ; skos:prefLabel ?l }", store=store)
    ttl = res.to("turtle")
    g = ox.Store()
    g.load(ttl.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    assert len(g) == 1
    assert run("ASK { ?s a kg:Corridor }", store=store).to("json").strip() == '{"boolean": false}'
    with pytest.raises(QueryError):
        run("SELECT * WHERE { ?s ?p ?o } LIMIT 1", store=store).to("turtle")


@pytest.mark.parametrize("bad", ["SELECT WHERE {", "SELEKT ?x WHERE { ?x ?p ?o }"])
def test_bad_query_is_a_query_error(store, bad):
    with pytest.raises(QueryError, match="SPARQL"):
        run(bad, store=store)


@pytest.mark.parametrize("spec", ["not a query", "missing.rq"])
def test_load_query_errors(spec):
    with pytest.raises(QueryError):
        load_query(spec)


def test_bind_skips_comments_and_types_values():
    q = "# WHERE { not here\nSELECT ?x WHERE { ?x ?p ?o }"
    assert bind(q, {"o": "<http://x>", "n": 3}) == \
        "# WHERE { not here\nSELECT ?x WHERE { VALUES ?n { 3 } VALUES ?o { <http://x> } ?x ?p ?o }"


# ---------------------------------------------------------------- kg leads

@pytest.mark.parametrize("alias", ["省发改委", "省发展改革委", "湖南省发改委", " 湖南省发展和改革委员会 "])
def test_leads_is_identical_for_any_alias(store, alias):
    full = leads(FGW, store=store)
    other = leads(alias, store=store)
    assert to_text(other) == to_text(full) and to_json(other) == to_json(full)


def test_leads_answer_groups_by_programme_and_document(store):
    ans = leads("省发改委", store=store)["departments"]
    assert len(ans) == 1 and ans[0]["department"] == FGW
    assert (ans[0]["leads"], ans[0]["supports"]) == (3, 2)
    progs = [(p["path"], [d["document"] for d in p["documents"]]) for p in ans[0]["programmes"]]
    assert progs == [(["七大攻坚", "内需扩量提效攻坚"], [A, B]), (["七大攻坚", "科技创新赋能攻坚"], [A])]
    task = ans[0]["programmes"][0]["documents"][1]["tasks"][1]
    assert (task["task"], task["role"], task["evidence"]) == ("加强要素保障", "supports", "（省自然资源厅牵头，省发展改革委参与）")
    assert task["raw_text"] == "（省自\n\n然资源厅牵头，省发展改革委参与）" and task["section"] == "一、内需扩量提效攻坚重点任务"


def test_leads_unknown_name(store):
    assert resolve_department("没有这个部门", store=store) == []
    with pytest.raises(QueryError, match="no department"):
        leads("没有这个部门", store=store)


def test_all_responsibilities(store):
    recs = all_responsibilities(store=store)
    assert len(recs) == 6
    assert [r["leads"] for r in recs if r["task"] == "支持岳麓山实验室建设"] == [[FGW, "湖南省科学技术厅"]]
    assert [r["task"] for r in recs if not r["leads"]] == ["优化消费环境", "做好统计监测"]


# ---------------------------------------------------------------- CLI

def _cli(*args):
    from kg.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_cli_leads_alias_and_full_name_byte_identical(store_dir, fmt):
    a = _cli("leads", "省发改委", "--store", str(store_dir), "--format", fmt)
    b = _cli("leads", FGW, "--store", str(store_dir), "--format", fmt)
    assert a.exit_code == 0 and b.exit_code == 0
    assert a.stdout_bytes == b.stdout_bytes
    assert "高质量推进“两重”建设" in a.output


@pytest.mark.parametrize("args,code,needle", [
    (("query", "department_leads", "--bind", "name=省科技厅", "--format", "csv"), 0, "湖南省科学技术厅,科技创新赋能攻坚"),
    (("query", "--list"), 0, "tasks_without_lead"),
    (("query", "SELECT ?x WHERE {", "--format", "json"), 1, "SPARQL syntax error"),
    (("query", "co_leads", "--bind", "oops"), 1, "VAR=VALUE"),
    (("leads", "--all", "--format", "json"), 0, "做好统计监测"),
    (("leads", "nobody"), 1, "no department"),
])
def test_cli_query_and_leads(store_dir, args, code, needle):
    r = _cli(*args, "--store", str(store_dir))
    assert r.exit_code == code
    assert needle in r.output


def test_cli_needs_a_store(tmp_path):
    r = _cli("leads", "省发改委", "--store", str(tmp_path / "none"))
    assert r.exit_code == 1 and "kg build" in r.output


# ---------------------------------------------------------------- a real SPARQL endpoint

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(store, tmp_path_factory):
    """`oxigraph serve` on loopback with the fixture loaded, union default graph on."""
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    d = tmp_path_factory.mktemp("oxi")
    nq = d / "kg.nq"
    ox.serialize(store, str(nq), format=ox.RdfFormat.N_QUADS)
    subprocess.run([exe, "load", "--location", str(d / "db"), "--file", str(nq)], check=True,
                   capture_output=True, timeout=60)
    port = _free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(d / "db"), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            run("ASK { ?s ?p ?o }", endpoint=url, timeout=2)
            break
        except QueryError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_remote_endpoint_gives_the_same_answers(store, endpoint, name):
    local = run(named_queries()[name], store=store)
    remote = run(named_queries()[name], endpoint=endpoint)
    assert remote.vars == local.vars and remote.rows == local.rows


def test_remote_leads_and_construct(store, endpoint):
    assert to_json(leads("省发改委", endpoint=endpoint)) == to_json(leads(FGW, store=store))
    res = run("CONSTRUCT { ?s a kg:Lab } WHERE { ?s a kg:Lab }", endpoint=endpoint)
    assert len(res.graph) == 1


def test_remote_errors_are_clear(endpoint):
    with pytest.raises(QueryError, match="HTTP 400"):
        run("SELECT ?x WHERE {", endpoint=endpoint)
    with pytest.raises(QueryError, match="cannot reach"):
        run("ASK {}", endpoint=f"http://127.0.0.1:{_free_port()}/query", timeout=2)


def test_console_leads_alias_and_full_name_byte_identical(root, store_dir):
    """The same through a fresh `python -m kg` process, as a user runs it."""
    import sys

    outs = [subprocess.run([sys.executable, "-m", "kg", "leads", name, "--store", str(store_dir)],
                           cwd=root, capture_output=True, timeout=120) for name in ("省发改委", FGW)]
    assert all(o.returncode == 0 for o in outs), outs[0].stderr.decode()
    assert outs[0].stdout == outs[1].stdout and "支持岳麓山实验室建设".encode() in outs[0].stdout


@pytest.mark.slow
def test_sample_leads_acceptance(corpus_dir):
    """On the sample corpus: 省发改委 and its full name give identical answers, which include the
    parts of the “七大攻坚” it leads (内需扩量提效攻坚 → 高质量推进“两重”建设) with the evidence note."""
    pipeline = pytest.importorskip("kg.pipeline")
    from kg import reference

    st = ox.Store()
    for path in sorted(corpus_dir.glob("*.txt")):
        st.extend(document_quads(pipeline.process(str(path))))
    st.extend(reference_quads(reference.regions(), reference.departments()))
    a, b = leads("省发改委", store=st), leads(FGW, store=st)
    assert to_text(a) == to_text(b) and to_json(a) == to_json(b)
    found = [(p["path"], t["task"], t["role"], t["evidence"]) for p in a["departments"][0]["programmes"]
             for d in p["documents"] for t in d["tasks"] if t["task"] == "高质量推进“两重”建设"]
    assert any(path[-2:] == ["七大攻坚", "内需扩量提效攻坚"] and role == "leads" and "省发展改革委牵头" in ev
               for path, _, role, ev in found), found
    for name in named_queries():  # every named query runs and answers on the sample
        assert run(named_queries()[name], store=st).rows, name
