"""Patterns for entity mentions: general word lists and regexes (no corpus strings).

Names in Chinese policy text have a clear *head* on the right (…实验室, …铁路, …行动) and a fuzzy left
edge. The extractor finds the head by regex and walks left over jieba tokens until a *stop token*
(verb, function word, punctuation) — :data:`STOP_TOKENS` — so ``加快建设岳麓山实验室`` gives
``岳麓山实验室``.

>>> bool(CORRIDOR_HEAD.search("京港澳高速"))
True
>>> trie_regex(["省发改委", "省发展改革委", "省委"]).match("省发展改革委").group(0)
'省发展改革委'
"""
from __future__ import annotations

import re
from bisect import bisect_right

from kg.data.gazetteer import load_gazetteer

CJK = "\u4e00-\u9fff"
PUNCT = set("，。、；：？！,.;:?!（）()《》〈〉【】[]「」『』“”‘’\"'…—-－\n\r\t /|·・")

#: Verbs, function words and generic modifiers that end a name on its left.
STOP_TOKENS = frozenset("""
实施 推进 推动 加快 加速 建设 建成 打造 开展 支持 深化 完善 加强 强化 提升 促进 落实 组织 争取 争创 创建 培育 构建
健全 谋划 启动 扩大 优化 用好 办好 做好 抓好 积极 大力 全面 持续 深入 着力 依托 围绕 聚焦 对接 融入 参与 服务 统筹
布局 新建 改造 开工 投运 拓展 开通 加密 开行 运营 申报 承接 探索 出台 制定 实行 纳入 鼓励 引导 带动 提高 保障 巩固 拓宽
畅通 联通 贯通 对标 打好 打赢 坚持 实现 形成 推广 复制 开发 保护 治理 整治 修复 扩容 升级 力争 确保 协同 共建 共享
牵头 负责 配合 及 和 与 或 等 的 了 在 为 以 对 向 从 由 将 把 是 有 同 并 及其 以及 一批 若干 各类 各 全省 全市 我省 本省
全国 省内 加大 继续 进一步 不断 高标准 高质量 高水平 主动 更好 更加 深度 广泛 有序 稳步 有效 切实 认真 扎实 大 新 好
争取 推行 设立 组建 筹建 引进 引入 招引 吸引 用 让 使 给 通过 按照 根据 结合 推 抓 建 做 办 搞 抢抓 力推 共 同步
其中 包括 例如 如 即 重大 一系列 相关 有关 上述 该 此 这 那 各地 各级 全力 全 共同 加紧 尽快 年 月 日 期间 以来 以上 以下
论证 研究论证 深入研究 完成 成立 明确 发动 基于 补齐 强大 加快建设 支持建设 紧盯 聚力 集中力量 丰富 上升 延伸 任务 跟着 分别 举办 评选 细化 推进实施 组织开展 加快推进 大力实施 深入推进 全面实施 持续实施 统筹推进 深入开展 全面推进 稳定 突破 全线 用活 维护 提质扩能 扩能 适时 新开 恢复 谋划研究 建立 举办 依法 构筑 筑牢 守好 打通 疏通 突出 在建 衔接 保持 具有 处于 抢占 锻造 这个 那个 其他
的话 之一 之 其 均 也 还 又 再 都 已 要 应 须 可 能 会 将要 正在 积极开展 启用 发挥 作用 首批 第一批 一个 一些 进入
获批 批复 入选 列入 成功 成为 作为 打响 叫响 擦亮 唱响 升级版 提质 增效 赋能 联动 共促 融合 链接 连接 依靠 利用 运用
""".split())

#: Left-edge tokens that may *start* a name even though they look generic (kept inside names).
KEEP_TOKENS = frozenset("国家 国家级 省级 全国 中国 国际 湖南".split())

