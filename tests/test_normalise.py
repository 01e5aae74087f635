"""kg.normalise and kg.metadata: each cleaning rule, the offset map, metadata of the sample."""
from __future__ import annotations

import csv
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.ingest import read_source
from kg.metadata import extract_metadata, kind_of, normalise_doc_number, province_of
from kg.normalise import clean_text, normalise
from kg.types import DocMeta, Document, OffsetMap


def _doc(raw: str, fmt: str = "txt") -> Document:
    return Document("x." + fmt, "0" * 16, raw, raw, OffsetMap.identity(), DocMeta(format=fmt))


# ------------------------------------------------------------------ cleaning rules on tiny strings
@pytest.mark.parametrize(
    "raw, fmt, expected",
    [
        # HTML tags and entities in Markdown; indentation (full-width and ASCII)
        ("<p>　　一、总体要求</p>\n<p>  正文&amp;内容。</p>", "md", "一、总体要求\n正文&内容。"),
        ("<div>甲</div><!-- 注释 --><span>乙</span>", "md", "甲\n乙"),
        # Markdown heading markers and bold
        ("# 标题\n\n## 一、指导思想\n\n### **三、推进机制**", "md", "标题\n一、指导思想\n三、推进机制"),
        # bookmark debris
        ("[bookmark: _Toc1][bookmark: _Toc2]第一章  发展基础", "txt", "第一章  发展基础"),
        # page numbers
        ("第一段。\n\n— 3 —\n\n第二段。", "txt", "第一段。\n第二段。"),
        ("第一段。\n-12-\n第二段。\n7\n第三段。\n第 4 页 共 9 页", "txt", "第一段。\n第二段。\n第三段。"),
        # names broken at page breaks are joined
        ("（省发展改革委牵头，省科技厅、省自\n\n然资源厅按职责分工负责）", "txt",
         "（省发展改革委牵头，省科技厅、省自然资源厅按职责分工负责）"),
        ("推动外贸发展，完善口岸服务，支持长\n\n沙海关建设。", "txt", "推动外贸发展，完善口岸服务，支持长沙海关建设。"),
        ("地区生产总值增长 6.5% 左右，\n\n第一产业增加值增长 3.5%。", "txt", "地区生产总值增长 6.5% 左右，第一产业增加值增长 3.5%。"),
        # real paragraph ends and headings are not joined
        ("一、攻坚目标\n\n围绕目标，推进工作。", "txt", "一、攻坚目标\n围绕目标，推进工作。"),
        ("二、坚持创新发展，构建现代产业体系\n\n（三）打造高地。", "txt", "二、坚持创新发展，构建现代产业体系\n（三）打造高地。"),
        ("完成任务。\n\n下一段，继续。", "txt", "完成任务。\n下一段，继续。"),
        ("（省商务厅牵头）\n\n2. 完善政策。", "txt", "（省商务厅牵头）\n2. 完善政策。"),
        ("推进建设，加快发展\n\n（一）大力提振消费", "txt", "推进建设，加快发展\n（一）大力提振消费"),
        ("湖南省实施方案\n\n为全面贯彻精神，特制定本方案。", "txt", "湖南省实施方案\n为全面贯彻精神，特制定本方案。"),
        # spaces between CJK and digits and full-width punctuation are kept
        ("增长 6.5% 左右，（１）ＡＢ。", "txt", "增长 6.5% 左右，（１）ＡＢ。"),
        # Markdown pipe tables: one line per row, cells joined by TAB
        ("| 序号 | 任务 | 牵头单位 |\n|---|:---:|---|\n| 1 | 建设 | 省发展改革委 |\n正文 a|b。", "md",
         "序号\t任务\t牵头单位\n1\t建设\t省发展改革委\n正文 a|b。"),
        # CRLF, form feed
        ("甲。\r\n乙。\f丙。", "txt", "甲。\n乙。\n丙。"),
    ],
)
def test_cleaning_rules(raw, fmt, expected):
    assert clean_text(raw, fmt)[0] == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        # a passage repeated right after itself (even within one line) is dropped once
        ("关于做好年度工作的通知，请各市州、各单位认真贯彻执行并抓好落实。" * 2 + "其他内容。",
         "关于做好年度工作的通知，请各市州、各单位认真贯彻执行并抓好落实。其他内容。"),
        ("第一段很长的内容，要求各地各部门切实加强组织领导，层层压实责任。\n第一段很长的内容，要求各地各部门切实加强组织领导，层层压实责任。\n下一段。",
         "第一段很长的内容，要求各地各部门切实加强组织领导，层层压实责任。\n下一段。"),
        # a whole paragraph that re-appears later is dropped
        ("要求各地各部门切实加强组织领导，确保年度各项目标任务全部落到实处。\n中间。\n要求各地各部门切实加强组织领导，确保年度各项目标任务全部落到实处。",
         "要求各地各部门切实加强组织领导，确保年度各项目标任务全部落到实处。\n中间。"),
        # short repeats and repeated notes of different tasks are kept
        ("加强领导。加强领导。", "加强领导。加强领导。"),
        ("1. 甲任务。（省发展改革委牵头，省直有关部门按职责分工负责）\n2. 乙任务。（省发展改革委牵头，省直有关部门按职责分工负责）",
         "1. 甲任务。（省发展改革委牵头，省直有关部门按职责分工负责）\n2. 乙任务。（省发展改革委牵头，省直有关部门按职责分工负责）"),
    ],
)
def test_repeated_passages(raw, expected):
    assert clean_text(raw, "txt")[0] == expected


