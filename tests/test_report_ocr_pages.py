"""``ita-etl report`` names, per file, the pages read by OCR and the pages not read, from the
store's ``source_pages`` (migration 0005), on SQLite and PostgreSQL.

The PDF (tests/fixtures/ocr/text_pages_and_a_scanned_page.pdf, made by
make_ocr_fixtures.py) is pages 1 and 2 of a sample report with a text layer and page 3 of
its scan, an image only: page 3, and only page 3, needs OCR. Its report is สถ.'s 2567.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from conftest import ingest, needs_tesseract

from etl.app.database import Database
from extractors.ocr.options import OcrOptions

HERE = Path(__file__).parent
MIXED = HERE / "fixtures" / "ocr" / "text_pages_and_a_scanned_page.pdf"
AGENCY = "สถ."


def _report(db: str) -> tuple[list[str], list[str]]:
    """The page's list items about OCR (one per line), and the source's list item."""
    with Database(db) as database:
        page = database.report_html([AGENCY])
    ocr = [unescape(t) for t in re.findall(r'<li class="ocr-pages">(.*?)</li>', page)]
    files = [unescape(t) for t in re.findall(r"<li>([^<]*\.pdf[^<]*)</li>", page)]
    return ocr, files


@needs_tesseract
def test_the_report_names_the_page_read_by_ocr(db_url: str, tmp_path: Path) -> None:
    done = ingest(db_url, [MIXED], workers=0, ocr=OcrOptions(cache=str(tmp_path / "ocr")))
    assert done.tally == {"new": 1}, done.failed
    ocr, files = _report(db_url)
    assert len(ocr) == 1, ocr
    assert re.fullmatch(
        rf"{re.escape(str(MIXED))}: page 3 read by OCR "
        r"\(tesseract [\d.]+ tha, mean confidence \d+\)",
        ocr[0],
    ), ocr
    assert len(files) == 1 and files[0].endswith(f"(pdf, 3 pages); {ocr[0].split(': ', 1)[1]}")


def test_the_report_names_a_page_not_read_and_why(db_url: str) -> None:
    """With OCR switched off, the report is read from pages 1 and 2, and page 3 is named as
    not read, with the reason the reader gave."""
    done = ingest(db_url, [MIXED], workers=0, ocr=OcrOptions(mode="never"))
    assert done.tally == {"new": 1}, done.failed
    ocr, files = _report(db_url)
    assert ocr == [f"{MIXED}: page 3 not read: no text layer"]
    assert files[0].endswith("(pdf, 3 pages); page 3 not read: no text layer")