PROGRAMME_HEAD = re.compile(
    r"(?:专项行动|行动计划|三年行动|五年行动|提升行动|攻坚行动|行动|工程|计划|战略|攻坚战|攻坚|保卫战|标志性战役|战役|"
    r"专项整治|综合整治|专项|试点|改革|倍增计划|示范工程|品牌活动|活动|共建产业园|产业园|科学城|科技城)"
)
#: heads that name a programme even alone after a number word (七大攻坚, 十大技术攻关项目)
NUMBER_PROGRAMME = re.compile(
    rf"(?:[一二三四五六七八九十百千两]+|(?<!\d)\d{{1,2}})(?:大|个(?!左右)|项)[{CJK}]{{0,8}}?"
    r"(?:攻坚|行动|工程|项目|计划|战役|专项|实事|产业项目|伙伴行动|标志性工程)"
)
QUOTED = re.compile(r"[“\"‘]([^“”\"‘’\n]{1,20})[”\"’]")
PROGRAMME_TAIL = re.compile(
    r"^(?:(?![等和的为及与])[\u4e00-\u9fffA-Za-z0-9×+]){0,10}?(?:专项行动|行动计划|行动|工程|计划|战略|攻坚|改革|试点|建设|"
    r"品牌活动|活动|产业体系|产业园区|产业园|示范区|园区|项目|专项|战役)(?![\u4e00-\u9fff]{0,1}(?:方案|办法|意见|通知))"
)
#: quoted words that are slogans or quality words, not programmes (general genre knowledge)
QUOTED_NOT_PROGRAMME = re.compile(
    r"^(?:[一二三四五六]|十[一二三四五六七八九]?)五$|^(?:放管服|卡脖子|两山|两高|三农|四个意识|"
    r"四个自信|两个维护|两个确立|五位一体|四个全面|一带一部)$"
)
#: a five-year plan period (十四五); “十四五”规划 names the plan
FIVE_YEAR = re.compile(r"(?:[一二三四五六]|十[一二三四五六七八九]?)五")
#: a programme named by its head word alone (left edge by tokens): the noisy heads 改革/活动/试点 need quotes
PROGRAMME_HEAD_STRICT = re.compile(
    r"(?:专项行动|行动计划|三年行动|五年行动|提升行动|攻坚行动|行动|工程|计划|战略|攻坚战|攻坚|保卫战|标志性战役|战役|"
    r"改革试点|综合改革|试点)"
    r"(?![\u4e00-\u9fff]{0,1}(?:方案|领导小组|指挥部|办公室|专班))(?<!工程(?=机械|技术|师|化|造价|勘察|设计|院|大学))"
    r"(?<!战略(?=性|设计|合作|研究|支点|腹地|定位|机遇|目标|任务|部署|新兴|科学家|储备|地位|意义|方向|重点|举措|通道|平台|高地|咨询))"
)
PROGRAMME_GENERIC = re.compile(
    r"^(?:重点|领域|重要|关键|环节|体制|机制|专项|标志性|更多|系列|相关|国家|科技|综合|年度|经济|工作|重大|各项|有关|该|"
    r"这些|首场|首批|一批|部分|区域|全面|深化|集中|力量|新一轮|新|大|小|本|地区|部门|本地区|本部门|三年|五年|中长期|"
    r"省级|市级|县级|中央|地方|预算内|投资|招商|招标|产业|企业|民生|安全|发展|建设|保障|提升|创新|改革|开放|服务|治理|"
    r"防治|整治|攻坚|行动|工程|计划|项目|战略|试点|活动|示范|一体化|高质量|现代化|数字化|智能化|绿色|低碳|生态|文化|"
    r"旅游|消费|就业|教育|医疗|卫生|养老|住房|交通|水利|能源|农业|农村|乡村|城市|城乡|基础设施|人才|金融|财政|税收)*$"
)
#: a named frame after a quoted label: “三级联动”法治督察体系, “连环债”清偿机制, “雨润共建”模式 — named in
#: quotes, the mechanism is a programme (a bare 机制/体系/格局 is not)
QUOTED_FRAME = re.compile(r"^(?:(?![等和的为及与是])[\u4e00-\u9fff]){0,8}?(?:体系|制度|蓝图)(?![\u4e00-\u9fff]{0,1}(?:方案|办法|意见|通知|改革))")
#: a compound head after a quoted label that starts with a verb-like word: “三湘怡养”提升行动, “四算一体”建设工程
QUOTED_COMPOUND_TAIL = re.compile(r"^(?:提升|建设|攻坚|专项|整治|创建|促进|改善|保护|培育|示范|提质|推广|融合|服务)"
                                  r"(?:三年|五年)?(?:行动计划|行动|工程|计划)")
#: a quoted label that is only counted (“八大工程”, “五个一批”): a nominal qualifier written right before it
#: belongs to the name (洞庭湖治理“五大工程”)
_COUNTED_LABEL = r"[一二三四五六七八九十两百千万]+[大个项张条批]"
QUOTED_NEEDS_QUALIFIER = re.compile(rf"^{_COUNTED_LABEL}.{{1,2}}$")
#: where such a label is written (its qualifier's left edge needs jieba tokens)
QUOTED_SHORT = re.compile(rf"[“\"]{_COUNTED_LABEL}[^“”\"]{{1,2}}[”\"]")
#: a quoted name that ends in a programme head is a programme whatever stands around it
QUOTED_HEAD_END = re.compile(r"(?:行动|工程|计划|项目|战略|攻坚|专项|试点|改革)$")
#: quoted labels that are events, platforms, apps, lists, classes or sayings — not programmes
QUOTED_NOT_PROGRAMME_END = re.compile(r"(?:杯|大会|论坛|博览会|交易会|年会|峰会|赛|码|平台|大脑|地图|系统|APP|清单|经验|精神|"
                                      r"理念|强|飞地|现象|效应|命题|责任|谬误|曲线|名片)$")
#: a qualifier that only places or dates a quoted label: 中部地区“…”, 偏远地区“…”, 省“…”, 5年过渡期“…”
PLACE_QUALIFIER = re.compile(r"(?:地区|区域|省|市|县|乡|村|期|年|书记|实验室|中心|总部)$")
#: a conjunct that is a whole item of its own, not a modifier sharing the next name's head (…化, …管理,
#: …建设, 水库, 灌区, 大会): 城乡供水一体化、…工程 lists items
CONJUNCT_NOT = re.compile(r"(?:化|管理|建设|改造|增效|提升|整治|治理|会|展|库|灌区|中心|基地|平台|枢纽|崛起|发展|开发|转型|"
                          r"排放|自主权|意志|思想|行动|技术|产品|连通|化解)$|^(?:引|提升|研制|推进|深化|完成|新建|围绕|全面|以|按照|争取)")
#: the kinds of strategy (经济社会发展战略, 教育科技人才战略), not named ones (教育数字化战略)
STRATEGY_GENERIC = re.compile(r"^(?:国家|经济|社会|发展|区域|协调|重大|科技|人才|教育|总体|长期|中长期|重点|全局)+$")
QUOTED_CONTEXT_NOT = re.compile(r"^(?:机制|底线|格局|清单|台账|举措|问题|难题|短板|瓶颈|理念|要求|标准|目标|模式|经验|精神|作风|原则|"
                                r"导向|定位|优势|效应|现象|思路|路径|方式|做法)")
