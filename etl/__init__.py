"""ita-etl: Thai ITA integrity-measure reports from PDF, HTML and text into SQL.

The public API. Parsing is a pure function (``extract_file`` / ``extract_bytes``); loading and
querying live in ``loaders`` and are re-exported here for notebooks.
"""

from typing import Any

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

_API = {
    "compare_years": "compare",
    "export_views": "export_views",
    "ingest": "ingest",
    "measures": "measures",
    "reports": "reports",
    "search": "search",
    "sources": "sources",
}
"""The notebook API (etl/api.py, docs/api.md), imported on first use because it brings in
pandas and SQLAlchemy. ``compare`` is ``compare_years`` here: ``etl.compare`` is the module
of the pairing rules."""


def __getattr__(name: str) -> Any:
    if name in _API:
        from etl import api

        return getattr(api, _API[name])
    raise AttributeError(f"module 'etl' has no attribute {name!r}")


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
    "compare_years",
    "export_views",
    "extract_bytes",
    "extract_file",
    "ingest",
    "measures",
    "reports",
    "search",
    "sources",
]
