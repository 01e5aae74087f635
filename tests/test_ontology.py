"""The vocabulary (ontology/kg.ttl), the closed namespace (kg/namespace.py) and the SHACL shapes."""
from __future__ import annotations

import importlib.util
import json

import pyoxigraph
import pyshacl
import pytest
import rdflib
from rdflib.namespace import RDF, RDFS

from kg.graph import document_quads, reference_quads
from kg.namespace import KG, PREFIXES, VOCAB


def _fixture(root):
    spec = importlib.util.spec_from_file_location("graph_fixture", root / "tests/data/graph/fixture.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def onto(root):
    return rdflib.Graph().parse(root / "ontology" / "kg.ttl")


@pytest.fixture(scope="module")
def union(root):
    """The fixture graph (both documents + reference) as one rdflib graph."""
    fx = _fixture(root)
    quads = [q for r in fx.results() for q in document_quads(r)] + reference_quads(fx.REGIONS, fx.DEPARTMENTS)
    data = pyoxigraph.serialize([q.triple for q in quads], format=pyoxigraph.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")


def _declared(onto) -> set[str]:
    return {str(s)[len(VOCAB):] for s in onto.subjects(RDF.type, None) if str(s).startswith(VOCAB)}


def test_namespace_matches_ontology_exactly(onto):
    in_python = {n for n in KG.__annotations__ if not n.startswith("_")}
    assert in_python and _declared(onto) == in_python


@pytest.mark.parametrize("typo", ["leadz", "Programm", "rawstart"])
def test_namespace_is_closed(typo):
    with pytest.raises(AttributeError):
        getattr(KG, typo)


def test_every_term_has_zh_and_en_labels(onto):
    for name in sorted(_declared(onto)):
        langs = {l.language for l in onto.objects(rdflib.URIRef(VOCAB + name), RDFS.label)}
        assert {"zh", "en"} <= langs, name


@pytest.mark.parametrize("cls,parent", [
    ("PolicyDocument", "http://data.europa.eu/eli/ontology#LegalResource"),
    ("PolicyDocument", "https://schema.org/Legislation"),
    ("GovernmentBody", "http://www.w3.org/ns/org#Organization"),
    ("Programme", "http://www.w3.org/2004/02/skos/core#Concept"),
    ("Responsibility", "http://www.w3.org/ns/prov#Entity"),
])
def test_classes_reuse_standard_vocabularies(onto, cls, parent):
    assert (rdflib.URIRef(VOCAB + cls), RDFS.subClassOf, rdflib.URIRef(parent)) in onto


@pytest.mark.parametrize("prop,parent", [
    ("parentProgramme", "http://www.w3.org/2004/02/skos/core#broader"),
    ("adminCode", "http://www.w3.org/2004/02/skos/core#notation"),
    ("docNumber", "http://data.europa.eu/eli/ontology#id_local"),
    ("issuedBy", "http://purl.org/dc/terms/publisher"),
])
def test_properties_reuse_standard_vocabularies(onto, prop, parent):
    assert (rdflib.URIRef(VOCAB + prop), RDFS.subPropertyOf, rdflib.URIRef(parent)) in onto


def test_context_declares_every_prefix(root):
    ctx = json.loads((root / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    for p, iri in PREFIXES.items():
        assert ctx[p] == iri


def _validate(root, g):
    ok, _, text = pyshacl.validate(g, shacl_graph=str(root / "ontology" / "shapes.ttl"), advanced=True)
    return ok, text


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_fixture_graph_conforms_to_shapes(root, union):
    ok, text = _validate(root, union)
    assert ok, text


KGN = rdflib.Namespace(VOCAB)
SKOS = rdflib.Namespace(PREFIXES["skos"])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("breakage", ["no_task", "bad_code", "no_span", "two_labels", "end_before_start"])
def test_shapes_catch_broken_graphs(root, union, breakage):
    g = rdflib.Graph()
    g += union
    resp = sorted(g.subjects(RDF.type, KGN.Responsibility))[0]
    region = sorted(g.subjects(RDF.type, KGN.Region))[0]
    if breakage == "no_task":
        g.remove((resp, KGN.forTask, None))
    elif breakage == "bad_code":
        g.set((region, KGN.adminCode, rdflib.Literal("43A1")))
    elif breakage == "no_span":
        g.remove((resp, KGN.rawStart, None))
    elif breakage == "two_labels":
        g.add((region, SKOS.prefLabel, rdflib.Literal("另一个名字", lang="zh")))
    elif breakage == "end_before_start":
        g.set((resp, KGN.rawEnd, rdflib.Literal(-1)))
    ok, _ = _validate(root, g)
    assert not ok


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_sample_graph_conforms_to_shapes(root, corpus_dir):
    """The graph of the whole sample corpus, built by the real pipeline, passes SHACL."""
    pipeline = pytest.importorskip("kg.pipeline")
    from kg import reference

    quads = reference_quads(reference.regions(), reference.departments())
    for path in sorted(corpus_dir.glob("*.txt")):
        quads += document_quads(pipeline.process(str(path)))
    data = pyoxigraph.serialize([q.triple for q in quads], format=pyoxigraph.RdfFormat.N_TRIPLES)
    g = rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")
    ok, text = _validate(root, g)
    assert ok, text[:3000]
