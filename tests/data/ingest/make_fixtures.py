"""Generate the ingest fixtures of this directory, deterministically (same bytes on every run).

    python tests/data/ingest/make_fixtures.py [OUT_DIR]

Texts are written for these tests (not taken from the sample corpus). See README.md.
"""
from __future__ import annotations

import io
import random
import sys
import zipfile
from pathlib import Path

NOTICE = (
    "广东省人民政府办公厅文件\n"
    "粤府办〔2024〕7号\n"
    "广东省人民政府办公厅关于印发《某某示范行动方案》的通知\n"
    "各市州人民政府：\n"
    "现将《某某示范行动方案》印发给你们，请认真组织实施。\n"
    "广东省人民政府办公厅\n"
    "2024年3月5日\n"
    "1. 推进数字政府建设。（省数据局牵头，省财政厅等按职责分工负责）\n"
)
OUTSIDE_GBK = "𠮷"  # U+20BB7: four bytes in GB18030, not in GBK

TABLE_ROWS = [
    ("序号", "重点任务", "牵头单位", "配合单位"),
    ("1", "建设算力中心", "省发展改革委", "省工业和信息化厅、省通信管理局"),
    ("2", "培育数据要素市场", "省数据局", "省财政厅"),
]


def text_fixtures() -> dict[str, bytes]:
    out = {
        "utf8.txt": NOTICE.encode("utf-8"),
        "utf8_bom.txt": b"\xef\xbb\xbf" + NOTICE.encode("utf-8"),
        "utf16le_bom.txt": b"\xff\xfe" + NOTICE.encode("utf-16-le"),
        "utf16be_bom.txt": b"\xfe\xff" + NOTICE.encode("utf-16-be"),
        "utf16le_nobom.txt": NOTICE.encode("utf-16-le"),
        "utf16be_nobom.txt": NOTICE.encode("utf-16-be"),
        "gbk.txt": NOTICE.encode("gbk"),
        "gb18030_outside_gbk.txt": (NOTICE + "吉祥的" + OUTSIDE_GBK + "字。\n").encode("gb18030"),
        "empty.txt": b"",
        "whitespace_only.txt": b"  \n\t\n",
        "nul_bytes.txt": NOTICE.encode("utf-8")[:30] + b"\x00\x00\x01\x02" + NOTICE.encode("utf-8")[30:],
        "png_renamed.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        # invalid UTF-8 (lone continuation bytes and 0xFF) inside Chinese UTF-8 text
        "invalid_utf8.txt": NOTICE.encode("utf-8")[:60] + b"\xff\xfe\x80" + NOTICE.encode("utf-8")[60:],
    }
    rng = random.Random(20240601)
    out["random_bytes.bin.txt"] = bytes(rng.randrange(256) for _ in range(4096))
    out["lead_table.html"] = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>某某省示范行动方案</title>"
        "<script>document.write('<p>不应出现</p>')</script><style>td{color:red}</style></head><body>\n"
        "<h2>某某省示范行动方案</h2>\n<p>一、重点任务</p>\n<table>\n"
        + "".join(
            "<tr>" + "".join(f"\n  <td>{c}</td>" for c in row) + "\n</tr>\n" for row in TABLE_ROWS
        )
        + "</table>\n<p>各地要&nbsp;抓好落实&amp;推进。</p></body></html>\n"
    ).encode("utf-8")
    out["nested.html"] = ("<div>" * 50000 + "深层文本" + "</div>" * 50000 + "<!--" + "<" * 20000).encode("utf-8")
    out["front_matter.md"] = (
        "---\ntitle: '某某省示范行动方案'\ndate: 2024-03-05\nauthor: 某某省人民政府办公厅\n---\n\n"
        "# 某某省示范行动方案\n\n一、总体要求\n\n**坚持**系统推进。\n"
    ).encode("utf-8")
    return out


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and order, so the bytes do not depend on the clock."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(name))
    return buf.getvalue()


def docx_fixture() -> bytes:
    import datetime

    import docx

    d = docx.Document()
    d.core_properties.created = datetime.datetime(2020, 1, 1)
    d.core_properties.modified = datetime.datetime(2020, 1, 1)
    d.core_properties.last_printed = datetime.datetime(2020, 1, 1)
    d.add_paragraph("某某省示范行动方案")
    d.add_paragraph("一、重点任务")
    table = d.add_table(rows=len(TABLE_ROWS), cols=len(TABLE_ROWS[0]))
    for r, row in enumerate(TABLE_ROWS):
        for c, val in enumerate(row):
            table.cell(r, c).text = val
    d.add_paragraph("二、保障措施")
    buf = io.BytesIO()
    d.save(buf)
    return _fixed_zip(buf.getvalue())


def pdf_fixture(text: str = "Policy notice 2024: task one led by the data bureau.") -> bytes:
    """A minimal one-page PDF (Helvetica, ASCII text) with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def all_fixtures() -> dict[str, bytes]:
    out = text_fixtures()
    docx_bytes = docx_fixture()
    pdf_bytes = pdf_fixture()
    out["lead_table.docx"] = docx_bytes
    out["truncated.docx"] = docx_bytes[: len(docx_bytes) // 2]
    out["minimal.pdf"] = pdf_bytes
    out["truncated.pdf"] = pdf_bytes[: len(pdf_bytes) * 2 // 3]
    return out


def write(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sorted(all_fixtures().items()):
        p = out_dir / name
        p.write_bytes(data)
        written.append(p)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    for path in write(target):
        print(path)
