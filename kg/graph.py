"""RDF quads from extraction results: one named graph per document, with provenance.

IRIs come from canonical identity, so rebuilding never duplicates a node:

* entities: ``…/id/{type}/{name}`` from :attr:`Entity.key` (unsafe characters percent-encoded);
* a document: ``…/id/document/{doc_id}``, its named graph ``…/graph/{doc_id}``;
* sections, tasks, responsibilities and mentions: ``…/id/{kind}/{doc_id}/…`` from the section
  path, the task number and title, or the raw span.

Every responsibility and mention carries ``prov:wasQuotedFrom`` its document, ``kg:inSection``
its section, ``kg:rawStart``/``kg:rawEnd`` (raw offsets) and ``prov:value`` (the raw text).

>>> entity_iri("department/湖南省 发改委")
'https://w3id.org/cnpolicy-kg/id/department/湖南省%20发改委'
>>> entity_iri("region/a/b")
'https://w3id.org/cnpolicy-kg/id/region/a%2Fb'
"""
from __future__ import annotations

import hashlib
from typing import Iterable, Mapping

from pyoxigraph import Literal, NamedNode, Quad
from rdflib.term import URIRef

from kg.namespace import GRAPH_BASE, ID_BASE, KG, PREFIXES, TYPE_CLASS
from kg.types import DocResult, Entity, Mention, Responsibility, Section, Unit

__all__ = ["GRAPH_BASE", "ID_BASE", "SECTION_SEP", "entity_iri", "graph_iri", "document_iri",
           "document_quads", "reference_quads", "version_quads", "segment"]

SECTION_SEP = " / "
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

_RDF, _RDFS, _SKOS = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["skos"]
_DCT, _PROV, _XSD, _ORG = PREFIXES["dcterms"], PREFIXES["prov"], PREFIXES["xsd"], PREFIXES["org"]
TYPE = NamedNode(_RDF + "type")
LABEL = NamedNode(_RDFS + "label")
PREF = NamedNode(_SKOS + "prefLabel")
ALT = NamedNode(_SKOS + "altLabel")
TITLE = NamedNode(_DCT + "title")
ISSUED = NamedNode(_DCT + "issued")
FORMAT = NamedNode(_DCT + "format")
IDENT = NamedNode(_DCT + "identifier")
PART_OF = NamedNode(_DCT + "isPartOf")
DERIVED = NamedNode(_PROV + "wasDerivedFrom")
QUOTED = NamedNode(_PROV + "wasQuotedFrom")
VALUE = NamedNode(_PROV + "value")
SUBORG = NamedNode(_ORG + "subOrganizationOf")
_INT = NamedNode(_XSD + "integer")
_BOOL = NamedNode(_XSD + "boolean")
_DATE = NamedNode(_XSD + "date")


def _k(term) -> NamedNode:
    return NamedNode(str(term))


def segment(text: str) -> str:
    """One IRI path segment: ASCII other than unreserved characters, controls and
    non-characters are percent-encoded (UTF-8); other Unicode (Chinese) stays readable.

    >>> segment("长株潭 (湖南)")
    '长株潭%20%28湖南%29'
    """
    out = []
    for ch in text:
        o = ord(ch)
        if ch in _UNRESERVED or (o >= 0xA0 and not (0xD800 <= o <= 0xDFFF or 0xFDD0 <= o <= 0xFDEF
                                                    or (o & 0xFFFE) == 0xFFFE)):
            out.append(ch)
        else:
            out.extend("%%%02X" % b for b in ch.encode("utf-8", "surrogatepass"))
    return "".join(out)


def entity_iri(key: str) -> str:
    """IRI of the entity with key ``"{type}/{canonical name}"``."""
    etype, _, name = key.partition("/")
    return f"{ID_BASE}{segment(etype)}/{segment(name)}"


def graph_iri(doc_id: str) -> str:
    return GRAPH_BASE + segment(doc_id)


def document_iri(doc_id: str) -> str:
    return f"{ID_BASE}document/{segment(doc_id)}"


def _h(*parts) -> str:
    return hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _zh(text: str) -> Literal:
    return Literal(text, language="zh")


