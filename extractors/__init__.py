"""Format readers: bytes of one file to a ``RawDocument`` (tables of cells of text blocks).

One module per input format. ``read`` sniffs the format from the bytes (the file name is only
a hint, since reports are often published with the wrong extension) and dispatches. A ZIP is a
Word or Excel file by the parts it holds (``extractors.ooxml``), whatever its name.
"""

from __future__ import annotations

import re

from extractors.model import Block, Cell, RawDocument, RawTable, Row
from extractors.ocr.options import OcrOptions
from extractors.ooxml import encrypted_error, is_encrypted_office, office_kind
from schemas.errors import (
    CorruptDocumentError,
    DocumentTooLargeError,
    EmptyInputError,
    UnsupportedFormatError,
)
from schemas.records import SourceFormat

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0", "a legacy MS Office file (DOC/XLS); export it to PDF or HTML first"),
    (b"\x89PNG", "a PNG image; run OCR first and pass its Markdown"),
    (b"\xff\xd8\xff", "a JPEG image; run OCR first and pass its Markdown"),
    (b"GIF8", "a GIF image; run OCR first and pass its Markdown"),
    (b"II*\x00", "a TIFF image; run OCR first and pass its Markdown"),
    (b"MM\x00*", "a TIFF image; run OCR first and pass its Markdown"),
    (b"{\\rtf", "an RTF document; export it to PDF or HTML first"),
)
_HTML_DOC = re.compile(
    rb"^\s*(<!doctype\s+html|<html|<\?xml[^>]*>\s*<html|<head|<body|<meta|<table)", re.I
)
_TABLE = re.compile(rb"<table[\s>]", re.I)
_PIPE_TABLE = re.compile(rb"^\s*\|.*\|\s*$\n^\s*\|?\s*:?-{3,}", re.M)
_EXTENSION_HINTS: dict[str, SourceFormat] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".tsv": "text",
    ".pdf": "pdf",
}


def detect_format(data: bytes, name: str = "") -> SourceFormat:
    """The format of a file from its content, using the extension only to break ties."""
    if not data.strip():
        raise EmptyInputError("the file is empty")
    head = data[:1024]
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return office_kind(data)
    if b"%PDF-" in head:
        return "pdf"
    if is_encrypted_office(data):
        raise encrypted_error()
    for signature, reason in _SIGNATURES:
        if data.startswith(signature):
            raise UnsupportedFormatError(f"not a supported format: {reason}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with its byte-order mark (Windows' "Unicode"): sniffed as the text it holds
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    elif b"\x00" in data[:8192]:
        raise UnsupportedFormatError("not a supported format: binary data that is not a PDF")
    hint = next((f for ext, f in _EXTENSION_HINTS.items() if name.lower().endswith(ext)), None)
    if _HTML_DOC.search(data[:4096]):
        return "html"
    if _TABLE.search(data) or _PIPE_TABLE.search(data):
        return "html" if hint == "html" else "markdown"
    tab_lines = sum(1 for line in data.splitlines() if line.count(b"\t") >= 2)
    if tab_lines >= 2:
        return "text"
    if hint == "pdf":
        raise UnsupportedFormatError("named .pdf but is not a PDF (no %PDF- header)")
    raise UnsupportedFormatError(
        "not a report in a supported format (PDF, Word .docx, Excel .xlsx, HTML with a table, "
        "Markdown with a table, or tab-separated text)"
    )


def read(
    data: bytes, name: str = "", *, password: str | None = None, ocr: OcrOptions | None = None
) -> RawDocument:
    """Parse a file's bytes into its tables; raises an ``InputError`` for bad input.
    ``ocr``: how PDF pages without a usable text layer are read (default: OCR'd)."""
    fmt = detect_format(data, name)
    if fmt in ("html", "markdown", "text"):
        _check_markup_size(data, fmt)
    try:
        return _read(fmt, data, password, ocr)
    except RecursionError:  # a tree thousands of levels deep: no report is built so
        raise CorruptDocumentError(
            f"the {_NAMES[fmt]} file is nested too deeply to read (a damaged or crafted file)"
        ) from None


MAX_MARKUP_TAGS = 100_000
"""Most tags an HTML or Markdown report may have: a report of 500 measures has about 2,000,
and parsing costs about 2 KB of memory per tag (the tree, then its rows)."""
MAX_TEXT_LINES = 100_000
"""Most lines a text, HTML or Markdown report may have."""


def _check_markup_size(data: bytes, fmt: SourceFormat) -> None:
    """``DocumentTooLargeError`` for markup no report has the size of, before it is parsed: a
    50 MB page took a parse to a gigabyte of memory and minutes."""
    tags, lines = data.count(b"<"), data.count(b"\n")
    if tags > MAX_MARKUP_TAGS:
        raise DocumentTooLargeError(
            f"the {_NAMES[fmt]} file has {tags:,} tags, more than the {MAX_MARKUP_TAGS:,} a "
            "report may have"
        )
    if lines > MAX_TEXT_LINES:
        raise DocumentTooLargeError(
            f"the {_NAMES[fmt]} file has {lines:,} lines, more than the {MAX_TEXT_LINES:,} a "
            "report may have"
        )


_NAMES: dict[SourceFormat, str] = {
    "pdf": "PDF",
    "html": "HTML",
    "markdown": "Markdown",
    "docx": "Word",
    "xlsx": "Excel",
    "text": "text",
}


def _read(
    fmt: SourceFormat, data: bytes, password: str | None, ocr: OcrOptions | None
) -> RawDocument:
    if fmt == "pdf":
        from extractors.pdf import read_pdf

        return read_pdf(data, password=password, ocr=ocr)
    if fmt == "html":
        from extractors.html import read_html

        return read_html(data)
    if fmt == "markdown":
        from extractors.markdown import read_markdown

        return read_markdown(data)
    if fmt == "docx":
        from extractors.docx import read_docx

        return read_docx(data)
    if fmt == "xlsx":
        from extractors.xlsx import read_xlsx

        return read_xlsx(data)
    from extractors.text import read_text

    return read_text(data)


__all__ = ["Block", "Cell", "RawDocument", "RawTable", "Row", "detect_format", "read"]
