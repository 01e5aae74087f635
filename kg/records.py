"""Plain-JSON records of extraction results (what ``kg extract --format jsonl`` writes).

Every span is a pair of raw-file character offsets; ``source`` is the input path as given.
"""
from __future__ import annotations

from typing import Iterator

from kg.types import DocResult, Responsibility, Unit

SECTION_SEP = " / "


def _units(units: tuple[Unit, ...]) -> list[dict]:
    return [{"text": u.text, "canonical": u.canonical} for u in units]


def responsibility_record(result: DocResult, r: Responsibility) -> dict:
    doc = result.document
    start, end = doc.raw_span(r.start, r.end)
    return {
        "kind": "responsibility",
        "source": doc.source,
        "task_no": r.task_no,
        "task": r.task,
        "parent_task": r.parent_task,
        "section": SECTION_SEP.join(r.section),
        "leads": _units(r.leads),
        "supporting": _units(r.supporting),
        "collective": _units(r.collective),
        "lead_mode": r.lead_mode,
        "role": r.role,
        "evidence": doc.raw[start:end],
        "span": [start, end],
    }


def records(result: DocResult) -> Iterator[dict]:
    """The document record, then its responsibilities, entity mentions and unresolved names.

    >>> from kg.types import Document, DocMeta, OffsetMap, Mention
    >>> d = Document("a.txt", "0" * 16, "省发改委牵头", "省发改委牵头", OffsetMap.identity(), DocMeta())
    >>> r = DocResult(d, mentions=(Mention("省发改委", "department", 0, 4, "department/X", "X"),))
    >>> [x["kind"] for x in records(r)]
    ['document', 'entity']
    >>> list(records(r))[1]["span"]
    [0, 4]
    """
    doc = result.document
    m = doc.meta
    yield {
        "kind": "document",
        "source": doc.source,
        "doc_id": doc.doc_id,
        "title": m.title,
        "doc_number": m.doc_number,
        "issuer": m.issuer,
        "date": m.date,
        "doc_kind": m.kind,
        "format": m.format,
        "encoding": m.encoding,
    }
    for r in result.responsibilities:
        yield responsibility_record(result, r)
    for mn in result.mentions:
        start, end = doc.raw_span(mn.start, mn.end)
        yield {
            "kind": "entity",
            "source": doc.source,
            "type": mn.type,
            "text": mn.text,
            "canonical": mn.canonical,
            "span": [start, end],
        }
    for name in result.unresolved:
        yield {"kind": "unresolved", "source": doc.source, "text": name}
