"""ita-etl: Thai ITA integrity-measure reports from PDF, HTML and text into SQL.

The public API. Parsing is a pure function (``extract_file`` / ``extract_bytes``); loading and
querying live in ``loaders`` and are re-exported here for notebooks.
"""

from etl.pipeline import PARSER_VERSION, extract_bytes, extract_file
from schemas.errors import (
    CorruptDocumentError,
    DocumentTooLargeError,
    EmptyInputError,
    EncryptedDocumentError,
    InputError,
    ItaEtlError,
    NoReportTableError,
    ScannedDocumentError,
    StoreBusyError,
    StoreError,
    UnrecognisedColumnsError,
    UnsupportedFormatError,
    UsageError,
)
from schemas.records import (
    Correction,
    Entry,
    ExtractedDocument,
    IndicatorRef,
    Item,
    Ref,
    Report,
    SourceInfo,
)

__version__ = "0.1.0"

__all__ = [
    "PARSER_VERSION",
    "Correction",
    "CorruptDocumentError",
    "DocumentTooLargeError",
    "EmptyInputError",
    "EncryptedDocumentError",
    "Entry",
    "ExtractedDocument",
    "IndicatorRef",
    "InputError",
    "ItaEtlError",
    "Item",
    "NoReportTableError",
    "Ref",
    "Report",
    "ScannedDocumentError",
    "SourceInfo",
    "StoreBusyError",
    "StoreError",
    "UnrecognisedColumnsError",
    "UnsupportedFormatError",
    "UsageError",
    "extract_bytes",
    "extract_file",
]
