"""Read one source file into a :class:`kg.types.Document` (``text == raw``, identity offsets).

Formats: ``.txt``, ``.md`` (YAML front matter → title/date/issuer), ``.html``/``.htm``,
``.docx`` (paragraphs and tables in order, table cells joined by TAB) and ``.pdf``.
The encoding of text formats is detected from the bytes, never from the extension.
For TXT/MD/HTML, ``raw`` is the decoded file, so raw offsets count characters of it.

Anything unreadable raises :class:`kg.errors.InputError` naming the file and the cause.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from kg.errors import InputError
from kg.types import DocMeta, Document, OffsetMap

from .decode import DecodeProblem, decode_bytes, sniff_binary
from .formats import FormatProblem, docx_text, front_matter, html_title, meta_from_front_matter, pdf_text

__all__ = ["read_source", "read_bytes", "MAX_BYTES", "SUPPORTED_SUFFIXES"]

#: Default size limit (bytes); override per call or with the ``KG_MAX_INPUT_BYTES`` environment variable.
MAX_BYTES = 64 * 1024 * 1024

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf")
_FORMAT = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
           ".docx": "docx", ".pdf": "pdf"}


def _limit(max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    env = os.environ.get("KG_MAX_INPUT_BYTES")
    if env and env.isdigit():
        return int(env)
    return MAX_BYTES


def read_source(path: str | os.PathLike, *, max_bytes: int | None = None) -> Document:
    """Read ``path`` into a :class:`Document` with ``text == raw`` and identity offsets.

    ``source`` is the path exactly as given; ``doc_id`` the first 16 hex digits of the
    SHA-256 of the file's bytes.
    """
    source = os.fspath(path)
    p = Path(source)
    try:
        if p.is_dir():
            raise InputError(source, "is a directory, not a document")
        size = p.stat().st_size
    except FileNotFoundError:
        raise InputError(source, "file not found") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as e:
        raise InputError(source, f"cannot read ({e.strerror or e})") from None
    limit = _limit(max_bytes)
    if size > limit:
        raise InputError(source, f"file too large ({size} bytes; limit {limit} bytes, set KG_MAX_INPUT_BYTES to raise it)")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(source, f"cannot read ({e.strerror or e})") from None
    return read_bytes(data, source, max_bytes=limit)


def read_bytes(data: bytes, source: str, *, max_bytes: int | None = None) -> Document:
    """Like :func:`read_source` for bytes already in memory; ``source`` names them (suffix → format)."""
    limit = _limit(max_bytes)
    if len(data) > limit:
        raise InputError(source, f"file too large ({len(data)} bytes; limit {limit} bytes)")
    if not data or not data.strip(b" \t\r\n\x00"):
        raise InputError(source, "empty file" if not data else "empty file (only whitespace)")
    suffix = Path(source).suffix.lower()
    fmt = _FORMAT.get(suffix)
    if fmt is None:  # unknown suffix: sniff the bytes
        fmt = "docx" if data.startswith(b"PK\x03\x04") else "pdf" if data.startswith(b"%PDF-") else "txt"
    doc_id = hashlib.sha256(data).hexdigest()[:16]
    fields: dict[str, str] = {}
    encoding = "utf-8"
    try:
        if fmt == "docx":
            if not data.startswith(b"PK"):
                kind = sniff_binary(data)
                raise InputError(source, f"not a DOCX ({kind or 'not a zip archive'})")
            raw = docx_text(data)
        elif fmt == "pdf":
            if not data.lstrip()[:5] == b"%PDF-":
                kind = sniff_binary(data)
                raise InputError(source, f"not a PDF ({kind or 'no %PDF- header'})")
            raw = pdf_text(data)
        else:
            raw, encoding = decode_bytes(data)
            if fmt == "md" or (fmt == "txt" and raw.lstrip().startswith("---")):
                fields = meta_from_front_matter(front_matter(raw))
            elif fmt == "html":
                t = html_title(raw)
                if t:
                    fields["title"] = t
    except (DecodeProblem, FormatProblem) as e:
        raise InputError(source, str(e)) from None
    except RecursionError:
        raise InputError(source, "document nested too deeply to read") from None
    if not raw.strip():
        raise InputError(source, "no text in the document")
    meta = DocMeta(format=fmt, encoding=encoding, **fields)
    return Document(source=source, doc_id=doc_id, raw=raw, text=raw, offsets=OffsetMap.identity(), meta=meta)
