"""Find responsibility notes in a document and attach them to their tasks.

Three sources:

* notes in the text: a bracketed tail that names units with a role word or label
  (``（X牵头，Y等按职责分工负责）``, ``(牵头单位：X)`` …), a line such as
  ``责任单位：X、Y``, or a whole sentence ``X牵头，Y按职责分工负责。``;
* tables whose header has a 牵头单位 (责任单位 …) column, one task per row
  (cells separated by TAB, as the ingest stage renders HTML/DOCX tables);
* in a document that declares ``列第一位者为牵头单位`` (or similar), a note that
  lists units without naming a lead has its first listed unit as lead.

A task that carries several notes gets one responsibility per note: its task is
the sentence the note closes and ``parent_task`` is the numbered heading.

>>> from kg.types import Clause, Document, OffsetMap
>>> text = "1. 做好甲事。具体内容（甲厅牵头，乙局等按职责分工负责）。\\n"
>>> doc = Document("x.txt", "x", text, text, OffsetMap.identity())
>>> clause = Clause("x", (), text.strip(), 0, len(text) - 1, "1", "做好甲事")
>>> [r] = find_responsibilities(doc, [clause])
>>> r.task, [u.text for u in r.leads], [u.text for u in r.supporting], r.evidence
('做好甲事', ['甲厅'], ['乙局'], '（甲厅牵头，乙局等按职责分工负责）')
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from kg.extract.notes import (
    CLOSE,
    OPEN,
    _LEAD_RE,
    _ROLE_RE,
    NoteParse,
    _lead_marked,
    is_collective,
    parse_note,
    split_units_blanks,
)
from kg.types import Clause, Document, Responsibility, Unit

#: A document stating that the first listed unit leads (列第一位者为牵头单位, 排在第一位的为牵头单位 …).
FIRST_LISTED_RE = re.compile(
    r"(?:列|排|位|居|署|标注|写)[^。；;\n]{0,6}?(?:第[一1]|首)[位个名家]?[^。；;\n]{0,8}?(?:为|是|系)[^。；;\n]{0,4}?牵头"
    r"|(?:第[一1]|首)[个位家]?(?:单位|部门)[^。；;\n]{0,4}?(?:为|是|系)[^。；;\n]{0,4}?牵头"
)
_KEY_RE = re.compile(r"牵头|负责|参与|配合|协办|协助|协同|主办|主责|按职|责任单位|责任部门|单位[:：]|部门[:：]")
_LABEL_LINE_RE = re.compile(r"(?:牵头|责任|主责|配合|参与)(?:单位|部门)\s*[:：]")
_ORG_RE = re.compile(
    r"(?:厅|委|局|办|办公室|部|院|会|府|中心|公司|集团|银行|行|署|总队|支队|海关|站|联|社|所|组|室|馆|台|团|队|校|大学|"
    r"学院|单位|部门|机关|机构|企业|组织|政府|军区|部队|街道|乡镇|县|市|州|区|地|省|中央)$"
)
#: Stricter test for a bracket that lists units with no role word at all.
_STRICT_ORG_RE = re.compile(r"(?:厅|委|局|办|办公室|部|院|政府|中心|公司|集团|银行|分行|署|总队|海关|联|会|单位|部门|机关)$")
_SENT_END = "。；;！？!?\n"
_SENT_END_RE = re.compile("[" + re.escape(_SENT_END) + "]")
_BRACKET_RE = re.compile("[" + re.escape(OPEN + CLOSE) + "]")


def declares_first_listed(text: str) -> bool:
    """True when the document says the first listed unit leads.

    >>> declares_first_listed("各项任务中，列第一位者为牵头单位，其他为配合单位。")
    True
    >>> declares_first_listed("排在第一位的为牵头单位")
    True
    >>> declares_first_listed("第一位的任务是发展经济")
    False
    """
    return bool(FIRST_LISTED_RE.search(text))


def _orglike(name: str) -> bool:
    n = "".join(name.split())
    return 2 <= len(n) <= 40 and bool(_ORG_RE.search(n)) and not re.search(r"[，。；：:“”]", n)


def _brackets(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Outermost bracketed spans in ``text[a:b]`` (both widths, mixed pairs allowed)."""
    spans, depth, start = [], 0, -1
    for bm in _BRACKET_RE.finditer(text, a, b):
        i, c = bm.start(), bm.group()
        if c in OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif c in CLOSE and depth:
            depth -= 1
            if depth == 0:
                if i + 1 - start <= 800:
                    spans.append((start, i + 1))
    if depth and start >= 0 and b - start <= 800:
        spans.append((start, b))  # a note whose closing bracket was lost
    return spans


