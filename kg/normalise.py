"""Clean a decoded document and keep a map from every cleaned offset back to ``raw``.

:func:`normalise` runs general clean-up passes (no document-specific strings):

1. line ends (CR, form feed, zero-width characters) and YAML front matter;
2. routing-form blocks of scanned copies (文件处理单: TAB rows of 来文机关/文号/领导批示 …);
3. HTML: whitespace (HTML files), comments, ``<script>``/``<style>``, tags, entities;
   table rows become one line with cells joined by TAB;
4. line debris: ``[bookmark: …]``, Markdown ``#``/``**``/bullets/rules/pipe tables, indentation,
   trailing spaces, page-number lines (``3``, ``— 3 —``, ``-3-``, ``第3页``);
5. lines broken mid-sentence or mid-name at page breaks are joined;
6. passages repeated verbatim right after themselves, and whole repeated paragraphs, are dropped;
   in a scraped page that repeats passages all over (>= 5% of its text), every later copy of a
   run of whole sentences (>= 40 chars) is dropped;
7. in very long lines (line breaks lost), a line break is inserted before heading numbers
   that follow sentence-final punctuation;
8. blank lines collapse: paragraphs are separated by one ``\\n``.

Every pass is a list of edits applied by :mod:`kg.ingest.textmap`; maps compose, so
``doc.offsets`` maps the final text straight to ``doc.raw``. Metadata comes from
:mod:`kg.metadata`.

>>> from kg.types import Document, OffsetMap
>>> raw = "<p>　　（省自</p>\\n\\n<p>然资源厅牵头）</p>"
>>> d = normalise(Document("x.md", "0", raw, raw, OffsetMap.identity()))
>>> d.text
'（省自然资源厅牵头）'
>>> s = d.text.index("省自然资源厅"); d.raw_span(s, s + 6) == (raw.index("省自"), raw.index("资源厅") + 3)
True
"""
from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate
from dataclasses import replace

from kg.ingest.html_clean import pass_html_ws, pass_markup
from kg.ingest.routing import lines_of, pass_routing
from kg.ingest.textmap import SegMap, apply_edits, compose
from kg.types import Document, OffsetMap

from kg.metadata import extract_metadata

__all__ = ["normalise", "clean_text"]

Edit = tuple[int, int, str, int]

# ------------------------------------------------------------------ pass 1: line ends, front matter
_LINE_ENDS = re.compile(r"\r\n?|[\f\v\u2028\u2029\x85]|[\u200b\u200c\u200d\u2060\ufeff]")
_FRONT = re.compile(r"\A\s*---[ \t]*\n.*?\n---[ \t]*(?:\n|\Z)", re.S)


def _pass_line_ends(text: str, fmt: str) -> list[Edit]:
    if not any(ch in text for ch in "\r\f\v\u2028\u2029\x85\u200b\u200c\u200d\u2060\ufeff"):
        return []
    edits: list[Edit] = []
    for m in _LINE_ENDS.finditer(text):
        s = m.group()
        if s == "\r\n":
            edits.append((m.start(), m.start() + 1, "", 0))
        elif s in "\r\f\v\u2028\u2029\x85":
            edits.append((m.start(), m.end(), "\n", m.start()))
        else:
            edits.append((m.start(), m.end(), "", 0))
    return edits


def _pass_front_matter(text: str, fmt: str) -> list[Edit]:
    if fmt not in ("md", "txt"):
        return []
    m = _FRONT.match(text[:20000])
    return [(0, m.end(), "", 0)] if m else []


# ------------------------------------------------------------------ pass 2: routing forms (kg.ingest.routing)
_pass_routing = pass_routing
_lines = lines_of


# ------------------------------------------------------------------ pass 3: HTML (kg.ingest.html_clean)
_pass_html_ws = pass_html_ws
_pass_markup = pass_markup


