"""Document metadata from normalised text: title, 文号, issuer, date, kind, province.

All rules are general patterns of Chinese official documents (公文): the masthead
``XX文件``, the 文号 ``X〔YYYY〕N号``, the title ``X关于…的通知``, the signature and date.

>>> normalise_doc_number("湘政办发 [2025] 2号"), normalise_doc_number("国发【2024】第5号")
('湘政办发〔2025〕2号', '国发〔2024〕5号')
>>> kind_of("湖南省人民政府办公厅关于印发《湖南省实施“七大攻坚”总体方案》的通知")
'总体方案'
>>> province_of("湖南省人民政府办公厅", None), province_of(None, "粤府办〔2024〕3号"), province_of("国务院", "国发〔2024〕5号")
('湖南省', '广东省', None)
"""
from __future__ import annotations

import re
from dataclasses import replace

from kg.types import DocMeta

#: The 34 provincial-level units: (full name, short name, one-character abbreviations used in 文号).
PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("北京市", "北京", "京"), ("天津市", "天津", "津"), ("上海市", "上海", "沪"), ("重庆市", "重庆", "渝"),
    ("河北省", "河北", "冀"), ("山西省", "山西", "晋"), ("辽宁省", "辽宁", "辽"), ("吉林省", "吉林", "吉"),
    ("黑龙江省", "黑龙江", "黑"), ("江苏省", "江苏", "苏"), ("浙江省", "浙江", "浙"), ("安徽省", "安徽", "皖"),
    ("福建省", "福建", "闽"), ("江西省", "江西", "赣"), ("山东省", "山东", "鲁"), ("河南省", "河南", "豫"),
    ("湖北省", "湖北", "鄂"), ("湖南省", "湖南", "湘"), ("广东省", "广东", "粤"), ("海南省", "海南", "琼"),
    ("四川省", "四川", "川蜀"), ("贵州省", "贵州", "黔贵"), ("云南省", "云南", "云滇"), ("陕西省", "陕西", "陕秦"),
    ("甘肃省", "甘肃", "甘陇"), ("青海省", "青海", "青"), ("台湾省", "台湾", "台"),
    ("内蒙古自治区", "内蒙古", "内蒙"), ("广西壮族自治区", "广西", "桂"), ("西藏自治区", "西藏", "藏"),
    ("宁夏回族自治区", "宁夏", "宁"), ("新疆维吾尔自治区", "新疆", "新"),
    ("香港特别行政区", "香港", "港"), ("澳门特别行政区", "澳门", "澳"),
)
_ABBR = {ch: full for full, _short, abbr in PROVINCES for ch in abbr}
_NATIONAL_PREFIX = "国中"

_KINDS = ("规划纲要", "实施方案", "工作方案", "总体方案", "行动方案", "行动计划", "计划", "实施意见", "指导意见",
          "意见", "工作要点", "要点", "通知", "方案", "规划")
_KIND_MAP = {"实施意见": "意见", "指导意见": "意见", "工作要点": "要点", "行动方案": "方案"}
_TRANSMIT = re.compile(r"(?:印发|下达|转发|颁布|发布|公布)[^《]{0,6}《([^》]{2,120})》")

_DOCNO = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[〔\[［【（(]\s*((?:19|20)\d{2})\s*[〕\]］】）)]\s*第?\s*(\d{1,5})\s*号"
)
_TITLE_START = re.compile(r"(?:^|(?<=[\s：:]))([^\s，。；：:、《》“”]{2,40}(?:[ \u3000][^\s，。；：:、《》“”]{2,40}){0,3})关于")
_TITLE_END = re.compile(r"(通知|意见|决定|通告|公告|批复|报告|函|规定|办法|方案|计划|纲要|要点|细则)")
_MASTHEAD = re.compile(r"^(.{2,40}?)[ \u3000]*文件$")
_BODY = re.compile(r"(人民政府|政府|办公厅|办公室|委员会|厅|局|委|部|院|署|省委|市委|县委|区委|中央|国务院|人大常委会)$")
_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_CN = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_HEAD_WINDOW = 4000
_HEADNUM = re.compile(r"^(?:第[一二三四五六七八九十百零〇\d]+[篇章节条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|附件)")


def normalise_doc_number(raw: str) -> str | None:
    m = _DOCNO.search(raw)
    if not m:
        return None
    return f"{_docno_prefix(m.group(1))}〔{m.group(2)}〕{int(m.group(3))}号"


