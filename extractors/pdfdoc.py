"""Opening a PDF, with every way it can fail turned into one of our ``InputError``s.

A batch meets encrypted files, truncated downloads, HTML saved as ``.pdf`` and scans with no
text layer; each must end as one line naming the file and the reason, never a traceback.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from itertools import groupby

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.pdf import PDF
from pdfplumber.utils.exceptions import PdfminerException

from extractors.pdfguard import damaged, install
from schemas.errors import (
    CorruptDocumentError,
    EmptyInputError,
    EncryptedDocumentError,
    InputError,
    ScannedDocumentError,
    UnsupportedFormatError,
)


def open_pdf(data: bytes, password: str | None = None) -> PDF:
    """A pdfplumber PDF whose page list could be read (use it as a context manager).

    Raises ``EmptyInputError``, ``UnsupportedFormatError`` (not a PDF),
    ``EncryptedDocumentError`` (no or wrong password) or ``CorruptDocumentError``.
    """
    if not data.strip():
        raise EmptyInputError("the file is empty")
    if b"%PDF-" not in data[:1024]:
        raise UnsupportedFormatError(_not_a_pdf(data))
    install()
    try:
        pdf = pdfplumber.open(io.BytesIO(data), password=password or "")
    except Exception as error:
        raise _input_error(error, password) from None
    try:
        pages = pdf.pages
    except Exception as error:
        _close(pdf)
        raise _input_error(error, password) from None
    if not pages:
        pdf.close()
        raise CorruptDocumentError("the PDF has no pages")
    return pdf


def _close(pdf: PDF) -> None:
    """Close a PDF whose page list could not be read (pdfplumber's ``close`` reads it again,
    and fails again)."""
    with contextlib.suppress(Exception):
        pdf.stream.close()


def _not_a_pdf(data: bytes) -> str:
    """Why the bytes are not a PDF, naming what they are when that is known."""
    from extractors import detect_format

    prefix = "not a supported format: "
    try:
        found = detect_format(data, "")
    except InputError as error:
        if error.reason.startswith(prefix):
            return f"not a PDF: {error.reason.removeprefix(prefix)}"
        return "not a PDF (no %PDF- header)"
    names = {"html": "HTML", "markdown": "Markdown", "text": "tab-separated text"}
    return f"not a PDF (no %PDF- header): the content is {names.get(found, found)}"


def _input_error(error: Exception, password: str | None) -> InputError:
    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    if isinstance(cause, InputError):
        return cause
    if isinstance(cause, RecursionError) or "recursion depth" in str(cause):
        return damaged(cause)
    if isinstance(cause, PDFPasswordIncorrect):
        if password:
            return EncryptedDocumentError(
                "the PDF is encrypted and the password given is wrong; "
                "open it with the right --password"
            )
        return EncryptedDocumentError("the PDF is encrypted; open it with --password")
    if isinstance(cause, PDFEncryptionError):
        return EncryptedDocumentError(f"the PDF's encryption is not supported: {cause}")
    detail = str(cause) or type(cause).__name__
    return CorruptDocumentError(f"the PDF is truncated or damaged ({detail})")


def pages_without_text(pdf: PDF) -> list[int]:
    """1-based numbers of the pages with no text layer (scanned pages, image-only slides).

    Each page is interpreted the way ``extractors.pdf_glyphs`` needs it and the result is kept
    on the page, so recovering its glyphs afterwards costs no second parse.
    """
    from extractors.pdf_glyphs import annotated_layout

    missing = []
    for page in pdf.pages:
        try:
            annotated_layout(page)
            chars = page.chars
        except Exception as error:
            raise page_error(page.page_number, error) from None
        if not any(str(c.get("text", "")).strip() for c in chars):
            missing.append(page.page_number)
    return missing


def page_error(number: int, error: Exception) -> InputError:
    """Why page ``number`` cannot be read: one of our ``InputError``s raised inside the
    reading (a stream over the budget, a reference cycle), or the error itself."""
    if isinstance(error, InputError):
        return error
    if isinstance(error, RecursionError):
        return damaged(error)
    detail = " ".join(str(error).split())[:160] or type(error).__name__
    return CorruptDocumentError(f"page {number} cannot be read ({detail})")


def page_ranges(numbers: Sequence[int]) -> str:
    """ "1–3, 5" for [1, 2, 3, 5]."""
    parts = []
    for _, run in groupby(enumerate(numbers), key=lambda pair: pair[1] - pair[0]):
        found = [n for _, n in run]
        parts.append(f"{found[0]}–{found[-1]}" if len(found) > 1 else str(found[0]))
    return ", ".join(parts)


def describe_pages(numbers: Sequence[int]) -> str:
    """ "page 2" or "pages 1–3, 5"."""
    return f"page{'s' if len(numbers) > 1 else ''} {page_ranges(numbers)}"


def require_text_layer(pdf: PDF, missing: Sequence[int] | None = None) -> list[int]:
    """The pages without a text layer (``missing``, if the caller already knows them); raises
    ``ScannedDocumentError`` (OCR needed, which pages) when no page has text. A PDF where only
    some pages lack text passes, and the caller warns about those pages."""
    missing = list(pages_without_text(pdf) if missing is None else missing)
    if len(missing) < len(pdf.pages):
        return missing
    if not any(page.images for page in pdf.pages):
        raise EmptyInputError("the PDF has no text and no images: nothing to read")
    raise ScannedDocumentError(
        f"no text layer on {describe_pages(missing)}: OCR needed", pages=tuple(missing)
    )
