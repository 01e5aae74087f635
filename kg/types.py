"""Plain data passed between the pipeline stages.

This module is a leaf: it imports nothing from :mod:`kg`. Every stage takes and
returns these frozen dataclasses, so a stage can be tested, replaced or run in
another process on its own.

Offsets
-------
There are two coordinate systems:

* **raw** offsets index :attr:`Document.raw`, the decoded text of the input file
  (for DOCX and PDF: the text extracted from the file, before clean-up);
* **normalised** offsets index :attr:`Document.text`, the cleaned text that the
  structure and extraction stages read.

:class:`OffsetMap` maps normalised offsets back to raw ones, so any span can be
shown in the original file.

>>> m = OffsetMap.identity()
>>> m.to_raw(3)
3
>>> m = OffsetMap(norm_starts=(0, 2), raw_starts=(0, 10))   # 2 raw chars dropped
>>> [m.to_raw(i) for i in range(4)]
[0, 1, 10, 11]
>>> m.span_to_raw(1, 3)
(1, 11)
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

#: The entity types the extractor knows. ``department`` covers every government,
#: party or people's-congress body and named state-owned enterprise acting as a unit.
ENTITY_TYPES: tuple[str, ...] = ("department", "region", "lab", "corridor", "programme")

#: Document kinds recognised from titles (longest first when matching).
DOCUMENT_KINDS: tuple[str, ...] = (
    "规划纲要", "实施方案", "工作方案", "总体方案", "实施意见", "行动计划", "计划", "通知", "意见", "要点", "方案", "规划",
)


@dataclass(frozen=True)
class OffsetMap:
    """Piecewise-linear map from normalised to raw character offsets.

    Segment ``k`` covers normalised offsets ``norm_starts[k] <= p < norm_starts[k+1]``
    and maps ``p`` to ``raw_starts[k] + (p - norm_starts[k])``. Characters that
    normalisation *inserts* (a joining newline, say) get a one-character segment
    that points at the nearest raw character.
    """

    norm_starts: tuple[int, ...] = (0,)
    raw_starts: tuple[int, ...] = (0,)

    @classmethod
    def identity(cls) -> "OffsetMap":
        return cls((0,), (0,))

    def to_raw(self, pos: int) -> int:
        k = bisect_right(self.norm_starts, pos) - 1
        if k < 0:
            k = 0
        return self.raw_starts[k] + (pos - self.norm_starts[k])

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``(start, end)`` of the normalised span ``[start, end)``."""
        if end <= start:
            r = self.to_raw(start)
            return (r, r)
        return (self.to_raw(start), self.to_raw(end - 1) + 1)


@dataclass(frozen=True)
class DocMeta:
    """Metadata read from the document itself (or its front matter)."""

    title: str | None = None
    doc_number: str | None = None  # 文号, e.g. 湘政办发〔2025〕2号
    issuer: str | None = None  # issuing body as written
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) where known
    kind: str | None = None  # one of DOCUMENT_KINDS
    format: str = "txt"  # txt | md | html | docx | pdf
    encoding: str = "utf-8"
    province: str | None = None  # province of the issuing government, e.g. 湖南省


@dataclass(frozen=True)
class Document:
    """One input file, decoded and normalised."""

    source: str  # the input path exactly as given
    doc_id: str  # content hash of the raw bytes (hex, 16 chars)
    raw: str
    text: str
    offsets: OffsetMap
    meta: DocMeta = field(default_factory=DocMeta)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw offsets of the normalised span ``[start, end)``."""
        return self.offsets.span_to_raw(start, end)


@dataclass(frozen=True)
class Section:
    """A heading and the text it governs (normalised offsets)."""

    number: str  # as written: 第一篇, 第三章, 一、, （一）, 1., （1）, 附件1, 第五条, 一是
    title: str  # heading text after the number, up to the first 。
    level: int  # depth in the tree, 0 for top-level headings
    path: tuple[str, ...]  # headings from the root down to and including this one
    start: int
    end: int


@dataclass(frozen=True)
class Clause:
    """A paragraph-level unit with its place in the section tree."""

    doc_id: str
    section: tuple[str, ...]  # section path, e.g. ("附件1 内需扩量提效攻坚实施方案", "（一）大力提振消费")
    text: str
    start: int  # normalised offsets
    end: int
    task_no: str | None = None  # number of the task this clause belongs to ("2", "（1）")
    task: str | None = None  # task title: heading text up to its first 。
    parent_task: str | None = None  # the enclosing numbered task when one task carries several notes


@dataclass(frozen=True)
class Mention:
    """A typed name found in the text (normalised offsets)."""

    text: str
    type: str  # one of ENTITY_TYPES
    start: int
    end: int
    entity: str | None = None  # canonical key once resolved, e.g. "department/湖南省发展和改革委员会"
    canonical: str | None = None  # canonical name once resolved


@dataclass(frozen=True)
class Unit:
    """A unit named in a responsibility note."""

    text: str
    start: int  # normalised offsets
    end: int
    collective: bool = False  # 各市州人民政府, 各有关部门 …
    entity: str | None = None
    canonical: str | None = None


@dataclass(frozen=True)
class Responsibility:
    """A task with its lead and supporting units, as one note states them."""

    doc_id: str
    source: str
    section: tuple[str, ...]
    task_no: str | None
    task: str | None
    evidence: str  # the note text exactly as in the normalised text
    start: int  # normalised offsets of the evidence
    end: int
    leads: tuple[Unit, ...] = ()
    supporting: tuple[Unit, ...] = ()
    collective: tuple[Unit, ...] = ()
    parent_task: str | None = None
    lead_mode: str | None = None  # 分别牵头 | 牵头负责 | 列第一位 | table
    role: str | None = None  # 按职责分工负责 | 按职能分工负责 | 参与 | 配合 | 负责


@dataclass(frozen=True)
class Entity:
    """A canonical body, place, lab, corridor or programme."""

    key: str  # "{type}/{canonical name}": the identity IRIs derive from
    type: str
    name: str  # canonical name
    aliases: tuple[str, ...] = ()
    code: str | None = None  # administrative division code (regions)
    parent: str | None = None  # key of the containing region / parent programme
    collective: bool = False
    resolved: bool = True  # False when no gazetteer or rule recognised the name


@dataclass(frozen=True)
class Provenance:
    """Where a fact was read: document, section path and raw character span."""

    doc_id: str
    source: str
    section: tuple[str, ...]
    start: int  # raw offsets
    end: int
    text: str  # the evidence as it stands in the raw file


@dataclass(frozen=True)
class Relation:
    """A typed edge between two entity keys, with its evidence."""

    subject: str
    predicate: str  # leads | supports | part_of | located_in | mentions
    object: str
    provenance: Provenance


@dataclass(frozen=True)
class DocResult:
    """Everything the pipeline learned from one document."""

    document: Document
    sections: tuple[Section, ...] = ()
    clauses: tuple[Clause, ...] = ()
    mentions: tuple[Mention, ...] = ()
    responsibilities: tuple[Responsibility, ...] = ()
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    unresolved: tuple[str, ...] = ()
