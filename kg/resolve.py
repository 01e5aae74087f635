"""Resolution: one canonical entity per real body, place, lab, corridor or programme.

Pure Python (no spaCy). Names are looked up in the gazetteer of :mod:`kg.data.gazetteer` (refdata,
national bodies, province-relative bodies, geography, the editable ``kg/data/aliases.tsv``):

* aliases give one body: 省发改委 = 省发展改革委 = 湖南省发展和改革委员会;
* province-relative names (``省X厅``) take the province from ``doc.meta.province``, else the province the
  document names most; with neither they stay unresolved (no province is assumed);
* regions get their administrative code and the key of the region they lie in (``Entity.parent``);
* programmes get a key that ignores quotes, spaces, year prefixes (2023年, “十四五”) and a trailing
  建设/工作, so one programme named in several documents and years is one entity; the parts of an
  ``N大X`` (七大攻坚) named in numbered headings get it as parent.

>>> from kg.types import Document, DocMeta, Mention, OffsetMap
>>> doc = Document("a.txt", "x", "省发改委", "省发改委", OffsetMap.identity(), DocMeta(province="广东省"))
>>> ms, _, ents, unres = Resolver().resolve(doc, [Mention("省发改委", "department", 0, 4)], [])
>>> ms[0].entity
'department/广东省发展和改革委员会'
>>> programme_key("2023年“十大技术攻关项目”")
'十大技术攻关项目'
"""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import replace
from typing import Sequence

from kg.data.gazetteer import PROVINCES, SHORT_TO_PROVINCE, fill, load_gazetteer
from kg.types import Document, Entity, Mention, Responsibility, Unit

_QUOTES = re.compile(r"[“”‘’\"'「」『』]")
_YEAR_PREFIX = re.compile(r"^(?:(?:19|20)\d{2}(?:—|-|至)?(?:(?:19|20)\d{2})?年(?:度)?|[“\"]?十[一二三四五六七八九]?五[”\"]?(?:时期|期间)?)")
_TRAILING = re.compile(r"(?<=..)(?:建设|工作)$")
_NUM_PARENT = re.compile(r"^([一二三四五六七八九十]+)大([\u4e00-\u9fff]{0,6}?)(攻坚|行动|工程|战役|专项|计划)$")
_HEADING_LINE = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、])\s*")
_HEADING_VERB = re.compile(r"(?:实施|开展|推进|打好|打赢|深入实施|全面实施|组织实施|启动)?")
_COLLECTIVE = re.compile(r"^(?:各|全省|全市|其他|其余|有关|相关)|(?:有关|相关|各)[\u4e00-\u9fff]*(?:部门|单位)|等$|成员单位$")
_FULL_PROV = re.compile("^(" + "|".join(sorted(PROVINCES, key=len, reverse=True)) + ")")
_SHORT_PROV = re.compile("^(" + "|".join(sorted(PROVINCES.values(), key=len, reverse=True)) + ")(?=省)")
_CONGRESS = re.compile(r"^省(?:第)?[一二三四五六七八九十]+届人大$")
_PARTY = re.compile(r"^中国共产党([\u4e00-\u9fff]{2,6}省)第[一二三四五六七八九十]+届委员会$")


def compact(name: str) -> str:
    """The name without whitespace (how names are compared)."""
    return "".join(name.split())


def programme_key(name: str) -> str:
    """Identity of a programme name across documents and years."""
    n = _QUOTES.sub("", compact(name))
    n = _YEAR_PREFIX.sub("", n)
    n = _QUOTES.sub("", n)
    n = _TRAILING.sub("", n) if len(n) > 4 else n
    return n


def _variants(n: str) -> list[str]:
    """Spelling variants of a body name: 省政府外事办 → 省外事办, 省外事办公室 …"""
    out = [n]
    if n.startswith("省政府") and len(n) > 4:
        out.append("省" + n[3:])
    if n.startswith("省人民政府") and len(n) > 6:
        out.append("省" + n[5:])
    for v in list(out):
        if v.endswith("办"):
            out.append(v + "公室")
        if v.endswith("办公室"):
            out.append(v[:-2])
    return out


