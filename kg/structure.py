"""Section tree and clauses of a policy document.

Headings recognised (ranked from the top of the tree down)::

    附件N / title lines of a Markdown conversion   第一篇   第三章   第二节   第五条
    一、   （一） (一)   1. 1． 1、   （1） (1)   ①   and 一是/二是 (inside a paragraph)

Headings start a line (after any Markdown ``#``/``-``/``**`` decoration) or, when
a document lost its line breaks, follow the end of a sentence with the next number
in sequence. A number followed by another digit (``1.5%``) is not a heading.

Clauses are paragraphs (a line, or lines joined across a page break) with their
section path; a clause inside a numbered heading carries that heading as its
task (``task_no`` as written without the trailing 、/. and ``task`` = heading
text up to its first 。).

>>> from kg.types import Document, OffsetMap
>>> text = "附件1\\n示例工作方案\\n一、重点任务\\n（一）强化保障\\n1. 做好甲事。具体内容。（甲厅牵头）\\n"
>>> doc = Document("x.txt", "x", text, text, OffsetMap.identity())
>>> sections, clauses = parse(doc)
>>> [s.path[-1] for s in sections]
['附件1 示例工作方案', '一、重点任务', '（一）强化保障', '1. 做好甲事']
>>> c = clauses[-1]
>>> c.section, c.task_no, c.task
(('附件1 示例工作方案', '一、重点任务', '（一）强化保障'), '1', '做好甲事')
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.types import Clause, Document, Section

_CN = "一二三四五六七八九十百零〇两"
_FW = str.maketrans("０１２３４５６７８９（）．：", "0123456789().:")
_TERMINAL = "。！？；：）)”」』】》.!?;:"

#: kind -> (rank, regex on a line start). Group "num" is the number, the match end is where the title starts.
_KINDS: list[tuple[str, int, re.Pattern]] = [
    ("篇", 1, re.compile(rf"第(?P<num>[{_CN}\d]+)篇\s*")),
    ("章", 2, re.compile(rf"第(?P<num>[{_CN}\d]+)章\s*")),
    ("节", 3, re.compile(rf"第(?P<num>[{_CN}\d]+)节\s*")),
    ("条", 4, re.compile(rf"第(?P<num>[{_CN}\d]+)条(?:\s+|(?=[\u4e00-\u9fff“]))")),
    ("一、", 5, re.compile(rf"(?P<num>[{_CN}]{{1,3}})\s*[、.．](?![{_CN}\d])\s*")),
    ("（一）", 6, re.compile(rf"[（(]\s*(?P<num>[{_CN}]{{1,3}})\s*[）)]\s*")),
    ("1.", 7, re.compile(r"(?P<num>\d{1,3})\s*[.．、](?![\d%％])\s*")),
    ("（1）", 8, re.compile(r"[（(]\s*(?P<num>\d{1,3})\s*[）)](?![\d%％])\s*")),
    ("①", 9, re.compile(r"(?P<num>[①-⑳])\s*")),
]
_ATTACH = re.compile(r"附\s*件\s*(?P<num>[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})?\s*(?P<sep>[:：]?)\s*")
_MD = re.compile(r"(?P<hashes>#{1,6})\s+|(?:[-*+>]\s+)+")
_INLINE = re.compile(rf"[（(]\s*[{_CN}\d]{{1,3}}\s*[）)]|(?<![\d.．])\d{{1,3}}\s*[.．、]|(?<![{_CN}])[{_CN}]{{1,3}}\s*[、]")
_TAG = re.compile(r"</?[a-zA-Z][^<>\n]{0,80}>|\[bookmark:[^\]\n]{0,200}\]")
_ENUM = re.compile(rf"(?:^|(?<=[。；;，,：:\s]))(?P<num>[{_CN}]{{1,3}})是(?=[\u4e00-\u9fff“])")
_CN_VAL = {c: i for i, c in enumerate("零一二三四五六七八九")}
_NOT_TASKS = ("附件", "md", "篇", "章", "节")  # heading kinds that group tasks but are not tasks


def _num_value(num: str) -> int | None:
    """Integer value of a heading number (Arabic, Chinese up to 99, or circled)."""
    num = num.translate(_FW)
    if len(num) == 1 and "①" <= num <= "⑳":
        return ord(num) - ord("①") + 1
    if num.isascii() and num.isdigit():
        return int(num)
    if num == "十":
        return 10
    if num.startswith("十") and len(num) == 2 and num[1] in _CN_VAL:
        return 10 + _CN_VAL[num[1]]
    if len(num) >= 2 and num[-1] == "十" and num[0] in _CN_VAL:
        return _CN_VAL[num[0]] * 10
    if len(num) == 3 and num[1] == "十" and num[0] in _CN_VAL and num[2] in _CN_VAL:
        return _CN_VAL[num[0]] * 10 + _CN_VAL[num[2]]
    if len(num) == 1 and num in _CN_VAL:
        return _CN_VAL[num]
    return None


@dataclass
class _Head:
    kind: str
    rank: int
    number: str  # as written, e.g. "（一）", "1.", "附件1"
    task_no: str
    value: int | None
    label: str  # path string, e.g. "（一）大力提振消费"
    title: str
    start: int
    title_start: int
    title_end: int


def _clean(s: str) -> str:
    """Join whitespace runs that contain a line break (page breaks), drop markup debris and strip."""
    return re.sub(r"\s*\n\s*", "", _TAG.sub("", s)).strip().strip("*").strip()


def _title_end(text: str, a: int, limit: int) -> int:
    """End of a heading title starting at ``a``: its first 。 (or the line/paragraph end)."""
    k = text.find("。", a, limit)
    return k if k >= 0 else limit


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _content_start(text: str, a: int, b: int) -> tuple[int, int | None]:
    """Skip blanks and Markdown decoration; returns (start, markdown level or None)."""
    while a < b and text[a] in " \t\r\u3000\ufeff":
        a += 1
    while True:  # leading HTML tags of a partly cleaned conversion (<p>, <div>)
        t = _TAG.match(text, a, b)
        if not t:
            break
        a = t.end()
        while a < b and text[a] in " \t\r\u3000":
            a += 1
    level = None
    m = _MD.match(text, a, b)
    if m:
        if m.group("hashes"):
            level = len(m.group("hashes"))
        a = m.end()
    while a < b and text[a] in "* \t\u3000":
        a += 1
    return a, level


def _match_heading(text: str, a: int, b: int) -> tuple[str, int, re.Match] | None:
    seg = text[a:min(b, a + 64)]
    if not seg.isascii():
        seg = seg.translate(_FW)
    for kind, rank, rx in _KINDS:
        m = rx.match(seg)
        if m and m.end() < len(seg.rstrip()):
            return kind, rank, m
    return None


def _attachment_list(text: str, lines: list[tuple[int, int]]) -> tuple[dict[int, str], set[int]]:
    """Titles listed after ``附件：`` (``附件：1. 甲方案`` then ``2. 乙方案`` …) and the list's line indexes."""
    titles: dict[int, str] = {}
    skip: set[int] = set()
    i = 0
    while i < len(lines):
        a, b = lines[i]
        a, _ = _content_start(text, a, b)
        m = re.match(r"附\s*件\s*[:：]\s*", text[a:b])
        if not m:
            i += 1
            continue
        rest = text[a + m.end():b].translate(_FW)
        n = re.match(r"(\d{1,2})\s*[.、]\s*(?!\d)", rest)
        if not n:
            if rest.strip() and len(rest.strip()) <= 60 and "。" not in rest:
                titles[1] = _clean(rest)
                skip.add(i)
            i += 1
            continue
        titles[int(n.group(1))] = _clean(rest[n.end():])
        skip.add(i)
        expect = int(n.group(1)) + 1
        j = i + 1
        while j < len(lines):
            a2, b2 = lines[j]
            a2, _ = _content_start(text, a2, b2)
            seg = text[a2:b2].translate(_FW)
            if not seg.strip():
                j += 1
                continue
            n2 = re.match(r"(\d{1,2})\s*[.、]\s*(?!\d)", seg)
            if not n2 or int(n2.group(1)) != expect or "。" in seg or len(seg) > 80:
                break
            titles[expect] = _clean(seg[n2.end():])
            skip.add(j)
            expect += 1
            j += 1
        i = j
    return titles, skip