#: verbs whose quoted object is a principle, mechanism or slogan rather than a programme (推广“枫桥经验”)
QUOTED_PRINCIPLE_VERB = re.compile(r"(?:推广|锚定|落实|发挥|推行|实现|完善|形成|坚持|弘扬|践行|树立|秉持|贯彻|牢记|健全|遵循|把握|"
                                   r"坚守|守牢|守住|破解|克服|防止|避免|杜绝|整治|纠治)$")
#: a bare quoted word that is a formula or a chain (“产品+服务”, “设计—制造—封测—应用”) or a per-unit policy (一县一策)
QUOTED_FORMULA = re.compile(r"[+＋—、／/]|^一.一策$|(?:之乡|之都|名城|强市|故里)$")
#: national pilot designations named without a place (国家数字经济创新发展试验区): programmes
NATIONAL_PILOT = re.compile(r"国家(?:级)?[\u4e00-\u9fff]{2,16}?(?:试验区|示范区|先导区|先行区|引领区|实验基地)")
#: a counted programme written with its parts: “五个千万工程”：A工程、B工程、C工程。
COUNTED_QUOTE_LIST = re.compile(r"[“\"][一二三四五六七八九十两\d]+[大个项][^“”\"\n]{1,8}[”\"][:：]([^。\n；]{4,400})")
#: a programme named by the list of its parts: 矿山修复、尾矿库污染治理…等重点工程, A、B等十大工程
LIST_PROGRAMME_TAIL = re.compile(r"等(?:(?:[一二三四五六七八九十两\d]+大|重点|重大)(?:工程|专项|行动)|专项行动)")
#: where the list before such a tail starts: after the last clause punctuation
LIST_BOUNDARY = re.compile(r"[，。；：:\n（）()]")
#: national cultural parks and their provincial stretches: 长征国家文化公园（湖南段） (a programme, unlike a 国家公园)
CULTURE_PARK = re.compile(r"国家文化公园(?:（[\u4e00-\u9fff]{2,6}段）)?")
#: named water projects: 大兴寨水库, 梅山灌区, 源口水库扩建
WATER_PROJECT = re.compile(r"(?:水库|灌区)(?:扩建|扩灌增效|除险加固)?")
WATER_PROJECT_GENERIC = re.compile(r"(?:小型|中型|大型|大中型|病险|骨干|重点|新建|各类|山塘|现代化|中小|大中|重要|调蓄|抗旱|应急|"
                                   r"引调|水源|一批|若干|及|和|等|的|型)")
#: 打好X仗: a named battle of a work plan (打好科技创新攻坚仗)
FIGHT = re.compile(r"打好[\u4e00-\u9fff“”]{2,12}?仗(?=[，。；、\s]|$)")

LAB_HEAD = re.compile(r"(?:中心（实验室）|实验室(?:[东南西北]方中心|华[东南西北中]中心|分中心)?(?:（[^（）]{1,8}）)?)")
#: generic words a descriptive (unnamed) lab ends with: 监测实验室, 检验检测实验室, 刑事技术实验室 …
LAB_DESCRIPTIVE_END = re.compile(r"(?:监测|检测|检验|技术|型|生物|化学|物理|测试|分析|临床|安全|质量|计量|医学|疾控|病原|实训|教学|"
                                 r"重点|联合|工程|创新|开放|共享|建立|建设|新建|组建)$")
#: generic lab categories (the name left of 实验室 consists only of these words)
LAB_GENERIC = re.compile(
    r"^(?:全国|国家|省|省级|市级|部|部级|企业|高校|联合|工程|重点|新型|研发|创新|高水平|一流|四大|大|一批|各类|实体化|"
    r"哲学社会科学|概念验证|中试|开放|共享|公共|科学|智能|数字|若干|等|和|与|、|\s)*$"
)

CORRIDOR_HEAD = re.compile(
    r"(?:高速铁路|城际铁路|市域（郊）铁路|铁路专线|铁路|高铁通道|高铁|高速公路|高速|城际|航道|运河|黄金水道|水道|"
    r"跨境班列|班列|航线|江海联运|铁海联运|多式联运|联运|大通道|新通道|通道|输电通道|入(?<=[电气煤油]入)[湘鄂赣粤桂黔渝川琼闽浙皖豫冀晋陕辽苏鲁滇藏蒙京津沪]|联网工程|互济工程|"
    r"特高压交流工程|特高压直流工程|国家干线|管道|地铁\d+号线|\d+号线|磁浮|干道网|联络线|连接线|专线|大陆桥|直航|"
    r"联运线路|市域（郊）(?:铁路)?|交通走廊|运输走廊)(?![东西南北]?[站场港口]|体系|格局|布局)"
)
CORRIDOR_GENERIC = re.compile(
    r"^(?:出省|战略|物流|国际|国际物流|综合|交通|运输|综合交通|综合运输|开放|贸易|国际贸易|对外|出海|外电|外部|"
    r"能源|电力|新|大|主|骨干|干线|重要|高速公路|高速|高铁|绿色|快速|便捷|普通|一批|多条|客运|货运|货物|高等级|空中|陆海|水运|区域|"
    r"应急|生命|安全|跨省|省际|城际|市域|旅游|信息|数据|网络|算力|人才|产业|科技|创新|要素|进出口|直达|"
    r"全货机|客货|国内|国际客货|洲际|远程|近程|定期|航空|铁路|公路|水路|管网|输电|输气|低空|公共|航路|近海|直航|重要|"
    r"客源地|城市|客货运|全球|高频|中转|现有|国际货运|多线|企业|人才|交流|一体化|算力网|传输|支线|长输|老化|燃气|山地|"
    r"既有|智慧|畅联|省级|空铁港|高效|集装箱|铁水|陆路|沿江|银发|跨区|输送|新增|直流|交流|经济带|县县通|专用|疏港|"
    r"进港|连接|联络|出口|入口|物资|应急|保障|南北|东西|内外|沿海|海上|空港|陆港|天然气|石油|成品油|民航|在建|已建|规划|"
    r"入[湘鄂赣粤桂黔渝川琼闽浙皖豫冀晋陕辽苏鲁滇藏蒙京津沪]|"
    r"\d+条|[一二三四五六七八九十]+条)*$"
)

