"""Parse one responsibility note: who leads, who supports, in which role.

A *note* is the parenthesised tail of a task that names the units in charge,
in any of the variants of the genre::

    （X牵头，Y、Z等按职责分工负责）   （X、Y牵头）          （X、Y分别牵头）
    （X牵头负责）                     （牵头单位：X）       （牵头单位：X；配合单位：Y）
    （责任单位：X、Y）                （X牵头，Y参与）      （X、Y等按职责分工负责）
    X负责                              按职能分工负责

:func:`parse_note` is purely syntactic: it never decides whether a string *is*
a note (the caller does), it never crashes, and every unit it returns is a
substring of its input, given as ``(text, start, end)`` offsets within it.

>>> p = parse_note("（甲厅牵头，乙局、丙委等按职责分工负责）")
>>> [u[0] for u in p.leads], [u[0] for u in p.supporting], p.role
(['甲厅'], ['乙局', '丙委'], '按职责分工负责')
>>> p = parse_note("(牵头单位：甲厅；配合单位：乙局、各市州人民政府)")
>>> [u[0] for u in p.leads], [u[0] for u in p.supporting], [u[0] for u in p.collective]
(['甲厅'], ['乙局', '各市州人民政府'], ['各市州人民政府'])
"""
from __future__ import annotations

import re
from dataclasses import dataclass

Span = tuple[str, int, int]

OPEN = "（(［[【"
CLOSE = "）)］]】"

#: Labels that introduce a list of units: label word -> (is_lead, role of the listed units).
_LABELS: dict[str, tuple[bool, str | None]] = {
    "牵头单位": (True, None), "牵头部门": (True, None), "主责单位": (True, None), "主责部门": (True, None),
    "主办单位": (True, None), "牵头责任单位": (True, None), "主要责任单位": (True, None),
    "责任单位": (False, "负责"), "责任部门": (False, "负责"), "配合单位": (False, "配合"), "配合部门": (False, "配合"),
    "参与单位": (False, "参与"), "参与部门": (False, "参与"), "协办单位": (False, "协办"), "协同单位": (False, "协同"),
    "支持单位": (False, "支持"), "实施单位": (False, "负责"), "承办单位": (False, "负责"),
}
_LABEL_RE = re.compile(
    "(?:" + "|".join(sorted(_LABELS, key=len, reverse=True)) + r")\s*[:：]"
)

# A role phrase ends a group of units; it must be followed by a separator or the end.
_END = r"(?=\s*(?:[，,；;、。.\s）)]|$))"
_LEAD_RE = re.compile(
    r"(?P<mode>分别|共同|联合)?牵头(?P<verb>负责|落实|实施|抓总|组织|推进)?(?!单位|部门|[:：])" + _END
    + r"|(?:为|是|作为)牵头(?:单位|部门)" + _END
)
_ROLE_RE = re.compile(
    r"(?:等)?(?:(?:按|根据|按照)(?:各自)?(?:职责|职能)(?:分工)?(?:负责|落实|配合)"
    r"|分工负责|负责落实|具体负责|共同负责|配合落实|协助落实|参与落实"
    r"|(?:为|是|作为)(?:配合|参与|责任|协办)(?:单位|部门)"
    r"|配合|参与|协助|协同|协办|支持|负责|落实)" + _END
)

_SEP = "，,；;、 \t\r\n\u3000"
_PUNCT_STRIP = " \t\r\n\u3000，,；;、。.：:"
#: Conjunctions that may join two full unit names (split only when a unit prefix follows).
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州"
    "|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_CONJ_RE = re.compile(
    r"(?:以及|及|和|与|同)(?=(?:省|市|县|各|国家|国务院|中国|中共|中央|全国|共青团|有关|相关|人民银行|%s))" % _PROVINCES
)
#: 等 that belongs to a word (高等学校, 平等) rather than ending a list.
_DENG_WORD = set("高平同对初中上次均特优劣")
_ENUM_LEAD = re.compile(r"(?:[一二三四五六七八九十]{1,3}是|其[一二三四五六七八九十])[，,：:]?")
_LEADING_WORDS = ("由", "请", "会同", "联合", "协同", "其中", "并由")

