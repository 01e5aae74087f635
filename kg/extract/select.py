"""``kg_select``: choose among the candidates of the other components (longest match wins)."""
from __future__ import annotations

from spacy.language import Language


def _text(doc) -> str:
    """``doc.text`` once per document (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


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