def _paragraphs(text: str) -> list[tuple[int, int, _Head | None]]:
    """Paragraphs as (start, end, heading) with page-broken lines joined."""
    lines = _lines(text)
    att_titles, skip = _attachment_list(text, lines)
    att_by_title = {"".join(t.split()): n for n, t in att_titles.items()}
    paras: list[list] = []  # [start, end, head, closed]
    heads: dict[int, tuple[str, int, bool]] = {}  # line index -> (kind, rank, line has 。)
    for k, (la, lb) in enumerate(lines):
        ca, _ = _content_start(text, la, lb)
        hm0 = _match_heading(text, ca, lb) if k not in skip else None
        if hm0:
            heads[k] = (hm0[0], hm0[1], "。" in text[ca:lb])
    order = sorted(heads)
    order_pos = {k: n for n, k in enumerate(order)}
    listed: set[int] = set()  # starts of attachment-list lines (never split into headings)

    def sentence_style(k: int) -> bool:
        """Do the neighbouring headings of the same kind read as sentences (with a 。)?"""
        kind, rank, _ = heads[k]
        pos = order_pos[k]
        for step in (-1, 1):
            q = pos + step
            while 0 <= q < len(order):
                k2 = order[q]
                if heads[k2][1] < rank:
                    break
                if heads[k2][0] == kind:
                    if heads[k2][2]:
                        return True
                    break
                q += step
        return False

    i = 0
    while i < len(lines):
        a0, b = lines[i]
        a, md = _content_start(text, a0, b)
        while b > a and text[b - 1] in " \t\r\u3000":
            b -= 1
        if a >= b:
            i += 1
            continue
        if i in skip:
            paras.append([a, b, None, True])
            listed.add(a)
            i += 1
            continue
        head = None
        closed = False
        line = text[a:b]
        m = _ATTACH.match(line)
        if m and (m.group("num") or m.group("sep") or m.end() == len(line)) and "\t" not in line:
            title_a = a + m.end()
            title = _clean(text[title_a:b])
            j = i
            if not title:
                # title on the next non-empty line
                j = i + 1
                while j < len(lines) and not text[lines[j][0]:lines[j][1]].strip():
                    j += 1
                if j < len(lines):
                    na, nb = lines[j]
                    na, _ = _content_start(text, na, nb)
                    cand = text[na:nb].strip()
                    if cand and len(cand) <= 60 and not re.search("[。，；]", cand) and not _match_heading(text, na, nb):
                        title_a, b, title = na, na + len(cand), _clean(cand)
                    else:
                        j = i
            if len(title) <= 60 and not re.search("[。，；]", title):
                num = m.group("num") or ""
                val = _num_value(num) if num else None
                if val is None and title and "".join(title.split()) in att_by_title:
                    val = att_by_title["".join(title.split())]
                number = f"附件{val if val is not None else num}"
                label = f"{number} {title}".strip()
                head = _Head("附件", 0, number, number, val, label, title, a, title_a, b)
                paras.append([a, b, head, True])
                i = j + 1
                continue
        key = "".join(line.split()).strip("*")
        if key in att_by_title and not re.search("[。，；]", line):
            n = att_by_title[key]
            head = _Head("附件", 0, f"附件{n}", f"附件{n}", n, f"附件{n} {_clean(line)}", _clean(line), a, a, b)
            paras.append([a, b, head, True])
            i += 1
            continue
        hm = _match_heading(text, a, b)
        if hm:
            kind, rank, m = hm
            ta = a + m.end()
            te = _title_end(text, ta, b)
            num = m.group("num")
            number = text[a:a + m.end()].strip()
            head = _Head(kind, rank, number, number.rstrip("、.． ") if kind in ("一、", "1.") else number,
                         _num_value(num), "", "", a, ta, te)
            hline = i
            if kind in ("篇", "章", "节") and i + 1 < len(lines) and i + 1 not in heads:
                # a long title wrapped onto the next line
                na, nb = lines[i + 1]
                nxt = text[na:nb].strip()
                if nxt and len(nxt) <= 30 and not re.search("[。，；：,;:]", nxt) and len(text[ta:b]) >= 8:
                    b = na + len(text[na:nb].rstrip())
                    i += 1
            body = text[ta:b]
            closed = "。" not in body and len(body) <= 60 and not (
                re.search("[，、；,;]", body) and hline in heads and sentence_style(hline))
        elif md is not None and len(line) <= 80 and "。" not in line:
            title = _clean(line)
            head = _Head("md", 0, "", "", None, title, title, a, a, b)
            closed = True
        elif "\t" in line:
            closed = True
        elif paras and not paras[-1][3] and head is None:
            prev = paras[-1]
            ptxt = text[prev[0]:prev[1]]
            if ptxt and ptxt[-1] not in _TERMINAL and not (len(ptxt) <= 40 and not re.search("[，、。；：,;:]", ptxt)):
                prev[1] = b
                i += 1
                continue
        paras.append([a, b, head, closed])
        i += 1
    out = []
    for a, b, head, _ in paras:
        if head is not None and head.kind not in ("附件", "md"):
            head.title_end = _title_end(text, head.title_start, b)
            head.title = _clean(text[head.title_start:head.title_end])
            head.label = _clean(text[head.start:head.title_end])
        out.append((a, b, head))
    return _split_inline(text, out, listed)