class _Quads:
    """Collects quads of one graph without duplicates, in first-seen order."""

    def __init__(self, graph: str):
        self.g = NamedNode(graph)
        self.seen: set = set()
        self.out: list[Quad] = []

    def add(self, s, p, o) -> None:
        s = s if isinstance(s, NamedNode) else NamedNode(s)
        p = p if isinstance(p, NamedNode) else _k(p)
        if isinstance(o, URIRef):
            o = NamedNode(str(o))
        elif isinstance(o, str):
            o = Literal(o)
        elif isinstance(o, bool):
            o = Literal("true" if o else "false", datatype=_BOOL)
        elif isinstance(o, int):
            o = Literal(str(o), datatype=_INT)
        q = Quad(s, p, o, self.g)
        if q not in self.seen:
            self.seen.add(q)
            self.out.append(q)

    def describe(self, key: str, *, label: str | None = None, aliases: Iterable[str] = (),
                 unresolved: bool = False, collective: bool = False) -> NamedNode:
        """Type and labels of an entity (every graph that uses an entity describes it)."""
        etype, _, name = key.partition("/")
        node = NamedNode(entity_iri(key))
        cls = TYPE_CLASS.get(etype)
        if cls:
            self.add(node, TYPE, NamedNode(str(KG[cls])))
        name = label or name
        self.add(node, PREF, _zh(name))
        self.add(node, LABEL, _zh(name))
        for a in sorted(set(aliases)):
            if a and a != name:
                self.add(node, ALT, _zh(a))
        if unresolved:
            self.add(node, KG.unresolved, True)
        if collective:
            self.add(node, KG.collective, True)
        return node


def _unit_key(u: Unit | Mention, etype: str = "department") -> tuple[str, bool]:
    if u.entity:
        return u.entity, False
    return f"{etype}/{u.text}", True


def _section_index(sections: tuple[Section, ...]) -> dict[tuple[str, ...], Section]:
    return {tuple(s.path): s for s in sections}


def _deepest_section(sections: list[Section], pos: int) -> Section | None:
    best = None
    for s in sections:
        if s.start <= pos < s.end and (best is None or s.level >= best.level):
            best = s
    return best


def document_quads(result: DocResult) -> list["Quad"]:
    """All quads of one document's named graph ``…/graph/{doc_id}``."""
    doc = result.document
    q = _Quads(graph_iri(doc.doc_id))
    d = NamedNode(document_iri(doc.doc_id))
    m = doc.meta
    q.add(d, TYPE, KG.PolicyDocument)
    q.add(d, IDENT, doc.doc_id)
    q.add(d, KG.sourcePath, doc.source)
    q.add(d, FORMAT, m.format)
    if m.title:
        q.add(d, TITLE, _zh(m.title))
        q.add(d, LABEL, _zh(m.title))
    if m.doc_number:
        q.add(d, KG.docNumber, m.doc_number)
    if m.kind:
        q.add(d, KG.documentKind, m.kind)
    if m.date:
        q.add(d, ISSUED, Literal(m.date, datatype=_DATE) if len(m.date) == 10 else Literal(m.date))
    entities = {e.key: e for e in result.entities}
    if m.issuer:
        q.add(d, KG.issuerName, m.issuer)
        issuer = _find_issuer(m.issuer, result)
        if issuer:
            q.add(d, KG.issuedBy, q.describe(issuer, label=entities[issuer].name if issuer in entities else None))

    # entities: descriptions, parents, codes, flags
    for e in sorted(result.entities, key=lambda e: e.key):
        _entity(q, e, entities)

    # sections
    sec_nodes: dict[tuple[str, ...], NamedNode] = {}
    by_path = _section_index(result.sections)

    def section_node(path: tuple[str, ...]) -> NamedNode | None:
        if not path:
            return None
        if path in sec_nodes:
            return sec_nodes[path]
        node = NamedNode(f"{ID_BASE}section/{segment(doc.doc_id)}/{_h(*path)}")
        sec_nodes[path] = node
        q.add(node, TYPE, KG.Section)
        q.add(node, PART_OF, d)
        q.add(node, KG.sectionPath, SECTION_SEP.join(path))
        q.add(node, LABEL, _zh(path[-1]))
        s = by_path.get(path)
        if s is not None:
            q.add(node, KG.headingNumber, s.number)
            q.add(node, KG.headingLevel, s.level)
            if s.title:
                q.add(node, TITLE, _zh(s.title))
            rs, re_ = doc.raw_span(s.start, s.end)
            q.add(node, KG.rawStart, rs)
            q.add(node, KG.rawEnd, re_)
        parent = section_node(path[:-1])
        if parent is not None:
            q.add(node, KG.parentSection, parent)
        return node

    for s in sorted(result.sections, key=lambda s: (s.start, s.level)):
        section_node(tuple(s.path))

    programme_names = _programme_names(result)
    sections_sorted = sorted(result.sections, key=lambda s: (s.start, s.level))

    # responsibilities and tasks
    for r in sorted(result.responsibilities, key=lambda r: (r.start, r.end)):
        _responsibility(q, d, doc, r, section_node, programme_names)

    # mentions
    for mt in sorted(result.mentions, key=lambda x: (x.start, x.end, x.type, x.text)):
        key, unres = _unit_key(mt, mt.type)
        node = q.describe(key, aliases=[mt.text], unresolved=unres and key not in entities,
                          label=entities[key].name if key in entities else None)
        q.add(d, KG.mentions, node)
        rs, re_ = doc.raw_span(mt.start, mt.end)
        mn = NamedNode(f"{ID_BASE}mention/{segment(doc.doc_id)}/{rs}-{re_}-{segment(mt.type)}")
        q.add(mn, TYPE, KG.Mention)
        q.add(mn, KG.mentionOf, node)
        q.add(mn, KG.evidenceText, mt.text)
        _prov(q, mn, d, doc, rs, re_)
        sec = _deepest_section(sections_sorted, mt.start)
        if sec is not None:
            sn = section_node(tuple(sec.path))
            q.add(mn, KG.inSection, sn)
            q.add(mn, KG.sectionPath, SECTION_SEP.join(sec.path))

    # relations found by the extractor
    for rel in sorted(result.relations, key=lambda r: (r.subject, r.predicate, r.object, r.provenance.start)):
        _relation(q, d, rel)

    for name in sorted(set(result.unresolved)):
        q.add(d, KG.unresolvedName, _zh(name))
    return q.out


