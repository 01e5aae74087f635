"""kg.extract.notes: every variant of the responsibility note, unit splitting, robustness."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.notes import NoteParse, is_collective, parse_note, split_units


def texts(units):
    return [u[0] for u in units]


# (note, leads, supporting, collective, lead_mode, role) — made-up notes in the style of the genre
CASES = [
    ("（甲发展委牵头，乙财政厅、丙商务厅等按职责分工负责）", ["甲发展委"], ["乙财政厅", "丙商务厅"], [], None, "按职责分工负责"),
    ("（甲厅、乙委牵头）", ["甲厅", "乙委"], [], [], None, None),
    ("（市水利局、市林业局分别牵头）", ["市水利局", "市林业局"], [], [], "分别牵头", None),
    ("（县教育局牵头负责）", ["县教育局"], [], [], "牵头负责", None),
    ("（县教育局、县财政局牵头负责）", ["县教育局", "县财政局"], [], [], "牵头负责", None),
    ("（牵头单位：市卫生健康委）", ["市卫生健康委"], [], [], None, None),
    ("(牵头单位:市卫生健康委；配合单位:市医保局、市财政局)", ["市卫生健康委"], ["市医保局", "市财政局"], [], None, "配合"),
    ("（牵头单位：市民政局，配合单位：各区县人民政府）", ["市民政局"], ["各区县人民政府"], ["各区县人民政府"], None, "配合"),
    ("（责任单位：区住建局、区城管局）", [], ["区住建局", "区城管局"], [], None, "负责"),
    ("（责任单位：区住建局（牵头）、区城管局）", ["区住建局"], ["区城管局"], [], None, "负责"),
    ("（省人社厅牵头，省税务局参与）", ["省人社厅"], ["省税务局"], [], None, "参与"),
    ("(省人社厅牵头,省税务局配合)", ["省人社厅"], ["省税务局"], [], None, "配合"),
    ("（省人社厅牵头、省税务局配合）", ["省人社厅"], ["省税务局"], [], None, "配合"),
    ("（甲局牵头，乙局、丙局按职能分工负责）", ["甲局"], ["乙局", "丙局"], [], None, "按职能分工负责"),
    ("按职能分工负责", [], [], [], None, "按职能分工负责"),
    ("（甲局、乙局等按职责分工负责）", [], ["甲局", "乙局"], [], None, "按职责分工负责"),
    ("县交通局负责", [], ["县交通局"], [], None, "负责"),
    ("（由市商务局牵头）", ["市商务局"], [], [], None, None),
    ("（市商务局牵头，市财政局，市统计局按职责分工负责）", ["市商务局"], ["市财政局", "市统计局"], [], None, "按职责分工负责"),
    ("（甲委等省直有关部门及各市州人民政府按职责分工负责）", [], ["甲委", "各市州人民政府"], ["各市州人民政府"], None,
     "按职责分工负责"),
    ("（甲委牵头，各有关部门按职能分工负责）", ["甲委"], ["各有关部门"], ["各有关部门"], None, "按职能分工负责"),
    ("（甲委牵头，各负有监管职责行业部门按职能分工负责）", ["甲委"], ["各负有监管职责行业部门"], ["各负有监管职责行业部门"],
     None, "按职能分工负责"),
    ("（甲委牵头，某某领导小组成员单位按职能分工负责）", ["甲委"], ["某某领导小组成员单位"], ["某某领导小组成员单位"], None,
     "按职能分工负责"),
    ("（省工业和信息化厅和省文化和旅游厅牵头）", ["省工业和信息化厅", "省文化和旅游厅"], [], [], None, None),
    ("（各高等学校按职责分工负责）", [], ["各高等学校"], ["各高等学校"], None, "按职责分工负责"),
    ("（省自\n\n然资源厅牵头，省林业局等按职\n\n责分工负责)", ["省自\n\n然资源厅"], ["省林业局"], [], None, "按职责分工负责"),
    ("（甲厅牵头，乙局等部门配合）", ["甲厅"], ["乙局"], [], None, "配合"),
    ("（甲厅、乙局共同牵头）", ["甲厅", "乙局"], [], [], "共同牵头", None),
    ("（甲厅为牵头单位，乙局为配合单位）", ["甲厅"], ["乙局"], [], None, "配合"),
    ("（市住建局 市自然资源局牵头）", ["市住建局", "市自然资源局"], [], [], None, None),
    ("（责任单位：市发展改革委；配合单位：市财政局）", ["市发展改革委"], ["市财政局"], [], None, "配合"),
    ("【牵头单位：甲厅】", ["甲厅"], [], [], None, None),
    ("（国家发展改革委牵头，各省（自治区、直辖市）人民政府按职责分工负责）", ["国家发展改革委"],
     ["各省（自治区、直辖市）人民政府"], ["各省（自治区、直辖市）人民政府"], None, "按职责分工负责"),
    ("（一是甲厅牵头；二是乙局参与）", ["甲厅"], ["乙局"], [], None, "参与"),
]


@pytest.mark.parametrize("note,leads,supporting,collective,lead_mode,role", CASES)
def test_parse_note_variants(note, leads, supporting, collective, lead_mode, role):
    p = parse_note(note)
    assert texts(p.leads) == leads
    assert texts(p.supporting) == supporting
    assert texts(p.collective) == collective
    assert p.lead_mode == lead_mode
    assert p.role == role
    for text, s, e in p.leads + p.supporting + p.collective:
        assert note[s:e] == text


@pytest.mark.parametrize("note,first_listed,leads,supporting,lead_mode", [
    ("（甲委、乙厅、丙局）", True, ["甲委"], ["乙厅", "丙局"], "列第一位"),
    ("（甲委、乙厅、丙局）", False, [], ["甲委", "乙厅", "丙局"], None),
    ("（甲委、乙厅等按职责分工负责）", True, ["甲委"], ["乙厅"], "列第一位"),
    ("（各市州人民政府、甲委）", True, ["甲委"], ["各市州人民政府"], "列第一位"),   # a collective never leads by position
    ("（乙厅牵头，甲委参与）", True, ["乙厅"], ["甲委"], None),                     # an explicit lead wins
])
def test_first_listed_rule(note, first_listed, leads, supporting, lead_mode):
    p = parse_note(note, first_listed_leads=first_listed)
    assert (texts(p.leads), texts(p.supporting), p.lead_mode) == (leads, supporting, lead_mode)


@pytest.mark.parametrize("note", ["（其中创业培训 11 万人次）", "（含自建房）", "(此件依申请公开)", "", "（）"])
def test_ordinary_brackets_carry_no_keyword_and_no_lead(note):
    # parse_note is syntactic: deciding that a bracket is no note is left to find_responsibilities
    p = parse_note(note)
    assert not p.keyword and not p.leads


@pytest.mark.parametrize("segment,expected", [
    ("甲厅、乙局", ["甲厅", "乙局"]),
    ("甲厅，乙局;丙委", ["甲厅", "乙局", "丙委"]),
    ("甲厅等", ["甲厅"]),
    ("甲厅等部门", ["甲厅"]),
    ("甲厅等省直单位及各县人民政府", ["甲厅", "各县人民政府"]),
    ("国家发展和改革委员会", ["国家发展和改革委员会"]),
    ("省人力资源和社会保障厅与省财政厅", ["省人力资源和社会保障厅", "省财政厅"]),
    ("会同甲厅", ["甲厅"]),
    ("、、", []),
])
def test_split_units(segment, expected):
    assert texts(split_units(segment)) == expected


@pytest.mark.parametrize("name,expected", [
    ("各市州人民政府", True), ("各有关部门", True), ("有关单位", True), ("相关部门", True), ("省直有关部门", True),
    ("各县市区", True), ("专项小组成员单位", True), ("省财政厅", False), ("国网某某省电力公司", False),
])
def test_is_collective(name, expected):
    assert is_collective(name) is expected


GENRE = st.lists(st.sampled_from([
    "（", "）", "(", ")", "牵头", "分别牵头", "牵头负责", "、", "，", ",", "；", "：", "等", "按职责分工负责", "按职能分工负责",
    "参与", "配合", "负责", "牵头单位：", "配合单位：", "责任单位：", "省财政厅", "各市州人民政府", "及", "和", "省", "\n\n",
    " ", "（牵头）", "甲", "为牵头单位", "高等",
]), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), GENRE), st.booleans())
def test_parse_note_never_crashes_and_units_are_substrings(note, first):
    p = parse_note(note, first_listed_leads=first)
    assert isinstance(p, NoteParse)
    for text, s, e in p.leads + p.supporting + p.collective:
        assert 0 <= s < e <= len(note)
        assert note[s:e] == text and text.strip()
    assert set(p.collective) <= set(p.leads) | set(p.supporting)
    assert not set(p.leads) & set(p.supporting)