def _split_inline(text: str, paras: list, listed: set[int]) -> list:
    """Split paragraphs at headings that follow a sentence end mid-line (text that lost its line breaks)."""
    out = []
    last: dict[str, int] = {}
    for a, b, head in paras:
        if head is not None:
            _reset(last, head.rank)
            if head.value is not None:
                last[head.kind] = head.value
        cur_a, cur_head = a, head
        pos = a
        while a not in listed:
            found = None
            for m in _INLINE.finditer(text, pos + 1, b):
                k = m.start()
                hm = _match_heading(text, k, b)
                if not hm or hm[0] not in ("一、", "（一）", "1.", "（1）"):
                    continue
                before = text[max(pos, k - 30):k].rstrip()
                after_punct = bool(before) and before[-1] in "。；;！？!?）)：:"
                after_head = (cur_head is not None and 0 <= k - cur_head.title_start <= 40
                              and not re.search("[。；;，,：:]", text[cur_head.title_start:k]))
                if not (after_punct or hm[0] == "（一）" or after_head and hm[1] > cur_head.rank):
                    continue
                v = _num_value(hm[2].group("num"))
                prev_v = last.get(hm[0])
                if v is not None and (v == 1 and prev_v is None or prev_v is not None and v == prev_v + 1):
                    if v == 1 and prev_v is None and not (after_punct or after_head):
                        continue
                    found = (k, hm, v)
                    break
            if not found:
                break
            k, (kind, rank, m), v = found
            if cur_head is not None and cur_head.kind != "附件" and cur_head.title_end > k:
                cur_head.title_end = k
                cur_head.title = _clean(text[cur_head.title_start:k])
                cur_head.label = _clean(text[cur_head.start:k])
            out.append((cur_a, k, cur_head))
            ta = k + m.end()
            te = _title_end(text, ta, b)
            number = text[k:k + m.end()].strip()
            cur_head = _Head(kind, rank, number, number.rstrip("、.． ") if kind in ("一、", "1.") else number,
                             v, _clean(text[k:te]), _clean(text[ta:te]), k, ta, te)
            _reset(last, rank)
            last[kind] = v
            cur_a = pos = k
        out.append((cur_a, b, cur_head))
    return out


