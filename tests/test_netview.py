"""The networkx views: explorer graph attributes (the contract with kg.visualise) and projections."""
from __future__ import annotations

import importlib.util

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.graph import document_quads, reference_quads
from kg.netview import EDGE_LABEL, explorer_graph, to_networkx

NODE_ATTRS = {"type": str, "label": str, "aliases": list, "documents": list, "years": list, "n_led": int,
              "collective": bool, "evidence": list}
EVIDENCE_KEYS = {"text", "document", "section", "task", "role"}
FGW = "湖南省发展和改革委员会"


@pytest.fixture(scope="module")
def store(root):
    spec = importlib.util.spec_from_file_location("graph_fixture", root / "tests/data/graph/fixture.py")
    fx = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fx)
    st = ox.Store()
    for r in fx.results():
        st.extend(document_quads(r))
    st.extend(reference_quads(fx.REGIONS, fx.DEPARTMENTS))
    return st


@pytest.fixture(scope="module")
def G(store):
    return explorer_graph(store)


def _by_label(G, label):
    return [a for _, a in G.nodes(data=True) if a["label"] == label][0]


def test_every_node_has_exactly_the_documented_attributes(G):
    assert G.number_of_nodes() == 24
    for n, a in G.nodes(data=True):
        assert set(a) == set(NODE_ATTRS), n
        for k, t in NODE_ATTRS.items():
            assert isinstance(a[k], t), (n, k)
        assert a["type"] in {"department", "region", "lab", "corridor", "programme", "task", "document"}
        assert a["aliases"] == sorted(a["aliases"]) and a["years"] == sorted(a["years"])
        for ev in a["evidence"]:
            assert set(ev) == EVIDENCE_KEYS and ev["role"] in {"leads", "supports", "mentions"}


def test_every_edge_has_the_documented_attributes(G):
    rels = set()
    for s, o, a in G.edges(data=True):
        assert set(a) == {"relation", "label", "evidence"}
        assert a["label"] == EDGE_LABEL[a["relation"]]
        rels.add(a["relation"])
        if a["relation"] in ("leads", "supports"):
            assert a["evidence"] and all(set(e) == EVIDENCE_KEYS for e in a["evidence"])
    assert rels == {"leads", "supports", "part_of", "located_in", "mentions", "in_document"}


@pytest.mark.parametrize("label,attr,value", [
    (FGW, "n_led", 3),
    (FGW, "aliases", ["湖南省发改委", "省发展改革委", "省发改委"]),
    (FGW, "years", [2023, 2025]),
    ("湖南省科学技术厅", "n_led", 1),
    ("各市州人民政府", "collective", True),
    ("长沙市", "n_led", 0),
    ("长沙市", "evidence", []),
    ("加强要素保障", "documents", ["湖南省2025年内需扩量提效攻坚工作要点"]),
])
def test_node_values(G, label, attr, value):
    assert _by_label(G, label)[attr] == value


def test_department_evidence_is_every_note_naming_it(G):
    ev = _by_label(G, FGW)["evidence"]
    assert sorted((e["task"], e["role"]) for e in ev) == sorted([
        ("高质量推进“两重”建设", "leads"), ("实施重大项目", "leads"), ("支持岳麓山实验室建设", "leads"),
        ("优化消费环境", "supports"), ("加强要素保障", "supports")])


@pytest.mark.parametrize("kwargs,present,absent", [
    ({"focus": "省发改委"}, {FGW, "湖南省科学技术厅", "实施重大项目", "内需扩量提效攻坚", "七大攻坚"}, {"做好统计监测", "各有关部门"}),
    ({"focus": FGW}, {"支持岳麓山实验室建设"}, {"做好统计监测"}),
    ({"programme": "科技创新赋能攻坚"}, {"支持岳麓山实验室建设", "湖南省科学技术厅", "长沙市人民政府"}, {"实施重大项目"}),
    ({"programme": "七大攻坚"}, {"实施重大项目", "支持岳麓山实验室建设"}, set()),
    ({"document": "b_2025.txt"}, {"做好统计监测", "各有关部门", "湖南省自然资源厅"}, {"支持岳麓山实验室建设"}),
    ({"document": "docs/a_2023.txt"}, {"岳麓山实验室", "长沙市"}, {"做好统计监测"}),
])
def test_trace_views(store, kwargs, present, absent):
    H = explorer_graph(store, **kwargs)
    labels = {a["label"] for _, a in H.nodes(data=True)}
    assert present <= labels and not (absent & labels)
    assert all(set(a) == set(NODE_ATTRS) for _, a in H.nodes(data=True))


@pytest.mark.parametrize("kwargs", [{"focus": "没有的部门"}, {"programme": "省发改委"}, {"document": "nope.txt"}])
def test_unknown_trace_names(store, kwargs):
    with pytest.raises(QueryError):
        explorer_graph(store, **kwargs)


def _weights(H):
    return {tuple(sorted((H.nodes[a]["label"], H.nodes[b]["label"]))): d["weight"] for a, b, d in H.edges(data=True)}


@pytest.mark.parametrize("projection,year,expected", [
    ("co-lead", None, {(FGW, "湖南省科学技术厅"): 1}),
    ("co-lead", 2025, {}),
    ("department-programme", 2025, {("内需扩量提效攻坚", FGW): 2, ("内需扩量提效攻坚", "湖南省自然资源厅"): 1,
                                    ("内需扩量提效攻坚", "各有关部门"): 1}),
])
def test_projections(store, projection, year, expected):
    H = to_networkx(store, projection, year=year)
    assert isinstance(H, nx.Graph) and _weights(H) == expected


def test_projection_supports_analysis(store):
    H = to_networkx(store, "department-programme")
    c = nx.degree_centrality(H)
    top = max(sorted(c), key=c.get)
    assert H.nodes[top]["label"] == "内需扩量提效攻坚"
    full = to_networkx(store, "full", year=2023)
    assert all(2023 in a["years"] or a["type"] == "region" for _, a in full.nodes(data=True))
    with pytest.raises(QueryError):
        to_networkx(store, "nope")
