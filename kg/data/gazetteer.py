"""Load the gazetteers in ``kg/data/`` (pure Python; shared by the extractor and the resolver).

Files (all UTF-8 TSV, ``#`` lines are comments):

* ``gazetteer.tsv`` — generated from ``refdata/`` by ``tools/build_gazetteer.py``;
* ``central_bodies.tsv`` — national bodies (党中央, 国务院, ministries) with their short names;
* ``province_bodies.tsv`` — province-relative bodies every province has (``省委`` → ``中国共产党{P}委员会``);
* ``geography.tsv`` — provinces, major cities, countries, continents, groupings, rivers, lakes, mountains;
* ``programmes.tsv`` — national and province-level strategies and programmes named without a head word
  (西部大开发, 乡村振兴, 数字{p});
* ``aliases.tsv`` — the user's alias file: ``alias  canonical  type`` (extend freely).

A name can be *relative* (its canonical is a template with ``{P}``/``{p}``, filled with the
document's province by :meth:`Gazetteer.canonical`).

>>> g = load_gazetteer()
>>> g.canonical("省发改委", "department", "湖南省")
'湖南省发展和改革委员会'
>>> g.canonical("省发展改革委", "department", "广东省")
'广东省发展和改革委员会'
>>> g.canonical("省发展改革委", "department", None) is None
True
>>> g.lookup("长沙", "region").canonical
'长沙市'
>>> g.lookup("华容", "region") is None, g.weak_lookup("华容", "region").canonical  # 华容 is also a common word
(True, '华容县')
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent

#: full province name → short name (general knowledge; also used to find the province a text names)
PROVINCES: dict[str, str] = {
    "北京市": "北京", "天津市": "天津", "河北省": "河北", "山西省": "山西", "内蒙古自治区": "内蒙古",
    "辽宁省": "辽宁", "吉林省": "吉林", "黑龙江省": "黑龙江", "上海市": "上海", "江苏省": "江苏",
    "浙江省": "浙江", "安徽省": "安徽", "福建省": "福建", "江西省": "江西", "山东省": "山东", "河南省": "河南",
    "湖北省": "湖北", "湖南省": "湖南", "广东省": "广东", "广西壮族自治区": "广西", "海南省": "海南",
    "重庆市": "重庆", "四川省": "四川", "贵州省": "贵州", "云南省": "云南", "西藏自治区": "西藏",
    "陕西省": "陕西", "甘肃省": "甘肃", "青海省": "青海", "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆",
}
SHORT_TO_PROVINCE = {v: k for k, v in PROVINCES.items()}

_LEGAL_FORM = __import__("re").compile(r"(?:股份有限公司|有限责任公司|有限公司)$")
_TYPE_ORDER = {"department": 0, "lab": 1, "corridor": 2, "region": 3, "programme": 4}
_LEVEL_ORDER = {"province": 0, "prefecture": 1, "country": 1, "county": 2}


@dataclass(frozen=True)
class Entry:
    name: str
    type: str
    canonical: str  # may contain {P}/{p} when relative
    code: str = ""
    parent: str = ""
    relative: bool = False
    confirmed: bool = True
    old: bool = False
    source: str = ""
    rank: int = 5  # lower wins when a name has several entries of one type


def fill(template: str, province: str) -> str:
    """Fill a relative template with a province: ``fill('{P}财政厅', '广东省') == '广东省财政厅'``."""
    short = PROVINCES.get(province, province.rstrip("省市"))
    return template.replace("{P}", province).replace("{p}", short)


def _rows(path: Path):
    if not path.exists():
        return
    with open(path, encoding="utf-8", newline="") as fh:
        for line in fh:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            yield line.split("\t")


def _cell(row, i):
    return row[i].strip() if len(row) > i else ""


class Gazetteer:
    """All names the project knows, by name and type."""

    def __init__(self, data_dir: str | os.PathLike | None = None, alias_file: str | os.PathLike | None = None):
        self.dir = Path(data_dir) if data_dir else DATA_DIR
        self.entries: dict[str, list[Entry]] = {}
        self.by_canonical: dict[tuple[str, str], Entry] = {}
        self.weak: dict[str, Entry] = {}
        self._load_generated(self.dir / "gazetteer.tsv")
        self._load_central(self.dir / "central_bodies.tsv")
        self._load_province_bodies(self.dir / "province_bodies.tsv")
        self._load_geography(self.dir / "geography.tsv")
        self._load_programmes(self.dir / "programmes.tsv")
        self._load_aliases(Path(alias_file) if alias_file else self.dir / "aliases.tsv")
        for lst in self.entries.values():
            lst.sort(key=lambda e: (_TYPE_ORDER.get(e.type, 9), e.rank, e.old, not e.confirmed, e.canonical))

    # -- loading -----------------------------------------------------------------------------------
    def add(self, e: Entry, override: bool = False) -> None:
        lst = self.entries.setdefault(e.name, [])
        if override:
            lst[:] = [x for x in lst if not (x.type == e.type and x.relative == e.relative)]
        if any(x.type == e.type and x.canonical == e.canonical for x in lst):
            return
        lst.append(e)
        if not e.relative and not e.old:
            self.by_canonical.setdefault((e.type, e.canonical), e)

    def _load_generated(self, path: Path) -> None:
        for row in _rows(path):
            if row[0] == "name":
                continue
            flags = set(filter(None, _cell(row, 5).split(",")))
            level = _cell(row, 6).split(":")[-1]
            rank = _LEVEL_ORDER.get(level, 3) + (2 if "short" in flags else 0)
            if "weak" in flags:  # ambiguous short names (通道, 华容): only by :meth:`weak_lookup`
                self.weak.setdefault(row[0], Entry(row[0], row[1], row[2], _cell(row, 3), _cell(row, 4),
                                                    source=_cell(row, 6), rank=rank))
                continue
            self.add(Entry(row[0], row[1], row[2], _cell(row, 3), _cell(row, 4), "relative" in flags,
                           "unconfirmed" not in flags, "old" in flags,
                           _cell(row, 6) + (":derived" if "derived" in flags else ""), rank))

    def _load_central(self, path: Path) -> None:
        for row in _rows(path):
            canon = row[0]
            for n in [canon] + [a for a in _cell(row, 1).split(",") if a]:
                self.add(Entry(n, "department", canon, source="central:" + _cell(row, 2), rank=1))
        # company names are often written without their legal form: 湖南出版投资控股集团(有限公司)
        for name, lst in list(self.entries.items()):
            for e in lst:
                if e.type == "department" and not e.relative and name == e.canonical:
                    short = _LEGAL_FORM.sub("", name)
                    if short != name and len(short) >= 4:
                        self.add(Entry(short, "department", e.canonical, source=e.source, rank=e.rank + 1,
                                       confirmed=e.confirmed))

    def _load_province_bodies(self, path: Path) -> None:
        for row in _rows(path):
            rel, tmpl = row[0], row[1]
            names = [rel] + [a for a in _cell(row, 2).split(",") if a]
            for n in names:
                if "{p}" in n or "{P}" in n:
                    for full, short in PROVINCES.items():
                        self.add(Entry(fill(n, full), "department", fill(tmpl, full), source="province_bodies",
                                       rank=1), override=True)
                else:
                    self.add(Entry(n, "department", tmpl, relative=True, source="province_bodies", rank=0),
                             override=True)
            self.add(Entry(fill(tmpl, "湖南省"), "department", fill(tmpl, "湖南省"), source="province_bodies",
                           rank=1))

    def _load_geography(self, path: Path) -> None:
        for row in _rows(path):
            name, canon, kind = row[0], _cell(row, 1) or row[0], _cell(row, 2)
            code, parent = _cell(row, 3), _cell(row, 4)
            rank = 0 if kind == "province" else 1
            names = [name] + ([] if kind == "city" else [canon]) + [a for a in _cell(row, 5).split(",") if a]
            for n in names:
                self.add(Entry(n, "region", canon, code, parent, source="geography:" + kind, rank=rank))

    def _load_programmes(self, path: Path) -> None:
        if not path.exists():
            return
        for row in _rows(path):
            canon, kind = row[0], _cell(row, 2)
            names = [canon] + [a for a in _cell(row, 1).split(",") if a]
            provs = PROVINCES.values() if "{p}" in canon else [None]
            for short in provs:
                c = canon.replace("{p}", short) if short else canon
                for n in names:
                    self.add(Entry(n.replace("{p}", short) if short else n, "programme", c,
                                   source="programmes:" + kind, rank=1))

    def _load_aliases(self, path: Path) -> None:
        for row in _rows(path):
            if row[0] == "alias":
                continue
            alias, canon, typ = row[0], _cell(row, 1), _cell(row, 2) or "department"
            base = self.by_canonical.get((typ, canon))
            self.add(Entry(alias, typ, canon, base.code if base else "", base.parent if base else "",
                           relative="{P}" in canon or "{p}" in canon, source="aliases.tsv", rank=0), override=True)
            if not base and "{" not in canon:
                self.add(Entry(canon, typ, canon, source="aliases.tsv", rank=0))

    # -- queries -----------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return sorted(self.entries)

    def lookup(self, name: str, type: str | None = None) -> Entry | None:
        for e in self.entries.get(name, ()):
            if type is None or e.type == type:
                return e
        return None

    def weak_lookup(self, name: str, type: str | None = None) -> Entry | None:
        """Like :meth:`lookup`, falling back to the weak aliases (short names that are also common words)."""
        e = self.lookup(name, type)
        if e is None and name in self.weak and (type is None or self.weak[name].type == type):
            e = self.weak[name]
        return e

    def canonical(self, name: str, type: str | None, province: str | None) -> str | None:
        """Canonical name of ``name``; relative names need ``province`` (else ``None``)."""
        e = self.lookup(name, type)
        if e is None:
            return None
        if e.relative:
            return fill(e.canonical, province) if province else None
        return e.canonical

    def region(self, canonical: str) -> Entry | None:
        return self.by_canonical.get(("region", canonical))


@functools.lru_cache(maxsize=8)
def load_gazetteer(data_dir: str | None = None, alias_file: str | None = None) -> Gazetteer:
    """A cached :class:`Gazetteer` (one per directory/alias file per process)."""
    return Gazetteer(data_dir, alias_file)