def _reset(last: dict[str, int], rank: int) -> None:
    """Forget the running numbers of heading kinds below ``rank`` (a new parent restarts them)."""
    for kind, r, _ in _KINDS:
        if r > rank:
            last.pop(kind, None)


def parse(doc: Document) -> tuple[tuple[Section, ...], tuple[Clause, ...]]:
    """The section tree (pre-order) and the clauses of ``doc`` (normalised offsets)."""
    text = doc.text
    paras = _paragraphs(text)
    stack: list[_Head] = []
    opened: list[tuple[_Head, tuple[str, ...], int]] = []  # head, path, level
    clauses: list[Clause] = []
    for a, b, head in paras:
        if head is not None:
            while stack and stack[-1].rank >= head.rank:
                stack.pop()
            stack.append(head)
            opened.append((head, tuple(h.label for h in stack), len(stack) - 1))
        task_i = next((k for k in range(len(stack) - 1, -1, -1) if stack[k].kind not in _NOT_TASKS), None)
        if task_i is None:
            section = tuple(h.label for h in stack)
            task_no = task = parent = None
        else:
            section = tuple(h.label for h in stack[:task_i])
            t = stack[task_i]
            task_no, task = t.task_no, t.title
            # a numbered item (1.) holding numbered sub-items ((1)) is their parent task
            up = stack[task_i - 1] if task_i > 0 else None
            parent = up.title if up is not None and up.kind not in _NOT_TASKS and up.rank >= 7 else None
        clauses.append(Clause(doc.doc_id, section, text[a:b], a, b, task_no, task, parent))
    ends = [len(text)] * len(opened)
    pending: list[int] = []  # indexes of sections still open, ranks increasing
    for n, (head, _, _) in enumerate(opened):
        while pending and opened[pending[-1]][0].rank >= head.rank:
            ends[pending.pop()] = head.start
        pending.append(n)
    sections = [Section(h.number, h.title, level, path, h.start, ends[n])
                for n, (h, path, level) in enumerate(opened)]
    sections.extend(_enumerations(doc, paras, opened))
    sections.sort(key=lambda s: (s.start, len(s.path)))
    return tuple(sections), tuple(clauses)


def _enumerations(doc: Document, paras: list, opened: list) -> list[Section]:
    """一是/二是 … enumerations inside a paragraph, as sections under the paragraph's heading."""
    out: list[Section] = []
    text = doc.text
    ptr = 0
    for a, b, head in paras:
        found = [m for m in _ENUM.finditer(text, a, b)]
        seq = []
        for m in found:
            v = _num_value(m.group("num"))
            if v == len(seq) + 1:
                seq.append(m)
        if len(seq) < 2:
            continue
        while ptr < len(opened) and opened[ptr][0].start <= a:
            ptr += 1
        base, level = (opened[ptr - 1][1], opened[ptr - 1][2] + 1) if ptr else ((), 0)
        for k, m in enumerate(seq):
            end = seq[k + 1].start() if k + 1 < len(seq) else b
            te = m.end()
            while te < end and text[te] not in "。；;，,":
                te += 1
            title = _clean(text[m.end():te])
            out.append(Section(m.group(0), title, level, base + (m.group(0) + title,), m.start(), end))
    return out
