"""The spaCy pipeline: ``spacy.blank("zh")`` with jieba (gazetteer in its dictionary) + kg components.

Components (registered spaCy factories, run in this order):

* ``kg_gazetteer`` — every gazetteer name (departments, regions, aliases) by one trie regex over the text;
* ``kg_rules`` — department shapes (notes, city governments, numbered congresses), labs, corridors,
  programmes and region shapes, each by its head word with the left edge found on jieba tokens; plus
  list and chain shapes: corridors listed after a lead-in (``铁路，…A、B、C等``), station-to-station lines,
  ``N大通道``; places joined by dashes (``坪塘—昭山—石燕湖``), concatenated one-character abbreviations of
  refdata prefectures and rivers (``郴衡``, ``沅澧``), places inside ``A至B`` route names (weak aliases such
  as ``华容`` allowed there), count-named natural features (``一江一湖四水``); 专栏 titles and box items,
  named reservoirs and irrigation districts, place-named science towns, national pilot designations;
* ``kg_select`` — longest match wins; regions inside corridor/programme names are kept. Writes
  ``doc.spans["kg"]`` (label = type) and ``doc.user_data["kg_mentions"]`` ((start, end, type) tuples).

The candidates live in ``doc.user_data["kg_cands"]`` as ``(start, end, type, source)`` with offsets into
``doc.text``.
"""
from __future__ import annotations

import logging
import re

import jieba
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.data.gazetteer import PROVINCES, load_gazetteer
from kg.extract import patterns as P
from kg.extract.patterns import coordinated, left_edge

_SHORT_PROV = sorted(PROVINCES.values(), key=len, reverse=True)
_PROV_PREFIX = re.compile("(?:" + "|".join(_SHORT_PROV) + ")$")


class _Segmenter:
    """Stands in for the ``jieba`` module inside spaCy's ChineseTokenizer: our own dictionary, HMM off."""

    def __init__(self, tok: jieba.Tokenizer, hmm: bool = False):
        self.tok = tok
        self.hmm = hmm

    def cut(self, text, cut_all=False, HMM=None):  # noqa: N803 - jieba's signature
        return self.tok.cut(text, cut_all=False, HMM=self.hmm)


def make_nlp(data_dir: str | None = None, alias_file: str | None = None, hmm: bool = False) -> Language:
    """Build the pipeline once (loads jieba's dictionary plus every gazetteer name as a user word)."""
    jieba.setLogLevel(logging.WARNING)
    gaz = load_gazetteer(data_dir, alias_file)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    # A private tokenizer (our words must not leak into the global one) that shares jieba's
    # default dictionary instead of loading it a second time.
    jieba.dt.initialize()
    tok = jieba.Tokenizer()
    tok.FREQ, tok.total, tok.initialized = dict(jieba.dt.FREQ), jieba.dt.total, True
    for name in gaz.names():
        if len(name) >= 2:
            tok.add_word(name, freq=max(2000, 100 * len(name)))
    for head in ("实验室", "专项行动", "行动计划", "高速铁路", "城际铁路", "高速公路", "攻坚", "班列", "航线", "航道", "联运"):
        tok.add_word(head, freq=5000)
    nlp.tokenizer.jieba_seg = _Segmenter(tok, hmm)
    cfg = {"data_dir": data_dir, "alias_file": alias_file}
    nlp.add_pipe("kg_gazetteer", config=cfg).freq = tok.FREQ
    nlp.add_pipe("kg_rules", config=cfg)
    nlp.add_pipe("kg_select")
    return nlp


_WINDOW = 32  # characters left of a head word that the left-edge walk may look at (it stops by 26)
_NEEDS_TOKENS = re.compile(
    "|".join(f"(?:{rx.pattern})" for rx in (P.LAB_HEAD, P.CORRIDOR_HEAD, P.PROGRAMME_HEAD_STRICT, P.REGION_SUFFIX,
                                            P.NUMBER_PROGRAMME, P.WATER_PROJECT, P.SCIENCE_TOWN, P.QUOTED_SHORT)))


def make_doc(nlp: Language, text: str) -> Doc:
    """The ``Doc`` for ``text``: jieba tokens where a rule needs a name's left edge, plain pieces elsewhere.

    Only the stretch of up to 32 characters (within the sentence) left of a head word (…实验室, …铁路,
    …行动, …经济带) is segmented; the text between such stretches becomes one token each, which is all
    the components need there (the gazetteer matches on the text). Words are the exact text pieces,
    so token offsets are character offsets into ``text``.
    """
    seg = nlp.tokenizer.jieba_seg
    words: list[str] = []
    pos = 0
    end = -1
    windows = []
    for m in _NEEDS_TOKENS.finditer(text):
        a = max(m.start() - _WINDOW, 0)
        a = max(a, text.rfind("\n", 0, m.start()) + 1, text.rfind("。", 0, m.start()) + 1)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], m.end())
        else:
            windows.append([a, m.end()])
    for a, b in windows:
        if a > pos:
            words.append(text[pos:a])
        words.extend(w for w in seg.cut(text[a:b]) if w)
        pos = b
    if pos < len(text):
        words.append(text[pos:])
    doc = Doc(nlp.vocab, words=words, spaces=[False] * len(words))
    doc.user_data["kg_text"] = text
    return doc


