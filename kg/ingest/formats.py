"""Text out of DOCX and PDF files, and metadata out of YAML front matter and HTML heads.

DOCX: paragraphs and tables in document order; each table row is one line with its
cells joined by a TAB, so a 牵头单位 column stays a column.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_XML = 512 * 1024 * 1024  # refuse DOCX whose document.xml inflates beyond this


class FormatProblem(ValueError):
    """The file is not a readable DOCX/PDF (message: the cause)."""


# ---------------------------------------------------------------- DOCX
def docx_text(data: bytes) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FormatProblem("truncated or corrupt DOCX (not a valid zip archive)") from None
    with zf:
        try:
            info = zf.getinfo("word/document.xml")
        except KeyError:
            raise FormatProblem("not a DOCX (zip archive without word/document.xml)") from None
        if info.file_size > _MAX_XML:
            raise FormatProblem(f"DOCX body too large when unpacked ({info.file_size} bytes)")
        try:
            zf.testzip()
        except Exception as e:  # noqa: BLE001 - zlib/CRC errors of a damaged archive
            raise FormatProblem(f"corrupt DOCX ({type(e).__name__})") from None
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - python-docx raises many types on bad input
        raise FormatProblem(f"unreadable DOCX ({type(e).__name__}: {str(e)[:80]})") from None
    lines: list[str] = []
    _walk_block(document.element.body, lines)
    return "\n".join(lines)


def _walk_block(parent, lines: list[str]) -> None:
    """Paragraphs and tables of ``parent`` in order (iterative over nesting of content controls)."""
    stack = [iter(parent)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if tag == _W + "p":
            lines.append(_para_text(child))
        elif tag == _W + "tbl":
            lines.extend(_table_rows(child))
        elif tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                stack.append(iter(content))


def _para_text(p) -> str:
    out = []
    for node in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
        if node.tag == _W + "t":
            out.append(node.text or "")
        elif node.tag == _W + "tab":
            out.append(" ")
        else:
            out.append(" ")
    return "".join(out)


def _cell_text(tc) -> str:
    parts = [_para_text(p) for p in tc.iter(_W + "p")]
    return " ".join(s.strip() for s in parts if s.strip())


def _table_rows(tbl) -> list[str]:
    rows = []
    for tr in tbl.iter(_W + "tr"):
        if tr.getparent() is not tbl:  # rows of nested tables are read as cell text
            continue
        cells = []
        for tc in tr.findall(_W + "tc"):
            text = _cell_text(tc).replace("\t", " ")
            pr = tc.find(_W + "tcPr")
            span = 1
            if pr is not None:
                gs = pr.find(_W + "gridSpan")
                if gs is not None:
                    try:
                        span = max(1, min(int(gs.get(_W + "val", "1")), 64))
                    except ValueError:
                        span = 1
            cells.append(text)
            cells.extend([""] * (span - 1))
        rows.append("\t".join(cells))
    return rows


# ---------------------------------------------------------------- PDF
def pdf_text(data: bytes) -> str:
    if not data.lstrip()[:5] == b"%PDF-":
        raise FormatProblem("not a PDF (no %PDF- header)")
    if b"%%EOF" not in data[-2048:]:
        raise FormatProblem("truncated PDF (no %%EOF marker at the end)")
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001
                raise FormatProblem("encrypted PDF") from None
        pages = [(page.extract_text() or "") for page in reader.pages]
    except FormatProblem:
        raise
    except Exception as e:  # noqa: BLE001 - pypdf raises many types on damaged files
        raise FormatProblem(f"unreadable PDF ({type(e).__name__}: {str(e)[:80]})") from None
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise FormatProblem("PDF has no extractable text (a scanned image? run OCR first)")
    return text


# ---------------------------------------------------------------- front matter / HTML head
_FRONT = re.compile(r"\A\s*---[ \t]*\r?\n(.*?\r?\n)---[ \t]*(?:\r?\n|\Z)", re.S)
_ISSUER_END = re.compile(r"(人民政府|政府|办公厅|办公室|委员会|厅|局|委|部|院|署|省委|市委|中央)$")


def front_matter_span(text: str) -> tuple[int, int] | None:
    """Raw span of a leading YAML front-matter block (``---`` … ``---``)."""
    m = _FRONT.match(text[:20000])
    return (m.start(), m.end()) if m else None


def front_matter(text: str) -> dict[str, str]:
    """Flat ``key: value`` pairs of the front matter (lists and nesting ignored)."""
    span = front_matter_span(text)
    if not span:
        return {}
    out: dict[str, str] = {}
    for line in text[span[0]:span[1]].splitlines():
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$", line)
        if m and m.group(2):
            val = m.group(2)
            if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
                val = val[1:-1]
            out[m.group(1).lower()] = val
    return out


def iso_date(value: str) -> str | None:
    """ISO date from common front-matter/date formats.

    >>> iso_date("Tue, 27 Jul 2021 08:49:37 GMT"), iso_date("2025-01-17"), iso_date("2025年1月7日")
    ('2021-07-27', '2025-01-17', '2025-01-07')
    """
    value = value.strip()
    m = re.search(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", value)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    for fmt in ("%a, %d %b %Y %H:%M:%S %Z", "%a, %d %b %Y %H:%M:%S %z", "%d %b %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(value, fmt).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return None


def meta_from_front_matter(fm: dict[str, str]) -> dict[str, str]:
    out = {}
    if fm.get("title"):
        out["title"] = fm["title"].strip()
    if fm.get("date"):
        d = iso_date(fm["date"])
        if d:
            out["date"] = d
    author = fm.get("author") or fm.get("issuer")
    if author and _ISSUER_END.search(author.strip()):
        out["issuer"] = author.strip()
    return out


def html_title(text: str) -> str | None:
    m = re.search(r"<title[^>]*>([^<]{1,300})</title>", text[:100000], re.I)
    if not m:
        return None
    import html

    return " ".join(html.unescape(m.group(1)).split()) or None
