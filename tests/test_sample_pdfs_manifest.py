"""The committed sample PDFs agree with samples/pdf/MANIFEST.tsv.

The PDFs are made by hand with samples/make_pdfs.py (it needs WeasyPrint, LibreOffice,
ReportLab and the tlwg fonts); these tests need none of them, only pdfplumber, and catch a
manifest that no longer describes the files next to it.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pdfplumber
import pytest

SAMPLES = Path(__file__).parents[1] / "samples"
PDF_DIR = SAMPLES / "pdf"
MANIFEST = PDF_DIR / "MANIFEST.tsv"
COLUMNS = (
    "file",
    "source",
    "producer",
    "producer_version",
    "font",
    "layout",
    "orientation",
    "pages",
    "header_repeats",
    "rows_broken_across_pages",
)
PRODUCER_NAMES = {
    "weasyprint": "WeasyPrint",
    "libreoffice": "LibreOffice",
    "reportlab": "ReportLab",
}


def _rows() -> list[dict[str, str]]:
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _rows() if MANIFEST.exists() else []


@pytest.fixture(params=ROWS, ids=[row["file"] for row in ROWS])
def row(request: pytest.FixtureRequest) -> dict[str, str]:
    return dict(request.param)


@dataclass(frozen=True)
class PdfFacts:
    pages: int
    portrait: bool
    producer: str
    chars_per_page: tuple[int, ...]
    fonts_per_page: tuple[frozenset[str], ...]  # base font names, the subset tag removed
    first_page_text: str


@functools.cache
def facts(name: str) -> PdfFacts:
    """Read each PDF once: parsing every page is most of these tests' time."""
    with pdfplumber.open(PDF_DIR / name) as pdf:
        first = pdf.pages[0]
        return PdfFacts(
            pages=len(pdf.pages),
            portrait=first.height > first.width,
            producer=str(pdf.metadata.get("Producer", "")),
            chars_per_page=tuple(len(page.chars) for page in pdf.pages),
            fonts_per_page=tuple(
                frozenset(c["fontname"].split("+", 1)[-1] for c in page.chars) for page in pdf.pages
            ),
            first_page_text=first.extract_text() or "",
        )


def test_manifest_has_the_columns_and_rows() -> None:
    assert MANIFEST.exists(), "run .venv/bin/python samples/make_pdfs.py"
    with MANIFEST.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
    assert tuple(header[: len(COLUMNS)]) == COLUMNS
    assert ROWS


def test_every_pdf_is_listed_and_every_listed_pdf_exists() -> None:
    listed = [row["file"] for row in ROWS]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    on_disk = sorted(p.name for p in PDF_DIR.glob("*.pdf"))
    assert sorted(listed) == on_disk


def test_row_fields_are_consistent(row: dict[str, str]) -> None:
    assert (SAMPLES / row["source"]).is_file(), row["source"]
    assert row["producer"] in PRODUCER_NAMES
    assert row["layout"] in ("ruled", "borderless")
    assert row["orientation"] in ("portrait", "landscape")
    stem = Path(row["source"]).stem
    parts = (stem, row["producer"], row["font"], row["layout"], row["orientation"])
    assert row["file"] == "__".join(parts) + ".pdf"
    pages = int(row["pages"])
    assert 1 <= int(row["header_repeats"]) <= pages
    # a page break cuts at most one row of a table: n pages, at most n - 1 broken rows
    assert 0 <= int(row["rows_broken_across_pages"]) <= pages - 1


def test_page_count_orientation_and_producer(row: dict[str, str]) -> None:
    pdf = facts(row["file"])
    assert pdf.pages == int(row["pages"])
    assert pdf.portrait == (row["orientation"] == "portrait")
    assert PRODUCER_NAMES[row["producer"]] in pdf.producer


def test_text_layer_on_every_page(row: dict[str, str]) -> None:
    pdf = facts(row["file"])
    empty = [number for number, count in enumerate(pdf.chars_per_page, start=1) if not count]
    assert not empty, f"pages without a text layer: {empty}"
    assert pdf.first_page_text.strip()


def _make_pdfs() -> ModuleType:
    """samples/make_pdfs.py, for its measuring half (pdfplumber and bs4 only; the producers
    are imported only to render)."""
    spec = importlib.util.spec_from_file_location("make_pdfs", SAMPLES / "make_pdfs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def make_pdfs() -> ModuleType:
    return _make_pdfs()


def test_counts_are_what_the_pdf_shows(row: dict[str, str], make_pdfs: ModuleType) -> None:
    """Measured again in the committed file, the way make_pdfs.py measured it: pages, pages
    showing the header row, body rows drawn on more than one page (in
    obt_nongbua_2567__weasyprint__Laksaman__borderless__landscape.pdf, the one broken row is
    indicator 6's: WeasyPrint drew its unit "กองคลัง" at the foot of page 1, the rest of the
    row on page 2)."""
    report = make_pdfs.read_source(make_pdfs.HERE / row["source"])
    variant = make_pdfs.Variant(
        row["producer"], row["font"], row["layout"], row["orientation"], row["list_markers"]
    )
    got = make_pdfs.measure(PDF_DIR / row["file"], report, make_pdfs.geometry(report, variant))
    assert not got.misses, f"cells not found in the PDF: {got.misses}"
    assert (got.pages, got.header_repeats, len(got.broken_rows)) == (
        int(row["pages"]),
        int(row["header_repeats"]),
        int(row["rows_broken_across_pages"]),
    )


def test_manifest_font_is_embedded(row: dict[str, str]) -> None:
    font = row["font"]
    for number, names in enumerate(facts(row["file"]).fonts_per_page, start=1):
        matching = {n for n in names if n == font or n.startswith(font + "-")}
        assert matching, f"page {number}: {font} not among {sorted(names)}"
