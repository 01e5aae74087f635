"""The ``kg`` vocabulary as a closed namespace, plus the IRI bases.

Every term here is declared in ``ontology/kg.ttl`` and every ``kg:`` term declared
there is listed here (a test checks both directions). Naming a term that does not
exist raises at once instead of silently minting a new IRI:

>>> str(KG.leads)
'https://w3id.org/cnpolicy-kg/def#leads'
>>> KG.leadz
Traceback (most recent call last):
...
AttributeError: term 'leadz' not in namespace 'https://w3id.org/cnpolicy-kg/def#'
"""
from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

BASE = "https://w3id.org/cnpolicy-kg/"
VOCAB = BASE + "def#"
ID_BASE = BASE + "id/"
GRAPH_BASE = BASE + "graph/"

#: Prefixes used in queries, exports and the JSON-LD context (sorted by prefix).
PREFIXES: dict[str, str] = {
    "dcterms": "http://purl.org/dc/terms/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "kg": VOCAB,
    "kgid": ID_BASE,
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


class KG(DefinedNamespace):
    """Classes and properties of the cnpolicy-kg vocabulary (``ontology/kg.ttl``)."""

    _fail = True
    _NS = Namespace(VOCAB)

    # classes
    PolicyDocument: URIRef
    Section: URIRef
    Task: URIRef
    Responsibility: URIRef
    GovernmentBody: URIRef
    Region: URIRef
    Lab: URIRef
    Corridor: URIRef
    Programme: URIRef
    Mention: URIRef
    # responsibilities
    leads: URIRef
    supports: URIRef
    forTask: URIRef
    leadUnit: URIRef
    supportingUnit: URIRef
    collectiveUnit: URIRef
    leadMode: URIRef
    roleWord: URIRef
    evidenceText: URIRef
    # tasks and programmes
    partOfProgramme: URIRef
    parentProgramme: URIRef
    taskNumber: URIRef
    parentTask: URIRef
    # mentions and places
    mentions: URIRef
    mentionOf: URIRef
    locatedIn: URIRef
    adminCode: URIRef
    divisionLevel: URIRef
    # documents
    issuedBy: URIRef
    issuerName: URIRef
    docNumber: URIRef
    documentKind: URIRef
    sourcePath: URIRef
    unresolvedName: URIRef
    # sections and provenance
    inSection: URIRef
    sectionPath: URIRef
    parentSection: URIRef
    headingNumber: URIRef
    headingLevel: URIRef
    rawStart: URIRef
    rawEnd: URIRef
    # flags and bookkeeping
    collective: URIRef
    unresolved: URIRef
    unconfirmed: URIRef
    pipelineVersion: URIRef


#: Entity type (``kg.types.ENTITY_TYPES``) → class local name.
TYPE_CLASS: dict[str, str] = {
    "department": "GovernmentBody",
    "region": "Region",
    "lab": "Lab",
    "corridor": "Corridor",
    "programme": "Programme",
}
CLASS_TYPE: dict[str, str] = {v: k for k, v in TYPE_CLASS.items()}