def test_scraped_page_repeating_passages_all_over():
    a = "全省经济社会发展主要预期目标是地区生产总值增长百分之八左右，规模工业增加值增长百分之七。"
    b = "加强前沿技术和应用基础研究，围绕高端装备、轨道交通、新材料等优势领域推进专项行动。"
    c = "完善社会救助体系。"
    raw = f"{a}{c}\n{b}{a}\n{c}{b}"
    assert clean_text(raw, "txt")[0] == f"{a}{c}\n{b}\n{c}"
    # the same sentence restated once in a long document is kept
    filler = "".join(f"第{k}项工作要扎实推进并取得实效。" for k in range(40))
    raw2 = f"{a}{filler}\n{filler[::-1]}{a}"
    assert clean_text(raw2, "txt")[0] == raw2


def test_routing_form_removed_document_kept():
    raw = (
        "某市人民政府办公室文件处理单\n\n来文机关\t省政府办公厅\t文号\t某政办发 〔2025〕3号\t收文日期 2025-01-20\n"
        "文件主题\t关于印发《某方案》的通知\t\t\n领导批示\t<div>请研究。</div>\t\t\n\n经办人：秘书室\n\n联系电话：5172259\n\n000993\n\n"
        "某省人民政府办公厅文件\n\n某政办发〔2025〕3号\n\n某省人民政府办公厅关于印发《某方案》的通知\n"
    )
    text = clean_text(raw, "txt")[0]
    assert text == "某省人民政府办公厅文件\n某政办发〔2025〕3号\n某省人民政府办公厅关于印发《某方案》的通知"


def test_pdf_wrapped_lines_are_joined():
    lines = [f"为加快推进全省数字政府建设提升治理能力现代化水平{k}" for k in range(7)]  # 25 chars, no punctuation
    raw = "\n".join(lines[:6] + ["到年底基本建成。", "一、总体要求", lines[6], "完成。"])
    text = clean_text(raw, "pdf")[0]
    assert text.split("\n") == ["".join(lines[:6]) + "到年底基本建成。", "一、总体要求", lines[6] + "完成。"]
    assert clean_text(raw, "txt")[0] == raw  # only PDF text is wrapped visually


def test_tables_with_form_like_headers_are_kept():
    raw = "编号\t任务\t牵头单位\n1\t甲\t省发展改革委\n\n编号\t任务\t牵头单位\n1\t丙\t省教育厅"
    assert clean_text(raw, "txt")[0] == raw.replace("\n\n", "\n")


def test_lost_line_breaks_get_heading_breaks():
    def body(k):
        return "".join(f"总体要求是推进高质量发展，扎实做好第{k}{j}项工作。" for j in range(6))

    raw = body(1) + "一、加快产业发展。" + body(2) + "（一）推进制造业升级。" + body(3) + "1．培育集群。" + body(4) + "附件：指标表"
    text, segmap = clean_text(raw, "txt")
    lines = text.split("\n")
    assert [ln[:4] for ln in lines[1:]] == ["一、加快", "（一）推", "1．培育", "附件：指"]
    assert len(segmap.inserted_ranges()) == 4


