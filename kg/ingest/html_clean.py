"""HTML clean-up passes for :mod:`kg.normalise`: source whitespace, comments, hidden elements, tags, entities.

Regex tokenising, no recursion: deeply nested or unclosed markup costs linear time. ``<script>``,
``<style>`` and ``<head>`` content is dropped; nothing is executed. Table rows become one line
with cells joined by TAB; block elements become line breaks.

>>> from kg.ingest.textmap import apply_edits
>>> apply_edits("<p>a&amp;b</p><script>x</script>", pass_markup("<p>a&amp;b</p><script>x</script>", "md"))[0]
'\\na&b\\n'
"""
from __future__ import annotations

import html.entities
import re

Edit = tuple[int, int, str, int]

_WS_HTML = re.compile(r"[ \t\n\u00a0]{2,}|[\t\n]")
_MASTER = re.compile(
    r"<!--|<(/?)([A-Za-z][A-Za-z0-9]{0,15})(?=[\s/>])([^<>]{0,4000})>|<![A-Za-z][^<>]{0,4000}>|<\?[^<>]{0,4000}>"
    r"|&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
_HIDDEN = {"script", "style", "head", "title", "noscript", "template", "iframe", "object", "svg", "math", "select"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "header", "footer", "blockquote", "pre", "hr", "center", "form", "nav", "aside", "main", "figure", "figcaption",
    "caption", "address", "body", "html",
}
_INLINE = {
    "span", "a", "b", "i", "u", "s", "em", "strong", "font", "sup", "sub", "small", "big", "img", "abbr", "code",
    "mark", "label", "tbody", "thead", "tfoot", "col", "colgroup", "meta", "link", "o", "st1", "wbr", "ins", "del",
}
_TABLE = {"table", "tr", "td", "th"}
_KNOWN = _HIDDEN | _BLOCK | _INLINE | _TABLE
_NL_WS = re.compile(r"[ \t\u00a0]*\n[ \t\n\u00a0]*")


def pass_html_ws(text: str, fmt: str) -> list[Edit]:
    """HTML source whitespace: newlines/tabs/runs collapse to one space (none between CJK)."""
    if fmt != "html":
        return []
    edits: list[Edit] = []
    n = len(text)
    for m in _WS_HTML.finditer(text):
        s, e = m.span()
        prev = text[s - 1] if s else ""
        nxt = text[e] if e < n else ""
        if (prev and ord(prev) > 0x2000) or (nxt and ord(nxt) > 0x2000) or prev in ">" or nxt in "<":
            edits.append((s, e, "", 0))
        elif text[s] == " ":
            edits.append((s + 1, e, "", 0))
        else:
            edits.append((s, e, " ", s))
    return edits


def _entity(body: str) -> str | None:
    if body[0] == "#":
        try:
            cp = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
        except ValueError:
            return None
        if cp in (9, 10) or (0x20 <= cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF and not 0x7F <= cp <= 0x9F):
            return chr(cp)
        return None
    val = html.entities.html5.get(body + ";")
    return val.replace("\xa0", " ") if val else None


def pass_markup(text: str, fmt: str) -> list[Edit]:
    is_html = fmt == "html"
    edits: list[Edit] = []
    tables: list[list[int]] = []  # stack of [cells in current row, in_row]
    pos = 0
    n = len(text)
    while True:
        m = _MASTER.search(text, pos)
        if not m:
            break
        s, e = m.span()
        if tables and tables[-1][1]:  # inside a table row: keep the row on one line
            for w in _NL_WS.finditer(text, pos, s):
                edits.append((w.start(), w.end(), "", 0))
        tok = m.group()
        if tok == "<!--":
            close = text.find("-->", e)
            end = n if close < 0 else close + 3
            edits.append((s, end, "", 0))
            pos = end
            continue
        if m.group(4) is not None:  # entity
            val = _entity(m.group(4))
            if val is not None:
                edits.append((s, e, val, s))
            pos = e
            continue
        name = (m.group(2) or "").lower()
        if tok.startswith("<!") or tok.startswith("<?"):
            if is_html or tok[2:9].lower() == "doctype":
                edits.append((s, e, "", 0))
            pos = e
            continue
        if name not in _KNOWN and not is_html:
            pos = s + 1
            continue
        closing = m.group(1) == "/"
        self_closing = tok.endswith("/>")
        if name in _HIDDEN and not closing and not self_closing:
            cm = re.compile(rf"</{name}\s*>", re.I).search(text, e)
            end = n if cm is None else cm.end()
            edits.append((s, end, "", 0))
            pos = end
            continue
        repl = ""
        in_cell = bool(tables) and tables[-1][1] and tables[-1][0] > 0
        if name == "table":
            if closing:
                if tables:
                    tables.pop()
            elif len(tables) < 200:
                tables.append([0, 0])
            repl = "\n"
        elif name == "tr":
            if tables:
                tables[-1][0] = 0
                tables[-1][1] = 0 if closing else 1
            repl = "\n"
        elif name in ("td", "th"):
            if not closing and tables:
                if tables[-1][0] > 0:
                    repl = "\t"
                tables[-1][0] += 1
                tables[-1][1] = 1
        elif name in _BLOCK:
            repl = " " if in_cell else "\n"
        edits.append((s, e, repl, s))
        pos = e
    return edits