def _find_issuer(issuer: str, result: DocResult) -> str | None:
    names = {}
    for e in result.entities:
        if e.type == "department":
            for n in (e.name, *e.aliases):
                names.setdefault(n, e.key)
    for mt in result.mentions:
        if mt.type == "department" and mt.entity:
            names.setdefault(mt.text, mt.entity)
    return names.get(issuer)


def _entity(q: _Quads, e: Entity, entities: Mapping[str, Entity]) -> None:
    node = q.describe(e.key, label=e.name, aliases=e.aliases, unresolved=not e.resolved,
                      collective=e.collective)
    if e.code:
        q.add(node, KG.adminCode, e.code)
    if e.parent:
        pe = entities.get(e.parent)
        parent = q.describe(e.parent, label=pe.name if pe else None)
        if e.type == "programme":
            q.add(node, KG.parentProgramme, parent)
        elif e.type == "department" and e.parent.startswith("department/"):
            q.add(node, SUBORG, parent)
        else:
            q.add(node, KG.locatedIn, parent)


def _prov(q: _Quads, node: NamedNode, d: NamedNode, doc, rs: int, re_: int) -> None:
    q.add(node, QUOTED, d)
    q.add(node, DERIVED, d)
    q.add(node, KG.rawStart, rs)
    q.add(node, KG.rawEnd, re_)
    q.add(node, VALUE, doc.raw[rs:re_])


def _names_in(text: str | None, programme_names: list[tuple[str, str]]) -> set[str]:
    """Keys of the programmes whose names occur in ``text``; a name inside a longer found name
    (两重 inside 两重建设) does not count on its own."""
    if not text:
        return set()
    hits = [(name, key) for name, key in programme_names if name in text]
    return {key for name, key in hits if not any(name != other and name in other for other, _ in hits)}


def _task_programmes(r: Responsibility, programme_names) -> list[str]:
    """Programmes a task belongs to: those its own title names, and those named by the
    nearest enclosing heading (section path element) that names any."""
    found = _names_in(r.task, programme_names) | _names_in(r.parent_task, programme_names)
    path = tuple(r.section)
    for i in range(len(path) - 1, -1, -1):
        keys = _names_in(path[i], programme_names)
        if keys:
            found |= keys
            break
    return sorted(found)


def _programme_names(result: DocResult) -> list[tuple[str, str]]:
    names = set()
    for e in result.entities:
        if e.type == "programme":
            names.update((n, e.key) for n in (e.name, *e.aliases) if len(n) >= 2)
    for mt in result.mentions:
        if mt.type == "programme" and mt.entity and len(mt.text) >= 2:
            names.add((mt.text, mt.entity))
    return sorted(names)


def _responsibility(q: _Quads, d: NamedNode, doc, r: Responsibility, section_node, programme_names) -> None:
    did = segment(doc.doc_id)
    path = tuple(r.section)
    task = NamedNode(f"{ID_BASE}task/{did}/{_h(*path, r.task_no, r.task, r.parent_task)}")
    q.add(task, TYPE, KG.Task)
    q.add(task, PART_OF, d)
    title = r.task or r.parent_task or (path[-1] if path else None)
    if title:
        q.add(task, TITLE, _zh(title))
        q.add(task, LABEL, _zh(title))
    if r.task_no:
        q.add(task, KG.taskNumber, r.task_no)
    if r.parent_task:
        q.add(task, KG.parentTask, r.parent_task)
    sn = section_node(path)
    if sn is not None:
        q.add(task, KG.inSection, sn)
        q.add(task, KG.sectionPath, SECTION_SEP.join(path))
    for pk in _task_programmes(r, programme_names):
        q.add(task, KG.partOfProgramme, q.describe(pk))
    rs, re_ = doc.raw_span(r.start, r.end)
    node = NamedNode(f"{ID_BASE}responsibility/{did}/{rs}-{re_}")
    q.add(node, TYPE, KG.Responsibility)
    q.add(node, KG.forTask, task)
    q.add(node, KG.evidenceText, r.evidence)
    _prov(q, node, d, doc, rs, re_)
    if sn is not None:
        q.add(node, KG.inSection, sn)
        q.add(node, KG.sectionPath, SECTION_SEP.join(path))
    if r.lead_mode:
        q.add(node, KG.leadMode, r.lead_mode)
    if r.role:
        q.add(node, KG.roleWord, r.role)
    for units, qual, direct in ((r.leads, KG.leadUnit, KG.leads), (r.supporting, KG.supportingUnit, KG.supports),
                                (r.collective, KG.collectiveUnit, None)):
        for u in units:
            key, unres = _unit_key(u)
            unit = q.describe(key, label=u.canonical if u.entity else None, aliases=[u.text],
                              unresolved=unres, collective=u.collective or direct is None)
            q.add(node, qual, unit)
            if direct is not None:
                q.add(unit, direct, task)