_COLLECTIVE_RE = re.compile(
    r"^(?:各|有关|相关|其他|其它)|各|有关|相关|成员单位$|职能部门$|主管部门$|等部门$|^全体"
)


def is_collective(name: str) -> bool:
    """True for a group of bodies rather than one body.

    >>> [is_collective(x) for x in ("各市州人民政府", "省直有关部门", "领导小组成员单位", "省财政厅")]
    [True, True, True, False]
    """
    return bool(_COLLECTIVE_RE.search("".join(name.split())))


@dataclass(frozen=True)
class NoteParse:
    """Units a note names, as ``(text, start, end)`` offsets within the note.

    ``leads`` and ``supporting`` hold every unit in its role (collective ones
    included); ``collective`` repeats the collective units of both.
    ``lead_mode``: 分别牵头 | 牵头负责 | 共同牵头 | 列第一位 | None.
    ``role``: the role word of the supporting units (按职责分工负责 | 按职能分工负责 |
    参与 | 配合 | 负责 | …) or None. ``keyword``: the note carries a role word or label.
    """

    leads: tuple[Span, ...] = ()
    supporting: tuple[Span, ...] = ()
    collective: tuple[Span, ...] = ()
    lead_mode: str | None = None
    role: str | None = None
    keyword: bool = False

    @property
    def units(self) -> tuple[Span, ...]:
        return tuple(sorted(set(self.leads) | set(self.supporting), key=lambda u: (u[1], u[2])))


def _strip(text: str, start: int, end: int, chars: str = _PUNCT_STRIP) -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def _inner(note: str) -> tuple[int, int]:
    """Offsets of the note without its outer brackets and surrounding blanks."""
    s, e = _strip(note, 0, len(note), " \t\r\n\u3000。；;，,")
    if s < e and note[s] in OPEN:
        s += 1
        if e > s and note[e - 1] in CLOSE:
            e -= 1
    return _strip(note, s, e, " \t\r\n\u3000")


def _role_name(phrase: str) -> str:
    p = "".join(phrase.split()).lstrip("等")
    if "职能" in p:
        return "按职能分工负责"
    if "职责" in p or p == "分工负责":
        return "按职责分工负责"
    for word in ("配合", "参与", "协助", "协同", "协办", "支持"):
        if word in p:
            return word
    if "责任" in p or "负责" in p:
        return "负责"
    return p