# ------------------------------------------------------------------ pass 4: line debris
_LINE_RULES = [
    re.compile(r"\[bookmark:[^\]\n]{0,200}\]"),
    re.compile(r"\{#_?Toc[^}\n]{0,80}\}"),
]
_MD_RULES = [
    re.compile(r"(?m)^[ \t\u3000\u00a0]*#{1,6}(?=[^#\n])[ \t]*"),  # heading markers
    re.compile(r"(?m)[ \t]+#{1,6}[ \t]*$"),  # closing heading markers
    re.compile(r"\*\*"),  # bold
    re.compile(r"(?m)^[ \t\u3000\u00a0]*(?:[-*+][ \t]+|>[ \t]?)"),  # bullets, block quotes
    re.compile(r"(?m)^[ \t]*(?:-{3,}|\*{3,}|_{3,}|={3,})[ \t]*$"),  # rules
]
_INDENT = re.compile(
    r"(?m)^[ \u3000\u00a0]+|^\t(?=[^\t\n]*$)|[ \t\u3000\u00a0]+$|[ \u3000\u00a0]+(?=\t)|(?<=\t)[ \u3000\u00a0]+"
)
_PAGE_NO = re.compile(
    r"(?m)^[ \u3000\u00a0]*(?:[-—－–~～一]{0,2}[ \u3000\u00a0]*\d{1,4}[ \u3000\u00a0]*[-—－–~～一]{0,2}"
    r"|第[ \u3000]*\d{1,4}[ \u3000]*页(?:[ \u3000]*[，,/]?[ \u3000]*共[ \u3000]*\d{1,4}[ \u3000]*页)?"
    r"|\d{1,4}[ \u3000]*/[ \u3000]*\d{1,4})[ \u3000\u00a0]*$"
)