REGION_SUFFIX = re.compile(
    r"(?:经济带|经济区|经济圈|城市群|城市带|都市圈|新区|新片区|片区|板块|革命老区|老区|根据地|国家公园|森林公园|郊野公园|"
    r"农业区|国际旅游区|示范区|先行区|合作区|试验区|协作区|地区|流域|生态绿心|绿心|源流区)"
)
#: region-shape names made only of these words are generic (现代农业经济带, 沿海地区 …)
REGION_GENERIC = re.compile(
    r"^(?:现代化|现代|农业|产业|生态|文化|旅游|特色|绿色|沿江|沿线|沿海|沿边|内陆|边境|民族|贫困|欠发达|革命|高新技术|高新|经济|"
    r"国家级|国家|省级|重点|新|城市|城镇|农村|乡村|山区|丘陵|平原|周边|相关|其他|广大|发达|落后|试点|示范|先行|开放|"
    r"综合|自由贸易|自贸|跨境|保税|临空|临港|创新|科技|数字|智慧|国际|区域|合作|发展|开发|建设|功能|承接|产业转移|"
    r"城市化|城镇化|工业|服务业|矿区|林区|库区|湖区|老|省内|省外|外省|东部|中部|西部|东北|中西部|我省|全省|本地|"
    r"部分|其他|各|四大|三大|两大|五大|一批|若干|以上|以下|该|此|这些|多个|有关|边远|偏远|少数|人口|低收入|"
    r"高铁|通道|城市群|都市圈|经济带|经济圈|航空|空港|临港)*$"
)
WATER_OR_HILL = re.compile(r"[\u4e00-\u9fff]{1,4}?(?:垸|河|湖|渠|山|岭|港)(?:（[^（）]{1,6}）)?")
WATER_GENERIC = re.compile(r"^(?:江河|河湖|湖泊|运河|护城河|内河|小河|大河|江湖|山|岭|港|河|湖|渠|青山|名山|大山|深山|高山|"
                           r"沿河|沿湖|环湖|水库|灌渠|干渠|渠|沟渠|港|海港|河港|江河湖|山岭|火山|矿山|金山|银山|靠山)$|矿山$|绿水青山$")
COUNTY_PLACE = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:村|镇|乡|街道)(?![\u4e00-\u9fff]{0,1}(?:振兴|建设|治理|发展))")
#: single-character province/city abbreviations used in adjacency names (湘鄂赣, 湘粤桂, 京津冀 …)
ABBREV = "京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀贵黔云滇藏陕甘陇青宁新港澳台"
_DISTINCT = "湘鄂赣粤桂黔渝川琼闽浙皖豫冀晋陕辽苏鲁滇藏蒙"
ADJACENCY = re.compile(rf"(?<![{ABBREV}])((?=(?:[{ABBREV}]*[{_DISTINCT}]){{3}})[{ABBREV}]{{3,8}})"
                       r"(?:边(?!界|境)|毗邻)?(?:地区|区域|革命老区|边界地区)?(?![\u4e00-\u9fff]{0,2}(?:铁路|高铁|高速|通道|航道|班列))")

DEPT_SUFFIX = re.compile(
    r"(?:厅|局|委员会|委|办公室|办公厅|办|总队|支队|中心|集团|有限公司|公司|联合社|领导小组|总工会|工会|联合会|妇联|残联|"
    r"工商联|科协|侨联|文联|社科联|院|海关|总站|分行|分局|监管局|调查总队|管委会|团省委|商会|协会|学会|部|署)$"
)
DEPT_START = re.compile(rf"^(?:省|市|县|区|州|国家|中国|中共|国网|团|[{CJK}]{{2,4}}(?:省|市|县|区|州|自治州))")
NOTE = re.compile(r"[（(]([^（）()]{2,300}?(?:牵头|负责|参与|配合)[^（）()]{0,120}?)[）)]")
NOTE_SPLIT = re.compile(r"[、，,；;：:]|分别牵头|牵头负责|牵头|按职责分工负责|按职能分工负责|按职责负责|负责|参与|配合|等")
NUM_CONGRESS = re.compile(r"省(?:第)?[一二三四五六七八九十]+届人大(?!常委会|代表)")
PARTY_CONGRESS = re.compile(rf"中国共产党[{CJK}]{{2,6}}省第[一二三四五六七八九十]+届委员会")
CITY_GOV = r"(?:人民政府|政府)(?:办公室|办公厅)?"


def trie_regex(words) -> re.Pattern:
    """A regex matching any of ``words``, longest alternative first at each position (fast: a trie)."""
    trie: dict = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        alts = []
        for ch in sorted(k for k in node if k):
            alts.append(re.escape(ch) + build(node[ch]))
        if not alts:
            return ""
        if len(alts) == 1 and not end:
            return alts[0]
        body = "(?:" + "|".join(alts) + ")"
        return body + "?" if end else body

    return re.compile(build(trie))


