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

The rule families live in their own modules: :mod:`kg.extract.programmes` (programme rules),
:mod:`kg.extract.regions` (region shapes) and :mod:`kg.extract.select` (the choice among candidates);
:mod:`kg.extract.patterns` holds the word lists and regexes they share.

The candidates live in ``doc.user_data["kg_cands"]`` as ``(start, end, type, source)`` with offsets into
``doc.text``.
"""
from __future__ import annotations

import logging
import re
from math import log

import jieba
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.data.gazetteer import PROVINCES, load_gazetteer
from kg.extract import patterns as P
from kg.extract.patterns import coordinated, left_edge
from kg.extract.programmes import ProgrammeRules
from kg.extract.regions import RegionRules
from kg.extract.select import _text, select_mentions  # noqa: F401 - importing registers kg_select

_SHORT_PROV = sorted(PROVINCES.values(), key=len, reverse=True)
_PROV_PREFIX = re.compile("(?:" + "|".join(_SHORT_PROV) + ")$")


class _Segmenter:
    """Stands in for the ``jieba`` module inside spaCy's ChineseTokenizer: our own dictionary, HMM off.

    With HMM off it runs jieba's own algorithm (the prefix DAG, then the most probable route by
    word frequency, single Latin letters and digits buffered) in a tighter loop, with each word's log
    probability computed once: the same words as ``jieba.Tokenizer.cut(text, HMM=False)``, in about
    half the time.

    >>> seg = _Segmenter(jieba.dt)
    >>> text = "加快建设岳麓山实验室，推进G60科创走廊和5G+工业互联网。 省发改委\\r\\n牵头"
    >>> list(seg.cut(text)) == list(jieba.dt.cut(text, HMM=False))
    True
    """

    def __init__(self, tok: jieba.Tokenizer, hmm: bool = False):
        self.tok = tok
        self.hmm = hmm
        self._total = None
        self._logp: dict[str, float] = {}

    def cut(self, text, cut_all=False, HMM=None):  # noqa: N803 - jieba's signature
        if self.hmm or cut_all:
            return self.tok.cut(text, cut_all=cut_all, HMM=self.hmm)
        return self._cut(text)

    def _cut(self, sentence):
        tok = self.tok
        tok.check_initialized()
        if self._total != tok.total:  # words were added: the probabilities changed
            self._total, self._logp = tok.total, {}
        for blk in _RE_HAN.split(sentence):
            if not blk:
                continue
            if _RE_HAN.match(blk):
                yield from self._cut_block(blk)
            else:
                for x in _RE_SKIP.split(blk):
                    if _RE_SKIP.match(x):
                        yield x
                    else:
                        yield from x

    def _cut_block(self, sentence):
        freq = self.tok.FREQ
        logp = self._logp
        logtotal = log(self._total)
        unknown = log(1) - logtotal
        n = len(sentence)
        dag = []
        for k in range(n):
            ends = []
            i = k
            frag = sentence[k]
            while i < n and frag in freq:
                if freq[frag]:
                    ends.append(i)
                i += 1
                frag = sentence[k:i + 1]
            dag.append(ends or [k])
        route_v = [0.0] * (n + 1)
        route_x = [0] * (n + 1)
        for idx in range(n - 1, -1, -1):
            best_v = best_x = None
            for x in dag[idx]:
                w = sentence[idx:x + 1]
                p = logp.get(w)
                if p is None:
                    f = freq.get(w)
                    if f:
                        p = logp[w] = log(f) - logtotal
                    else:
                        p = unknown
                v = p + route_v[x + 1]
                if best_v is None or v >= best_v:  # max over (v, x): a tie goes to the longer word
                    best_v, best_x = v, x
            route_v[idx] = best_v
            route_x[idx] = best_x
        x = 0
        buf = ""
        while x < n:
            y = route_x[x] + 1
            word = sentence[x:y]
            if len(word) == 1 and _RE_ENG.match(word):
                buf += word
            else:
                if buf:
                    yield buf
                    buf = ""
                yield word
            x = y
        if buf:
            yield buf


_RE_HAN = jieba.re_han_default  # jieba's own block, whitespace and Latin patterns
_RE_SKIP = jieba.re_skip_default
_RE_ENG = jieba.re_eng


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
    nlp.add_pipe("kg_rules", config=cfg).freq = tok.FREQ
    nlp.add_pipe("kg_select")
    return nlp


_WINDOW = 32  # characters left of a head word that the left-edge walk may look at (it stops by 26)
_NEEDS_TOKENS = P.prefiltered(re.compile(
    "|".join(f"(?:{rx.pattern})" for rx in (P.LAB_HEAD, P.CORRIDOR_HEAD, P.PROGRAMME_HEAD_STRICT, P.REGION_SUFFIX,
                                            P.NUMBER_PROGRAMME, P.WATER_PROJECT, P.SCIENCE_TOWN, P.QUOTED_SHORT))))


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
    windows = []
    for m in _NEEDS_TOKENS.finditer(text):
        a = max(m.start() - _WINDOW, 0)
        a = max(a, text.rfind("\n", a, m.start()) + 1, text.rfind("。", a, m.start()) + 1)
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


class RuleMatcher(ProgrammeRules, RegionRules):
    """Head-word rules for departments, labs, corridors, programmes and region shapes."""

    def __init__(self, data_dir=None, alias_file=None):
        self.gaz = load_gazetteer(data_dir, alias_file)
        self.freq: dict = {}  # jieba's word frequencies, set by make_nlp
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
