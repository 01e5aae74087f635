"""Reference data shipped with the package: administrative divisions and provincial bodies.

The rows come from ``kg/data/refdata/*.tsv`` (copied from the project's refdata). A
``?`` in the ``confidence`` column marks a row as unconfirmed; it is kept, flagged.

>>> rows = regions()
>>> any(r["name"] == "湖南省" and r["code6"] == "430000" for r in rows)
True
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "refdata"


def _read(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        rows = [dict(r) for r in csv.DictReader(fh, delimiter="\t")]
    for r in rows:
        r["confirmed"] = (r.get("confidence") or "").strip() != "?"
    return rows


@lru_cache(maxsize=None)
def _regions() -> tuple[dict, ...]:
    return tuple(_read("hunan_regions.tsv"))


@lru_cache(maxsize=None)
def _departments() -> tuple[dict, ...]:
    return tuple(_read("hunan_departments.tsv"))


def regions() -> list[dict]:
    """Rows of ``hunan_regions.tsv`` (province, prefectures, counties, informal regions)."""
    return [dict(r) for r in _regions()]


def departments() -> list[dict]:
    """Rows of ``hunan_departments.tsv`` (canonical full name, short name, aliases, category)."""
    return [dict(r) for r in _departments()]
