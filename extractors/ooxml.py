"""Office Open XML packages (.docx, .xlsx): what kind a ZIP is, and whether it is safe to open.

A .docx or .xlsx is a ZIP of XML parts. Before python-docx or openpyxl inflates anything, the
ZIP's central directory says what the parts are and how large they claim to be, so a file that
would inflate to gigabytes (a zip bomb) is refused from its directory alone. Python's zipfile
never inflates a member past the size its directory states, so the check holds for a
directory that lies too.
"""

from __future__ import annotations

import io
import zipfile
from typing import Literal

from schemas.errors import (
    CorruptDocumentError,
    DocumentTooLargeError,
    EncryptedDocumentError,
    UnsupportedFormatError,
)

OfficeKind = Literal["docx", "xlsx"]

MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""Most an office file may inflate to. Text reports are a few MB of XML; images are stored
about as large as they are packed."""
MAX_PARTS = 10_000

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_NAMES: dict[OfficeKind, str] = {"docx": "Word", "xlsx": "Excel"}


def office_kind(data: bytes) -> OfficeKind:
    """Whether a ZIP is a Word or an Excel file, from the parts it holds."""
    names = set(_directory(data).namelist())
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and "content.xml" in names:
        what = "an OpenDocument file (.odt/.ods); save it as .docx or .xlsx, or export to PDF"
    elif "ppt/presentation.xml" in names:
        what = "a PowerPoint file; export it to PDF first"
    else:
        what = "a ZIP archive that is not a Word (.docx) or Excel (.xlsx) file"
    raise UnsupportedFormatError(f"not a supported format: {what}")


def is_encrypted_office(data: bytes) -> bool:
    """A password-protected .docx/.xlsx: Office wraps the encrypted ZIP in a compound file
    (the legacy .doc/.xls container) holding an "EncryptedPackage" stream."""
    return data.startswith(_CFB) and _ENCRYPTED_STREAM in data


def encrypted_error() -> EncryptedDocumentError:
    return EncryptedDocumentError(
        "the Word/Excel file is password-protected; open it in Word, Excel or LibreOffice, "
        "remove the password and save a copy, or export it to PDF"
    )


def checked_package(data: bytes, kind: OfficeKind) -> zipfile.ZipFile:
    """The open ZIP, once its directory shows it is small enough to inflate."""
    archive = _directory(data)
    members = archive.infolist()
    if len(members) > MAX_PARTS:
        raise DocumentTooLargeError(
            f"the {_NAMES[kind]} file has {len(members):,} parts, more than the "
            f"{MAX_PARTS:,} an office file may have"
        )
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentTooLargeError(
            f"the {_NAMES[kind]} file would unpack to {unpacked:,} bytes, more than the "
            f"{MAX_UNPACKED_BYTES:,}-byte limit (a zip bomb?); nothing was unpacked"
        )
    return archive


def corrupt_error(kind: OfficeKind, error: BaseException) -> CorruptDocumentError:
    detail = " ".join(str(error).split())[:160] or type(error).__name__
    return CorruptDocumentError(f"the {_NAMES[kind]} file is damaged or incomplete ({detail})")


def _directory(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise CorruptDocumentError(
            f"a damaged or truncated ZIP file (a .docx/.xlsx cut short?): {error}"
        ) from error