# ---------------------------------------------------------------------------------------------------
def _text(doc) -> str:
    """``doc.text`` once per document (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


def _token_starts(doc) -> list[int]:
    starts = doc.user_data.get("kg_tok")
    if starts is None:
        starts = doc.to_array("IDX").tolist() if len(doc) else []
        starts.append(len(_text(doc)))
        doc.user_data["kg_tok"] = starts
    return starts


@Language.factory("kg_gazetteer", default_config={"data_dir": None, "alias_file": None})
def _make_gazetteer(nlp, name, data_dir, alias_file):
    return GazetteerMatcher(data_dir, alias_file)


class GazetteerMatcher:
    """Every gazetteer name in the text: leftmost-longest, one scan of a trie regex."""

    def __init__(self, data_dir=None, alias_file=None):
        self.gaz = load_gazetteer(data_dir, alias_file)
        self.freq: dict = {}  # jieba's word frequencies, set by make_nlp
        names = [n for n in self.gaz.names() if len(n) >= 2]
        self.rx = re.compile("(" + P.trie_regex(names).pattern + ")")

    def __call__(self, doc):
        text = _text(doc)
        cands = doc.user_data.setdefault("kg_cands", [])
        lookup = self.gaz.lookup
        search = self.rx.search
        pos = 0
        prog_end = -1
        while True:
            m = search(text, pos)
            if m is None:
                break
            name = m.group(1)
            s = m.start()
            e = s + len(name)
            pos = e
            entry = lookup(name)
            if entry is None:
                continue
            if name[-1] == "省" and entry.type == "region":  # 广东省发展改革委: the province + a relative body
                m2 = self.rx.match(text, e - 1)
                if m2 is not None:
                    e2 = e - 1 + len(m2.group(1))
                    entry2 = lookup(m2.group(1))
                    if entry2 is not None and entry2.type == "department" and e2 > e:
                        cands.append((s, e2, "department", "gaz"))
                        pos = e2
                        continue
            if entry.type == "department" and name[0] == "省":
                pm = _PROV_PREFIX.search(text, max(0, s - 3), s)
                if pm:
                    s = pm.start()
            if entry.type == "department" and text[e:e + 1] == "各":  # 省政府各厅委: a generic group
                continue
            if entry.source.endswith(":derived") and not (P.STANDALONE_AFTER.match(text, e)
                                                          and (s == 0 or text[s - 1] in P.PUNCT or text[s - 2:s] in P.STOP_TOKENS)):
                continue  # 华菱 (for 华菱集团) only where it stands alone
            if entry.type == "programme" and e <= prog_end:
                continue  # a programme name inside a programme name (双减 in “双减”)
            if entry.type == "programme":
                pos, prog_end = s + 1, e  # names inside a programme name keep their own matches (成渝地区双城经济圈建设)
                inner = self.rx.match(text, s, e - 1)
                if (inner is not None and (ie := lookup(inner.group(1))) is not None and ie.type != "programme"
                        and inner.group(1) not in ("中国", "中华人民共和国", "我国")):
                    cands.append((s, s + len(inner.group(1)), ie.type, "gaz"))
                if text[e:e + 2] == "成果" and name[-1] not in "”\"" or name[-1] in "+＋" and text[e:e + 1].isalnum():
                    continue  # 巩固脱贫攻坚成果: the results, not the programme; “互联网+AI监管”
            if entry.type == "region" and (name in ("中国", "中华人民共和国", "我国") or P.FUSED_FACILITY.match(text, e)):
                continue  # 上海洋山港, 岳麓山实验室: a place word fused into a facility name is no row
            if (len(name) == 2 and entry.type == "region" and entry.rank >= 3 and 0 < s and e < len(text)
                    and self.freq.get(text[s - 1:s + 1], 0) >= 500 and self.freq.get(text[e - 1:e + 1], 0) >= 500):
                continue  # 平安乡村: a short alias straddled by two common words on both edges is no place
            cands.append((s, e, entry.type, "gaz"))
        return doc


@Language.factory("kg_rules", default_config={"data_dir": None, "alias_file": None})
def _make_rules(nlp, name, data_dir, alias_file):
    return RuleMatcher(data_dir, alias_file)


class RuleMatcher:
    """Head-word rules for departments, labs, corridors, programmes and region shapes."""

    def __init__(self, data_dir=None, alias_file=None):
        self.gaz = load_gazetteer(data_dir, alias_file)
        regions = [n for n, lst in self.gaz.entries.items() if len(n) >= 2 and any(e.type == "region" for e in lst)]
        self.region_start = P.trie_regex(regions)
        self.region_names = frozenset(regions)
        self.corridor_end = re.compile("(?:" + P.CORRIDOR_HEAD.pattern + ")$")
        self.region_programme_tail = re.compile(P.REGION_PROGRAMME_TAIL)
        provs = "|".join(sorted(PROVINCES.values(), key=len, reverse=True))
        self.corridor_tail = re.compile(rf"(?:（[^（），。]{{1,12}}）|(?:{provs})段|[东西南北]延|[一二三]期|线路|[{P.CJK}]{{2,4}}至[{P.CJK}]{{2,4}}段|"
                                        rf"[{P.CJK}]{{2,6}}站至[{P.CJK}]{{2,6}}站)")
        fulls_regions = [n for n in regions if n.endswith(("省", "市", "自治区", "县", "州"))]
        self.region_generic_prefix = re.compile(f"^(?:{P.trie_regex(fulls_regions).pattern})(?=.)")
        self.combo_units = self._combo_units()
        self.combo_rx = re.compile("[" + "".join(sorted(self.combo_units)) + "]{2,7}")
        cities = [n for n in regions if n.endswith(("市", "县", "区", "州"))]
        self.cities = frozenset(cities)
        rivers = [n for n, lst in self.gaz.entries.items()
                  if any(e.type == "region" and e.source in ("geography:river", "geography:lake") for e in lst)]
        provs_short = "|".join(sorted(PROVINCES.values(), key=len, reverse=True))
        self.rivers = frozenset(rivers)
        self.stretch_tail = re.compile(f"(?:干流|岸线|干线)?(?:{provs_short})段")
        self.city_gov_tail = re.compile(P.CITY_GOV)
        shorts = "|".join(sorted(PROVINCES.values(), key=len, reverse=True))
        fulls = "|".join(sorted(PROVINCES, key=len, reverse=True))
        central = [n for n, lst in self.gaz.entries.items()
                   if any(e.type == "department" and e.source.startswith("central") for e in lst)]
        # 国家矿山安监局湖南局, 中国出口信用保险公司湖南分公司: a central body + province + branch word
        self.branch = re.compile("(?:" + P.trie_regex(central).pattern + rf"|中国[{P.CJK}]{{2,10}}?(?:公司|银行))"
                                 rf"(?:{shorts})省?(?:分公司|分行|分局|监管局|调查总队|税务局|局|公司)")
        # 湖南省知识产权保护中心: a full province name anchors the left edge of a body name
        self.prov_body = re.compile(rf"(?:{fulls})[{P.CJK}]{{2,12}}?"
                                    r"(?:保护中心|服务中心|事务中心|交易中心|领导小组|联合社|管理局|监督管理局|厅|委员会)"
                                    rf"(?=[^{P.CJK}]|$|发展|建设|改革)")

    def _combo_units(self) -> dict[str, str]:
        """One-character abbreviations of prefectures and of single-character-root rivers of a refdata province
        (長沙 → 长, 湘潭 → 潭 since 湘 is the province's own; 沅水 → 沅), mapped to what they abbreviate."""
        units: dict[str, str] = {}
        prov_abbrevs = set()
        for name, lst in self.gaz.entries.items():
            for e in lst:
                if e.type == "region" and e.source == "refdata:province" and len(name) == 1:
                    prov_abbrevs.add(name)
        for name, lst in sorted(self.gaz.entries.items()):
            for e in lst:
                if e.type != "region" or len(name) != 2 or e.source != "refdata:prefecture":
                    continue
                ch = name[1] if name[0] in prov_abbrevs or name[0] in P.ABBREV else name[0]
                if ch not in "东南西北中" and ch not in units:
                    units[ch] = e.canonical
        for name, lst in sorted(self.gaz.entries.items()):
            for e in lst:
                if (e.type == "region" and e.source == "geography:river" and e.parent and len(name) == 2
                        and name[1] in "江水" and name[0] not in units and name[0] not in "一二三四五六七八九十"):
                    units[name[0]] = "river:" + e.canonical
        return units

    def _combos(self, text, cands):
        """Places written as concatenated one-character abbreviations: 郴衡、邵怀; 沅澧连通; 长株潭衡岳等."""
        units = self.combo_units
        if not units:
            return
        for m in self.combo_rx.finditer(text):
            s, e = m.start(), m.end()
            w = text[s:e]
            if s > 0 and text[s - 1] not in P.COMBO_BEFORE and text[s - 2:s] not in P.STOP_TOKENS:
                continue
            if not P.COMBO_AFTER.match(text, e):
                continue
            kinds = {units[c].startswith("river:") for c in w}
            if len(kinds) != 1 or len(set(w)) != len(w) or len({units[c] for c in w}) != len(w):
                continue
            if self.gaz.lookup(w) is not None and self.gaz.lookup(w, "region") is None:
                continue  # a known name of another type
            cands.append((s, e, "region", "combo"))

    def __call__(self, doc):
        text = _text(doc)
        starts = _token_starts(doc)
        cands = doc.user_data.setdefault("kg_cands", [])
        self._departments(text, starts, cands)
        self._labs(text, starts, cands)
        self._corridors(text, starts, cands)
        self._programmes(text, starts, cands)
        self._regions(text, starts, cands)
        return doc

    # departments ------------------------------------------------------------------------------------
    def _departments(self, text, starts, cands):
        for s, e in self._gaz_regions(text, cands, self.cities):  # 株洲市人民政府 (any known city)
            m = self.city_gov_tail.match(text, e)
            if m:
                cands.append((s, m.end(), "department", "rule"))
        for rx in (P.NUM_CONGRESS, P.PARTY_CONGRESS, self.branch, self.prov_body, P.LOCAL_GOV):
            for m in rx.finditer(text):
                cands.append((m.start(), m.end(), "department", "rule"))
        for m in P.DEPT_HEAD.finditer(text):
            b = m.start()
            if b == 0 or not ("\u4e00" <= text[b - 1] <= "\u9fff") or text[b - 2:b] in P.STOP_TOKENS:
                cands.append((m.start(), m.end(), "department", "rule"))
        for m in P.NOTE.finditer(text):
            base = m.start(1)
            body = m.group(1)
            pos = 0
            for sm in list(P.NOTE_SPLIT.finditer(body)) + [None]:
                end = sm.start() if sm else len(body)
                unit = body[pos:end]
                s0 = base + pos + (len(unit) - len(unit.lstrip()))
                unit = unit.strip()
                pos = sm.end() if sm else len(body)
                if (2 <= len(unit) <= 24 and P.DEPT_SUFFIX.search(unit) and P.DEPT_START.search(unit)
                        and not unit.startswith("各") and "有关" not in unit and "相关" not in unit):
                    cands.append((s0, s0 + len(unit), "department", "note"))

    # labs -------------------------------------------------------------------------------------------
    def _labs(self, text, starts, cands):
        for m in P.LAB_HEAD.finditer(text):
            s = left_edge(text, starts, m.start(), 26)
            name = text[s:m.start()]
            if not name.strip() or P.LAB_GENERIC.match(name):
                continue
            named = (self.region_start.match(name) or name.strip().isascii() or "总局" in name or "部" in name
                     or name.startswith("“"))
            if not named and P.LAB_DESCRIPTIVE_END.search(name.strip()):
                continue
            cands.append((s, m.end(), "lab", "rule"))

    # corridors --------------------------------------------------------------------------------------
    def _corridors(self, text, starts, cands):
        for m in P.CORRIDOR_HEAD.finditer(text):
            hs = m.start()
            e = m.end()
            tail = self.corridor_tail.match(text, e, e + 14)
            if tail:
                e = tail.end()
            if text[hs - 1:hs] == "等":  # A、B、C等高速公路: every item is a row
                k = hs - 1
                items = []
                while True:
                    j = k
                    while j > 0 and k - j < 8 and text[j - 1] not in P.PUNCT and not text[j - 1].isspace():
                        j -= 1
                    item = text[j:k]
                    lv = P.LEADING_VERB.match(item)
                    if lv and lv.end() < len(item):
                        j += lv.end()
                        item = text[j:k]
                        items.append((j, k))
                        break
                    if not item or k - j >= 8:
                        break
                    items.append((j, k))
                    if j > 0 and text[j - 1] == "、":
                        k = j - 1
                        continue
                    break
                if m.group(0) == "航线" and items:  # 日本东京、大阪等航线: one route list, one row
                    cands.append((min(a for a, _ in items), e, "corridor", "list"))
                    continue
                for a, b in items:
                    if 2 <= b - a <= 6 and not P.CORRIDOR_GENERIC.match(text[a:b]):
                        cands.append((a, b, "corridor", "list"))
                continue
            s = left_edge(text, starts, hs, 18, quotes=True, dashes=True)
            while s < hs and text[s] in "至经和与及、":
                s += 1
            lv = P.CORRIDOR_LEAD_VERB.match(text, s, hs)
            if lv and lv.end() < hs:
                s = lv.end()
            prefix = text[s:hs]
            quoted = prefix.startswith("“")
            head = m.group(0)
            if not quoted:
                listed = not prefix and text[hs - 1:hs] == "、" and tail is not None and (head == "磁浮" or head[0].isdigit())
                if not listed and (len(prefix) < 2 or P.CORRIDOR_GENERIC.match(prefix) or prefix[0].isdigit()
                                   or prefix[-1] in "条个家类种批"):
                    continue
                if head.endswith("通道") and P.TONGDAO_NOT.search(prefix):
                    continue  # 技能人才发展通道: not a transport link
                rg = self.region_generic_prefix.match(prefix)
                if rg and P.CORRIDOR_GENERIC.match(prefix[rg.end():]):
                    continue  # 湖南省跨区跨省能源输送通道: a province and generic words
            for a, b in P.place_items(text, s, hs):
                cands.append((a, b, "region", "via"))
            if text[s - 1:s] == "“" and text[e:e + 1] == "”":
                s, e = s - 1, e + 1
            cands.append((s, e, "corridor", "rule"))
            c = coordinated(text, s, e, e - hs)
            if c < 0:
                cands.append((-c, e, "corridor", "coord-one"))
            elif c < s:
                cands.append((c, e, "corridor", f"coord:{s}"))

        for m in P.NUMBER_CORRIDOR.finditer(text):
            cands.append((m.start(), m.end(), "corridor", "rule"))
        for m in P.STATION_LINE.finditer(text) if "站至" in text else ():
            cands.append((m.start(1), m.end(1), "corridor", "rule"))
        for m in P.LEAD_IN.finditer(text):  # 铁路，重点抓好张吉怀、怀邵衡、黔张常等项目建设
            for lm in P.LEAD_IN_LIST.finditer(m.group(1)):
                pos = m.start(1) + lm.start(1)
                for k, item in enumerate(lm.group(1).split("、")):
                    if k == 0:
                        t = P.trim_stop(item)
                        pos += len(item) - len(t)
                        item = t
                    if 2 <= len(item) <= 4 and not P.CORRIDOR_GENERIC.match(item) and not P.ITEM_NOT_NAME.search(item):
                        cands.append((pos, pos + len(item), "corridor", "list"))
                    pos += len(item) + 1

    # programmes -------------------------------------------------------------------------------------
    @staticmethod
    def _qualifier(text, starts, q) -> int:
        """Start of a nominal qualifier written right before a quoted name (医学学科“登峰计划”)."""
        if q == 0 or text[q - 1] in P.PUNCT:
            return q
        s0 = left_edge(text, starts, q, 10, nominal=True)
        if s0 < q and (P.PROGRAMME_GENERIC.match(text[s0:q]) or P.LEAD_STOP.match(text, s0, q)
                       or P.QUOTED_PRINCIPLE_VERB.search(text, s0, q)):
            return q
        return s0

    def _placey_qualifier(self, text, q, e) -> bool:
        """A qualifier that is a place or a date (中非“十大伙伴行动”, 省“…”) does not name the label."""
        w = text[q:e]
        return (w[0].isdigit() or w in self.region_names or bool(P.PLACE_QUALIFIER.search(w))
                or bool(self.region_start.match(text, q)) and len(w) <= 4)

    @staticmethod
    def _noun_label(text, m, inner, after) -> bool:
        """A four-character quoted label right after a noun is mostly a descriptive tag of that noun
        (产业链“链主”, 企业“白名单”), not a programme — unless it is counted and stands alone (…“五大工程”。)."""
        if len(inner) != 4 or m.start() < 2:
            return False
        before = text[m.start() - 2:m.start()]
        if before in P.STOP_TOKENS or before[-1] in P.PUNCT or before[-1].isspace():
            return False
        return not (P.COUNTED_START.match(inner) and not ("\u4e00" <= after[:1] <= "\u9fff"))

    def _programmes(self, text, starts, cands):
        for m in P.QUOTED.finditer(text):
            inner = m.group(1)
            if P.FIVE_YEAR.fullmatch(inner) and text.startswith("规划", m.end()):
                cands.append((m.start(), m.end() + 2, "programme", "quote"))  # “十四五”规划
                continue
            if P.QUOTED_NOT_PROGRAMME.match(inner) or len(inner) < 2 or "，" in inner:
                continue
            if text[max(0, m.start() - 1):m.start()] == "《" or self.corridor_end.search(inner):
                continue
            if P.NUMERIC_NATURE.fullmatch(inner):
                continue  # “一江一湖四水”: natural features, a region
            after = text[m.end():m.end() + 16]
            t = P.PROGRAMME_TAIL.match(after)
            f = P.QUOTED_FRAME.match(after)
            if f and (not t or f.end() >= t.end() - 2) and "品牌" not in f.group(0):
                cands.append((self._qualifier(text, starts, m.start()), m.end() + f.end(), "programme", "quote"))
            elif t and ((c := P.QUOTED_COMPOUND_TAIL.match(after))
                        or not any(after[k:k + 2] in P.STOP_TOKENS
                                   and (after[k:k + 2] not in P.NOMINAL or t.group(0).endswith("建设"))
                                   for k in range(0, t.end() - 1))):
                # a qualifier before the quote belongs to the name: 企业上市“金芙蓉”跃升行动
                end = max(t.end(), c.end()) if c else t.end()
                cands.append((self._qualifier(text, starts, m.start()), m.end() + end, "programme", "quote"))
            elif P.QUOTED_NOT_PROGRAMME_END.search(inner.strip()):
                continue
            elif P.QUOTED_PRINCIPLE_VERB.search(text, max(0, m.start() - 3), m.start()):
                continue
            elif P.QUOTED_NEEDS_QUALIFIER.match(inner.strip()) and not P.QUOTED_CONTEXT_NOT.match(after):
                q = self._qualifier(text, starts, m.start())
                if m.start() - q >= 2 and not self._placey_qualifier(text, q, m.start()):
                    cands.append((q, m.end(), "programme", "quote"))
                elif len(inner) >= 4:
                    cands.append((m.start(), m.end(), "programme", "quote"))
            elif (len(inner) >= 4 and not P.QUOTED_CONTEXT_NOT.match(after)
                  and not P.QUOTED_PRINCIPLE_VERB.search(text, max(0, m.start() - 3), m.start())
                  and (P.QUOTED_HEAD_END.search(inner.strip())  # “铸剑行动”, “4+4科创工程”
                       or not P.QUOTED_FORMULA.search(inner) and not self._noun_label(text, m, inner, after))):
                cands.append((m.start(), m.end(), "programme", "quote"))
        for m in P.COUNTED_QUOTE_LIST.finditer(text):  # “六大工程”：A工程、B工程…: the parts, each a programme
            pos = m.start(1)
            for item in m.group(1).split("、"):
                core = item.strip()
                a = pos + item.find(core) if core else pos
                if 4 <= len(core) <= 30 and P.PROGRAMME_HEAD.search(core[-4:]) and P.PROGRAMME_HEAD.search(core).end() == len(core):
                    cands.append((a, a + len(core), "programme", "list"))
                pos += len(item) + 1
        for m in P.CULTURE_PARK.finditer(text) if "国家文化公园" in text else ():
            a = m.start()
            while a < m.end() and (text[a:a + 2] in P.STOP_TOKENS or text[a] in P.STOP_TOKENS):
                a += 2 if text[a:a + 2] in P.STOP_TOKENS else 1
            if m.end() - a > 8:
                cands.append((a, m.end(), "programme", "rule"))
        for m in P.NATIONAL_PILOT.finditer(text):
            if not self.region_start.match(text, m.start() + 2) and not P.COUNTED.search(m.group(0)):
                cands.append((m.start(), m.end(), "programme", "rule"))
        for m in P.WATER_PROJECT.finditer(text):
            s0 = left_edge(text, starts, m.start(), 4)
            name = text[s0:m.start()]
            if 2 <= len(name) <= 4 and not P.WATER_PROJECT_GENERIC.search(name) and not name[0].isdigit():
                cands.append((s0, m.end(), "programme", "rule"))
        for m in P.FIGHT.finditer(text):
            cands.append((m.start(), m.end(), "programme", "rule"))
        for m in P.NUMBER_PROGRAMME.finditer(text):
            s = left_edge(text, starts, m.start(), 8)
            if m.end() - s > 6:  # short ones (十大工程) are mostly generic counts unless quoted
                cands.append((s, m.end(), "programme", "number"))
        for m in P.CHIEF_SYSTEM.finditer(text) if "长制" in text else ():
            cands.append((m.start(), m.end(), "programme", "rule"))
        for s, e in self._gaz_regions(text, cands):  # 长株潭一体化, 中部地区崛起, 西部大开发
            m = self.region_programme_tail.match(text, e)
            if m:
                cands.append((s, m.end(), "programme", "rule"))
        for rx in ((P.BOX_TITLE, P.ITEM_LINE) if "专栏" in text else (P.ITEM_LINE,)):
            for m in rx.finditer(text):
                name = m.group(1)
                if name[:2] not in P.STOP_TOKENS and not P.LEAD_STOP.match(name) and name[:1] not in P.STOP_TOKENS:
                    cands.append((m.start(1), m.end(1), "programme", "box"))
        for m in P.SCIENCE_TOWN.finditer(text):
            s0 = left_edge(text, starts, m.start(), 12, nominal=True)
            name = text[s0:m.start()]
            placed = self.region_start.match(text, s0, m.start()) or self.combo_rx.match(name)
            if m.start() - s0 >= 2 and not P.COUNTED_ANY.search(name) and (placed or (
                    m.group(0) not in ("产业园", "示范园") and len(name) >= 3 and not P.PARK_GENERIC.match(name)
                    and not P.PROGRAMME_GENERIC.match(name))):
                cands.append((s0, m.end(), "programme", "head"))
        for m in P.VERB_LED_REFORM.finditer(text):
            name = m.group(1)
            if not P.PROGRAMME_GENERIC.match(name[:-2]) and name[:2] not in P.STOP_TOKENS:
                cands.append((m.start(1), m.end(1), "programme", "verb"))
        for m in P.VERB_LED_PROGRAMME.finditer(text):
            a, name = _trim_name(m.start(1), m.group(1), cands)
            k = name.rfind("的") + 1  # 以人为核心的新型城镇化战略: a description ends at 的 (not 党的…)
            k = 0 if name[k - 2:k] == "党的" else k
            a, name = a + k, name[k:]
            if (name and not P.PROGRAMME_GENERIC.match(name[:-2]) and not P.CORRIDOR_HEAD.search(name)
                    and not P.PLAN_NOT_PROGRAMME.search(name)):
                cands.append((a, m.end(1), "programme", "verb"))
        for m in P.PROGRAMME_HEAD_STRICT.finditer(text):
            s = left_edge(text, starts, m.start(), 18, nominal=True)
            name = text[s:m.start()]
            s, name = _trim_name(s, name, cands)
            if not name:
                continue
            s = _conjuncts(text, starts, s, self.region_start.match)
            name = text[s:m.start()]
            nxt = text[m.end():m.end() + 1]
            short_ok = (m.group(0) == "战略" and len(name) >= 2 and not P.PROGRAMME_GENERIC.match(name)
                        and (not "\u4e00" <= nxt <= "\u9fff" or nxt in "为和与等") and not P.COUNTED.search(name))
            if P.PLAN_NOT_PROGRAMME.search(name + m.group(0)):
                continue
            if ((len(name) + len(m.group(0)) <= 6 and not short_ok) or name[0].isdigit() or (len(name) <= 4 and P.PROGRAMME_GENERIC.match(name))
                    or P.CORRIDOR_HEAD.search(name)):
                continue
            cands.append((s, m.end(), "programme", "head"))

    @staticmethod
    def _gaz_regions(text, cands, names=None) -> list[tuple[int, int]]:
        """The gazetteer's region matches ``(start, end)`` in text order (optionally only those in ``names``)."""
        return sorted((s, e) for s, e, typ, src in cands
                      if src == "gaz" and typ == "region" and (names is None or text[s:e] in names))

    @staticmethod
    def _water_neighbour(text, a, b) -> bool:
        """A 港 item counts as water when a neighbouring list item is a river, lake or canal (双溪港、蔡家港、仙人河)."""
        nxt = re.match(r"、([^、，。；]{2,10})", text[b:b + 12])
        prv = re.search(r"([^、，。；]{2,10})、$", text[max(0, a - 12):a])
        return any(x and re.search(r"(?:河|湖|渠|垸)(?:（[^（）]{1,6}）)?$", x.group(1)) for x in (nxt, prv))

    def _zone_prefix(self, text, s) -> int:
        """大湘南地区, 新时代洞庭湖生态经济区: 大/新时代 right before a named zone belong to it."""
        if text[s - 1:s] == "大" and (s < 2 or text[s - 2] in P.COMBO_BEFORE or not "\u4e00" <= text[s - 2] <= "\u9fff"
                                      or text[max(0, s - 3):s - 1] in P.STOP_TOKENS):
            return s - 1
        if text[s - 3:s] == "新时代":
            return s - 3
        return s

    def _chains(self, text, cands):
        """Places joined by dashes (坪塘—昭山—石燕湖—云峰湖; 郴州—佛山): each place is a row."""
        for parts, pos in self._dash_runs(text):
            items = []
            for k, (p_, a) in enumerate(zip(parts, pos)):
                if k == 0:  # the first item may carry a verb or a preposition: keep its place-like tail
                    t = P.trim_stop(p_)
                    a, p_ = a + len(p_) - len(t), t
                    js = [j for j in range(max(0, len(p_) - 6), len(p_) - 1)
                          if p_[j] not in "和与及的在以从向到至" and p_[j:j + 2] not in P.STOP_TOKENS]
                    for j in ([j for j in js if self.gaz.weak_lookup(p_[j:], "region")]
                              + [j for j in js if self._placey(p_[j:])]):
                        a, p_ = a + j, p_[j:]
                        break
                    else:
                        p_ = P.trim_stop(p_)
                        a = pos[0] + len(parts[0]) - len(p_)
                if k == len(parts) - 1:
                    p_ = P.CHAIN_TAIL.sub("", p_)
                    for j in range(len(p_), 1, -1):
                        if self._placey(p_[:j]):
                            p_ = p_[:j]
                            break
                items.append((a, a + len(p_), p_))
            placey = [self._placey(w) for _, _, w in items]
            if sum(placey) * 2 < len(items) or any(P.CHAIN_BAD_ITEM.search(w) for _, _, w in items):
                continue
            for (a, b, w), ok in zip(items, placey):
                if ok or (2 <= len(w) <= 3 and len(items) >= 3):
                    cands.append((a, b, "region", "chain"))

    @staticmethod
    def _dash_runs(text):
        """Runs ``A—B(—C…)`` of 2-10 CJK characters joined by dashes: ``(parts, starts)``."""
        cjk = re.compile(f"[{P.CJK}]{{2,10}}")
        back = re.compile(f"[{P.CJK}]{{2,10}}$")
        parts: list[str] = []
        pos: list[int] = []
        end = -1
        for d in P.DASH_CHAIN.finditer(text):
            nxt = cjk.match(text, d.end())
            if d.start() != end:  # a new run: its first item ends at this dash
                if len(parts) >= 2:
                    yield parts, pos
                first = back.search(text, max(0, d.start() - 10), d.start())
                parts, pos = ([first.group(0)], [first.start()]) if first else ([], [])
            if not parts or nxt is None:
                if len(parts) >= 2:
                    yield parts, pos
                parts, pos, end = [], [], -1
                continue
            parts.append(nxt.group(0))
            pos.append(nxt.start())
            end = nxt.end()
        if len(parts) >= 2:
            yield parts, pos

    def _placey(self, w: str) -> bool:
        return (len(w) >= 2 and not any(c in "和与及的" for c in w) and (self.gaz.weak_lookup(w, "region") is not None
                                 or (P.WATER_ITEM.fullmatch(w) is not None and len(w) <= 5 and not P.WATER_GENERIC.match(w))))

    # regions ----------------------------------------------------------------------------------------
    def _regions(self, text, starts, cands):
        for m in P.REGION_SUFFIX.finditer(text):
            s = left_edge(text, starts, m.start(), 16, quotes=True)
            if s >= m.start() - 1:
                continue
            ce = self.corridor_end.search(text, s, m.start())
            if P.NAMED_ZONE.match(m.group(0)) and text[s] != "“":
                s = m.start() - len(P.trim_stop(text[s:m.start()]))
                name = text[s:m.start()]
                if P.REGION_GENERIC.match(name) or m.start() - s < 2 or re.search(r"\d|个|条|批", name):
                    continue
                if m.group(0) in ("都市圈", "城市群", "城市带"):  # 宜荆荆都市圈; not 重要城市群, 壮大长江中游城市群
                    k = next((k for k in range(s, m.start() - 1) if self.region_start.match(text, k, m.start())), -1)
                    if k >= 0:
                        s = k
                    elif len(name) > 4 or re.search(r"[型化]|全国|重要|国际|世界|一流|大型|特大|超大|现代|若干", name):
                        continue
            elif text[s] != "“" and not ce:
                # the name must begin with a known place (trim a verb the edge took in: 构建武陵山… → 武陵山…)
                for k in range(s, m.start() - 1):
                    if self.region_start.match(text, k, m.start()) or P.ADJ_START.match(text, k, m.start()):
                        break
                else:
                    continue
                s = k
            if m.group(0) in ("地区", "流域", "板块") and not self.gaz.lookup(text[s:m.start()], "region"):
                continue
            rm = self.region_start.match(text, s, m.start())
            if rm and rm.group(0)[-1] in "区带圈群" and P.REGION_GENERIC.match(text[rm.end():m.start()]):
                continue  # 长江经济带沿线自贸试验区: a zone described by a region, not a named place
            s = self._zone_prefix(text, s)
            if text[s] == "“":  # “3+5”环长株潭城市群: a quoted count is no part of the place
                q = text.find("”", s, m.start())
                if q > 0 and not re.search(f"[{P.CJK}]", text[s:q]):
                    s = q + 1
            name = text[s:m.start()]
            if P.REGION_GENERIC.match(name) or P.COUNTED.search(name):
                continue
            cands.append((s, m.end(), "region", "rule"))
            head_len = len(m.group(0)) + (m.start() - ce.start() if ce else 0)
            c = abs(coordinated(text, s, m.end(), head_len))
            if c < s:  # 湘阴、湘潭九华新片区: the whole span and the last name are both rows
                cands.append((c, m.end(), "region", f"coord:{s}"))
        for m in P.ADJACENCY.finditer(text):
            cands.append((m.start(1), m.end(), "region", "adjacency"))
        if "边" in text:
            for m in P.ADJ_EDGE.finditer(text):
                if m.start() == 0 or text[m.start() - 1] not in P.ABBREV:
                    cands.append((m.start(1), m.end(1), "region", "adjacency"))
        for m in P.NUMERIC_NATURE.finditer(text):
            if m.start() == 0 or text[m.start() - 1] not in "一二三四五六七八九十百千两":
                cands.append((m.start(), m.end(), "region", "rule"))
        self._combos(text, cands)
        self._chains(text, cands)
        # lists of named rivers, lakes, polders, hills: 昭山、法华山、九郎山
        for m in P.LIST_ITEM.finditer(text):
            a, b = m.start(1), m.end(1)
            if text[a - 1:a] != "、" and text[b:b + 1] != "、":
                continue
            item = text[a:b]
            if text[a - 1:a] != "、":
                item = P.trim_stop(item)
                a = b - len(item)
            if not P.WATER_HEAD.search(item) and not (item.endswith("港") and self._water_neighbour(text, a, b)):
                continue
            if len(item) < 2 or P.WATER_GENERIC.match(item) or any(t in item for t in ("和", "及", "与", "的", "等")):
                continue
            cands.append((a, b, "region", "list"))
        for m in P.PROVINCE_PART.finditer(text):
            cands.append((m.start(1), m.end(1), "region", "rule"))
        # 长江干流湖南段: a river's stretch in a province
        regs = self._gaz_regions(text, cands)
        for k, (s, e) in enumerate(regs):
            name = text[s:e]
            m = self.stretch_tail.match(text, e) if name in self.rivers else None
            if m:  # 长江干流湖南段: a river's stretch in a province
                cands.append((s, m.end(), "region", "rule"))
            if name in self.cities:
                m = P.COUNTY_PLACE.match(text, e)
                if m:  # 汝城县沙洲村: a county + a village or town
                    cands.append((s, m.end(), "region", "rule"))
                if k + 1 < len(regs) and regs[k + 1][0] == e and text[e:regs[k + 1][1]] in self.cities:
                    cands.append((s, regs[k + 1][1], "region", "rule"))  # 娄底市娄星区: a region and one of its parts


def _trim_name(s: int, name: str, cands: list | None = None) -> tuple[int, str]:
    """Drop a verb glued to the front of a programme name (实施国家…示范工程); split two names joined by 和
    (高标准农田建设工程和优质粮油工程 → 优质粮油工程, and the first one goes to ``cands``)."""
    lead = P.LEAD_STOP.match(name)
    if lead and lead.end() < len(name):
        s, name = s + lead.end(), name[lead.end():]
    k = name.rfind("和")
    if k > 0:
        h = P.PROGRAMME_HEAD_STRICT.search(name, 0, k)
        if h and h.end() == k:
            if cands is not None:
                cands.append((s, s + k, "programme", "head"))
            s, name = s + k + 1, name[k + 1:]
    return s, name


def _conjuncts(text: str, starts: list[int], s: int, region_start) -> int:
    """Take in the conjuncts written before a programme name that share its head (化肥、农药使用量零增长行动,
    国家低碳城市和气候适应型城市建设试点): the whole written span is the name. A conjunct that ends in a
    programme head of its own is a separate name and is left out."""
    k = s
    if text.rfind("《", 0, s) > text.rfind("》", 0, s):
        return s  # inside a cited title
    while k >= 3 and text[k - 1] in "、和与" and s - k < 12:
        j = left_edge(text, starts, k - 1, 7, nominal=True)
        conj = text[j:k - 1]
        if (not 2 <= len(conj) <= 7 or P.PROGRAMME_HEAD.search(conj) or P.CONJUNCT_NOT.search(conj)
                or any(c in P.PUNCT or c.isspace() or c.isdigit() for c in conj) or P.PROGRAMME_GENERIC.match(conj)
                or region_start(conj)):
            break
        k = j
    return k


# ---------------------------------------------------------------------------------------------------
_TYPE_RANK = {"department": 0, "lab": 1, "corridor": 2, "region": 3, "programme": 4}
_SOURCE_RANK = {"box": 1, "verb": 2, "gaz": 0, "note": 1, "rule": 2, "adjacency": 3, "quote": 2, "number": 3, "head": 4}


@Language.factory("kg_select")
def _make_select(nlp, name):
    return select_mentions


def select_mentions(doc):
    """Longest match wins; a place inside a corridor name, and the last item of a coordinated name
    (``邵永、宜常铁路`` → also ``宜常铁路``), keep their own mentions."""
    cands = sorted(set(doc.user_data.get("kg_cands", ())),
                   key=lambda c: (-(c[1] - c[0]), _TYPE_RANK.get(c[2], 9), _SOURCE_RANK.get(c[3].split(":")[0], 9), c[0]))
    taken: list[tuple[int, int, str]] = []
    text = _text(doc)
    owner = [-1] * (len(text) + 1)  # index in ``taken`` of the span covering each character
    occupied = bytearray(len(_text(doc)) + 1)
    nested = bytearray(len(_text(doc)) + 1)
    kept = []
    inner = []
    for s, e, typ, src in cands:
        if e <= s:
            continue
        if any(occupied[s:e]):
            if (typ == "region" and src in ("gaz", "chain", "via", "combo") and not any(nested[s:e])
                    and all(_inside_keep(taken[i], s, e, src) for i in set(owner[s:e]) if i >= 0)):
                nested[s:e] = b"\x01" * (e - s)
                kept.append((s, e, typ))
            continue
        occupied[s:e] = b"\x01" * (e - s)
        owner[s:e] = [len(taken)] * (e - s)
        taken.append((s, e, typ))
        if src.startswith("coord:"):
            i = int(src.split(":")[1])
            inner.append((i, e, typ))
            first = text[s:i - 1]
            if text.count(first + text[i + len(first):e]) and text.count(text[i:e]) > 1:
                continue  # 呼南、厦渝通道 where 呼南通道 and 厦渝通道 are also named alone: no extra row
        kept.append((s, e, typ))
    kept.extend(inner)
    kept = sorted(set(kept))
    doc.user_data["kg_mentions"] = kept
    spans = []
    for s, e, typ in kept:
        sp = doc.char_span(s, e, label=typ, alignment_mode="expand")
        if sp is not None:
            spans.append(sp)
    doc.spans["kg"] = spans
    return doc


def _inside_keep(t, s, e, src="gaz") -> bool:
    """A place inside a corridor or programme name keeps its own mention (a combined abbreviation only
    inside a programme: 怀邵衡 alone before 铁路 names the line, not the places)."""
    return t[2] in (("programme",) if src == "combo" else ("corridor", "programme")) and t[0] <= s and e <= t[1]
