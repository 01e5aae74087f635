"""A small hand-made pair of DocResults for the graph, query, leads, export and netview tests.

Invented text in the genre (two documents, 2023 and 2025); see README.md. Loaded by the
tests with importlib (tests/data is not a package): ``load().results()``.
"""
from __future__ import annotations

from kg.types import (DocMeta, Document, DocResult, Entity, Mention, OffsetMap, Relation, Provenance,
                      Responsibility, Section, Unit)

DEPTS = {
    "省发展改革委": "湖南省发展和改革委员会",
    "省发改委": "湖南省发展和改革委员会",
    "省财政厅": "湖南省财政厅",
    "省市场监管局": "湖南省市场监督管理局",
    "省科技厅": "湖南省科学技术厅",
    "长沙市人民政府": "长沙市人民政府",
    "省自然资源厅": "湖南省自然资源厅",
}
COLLECTIVE = {"各市州人民政府", "各有关部门"}

TEXT_A = (
    "湖南省推进“七大攻坚”实施方案\n"
    "附件1 内需扩量提效攻坚实施方案\n"
    "（一）大力提振消费\n"
    "1.高质量推进“两重”建设。加快项目建设。（省发展改革委牵头，省财政厅、各市州人民政府等按职责分工负责）\n"
    "2.优化消费环境。规范市场秩序。（省市场监管局、省发改委等按职责分工负责）\n"
    "附件2 科技创新赋能攻坚实施方案\n"
    "（一）建设实验室\n"
    "1.支持岳麓山实验室建设。在长沙市布局，由湘江某某推进办协调。（省科技厅、省发改委牵头，长沙市人民政府参与）\n"
)
TEXT_B = (
    "湖南省2025年内需扩量提效攻坚工作要点\n"
    "一、内需扩量提效攻坚重点任务\n"
    "1.实施重大项目。（省发改委牵头）\n"
    "2.加强要素保障。（省自然资源厅牵头，省发展改革委参与）\n"
    "3.做好统计监测。（各有关部门按职责分工负责）\n"
)


def _sections(text: str, specs) -> tuple[Section, ...]:
    """specs: (heading line, level) in order; path follows levels; a section ends where the next
    heading of the same or a higher level starts."""
    found = []
    for head, level in specs:
        start = text.index(head)
        found.append((start, head, level))
    out = []
    stack: list[str] = []
    for i, (start, head, level) in enumerate(found):
        stack = stack[:level] + [head]
        end = len(text)
        for s2, _, l2 in found[i + 1:]:
            if l2 <= level:
                end = s2
                break
        number, _, title = head.partition(" ") if head.startswith("附件") else (head[:3] if head.startswith("（") else head[:2], "", head[3:] if head.startswith("（") else head[2:])
        out.append(Section(number=number, title=title, level=level, path=tuple(stack), start=start, end=end))
    return tuple(out)


def _unit(text: str, note: str, note_start: int, name: str, nth: int = 0) -> Unit:
    at = note.index(name)
    start = note_start + at
    if name in COLLECTIVE:
        return Unit(name, start, start + len(name), collective=True, entity=f"department/{name}", canonical=name)
    canon = DEPTS[name]
    return Unit(name, start, start + len(name), entity=f"department/{canon}", canonical=canon)


def _resp(doc: Document, section, task_no, task, note, leads=(), supporting=(), collective=(), role=None):
    start = doc.text.index(note)
    end = start + len(note)
    return Responsibility(
        doc_id=doc.doc_id, source=doc.source, section=tuple(section), task_no=task_no, task=task,
        evidence=note, start=start, end=end,
        leads=tuple(_unit(doc.text, note, start, n) for n in leads),
        supporting=tuple(_unit(doc.text, note, start, n) for n in supporting),
        collective=tuple(_unit(doc.text, note, start, n) for n in collective),
        role=role,
    )