_REL = {"leads": KG.leads, "supports": KG.supports, "located_in": KG.locatedIn, "mentions": KG.mentions}


def _relation(q: _Quads, d: NamedNode, rel) -> None:
    s = q.describe(rel.subject)
    o = q.describe(rel.object)
    if rel.predicate == "part_of":
        pred = KG.parentProgramme if rel.subject.startswith("programme/") else KG.partOfProgramme
    else:
        pred = _REL.get(rel.predicate)
        if pred is None:
            return
    q.add(s, pred, o)
    p = rel.provenance
    st = NamedNode(f"{ID_BASE}statement/{segment(p.doc_id)}/{_h(rel.subject, rel.predicate, rel.object, p.start, p.end)}")
    q.add(st, TYPE, NamedNode(_RDF + "Statement"))
    q.add(st, NamedNode(_RDF + "subject"), s)
    q.add(st, NamedNode(_RDF + "predicate"), _k(pred))
    q.add(st, NamedNode(_RDF + "object"), o)
    q.add(st, QUOTED, d)
    q.add(st, DERIVED, d)
    q.add(st, KG.rawStart, p.start)
    q.add(st, KG.rawEnd, p.end)
    q.add(st, VALUE, p.text)
    if p.section:
        q.add(st, KG.sectionPath, SECTION_SEP.join(p.section))


def _split(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [a.strip() for a in cell.replace("，", ",").split(",") if a.strip()]


def reference_quads(regions: Iterable[Mapping], departments: Iterable[Mapping] = ()) -> list["Quad"]:
    """Quads of the ``…/graph/_reference`` graph from plain reference rows.

    ``regions``: dicts with ``name``, ``code6``, ``level``, ``parent_code6``, ``parent_name``,
    ``short_aliases`` and ``confidence`` (or ``confirmed``); ``departments``: dicts with
    ``canonical_full_name``, ``official_short_name``, ``other_aliases`` and ``confidence``.
    """
    q = _Quads(GRAPH_BASE + "_reference")
    regions = sorted((dict(r) for r in regions), key=lambda r: ((r.get("code6") or "~"), r.get("name") or ""))
    by_code = {r["code6"]: r["name"] for r in regions if r.get("code6") and r.get("name")}
    for r in regions:
        name = (r.get("name") or "").strip()
        if not name:
            continue
        node = q.describe(f"region/{name}", aliases=_split(r.get("short_aliases")))
        if r.get("code6"):
            q.add(node, KG.adminCode, r["code6"].strip())
        if r.get("level"):
            q.add(node, KG.divisionLevel, r["level"].strip())
        parent = by_code.get((r.get("parent_code6") or "").strip()) or (r.get("parent_name") or "").strip()
        if parent and parent != name:
            q.add(node, KG.locatedIn, q.describe(f"region/{parent}"))
        if not _confirmed(r):
            q.add(node, KG.unconfirmed, True)
    for r in sorted((dict(r) for r in departments), key=lambda r: r.get("canonical_full_name") or ""):
        name = (r.get("canonical_full_name") or "").strip()
        if not name:
            continue
        aliases = _split(r.get("official_short_name")) + _split(r.get("other_aliases"))
        node = q.describe(f"department/{name}", aliases=aliases)
        if not _confirmed(r):
            q.add(node, KG.unconfirmed, True)
    return q.out


def _confirmed(r: Mapping) -> bool:
    if "confirmed" in r:
        return bool(r["confirmed"])
    return (r.get("confidence") or "").strip() != "?"


def version_quads(graph: str, version: str) -> list["Quad"]:
    """The one-quad graph that records which pipeline version built the store."""
    return [Quad(NamedNode(graph), _k(KG.pipelineVersion), Literal(str(version)), NamedNode(graph))]