#: a verb glued to the front of a list item (``建设张吉怀``): the item starts after it
LEADING_VERB = re.compile(
    r"^.*?(?:建设|推进|推动|加快|实施|开工|建成|贯通|扩容|提升|完善|抓好|打造|开通|开行|新开|恢复|研究|论证|规划|谋划|争取|启动|"
    r"稳定|加密|拓展|对接|融入|依托|发展|提质|改造)"
)

#: heads of body names found by their left edge (省促进民营经济发展壮大领导小组, 省数智物流集团)
DEPT_HEAD = re.compile(r"省(?!级|内|外|委|政府)[\u4e00-\u9fff]{2,16}?(?:领导小组|集团|联合社)(?=成员|[^\u4e00-\u9fff])")
DEPT_ANCHOR = re.compile(rf"^(?:省|(?:{'|'.join(sorted(set(ABBREV)))})?省|国家|中国|中共)[\u4e00-\u9fff]{{2,}}")
ITEM_NOT_NAME = re.compile(r"(?:中心|基地|枢纽|园区|港|站|场|机场|平台|体系|产业|企业|高校|院所)$")
ADJ_START = re.compile(rf"[{ABBREV}]{{2,}}")
LIST_ITEM = re.compile(r"(?:^|(?<=[、，。；：（\s]))([^、，。；：（）\s“”—]{1,6}?(?:垸|河|湖|渠|山|岭|江|港)(?:（[^（）、，。]{1,6}）)?)"
                       r"(?=[、，。；）\s]|等)")
WATER_HEAD = re.compile(r"(?:垸|河|湖|渠|山|岭|江)(?:（[^（）]{1,6}）)?$")
#: zones that are always named places: the words before them name the zone (南山国家公园)
NAMED_ZONE = re.compile(r"^(?:国家公园|森林公园|郊野公园|湿地公园|地质公园|国际旅游区|农业区|革命老区|根据地|生态绿心|源流区|"
                        r"都市圈|城市群|城市带)$")
#: direction-based parts of a province: 湘西北, 粤东, 苏北, 湘中南地区
PROVINCE_PART = re.compile(rf"(?<![{ABBREV}东南西北中])((?:[{_DISTINCT}][东南西北中]{{1,2}}){{1,2}}(?:部)?"
                           r"(?:(?:地区|片区|板块)|(?=[、，。；和与及等\s）])))")
#: a programme right after a heading number and/or an action verb: （一）实施内需扩量提效攻坚 → 内需扩量提效攻坚
VERB_LED_PROGRAMME = re.compile(
    r"(?:(?:^|\n)\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、])\s*"
    r"(?:实施|开展|启动|打好|打赢)?|(?:深入实施|组织实施|全面实施|大力实施|持续实施|实施|开展|启动|打好|打赢|推进|推动|深化|加快推进|深入推进|深入开展))"
    r"([^\n。；，、：“”（）\s]{3,18}?(?:专项行动|行动计划|三年行动|行动|工程|攻坚战|攻坚|战略|计划))"
    r"(?=[。；，、\s）]|$|实施方案|工作方案|$)"
)
#: the title of a box (专栏12  提振消费行动计划) and a box item opening its line (电网巩固工程。…)
BOX_TITLE = re.compile(r"(?:^|(?<=\n))[ \t]*专栏[ \t]*\d+[ \t　]+([^\n]{2,30}?(?:工程|行动|计划|试点|攻坚|项目))[ \t]*(?=\n|$)")
ITEM_LINE = re.compile(r"^[ \t]*([^\n。；，、：“”（）\s—-]{3,20}?(?:工程|行动|改革|试点|计划))(?=。)", re.M)
#: innovation towns and parks named after a place (湘江科学城, 湘江基金小镇): programmes
SCIENCE_TOWN = re.compile(r"(?:科学城|科技城|科创城|文化城|基金小镇|文创园|产业园|科创园|科技园|示范园|智谷|陆港)(?![\u4e00-\u9fff]{0,2}(?:区|管委会|公司|集团))")
#: a count inside a name makes it a number of things (三市17个特色产业园, 5家左右省级…产业园)
COUNTED_ANY = re.compile(r"\d|[一二三四五六七八九十两百千]+[个家批所座类]")
COUNTED_START = re.compile(r"[一二三四五六七八九十两百千万\d]")
#: the generic ones: 各类产业园, 省级产业园, 一批特色产业园
PARK_GENERIC = re.compile(r"^(?:各类|各|一批|若干|省级|市级|县级|国家级|特色|专业|重点|现代|新型|综合|相关|这些|其他|区域|农业|工业|物流|数字|"
                          r"[\d一二三四五六七八九十百千]+个?)*(?:产业|科技|文化|创新|创业|示范)?$")
#: reforms, pilots and campaigns after a verb: 深化国资国企改革, 开展科技保险试点
VERB_LED_REFORM = re.compile(r"(?:深化|深入推进|推进|开展|探索开展|组织开展|启动)"
                             r"([^\n。；，、：“”（）\s和及与]{4,14}?(?:试点|活动))(?=[。；，、\s）]|和|$)")
#: a local government named after punctuation: 、佛山市人民政府 (any city or county, known or not)
LOCAL_GOV = re.compile(r"(?<=[、，。；：（\n])(?![市州县区乡镇各全有相]|直辖|自治|设区)[\u4e00-\u9fff]{2,6}?(?:市|县|自治州|自治县|区)人民政府(?:办公室|办公厅)?")
#: named responsibility systems: 河长制, 林长制, 河长制湖长制
CHIEF_SYSTEM = re.compile(r"(?:[河湖林田山路链]长制){1,2}")
#: a region's named strategy: 长株潭一体化, 中部地区崛起, 西部大开发
REGION_PROGRAMME_TAIL = r"(?:一体化(?!发展)|崛起|大开发(?:战略)?|协同发展)"