def test_joined_name_maps_to_its_raw_span():
    raw = "（省发展改革委牵头，省科技厅、省自\n\n然资源厅按职责分工负责）"
    doc = normalise(_doc(raw))
    s = doc.text.index("省自然资源厅")
    rs, re_ = doc.raw_span(s, s + len("省自然资源厅"))
    assert rs == raw.index("省自") and re_ == raw.index("然资源厅") + len("然资源厅")
    assert raw[rs:re_] == "省自\n\n然资源厅"


# ------------------------------------------------------------------ the offset property
_PIECES = st.sampled_from([
    "省", "自", "然", "资源厅", "牵头", "，", "。", "、", "；", "）", "（", "\n", "\n\n", " ", "　", "\t", "1", "2025",
    "一、", "（一）", "1. ", "第一章", "<p>", "</p>", "<br>", "&amp;", "&lt;", "[bookmark: _Toc1]", "# ", "**",
    "— 3 —", "\n3\n", "附件", "来文机关\t", "文号\t", "经办人：", "重复出现的一段很长的文字内容，用于检验去重规则。",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=60), st.sampled_from(["txt", "md", "html"]))
def test_every_copied_char_maps_back_to_the_same_raw_char(pieces, fmt):
    raw = "".join(pieces)
    text, segmap = clean_text(raw, fmt)
    ns, rs = segmap.to_offsets()
    om = OffsetMap(ns, rs)
    inserted = {p for a, b in segmap.inserted_ranges() for p in range(a, b)}
    prev = -1
    for i, ch in enumerate(text):
        r = om.to_raw(i)
        assert 0 <= r <= len(raw)
        if i not in inserted:
            assert raw[r] == ch
            assert r > prev  # copied characters keep their order
            prev = r
    # a copied span maps to a raw span whose text, minus removed characters, is the span
    for a in range(0, len(text), 7):
        b = min(len(text), a + 5)
        if any(p in inserted for p in range(a, b)) or a >= b:
            continue
        rs_, re_ = om.span_to_raw(a, b)
        raw_span = raw[rs_:re_]
        it = iter(raw_span)
        assert all(ch in it for ch in text[a:b])  # text[a:b] is a subsequence of the raw span
        assert raw_span[0] == text[a] and raw_span[-1] == text[b - 1]


# ------------------------------------------------------------------ metadata
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("湘政办发 [2025] 2号", "湘政办发〔2025〕2号"),
        ("国发【2024】第5号", "国发〔2024〕5号"),
        ("的通知湘政发〔2017〕10号各市州", "湘政发〔2017〕10号"),
        ("国办函（2023）12号", "国办函〔2023〕12号"),
        ("无文号", None),
    ],
)
def test_doc_numbers(raw, expected):
    assert normalise_doc_number(raw) == expected


@pytest.mark.parametrize(
    "title, kind",
    [
        ("某省人民政府关于印发《某省数字经济发展行动计划（2023—2025年）》的通知", "行动计划"),
        ("某省人民政府关于下达《某省2024年国民经济和社会发展计划》的通知", "计划"),
        ("国务院关于加快发展的意见", "意见"),
        ("某省人民政府关于做好春耕工作的通知", "通知"),
        ("中共某省委 某省人民政府关于贯彻落实《某意见》的实施意见", "意见"),
        ("某省国民经济和社会发展第十五个五年规划纲要", "规划纲要"),
        ("2025年全省发展改革工作要点", "要点"),
    ],
)
def test_kinds(title, kind):
    assert kind_of(title) == kind


@pytest.mark.parametrize(
    "issuer, docno, province",
    [
        ("湖北省人民政府办公厅", None, "湖北省"), ("中共四川省委;四川省人民政府", None, "四川省"),
        (None, "鄂政发〔2024〕1号", "湖北省"), ("国务院办公厅", "国办发〔2024〕1号", None),
        ("广西壮族自治区人民政府", None, "广西壮族自治区"), ("国家发展改革委", "发改投资〔2024〕9号", None),
    ],
)
def test_provinces(issuer, docno, province):
    assert province_of(issuer, docno) == province


