"""``ita-etl ingest`` of scanned PDFs beside text PDFs: time budgets, how each page was read
(``source_pages``, on SQLite and PostgreSQL, and the JSON export), and the OCR cache.

Everything runs for real: the command as a process with its sandboxed workers, Tesseract on
the committed scans (tests/fixtures/scans, made by samples/make_scans.py from sample PDFs),
the databases of the ``db_url`` fixture. What is expected comes from how the files were made:
the scan is four image-only pages of the DLA 2567 report, the text PDF eleven pages with a
text layer (samples/pdf/MANIFEST.tsv). Tests wait for the command to end, never on a clock.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import ITA_ETL, SAMPLES, needs_tesseract
from sqlalchemy import text

from extractors.ocr import budget
from extractors.ocr.options import OcrOptions
from extractors.pdf import read_pdf_text
from loaders.db import make_engine, resolve_url

HERE = Path(__file__).parent
SCANNED = (
    HERE / "fixtures" / "scans" / "dla_2567__weasyprint__Laksaman__borderless__landscape__scan.pdf"
)
SCANNED_PAGES = 4
TEXT_PDF = SAMPLES / "pdf" / "dla_2566__libreoffice__Laksaman__ruled__portrait.pdf"
TEXT_PAGES = 11
SCHEMA = json.loads((HERE.parent / "schemas" / "export.schema.json").read_text(encoding="utf-8"))
DOC_TIMEOUT = "20"
"""Seconds: above one page's OCR here (6–10 s on a loaded 2-core machine, about 2 s on a
quiet one), far below the scan's four pages read one after another, and well above what the
text PDF takes (under 4 s)."""


pytestmark = [
    pytest.mark.slow,
    needs_tesseract,
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ITA_ETL, *args], capture_output=True, text=True, timeout=900)


def documents(stdout: str) -> dict[str, dict[str, Any]]:
    events = [json.loads(line) for line in stdout.splitlines()]
    return {Path(e["path"]).name: e for e in events if e["event"] == "document"}


def reports_folder(root: Path) -> Path:
    folder = root / "reports"
    folder.mkdir()
    for path in (SCANNED, TEXT_PDF):
        shutil.copy(path, folder / path.name)
    return folder


def ingest(folder: Path, db: str, cache: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return run(
        "ingest",
        str(folder),
        "--db",
        db,
        "-w",
        "2",
        "--log-format",
        "json",
        "--ocr-cache",
        str(cache),
        *more,
    )


def page_rows(db: str) -> dict[str, list[dict[str, Any]]]:
    """The ``source_pages`` rows of each source, by file name."""
    engine = make_engine(resolve_url(db))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT s.path, p.page, p.read_by, p.engine, p.confidence, p.text_score, "
                    "p.note FROM source_pages p JOIN sources s ON s.id = p.source_id "
                    "ORDER BY s.path, p.page"
                )
            ).mappings()
            found: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                values = dict(row)
                found.setdefault(Path(values.pop("path")).name, []).append(values)
            return found
    finally:
        engine.dispose()


@dataclass(frozen=True)
class FirstIngest:
    folder: Path
    cache: Path
    db: str
    done: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def first_ingest(tmp_path_factory: pytest.TempPathFactory) -> FirstIngest:
    """The scan and the text PDF ingested by two workers, with a fresh OCR cache and a
    document time limit far below what the scan's OCR takes."""
    root = tmp_path_factory.mktemp("first-ingest")
    folder, cache, db = reports_folder(root), root / "ocr-cache", str(root / "ita.db")
    done = ingest(folder, db, cache, "--doc-timeout", DOC_TIMEOUT)
    return FirstIngest(folder, cache, db, done)


def test_a_scanned_report_is_not_killed_by_the_document_limit_while_each_page_is_in_budget(
    first_ingest: FirstIngest,
) -> None:
    done = first_ingest.done
    assert done.returncode == 0, done.stderr
    docs = documents(done.stdout)
    scanned, text_pdf = docs[SCANNED.name], docs[TEXT_PDF.name]
    assert scanned["status"] == "new", scanned
    assert (scanned["agency_key"], scanned["fiscal_year_be"]) == ("สถ.", 2567)
    assert (scanned["ocr_pages"], scanned["ocr_cached"]) == (SCANNED_PAGES, 0)  # all OCR'd now
    assert text_pdf["status"] == "new", text_pdf
    assert (text_pdf["agency_key"], text_pdf["fiscal_year_be"]) == ("สถ.", 2566)
    assert (text_pdf["ocr_pages"], text_pdf["ocr_cached"]) == (0, 0)