# -- left edges and coordinated names (on jieba token starts) -----------------------------------------
def _is_stop(tok: str) -> bool:
    tok = tok.strip() if tok.strip().isascii() and tok.strip().isalnum() else tok
    if not tok.strip():
        return True
    if tok in STOP_TOKENS:
        return True
    if len(tok) >= 3 and (tok[:2] in STOP_TOKENS or tok[-2:] in STOP_TOKENS) and tok not in KEEP_TOKENS:
        return True
    return any(ch in PUNCT for ch in tok)


#: stop words that are modifiers, not verbs: they end a name's left edge but are no verb to strip off
NOT_VERB_STOPS = frozenset("重大 重点 一批 若干 各类 相关 有关 上述 全省 全市 全国 省内 高标准 高质量 高水平 首批 第一批".split())


#: verbs that also work as nouns inside programme names (公共卫生服务能力提升工程, 乡村振兴示范工程)
NOMINAL = frozenset("提升 建设 发展 提质 振兴 保护 治理 整治 修复 改造 促进 培育 创新 优化 改善 推广 融合 赋能 强化 巩固 升级 "
                    "提档 倍增 守护 关爱 服务 传承 突破 攻关 示范 共建 增效 提效 惠民 便民 护航 行动 监测 防治 开发 利用 节约 "
                    "转型 引领 赶超 跃升 扩容 提速 扩面 保障 援助 帮扶 合作 对接 交流 开放 联通 整合 联动 集聚 发展壮大".split())


def first_chars(pattern: str) -> str | None:
    """A character class that every match of ``pattern`` starts with, or ``None`` when it cannot be told
    (the pattern may match the empty string, or uses a construct not handled here).

    Prefixing a regex with ``(?=[…])`` lets the engine skip the positions where no match can start,
    which makes a long alternation of head words several times faster over a whole document.

    >>> print(first_chars(r"(?:实验室|\\d+号线|[东西]站)"))
    [实\\d东西]
    >>> first_chars(r"a*") is None
    True
    """
    try:
        from re import _parser as sre_parse  # noqa: PLC2701 - the stdlib's own regex parser
        from re import _constants as C
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_constants as C  # type: ignore
        import sre_parse  # type: ignore

    def cls_of(items) -> list[str] | None:
        out: list[str] = []
        for op, av in items:
            if op is C.LITERAL:
                out.append(re.escape(chr(av)))
            elif op is C.RANGE:
                out.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
            elif op is C.CATEGORY:
                cat = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_SPACE: r"\s", C.CATEGORY_WORD: r"\w"}.get(av)
                if cat is None:
                    return None
                out.append(cat)
            else:  # NEGATE and the rest: give up
                return None
        return out

    def first(seq) -> tuple[list[str] | None, bool]:
        """(start characters, may the sequence match empty)."""
        chars: list[str] = []
        for op, av in seq:
            if op is C.LITERAL:
                return chars + [re.escape(chr(av))], False
            if op is C.IN:
                c = cls_of(av)
                return (None, False) if c is None else (chars + c, False)
            if op is C.BRANCH:
                empty = False
                for alt in av[1]:
                    c, e = first(alt)
                    if c is None:
                        return None, False
                    chars += c
                    empty = empty or e
                if not empty:
                    return chars, False
                continue
            if op is C.SUBPATTERN:
                c, e = first(av[-1])
                if c is None:
                    return None, False
                chars += c
                if not e:
                    return chars, False
                continue
            if op in (C.MAX_REPEAT, C.MIN_REPEAT):
                lo, _hi, item = av
                c, e = first(item)
                if c is None:
                    return None, False
                chars += c
                if lo > 0 and not e:
                    return chars, False
                continue
            if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
                continue  # zero-width
            return None, False
        return chars, True

    chars, empty = first(sre_parse.parse(pattern))
    if chars is None or empty:
        return None
    return "[" + "".join(dict.fromkeys(chars)) + "]"


def prefiltered(rx: re.Pattern) -> re.Pattern:
    """``rx`` with a lookahead on the characters its matches start with (same matches, faster scan)."""
    fc = first_chars(rx.pattern)
    return re.compile(f"(?={fc})(?:{rx.pattern})", rx.flags) if fc else rx


def left_edge(text: str, starts: list[int], head_start: int, max_chars: int = 14, quotes: bool = False,
              dashes: bool = False, nominal: bool = False) -> int:
    """Leftmost start of a name whose head begins at ``head_start`` (walk left over tokens).

    Stops at a stop token (verb, function word, punctuation); steps over a bracketed qualifier
    ``（湘桂界）``; with ``quotes`` a quoted part ``“…”`` right before is taken in and ends the walk;
    with ``nominal`` the verbs of :data:`NOMINAL` are walked over as nouns, but a name never starts
    with one (``实施公共卫生服务能力提升工程`` → ``公共卫生服务能力提升工程``).
    """
    i = bisect_right(starts, head_start) - 1
    start = head_start
    if i >= 0 and starts[i] < head_start:  # head begins inside a token: keep that token's left part
        part = text[starts[i]:head_start]
        if _is_stop(part) or head_start - starts[i] > max_chars:
            return head_start
        start = starts[i]
    while start > 0 and head_start - start <= max_chars:
        ch = text[start - 1]
        if ch == "）":
            k = text.rfind("（", max(0, start - 14), start - 1)
            if k < 0 or any(c in "，。；、" for c in text[k:start]):
                break
            start = k
            continue
        if ch == "—" and dashes and start > 1 and "\u4e00" <= text[start - 2] <= "\u9fff":
            start -= 1  # 怀化—北部湾—东盟铁海联运: a dash joins the places of a route
            continue
        if ch == "”" and quotes:
            k = text.rfind("“", max(0, start - 22), start - 1)
            if k >= 0 and "”" not in text[k + 1:start - 1] and "\n" not in text[k:start]:
                return k
            break
        j = bisect_right(starts, start - 1) - 1
        if j < 0:
            break
        tok = text[starts[j]:start]
        if tok == " " and j > 0:
            prev = text[starts[j - 1]:starts[j]]
            if prev.isascii() and prev.isalnum():
                start = starts[j]
                continue
        if _is_stop(tok) and tok not in KEEP_TOKENS and not (nominal and _nominal_word(tok)):
            break
        if head_start - starts[j] > max_chars:
            break
        start = starts[j]
    if nominal:  # a name does not start with a verb-noun: trim them off the left end
        while start < head_start:
            j = bisect_right(starts, start) - 1
            tok = text[starts[j]:starts[j + 1]] if j + 1 < len(starts) else ""
            if tok in NOMINAL and starts[j] == start:
                start = starts[j + 1]
            else:
                break
    return start


