"""DocResult → quads: IRIs from identity, one named graph per document, provenance to raw spans."""
from __future__ import annotations

import importlib.util

import pyoxigraph as ox
import pytest

from kg.graph import (GRAPH_BASE, document_iri, document_quads, entity_iri, graph_iri, reference_quads,
                      segment, version_quads)
from kg.namespace import ID_BASE, VOCAB


@pytest.fixture(scope="module")
def fx(root):
    spec = importlib.util.spec_from_file_location("graph_fixture", root / "tests/data/graph/fixture.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def store(fx):
    st = ox.Store()
    for r in fx.results():
        st.extend(document_quads(r))
    st.extend(reference_quads(fx.REGIONS, fx.DEPARTMENTS))
    return st


def ask(store, q):
    pre = (f"PREFIX kg: <{VOCAB}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
           "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/> ")
    res = store.query(pre + q, use_default_graph_as_union=True)
    if isinstance(res, ox.QueryBoolean):
        return bool(res)
    return sorted({tuple(None if s[v] is None else s[v].value for v in res.variables) for s in res})


@pytest.mark.parametrize("key,iri", [
    ("department/湖南省发展和改革委员会", ID_BASE + "department/湖南省发展和改革委员会"),
    ("region/洞庭湖生态经济区(湖南部分)", ID_BASE + "region/洞庭湖生态经济区%28湖南部分%29"),
    ("programme/“4+4科创工程”", ID_BASE + "programme/“4%2B4科创工程”"),
    ("corridor/中欧班列 (长沙)", ID_BASE + "corridor/中欧班列%20%28长沙%29"),
    ("lab/a/b#c?d", ID_BASE + "lab/a%2Fb%23c%3Fd"),
])
def test_entity_iri_is_canonical_and_safe(key, iri):
    assert entity_iri(key) == iri
    ox.NamedNode(iri)  # a valid IRI


@pytest.mark.parametrize("text", ["a b", "<x>", "50%", "\x00", "\ufffe", "全角　空格"])
def test_segment_gives_valid_iris(text):
    ox.NamedNode(ID_BASE + "x/" + segment(text))


def test_one_named_graph_per_document(fx):
    for r in fx.results():
        quads = document_quads(r)
        assert {q.graph_name.value for q in quads} == {graph_iri(r.document.doc_id)}
        assert graph_iri(r.document.doc_id) == GRAPH_BASE + r.document.doc_id


def test_rebuild_is_identical_and_never_duplicates(fx, store):
    for r in fx.results():
        a, b = document_quads(r), document_quads(r)
        assert a == b and len(set(a)) == len(a)
    st = ox.Store()
    for _ in range(2):
        for r in fx.results():
            st.extend(document_quads(r))
    assert len(st) == len(store) - len(reference_quads(fx.REGIONS, fx.DEPARTMENTS))
    # the same department is one node across both documents
    assert ask(store, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d skos:altLabel|skos:prefLabel ?l "
                      "FILTER(STR(?l) IN ('省发改委', '省发展改革委', '湖南省发展和改革委员会')) }") == [("1",)]


def test_responsibilities_trace_to_raw_span(fx, store):
    rows = ask(store, "SELECT ?r ?doc ?s ?e ?v ?ev WHERE { ?r a kg:Responsibility ; prov:wasQuotedFrom ?doc ; "
                      "kg:rawStart ?s ; kg:rawEnd ?e ; prov:value ?v ; kg:evidenceText ?ev }")
    assert len(rows) == 6
    raws = {document_iri(r.document.doc_id): r.document.raw for r in fx.results()}
    for _, doc, s, e, v, ev in rows:
        assert raws[doc][int(s):int(e)] == v
        assert v.replace("\n", "") == ev
    broken = [v for *_, v, ev in rows if v != ev]
    assert broken == ["（省自\n\n然资源厅牵头，省发展改革委参与）"]


def test_mentions_trace_to_raw_span(fx, store):
    rows = ask(store, "SELECT ?doc ?s ?e ?v ?sec WHERE { ?m a kg:Mention ; prov:wasQuotedFrom ?doc ; kg:rawStart ?s ; "
                      "kg:rawEnd ?e ; prov:value ?v OPTIONAL { ?m kg:sectionPath ?sec } }")
    assert len(rows) == sum(len(r.mentions) for r in fx.results())
    raws = {document_iri(r.document.doc_id): r.document.raw for r in fx.results()}
    assert all(raws[d][int(s):int(e)] == v for d, s, e, v, _ in rows)
    assert ("附件2 科技创新赋能攻坚实施方案 / （一）建设实验室" in {sec for *_, sec in rows})


@pytest.mark.parametrize("query,expected", [
    # programme hierarchy from Entity.parent
    ("SELECT ?c WHERE { ?p kg:parentProgramme/skos:prefLabel '七大攻坚'@zh . ?p skos:prefLabel ?c }",
     [("内需扩量提效攻坚",), ("科技创新赋能攻坚",)]),
    # tasks belong to the programme their heading names
    ("SELECT ?t WHERE { ?x kg:partOfProgramme/skos:prefLabel '科技创新赋能攻坚'@zh ; dcterms:title ?t }",
     [("支持岳麓山实验室建设",)]),
    # regions nest and carry codes
    ("SELECT ?code ?parent WHERE { ?r skos:prefLabel '长沙市'@zh ; kg:adminCode ?code ; "
     "kg:locatedIn/skos:prefLabel ?parent }", [("430100", "湖南省")]),
    ("SELECT ?reg WHERE { ?l skos:prefLabel '岳麓山实验室'@zh ; kg:locatedIn+/skos:prefLabel ?reg }",
     [("湖南省",), ("长沙市",)]),
    # unresolved names are flagged and listed, not dropped
    ("SELECT ?n WHERE { ?e kg:unresolved true ; skos:prefLabel ?n }", [("湘江某某推进办",)]),
    ("SELECT ?n WHERE { ?d kg:unresolvedName ?n }", [("湘江某某推进办",)]),
    # collective actors are marked
    ("SELECT ?n WHERE { ?e kg:collective true ; skos:prefLabel ?n }", [("各市州人民政府",), ("各有关部门",)]),
    # the issuer resolves to a body; 文号, date and kind are kept
    ("SELECT ?by ?no ?date ?kind WHERE { ?d kg:issuedBy/skos:prefLabel ?by ; kg:docNumber ?no ; "
     "dcterms:issued ?date ; kg:documentKind ?kind }", [("湖南省人民政府办公厅", "湘政办发〔2023〕9号", "2023-03-01", "实施方案")]),
    # qualified and direct lead edges agree
    ("SELECT ?t WHERE { ?d skos:altLabel '省科技厅'@zh ; kg:leads/dcterms:title ?t }", [("支持岳麓山实验室建设",)]),
    ("ASK { ?r kg:leadUnit ?d ; kg:forTask ?t . FILTER NOT EXISTS { ?d kg:leads ?t } }", False),
    # a task's section path and its section node
    ("SELECT ?p WHERE { ?t dcterms:title '加强要素保障'@zh ; kg:inSection/kg:sectionPath ?p }",
     [("一、内需扩量提效攻坚重点任务",)]),
    # reference rows: confirmed and not
    ("SELECT ?n WHERE { ?e kg:unconfirmed true ; skos:prefLabel ?n }", [("湖南省科学技术厅",)]),
    ("SELECT ?p WHERE { ?r skos:prefLabel '岳麓区'@zh ; kg:locatedIn/skos:prefLabel ?p }", [("长沙市",)]),
])
def test_graph_facts(store, query, expected):
    assert ask(store, query) == expected


def test_reference_graph_and_version(fx):
    ref = reference_quads(fx.REGIONS, fx.DEPARTMENTS)
    assert {q.graph_name.value for q in ref} == {GRAPH_BASE + "_reference"}
    assert ref == reference_quads(list(reversed(fx.REGIONS)), fx.DEPARTMENTS)
    v = version_quads(GRAPH_BASE + "_version/1", "1")
    assert len(v) == 1 and v[0].object.value == "1"
