#!/usr/bin/env python3
"""Build ``kg/data/gazetteer.tsv`` from the reference data in ``kg/data/refdata/``.

Run from the project root: ``python tools/build_gazetteer.py``. Output is deterministic (sorted).

Rows written (tab-separated, header first):
``name  type  canonical  code  parent  flags  source``

* Hunan departments (refdata): every canonical full name, official short name and alias, as an
  absolute name of that Hunan body; ``(旧)`` aliases get the flag ``old``; rows whose refdata
  confidence is ``?`` get ``unconfirmed``.
* Short names of state-owned groups without 集团 (华菱集团 → 华菱), flagged ``derived``: the extractor
  takes them only where they stand alone (between punctuation, before 等/和/集团).
* Province-relative templates derived from them: ``省发展改革委`` → ``{P}发展和改革委员会`` (flag
  ``relative``), so that the same short name in a document of another province resolves to that
  province's body (``{P}`` = full province name, ``{p}`` = its short name).
* Hunan regions with codes and parents, their short aliases (the ones that are also common words or
  parts of many names get the flag ``weak``: the extractor uses them only inside route names and place chains),
  informal regions with the aliases named in their note, former counties mapped to their successor.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "kg" / "data" / "refdata"
OUT = ROOT / "kg" / "data" / "gazetteer.tsv"

#: Short aliases of county-level units that are ordinary words or parts of many other names.
#: (Generic: district names that double as words; not taken from any gold file.)
SHORT_ALIAS_STOP = {
    "通道", "芙蓉", "天心", "雨花", "岳麓", "开福", "天元", "石峰", "荷塘", "芦淞", "雨湖", "岳塘", "珠晖", "雁峰",
    "石鼓", "蒸湘", "南岳", "双清", "大祥", "北塔", "云溪", "君山", "武陵", "鼎城", "永定", "资阳", "赫山", "北湖",
    "苏仙", "零陵", "鹤城", "娄星", "新化", "城步", "会同", "新邵", "隆回", "东安", "江永", "华容", "汝城", "安仁",
    "桃江", "南县", "道县", "中方", "溆浦", "靖州", "通道",
}
# keep a few multi-purpose county names out of bare matching but allow them in lists handled by patterns
PROVINCE = "湖南省"
PROVINCE_SHORT = "湖南"


def _split(cell: str) -> list[str]:
    return [a.strip() for a in re.split(r"[,，]", cell or "") if a.strip()]


def _fullwidth(s: str) -> str:
    return s.replace("(", "（").replace(")", "）")


def _relative(name: str) -> str | None:
    """湖南省X → 省X; 中共湖南省委X → 省委X; 省X stays; otherwise None."""
    if name.startswith("中共湖南省委"):
        return "省委" + name[len("中共湖南省委"):]
    if name.startswith(PROVINCE):
        return "省" + name[len(PROVINCE):]
    if name.startswith("省"):
        return name
    return None


def _template(canonical: str) -> str:
    return canonical.replace(PROVINCE, "{P}").replace(PROVINCE_SHORT, "{p}")


def departments() -> list[tuple[str, ...]]:
    rows = []
    with open(REF / "hunan_departments.tsv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            canon = r["canonical_full_name"].strip()
            flags = ["unconfirmed"] if (r.get("confidence") or "").strip() == "?" else []
            names = [(canon, [])]
            if r["official_short_name"].strip():
                names.append((r["official_short_name"].strip(), []))
            for a in _split(r["other_aliases"]):
                old = a.endswith("(旧)") or a.endswith("（旧）")
                names.append((re.sub(r"[(（]旧[)）]$", "", a), ["old"] if old else []))
            cat = r["category"].strip()
            for n, extra in list(names):  # 华菱集团 → 华菱: group short names are also written without 集团
                short = n[:-2] if n.endswith("集团") else ""
                if cat == "国企" and len(short) >= 2 and not short.startswith(("湖南", "省", "中国", "中南")):
                    names.append((short, extra + ["derived"]))
            for n, extra in names:
                rows.append((n, "department", canon, "", "", ",".join(sorted(flags + extra)), f"refdata:{cat}"))
                rel = _relative(n)
                if rel and rel != n and "湖南" in canon:
                    rows.append((rel, "department", _template(canon), "", "",
                                 ",".join(sorted(flags + extra + ["relative"])), f"refdata-template:{cat}"))
                elif rel == n and "湖南" in canon:
                    rows.append((n, "department", _template(canon), "", "",
                                 ",".join(sorted(flags + extra + ["relative"])), f"refdata-template:{cat}"))
    return rows


def regions() -> list[tuple[str, ...]]:
    rows = []
    with open(REF / "hunan_regions.tsv", encoding="utf-8", newline="") as fh:
        recs = list(csv.DictReader(fh, delimiter="\t"))
    for r in recs:
        name = _fullwidth(r["name"].strip())
        level = r["level"].strip()
        flags = ["unconfirmed"] if (r.get("confidence") or "").strip() == "?" else []
        parent = r["parent_name"].strip()
        code = r["code6"].strip()
        canon = name
        note = r.get("note") or ""
        if level == "former_county":
            m = re.search(r"now (\S+?) (\d{6})", note)
            if m:
                canon = m.group(1)
                code = m.group(2)
                flags.append("old")
        if level == "informal" and re.match(r"^[一二三四五六七八九十\d]", name):
            continue  # spatial layout slogans (一核两副三带四区) name a plan, not a place
        rows.append((name, "region", canon, code, parent, ",".join(sorted(flags)), f"refdata:{level}"))
        if "（湖南部分）" in name:
            base = name.replace("（湖南部分）", "")
            rows.append((base, "region", base, "", "", ",".join(sorted(flags)), f"refdata:{level}"))
        if level in ("province", "prefecture", "county"):
            for a in _split(r["short_aliases"]):
                if len(a) < 2:
                    continue
                if a in SHORT_ALIAS_STOP:  # kept as a weak alias: used only where a strong cue says "place"
                    rows.append((a, "region", canon, code, parent, ",".join(sorted(flags + ["short", "weak"])),
                                 f"refdata:{level}"))
                    continue
                rows.append((a, "region", canon, code, parent, ",".join(sorted(flags + ["short"])), f"refdata:{level}"))
        m = re.search(r"aliases: ([^;]+)", note)
        if m:
            for a in _split(m.group(1)):
                a = re.sub(r"[(（].*$", "", a).strip()
                if a and " " not in a and len(a) <= 12:
                    rows.append((_fullwidth(a), "region", canon, code, parent, ",".join(sorted(flags + ["alias"])),
                                 f"refdata:{level}"))
    return rows


def main() -> int:
    rows = sorted(set(departments() + regions()))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        fh.write("# generated by tools/build_gazetteer.py from kg/data/refdata/*.tsv; do not edit by hand\n")
        fh.write("name\ttype\tcanonical\tcode\tparent\tflags\tsource\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")
    print(f"wrote {len(rows)} rows to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