def _mention(doc: Document, text: str, etype: str, key: str | None, nth: int = 0) -> Mention:
    pos = -1
    for _ in range(nth + 1):
        pos = doc.text.index(text, pos + 1)
    canon = key.split("/", 1)[1] if key else None
    return Mention(text, etype, pos, pos + len(text), entity=key, canonical=canon)


def doc_a() -> DocResult:
    doc = Document(source="docs/a_2023.txt", doc_id="aaaa000000000001", raw=TEXT_A, text=TEXT_A,
                   offsets=OffsetMap.identity(),
                   meta=DocMeta(title="湖南省推进“七大攻坚”实施方案", doc_number="湘政办发〔2023〕9号",
                                issuer="湖南省人民政府办公厅", date="2023-03-01", kind="实施方案", province="湖南省"))
    secs = _sections(TEXT_A, [("附件1 内需扩量提效攻坚实施方案", 0), ("（一）大力提振消费", 1),
                              ("附件2 科技创新赋能攻坚实施方案", 0), ("（一）建设实验室", 1)])
    s1 = ("附件1 内需扩量提效攻坚实施方案", "（一）大力提振消费")
    s2 = ("附件2 科技创新赋能攻坚实施方案", "（一）建设实验室")
    resps = (
        _resp(doc, s1, "1", "高质量推进“两重”建设", "（省发展改革委牵头，省财政厅、各市州人民政府等按职责分工负责）",
              leads=["省发展改革委"], supporting=["省财政厅"], collective=["各市州人民政府"], role="按职责分工负责"),
        _resp(doc, s1, "2", "优化消费环境", "（省市场监管局、省发改委等按职责分工负责）",
              supporting=["省市场监管局", "省发改委"], role="按职责分工负责"),
        _resp(doc, s2, "1", "支持岳麓山实验室建设", "（省科技厅、省发改委牵头，长沙市人民政府参与）",
              leads=["省科技厅", "省发改委"], supporting=["长沙市人民政府"], role="参与"),
    )
    mentions = (
        _mention(doc, "七大攻坚", "programme", "programme/七大攻坚"),
        _mention(doc, "内需扩量提效攻坚", "programme", "programme/内需扩量提效攻坚"),
        _mention(doc, "科技创新赋能攻坚", "programme", "programme/科技创新赋能攻坚"),
        _mention(doc, "岳麓山实验室", "lab", "lab/岳麓山实验室"),
        _mention(doc, "长沙市", "region", "region/长沙市"),
        _mention(doc, "湘江某某推进办", "department", None),
        _mention(doc, "省发展改革委", "department", "department/湖南省发展和改革委员会"),
        _mention(doc, "省科技厅", "department", "department/湖南省科学技术厅"),
    )
    entities = (
        Entity("programme/七大攻坚", "programme", "七大攻坚", aliases=("七大攻坚",)),
        Entity("programme/内需扩量提效攻坚", "programme", "内需扩量提效攻坚", parent="programme/七大攻坚"),
        Entity("programme/科技创新赋能攻坚", "programme", "科技创新赋能攻坚", parent="programme/七大攻坚"),
        Entity("lab/岳麓山实验室", "lab", "岳麓山实验室", parent="region/长沙市"),
        Entity("region/长沙市", "region", "长沙市", aliases=("长沙",), code="430100", parent="region/湖南省"),
        Entity("region/湖南省", "region", "湖南省", code="430000"),
        Entity("department/湖南省发展和改革委员会", "department", "湖南省发展和改革委员会", aliases=("省发展改革委", "省发改委")),
        Entity("department/湖南省财政厅", "department", "湖南省财政厅", aliases=("省财政厅",)),
        Entity("department/各市州人民政府", "department", "各市州人民政府", collective=True),
        Entity("department/湖南省市场监督管理局", "department", "湖南省市场监督管理局", aliases=("省市场监管局",)),
        Entity("department/湖南省科学技术厅", "department", "湖南省科学技术厅", aliases=("省科技厅",)),
        Entity("department/长沙市人民政府", "department", "长沙市人民政府"),
        Entity("department/湖南省人民政府办公厅", "department", "湖南省人民政府办公厅", aliases=("省政府办公厅",)),
    )
    return DocResult(document=doc, sections=secs, mentions=mentions, responsibilities=resps, entities=entities,
                     unresolved=("湘江某某推进办",))