def test_metadata_of_a_notice():
    text = ("国务院文件\n国发〔2024〕5号\n国务院关于印发《某某行动方案》的通知\n各省、自治区、直辖市人民政府：\n"
            "现将《某某行动方案》印发给你们，请认真贯彻执行。\n国务院\n2024年3月1日\n（此件公开发布）")
    m = extract_metadata(text)
    assert (m.title, m.doc_number, m.issuer, m.date, m.kind, m.province) == (
        "国务院关于印发《某某行动方案》的通知", "国发〔2024〕5号", "国务院", "2024-03-01", "方案", None)


def test_cited_doc_number_is_not_the_documents_own():
    text = "某市加快发展工作方案\n为贯彻落实《国务院关于加快发展的意见》（国发〔2024〕5号）和按照国办发〔2023〕9号文件要求，" \
           "结合本市实际，制定本方案。" + "具体内容。" * 80 + "参照湘政发〔2022〕1号执行。"
    assert extract_metadata(text).doc_number is None


def test_issuer_from_signature_and_title_without_notice():
    m = extract_metadata("某某工作方案\n为推进工作，制定本方案。\n一、目标\n内容。\n湖北省发展和改革委员会\n2024年5月6日")
    assert (m.title, m.issuer, m.date, m.kind, m.province) == (
        "某某工作方案", "湖北省发展和改革委员会", "2024-05-06", "工作方案", "湖北省")


def test_signing_date_preferred_over_printing_date():
    text = "某省人民政府办公厅关于做好某项工作的通知\n内容。\n某省人民政府办公厅\n2023年1月16日\n某省人民政府办公厅 2023年1月18日印发"
    assert extract_metadata(text).date == "2023-01-16"
    assert extract_metadata("某某通知\n二〇二五年一月十七日").date == "2025-01-17"


def _manifest(corpus_dir):
    with open(corpus_dir / "MANIFEST.tsv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture(scope="module")
def sample(corpus_dir):
    return {row["file"]: (row, normalise(read_source(corpus_dir / row["file"]))) for row in _manifest(corpus_dir)}


@pytest.mark.parametrize("field", ["title", "issuer", "doc_number", "date", "kind"])
def test_sample_metadata_matches_manifest(sample, field):
    for name, (row, doc) in sorted(sample.items()):
        got = getattr(doc.meta, field) or ""
        assert got == row[field], (name, field)
        assert doc.meta.province == "湖南省"


def test_gold_evidence_offsets(sample, gold_dir):
    rows = []
    for fn in ("seed_leads.jsonl", "seed_notes_without_lead.jsonl"):
        with open(gold_dir / fn, encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    assert len(rows) > 100
    for r in rows:
        doc = sample[r["doc"]][1]
        ev = r["evidence"].replace("\n", "")
        starts = []
        pos = doc.text.find(ev)
        while pos >= 0:
            starts.append(doc.offsets.to_raw(pos))
            pos = doc.text.find(ev, pos + 1)
        assert r["evidence_start"] in starts, r["evidence"]
        assert doc.raw[r["evidence_start"]:r["evidence_start"] + len(r["evidence"])] == r["evidence"]


def test_sample_debris_is_gone(sample):
    for name, (_row, doc) in sample.items():
        assert "[bookmark:" not in doc.text and "<p>" not in doc.text and "\n\n" not in doc.text
        assert "来文机关" not in doc.text and "\t\t" not in doc.text, name
        assert not any(ln[:1] in (" ", "\u3000", "#") for ln in doc.text.split("\n")), name


@pytest.mark.slow
def test_50mb_normalises_in_well_under_a_minute(corpus_dir):
    paras = []
    for p in sorted(corpus_dir.glob("*.txt")):
        paras += [ln for ln in p.read_text(encoding="utf-8").split("\n") if ln.strip()]
    parts, size, k = [], 0, 0
    while size < 50_000_000:  # every sentence made unique, so nothing is a repeat
        ln = paras[k % len(paras)].replace("。", f"（{k}）。") + f"（第{k}条）\n\n"
        parts.append(ln)
        size += len(ln.encode("utf-8"))
        k += 1
    raw = "".join(parts)
    t = time.perf_counter()
    doc = normalise(_doc(raw))
    dt = time.perf_counter() - t
    assert dt < 60, dt
    assert len(doc.text) > 0.5 * len(raw)
