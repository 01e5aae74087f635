"""Generate the bad-input corpus of ``tests/test_robustness.py`` into a directory.

Nothing is committed: the tests call :func:`make_bad_inputs` with ``tmp_path``. Run by hand to look at
the files::

    python tests/data/robustness/make_bad_inputs.py OUT_DIR [--big-mb 50]

Every text was written for these tests (none is taken from the sample corpus). :data:`CASES` says, for
every file, whether it is a GOOD input (it must decode, build and have its responsibility note found)
or a BAD one (it must fail with a one-line error naming the file and containing the given cause words).
"""
from __future__ import annotations

import io
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Case:
    name: str
    good: bool
    #: GOOD: the lead the note names; BAD: words (lower case) one of which the error's cause contains
    expect: tuple[str, ...]
    what: str


def notice(task: str, lead: str = "省发展改革委", support: str = "省财政厅") -> str:
    """A short, well-formed notice with one task and one responsibility note."""
    return (
        "湘政办发〔2024〕9号\n"
        "湖南省人民政府办公厅关于印发《测试工作方案》的通知\n"
        "各市州人民政府，省政府各厅委、各直属机构：\n"
        "一、重点任务\n"
        f"（一）{task}。加快重大项目前期工作，按期开工建设。（{lead}牵头，{support}按职责分工负责）\n"
        "二、保障措施\n"
        "加强组织领导，强化督促检查。\n"
        "湖南省人民政府办公厅\n"
        "2024年3月1日\n"
    )


def _docx_bytes(text: str) -> bytes:
    """A real DOCX (python-docx) holding ``text`` one paragraph per line."""
    import datetime

    import docx

    d = docx.Document()
    stamp = datetime.datetime(2020, 1, 1)
    d.core_properties.created = d.core_properties.modified = d.core_properties.last_printed = stamp
    for line in text.splitlines():
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    # Repack with fixed timestamps and order, so the bytes do not depend on the clock.
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            dst.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), src.read(name),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _pdf_bytes() -> bytes:
    """A small valid one-page PDF (ASCII text, Helvetica) with a correct xref table."""
    stream = b"BT /F1 12 Tf 72 720 Td (Work plan: tasks and lead departments) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def hostile_html(depth: int = 100_000) -> str:
    """Scripts, styles, an unterminated tag, entities and ``depth`` nested divs around a real notice."""
    body = notice("推进网页任务").replace("\n", "<br>\n")
    return (
        "<!DOCTYPE html><html><head><title>测试网页</title>"
        "<script>document.write('<p>（省教育厅牵头）</p>'); while(true){}</script>"
        "<style>p{color:red}</style></head><body onload=\"alert(1)\">"
        + "<div>" * depth
        + "<p>" + body + "</p>"
        + "</div>" * depth
        + "<script src=\"http://example.invalid/x.js\"></script><iframe src=\"javascript:alert(1)\"></iframe>"
        "<p>&lt;script&gt;alert(2)&lt;/script&gt; &amp;&#0;&#xD800;&unknownentity;</p></body></html>"
    )


#: file name → expectation. GOOD inputs carry the lead unit their note names.
CASES: tuple[Case, ...] = (
    Case("good_utf8.txt", True, ("省发展改革委",), "UTF-8 notice (control)"),
    Case("good_gbk.txt", True, ("省发展改革委",), "the notice in GBK"),
    Case("good_gb18030.txt", True, ("省发展改革委",), "the notice in GB18030 with 𠮷 (outside GBK)"),
    Case("good_utf16le_bom.txt", True, ("省发展改革委",), "UTF-16 LE with BOM"),
    Case("good_utf16be_bom.txt", True, ("省发展改革委",), "UTF-16 BE with BOM"),
    Case("good_utf16le_nobom.txt", True, ("省发展改革委",), "UTF-16 LE without BOM"),
    Case("good_utf16be_nobom.txt", True, ("省发展改革委",), "UTF-16 BE without BOM"),
    Case("good_hostile.html", True, ("省发展改革委",), "100k nested divs, <script>, <iframe>, bad entities"),
    Case("good_nostructure.txt", True, (), "one long line of prose: no headings, no notes"),
    Case("dup_a.txt", True, ("省发展改革委",), "a notice"),
    Case("dup_b.txt", True, ("省发展改革委",), "the same bytes as dup_a.txt under another name"),
    Case("bad_empty.txt", False, ("empty",), "0 bytes"),
    Case("bad_whitespace.txt", False, ("empty", "no text"), "only spaces and newlines"),
    Case("bad_binary.txt", False, ("binary",), "a PNG signature and bytes 0-255, named .txt"),
    Case("bad_random.txt", False, ("binary", "undecodable", "control"), "pseudo-random bytes (seeded)"),
    Case("bad_truncated.docx", False, ("docx",), "the first half of a real DOCX"),
    Case("bad_truncated.pdf", False, ("pdf",), "the first half of a valid PDF"),
    Case("bad_notdocx.docx", False, ("docx",), "plain text named .docx"),
    Case("bad_invalid_utf8.txt", False, ("utf-8", "undecodable"), "UTF-8 notice with FF FE 80 inserted"),
    Case("bad_nul.txt", False, ("nul", "binary"), "UTF-8 notice with NUL bytes inserted"),
)