def _nominal_word(tok: str) -> bool:
    """A verb-noun (保护), or one word made of one and a noun (文物保护, 服务业), not a stop word plus it
    (加快保护)."""
    if tok in NOMINAL:
        return True
    if len(tok) < 3 or any(ch in PUNCT for ch in tok):
        return False
    return (tok[-2:] in NOMINAL and not _is_stop(tok[:-2])) or (tok[:2] in NOMINAL and not _is_stop(tok[2:]))


def coordinated(text: str, s: int, e: int, head_len: int) -> int:
    """Start of ``A、`` right before the name ``text[s:e]`` when ``A`` shares its head (``京广、沪昆高铁经济带``).

    A negative value ``-start`` marks a list of places sharing one named route (``湘粤、湘黔省间电力互济工程``):
    one row, the last item gets none of its own.

    Only two items whose own names are of equal length (two-character route abbreviations and the
    like), or any number of short items before 航线 (``日、韩、北美航线``).
    """
    if s < 2 or text[s - 1] != "、":
        return s
    own = e - s - head_len
    if text[e - 2:e] == "航线":
        start = s
        while start > 1 and text[start - 1] == "、":
            k = start - 1
            j = k
            while j > 0 and k - j < 4 and text[j - 1] not in PUNCT and not text[j - 1].isspace():
                j -= 1
            item = trim_stop(text[j:k])
            if not item:
                break
            start = k - len(item)
            if len(item) != k - j:
                break
        return -start if start < s else s  # 欧洲、中东航线: one listed route, one row
    k = s - 1
    j = k
    while j > 0 and k - j < own + 3 and text[j - 1] not in PUNCT and not text[j - 1].isspace():
        j -= 1
    item = trim_stop(text[j:k])
    if not item or ITEM_NOT_NAME.search(item) or CORRIDOR_HEAD.search(item) or item.endswith(text[e - head_len:e]):
        return s  # 天府新区、成都东部新区: the item is a whole name of its own
    if len(item) == own:
        return k - len(item)
    if len(item) > own > 1 and item[-own] == text[s] and not _placeish(item[-own:]):
        return k - own  # 中部地区中老、中越跨境班列: the item is the last ``own`` characters
    # 湘粤、湘黔省间电力互济工程 / 沅水、资水中下游航道: the item matches the place part of the last name
    if len(item) < own and _placeish(item) and _placeish(text[s:s + len(item)]):
        return -(k - len(item))  # negative: one listed route, no row of its own for the last item
    return s


def _placeish(w: str) -> bool:
    """Two or three abbreviation characters (湘粤) or a known place name (沅水)."""
    return (2 <= len(w) <= 3 and all(ch in ABBREV for ch in w)) or load_gazetteer().lookup(w, "region") is not None


def trim_stop(item: str) -> str:
    """Drop a verb or preposition glued to the front of a list item (``建成邵永`` → ``邵永``)."""
    m = LEADING_VERB.match(item)
    if m and m.end() < len(item):
        item = item[m.end():]
    while len(item) > 2 and (item[:2] in STOP_TOKENS or item[:1] in STOP_TOKENS):
        item = item[2:] if item[:2] in STOP_TOKENS else item[1:]
    return item


# -- extra shapes (regions and corridors) --------------------------------------------------------------
#: natural-feature frameworks named by counts: 一江一湖四水, 四口水系, 一湖四水
NUMERIC_NATURE = re.compile(r"(?:[一二三四五六七八九十两](?:江|湖|山|水|河|口)){2,}(?:水系)?(?![一二三四五六七八九十百千两]?城)|"
                            r"[一二三四五六七八九十两]口水系")
