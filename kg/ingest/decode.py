"""Decode the bytes of a text file, detecting the encoding from the bytes alone.

Order: BOM (UTF-8, UTF-16 LE/BE, UTF-32) → strict UTF-8 → BOM-less UTF-16 (NUL
pattern or plausible CJK) → strict GB18030 with a plausibility check (most Chinese
characters in GB2312, the common set), so UTF-8 with a stray byte is not silently
turned into mojibake. Raises :class:`DecodeProblem` with a short cause otherwise.

>>> decode_bytes("湖南省".encode("gb18030"))
('湖南省', 'gb18030')
>>> decode_bytes(b"\\xef\\xbb\\xbf" + "长沙".encode("utf-8"))
('长沙', 'utf-8-sig')
>>> decode_bytes("长沙 2025".encode("utf-16-le"))
('长沙 2025', 'utf-16-le')
"""
from __future__ import annotations

import re


class DecodeProblem(ValueError):
    """The bytes are not text in a supported encoding (message: the cause)."""


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive (DOCX/XLSX?)"),
    (b"%PDF-", "PDF document"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy MS Office (OLE) file"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
)
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# C0 controls other than \t \n \r \f, plus DEL and C1 controls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u2010-\u2027]")
_PLAIN = re.compile(r"[\t\n\r\f\x20-\x7e\u00a0-\u00ff\u2010-\u2027\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_SAMPLE = 200_000


def sniff_binary(data: bytes) -> str | None:
    """Name of the binary format ``data`` starts with, or None."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return None


def _control_ratio(text: str) -> float:
    sample = text[:_SAMPLE]
    return len(_CONTROL.findall(sample)) / max(len(sample), 1)


def _plausible(text: str) -> bool:
    """Mostly CJK / ASCII / common punctuation, few control characters."""
    sample = text[:_SAMPLE]
    if not sample:
        return True
    plain = len(_PLAIN.findall(sample))
    return plain / len(sample) >= 0.9 and _control_ratio(sample) < 0.01


def _common_chinese(text: str) -> bool:
    """Most non-ASCII characters are in GB2312 (the ~7,000 common characters and symbols)."""
    sample = [ch for ch in text[:_SAMPLE] if ord(ch) > 0x7F]
    if not sample:
        return True
    common = 0
    for ch in sample:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(sample) >= 0.9 or len(sample) - common <= 2 and common >= len(sample) / 2


def _try(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, ValueError):
        return None


def _utf16_by_nul(data: bytes) -> str | None:
    """BOM-less UTF-16: NUL bytes sit almost all at odd (LE) or even (BE) offsets."""
    sample = data[: 2 * _SAMPLE]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if even + odd == 0:
        return None
    if len(data) % 2:
        return None
    # Try the likelier byte order first; keep the first that decodes strictly to plausible
    # Chinese text. (CJK code points such as U+4E00 put NULs in the "wrong" half too.)
    order = ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le")
    for enc in order:
        text = _try(data, enc)
        if text is not None and _plausible(text) and (_common_chinese(text) or _CJK.search(text) is None):
            return enc
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of ``data``; raises :class:`DecodeProblem` with the cause."""
    if not data:
        raise DecodeProblem("empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            text = _try(data, enc)
            if text is None:
                raise DecodeProblem(f"starts with a {enc} byte-order mark but is not valid {enc}")
            if enc == "utf-8-sig" and text.startswith("\ufeff"):
                text = text[1:]
            if enc.startswith("utf-16") or enc.startswith("utf-32"):
                text = text.lstrip("\ufeff")
            _check_text(text, enc)
            return text, enc
    kind = sniff_binary(data)
    if kind:
        raise DecodeProblem(f"binary file ({kind}), not text")
    has_nul = b"\x00" in data
    if not has_nul:
        text = _try(data, "utf-8")
        if text is not None:
            _check_text(text, "utf-8")
            return text, "utf-8"
    enc16 = _utf16_by_nul(data) if has_nul else None
    if enc16:
        text = data.decode(enc16)
        _check_text(text, enc16)
        return text, enc16
    if has_nul:
        raise DecodeProblem("binary file (contains NUL bytes), not text")
    gb = _try(data, "gb18030")
    if gb is not None and _plausible(gb) and _common_chinese(gb):
        return gb, "gb18030"
    if len(data) % 2 == 0:  # UTF-16 without BOM and without ASCII (no NULs)
        for enc in ("utf-16-le", "utf-16-be"):
            t16 = _try(data, enc)
            if t16 is not None and len(_CJK.findall(t16[:_SAMPLE])) > 0.8 * len(t16[:_SAMPLE]) and _common_chinese(t16):
                return t16, enc
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        where = e.start
    else:  # pragma: no cover - utf-8 succeeded above
        where = 0
    sample = data[:_SAMPLE]
    low = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    if low > 0.05 * len(sample):
        raise DecodeProblem("binary file (control bytes), not text")
    raise DecodeProblem(
        f"undecodable bytes: invalid UTF-8 at byte {where} and not valid GB18030 or UTF-16 text"
    )


def _check_text(text: str, enc: str) -> None:
    if "\x00" in text:
        raise DecodeProblem(f"binary file (NUL characters in {enc} text), not text")
    if _control_ratio(text) > 0.01:
        raise DecodeProblem(f"binary file (control characters in {enc} text), not text")