def _residue(note: str, p: NoteParse) -> str:
    """What is left of ``note`` once units, role words and list punctuation are removed."""
    chars = list(note)
    for _, s, e in p.units:
        for k in range(s, e):
            chars[k] = ""
    rest = "".join(chars)
    rest = _LEAD_RE.sub("", rest)
    rest = _ROLE_RE.sub("", rest)
    return re.sub(r"[\s（）()【】\[\]、，,；;。:：等由]|会同|牵头|单位|部门", "", rest)


_REMARK_RE = re.compile(r"下同|同上|以下|不分先后|排名|除外|另有规定|另行")


def _drop_remarks(p: NoteParse) -> NoteParse:
    """Drop list items that are editorial remarks (下同, 排名不分先后 …), not units."""
    def keep(units):
        return tuple(u for u in units if not _REMARK_RE.search(u[0]))

    if not any(_REMARK_RE.search(u[0]) for u in p.units):
        return p
    return NoteParse(keep(p.leads), keep(p.supporting), keep(p.collective), p.lead_mode, p.role, p.keyword)


def _accept(note: str, p: NoteParse, *, bare_ok: bool) -> bool:
    units = p.units
    if not units:
        return p.keyword and _residue(note, p) == "" and p.role is not None
    org = sum(1 for u in units if _orglike(u[0]))
    if not p.keyword:
        strict = all(len(_nows(u[0])) >= 3 and _STRICT_ORG_RE.search(_nows(u[0])) for u in units)
        return bare_ok and strict and _residue(note, p) == ""
    return org >= 1 and org * 2 >= len(units)


def _notes_in(text: str, a: int, b: int, first: bool) -> list[tuple[int, int, NoteParse]]:
    found: list[tuple[int, int, NoteParse]] = []
    for s, e in _brackets(text, a, b):
        note = text[s:e]
        after = text[e:e + 1]
        at_end = after == "" or after in _SENT_END or after in " \t\r\u3000" or e == b
        has_key = bool(_KEY_RE.search(note))
        if not has_key and not at_end:
            continue
        p = _drop_remarks(parse_note(note, first_listed_leads=first))
        if _accept(note, p, bare_ok=at_end):
            found.append((s, e, p))
    taken = [(s, e) for s, e, _ in found]  # sorted by start, not overlapping
    t_i = 0
    # labelled lines and whole-sentence notes outside brackets
    k = a
    while k < b:
        sm = _SENT_END_RE.search(text, k, b)
        j = sm.start() if sm else b
        s, e = k, j
        while s < e and text[s] in " \t\r\u3000":
            s += 1
        while e > s and text[e - 1] in " \t\r\u3000":
            e -= 1
        while t_i < len(taken) and taken[t_i][1] <= s:
            t_i += 1
        overlaps = t_i < len(taken) and taken[t_i][0] < e
        if s < e and not overlaps:
            sent = text[s:e]
            m = _LABEL_LINE_RE.search(sent)
            if m and (m.start() == 0 or not _KEY_RE.search(sent[: m.start()])):
                ns = s + m.start()
                p = _drop_remarks(parse_note(text[ns:e], first_listed_leads=first))
                if p.units and _accept(text[ns:e], p, bare_ok=False):
                    found.append((ns, e, p))
            elif _KEY_RE.search(sent) and len(sent) <= 300 and not FIRST_LISTED_RE.search(sent):
                p = parse_note(sent, first_listed_leads=first)
                if (p.units and p.keyword and _residue(sent, p) == "" and all(_orglike(u[0]) for u in p.units)
                        and any(not is_collective(u[0]) for u in p.units)):
                    found.append((s, e, p))
        k = j + 1
    found.sort(key=lambda x: x[0])
    return found


def _merge_label_lines(text: str, notes: list, first: bool) -> list:
    """Join ``牵头单位：X`` and ``配合单位：Y`` written as consecutive lines into one note."""
    out: list = []
    for c, s, e, p in notes:
        if out:
            pc, ps, pe, pp = out[-1]
            if (not text[pe:s].strip() and _LABEL_LINE_RE.match(text, ps) and _LABEL_LINE_RE.match(text, s)
                    and bool(pp.leads) != bool(p.leads)):
                merged = parse_note(text[ps:e], first_listed_leads=first)
                out[-1] = (pc, ps, e, merged)
                continue
        out.append((c, s, e, p))
    return out