def _line_spans(text: str, rules, starts: str, ends: str = "", tab: bool = False, short: int = 0):
    """Spans of ``rules`` (written for one line) on the lines that can match: those starting with a
    character of ``starts``, ending with one of ``ends``, holding a TAB (``tab``) or of length <= ``short``."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        n = len(line)
        if n and (line[0] in starts or line[-1] in ends or (tab and "\t" in line) or n <= short):
            for rx in rules:
                spans.extend((pos + m.start(), pos + m.end()) for m in rx.finditer(line) if m.end() > m.start())
        pos += n + 1
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[Edit]:
    spans.sort()
    edits: list[Edit] = []
    for s, e in spans:
        if edits and s < edits[-1][1]:
            if e > edits[-1][1]:
                edits[-1] = (edits[-1][0], e, "", 0)
            continue
        edits.append((s, e, "", 0))
    return edits


def _pass_debris(text: str, fmt: str) -> list[Edit]:
    spans = [m.span() for rx in _LINE_RULES for m in rx.finditer(text)]
    if fmt in ("md", "txt"):
        spans += [m.span() for m in _MD_RULES[2].finditer(text)]
        line_rules = [_MD_RULES[0], _MD_RULES[1], _MD_RULES[3], _MD_RULES[4]]
        spans += _line_spans(text, line_rules, starts=" \t\u3000\u00a0#-*+>_=", ends="#")
    return _merge(spans)


def _pass_indent(text: str, fmt: str) -> list[Edit]:
    ws = " \t\u3000\u00a0"
    return _merge(_line_spans(text, [_INDENT, _PAGE_NO], starts=ws, ends=ws, tab=True, short=24))


_PIPE_ROW = re.compile(r"(?m)^[ \t]*\|(?=[^\n]*\|[ \t]*$)[^\n]*$")
_PIPE_SEP = re.compile(r"^[ \t]*\|(?:[ \t]*:?-{2,}:?[ \t]*\|)+[ \t]*$")
_PIPE_CELL = re.compile(r"^[ \t]*\|[ \t]*|[ \t]*\|[ \t]*$|[ \t]*(?<!\\)\|[ \t]*")


def _pass_md_tables(text: str, fmt: str) -> list[Edit]:
    """Markdown pipe tables: one line per row, cells joined by TAB; separator rows dropped."""
    if fmt not in ("md", "txt") or "|" not in text:
        return []
    edits: list[Edit] = []
    for m in _PIPE_ROW.finditer(text):
        row = m.group()
        if _PIPE_SEP.match(row):
            edits.append((m.start(), m.end(), "", 0))
            continue
        cells = list(_PIPE_CELL.finditer(row))
        for k, c in enumerate(cells):
            first_or_last = (k == 0 and c.start() == 0) or (k == len(cells) - 1 and c.end() == len(row))
            edits.append((m.start() + c.start(), m.start() + c.end(), "" if first_or_last else "\t",
                          m.start() + c.start()))
    return edits


# ------------------------------------------------------------------ pass 5: page-break joins
_CN_NUM = "一二三四五六七八九十百零〇"
_HEAD = re.compile(
    rf"^(?:第[{_CN_NUM}\d]+[篇章节条部分]|[{_CN_NUM}]+[、.．]|[（(][{_CN_NUM}\d]{{1,3}}[）)]"
    rf"|\d{{1,3}}[.．、](?!\d)|附件|[{_CN_NUM}]是|专栏|——|[•·●○■□◆◇▪※])"
)
_FINAL = set("。；！？!?;：:）)】」』…")
_BODY_PUNCT = re.compile(r"[，。；、,]")
_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,6}[：:]")


def _should_join(prev: str, nxt: str) -> bool:
    if not prev or not nxt or prev[-1] in _FINAL or "\t" in prev or "\t" in nxt:
        return False
    if _HEAD.match(nxt) or _LABEL.match(nxt) or nxt[0] in "（(" and re.match(r"[（(][^）)]{0,4}[）)]", nxt):
        return False
    head = _HEAD.match(prev)
    if head and "。" not in prev:
        return False
    rest = prev[head.end():] if head else prev
    if prev[-1] in "，、," or prev.count("（") + prev.count("(") > prev.count("）") + prev.count(")"):
        return True
    return bool(_BODY_PUNCT.search(rest))


def _wrap_width(text: str) -> int | None:
    """Width of visually wrapped lines (PDF text): the most common line length, if most lines are near it."""
    lengths = Counter(len(x) for x in text.split("\n") if len(x) >= 12)
    if not lengths:
        return None
    width, _ = max(lengths.items(), key=lambda kv: (kv[1], kv[0]))
    near = sum(c for ln, c in lengths.items() if abs(ln - width) <= 2)
    return width if near >= 0.3 * sum(lengths.values()) and near >= 5 else None


def _pass_join(text: str, fmt: str) -> list[Edit]:
    edits: list[Edit] = []
    n = len(text)
    width = _wrap_width(text) if fmt == "pdf" else None
    for m in re.finditer(r"\n+", text):
        s, e = m.span()
        if s == 0 or e >= n or text[s - 1] in _FINAL:
            continue
        ls = text.rfind("\n", 0, s) + 1
        ne = text.find("\n", e)
        prev, nxt = text[ls:s], text[e:ne if ne >= 0 else n]
        if _should_join(prev, nxt) or (
            width and e - s == 1 and len(prev) >= width - 2 and "\t" not in prev and not _HEAD.match(nxt)
        ):
            edits.append((s, e, "", 0))
    return edits


# ------------------------------------------------------------------ pass 6: repeated passages
_UNIT_SPLIT = re.compile(r"(?<=[。！？!?\n])(?![。！？!?])")
_MIN_REPEAT = 30
_MAX_REPEAT = 200_000


def _same(text: str, a: int, b: int, n: int) -> bool:
    """``text[a:a+n] == text[b:b+n]``, comparing growing chunks so a mismatch is found cheaply."""
    if b + n > len(text):
        return False
    done, step = 0, 64
    while done < n:
        k = min(step, n - done)
        if text[a + done:a + done + k] != text[b + done:b + done + k]:
            return False
        done += k
        step *= 4
    return True


def _pass_dedup(text: str, fmt: str) -> list[Edit]:
    """Drop a passage (>= 30 chars) repeated right after itself, and whole paragraphs seen before.

    Near-linear: candidates are sentence units that occur more than once (counted in C).
    """
    pieces = _UNIT_SPLIT.split(text)
    starts = list(accumulate(map(len, pieces), initial=0))
    counts = Counter(pieces)
    edits: list[Edit] = []
    last: dict[str, int] = {}
    skip_to = 0
    for k in [k for k, piece in enumerate(pieces) if counts[piece] > 1]:
        s = starts[k]
        unit = pieces[k]
        j = last.get(unit)
        if s < skip_to or "\t" in unit or len(unit.strip()) < 2:
            continue
        last[unit] = s
        if j is None:
            continue
        p = s - j
        if p < _MIN_REPEAT or p > _MAX_REPEAT or not _same(text, j, s, p):
            continue
        if True:
            edits.append((s, s + p, "", 0))
            skip_to = s + p
            last[unit] = j
    # whole paragraphs repeated later (not adjacent)
    lines = text.split("\n")
    lcounts = Counter(lines)
    lstarts = list(accumulate((len(x) + 1 for x in lines), initial=0))
    seen: set[str] = set()
    for k in [k for k, line in enumerate(lines) if len(line) >= _MIN_REPEAT and lcounts[line] > 1]:
        line = lines[k]
        if "\t" in line or "牵头" in line or _HEAD.match(line):
            continue
        ls, le = lstarts[k], lstarts[k] + len(line)
        if line in seen:
            if not any(a < le and ls - 1 < b for a, b, _r, _x in edits[-3:]):
                edits.append((max(ls - 1, 0), le, "", 0))
        else:
            seen.add(line)
    edits.sort()
    out: list[Edit] = []
    for e in edits:  # drop overlaps (a tandem copy inside a repeated paragraph)
        if out and e[0] < out[-1][1]:
            if e[1] > out[-1][1]:
                out[-1] = (out[-1][0], e[1], "", 0)
            continue
        out.append(e)
    return out


_SCRAPE_RUN = 40
_SCRAPE_SHARE = 0.05


def _pass_scrape_repeats(text: str, fmt: str) -> list[Edit]:
    """A scraped page that repeats its passages (>= 5% of the text in repeated sentence runs):
    drop every later copy of a run of whole sentences of >= 40 characters.

    Documents that merely restate a sentence or a note here and there stay as they are.
    """
    pieces = _UNIT_SPLIT.split(text)
    counts = Counter(pieces)
    bound = sum(len(p) * (c - 1) for p, c in counts.items() if c > 1 and len(p) >= 8)
    if bound < _SCRAPE_SHARE * len(text):
        return []
    starts = list(accumulate(map(len, pieces), initial=0))
    first: dict[str, int] = {}
    runs: list[tuple[int, int]] = []
    k, n = 0, len(pieces)
    while k < n:
        u = pieces[k]
        j = first.get(u)
        if j is not None and counts[u] > 1 and len(u.strip()) >= 2:
            t = 0
            while k + t < n and j + t < k and pieces[j + t] == pieces[k + t]:
                t += 1
            t = max(t, 1)
            if starts[k + t] - starts[k] >= _SCRAPE_RUN:
                runs.append((starts[k], starts[k + t]))
            for q in range(k, k + t):
                first.setdefault(pieces[q], q)
            k += t
            continue
        first.setdefault(u, k)
        k += 1
    if sum(e - s for s, e in runs) < _SCRAPE_SHARE * len(text):
        return []
    return [(s, e, "", 0) for s, e in runs]


# ------------------------------------------------------------------ pass 7: lost line breaks
_HEAD_INLINE = re.compile(
    rf"(?<=[。；！？!?）)」”])[ \u3000]*(?=第[{_CN_NUM}]+[篇章节](?![^\n]{{0,2}}[的个])"
    rf"|[{_CN_NUM}]{{1,3}}、|[（(][{_CN_NUM}]{{1,3}}[）)]|\d{{1,2}}[.．](?!\d)|附件\s*\d{{0,2}})"
)
_HEAD_INLINE_P = re.compile(r"(?<=[。！？!?])[ \u3000]*(?=[（(]\d{1,2}[）)])")
_LONG_LINE = 200


def _pass_heading_breaks(text: str, fmt: str) -> list[Edit]:
    edits: list[Edit] = []
    for ls, le in _lines(text):
        if le - ls < _LONG_LINE:
            continue
        found = [m.span() for m in _HEAD_INLINE.finditer(text, ls, le)]
        found += [m.span() for m in _HEAD_INLINE_P.finditer(text, ls, le)]
        for s, e in sorted(set(found)):
            if s > ls:
                edits.append((s, e, "\n", e))
    return edits


# ------------------------------------------------------------------ pass 8: blank lines
def _pass_blank(text: str, fmt: str) -> list[Edit]:
    edits: list[Edit] = []
    n = len(text)
    for m in re.finditer(r"\n{2,}|\A\n+|\n+\Z", text):
        s, e = m.span()
        if s == 0 or e == n:
            edits.append((s, e, "", 0))
        else:
            edits.append((s + 1, e, "", 0))
    return edits


_PASSES = (
    _pass_line_ends, _pass_front_matter, _pass_routing, _pass_html_ws, _pass_markup, _pass_debris,
    _pass_md_tables, _pass_indent, _pass_join, _pass_dedup, _pass_scrape_repeats, _pass_heading_breaks, _pass_blank,
)


def clean_text(raw: str, fmt: str = "txt") -> tuple[str, SegMap]:
    """Cleaned text and its map to ``raw`` (``SegMap.inserted_ranges()`` lists inserted characters)."""
    text, total = raw, SegMap.identity(len(raw))
    for step in _PASSES:
        edits = step(text, fmt)
        if not edits:
            continue
        text, m = apply_edits(text, edits)
        total = compose(m, total)
    return text, total


def normalise(doc: Document) -> Document:
    """Cleaned ``text``, ``offsets`` back to ``doc.raw`` and full metadata."""
    text, segmap = clean_text(doc.raw, doc.meta.format)
    ns, rs = segmap.to_offsets()
    meta = extract_metadata(text, doc.meta)
    return replace(doc, text=text, offsets=OffsetMap(ns, rs), meta=meta)
