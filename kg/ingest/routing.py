"""Routing forms (文件处理单) of scanned copies, for :mod:`kg.normalise`.

A block of TAB rows whose first cell is a form label (来文机关, 文号, 收文日期, 领导批示 …),
with ``label：value`` lines, blank lines and serial numbers, optionally under a title line
ending in 处理单/阅办单/…, is removed; the real document that follows is kept.
"""
from __future__ import annotations

import re

Edit = tuple[int, int, str, int]

_FORM_LABELS = (
    "来文机关|来文单位|来文字号|来文文号|文号|收文日期|收文时间|收文编号|收文号|文件主题|文件标题|标题|事由|"
    "拟发单位|送批意见|拟办意见|办公室意见|领导批示|批示|批示意见|阅示|备注|经办人|联系电话|联系人|密级|缓急|"
    "紧急程度|份数|页数|承办单位|主办单位|办理情况|办理结果|办理意见|核稿|签发|拟稿|登记号|编号|收文登记号|处理结果"
)
_FORM_STRONG = re.compile(
    r"(?m)^(?:来文机关|来文单位|来文字号|收文日期|收文时间|收文编号|收文号|文件主题|拟发单位|送批意见|拟办意见|办公室意见|领导批示|"
    r"批示意见|阅示|经办人|办理结果|处理结果)\s*[\t：:]"
)
_FORM_TAB = re.compile(rf"^(?:{_FORM_LABELS})\s*\t")
_FORM_KV = re.compile(rf"^(?:{_FORM_LABELS})\s*[：:]")
_FORM_TITLE = re.compile(r"(?:处理单|办理单|阅办单|阅文单|办文单|呈批单|批办单|签批单|传阅单|阅件单|处理笺|收文登记表?)$")
_FORM_ANY = re.compile(rf"(?m)^(?:{_FORM_LABELS})\s*\t")
_NUMBER_LINE = re.compile(r"^[\s\-—－–~～]*\d{1,8}[\s\-—－–~～]*$")


def lines_of(text: str):
    """(start, end) of every line (end excludes the newline)."""
    pos = 0
    n = len(text)
    while pos <= n:
        e = text.find("\n", pos)
        if e < 0:
            e = n
        yield pos, e
        pos = e + 1


def pass_routing(text: str, fmt: str) -> list[Edit]:
    if not _FORM_ANY.search(text):
        return []
    lines = list(lines_of(text))
    edits: list[Edit] = []
    k = 0
    while k < len(lines):
        s, e = lines[k]
        line = text[s:e].strip(" \u3000")
        if not _FORM_TAB.match(line):
            k += 1
            continue
        first = last = k
        n_tab, n_form, n_other = 1, 1, 0
        j = k + 1
        while j < len(lines):  # extend over form rows, blank lines and serial numbers
            ln = text[lines[j][0]:lines[j][1]].strip(" \u3000")
            if _FORM_TAB.match(ln):
                n_tab += 1
                n_form += 1
                last = j
            elif _FORM_KV.match(ln):
                n_form += 1
                last = j
            elif ln and "\t" in ln and not re.search(r"[。；]", ln.split("\t", 1)[0]):
                last = j  # continuation row of the form (empty label cell)
                n_other += 1
            elif not ln or _NUMBER_LINE.match(ln):
                pass
            else:
                break
            j += 1
        j = last + 1
        while j < len(lines):  # trailing blank lines and serial numbers of the form
            ln = text[lines[j][0]:lines[j][1]].strip()
            if ln and not _NUMBER_LINE.match(ln):
                break
            if ln:
                last = j
            j += 1
        block = text[lines[first][0]:lines[last][1]]
        if (n_tab >= 2 or n_form >= 3) and n_other <= n_form and _FORM_STRONG.search(block):
            b = first - 1  # a form title right above (skipping blank lines)
            while b >= 0 and not text[lines[b][0]:lines[b][1]].strip():
                b -= 1
            if b >= 0 and _FORM_TITLE.search(text[lines[b][0]:lines[b][1]].strip()):
                first = b
            edits.append((lines[first][0], lines[last][1], "", 0))
        k = last + 1
    return edits