def _docno_prefix(chars: str) -> str:
    """The 文号 prefix at the end of a run of CJK characters (``…的通知湘政发`` → ``湘政发``)."""
    tail = chars[-8:]
    for k in range(len(tail) - 1, -1, -1):
        ch = tail[k]
        if ch in _ABBR or ch in _NATIONAL_PREFIX:
            if ch == "内" and tail[k:k + 2] != "内蒙" and k + 1 < len(tail) and tail[k + 1] != "政":
                continue
            return tail[k:]
    return tail[-6:]


def kind_of(title: str | None) -> str | None:
    """The kind of a title; for a notice that transmits a document (印发/下达《…》), the enclosed one's."""
    if not title:
        return None
    m = _TRANSMIT.search(title)
    for candidate in ([m.group(1)] if m else []) + [title]:
        t = re.sub(r"[（(][^（()）]{0,30}[）)]$", "", candidate.strip())
        for k in _KINDS:
            if t.endswith(k):
                return _KIND_MAP.get(k, k)
    for k in _KINDS:
        if k in title:
            return _KIND_MAP.get(k, k)
    return None


def province_of(issuer: str | None, doc_number: str | None) -> str | None:
    """The province of the issuing body (None for national bodies)."""
    for name in (issuer or "").split(";"):
        for full, short, _abbr in PROVINCES:
            if short in name:
                return full
    if doc_number:
        ch = doc_number[0]
        if doc_number.startswith("内蒙"):
            return "内蒙古自治区"
        if ch in _ABBR and ch != "内":
            return _ABBR[ch]
    return None


def _clean_title(t: str) -> str:
    t = re.sub(r"\s+(?=[《“（(])|(?<=[》”）)])\s+", "", t.strip())
    return re.sub(r"\s{2,}", " ", t)


def _iso(y: int, m: int, d: int) -> str | None:
    return f"{y:04d}-{m:02d}-{d:02d}" if 1 <= m <= 12 and 1 <= d <= 31 else None


def _cn_int(s: str) -> int:
    if all(c in _CN_DIGIT for c in s):
        return int("".join(str(_CN_DIGIT[c]) for c in s))
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGIT.get(s[1], 0)
    if s.endswith("十"):
        return 10 * _CN_DIGIT.get(s[0], 0)
    if len(s) == 3 and s[1] == "十":
        return 10 * _CN_DIGIT.get(s[0], 0) + _CN_DIGIT.get(s[2], 0)
    return 0


def _dates(text: str):
    """(start, end, iso) of every written date."""
    for m in _DATE.finditer(text):
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            yield m.start(), m.end(), iso
    for m in _DATE_CN.finditer(text):
        y = int("".join(str(_CN_DIGIT.get(c, 0)) for c in m.group(1)))
        iso = _iso(y, _cn_int(m.group(2)), _cn_int(m.group(3)))
        if iso:
            yield m.start(), m.end(), iso


def _find_date(text: str, lines: list[str]) -> str | None:
    """Signing date > adoption date (（…通过）) > 发布日期 label > 印发 date."""
    signing = adopted = printed = None
    for line in lines:
        s = line.strip()
        for a, b, iso in _dates(s):
            after = s[b:].strip()
            tail = re.split(r"[。；！？!?\s，]", s[:a])[-1]
            if after.startswith(("印发", "发布")):
                printed = printed or iso
            elif not after or after.startswith(("（", "(")):
                if not tail or _BODY.search(tail):
                    signing = signing or iso
                elif tail.startswith(("（", "(")) and re.match(r"^[^）)]{0,60}(通过|批准|审议|发布|签署)[）)]", after):
                    adopted = adopted or iso
            elif tail.startswith(("（", "(")) and tail == s[:a].strip()[-len(tail):] and re.match(
                    r"^[^）)]{0,60}(通过|批准|审议|发布|签署)[）)]", after):
                adopted = adopted or iso
    published = None
    m = re.search(r"(?:发布日期|成文日期|印发日期|发文日期)\s*[:：]\s*((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})",
                  text[:_HEAD_WINDOW * 2])
    if m:
        published = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return signing or adopted or published or printed


def _find_title(lines: list[str], head: str) -> tuple[str | None, int]:
    """Title and the index of its line (or -1)."""
    for idx, line in enumerate(lines[:80]):
        m = re.match(r"^原标题\s*[:：]\s*(.+)$", line)
        if m:
            t = m.group(1).strip()
            if idx + 1 < len(lines) and lines[idx + 1].startswith("关于"):
                t += lines[idx + 1].strip()
            return _clean_title(t), idx
    for idx, line in enumerate(lines[:80]):
        s = line.strip()
        if len(s) > 200 or _MASTHEAD.match(s) or _DOCNO.fullmatch(s):
            continue
        for m in _TITLE_START.finditer(s):
            if not _outside_quotes(s, m.start()):
                continue
            for e in _TITLE_END.finditer(s, m.end(), min(len(s), m.end() + 200)):
                cand = s[m.start():e.end()]
                if cand.count("《") == cand.count("》") and cand.count("“") == cand.count("”"):
                    return _clean_title(cand), idx
            break
    return None, -1


