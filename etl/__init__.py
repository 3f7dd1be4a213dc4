"""ita-etl: Thai ITA integrity-measure reports from PDF, HTML and text into SQL.

The public API (docs/api.md). Parsing is a pure function (``extract_file`` /
``extract_bytes``); a ``Database`` loads, queries and exports, for notebooks and for the
``ita-etl`` command alike. Everything is imported on first use, so that ``import etl`` (and
any module under it) costs nothing it does not need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etl.app.api import (
        changes,
        compare_versions,
        compare_years,
        coverage,
        export_views,
        ingest,
        measure_details,
        measures,
        reports,
        search,
        sources,
        write_report,
    )
    from etl.app.database import Database
    from etl.orchestrate.batch import IngestOptions
    from etl.transform.pipeline import PARSER_VERSION, extract_bytes, extract_file
    from schemas.errors import (
        CorruptDocumentError,
        DocumentTimeoutError,
        DocumentTooLargeError,
        EmptyInputError,
        EncryptedDocumentError,
        InputError,
        ItaEtlError,
        NoReportTableError,
        ParseError,
        ScannedDocumentError,
        StoreBusyError,
        StoreError,
        UnrecognisedColumnsError,
        UnsupportedFormatError,
        UsageError,
        WorkerCrashedError,
        WorkerError,
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

_ERRORS = (
    "CorruptDocumentError",
    "DocumentTimeoutError",
    "DocumentTooLargeError",
    "EmptyInputError",
    "EncryptedDocumentError",
    "InputError",
    "ItaEtlError",
    "NoReportTableError",
    "ParseError",
    "ScannedDocumentError",
    "StoreBusyError",
    "StoreError",
    "UnrecognisedColumnsError",
    "UnsupportedFormatError",
    "UsageError",
    "WorkerCrashedError",
    "WorkerError",
)
_RECORDS = (
    "Correction",
    "Entry",
    "ExtractedDocument",
    "IndicatorRef",
    "Item",
    "Ref",
    "Report",
    "SourceInfo",
)
_WHERE: dict[str, str] = {
    **dict.fromkeys(_ERRORS, "schemas.errors"),
    **dict.fromkeys(_RECORDS, "schemas.records"),
    **dict.fromkeys(("PARSER_VERSION", "extract_bytes", "extract_file"), "etl.transform.pipeline"),
    "Database": "etl.app.database",
    "IngestOptions": "etl.orchestrate.batch",
    **dict.fromkeys(
        (
            "changes",
            "compare_versions",
            "compare_years",
            "coverage",
            "export_views",
            "ingest",
            "measure_details",
            "measures",
            "reports",
            "search",
            "sources",
            "write_report",
        ),
        "etl.app.api",
    ),
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'etl' has no attribute {name!r}")


__all__ = [
    "PARSER_VERSION",
    "Correction",
    "CorruptDocumentError",
    "Database",
    "DocumentTimeoutError",
    "DocumentTooLargeError",
    "EmptyInputError",
    "EncryptedDocumentError",
    "Entry",
    "ExtractedDocument",
    "IndicatorRef",
    "IngestOptions",
    "InputError",
    "ItaEtlError",
    "Item",
    "NoReportTableError",
    "ParseError",
    "Ref",
    "Report",
    "ScannedDocumentError",
    "SourceInfo",
    "StoreBusyError",
    "StoreError",
    "UnrecognisedColumnsError",
    "UnsupportedFormatError",
    "UsageError",
    "WorkerCrashedError",
    "WorkerError",
    "changes",
    "compare_versions",
    "compare_years",
    "coverage",
    "export_views",
    "extract_bytes",
    "extract_file",
    "ingest",
    "measure_details",
    "measures",
    "reports",
    "search",
    "sources",
    "write_report",
]
