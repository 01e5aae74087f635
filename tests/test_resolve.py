"""Resolution (kg.resolve): aliases, province templates, region codes, programme identity, units."""
from __future__ import annotations

import pytest

from kg.resolve import Resolver, programme_key
from kg.types import DocMeta, Document, Mention, OffsetMap, Responsibility, Unit


def _doc(text: str = "", province: str | None = "湖南省") -> Document:
    return Document(source="t.txt", doc_id="t", raw=text, text=text, offsets=OffsetMap.identity(),
                    meta=DocMeta(province=province))


@pytest.fixture(scope="module")
def resolver():
    return Resolver()


def _resolve_one(resolver, name, typ="department", province="湖南省", text=""):
    ms, _, ents, unresolved = resolver.resolve(_doc(text or name, province), [Mention(name, typ, 0, len(name))], [])
    return ms[0], ents, unresolved


@pytest.mark.parametrize("name,province,canonical", [
    ("省发改委", "湖南省", "湖南省发展和改革委员会"),
    ("省发展改革委", "湖南省", "湖南省发展和改革委员会"),
    ("湖南省发展和改革委员会", "湖南省", "湖南省发展和改革委员会"),
    ("省发展改革委", "广东省", "广东省发展和改革委员会"),
    ("省人力资源社会保障厅", "四川省", "四川省人力资源和社会保障厅"),
    ("省委", "江西省", "中国共产党江西省委员会"),
    ("省政府", "广西壮族自治区", "广西壮族自治区人民政府"),
    ("省税务局", "湖北省", "国家税务总局湖北省税务局"),
    ("广东省发改委", "湖南省", "广东省发展和改革委员会"),
    ("国家发改委", None, "中华人民共和国国家发展和改革委员会"),
    ("工信部", None, "中华人民共和国工业和信息化部"),
    ("国务院", None, "中华人民共和国国务院"),
    ("省政府外事办", "湖南省", "湖南省人民政府外事办公室"),
    ("省十三届人大", "湖南省", "湖南省人民代表大会"),
])
def test_department_canonicals(resolver, name, province, canonical):
    m, ents, unresolved = _resolve_one(resolver, name, province=province)
    assert m.canonical == canonical
    assert m.entity == f"department/{canonical}"
    assert name not in unresolved


def test_aliases_give_one_entity(resolver):
    names = ["省发改委", "省发展改革委", "湖南省发展和改革委员会"]
    text = "，".join(names)
    ms, pos = [], 0
    for n in names:
        ms.append(Mention(n, "department", pos, pos + len(n)))
        pos += len(n) + 1
    out, _, ents, _ = resolver.resolve(_doc(text), ms, [])
    assert {m.entity for m in out} == {"department/湖南省发展和改革委员会"}
    (e,) = [e for e in ents if e.type == "department"]
    assert e.aliases == ("省发展改革委", "省发改委")


def test_relative_name_without_province_is_unresolved(resolver):
    m, ents, unresolved = _resolve_one(resolver, "省财政厅", province=None, text="省财政厅负责。")
    assert m.entity is None and unresolved == ("省财政厅",)


def test_province_named_most_is_the_fallback(resolver):
    text = "四川省人民政府办公厅。四川省各地。省财政厅负责。"
    ms, _, _, unresolved = resolver.resolve(_doc(text, None), [Mention("省财政厅", "department", 18, 22)], [])
    assert ms[0].canonical == "四川省财政厅" and not unresolved


def test_unknown_department_is_reported_not_dropped(resolver):
    m, ents, unresolved = _resolve_one(resolver, "省未知事务局")
    assert m.canonical == "湖南省未知事务局"
    assert unresolved == ("省未知事务局",)
    assert [e.resolved for e in ents if e.type == "department"] == [False]