#: after a place word: a facility whose name it is fused into (上海洋山港, 广州港, 岳麓山实验室, 湘江科技创新院)
FUSED_FACILITY = re.compile(r"[\u4e00-\u9fff]{0,2}?(?:港(?![澳台群区])|机场|[东西南北]站|实验室|研究院|创新院|智谷)")
#: counted words inside a zone name: 三条通道经济带, 四大区域
COUNTED = re.compile(r"[\d一二三四五六七八九十两]+[条个大批]")
#: what may follow a short name that is only taken standing alone (华菱、湘电等企业)
STANDALONE_AFTER = re.compile(r"(?:[、，。；：）\s]|等|和|与|及|集团|$)")
#: a chain of places joined by dashes: 坪塘—昭山—石燕湖, 郴州—佛山
DASH_CHAIN = re.compile(r"[—－]{1,2}")
#: tails after the last item of a chain that are not part of the place: 云峰湖东西向生态林带 → 云峰湖
CHAIN_TAIL = re.compile(r"(?:[东西南北]{2}向|对口|等|方向|生态|沿线|一带|两地|合作|片区|之间).*$")
CHAIN_BAD_ITEM = re.compile(r"(?:站|港口|机场|枢纽|中心|节点|基地|园|制造|应用|运营|发射|储运|加注|封测|设计|供应|生产|消费)$")
WATER_ITEM = re.compile(r"[\u4e00-\u9fff]{1,5}?(?:垸|河|湖|渠|山|岭|港|峰|洲)(?:（[^（）]{1,6}）)?$")
#: the words that may follow a combined abbreviation of places (郴衡、邵怀; 沅澧连通; 长株潭衡岳等)
COMBO_AFTER = re.compile(r"(?:[、，。；：”）\s]|等|和|与|及|地区|片区|板块|连通|一体化|城市群|都市圈|区域|[两三四五]市|[两三四五]水|$)")
COMBO_BEFORE = set("、，。；：“（ \n和与及在对从把以")
#: two province abbreviations + 边 (湘赣边): an adjacency region
ADJ_EDGE = re.compile(rf"([{ABBREV}]{{2,8}}边(?:区域|地区)?)(?!界|境)")
#: a corridor of N named channels: 五大通道, 五大国际贸易通道
NUMBER_CORRIDOR = re.compile(r"[一二三四五六七八九十]大(?:国际)?(?:贸易|物流|运输|开放)?通道")
#: station-to-station lines: 长沙西站至湘潭北站
STATION_LINE = re.compile(r"(?<=[、，；：\s])([\u4e00-\u9fff]{2,6}站至[\u4e00-\u9fff]{2,6}站)(?=[、，。；\s])")
#: a paragraph or clause opened by a mode of transport: 铁路，重点抓好A、B、C等项目建设
LEAD_IN = re.compile(r"(?:^|(?<=[\n。；]))\s*(?:铁路|高铁|高速公路|高速|公路|城际铁路|航道|内河航道)[，：:]([^。\n]{0,80})")
LEAD_IN_LIST = re.compile(r"((?:[\u4e00-\u9fff]{2,4}、)+[\u4e00-\u9fff]{2,4})等")
#: verbs (one or two) at the very start of a name found by its head: 深入实施…, 实施国家…
LEAD_STOP = re.compile(r"(?:深入|全面|大力|持续|加快|积极|继续|着力|组织|统筹|协同|稳步|有序|扎实|主动)?"
                       r"(?:实施|推进|推动|开展|落实|建设|打造|启动|争创|创建|探索|对接|融入|围绕|聚焦|至)")
#: administrative plans and documents named like programmes: 年度计划, 投资计划, 重点工作计划
PLAN_NOT_PROGRAMME = re.compile(r"年度|国民经济和社会发展|(?:改革|建设)攻坚$|(?:投资|检查|工作|招生|采购|预算|用款|生产)计划$|或者|或$")
#: a corridor prefix that starts with a verb (谋划研究螺丝塘至长沙西站联络线)
CORRIDOR_LEAD_VERB = re.compile(r"(?:研究|论证|谋划|规划|突出|在建|新建|续建|启动|推进|建设|加快)+")
#: 通道 in a non-transport sense: 技能人才发展通道, 维权通道, 绿色通道
TONGDAO_NOT = re.compile(r"(?:发展|晋升|成长|上升|服务|维权|申诉|审批|办理|人才|融资|投诉|沟通|绿色|快速|救治|诉求|反映|"
                         r"就医|入学|招聘|流动|交流|退出|准入|转换|评价|职业)$")
SITE_ITEM = re.compile(r"^(?![\u4e00-\u9fff]*(?:站|港|场|桥|枢纽|中心|园|城|基地)$)[\u4e00-\u9fff]{2,4}$")


def place_items(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The places of a route name ``text[a:b]`` written ``A至B`` / ``A经B至C`` (东安至全州 → 东安, 全州)."""
    name = text[a:b]
    if "至" not in name:
        return []
    out = []
    pos = 0
    for m in re.finditer(r"[至经]|$", name):
        item = name[pos:m.start()]
        if m.start() == len(name):  # the last item runs into the head: keep its first 2-3 characters only if
            item = re.sub(r"[（(].*$", "", item)  # they end before a head word
            cut = CORRIDOR_HEAD.search(item)
            item = item[:cut.start()] if cut else item
        if m.start() == len(name) and not SITE_ITEM.match(item):  # 华容长江过江: a known place starts the last item
            for j in range(min(len(item), 6), 1, -1):
                if load_gazetteer().weak_lookup(item[:j], "region"):
                    item = item[:j]
                    break
        if SITE_ITEM.match(item) and (len(item) == 2 or load_gazetteer().lookup(item, "region")) and item[-1] not in "东南西北" \
                and not re.search(r"[一二三四五六七八九十\d]", item):
            out.append((a + pos, a + pos + len(item)))
        pos = m.end()
        if pos >= len(name):
            break
    return out


# The regexes scanned over whole documents, with a lookahead on their first characters (same matches).
CORRIDOR_HEAD, NUMBER_PROGRAMME, ADJACENCY, NUMERIC_NATURE, PROVINCE_PART, VERB_LED_PROGRAMME = map(
    prefiltered, (CORRIDOR_HEAD, NUMBER_PROGRAMME, ADJACENCY, NUMERIC_NATURE, PROVINCE_PART, VERB_LED_PROGRAMME))
