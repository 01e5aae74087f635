"""Entity mentions (kg.extract.entities) and their scoring (kg.evaluate.entities).

The sentences are made up for these tests (several provinces); the slow test measures the sample corpus
against eval/gold and asserts the scores reached when it was written, minus a small margin.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.evaluate.entities import score_entities
from kg.types import DocMeta, DocResult, Document, Mention, OffsetMap


def _doc(text: str, province: str | None = "湖南省", source: str = "t.txt") -> Document:
    return Document(source=source, doc_id="t", raw=text, text=text, offsets=OffsetMap.identity(),
                    meta=DocMeta(province=province))


@pytest.fixture(scope="module")
def extractor():
    from kg.extract.entities import EntityExtractor

    return EntityExtractor()


@pytest.fixture(scope="module")
def resolver():
    from kg.resolve import Resolver

    return Resolver()


FOUND = [
    # (text, type, name as written)
    ("（省发改委牵头，省财政厅、省自然资源厅按职责分工负责）", "department", "省发改委"),
    ("（省发改委牵头，省财政厅、省自然资源厅按职责分工负责）", "department", "省自然资源厅"),
    ("由国家发展改革委、工业和信息化部联合部署。", "department", "国家发展改革委"),
    ("由国家发展改革委、工业和信息化部联合部署。", "department", "工业和信息化部"),
    ("党中央、国务院高度重视。", "department", "党中央"),
    ("广东省发展改革委会同有关部门推进。", "department", "广东省发展改革委"),
    ("（国家发展改革委、教育部、科技部按职责分工负责）", "department", "科技部"),
    ("（省发展改革委牵头，佛山市人民政府、东莞市人民政府负责）", "department", "佛山市人民政府"),
    ("（省促进中小企业发展工作领导小组牵头）", "department", "省促进中小企业发展工作领导小组"),
    ("国家税务总局四川省税务局负责。", "department", "国家税务总局四川省税务局"),
    ("加快建设鹏城实验室和广州实验室。", "lab", "鹏城实验室"),
    ("推进TS 实验室组建。", "lab", "TS 实验室"),
    ("推进广湛高铁、深江铁路建设。", "corridor", "广湛高铁"),
    ("推进广湛高铁、深江铁路建设。", "corridor", "深江铁路"),
    ("常态化开行中欧班列，拓展西部陆海新通道。", "corridor", "西部陆海新通道"),
    ("实施京港澳、沪昆、许广等高速公路扩容。", "corridor", "沪昆"),
    ("加快“疆电入湘”工程前期工作。", "corridor", "“疆电入湘”"),
    ("支持珠三角地区与东盟、欧盟开展合作。", "region", "珠三角地区"),
    ("支持珠三角地区与东盟、欧盟开展合作。", "region", "东盟"),
    ("推动长沙、株洲、湘潭一体化。", "region", "株洲"),
    ("深化湘鄂赣、湘粤桂毗邻地区合作。", "region", "湘鄂赣"),
    ("支持成渝地区双城经济圈建设。", "region", "成渝地区双城经济圈"),
    ("保护昭山、法华山、九郎山生态。", "region", "法华山"),
    ("实施“七大攻坚”，打好内需扩量提效攻坚战。", "programme", "“七大攻坚”"),
    ("实施“智赋万企”行动。", "programme", "“智赋万企”行动"),
    ("组织实施十大技术攻关项目。", "programme", "十大技术攻关项目"),
    ("深入实施城市更新行动。", "programme", "城市更新行动"),
    # combined abbreviations of prefectures / rivers of a refdata province
    ("推进娄永、常益等重点区域矿山修复。", "region", "娄永"),
    ("推动实施资澧连通工程。", "region", "资澧"),
    # places joined by dashes, each a row
    ("构建以桃花岭—凤凰山—白沙湖为骨架的生态廊道。", "region", "凤凰山"),
    ("构建以桃花岭—凤凰山—白沙湖为骨架的生态廊道。", "region", "白沙湖"),
    ("强化韶关—深圳、梅州—广州对口合作。", "region", "韶关"),
    # two province abbreviations + 边; counted natural features
    ("深化粤桂边、湘赣边协同发展。", "region", "粤桂边"),
    ("守护“一江两河三湖”生态格局。", "region", "一江两河三湖"),
    ("开展“三口水系”综合整治。", "region", "三口水系"),
    ("支持大珠三角地区协同。", "region", "大珠三角地区"),
    ("布局建设清远、韶关翁源新片区。", "region", "韶关翁源新片区"),
    # places inside a station-to-station or 至 route name
    ("规划建设英德至新丰高速。", "region", "新丰"),
    ("规划建设英德至新丰高速。", "corridor", "英德至新丰高速"),
    # corridors: lists after a lead-in, dash lines, metro extensions, station ranges, N大通道
    ("铁路，重点抓好赣深、梅龙、汕汕等项目建设。", "corridor", "梅龙"),
    ("加快建设广州地铁5号线东延、8号线北延、磁浮南延。", "corridor", "8号线北延"),
    ("加快建设广州地铁5号线东延、8号线北延、磁浮南延。", "corridor", "磁浮南延"),
    ("规划建设广州南站至佛山西站，研究论证东莞西站至惠州北站联络线。", "corridor", "东莞西站至惠州北站联络线"),
    ("扩大三大通道市州覆盖面。", "corridor", "三大通道"),
    ("探索跨黑海铁海联运线路。", "corridor", "跨黑海铁海联运线路"),
    ("巩固中老、中越跨境班列先发地位。", "corridor", "中老、中越跨境班列"),
    ("拓展日、韩、北美远洋航线。", "corridor", "日、韩、北美远洋航线"),
    # programmes: national pilot designations without a place, named reservoirs, short 战略, 打好…仗
    ("建设国家数字经济创新发展试验区。", "programme", "国家数字经济创新发展试验区"),
    ("推进青龙潭水库、白石灌区等骨干水源建设。", "programme", "青龙潭水库"),
    ("深入实施品牌战略。", "programme", "品牌战略"),
    ("全力打好科技创新攻坚仗。", "programme", "打好科技创新攻坚仗"),
    ("支持广东省知识产权保护中心发展。", "department", "广东省知识产权保护中心"),
    # box (专栏) titles and the items opening a box line; a place-named science town
    ("专栏7  数字广东建设重点工程\n算力枢纽提升工程。建设算力节点。\n", "programme", "数字广东建设重点工程"),
    ("专栏7  数字广东建设重点工程\n算力枢纽提升工程。建设算力节点。\n", "programme", "算力枢纽提升工程"),
    ("支持湘江科学城建设。", "programme", "湘江科学城"),
    ("开展科技保险试点。", "programme", "科技保险试点"),
    ("实施高标准农田建设工程和优质粮油工程。", "programme", "优质粮油工程"),
    ("实施高标准农田建设工程和优质粮油工程。", "programme", "高标准农田建设工程"),
    # a weak short alias (also a common word) counts as a place inside a route name
    ("推进监利至华容长江过江通道项目前期研究。", "region", "华容"),
    ("推进天府新区、成都东部新区建设。", "region", "成都东部新区"),
    ("支持宜荆荆都市圈、襄十随神城市群发展。", "region", "襄十随神城市群"),
    ("加强赤水河、乌江、嘉陵江流域保护。", "region", "乌江"),
    ("加快川藏铁路雅安至林芝段建设。", "corridor", "川藏铁路雅安至林芝段"),
    # a state-owned group's short name without 集团 (refdata: 财信集团), standing alone
    ("支持财信、兴湘等企业做强做优。", "department", "财信"),
    # programme rules, with texts of other provinces and of the State Council (not from the sample)
    ("实施化肥、农药使用量零增长行动。", "programme", "化肥、农药使用量零增长行动"),  # conjuncts share the head
    ("加快数字广东建设，推进健康四川行动。", "programme", "数字广东"),  # province programmes: 数字{p}
    ("深入实施新时代西部大开发战略。", "programme", "新时代西部大开发战略"),  # national strategies gazetteer
    ("统筹推进长城国家文化公园（河北段）建设。", "programme", "长城国家文化公园（河北段）"),
    ("实施生态保护“三大工程”：天然林保护修复工程、湿地保护恢复工程、国土绿化提升工程。", "programme", "湿地保护恢复工程"),
    ("实施土壤治理“八大工程”，推进绿色发展。", "programme", "土壤治理“八大工程”"),  # a counted label takes its qualifier
    ("完善“省市县三级联动”应急指挥体系。", "programme", "“省市县三级联动”应急指挥体系"),
    ("开展“粤菜师傅”提升行动。", "programme", "“粤菜师傅”提升行动"),
    ("确保高质量完成“十四五”规划目标任务。", "programme", "“十四五”规划"),
    ("加快建设广州南沙科技园和东莞松山湖科创城。", "programme", "东莞松山湖科创城"),
    ("实施堤防加固、河道疏浚、水库除险等十大工程。", "programme", "堤防加固、河道疏浚、水库除险等十大工程"),
    ("全面完成清欠专项行动。", "programme", "清欠专项行动"),
]


@pytest.mark.parametrize("text,typ,name", FOUND)
def test_finds(extractor, text, typ, name):
    got = {(m.type, m.text) for m in extractor.mentions(_doc(text), ())}
    assert (typ, name) in got, sorted(got)


ABSENT = [
    # (text, name that must not be a mention of any type)
    # events, platforms, lists and sayings in quotes; descriptive 攻坚/专项整治; counts of projects
    ("办好“金种子杯”创业大赛。", "“金种子杯”"),
    ("严格实行投向领域“负面清单”管理。", "“负面清单”"),
    ("坚持和发展新时代“枫桥经验”。", "“枫桥经验”"),
    ("围绕加快高水平科技自立自强改革攻坚。", "科技自立自强改革攻坚"),
    ("深化化工园区地下水污染专项整治。", "化工园区地下水污染专项整治"),
    ("实施300个左右重大项目。", "300个左右重大项目"),
    ("重点突破极端环境战略性矿产资源安全。", "重点突破极端环境战略"),
    ("推广重点制造企业“量价互保”服务模式。", "“量价互保”"),
    ("建设一批全国重点实验室和省实验室。", "全国重点实验室"),
    ("建设一批全国重点实验室和省实验室。", "省实验室"),
    ("完善传染病监测实验室网络。", "传染病监测实验室"),
    ("省政府各厅委、各直属机构：", "省政府"),
    ("各省、自治区、直辖市人民政府，国务院各部委、各直属机构：", "国务院"),
    ("各市州、县市区人民政府：", "县市区人民政府"),
    ("打通出省通道和战略通道。", "出省通道"),
    ("扩大普通高中办学资源。", "中办"),
    ("推进中国式现代化。", "中国"),
    # place words fused into port, airport or lab names; generic or non-transport channels
    ("加强与宁波舟山港、广州港联动。", "宁波"),
    ("加强与宁波舟山港、广州港联动。", "广州"),
    ("拓宽技能人才发展通道。", "技能人才发展通道"),
    ("布局建设省内天然气支线管道。", "天然气支线管道"),
    ("谋划研究东莞西站至惠州北站联络线。", "研究东莞西站至惠州北站联络线"),
    ("依托铁路、水运、民航等通道。", "民航"),
    ("加强三条通道经济带区域合作。", "三条通道经济带"),
    ("积极建设高铁经济带。", "高铁经济带"),
    # slogans, formulas and principles in quotes
    ("推广“枫桥经验”。", "“枫桥经验”"),
    ("推行“产品+服务”模式。", "“产品+服务”"),
    ("强化“设计—制造—封测—应用”链条。", "“设计—制造—封测—应用”"),
    ("保持战略定力。", "保持战略"),
    ("深入实施城市更新行动。", "深入实施城市更新行动"),
    ("推进实施国家历史遗留废弃矿山生态修复示范工程。", "实施国家历史遗留废弃矿山生态修复示范工程"),
    ("打造平安社区、平安乡村。", "安乡"),
    ("推进人才强省，实现湘智兴湘。", "兴湘"),
    ("编制国民经济和社会发展年度计划。", "国民经济和社会发展年度计划"),
    ("主动对接国家重大战略。", "对接国家重大战略"),
    ("推进天府新区、成都东部新区建设。", "天府新区、成都东部新区"),
    ("各省、自治区、直辖市人民政府：", "直辖市人民政府"),
    ("建成具有国际影响力的重要城市群。", "重要城市群"),
    ("共同发展壮大长江中游城市群。", "壮大长江中游城市群"),
    ("以坪塘—昭山—云峰湖东西向生态林带和易俗河—法华山南北向生态林带组成", "带和易俗河"),
]


@pytest.mark.parametrize("text,name", ABSENT)
def test_does_not_find(extractor, text, name):
    got = {m.text for m in extractor.mentions(_doc(text), ())}
    assert name not in got, sorted(got)


def test_longest_match_wins(extractor):
    ms = extractor.mentions(_doc("湖南省发展和改革委员会印发通知。"), ())
    assert [(m.type, m.text) for m in ms] == [("department", "湖南省发展和改革委员会")]


def test_offsets_point_into_text(extractor, data_dir):
    text = (data_dir / "entities" / "guangdong_sample.txt").read_text(encoding="utf-8")
    ms = extractor.mentions(_doc(text, "广东省"), ())
    assert ms, "no mentions"
    for m in ms:
        assert text[m.start:m.end] == m.text
    assert list(ms) == sorted(ms, key=lambda m: (m.start, m.end, m.type))


def test_other_province_document_resolves(extractor, resolver, data_dir):
    text = (data_dir / "entities" / "guangdong_sample.txt").read_text(encoding="utf-8")
    doc = _doc(text, "广东省")
    ms, _, ents, unresolved = resolver.resolve(doc, extractor.mentions(doc, ()), ())
    canon = {m.text: m.canonical for m in ms if m.type == "department"}
    assert canon["省发展改革委"] == "广东省发展和改革委员会"
    assert canon["省工业和信息化厅"] == "广东省工业和信息化厅"
    assert canon["省科技厅"] == "广东省科学技术厅"
    types = {(m.type, m.text) for m in ms}
    assert ("lab", "鹏城实验室") in types and ("corridor", "深江铁路") in types
    assert ("region", "粤港澳大湾区") in types


FRAGMENTS = ["省发改委", "牵头", "（", "）", "、", "，", "。", "\n", "“", "”", "实验室", "铁路", "高速", "航线", "等", "长沙",
             "湘江", "行动", "工程", "攻坚", "实施", "建设", "经济带", "示范区", "—", " ", "TS", "七大", "省", "垸"]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_gives_exact_spans(extractor, parts):
    text = "".join(parts)
    for m in extractor.mentions(_doc(text), ()):
        assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.text
        assert m.type in ("department", "region", "lab", "corridor", "programme")


def test_mentions_loaded_once(extractor):
    t = time.perf_counter()
    for _ in range(20):
        extractor.mentions(_doc("省发改委牵头，长沙市人民政府参与。"), ())
    assert time.perf_counter() - t < 2.0  # no per-document model or dictionary load


def test_score_entities_counts_distinct_names_without_whitespace():
    doc = Document("dir/a.txt", "x", "", "", OffsetMap.identity())
    ms = (Mention("省 发改委", "department", 0, 5, "department/湖南省发展和改革委员会", "湖南省发展和改革委员会"),
          Mention("省发改委", "department", 9, 13, "department/湖南省发展和改革委员会", "湖南省发展和改革委员会"),
          Mention("省财政厅", "department", 20, 24, "department/广东省财政厅", "广东省财政厅"),
          Mention("长沙", "region", 30, 32))
    gold = [{"doc": "a.txt", "type": "department", "name": "省发改委", "canonical": "湖南省发展和改革委员会"},
            {"doc": "a.txt", "type": "department", "name": "省财政厅", "canonical": "湖南省财政厅"},
            {"doc": "a.txt", "type": "region", "name": "株洲", "canonical": "株洲市"},
            {"doc": "b.txt", "type": "lab", "name": "湘江实验室", "canonical": "湘江实验室"}]
    s = score_entities([DocResult(doc, mentions=ms)], gold)
    assert s["department"]["tp"] == 2 and s["department"]["fp"] == 0
    assert s["region"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 1, "fn": 1}
    assert s["department_canonical"] == {"accuracy": 0.5, "n": 2}
    assert s["lab"]["fn"] == 1  # b.txt has gold rows but no result: its rows are missed
    assert s["per_doc"]["a.txt"]["department"]["f1"] == 1.0


# -- the sample corpus, measured against gold --------------------------------------------------------
#: scores measured on the sample corpus when this test was written, minus a margin of 0.02
#: (targets: department ≥ 0.95, lab/corridor/region ≥ 0.9, programme ≥ 0.75, canonical ≥ 0.97;
#: programme clears its target by a hair; its gold is ~80% complete, so precision reads low)
MEASURED_F1 = {"department": 0.986, "lab": 0.971, "region": 0.913, "corridor": 0.930, "programme": 0.751}
MEASURED_CANONICAL = 0.979


@pytest.mark.slow
def test_sample_corpus_scores(extractor, resolver, corpus_dir, gold_dir):
    from kg.ingest import read_source
    from kg.normalise import normalise

    results = []
    for path in sorted(Path(corpus_dir).glob("*.txt")):
        doc = normalise(read_source(path))
        ms, _, ents, unresolved = resolver.resolve(doc, extractor.mentions(doc, ()), ())
        results.append(DocResult(document=doc, mentions=ms, entities=ents, unresolved=unresolved))
    gold = [json.loads(line) for f in sorted(Path(gold_dir).glob("seed_entities*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    s = score_entities(results, gold)
    for typ, f1 in MEASURED_F1.items():
        assert s[typ]["f1"] >= f1 - 0.02, (typ, s[typ])
    assert s["department_canonical"]["accuracy"] >= MEASURED_CANONICAL - 0.02
