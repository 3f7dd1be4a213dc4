"""The exception hierarchy every stage raises from.

It lives beside the records because it is part of the same contract: an extractor, the
pipeline, the loader and the CLI all speak it, and the CLI turns it into one line and an exit
status. ::

    ItaEtlError
    ├── InputError                the document cannot be turned into records (exit 2)
    │   ├── EmptyInputError
    │   ├── UnsupportedFormatError
    │   ├── NoReportTableError
    │   ├── UnrecognisedColumnsError
    │   ├── CorruptDocumentError
    │   ├── EncryptedDocumentError
    │   ├── ScannedDocumentError    no text layer: OCR needed
    │   └── DocumentTooLargeError
    ├── StoreError                the database refused or is in use (exit 3)
    │   └── StoreBusyError
    └── UsageError                 bad arguments (exit 64)
"""

from __future__ import annotations


class ItaEtlError(Exception):
    """Base of every error ita-etl raises on purpose."""

    exit_code = 1

    def __init__(self, reason: str, *, path: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path

    def one_line(self) -> str:
        """The single line the CLI prints: which file, and why."""
        reason = " ".join(self.reason.split())
        return f"{self.path}: {reason}" if self.path else reason


class InputError(ItaEtlError):
    exit_code = 2


class EmptyInputError(InputError):
    pass


class UnsupportedFormatError(InputError):
    pass


class NoReportTableError(InputError):
    pass


class UnrecognisedColumnsError(InputError):
    pass


class CorruptDocumentError(InputError):
    pass


class EncryptedDocumentError(InputError):
    pass


class ScannedDocumentError(InputError):
    def __init__(
        self, reason: str, *, path: str | None = None, pages: tuple[int, ...] = ()
    ) -> None:
        super().__init__(reason, path=path)
        self.pages = pages


class DocumentTooLargeError(InputError):
    pass


class StoreError(ItaEtlError):
    exit_code = 3


class StoreBusyError(StoreError):
    pass


class UsageError(ItaEtlError):
    exit_code = 64
