"""Region shapes of :class:`kg.extract.nlp.RuleMatcher`: places beyond the gazetteer's names.

Chains of places joined by dashes (坪塘—昭山—石燕湖), concatenated one-character abbreviations, zones named
after a place (…新区, …片区, …示范区), rivers' stretches (长江干流湖南段), a county and one of its villages.
"""
from __future__ import annotations

import re

from kg.extract import patterns as P
from kg.extract.patterns import coordinated, left_edge


class RegionRules:
    """Mixin: needs the gazetteer-derived tables built by :class:`kg.extract.nlp.RuleMatcher`."""

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
