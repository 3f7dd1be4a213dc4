"""What a worker runs: one file's bytes to a ``ParseOutcome`` (a document, or the reason
there is none). Pure and picklable, so it runs the same in this process, in a sandboxed worker
(``workers``) or on a Dask cluster (``cluster``); only the store's writer writes."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from etl.orchestrate.sources import fingerprint
from etl.orchestrate.workers import OUT_OF_MEMORY
from etl.transform import pipeline
from extractors.ocr import budget
from extractors.ocr.options import OcrOptions
from loaders.content import agency_key
from loaders.store import ParseOutcome
from schemas.errors import DocumentTooLargeError, InputError


def parse_source(
    path: str | Path, location: str | None = None, ocr: OcrOptions | None = None
) -> ParseOutcome:
    """Parse one file into a document, or say why not. Never raises for bad input: an
    ``InputError`` or any unexpected exception becomes a failure with its type and message.
    ``ocr``: how PDF pages without a usable text layer are read; the outcome says how many
    pages were OCR'd and how many of those came from the OCR cache.

    ``location`` is what the source is recorded as when ``path`` is only where its bytes are
    (a URL's download in the blob store; an absolute path handed to a worker)."""
    before = budget.counted()
    outcome = _parse(str(path), location or str(path), ocr)
    spent = budget.counted() - before
    if spent.run or spent.cached:
        outcome = replace(outcome, ocr_pages=spent.run + spent.cached, ocr_cached=spent.cached)
    return outcome


def _parse(read_from: str, path: str, ocr: OcrOptions | None) -> ParseOutcome:
    started = time.perf_counter()
    sha256, size = "", 0
    try:
        try:
            data = pipeline.read_file(read_from)
        except DocumentTooLargeError:
            sha256, size = fingerprint(read_from)
            raise
        sha256, size = hashlib.sha256(data).hexdigest(), len(data)
        doc = pipeline.extract_bytes(data, path, ocr=ocr)
        if agency_key(doc.report) is None:
            raise InputError("the report names no agency, so it cannot be filed")
        if doc.report.fiscal_year_be is None:
            raise InputError("the report gives no fiscal year, so it cannot be filed")
        outcome = ParseOutcome(
            path,
            doc.source.sha256,
            doc.source.size_bytes,
            doc.parser_version,
            doc,
            source_date=document_date(data) if doc.source.format == "pdf" else None,
        ).with_derived()
        return replace(outcome, parse_seconds=time.perf_counter() - started)
    except OSError as error:
        reason = f"cannot read the file: {error.strerror or error}"
        return ParseOutcome.failure(path, sha256, size, error, reason, started)
    except InputError as error:
        return ParseOutcome.failure(path, sha256, size, error, error.reason, started)
    except MemoryError as error:
        reason = OUT_OF_MEMORY
        return ParseOutcome.failure(path, sha256, size, error, reason, started)
    except Exception as error:
        reason = f"unexpected {type(error).__name__}: {error}"
        return ParseOutcome.failure(path, sha256, size, error, reason, started)


_PDF_DATE = re.compile(
    r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:([Zz])|([+-])(\d{2})'?(\d{2})?'?)?"
)


def document_date(data: bytes) -> datetime | None:
    """The date a PDF gives itself: its ModDate, else its CreationDate, in UTC (a date with
    no zone is taken as UTC); None when it has neither or they do not read."""
    try:
        import pypdfium2

        pdf = pypdfium2.PdfDocument(data)
        try:
            meta = pdf.get_metadata_dict(skip_empty=True)
        finally:
            pdf.close()
    except Exception:  # no date is no reason to fail a document that parsed
        return None
    for key in ("ModDate", "CreationDate"):
        moment = pdf_date(str(meta.get(key) or ""))
        if moment is not None:
            return moment
    return None


def pdf_date(value: str) -> datetime | None:
    """A PDF date string (``D:20240115093000+07'00'``) in UTC; None when it is not one."""
    found = _PDF_DATE.match(value.strip())
    if found is None:
        return None
    year, month, day, hour, minute, second, _z, sign, tz_hours, tz_minutes = found.groups()
    try:
        offset = timedelta(hours=int(tz_hours or 0), minutes=int(tz_minutes or 0))
        zone = timezone(-offset if sign == "-" else offset)
        moment = datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=zone,
        )
    except ValueError:
        return None
    return moment.astimezone(UTC)


_WARM_UP_REPORT = (
    "รายงานผลการดำเนินการ ของกรมส่งเสริมการปกครองท้องถิ่น\nประจำปีงบประมาณ พ.ศ. ๒๕๖๖\n\n"
    "ตัวชี้วัด ITA\tมาตรการ/กิจกรรม\tสรุปผลการดำเนินการ\tผลลัพธ์\tหน่วยงาน รับผิดชอบ\n"
    "ตัวชี้วัดที่ ๑ การปฏิบัติหน้าที่\t- จัดทำคู่มือ\t- ดำเนินการแล้ว ร้อยละ ๑๐๐\tบุคลากรทราบ\tกพส.\n"
)


def warm_up() -> None:
    """Parse a tiny report once, so that a worker has loaded what parsing loads lazily (the
    Thai dictionaries, the PDF readers) before its first real document's time limit starts."""
    import extractors.pdf  # noqa: F401

    doc = pipeline.extract_bytes(_WARM_UP_REPORT.encode(), "warm-up.txt")
    ParseOutcome("warm-up.txt", "", 0, doc.parser_version, doc).with_derived()