def doc_b() -> DocResult:
    # The raw file breaks 省自然资源厅 across a page break (two newlines after 省自); the
    # normalised text joins it, so raw offsets after that point are 2 larger.
    cut = TEXT_B.index("省自然资源厅") + 2
    raw = TEXT_B[:cut] + "\n\n" + TEXT_B[cut:]
    doc = Document(source="docs/b_2025.txt", doc_id="bbbb000000000002", raw=raw, text=TEXT_B,
                   offsets=OffsetMap(norm_starts=(0, cut), raw_starts=(0, cut + 2)),
                   meta=DocMeta(title="湖南省2025年内需扩量提效攻坚工作要点", issuer="湖南省发展和改革委员会",
                                date="2025-02-10", kind="要点", province="湖南省"))
    secs = _sections(TEXT_B, [("一、内需扩量提效攻坚重点任务", 0)])
    s1 = ("一、内需扩量提效攻坚重点任务",)
    resps = (
        _resp(doc, s1, "1", "实施重大项目", "（省发改委牵头）", leads=["省发改委"]),
        _resp(doc, s1, "2", "加强要素保障", "（省自然资源厅牵头，省发展改革委参与）",
              leads=["省自然资源厅"], supporting=["省发展改革委"], role="参与"),
        _resp(doc, s1, "3", "做好统计监测", "（各有关部门按职责分工负责）",
              collective=["各有关部门"], role="按职责分工负责"),
    )
    mentions = (
        _mention(doc, "内需扩量提效攻坚", "programme", "programme/内需扩量提效攻坚", 0),
        _mention(doc, "内需扩量提效攻坚", "programme", "programme/内需扩量提效攻坚", 1),
        _mention(doc, "湖南省", "region", "region/湖南省"),
    )
    entities = (
        Entity("programme/内需扩量提效攻坚", "programme", "内需扩量提效攻坚", parent="programme/七大攻坚"),
        Entity("programme/七大攻坚", "programme", "七大攻坚"),
        Entity("region/湖南省", "region", "湖南省", aliases=("湖南",), code="430000"),
        Entity("department/湖南省发展和改革委员会", "department", "湖南省发展和改革委员会", aliases=("省发展改革委", "省发改委")),
        Entity("department/湖南省自然资源厅", "department", "湖南省自然资源厅", aliases=("省自然资源厅",)),
        Entity("department/各有关部门", "department", "各有关部门", collective=True),
    )
    rel = Relation("programme/内需扩量提效攻坚", "part_of", "programme/七大攻坚",
                   Provenance(doc.doc_id, doc.source, (), 0, 10, raw[0:10]))
    return DocResult(document=doc, sections=secs, mentions=mentions, responsibilities=resps, entities=entities,
                     relations=(rel,))


REGIONS = [
    {"code6": "430000", "name": "湖南省", "level": "province", "parent_code6": "", "parent_name": "",
     "short_aliases": "湖南,湘", "confidence": ""},
    {"code6": "430100", "name": "长沙市", "level": "prefecture", "parent_code6": "430000", "parent_name": "湖南省",
     "short_aliases": "长沙", "confidence": ""},
    {"code6": "430104", "name": "岳麓区", "level": "county", "parent_code6": "430100", "parent_name": "长沙市",
     "short_aliases": "岳麓", "confidence": ""},
]
DEPARTMENTS = [
    {"canonical_full_name": "湖南省发展和改革委员会", "official_short_name": "省发展改革委",
     "other_aliases": "省发改委,湖南省发改委", "confidence": ""},
    {"canonical_full_name": "湖南省科学技术厅", "official_short_name": "省科技厅", "other_aliases": "", "confidence": "?"},
]


def results() -> list[DocResult]:
    return [doc_a(), doc_b()]
