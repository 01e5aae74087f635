"""kg.structure: headings of every numbering style, attachments, clauses and task titles."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.structure import parse
from kg.types import DocMeta, Document, OffsetMap


def doc_of(text: str, name: str = "x.txt") -> Document:
    return Document(source=name, doc_id="x", raw=text, text=text, offsets=OffsetMap.identity(), meta=DocMeta())


@pytest.fixture(scope="module")
def sdir(data_dir):
    return data_dir / "structure"


def load(sdir, name):
    return doc_of((sdir / name).read_text(encoding="utf-8"), name)


# one heading line -> (number as written, title, path label)
HEADINGS = [
    ("第一篇 总体要求", "第一篇", "总体要求", "第一篇 总体要求"),
    ("第三章　发展目标", "第三章", "发展目标", "第三章　发展目标"),
    ("第二节 加快转型", "第二节", "加快转型", "第二节 加快转型"),
    ("第五条 本办法自印发之日起施行。", "第五条", "本办法自印发之日起施行", "第五条 本办法自印发之日起施行"),
    ("一、总体要求", "一、", "总体要求", "一、总体要求"),
    ("（一）大力提振消费", "（一）", "大力提振消费", "（一）大力提振消费"),
    ("(一) 经济运行稳中提质", "(一)", "经济运行稳中提质", "(一) 经济运行稳中提质"),
    ("（十二）加快农业现代化", "（十二）", "加快农业现代化", "（十二）加快农业现代化"),
    ("1. 推动增收减负。具体措施。", "1.", "推动增收减负", "1. 推动增收减负"),
    ("1．推动增收减负。具体措施。", "1．", "推动增收减负", "1．推动增收减负"),
    ("１．推动增收减负。", "１．", "推动增收减负", "１．推动增收减负"),
    ("1、推动增收减负。", "1、", "推动增收减负", "1、推动增收减负"),
    ("（1）更新学校设备。补充配置电脑。", "（1）", "更新学校设备", "（1）更新学校设备"),
    ("(12) 提高救助标准。", "(12)", "提高救助标准", "(12) 提高救助标准"),
    ("① 建设示范园区。", "①", "建设示范园区", "① 建设示范园区"),
    ("### **三、推进机制**", "三、", "推进机制", "三、推进机制"),
    ("- （二）优化环境", "（二）", "优化环境", "（二）优化环境"),
    ("<p>　　（三）强化保障</p>", "（三）", "强化保障", "（三）强化保障"),
    ("[bookmark: _Toc1]第四章  主要目标", "第四章", "主要目标", "第四章  主要目标"),
]


@pytest.mark.parametrize("line,number,title,label", HEADINGS)
def test_heading_styles(line, number, title, label):
    sections, _ = parse(doc_of(line + "\n"))
    assert [(s.number, s.title, s.path[-1]) for s in sections if "是" not in s.number] == [(number, title, label)]


@pytest.mark.parametrize("line", [
    "1.5%的增长来自消费。",
    "2023年完成目标任务。",
    "一、二级公路里程增加。",
    "3、5号线建成通车。",
    "(2023年)数据为预计数。",
    "全年增长 1. 5 个百分点左右，其中 2. 工业增长较快",
])
def test_non_headings(line):
    sections, clauses = parse(doc_of(line + "\n"))
    assert [s for s in sections if "是" not in s.number] == []
    assert len(clauses) == 1 and clauses[0].task_no is None


def test_nested_tree_paths_and_task_fields():
    text = ("附件 2\n\n某某专项行动方案\n\n一、主要任务\n\n（一）发展产业\n\n1. 促进教育发展\n\n"
            "（1）更新学校设备。补充电脑。（牵头单位：甲厅）\n\n(2) 改善住宿条件。（牵头单位：甲厅）\n\n二、保障措施\n\n加强领导。\n")
    sections, clauses = parse(doc_of(text))
    assert [s.path for s in sections] == [
        ("附件2 某某专项行动方案",),
        ("附件2 某某专项行动方案", "一、主要任务"),
        ("附件2 某某专项行动方案", "一、主要任务", "（一）发展产业"),
        ("附件2 某某专项行动方案", "一、主要任务", "（一）发展产业", "1. 促进教育发展"),
        ("附件2 某某专项行动方案", "一、主要任务", "（一）发展产业", "1. 促进教育发展", "（1）更新学校设备"),
        ("附件2 某某专项行动方案", "一、主要任务", "（一）发展产业", "1. 促进教育发展", "(2) 改善住宿条件"),
        ("附件2 某某专项行动方案", "二、保障措施"),
    ]
    assert [s.level for s in sections] == [0, 1, 2, 3, 4, 4, 1]
    c = next(c for c in clauses if c.text.startswith("(2)"))
    assert (c.section[-1], c.task_no, c.task, c.parent_task) == ("1. 促进教育发展", "(2)", "改善住宿条件", "促进教育发展")
    last = clauses[-1]
    assert (last.text, last.section, last.task_no, last.task) == ("加强领导。", ("附件2 某某专项行动方案",), "二", "保障措施")
    # sections cover the text up to the next heading of the same or a higher rank
    first_task = sections[4]
    assert text[first_task.start:first_task.end].startswith("（1）") and text[first_task.end:].startswith("(2)")


@pytest.mark.parametrize("text,labels", [
    ("附件1 甲方案\n正文。\n附件2：乙方案\n正文。\n", ["附件1 甲方案", "附件2 乙方案"]),
    ("附件 3\n\n丙工作方案\n\n为做好工作，制定本方案。\n", ["附件3 丙工作方案"]),
    ("通知正文。\n\n附件\n\n丁工作方案\n\n为做好工作，制定本方案。\n", ["附件 丁工作方案"]),
    ("附件1所列任务，请按职责分工落实。\n", []),
    # the list after 附件： is not a set of headings; a later title line from the list becomes 附件N
    ("正文。\n附件：1. 甲方案\n2. 乙方案\n\n附件1\n甲方案\n一、目标\n乙方案\n一、目标\n", ["附件1 甲方案", "附件2 乙方案"]),
])
def test_attachments(text, labels):
    sections, _ = parse(doc_of(text))
    assert [s.path[-1] for s in sections if s.level == 0] == labels


def test_enumerations_inside_a_paragraph():
    text = "（一）加强保障。一是强化资金支持，加大投入；二是强化用地保障，优先安排；三是强化人才支撑。\n"
    sections, clauses = parse(doc_of(text))
    enums = [s for s in sections if s.number.endswith("是")]
    assert [(s.number, s.title) for s in enums] == [("一是", "强化资金支持"), ("二是", "强化用地保障"), ("三是", "强化人才支撑")]
    assert all(s.path[0] == "（一）加强保障" and s.level == 1 for s in enums)
    assert len(clauses) == 1  # enumerations do not split the clause


def test_page_broken_paragraph_is_one_clause(sdir):
    doc = load(sdir, "ocr_break.txt")
    sections, clauses = parse(doc)
    tasks = [(c.task_no, c.task) for c in clauses if c.task_no and c.task_no.isdigit()]
    assert tasks == [("1", "推动园区提质"),
                     ("2", "建设县域特色产业集群，培育一批专精特新企业，推动县域经济高质量发展，确保年度目标任务完成"),
                     ("3", "强化要素保障")]
    note_clause = clauses[2]
    assert "省自\n\n然资源厅" in note_clause.text and note_clause.text.endswith("按职责分工负责）")


def test_flat_text_headings_mid_line(sdir):
    sections, clauses = parse(load(sdir, "flat.txt"))
    assert [s.path[-1] for s in sections] == [
        "一、重点任务", "（一）扩大内需", "1. 提振消费", "2. 扩大投资", "（二）深化改革", "1. 优化营商环境",
        "二、保障措施加强组织领导，确保各项任务落到实处"]
    assert [c.task for c in clauses if c.task_no == "1"] == ["提振消费", "优化营商环境"]


def test_markdown_document(sdir):
    sections, clauses = parse(load(sdir, "markdown.md"))
    assert [s.path[-1] for s in sections] == [
        "某某县人民政府办公室文件", "某某县乡村振兴实施方案", "一、工作目标", "二、主要任务", "(一) 发展特色产业",
        "1、壮大茶叶产业", "2、发展乡村旅游", "（二）改善人居环境", "（1）推进厕所革命", "（2）治理生活污水"]
    c = next(c for c in clauses if c.text.startswith("2、"))
    assert c.section == ("某某县乡村振兴实施方案", "二、主要任务", "(一) 发展特色产业") and c.task_no == "2"


@pytest.mark.parametrize("name", ["first_listed.txt", "table.txt", "flat.txt", "markdown.md", "ocr_break.txt"])
def test_clause_offsets(sdir, name):
    doc = load(sdir, name)
    sections, clauses = parse(doc)
    assert clauses and all(doc.text[c.start:c.end] == c.text for c in clauses)
    assert all(c.start < c.end for c in clauses)
    assert [c.start for c in clauses] == sorted(c.start for c in clauses)
    assert all(0 <= s.start < s.end <= len(doc.text) for s in sections)


def test_deterministic(sdir):
    doc = load(sdir, "markdown.md")
    assert parse(doc) == parse(doc)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "一、", "（一）", "(二) ", "1. ", "2、", "（1）", "附件1", "附件：", "第一章 ", "第二条 ", "一是", "二是", "\n", "\n\n", "。",
    "，", "（甲厅牵头）", "推进工作", "1.5%", "\t", "# ", "**", "<p>",
]), max_size=40).map("".join) | st.text(max_size=200))
def test_parse_never_crashes(text):
    sections, clauses = parse(doc_of(text))
    for c in clauses:
        assert text[c.start:c.end] == c.text
    for s in sections:
        assert 0 <= s.start <= s.end <= len(text)