def test_source_pages_say_how_each_page_was_read_as_the_json_export_does(
    first_ingest: FirstIngest,
) -> None:
    assert first_ingest.done.returncode == 0, first_ingest.done.stderr
    pages = page_rows(first_ingest.db)
    assert_pages_read(pages)
    for path in (SCANNED, TEXT_PDF):
        export = run("extract", "-f", "json", "--ocr-cache", str(first_ingest.cache), str(path))
        assert export.returncode == 0, export.stderr
        doc = json.loads(export.stdout)
        jsonschema.validate(doc, SCHEMA)
        assert doc["pages_read"] == pages[path.name]


def assert_pages_read(pages: dict[str, list[dict[str, Any]]]) -> None:
    scanned, text_pdf = pages[SCANNED.name], pages[TEXT_PDF.name]
    assert [p["page"] for p in scanned] == list(range(1, SCANNED_PAGES + 1))
    for page in scanned:  # image-only pages: no text layer to score, OCR'd by Tesseract
        assert page["read_by"] == "ocr", page
        assert page["engine"].startswith("tesseract 5") and page["engine"].endswith(" tha")
        assert 0 < page["confidence"] <= 100
        assert page["text_score"] is None and page["note"] is None
    assert [p["page"] for p in text_pdf] == list(range(1, TEXT_PAGES + 1))
    for page in text_pdf:  # a sound text layer, Thai repaired where needed
        assert page["read_by"] in ("text_layer", "repaired"), page
        assert page["engine"] is None and page["confidence"] is None and page["note"] is None
        assert 0 <= page["text_score"] < 0.45  # the garbage gate let it through


def test_a_rerun_into_a_fresh_database_takes_every_page_from_the_ocr_cache(
    first_ingest: FirstIngest, db_url: str, tmp_path: Path
) -> None:
    """On SQLite and PostgreSQL: nothing is OCR'd again (no cache entry is written again
    either), and the rows are those of the first run."""
    assert first_ingest.done.returncode == 0, first_ingest.done.stderr
    cached = sorted(first_ingest.cache.rglob("*.json"))
    assert len(cached) == SCANNED_PAGES
    written = {path: path.stat().st_ino for path in cached}

    again = ingest(first_ingest.folder, db_url, first_ingest.cache)
    assert again.returncode == 0, again.stderr
    scanned = documents(again.stdout)[SCANNED.name]
    assert scanned["status"] == "new"
    assert (scanned["ocr_pages"], scanned["ocr_cached"]) == (SCANNED_PAGES, SCANNED_PAGES)
    assert {path: path.stat().st_ino for path in first_ingest.cache.rglob("*.json")} == written

    pages = page_rows(db_url)
    assert pages == page_rows(first_ingest.db)
    assert_pages_read(pages)


def test_a_page_over_its_own_budget_fails_the_document_naming_the_page(
    first_ingest: FirstIngest, tmp_path: Path
) -> None:
    """A budget no page can meet: each page's OCR stops at it, the document fails with one
    line naming every page and why, the text PDF is loaded; a retry with the normal budget
    loads the scan (its pages from the cache) and records its pages once."""
    folder, db, cache = reports_folder(tmp_path), str(tmp_path / "ita.db"), tmp_path / "cache"
    done = ingest(folder, db, cache, "--ocr-page-timeout", "0.01")
    assert done.returncode == 1, done.stderr
    docs = documents(done.stdout)
    reasons = "; ".join(f"page {n}: OCR timed out after 0.01 s" for n in range(1, 5))
    assert docs[SCANNED.name]["status"] == "failed"
    assert docs[SCANNED.name]["error"] == f"OCR failed on every page ({reasons})"
    assert docs[TEXT_PDF.name]["status"] == "new"
    assert SCANNED.name not in page_rows(db)

    retried = ingest(folder, db, first_ingest.cache, "--retry-failed")
    assert retried.returncode == 0, retried.stderr
    assert documents(retried.stdout)[SCANNED.name]["status"] == "new"
    assert_pages_read(page_rows(db))


def test_ocr_cache_lost_word_spacing() -> None:
    """Regression: the cache dropped each word's ``space_before``, so a re-run joined Thai
    letters with spaces ("ประ กำ ศเจต จํ า นง"); a page from the cache now reads exactly as
    the page OCR'd did."""
    data = (HERE / "fixtures" / "ocr" / "ocr_cache_lost_word_spacing.pdf").read_bytes()
    with tempfile.TemporaryDirectory() as cache:
        options = OcrOptions(cache=cache)
        before = budget.counted()
        first, _ = read_pdf_text(data, ocr=options)
        middle = budget.counted()
        again, _ = read_pdf_text(data, ocr=options)
        after = budget.counted()
    assert (middle - before) == budget.OcrCount(run=1, cached=0, rendered=1)
    assert (after - middle) == budget.OcrCount(run=0, cached=1, rendered=0)
    assert again.text == first.text
    # the title's agency line, as samples/obt_nongbua_2567.md writes it
    assert "องค์การบริหารส่วนตำบลหนองบัว อำเภอเมือง จังหวัดอุดรธานี" in again.text