def split_units(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split a list of units written in ``text[start:end]``; offsets index ``text``.

    Splits on 、，,；; and on 及/和/与 before a full unit name; in ``X等Y及Z`` keeps X
    and Z and drops the 等-tail Y; drops a trailing 等 and a leading 由/会同.

    >>> [u[0] for u in split_units("甲厅、乙局等省直有关部门及各市州人民政府")]
    ['甲厅', '乙局', '各市州人民政府']
    >>> [u[0] for u in split_units("省工业和信息化厅和省文化和旅游厅")]
    ['省工业和信息化厅', '省文化和旅游厅']
    """
    end = len(text) if end is None else end
    out: list[Span] = []
    i = start
    while i < end:
        j = i
        depth = 0
        while j < end and (depth or text[j] not in "、，,；;"):
            if text[j] in OPEN:
                depth += 1
            elif text[j] in CLOSE and depth:
                depth -= 1
            j += 1
        out.extend(_item_units(text, i, j))
        i = j + 1
    return out


def split_units_blanks(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Like :func:`split_units`, tolerating blanks: page breaks inside names are ignored and a
    blank between two full names (a ``<br>`` in a table cell) separates them.

    >>> [u[0] for u in split_units_blanks("甲市住房城乡建设局 市自然资源局、省自 然资源厅")]
    ['甲市住房城乡建设局', '市自然资源局', '省自 然资源厅']
    """
    end = len(text) if end is None else end
    compact, keep = _compact(text[start:end])
    out = []
    for _, a, b in split_units(compact):
        a, b = start + keep[a], start + keep[b - 1] + 1
        out.append((text[a:b], a, b))
    return out


def _item_units(text: str, s: int, e: int) -> list[Span]:
    s, e = _strip(text, s, e)
    em = _ENUM_LEAD.match(text, s, e)
    if em and e - em.end() >= 2:
        s = em.end()
    for w in _LEADING_WORDS:
        if text.startswith(w, s) and e - s > len(w) + 1:
            s += len(w)
            break
    # X等Y及Z: keep X and Z
    k = s
    while True:
        k = text.find("等", k, e)
        if k < 0:
            break
        if k > s and text[k - 1] in _DENG_WORD:
            k += 1
            continue
        keep = [(s, k)]
        m = None
        for m in _CONJ_RE.finditer(text, k + 1, e):
            pass
        if m is not None:
            keep.append((m.end(), e))
        units: list[Span] = []
        for a, b in keep:
            units.extend(_conj_units(text, a, b))
        return units
    return _conj_units(text, s, e)


def _conj_units(text: str, s: int, e: int) -> list[Span]:
    s, e = _strip(text, s, e)
    if s >= e:
        return []
    cuts = [m for m in _CONJ_RE.finditer(text, s, e) if m.start() > s + 1]
    pieces, a = [], s
    for m in cuts:
        pieces.append((a, m.start()))
        a = m.end()
    pieces.append((a, e))
    units = []
    for a, b in pieces:
        a, b = _strip(text, a, b)
        if b > a and any("\u4e00" <= c <= "\u9fff" or c.isalnum() for c in text[a:b]):
            units.append((text[a:b], a, b))
    return units


def _lead_marked(units: list[Span]) -> tuple[list[Span], list[Span]]:
    """Split units written ``X（牵头）`` (lead) from the others, trimming the marker."""
    leads, others = [], []
    for t, a, b in units:
        m = re.search(r"\s*[（(]\s*(?:牵头|主责)(?:单位|部门)?\s*[）)]$", t)
        if m:
            leads.append((t[: m.start()], a, a + m.start()))
        else:
            others.append((t, a, b))
    return leads, others


def parse_note(note: str, *, first_listed_leads: bool = False) -> NoteParse:
    """Parse one responsibility note (with or without its brackets).

    ``first_listed_leads``: the document declares that the first listed unit leads
    (列第一位者为牵头单位); then a note naming no lead gets its first unit as lead.

    >>> p = parse_note("（甲厅、乙局分别牵头）")
    >>> [u[0] for u in p.leads], p.lead_mode
    (['甲厅', '乙局'], '分别牵头')
    >>> p = parse_note("（甲委、乙厅等按职责分工负责）", first_listed_leads=True)
    >>> [u[0] for u in p.leads], [u[0] for u in p.supporting], p.lead_mode
    (['甲委'], ['乙厅'], '列第一位')
    >>> parse_note("（其中创业培训 11 万人次）").keyword
    False
    """
    try:
        # parse without blanks (page breaks split names and role words), then map back
        compact, keep = _compact(note)
        p = _parse(compact, first_listed_leads)

        def back(units: tuple[Span, ...]) -> tuple[Span, ...]:
            out = []
            for _, a, b in units:
                a, b = keep[a], keep[b - 1] + 1
                out.append((note[a:b], a, b))
            return tuple(out)

        return NoteParse(back(p.leads), back(p.supporting), back(p.collective), p.lead_mode, p.role, p.keyword)
    except Exception:  # pragma: no cover - the parser must never crash
        return NoteParse()


_UNIT_END = set("厅委局办部院会府心司团行署队关站联社所组室馆台校位门")
_UNIT_START_RE = re.compile(_CONJ_RE.pattern.replace("(?:以及|及|和|与|同)(?=", "(?=", 1))


def _compact(note: str) -> tuple[str, list[int]]:
    """``note`` without blanks, and the index in ``note`` of each kept character.

    A blank between the end of one unit name and the start of another (``甲厅 省乙局``,
    a ``<br>`` in a table cell) becomes a 、; any other blank (a page break inside a
    name or a role word) is dropped.
    """
    chars: list[str] = []
    keep: list[int] = []
    i, n = 0, len(note)
    while i < n:
        if not note[i].isspace():
            chars.append(note[i])
            keep.append(i)
            i += 1
            continue
        j = i
        while j < n and note[j].isspace():
            j += 1
        if chars and chars[-1] in _UNIT_END and j < n and _UNIT_START_RE.match(note, j):
            chars.append("、")
            keep.append(i)
        i = j
    return "".join(chars), keep


def _parse(note: str, first_listed_leads: bool) -> NoteParse:
    s, e = _inner(note)
    leads: list[Span] = []
    supp: list[Span] = []
    role = lead_mode = None
    keyword = False
    labels = list(_LABEL_RE.finditer(note, s, e))
    if labels:
        keyword = True
        words = ["".join(note[m.start():m.end()].split()).rstrip(":：") for m in labels]
        lead_label = any(_LABELS[w][0] for w in words)
        helper_label = any(_LABELS[w][1] in ("配合", "参与", "协办", "协同", "支持") for w in words)
        for n, m in enumerate(labels):
            word = "".join(note[m.start():m.end()].split()).rstrip(":：")
            is_lead, r = _LABELS[word]
            seg_end = labels[n + 1].start() if n + 1 < len(labels) else e
            units = split_units(note, m.end(), seg_end)
            marked, units = _lead_marked(units)
            leads.extend(marked)
            if is_lead or (word in ("责任单位", "责任部门") and not lead_label and helper_label):
                # 责任单位 next to 配合/参与单位 (and no 牵头单位) names the leads
                leads.extend(units)
            else:
                supp.extend(units)
                role = role or r
    else:
        groups: list[tuple[int, int, str | None, bool]] = []  # (start, end, phrase, is_lead)
        pos = s
        phrases = sorted(
            [(m.start(), m.end(), True, m.group(0)) for m in _LEAD_RE.finditer(note, s, e)]
            + [(m.start(), m.end(), False, m.group(0)) for m in _ROLE_RE.finditer(note, s, e)],
            key=lambda x: (x[0], -x[1]),
        )
        for a, b, is_lead, phrase in phrases:
            if a < pos:
                continue
            groups.append((pos, a, phrase, is_lead))
            pos = b
        if pos < e:
            groups.append((pos, e, None, False))
        pending: list[Span] = []  # units of groups with no role yet (a list split by ，)
        for a, b, phrase, is_lead in groups:
            units = split_units(note, a, b)
            marked, units = _lead_marked(units)
            leads.extend(marked)
            if phrase is None:
                pending.extend(units)
                continue
            keyword = True
            units = pending + units
            pending = []
            if is_lead:
                leads.extend(units)
                p = "".join(phrase.split())
                if p.startswith("分别"):
                    lead_mode = "分别牵头"
                elif p.startswith("共同"):
                    lead_mode = lead_mode or "共同牵头"
                elif p.endswith("负责") and lead_mode is None:
                    lead_mode = "牵头负责"
            else:
                supp.extend(units)
                role = role or _role_name(phrase)
        supp.extend(pending)
    if first_listed_leads and not leads:
        ordered = sorted(supp, key=lambda u: u[1])
        first = next((u for u in ordered if not is_collective(u[0])), None)
        if first is not None:
            leads.append(first)
            supp = [u for u in supp if u != first]
            lead_mode = "列第一位"
    leads = _dedupe(leads)
    supp = [u for u in _dedupe(supp) if u not in leads]
    coll = tuple(u for u in sorted(leads + supp, key=lambda u: u[1]) if is_collective(u[0]))
    return NoteParse(tuple(leads), tuple(supp), coll, lead_mode, role, keyword)


def _dedupe(units: list[Span]) -> list[Span]:
    seen, out = set(), []
    for u in sorted(units, key=lambda u: (u[1], u[2])):
        if u not in seen and u[0]:
            seen.add(u)
            out.append(u)
    return out
