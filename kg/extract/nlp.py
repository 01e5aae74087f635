"""The spaCy pipeline: ``spacy.blank("zh")`` with jieba (gazetteer in its dictionary) + kg components.

Components (registered spaCy factories, run in this order):

* ``kg_gazetteer`` — every gazetteer name (departments, regions, aliases) by one trie regex over the text;
* ``kg_rules`` — department shapes (notes, city governments, numbered congresses), labs, corridors,
  programmes and region shapes, each by its head word with the left edge found on jieba tokens;
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
    tok = jieba.Tokenizer()
    tok.initialize()
    for name in gaz.names():
        if len(name) >= 2:
            tok.add_word(name, freq=max(2000, 100 * len(name)))
    for head in ("实验室", "专项行动", "行动计划", "高速铁路", "城际铁路", "高速公路", "攻坚", "班列", "航线", "航道", "联运"):
        tok.add_word(head, freq=5000)
    nlp.tokenizer.jieba_seg = _Segmenter(tok, hmm)
    cfg = {"data_dir": data_dir, "alias_file": alias_file}
    nlp.add_pipe("kg_gazetteer", config=cfg)
    nlp.add_pipe("kg_rules", config=cfg)
    nlp.add_pipe("kg_select")
    return nlp


_WINDOW = 32  # characters left of a head word that the left-edge walk may look at (it stops by 26)
_NEEDS_TOKENS = re.compile(
    "|".join(f"(?:{rx.pattern})" for rx in (P.LAB_HEAD, P.CORRIDOR_HEAD, P.PROGRAMME_HEAD_STRICT, P.REGION_SUFFIX,
                                            P.NUMBER_PROGRAMME)))


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
        names = [n for n in self.gaz.names() if len(n) >= 2]
        self.rx = re.compile("(" + P.trie_regex(names).pattern + ")")

    def __call__(self, doc):
        text = _text(doc)
        cands = doc.user_data.setdefault("kg_cands", [])
        lookup = self.gaz.lookup
        search = self.rx.search
        pos = 0
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
            if entry.type == "region" and name in ("中国", "中华人民共和国", "我国"):
                continue
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
        self.corridor_end = re.compile("(?:" + P.CORRIDOR_HEAD.pattern + ")$")
        self.region_programme = re.compile(f"(?:{self.region_start.pattern}){P.REGION_PROGRAMME_TAIL}")
        provs = "|".join(sorted(PROVINCES.values(), key=len, reverse=True))
        self.corridor_tail = re.compile(rf"(?:（[^（），。]{{1,12}}）|(?:{provs})段|[东西南北]延|[一二三]期)")
        cities = [n for n in regions if n.endswith(("市", "县", "区", "州"))]
        city_rx = P.trie_regex(cities).pattern
        self.county_place = re.compile(f"(?:{city_rx})" + P.COUNTY_PLACE.pattern)
        self.region_pair = re.compile(f"(?:{city_rx})(?:{city_rx})")
        rivers = [n for n, lst in self.gaz.entries.items()
                  if any(e.type == "region" and e.source in ("geography:river", "geography:lake") for e in lst)]
        provs_short = "|".join(sorted(PROVINCES.values(), key=len, reverse=True))
        self.river_stretch = re.compile(f"(?:{P.trie_regex(rivers).pattern})(?:干流|岸线|干线)?(?:{provs_short})段")
        self.city_gov = re.compile("(?:" + P.trie_regex(cities).pattern + ")" + P.CITY_GOV)
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
                                    rf"(?![{P.CJK}])")

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
        for rx in (P.NUM_CONGRESS, P.PARTY_CONGRESS, self.city_gov, self.branch, self.prov_body, P.LOCAL_GOV):
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
            prefix = text[s:hs]
            quoted = prefix.startswith("“")
            if not quoted:
                if (len(prefix) < 2 or P.CORRIDOR_GENERIC.match(prefix) or prefix[0].isdigit()
                        or prefix[-1] in "条个家类种批"):
                    continue
            if text[s - 1:s] == "“" and text[e:e + 1] == "”":
                s, e = s - 1, e + 1
            cands.append((s, e, "corridor", "rule"))
            c = coordinated(text, s, e, e - hs)
            if c < 0:
                cands.append((-c, e, "corridor", "coord-one"))
            elif c < s:
                cands.append((c, e, "corridor", f"coord:{s}"))

    # programmes -------------------------------------------------------------------------------------
    def _programmes(self, text, starts, cands):
        for m in P.QUOTED.finditer(text):
            inner = m.group(1)
            if P.QUOTED_NOT_PROGRAMME.match(inner) or len(inner) < 2 or "，" in inner:
                continue
            if text[max(0, m.start() - 1):m.start()] == "《" or self.corridor_end.search(inner):
                continue
            after = text[m.end():m.end() + 10]
            t = P.PROGRAMME_TAIL.match(after)
            if t and not any(after[k:k + 2] in P.STOP_TOKENS for k in range(0, t.end() - 1)):
                # a qualifier before the quote belongs to the name: 企业上市“金芙蓉”跃升行动
                s0 = left_edge(text, starts, m.start(), 8) if text[m.start() - 1:m.start()] not in P.PUNCT else m.start()
                if s0 < m.start() and P.PROGRAMME_GENERIC.match(text[s0:m.start()]):
                    s0 = m.start()
                cands.append((s0, m.end() + t.end(), "programme", "quote"))
            elif len(inner) >= 4 and "、" not in inner and not P.QUOTED_CONTEXT_NOT.match(after):
                cands.append((m.start(), m.end(), "programme", "quote"))
        for m in P.NUMBER_PROGRAMME.finditer(text):
            s = left_edge(text, starts, m.start(), 8)
            if m.end() - s > 6:  # short ones (十大工程) are mostly generic counts unless quoted
                cands.append((s, m.end(), "programme", "number"))
        for m in P.CHIEF_SYSTEM.finditer(text):
            cands.append((m.start(), m.end(), "programme", "rule"))
        for m in self.region_programme.finditer(text):
            cands.append((m.start(), m.end(), "programme", "rule"))
        for m in P.VERB_LED_PROGRAMME.finditer(text):
            name = m.group(1)
            if not P.PROGRAMME_GENERIC.match(name[:-2]) and not P.CORRIDOR_HEAD.search(name):
                cands.append((m.start(1), m.end(1), "programme", "verb"))
        for m in P.PROGRAMME_HEAD_STRICT.finditer(text):
            s = left_edge(text, starts, m.start(), 18, nominal=True)
            name = text[s:m.start()]
            if (len(name) + len(m.group(0)) <= 6 or name[0].isdigit() or (len(name) <= 4 and P.PROGRAMME_GENERIC.match(name))
                    or P.CORRIDOR_HEAD.search(name)):
                continue
            cands.append((s, m.end(), "programme", "head"))

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
            cands.append((s, m.end(), "region", "rule"))
            head_len = len(m.group(0)) + (m.start() - ce.start() if ce else 0)
            c = coordinated(text, s, m.end(), head_len)
            if c < 0:
                cands.append((-c, m.end(), "region", "coord-one"))
            elif c < s:
                cands.append((c, m.end(), "region", f"coord:{s}"))
        for m in P.ADJACENCY.finditer(text):
            cands.append((m.start(1), m.end(), "region", "adjacency"))
        # lists of named rivers, lakes, polders, hills: 昭山、法华山、九郎山
        for m in P.LIST_ITEM.finditer(text):
            a, b = m.start(1), m.end(1)
            if text[a - 1:a] != "、" and text[b:b + 1] != "、":
                continue
            item = text[a:b]
            if text[a - 1:a] != "、":
                item = P.trim_stop(item)
                a = b - len(item)
            if (not P.WATER_HEAD.search(item) or len(item) < 2 or P.WATER_GENERIC.match(item)
                    or any(t in item for t in ("和", "及", "与", "的", "等"))):
                continue
            cands.append((a, b, "region", "list"))
        for m in P.PROVINCE_PART.finditer(text):
            cands.append((m.start(1), m.end(1), "region", "rule"))
        # 长江干流湖南段: a river's stretch in a province
        for m in self.river_stretch.finditer(text):
            cands.append((m.start(), m.end(), "region", "rule"))
        # 汝城县沙洲村: a county + a village or town
        for m in self.county_place.finditer(text):
            cands.append((m.start(), m.end(), "region", "rule"))
        # 娄底市娄星区: a region followed by one of its parts
        for m in self.region_pair.finditer(text):
            cands.append((m.start(), m.end(), "region", "rule"))


# ---------------------------------------------------------------------------------------------------
_TYPE_RANK = {"department": 0, "lab": 1, "corridor": 2, "region": 3, "programme": 4}
_SOURCE_RANK = {"verb": 2, "gaz": 0, "note": 1, "rule": 2, "adjacency": 3, "quote": 2, "number": 3, "head": 4}


@Language.factory("kg_select")
def _make_select(nlp, name):
    return select_mentions


def select_mentions(doc):
    """Longest match wins; a place inside a corridor name, and the last item of a coordinated name
    (``邵永、宜常铁路`` → also ``宜常铁路``), keep their own mentions."""
    cands = sorted(set(doc.user_data.get("kg_cands", ())),
                   key=lambda c: (-(c[1] - c[0]), _TYPE_RANK.get(c[2], 9), _SOURCE_RANK.get(c[3].split(":")[0], 9), c[0]))
    taken: list[tuple[int, int, str]] = []
    occupied = bytearray(len(_text(doc)) + 1)
    nested = bytearray(len(_text(doc)) + 1)
    kept = []
    inner = []
    for s, e, typ, src in cands:
        if e <= s:
            continue
        if any(occupied[s:e]):
            if (typ == "region" and src == "gaz" and not any(nested[s:e])
                    and all(_inside_keep(t, s, e) for t in taken if t[0] < e and s < t[1])):
                nested[s:e] = b"\x01" * (e - s)
                kept.append((s, e, typ))
            continue
        occupied[s:e] = b"\x01" * (e - s)
        taken.append((s, e, typ))
        kept.append((s, e, typ))
        if src.startswith("coord:"):
            inner.append((int(src.split(":")[1]), e, typ))
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


def _inside_keep(t, s, e) -> bool:
    return t[2] in ("corridor", "programme") and t[0] <= s and e <= t[1]
