"""Extraction as a pure function: a file's bytes in, an ``ExtractedDocument`` out.

Nothing here writes anywhere; loading is ``loaders``' job. That makes parsing safe to run in
worker processes and its result the same wherever it runs.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import extractors
from etl.transform.normalise.abbreviations import expansion, find_known
from etl.transform.normalise.dates import find_dates
from etl.transform.structure import build_entries
from extractors.ocr.options import OcrOptions
from schemas.errors import DocumentTooLargeError, InputError
from schemas.records import Entry, ExtractedDocument, SourceInfo

PARSER_VERSION = "1.5"
"""Bumped whenever a change makes extraction give different records for the same bytes;
the loader re-parses sources parsed by another version."""

MAX_BYTES = 200 * 1024 * 1024


def extract_bytes(
    data: bytes,
    path: str = "<bytes>",
    *,
    password: str | None = None,
    ocr: OcrOptions | None = None,
) -> ExtractedDocument:
    """Parse one report. Raises an ``InputError`` naming ``path`` for bad input. ``ocr``: how
    PDF pages without a usable text layer are read (``extractors.ocr``; default: OCR'd)."""
    try:
        if len(data) > MAX_BYTES:
            raise DocumentTooLargeError(
                f"{len(data):,} bytes is more than the {MAX_BYTES:,}-byte limit"
            )
        raw = extractors.read(data, path, password=password, ocr=ocr)
        report, entries, warnings, counts = build_entries(raw)
    except InputError as error:
        error.path = error.path or path
        raise
    repairs = Counter(raw.repairs)
    repairs.update(counts)
    source = SourceInfo(path, hashlib.sha256(data).hexdigest(), raw.format, raw.pages, len(data))
    return ExtractedDocument(
        source,
        report,
        entries,
        (*raw.warnings, *warnings),
        dict(sorted(repairs.items())),
        PARSER_VERSION,
        abbreviations_used(entries),
        raw.readings,
    )


def abbreviations_used(entries: Sequence[Entry]) -> dict[str, str]:
    """The table's abbreviations that the items use, in order of first use, expanded; a
    month inside a date ("22 ก.พ. 64") is not the abbreviation it looks like."""
    used: dict[str, str] = {}
    for entry in entries:
        for item in entry.items:
            text = item.text
            for date in reversed(list(find_dates(text))):
                text = text[: date.start] + " " + text[date.end :]
            for abbr in find_known(text):
                used.setdefault(abbr, expansion(abbr) or "")
    return used


def extract_file(
    path: str | Path, *, password: str | None = None, ocr: OcrOptions | None = None
) -> ExtractedDocument:
    return extract_bytes(read_file(path), str(path), password=password, ocr=ocr)


_NOT_FILES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def check_file(path: str | Path) -> int:
    """The size of the regular file at ``path``; ``InputError`` naming it when it is not one
    (opening a FIFO would block for ever, a folder cannot be read) or cannot be read."""
    try:
        mode = os.stat(path)
    except OSError as error:
        reason = f"cannot read the file: {error.strerror or error}"
        raise InputError(reason, path=str(path)) from None
    what = _kind(mode.st_mode)
    if what is not None:
        raise InputError(f"not a file: {what}", path=str(path))
    return mode.st_size


def not_a_file(path: str | Path) -> str | None:
    """What ``path`` is when it is not a regular file ("a folder", "a named pipe (FIFO)"),
    through links; None for a file or what cannot be looked at."""
    try:
        return _kind(os.stat(path).st_mode)
    except OSError:
        return None


def _kind(mode: int) -> str | None:
    return next((what for test, what in _NOT_FILES if test(mode)), None)


def read_file(path: str | Path) -> bytes:
    """The bytes of the report file at ``path``: ``check_file``'s errors, or
    ``DocumentTooLargeError`` over ``MAX_BYTES``."""
    size = check_file(path)
    if size > MAX_BYTES:
        raise DocumentTooLargeError(
            f"{size:,} bytes is more than the {MAX_BYTES:,}-byte limit", path=str(path)
        )
    try:
        with open(path, "rb") as handle:
            return handle.read()  # read(n) would reserve n bytes up front
    except OSError as error:
        reason = f"cannot read the file: {error.strerror or error}"
        raise InputError(reason, path=str(path)) from None


@dataclass(frozen=True)
class PdfText:
    """What ``ita-etl text`` prints: the text, the warnings about pages not read from their
    text layer, and (for ``--stats``) the repairs made and how each glyph was read."""

    text: str
    warnings: tuple[str, ...] = ()
    repairs: tuple[tuple[str, int], ...] = ()
    glyphs: tuple[str, ...] = ()


def pdf_text_file(
    path: str | Path,
    *,
    password: str | None = None,
    raw: bool = False,
    ocr: OcrOptions | None = None,
) -> PdfText:
    """A PDF's text in reading order (``extractors.pdf.read_pdf_text``), or pdfplumber's own
    with ``raw``; ``InputError`` naming ``path`` for bad input."""
    from extractors.pdf import read_pdf_text
    from extractors.pdf_text import document_text

    data = read_file(path)
    try:
        if raw:
            return PdfText(document_text(data, password=password, raw=True))
        doc, warnings = read_pdf_text(data, password=password, ocr=ocr)
    except InputError as error:
        error.path = error.path or str(path)
        raise
    return PdfText(
        doc.text,
        tuple(warnings),
        tuple(sorted(doc.repairs.items())),
        tuple(decision.describe() for decision in doc.glyph_decisions),
    )