def make_bad_inputs(dest: str | Path) -> dict[str, Case]:
    """Write every file of :data:`CASES` into ``dest``; returns name → case. Deterministic."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    utf8 = notice("推进项目建设").encode("utf-8")
    files = {
        "good_utf8.txt": utf8,
        "good_gbk.txt": notice("推进编码任务甲").encode("gbk"),
        "good_gb18030.txt": (notice("推进编码任务乙") + "附：𠮷字。\n").encode("gb18030"),
        "good_utf16le_bom.txt": b"\xff\xfe" + notice("推进编码任务丙").encode("utf-16-le"),
        "good_utf16be_bom.txt": b"\xfe\xff" + notice("推进编码任务丁").encode("utf-16-be"),
        "good_utf16le_nobom.txt": notice("推进编码任务戊").encode("utf-16-le"),
        "good_utf16be_nobom.txt": notice("推进编码任务己").encode("utf-16-be"),
        "good_hostile.html": hostile_html().encode("utf-8"),
        "good_nostructure.txt": ("这是一段没有任何标题编号和职责分工说明的文字内容" * 400).encode("utf-8"),
        "dup_a.txt": notice("推进重复文档任务").encode("utf-8"),
        "dup_b.txt": notice("推进重复文档任务").encode("utf-8"),
        "bad_empty.txt": b"",
        "bad_whitespace.txt": b"   \n\n \t \r\n",
        "bad_binary.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        "bad_random.txt": random.Random(20240601).randbytes(8192),
        "bad_truncated.docx": (lambda b: b[: len(b) // 2])(_docx_bytes(notice("推进文档任务"))),
        "bad_truncated.pdf": (lambda b: b[: len(b) // 2])(_pdf_bytes()),
        "bad_notdocx.docx": notice("推进格式任务").encode("utf-8"),
        "bad_invalid_utf8.txt": utf8[:60] + b"\xff\xfe\x80" + utf8[60:],
        "bad_nul.txt": b"\x00".join(utf8[i:i + 40] for i in range(0, len(utf8), 40)),
    }
    assert set(files) == {c.name for c in CASES}
    for name, data in files.items():
        (dest / name).write_bytes(data)
    assert zipfile.is_zipfile(io.BytesIO(_docx_bytes("x")))
    return {c.name: c for c in CASES}


def make_big_file(path: str | Path, size: int = 50 << 20) -> int:
    """A single UTF-8 text file of about ``size`` bytes: one notice (with its note), then numbered lines of
    plain prose, each line different (so no stage can fold repeats away). Returns its size in bytes."""
    head = notice("推进大文件任务").encode("utf-8")
    path = Path(path)
    with open(path, "wb") as fh:
        fh.write(head)
        n, i = len(head), 0
        while n < size:
            block = "".join(f"加强组织领导，强化督促检查，确保第{k}项工作落到实处，持续优化发展环境。\n"
                            for k in range(i, i + 1000)).encode("utf-8")
            fh.write(block)
            n += len(block)
            i += 1000
    return path.stat().st_size


if __name__ == "__main__":  # pragma: no cover - a tool
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--big-mb", type=float, default=0, help="also write big.txt of this many MB")
    a = ap.parse_args()
    for c in make_bad_inputs(a.out).values():
        print(f"{'GOOD' if c.good else 'BAD '}  {c.name:<26} {c.what}")
    if a.big_mb:
        print(f"big.txt: {make_big_file(a.out / 'big.txt', int(a.big_mb * (1 << 20))):,} bytes")
    sys.exit(0)
