"""kg.ingest: formats, encodings detected from bytes, and a clear error for each bad input."""
from __future__ import annotations

import hashlib
import importlib.util
import time
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import read_bytes, read_source
from kg.ingest.decode import DecodeProblem, decode_bytes
from kg.normalise import normalise


@pytest.fixture(scope="module")
def fx(data_dir) -> Path:
    return data_dir / "ingest"


def _load_maker(fx: Path):
    spec = importlib.util.spec_from_file_location("make_fixtures", fx / "make_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_fixtures_are_deterministic_and_current(fx, tmp_path):
    maker = _load_maker(fx)
    maker.write(tmp_path)
    for p in sorted(tmp_path.iterdir()):
        assert (fx / p.name).read_bytes() == p.read_bytes(), f"{p.name}: rerun make_fixtures.py"


@pytest.mark.parametrize(
    "name, encoding",
    [
        ("utf8.txt", "utf-8"),
        ("utf8_bom.txt", "utf-8-sig"),
        ("utf16le_bom.txt", "utf-16-le"),
        ("utf16be_bom.txt", "utf-16-be"),
        ("utf16le_nobom.txt", "utf-16-le"),
        ("utf16be_nobom.txt", "utf-16-be"),
        ("gbk.txt", "gb18030"),
        ("gb18030_outside_gbk.txt", "gb18030"),
    ],
)
def test_encodings_detected_from_bytes(fx, name, encoding):
    doc = read_source(fx / name)
    assert doc.meta.encoding == encoding
    assert doc.raw.startswith("广东省人民政府办公厅文件\n")
    assert "\ufeff" not in doc.raw
    assert doc.text == doc.raw and doc.offsets.to_raw(5) == 5
    assert doc.doc_id == hashlib.sha256((fx / name).read_bytes()).hexdigest()[:16]
    if "outside_gbk" in name:
        assert "𠮷" in doc.raw


def test_encoding_ignores_extension(fx, tmp_path):
    p = tmp_path / "notice.html"  # GBK bytes under an .html name
    p.write_bytes((fx / "gbk.txt").read_bytes())
    assert read_source(p).meta.encoding == "gb18030"


@pytest.mark.parametrize(
    "name, cause",
    [
        ("empty.txt", "empty file"),
        ("whitespace_only.txt", "empty file"),
        ("nul_bytes.txt", "binary file"),
        ("png_renamed.txt", "binary file (PNG image)"),
        ("random_bytes.bin.txt", "binary file"),
        ("invalid_utf8.txt", "undecodable bytes: invalid UTF-8 at byte 60"),
        ("truncated.docx", "truncated or corrupt DOCX"),
        ("truncated.pdf", "truncated PDF"),
    ],
)
def test_bad_input_gives_one_line_error(fx, name, cause):
    with pytest.raises(InputError) as err:
        read_source(fx / name)
    msg = str(err.value)
    assert msg.startswith(str(fx / name) + ": ")
    assert cause in msg
    assert "\n" not in msg


@pytest.mark.parametrize(
    "data, name, cause",
    [
        (b"PK\x03\x04" + b"\x00" * 40, "x.docx", "DOCX"),
        (b"hello", "x.docx", "not a DOCX"),
        (b"%PDF-1.4\n1 0 obj\n", "x.pdf", "truncated PDF"),
        (b"\x89PNG\r\n\x1a\nxxxx", "x.pdf", "not a PDF (PNG image)"),
        (b"\xef\xbb\xbf\xff\xfe", "x.txt", "not valid utf-8-sig"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "x.txt", "binary file"),
    ],
)
def test_bad_bytes(data, name, cause):
    with pytest.raises(InputError) as err:
        read_bytes(data, name)
    assert cause in str(err.value)


def test_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_source(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="directory"):
        read_source(tmp_path)


def test_size_limit(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes("湖南省人民政府。\n".encode("utf-8") * 100)
    with pytest.raises(InputError, match="file too large"):
        read_source(p, max_bytes=1000)
    assert read_source(p, max_bytes=10_000).raw.count("\n") == 100


@pytest.mark.parametrize(
    "text, enc",
    [
        ("各市州人民政府：现将方案印发给你们。", "utf-8"),
        ("各市州人民政府：现将方案印发给你们。", "gb18030"),
        ("各市州人民政府：现将方案印发给你们。\n第1条", "utf-16-le"),
        ("各市州人民政府：现将方案印发给你们。\n第1条", "utf-16-be"),
        ("湖南", "gb18030"),  # very short GBK text
        ("镕基、喆", "gb18030"),  # GBK characters outside GB2312 in a short string
    ],
)
def test_decode_short_chinese(text, enc):
    data = text.encode("gbk" if enc == "gb18030" and "喆" not in text else enc)
    got, detected = decode_bytes(data)
    assert got == text
    if enc != "gb18030" or "喆" not in text:
        assert detected == enc


def test_invalid_utf8_in_chinese_text_is_an_error_not_mojibake():
    data = "省发展改革委牵头，省财政厅参与。".encode("utf-8")
    bad = data[:9] + b"\xc0" + data[9:]
    with pytest.raises(DecodeProblem, match="invalid UTF-8 at byte 9"):
        decode_bytes(bad)


@pytest.mark.parametrize("name", ["lead_table.docx", "lead_table.html"])
def test_lead_table_rows_are_tab_joined(fx, name):
    doc = normalise(read_source(fx / name))
    lines = doc.text.split("\n")
    header = [ln for ln in lines if "牵头单位" in ln]
    assert header == ["序号\t重点任务\t牵头单位\t配合单位"]
    assert "1\t建设算力中心\t省发展改革委\t省工业和信息化厅、省通信管理局" in lines
    assert "2\t培育数据要素市场\t省数据局\t省财政厅" in lines
    assert "不应出现" not in doc.text and "color" not in doc.text
    # the table sits between the paragraphs around it, in document order
    assert lines.index("一、重点任务") < lines.index(header[0])


def test_docx_formats_and_pdf_text(fx):
    d = read_source(fx / "lead_table.docx")
    assert d.meta.format == "docx" and d.text == d.raw
    assert d.raw.split("\n")[-1] == "二、保障措施"
    p = read_source(fx / "minimal.pdf")
    assert p.meta.format == "pdf"
    assert "Policy notice 2024" in p.raw


def test_markdown_front_matter(fx):
    d = read_source(fx / "front_matter.md")
    assert (d.meta.format, d.meta.title, d.meta.date, d.meta.issuer) == (
        "md", "某某省示范行动方案", "2024-03-05", "某某省人民政府办公厅")
    n = normalise(d)
    assert n.text.split("\n")[:3] == ["某某省示范行动方案", "一、总体要求", "坚持系统推进。"]


def test_hostile_html_is_fast_and_safe(fx):
    t = time.perf_counter()
    d = normalise(read_source(fx / "nested.html"))
    assert time.perf_counter() - t < 10
    assert d.text == "深层文本"


@pytest.mark.parametrize(
    "html_text, expected",
    [
        ("<p>a&lt;b</p><script>x()</script><p>c</p>", "a<b\nc"),
        ("<p>x</p><!-- never closed <p>y</p>", "x"),
        ("<style>p{}</style>正文<img src=x onerror=alert(1)>", "正文"),
        ("<p>" + "<" * 5000 + "</p>", "<" * 5000),
        ("<table><tr><td>1</td><td>A<br>B</td></tr></table>", "1\tA B"),
    ],
)
def test_html_cleaning(html_text, expected, tmp_path):
    p = tmp_path / "x.html"
    p.write_text(html_text, encoding="utf-8")
    assert normalise(read_source(p)).text == expected


@pytest.mark.slow
def test_50mb_text_file_reads_quickly(tmp_path):
    line = "（省发展改革委牵头，省财政厅等按职责分工负责）推进重点项目建设，增长 6.5% 左右。\n"
    p = tmp_path / "big.txt"
    data = line.encode("utf-8")
    p.write_bytes(data * (50_000_000 // len(data)))
    t = time.perf_counter()
    doc = read_source(p)
    assert time.perf_counter() - t < 10
    assert len(doc.raw) > 15_000_000