@pytest.mark.parametrize("name,canonical,code,parent", [
    ("长沙", "长沙市", "430100", "region/湖南省"),
    ("长沙市", "长沙市", "430100", "region/湖南省"),
    ("浏阳市", "浏阳市", "430181", "region/长沙市"),
    ("宁乡县", "宁乡市", "430182", "region/长沙市"),
    ("湘西自治州", "湘西土家族苗族自治州", "433100", "region/湖南省"),
    ("广东", "广东省", "440000", "region/中华人民共和国"),
    ("东盟", "东南亚国家联盟", None, None),
])
def test_region_codes_and_parents(resolver, name, canonical, code, parent):
    m, ents, _ = _resolve_one(resolver, name, typ="region")
    assert m.canonical == canonical
    e = {x.key: x for x in ents}[f"region/{canonical}"]
    assert e.code == code and e.parent == parent
    if parent:
        assert parent in {x.key for x in ents}  # the containing region is an entity too


@pytest.mark.parametrize("a,b", [
    ("十大技术攻关项目", "“十大技术攻关项目”"),
    ("2023年十大技术攻关项目", "2025年“十大技术攻关项目”"),
    ("“十四五”数字政府建设", "数字政府"),
    ("“智赋万企”行动", "\"智赋万企\" 行动"),
])
def test_programme_identity_across_documents_and_years(a, b):
    assert programme_key(a) == programme_key(b)


def test_programme_parts_get_their_parent(resolver):
    text = "实施“七大攻坚”。\n（一）实施内需扩量提效攻坚。坚持扩大内需。\n（二）实施产业育新培强攻坚。"
    names = ["“七大攻坚”", "内需扩量提效攻坚", "产业育新培强攻坚"]
    ms = [Mention(n, "programme", text.index(n), text.index(n) + len(n)) for n in names]
    doc = Document(source="t.txt", doc_id="t", raw=text, text=text, offsets=OffsetMap.identity(),
                   meta=DocMeta(title="湖南省实施“七大攻坚”总体方案", province="湖南省"))
    out, _, ents, _ = resolver.resolve(doc, ms, [])
    by_key = {e.key: e for e in ents}
    assert by_key["programme/内需扩量提效攻坚"].parent == "programme/七大攻坚"
    assert by_key["programme/产业育新培强攻坚"].parent == "programme/七大攻坚"
    assert by_key["programme/七大攻坚"].parent is None


def test_programme_parent_needs_title_or_all_parts(resolver):
    text = "实施“七大攻坚”。\n（一）实施内需扩量提效攻坚。\n（二）实施产业育新培强攻坚。"
    names = ["“七大攻坚”", "内需扩量提效攻坚", "产业育新培强攻坚"]
    ms = [Mention(n, "programme", text.index(n), text.index(n) + len(n)) for n in names]
    _, _, ents, _ = resolver.resolve(_doc(text), ms, [])
    assert all(e.parent is None for e in ents)  # 2 of 7 parts and no title naming it: no guess


def test_units_resolved_and_collective_marked(resolver):
    r = Responsibility(doc_id="t", source="t.txt", section=(), task_no="1", task="做好甲事", evidence="x",
                       start=0, end=1, leads=(Unit("省发改委", 0, 4),),
                       supporting=(Unit("各市州人民政府", 5, 12), Unit("省不存在厅", 13, 18)))
    _, (out,), ents, unresolved = resolver.resolve(_doc("x", "湖南省"), [], [r])
    assert out.leads[0].canonical == "湖南省发展和改革委员会"
    assert out.supporting[0].collective and out.supporting[0].entity == "department/各市州人民政府"
    assert "省不存在厅" in unresolved


def test_alias_file_extends_the_gazetteer(tmp_path):
    f = tmp_path / "aliases.tsv"
    f.write_text("alias\tcanonical\ttype\n发改部门\t{P}发展和改革委员会\tdepartment\n", encoding="utf-8")
    r = Resolver(alias_file=f)
    m, _, _ = _resolve_one(r, "发改部门", province="云南省")
    assert m.canonical == "云南省发展和改革委员会"