def _outside_quotes(s: str, pos: int) -> bool:
    pre = s[:pos]
    return pre.count("《") <= pre.count("》")


def _leading_title(lines: list[str]) -> str | None:
    """Short lines at the top (no sentence punctuation) form the title of an un-noticed document."""
    parts: list[str] = []
    for line in lines[:12]:
        s = line.strip()
        if not s:
            continue
        if _MASTHEAD.match(s) or _DOCNO.fullmatch(s) or re.fullmatch(r"[（(].*[）)]", s):
            if parts:
                break
            continue
        if len(s) > 40 or "\t" in s or re.search(r"[，。；：:！？]", s) or _DATE.search(s) or _HEADNUM.match(s):
            break
        parts.append(s)
        if len(parts) == 3:
            break
    return _clean_title("".join(parts)) if parts else None


def _issuers_from_title(title: str | None) -> str | None:
    if not title or "关于" not in title:
        return None
    pre = title.split("关于", 1)[0].strip()
    names = [p for p in re.split(r"[\s、]+", pre) if p]
    return ";".join(names) if names and all(_BODY.search(n) for n in names) else None


def _find_doc_number(head: str, lines: list[str], title: str | None) -> str | None:
    """The document's own 文号: a line of its own, or one right next to the title (not a citation)."""
    def fmt(m: re.Match) -> str:
        return f"{_docno_prefix(m.group(1))}〔{m.group(2)}〕{int(m.group(3))}号"

    for line in lines[:60]:
        s = line.strip()
        m = _DOCNO.search(s)
        if m and len(s) <= m.end() - m.start() + 12 and not s.startswith(("（", "(")):
            return fmt(m)
    anchors = []
    if title:
        key = title[:12]
        anchors = sorted({m.start() for k in {key, key.replace(" ", "")} for m in re.finditer(re.escape(k), head)})[:20]
    for m in _DOCNO.finditer(head):
        pre = head[max(0, m.start() - 1):m.start()]
        if pre and pre in "（(":
            continue
        for a in anchors:
            gap = head[a + len(title or ""):m.start()]
            if len(gap) <= 40 and not re.search(r"[，。；《》（(）)]", gap) and not re.match(
                    r"\s*(?:文件|精神|要求|规定|有关)", head[m.end():m.end() + 4]):
                return fmt(m)
    return None


def _signer(lines: list[str]) -> str | None:
    """The body named on the line before a date that stands alone (the signature block)."""
    prev = ""
    for line in lines:
        s = line.strip()
        if not s:
            continue
        m = _DATE.fullmatch(s)
        if m and prev and len(prev) <= 40 and _BODY.search(prev) and not re.search(r"[，。；：:]", prev):
            return ";".join(p for p in re.split(r"[\s、]+", prev) if p)
        prev = s
    return None


def extract_metadata(text: str, base: DocMeta | None = None) -> DocMeta:
    """Metadata read from the normalised ``text``; ``base`` (format, encoding, front matter) fills gaps."""
    base = base or DocMeta()
    head = text[:_HEAD_WINDOW]
    lines = head.split("\n")
    all_lines = text.split("\n") if len(text) < 2_000_000 else lines + text[-20000:].split("\n")

    title, title_idx = _find_title(lines, head)
    if not title and not base.title:
        title = _leading_title(lines)
    title = title or base.title

    doc_number = _find_doc_number(head, lines, title)

    issuer = None
    for line in lines[:60]:
        mm = _MASTHEAD.match(line.strip())
        if mm and _BODY.search(mm.group(1)):
            issuer = ";".join(p for p in re.split(r"[\s、]+", mm.group(1)) if p)
            break
    issuer = issuer or _issuers_from_title(title) or base.issuer or _signer(all_lines)
    if not issuer and title:
        m = re.match(r"^(.{2,8}?(?:省|市|自治区|自治州|县))", title)
        if m and kind_of(title) in ("规划纲要", "规划", "计划"):
            issuer = m.group(1) + "人民政府"

    date = _find_date(text, all_lines) or base.date
    kind = kind_of(title) or base.kind
    province = province_of(issuer, doc_number)
    return replace(base, title=title, doc_number=doc_number or base.doc_number, issuer=issuer, date=date,
                   kind=kind, province=province)
