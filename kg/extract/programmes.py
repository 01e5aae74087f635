"""Programme rules of :class:`kg.extract.nlp.RuleMatcher`: named strategies, projects, campaigns and pilots.

Sources of candidates: quoted names (“芙蓉计划”, with a tail: “智赋万企”行动, with a named frame:
“三级联动”法治督察体系, counted with their qualifier: 洞庭湖治理“五大工程” and the parts listed after them),
head words (…工程, …行动, …战略, …试点) with the left edge walked over jieba tokens and conjuncts that share the
head (化肥、农药使用量零增长行动), verb-led names, 专栏 titles and box items, named water projects, parks and
science towns, national pilot designations, 国家文化公园 and the national-strategy gazetteer (via the
gazetteer component). What is *not* a programme is as much part of the rules: events, platforms, lists and
sayings in quotes, tags right after a noun, descriptive …改革攻坚, counts of projects.
"""
from __future__ import annotations

from kg.extract import patterns as P
from kg.extract.patterns import left_edge


class ProgrammeRules:
    """Mixin: needs ``region_start``, ``region_names``, ``corridor_end``, ``region_programme_tail`` and
    ``_gaz_regions`` from the class it is mixed into."""

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
        for m in P.LIST_PROGRAMME_TAIL.finditer(text) if "等" in text else ():
            lo = max(0, m.start() - 160)
            b = [x.end() for x in P.LIST_BOUNDARY.finditer(text, lo, m.start())]
            a = b[-1] if b else lo
            lead = P.LEAD_STOP.match(text, a, m.start())
            a = lead.end() if lead else a
            while a < m.start() and (text[a:a + 2] in P.STOP_TOKENS or text[a] in P.STOP_TOKENS):
                a += 2 if text[a:a + 2] in P.STOP_TOKENS else 1
            items = text[a:m.start()].split("、")
            if len(items) >= 2 and all(2 <= len(i) <= 16 for i in items) and not P.COUNTED_ANY.search(items[0][:3]):
                cands.append((a, m.end(), "programme", "list"))
        for m in P.CULTURE_PARK.finditer(text) if "国家文化公园" in text else ():
            a = m.start()
            while a > m.start() - 4 and a > 0 and "\u4e00" <= text[a - 1] <= "\u9fff":
                a -= 1  # the name before: 长征, 长江, 大运河
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
            s = left_edge(text, starts, m.start(), 10, nominal=True)
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
                if (name[:2] not in P.STOP_TOKENS and not P.LEAD_STOP.match(name)
                        and (name[:1] not in P.STOP_TOKENS or self.freq.get(name[:2], 0) >= 100)):  # 应急…, not 应…
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
            a, name = m.start(1), m.group(1)
            while name[:2] in P.STOP_TOKENS and name[:2] not in P.NOT_VERB_STOPS and len(name) > 6:  # 深化扩大…试点
                a, name = a + 2, name[2:]
            if not P.PROGRAMME_GENERIC.match(name[:-2]) and name[:2] not in P.STOP_TOKENS:
                cands.append((a, m.end(1), "programme", "verb"))
        for m in P.VERB_LED_PROGRAMME.finditer(text):
            a, name = _trim_name(m.start(1), m.group(1), cands)
            k = name.rfind("的") + 1  # 以人为核心的新型城镇化战略: a description ends at 的 (not 党的…)
            k = 0 if name[k - 2:k] == "党的" else k
            a, name = a + k, name[k:]
            if (name and not P.PROGRAMME_GENERIC.match(name[:-2]) and not _names_corridor(name)
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
            short_ok = (len(m.group(0)) >= 4 and len(name) >= 2 and not P.PROGRAMME_GENERIC.match(name)
                        and not P.COUNTED.search(name)) or (
                        m.group(0) == "战略" and len(name) >= 2 and not P.PROGRAMME_GENERIC.match(name)
                        and (not "\u4e00" <= nxt <= "\u9fff" or nxt in "为和与等") and not P.COUNTED.search(name))
            if P.PLAN_NOT_PROGRAMME.search(name + m.group(0)):
                continue
            if m.group(0) == "战略" and P.STRATEGY_GENERIC.match(name):
                continue  # 经济社会发展战略, 区域协调发展战略: a kind of strategy, not a named one
            if ((len(name) + len(m.group(0)) <= 6 and not short_ok) or name[0].isdigit() or (len(name) <= 4 and P.PROGRAMME_GENERIC.match(name))
                    or _names_corridor(name)):
                continue
            cands.append((s, m.end(), "programme", "head"))


def _names_corridor(name: str) -> bool:
    """A named route inside the name (京港澳高速改扩建工程 is the corridor's), not a route word opening a
    generic one (通道拓展提效工程)."""
    m = P.CORRIDOR_HEAD.search(name)
    return m is not None and m.start() >= 2


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
