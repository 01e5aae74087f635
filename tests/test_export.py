"""Exports: every format parses back to the graph, and rebuilding gives byte-identical files."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import subprocess
import sys

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib

from kg.export import EXPORT_FILES, write_exports
from kg.graph import GRAPH_BASE, document_quads, reference_quads

BUILD = """
import importlib.util, sys
import pyoxigraph as ox
from kg.graph import document_quads, reference_quads
from kg.export import write_exports
spec = importlib.util.spec_from_file_location("f", sys.argv[1]); fx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fx)
st = ox.Store()
for r in reversed(fx.results()):
    st.extend(reversed(document_quads(r)))
st.extend(reference_quads(fx.REGIONS, fx.DEPARTMENTS))
write_exports(st, sys.argv[2])
"""


def _fixture(root):
    spec = importlib.util.spec_from_file_location("graph_fixture", root / "tests/data/graph/fixture.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _store(fx, reverse=False):
    st = ox.Store()
    results = list(reversed(fx.results())) if reverse else fx.results()
    for r in results:
        st.extend(document_quads(r))
    st.extend(reference_quads(fx.REGIONS, fx.DEPARTMENTS))
    return st


@pytest.fixture(scope="module")
def fx(root):
    return _fixture(root)


@pytest.fixture(scope="module")
def exported(fx, tmp_path_factory):
    st = _store(fx)
    out = tmp_path_factory.mktemp("exports")
    paths = write_exports(st, out)
    return st, out, paths


def test_writes_every_format(exported):
    _, out, paths = exported
    assert [p.name for p in paths] == list(EXPORT_FILES)
    assert all(p.stat().st_size > 0 for p in paths)
    assert not list(out.glob("*.tmp"))


def test_rebuild_is_byte_identical(fx, exported, tmp_path):
    _, out, _ = exported
    write_exports(_store(fx, reverse=True), tmp_path / "again")
    for name in EXPORT_FILES:
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name


def test_rebuild_in_another_process_is_byte_identical(root, exported, tmp_path):
    _, out, _ = exported
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-c", BUILD, str(root / "tests/data/graph/fixture.py"), str(tmp_path / "p")],
                   check=True, env=env, cwd=root, timeout=120)
    for name in EXPORT_FILES:
        assert (tmp_path / "p" / name).read_bytes() == (out / name).read_bytes(), name


def _quadset(ds: rdflib.Dataset) -> set:
    return {(str(s), str(p), str(o), str(getattr(g, "identifier", g))) for s, p, o, g in ds.quads()}


@pytest.mark.parametrize("name,fmt", [("kg.trig", "trig"), ("kg.nq", "nquads"), ("kg.jsonld", "json-ld")])
def test_dataset_exports_keep_named_graphs(exported, name, fmt):
    st, out, _ = exported
    ds = rdflib.Dataset()
    ds.parse(out / name, format=fmt)
    quads = _quadset(ds)
    assert len(quads) == len(st)
    graphs = {g for *_, g in quads}
    assert GRAPH_BASE + "_reference" in graphs and GRAPH_BASE + "aaaa000000000001" in graphs


def test_jsonld_uses_the_project_context(root, exported):
    _, out, _ = exported
    doc = json.loads((out / "kg.jsonld").read_text(encoding="utf-8"))
    ctx = json.loads((root / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert doc["@context"] == ctx


def test_turtle_is_the_union(exported):
    st, out, _ = exported
    g = rdflib.Graph().parse(out / "kg.ttl", format="turtle")
    assert len(g) == len({q.triple for q in st})


def test_graphml_opens_in_networkx(exported):
    _, out, _ = exported
    G = nx.read_graphml(out / "kg.graphml")
    types = nx.get_node_attributes(G, "type")
    assert set(types.values()) == {"department", "region", "lab", "programme", "task", "document"}
    ev = [json.loads(a["evidence"]) for _, a in G.nodes(data=True) if a["label"] == "湖南省科学技术厅"]
    assert ev[0][0]["role"] == "leads"


def test_responsibilities_csv(exported):
    _, out, _ = exported
    rows = list(csv.DictReader(io.StringIO((out / "responsibilities.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 6
    row = [r for r in rows if r["task"] == "加强要素保障"][0]
    assert (row["leads"], row["supporting"], row["programmes"]) == ("湖南省自然资源厅", "湖南省发展和改革委员会",
                                                                   "七大攻坚 / 内需扩量提效攻坚")
    assert (row["raw_start"], row["raw_end"]) == ("63", "84")


def test_cli_export(fx, tmp_path):
    from click.testing import CliRunner
    from kg.cli import main
    from kg.store import open_store

    gs = open_store(tmp_path / "store", read_only=False)
    gs.replace({GRAPH_BASE + r.document.doc_id: document_quads(r) for r in fx.results()})
    gs.close()
    res = CliRunner().invoke(main, ["export", "--store", str(tmp_path / "store"), "--out", str(tmp_path / "x")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == sorted(EXPORT_FILES)