def _coordinated(name: str) -> str:
    """京广、沪昆高铁经济带 → 京广高铁经济带 (first item + the shared head of the last one)."""
    parts = name.split("、")
    first, last = parts[0], parts[-1]
    if len(parts) > 1 and 0 < len(first) < len(last):
        return first + last[len(first):]
    return name


class Resolver:
    """Fills ``Mention``/``Unit`` ``.entity`` (``"type/canonical"``) and ``.canonical``; builds entities."""

    def __init__(self, alias_file: str | os.PathLike | None = None, gazetteer_dir: str | os.PathLike | None = None):
        self.gaz = load_gazetteer(os.fspath(gazetteer_dir) if gazetteer_dir else None,
                                  os.fspath(alias_file) if alias_file else None)

    # -- province -------------------------------------------------------------------------------------
    def province_of(self, doc: Document) -> str | None:
        """``doc.meta.province``, else the province the text names most (full or short name), else None."""
        if doc.meta.province:
            return doc.meta.province
        counts: Counter = Counter()
        for full, short in PROVINCES.items():
            n = doc.text.count(short)
            if n:
                counts[full] += n
        if not counts:
            return None
        best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        return best[0]

    # -- one name -------------------------------------------------------------------------------------
    def department(self, name: str, province: str | None) -> tuple[str | None, bool]:
        """(canonical, known) of a body name; canonical None when it cannot be placed."""
        n = compact(name)
        for v in _variants(n):
            c = self.gaz.canonical(v, "department", province)
            if c:
                return c, True
        e = self.gaz.lookup(n, "department")
        if e is not None and e.relative:  # relative name but no province known
            return None, True
        m = _FULL_PROV.match(n) or _SHORT_PROV.match(n)
        if m:  # 广东省发改委 → 省发改委 in 广东省
            prov = m.group(1) if m.group(1) in PROVINCES else SHORT_TO_PROVINCE[m.group(1)]
            rest = n[len(m.group(1)):]
            rest = rest if rest.startswith("省") else "省" + rest
            e = self.gaz.lookup(rest, "department")
            if e is not None:
                return (fill(e.canonical, prov) if e.relative else e.canonical), True
            return n, False
        if _CONGRESS.match(n) and province:
            return f"{province}人民代表大会", True
        pm = _PARTY.match(n)
        if pm:
            return f"中国共产党{pm.group(1)}委员会", True
        # a central body + a branch: 国家矿山安监局湖南局 → 国家矿山安全监察局湖南局
        for k in range(len(n) - 2, 2, -1):
            e = self.gaz.lookup(n[:k], "department")
            if e is not None and not e.relative:
                base = e.canonical.replace("中华人民共和国", "")
                return base + n[k:], True
        if n.startswith("省") and province:
            full = province + n[1:]
            for form in ("有限公司", "有限责任公司", "股份有限公司"):
                if ("department", full + form) in self.gaz.by_canonical:
                    return full + form, True
            return full, False
        return n, False

    def region(self, name: str):
        n = compact(name)
        e = self.gaz.weak_lookup(n, "region")
        if e is None and "、" in n:
            e = self.gaz.lookup(_coordinated(n), "region")
            if e is None:
                return _coordinated(n), None, False
        if e is None:
            return _QUOTES.sub("", n), None, False
        return e.canonical, e, True

    # -- the document ---------------------------------------------------------------------------------
    def resolve(self, doc: Document, mentions: Sequence[Mention], responsibilities: Sequence[Responsibility]):
        province = self.province_of(doc)
        ents: dict[str, dict] = {}
        unresolved: set[str] = set()

        def entity(typ, canon, alias, *, code=None, parent=None, collective=False, resolved=True):
            key = f"{typ}/{canon}"
            d = ents.setdefault(key, {"type": typ, "name": canon, "aliases": set(), "code": code, "parent": parent,
                                      "collective": collective, "resolved": resolved})
            if alias and alias != canon:
                d["aliases"].add(alias)
            return key

        def add_region_parents(e):
            parent = e.parent
            while parent:
                pe = self.gaz.region(parent)
                if pe is None:
                    entity("region", parent, None)
                    break
                entity("region", pe.canonical, None, code=pe.code or None,
                       parent=f"region/{pe.parent}" if pe.parent else None)
                parent = pe.parent if pe.parent != pe.canonical else None

        out_mentions = []
        programmes = []
        for mt in mentions:
            text = compact(mt.text)
            if mt.type == "department":
                canon, known = self.department(text, province)
                if canon is None:
                    unresolved.add(mt.text)
                    out_mentions.append(mt)
                    continue
                if not known:
                    unresolved.add(mt.text)
                key = entity("department", canon, text, resolved=known)
            elif mt.type == "region":
                canon, e, known = self.region(text)
                key = entity("region", canon, text, code=(e.code or None) if e else None,
                             parent=f"region/{e.parent}" if e and e.parent else None)
                if e is not None and e.parent:
                    add_region_parents(e)
            elif mt.type == "programme":
                known = self.gaz.lookup(text, "programme")  # 长江经济带发展 = 长江经济带发展战略
                canon = programme_key(known.canonical if known else text)
                key = entity("programme", canon, text)
                programmes.append((mt, key))
            else:  # lab, corridor
                canon = _QUOTES.sub("", _coordinated(text)) if mt.type == "corridor" else text
                key = entity(mt.type, canon, text)
            out_mentions.append(Mention(mt.text, mt.type, mt.start, mt.end, key, ents[key]["name"]))

        self._programme_parents(doc, programmes, ents)

        out_resp = []
        for r in responsibilities:
            groups = []
            for units in (r.leads, r.supporting, r.collective):
                new = []
                for u in units:
                    new.append(self._unit(u, province, entity, unresolved))
                groups.append(tuple(new))
            out_resp.append(replace(r, leads=groups[0], supporting=groups[1], collective=groups[2]))

        entities = tuple(
            Entity(key=k, type=d["type"], name=d["name"], aliases=tuple(sorted(d["aliases"])), code=d["code"],
                   parent=d["parent"], collective=d["collective"], resolved=d["resolved"])
            for k, d in sorted(ents.items()))
        return tuple(out_mentions), tuple(out_resp), entities, tuple(sorted(unresolved))

    def _unit(self, u: Unit, province, entity, unresolved) -> Unit:
        text = compact(u.text)
        collective = u.collective or bool(_COLLECTIVE.search(text))
        canon, known = self.department(text, province)
        if collective and not known:
            key = entity("department", text, text, collective=True)
            return replace(u, collective=True, entity=key, canonical=text)
        if canon is None:
            unresolved.add(u.text)
            return u
        if not known:
            unresolved.add(u.text)
        key = entity("department", canon, text, resolved=known)
        return replace(u, collective=collective, entity=key, canonical=canon)

    def _programme_parents(self, doc: Document, programmes, ents) -> None:
        """Parts of an ``N大X`` (七大攻坚) get it as parent (part_of).

        A part is a programme ending in the same head word (攻坚) that opens a numbered heading
        (``（一）实施内需扩量提效攻坚``). The ``N大X`` must be named in the document title, or exactly N
        such parts must be found.
        """
        nums = "一二三四五六七八九十"
        parents = {}
        for mt, key in programmes:
            m = _NUM_PARENT.match(ents[key]["name"])
            if m and len(m.group(1)) == 1:
                parents.setdefault(m.group(3), (key, nums.index(m.group(1)) + 1, ents[key]["name"]))
        if not parents:
            return
        text = doc.text
        title = "".join((doc.meta.title or "").split())
        parts: dict[str, set] = {}
        for mt, key in programmes:
            name = ents[key]["name"]
            if _NUM_PARENT.match(name):
                continue
            for head, (pkey, n, pname) in sorted(parents.items()):
                if not name.endswith(head) or pkey == key:
                    continue
                line_start = text.rfind("\n", 0, mt.start) + 1
                prefix = text[line_start:mt.start]
                if _HEADING_LINE.match(prefix) and _HEADING_VERB.fullmatch(_HEADING_LINE.sub("", prefix)):
                    parts.setdefault(pkey, set()).add(key)
        for head, (pkey, n, pname) in sorted(parents.items()):
            found = parts.get(pkey, set())
            if found and (pname in title or len(found) == n):
                for key in sorted(found):
                    if ents[key]["parent"] is None:
                        ents[key]["parent"] = pkey
