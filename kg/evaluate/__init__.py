"""Scoring extraction against gold annotations (the format of ``eval/gold/``).

:func:`evaluate` scores responsibilities (lead units, supporting units, task
titles) and entities (per type, plus department canonical-name accuracy).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Sequence

from kg.types import DocResult


def load_gold(paths: Iterable[str | Path]) -> list[dict]:
    """Read gold JSONL files into rows; each row keeps the file it came from in ``_file``."""
    rows: list[dict] = []
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    row["_file"] = Path(p).name
                    rows.append(row)
    return rows


def evaluate(results: Sequence[DocResult], gold_rows: Sequence[dict]) -> dict:
    """Scores of ``results`` against ``gold_rows``, keyed by metric name.

    Rows with ``type`` are entity rows; rows with ``evidence`` are responsibility notes.
    Only documents present in the gold are scored.
    """
    from kg.evaluate.entities import score_entities
    from kg.evaluate.leads import score_responsibilities

    entity_rows = [r for r in gold_rows if "type" in r and "evidence" not in r]
    note_rows = [r for r in gold_rows if "evidence" in r]
    scores: dict = {}
    if note_rows:
        docs = {r["doc"] for r in note_rows}
        scores.update(score_responsibilities([r for r in results if Path(r.document.source).name in docs], note_rows))
    if entity_rows:
        docs = {r["doc"] for r in entity_rows}
        scores.update(score_entities([r for r in results if Path(r.document.source).name in docs], entity_rows))
    return scores