def _clean(s: str) -> str:
    return re.sub(r"\s*\n\s*", "", s).strip()


def _nows(s: str) -> str:
    return "".join(s.split())


def _first_sentence(s: str) -> str:
    s = _clean(s).lstrip("。；;，,.：: \u3000")
    s = re.sub(r"^(?:[一二三四五六七八九十]{1,3}是|其[一二三四五六七八九十]|首先|其次|同时|此外)[，,、]?", "", s)
    k = s.find("。")
    if k >= 0:
        s = s[:k]
    return s.strip().rstrip("；;，,、：:").strip()


_MARKER_RE = re.compile(
    r"^\s*(?:[#>*\-\s]*)(?:[（(]\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[）)]|[0-9０-９]{1,3}\s*[.．、]|[一二三四五六七八九十]{1,3}\s*[、.．]|[①-⑳]|第[一二三四五六七八九十百零\d]+条)\s*"
)


def _units(doc: Document, base: int, spans) -> tuple[Unit, ...]:
    return tuple(Unit(t, base + s, base + e, is_collective(t)) for t, s, e in spans)


def find_responsibilities(doc: Document, clauses: Sequence[Clause]) -> tuple[Responsibility, ...]:
    """Every responsibility stated in ``doc`` (normalised offsets), in text order."""
    text = doc.text
    first = declares_first_listed(text)
    out: list[Responsibility] = []
    groups: list[tuple[tuple, list[Clause], list[tuple[Clause, int, int, NoteParse]]]] = []
    table_rows: set[int] = set()
    out.extend(_tables(doc, clauses, first, table_rows))
    for n, c in enumerate(clauses):
        if n in table_rows:
            continue
        key = (c.section, c.task_no, c.task, c.parent_task)
        if not groups or groups[-1][0] != key or key[1] is None:
            groups.append((key, [], []))
        groups[-1][1].append(c)
        for s, e, p in _notes_in(text, c.start, c.end, first):
            groups[-1][2].append((c, s, e, p))
    for key, cls, notes in groups:
        if not notes:
            continue
        notes = _merge_label_lines(text, notes, first)
        multi = len(notes) > 1 and key[1] is not None
        prev_end = None
        for c, s, e, p in notes:
            task, parent = c.task, c.parent_task
            if task is None:
                # no numbered heading: the sentence the note closes
                k = s
                while k > c.start and text[k - 1] not in "。；;\n":
                    k -= 1
                task = _first_sentence(text[k:s]) or None
            elif multi:
                seg_start = cls[0].start if prev_end is None else prev_end
                seg = _clean(text[seg_start:s])
                if prev_end is None:
                    seg = _MARKER_RE.sub("", seg, count=1)
                    if _nows(seg).startswith(_nows(c.task)):
                        # drop the heading title (matched ignoring blanks)
                        want, k = len(_nows(c.task)), 0
                        while want and k < len(seg):
                            if not seg[k].isspace():
                                want -= 1
                            k += 1
                        seg = seg[k:]
                sub = _first_sentence(seg)
                task, parent = (sub or c.task), c.task
            else:
                ev = _nows(text[s:e])
                t = _nows(task)
                if ev and ev in t:
                    task = _first_sentence(task[: _cut_index(task, text[s:e])]) or task
            prev_end = e
            out.append(Responsibility(
                doc_id=doc.doc_id, source=doc.source, section=c.section, task_no=c.task_no, task=task,
                evidence=text[s:e], start=s, end=e,
                leads=_units(doc, s, p.leads), supporting=_units(doc, s, p.supporting),
                collective=_units(doc, s, p.collective), parent_task=parent,
                lead_mode=p.lead_mode, role=p.role,
            ))
    out.sort(key=lambda r: (r.start, r.end))
    return tuple(out)


def _cut_index(task: str, note: str) -> int:
    k = task.find(note.strip())
    if k >= 0:
        return k
    for opener in OPEN:
        k = task.rfind(opener)
        if k >= 0:
            return k
    return len(task)


_LEAD_COL = re.compile(r"牵头|主责|主办")
_SUPP_COL = re.compile(r"配合|参与|协办|协同|支持|责任单位|责任部门|责任主体")
_RESP_COL = re.compile(r"责任单位|责任部门|责任主体|实施单位|负责单位")
_TASK_COL = re.compile(r"任务|事项|内容|措施|举措|项目|工作|目标|名称")
_NO_COL = re.compile(r"^(?:序号|编号|序|No\.?)$")


def _cells(text: str, a: int, b: int) -> list[tuple[int, int]]:
    cells, pos = [], a
    for part in text[a:b].split("\t"):
        s, e = pos, pos + len(part)
        while s < e and text[s] in " \r\u3000":
            s += 1
        while e > s and text[e - 1] in " \r\u3000":
            e -= 1
        cells.append((s, e))
        pos += len(part) + 1
    return cells


def _tables(doc: Document, clauses: Sequence[Clause], first: bool, used: set[int]) -> Iterable[Responsibility]:
    """Responsibilities from TAB-separated tables whose header names a 牵头单位 / 责任单位 column."""
    text = doc.text
    n = 0
    while n < len(clauses):
        c = clauses[n]
        if "\t" not in c.text:
            n += 1
            continue
        cells = _cells(text, c.start, c.end)
        names = [_nows(text[s:e]) for s, e in cells]
        lead_col = next((i for i, h in enumerate(names) if len(h) <= 12 and _LEAD_COL.search(h)), None)
        resp_col = next((i for i, h in enumerate(names) if len(h) <= 12 and _RESP_COL.search(h) and i != lead_col), None)
        if lead_col is None and resp_col is None:
            n += 1
            continue
        supp_cols = [i for i, h in enumerate(names) if len(h) <= 12 and _SUPP_COL.search(h) and i != lead_col]
        unit_cols = {i for i in [lead_col, resp_col] + supp_cols if i is not None}
        task_col = next((i for i, h in enumerate(names) if i not in unit_cols and len(h) <= 12 and _TASK_COL.search(h)), None)
        no_col = next((i for i, h in enumerate(names) if _NO_COL.match(h)), None)
        used.add(n)
        last_task: tuple[str | None, str | None] = (None, None)
        m = n + 1
        while m < len(clauses) and "\t" in clauses[m].text:
            row = clauses[m]
            rc = _cells(text, row.start, row.end)
            used.add(m)
            m += 1

            def cell(i):
                return rc[i] if i is not None and i < len(rc) else None

            leads, supp = [], []
            lc = cell(lead_col)
            if lc:
                marked, us = _lead_marked(split_units_blanks(text, *lc))
                leads.extend(marked + us)
            for i in supp_cols:
                sc = cell(i)
                if sc:
                    marked, us = _lead_marked(split_units_blanks(text, *sc))
                    leads.extend(marked)
                    supp.extend(us)
            leads = [u for u in leads if _orglike(u[0])]
            supp = [u for u in supp if _orglike(u[0])]
            mode = "table" if leads else None
            if not leads and first and supp:
                cand = next((u for u in supp if not is_collective(u[0])), None)
                if cand:
                    leads, supp, mode = [cand], [u for u in supp if u != cand], "列第一位"
            if not leads and not supp:
                continue
            tc = cell(task_col)
            if tc is None:
                others = [x for i, x in enumerate(rc) if i not in unit_cols and i != no_col]
                tc = max(others, key=lambda x: x[1] - x[0], default=None)
            task = _first_sentence(text[tc[0]:tc[1]]) if tc else None
            nc = cell(no_col)
            task_no = (_nows(text[nc[0]:nc[1]]) or None) if nc else row.task_no
            if not task:  # a row continuing a merged task cell
                task, task_no = last_task
            last_task = (task, task_no)
            s, e = rc[0][0], rc[-1][1]
            units = sorted(leads + supp, key=lambda u: u[1])
            yield Responsibility(
                doc_id=doc.doc_id, source=doc.source, section=row.section, task_no=task_no, task=task or None,
                evidence=text[s:e], start=s, end=e,
                leads=_units(doc, 0, leads), supporting=_units(doc, 0, supp),
                collective=_units(doc, 0, [u for u in units if is_collective(u[0])]),
                parent_task=None, lead_mode=mode, role=None if not supp else ("负责" if resp_col is not None and lead_col is None else "配合"),
            )
        n = m
