"""Word and Excel versions of the samples give their sources' records; Word's PDFs give the
Word file's.

samples/make_office.py wrote each HTML/Markdown sample as .docx (python-docx: merged cells,
lists as numbering.xml definitions, a title typed as one paragraph with a manual line break,
a page header, a footer and a text box that are not report text; or borderless with Word
bullets over typed dashes) and .xlsx (openpyxl: merged title rows, merged cells, Alt+Enter
lines, rich-text headings), and converted each .docx to PDF with LibreOffice. Expected values
are what the source says, read by the source's own reader: the .docx and .xlsx must give the
same records verbatim (every item's text, heading, marker and references); the PDFs, which
re-wrap lines, the same white space aside. Every file is also judged against
tests/sample_truth.py, the sources read by hand, so that no expected value is only the code's
own reading of a source.
"""

from __future__ import annotations

import csv
import re
import zipfile
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sample_truth import TRUTH

import extractors
from etl import ExtractedDocument, extract_file
from extractors.thai.chars import to_arabic_digits
from schemas.records import Entry

SAMPLES = Path(__file__).parents[1] / "samples"
DOCX = list(
    csv.DictReader((SAMPLES / "docx" / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")
)
XLSX = list(
    csv.DictReader((SAMPLES / "xlsx" / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")
)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@cache
def extracted(path: Path) -> ExtractedDocument:
    return extract_file(path)


def key(text: str | None) -> str:
    return re.sub(r"\s", "", text or "")


def test_manifests_list_the_committed_files() -> None:
    assert len(DOCX) == 9 and len(XLSX) == 3
    for row in DOCX:
        assert (SAMPLES / "docx" / row["file"]).is_file()
        assert (SAMPLES / "docx" / row["pdf"]).is_file()
        assert (SAMPLES / row["source"]).is_file()
    assert {r["layout"] for r in DOCX} == {"ruled", "borderless"}
    assert len({r["font"] for r in DOCX}) >= 4
    for row in XLSX:
        assert (SAMPLES / "xlsx" / row["file"]).is_file()


@pytest.mark.parametrize("row", DOCX, ids=[r["pdf"] for r in DOCX])
def test_manifest_describes_each_pdf(row: dict[str, str]) -> None:
    import pdfplumber

    with pdfplumber.open(SAMPLES / "docx" / row["pdf"]) as pdf:
        assert len(pdf.pages) == int(row["pdf_pages"])
        assert str(pdf.metadata.get("Producer", "")).startswith("LibreOffice")
        for page in pdf.pages:
            fonts = {str(c["fontname"]).split("+")[-1] for c in page.chars}
            assert any(f.startswith(row["font"]) for f in fonts), fonts


@pytest.mark.parametrize("row", DOCX + XLSX, ids=[r["file"] for r in DOCX + XLSX])
def test_office_file_gives_its_sources_records_verbatim(row: dict[str, str]) -> None:
    folder = "docx" if row["file"].endswith(".docx") else "xlsx"
    got = extracted(SAMPLES / folder / row["file"])
    want = extracted(SAMPLES / row["source"])
    assert got.source.format == folder
    assert got.report == want.report
    assert got.entries == want.entries
    assert sum(len(e.items) for e in got.entries) > 20


@pytest.mark.parametrize("row", DOCX, ids=[r["file"] for r in DOCX])
def test_docx_lists_are_word_numbering_not_typed(row: dict[str, str]) -> None:
    """The samples test the numbering reader only if no marker is typed: every dash or
    number the source typed is drawn by a numbering definition (ruled), or a Word bullet
    stands before the typed dash (borderless)."""
    with zipfile.ZipFile(SAMPLES / "docx" / row["file"]) as package:
        body = BeautifulSoup(package.read("word/document.xml"), "xml")
        numbering = package.read("word/numbering.xml").decode()
    paragraphs = body.find_all("w:p")
    listed = [p for p in paragraphs if p.find("w:numPr")]
    assert len(listed) >= (2 if row["layout"] == "ruled" else 1)
    for p in paragraphs:
        text = "".join(t.get_text() for t in p.find_all("w:t"))
        if row["layout"] == "ruled":
            assert not re.match(r"^([-•]|[0-9๐-๙]{1,2}[.)]) ", text), text
        elif text.startswith("- "):
            assert p.find("w:numPr") is not None, text
    assert "w:vMerge" in str(body) or "w:gridSpan" in str(body)
    assert 'w:numFmt w:val="bullet"' in numbering


def test_list_labels_come_from_numbering_with_their_ordinals() -> None:
    # dla_2566.html, ตัวชี้วัดที่ ๒ (EIT) unit cell: "๑. สำนักงาน ศปท. สถ. ๒. ศูนย์เทคโนโลยี
    # สารสนเทศ สถ." typed in one paragraph; the .docx has it as a thaiNumbers list
    raw = extractors.read((SAMPLES / "docx" / "dla_2566__Laksaman__ruled.docx").read_bytes())
    items = [b for t in raw.tables for r in t.rows for c in r.cells for b in c.blocks]
    numbered = [(b.text[:12], b.ordered_index) for b in items if b.kind == "item"]
    assert ("๑. สำนักงาน ", 1) in numbered and ("๒. ศูนย์เทคโ", 2) in numbered
    sections = [r.cells[0].text for t in raw.tables for r in t.rows if r.cells[1].is_empty]
    # one list continued across the table's section rows, as the source numbers them
    assert [s[:6] for s in sections if "IT (" in s] == ["๑. IIT", "๒. EIT", "๓. OIT"]


@pytest.mark.parametrize(
    "row", [r for r in DOCX if r["layout"] == "ruled"], ids=lambda r: r["file"]
)
def test_title_block_leaves_out_text_boxes_headers_and_footers(row: dict[str, str]) -> None:
    source = SAMPLES / row["source"]
    html = source.read_text(encoding="utf-8")
    if source.suffix == ".md":
        want = [line.lstrip("#* ").rstrip("* ") for line in html.splitlines()[:6] if line.strip()]
        want = [w for w in want if not w.startswith("<")]
    else:
        soup = BeautifulSoup(html, "lxml")
        want = [" ".join(h.get_text().split()) for h in soup.find_all(["h2", "h3"])]
    raw = extractors.read((SAMPLES / "docx" / row["file"]).read_bytes())
    assert list(raw.tables[0].preceding_lines) == want
    with zipfile.ZipFile(SAMPLES / "docx" / row["file"]) as package:
        document = package.read("word/document.xml").decode()
        names = package.namelist()
    # the file does carry them, drawn on the page
    assert "เอกสารแนบ" in document and "txbxContent" in document
    assert any(n.startswith("word/header") for n in names)
    assert any(n.startswith("word/footer") for n in names)


def _comparable(entry: Entry, units: bool) -> tuple[object, ...]:
    items = tuple(
        (i.role, key(i.heading), to_arabic_digits(i.marker or ""), key(i.text))
        for i in entry.items
        if units or i.role != "unit"
    )
    return (entry.tool, tuple(i.number for i in entry.indicators), items)


def _units_by_indicator(doc: ExtractedDocument) -> dict[tuple[int | None, ...], set[str]]:
    units: dict[tuple[int | None, ...], set[str]] = {}
    for entry in doc.entries:
        numbers = tuple(i.number for i in entry.indicators)
        units.setdefault(numbers, set()).update(key(u.text) for u in entry.items_with_role("unit"))
    return units


@pytest.mark.parametrize("row", DOCX, ids=[r["pdf"] for r in DOCX])
def test_libreoffice_pdf_gives_the_docx_records(row: dict[str, str]) -> None:
    """White space aside (the PDF wraps lines where the cell is narrow). LibreOffice draws
    Word's thaiNumbers labels in Arabic digits ("1." where Word shows "๑."), so markers are
    compared by value. A borderless table cannot show that a unit cell is merged over two
    measure rows: units are compared per indicator, as sets."""
    docx = extracted(SAMPLES / "docx" / row["file"])
    pdf = extracted(SAMPLES / "docx" / row["pdf"])
    assert pdf.source.format == "pdf"
    assert (pdf.report.agency, pdf.report.agency_abbr, pdf.report.fiscal_year_be) == (
        docx.report.agency,
        docx.report.agency_abbr,
        docx.report.fiscal_year_be,
    )
    assert key(pdf.report.title) == key(docx.report.title)
    ruled = row["layout"] == "ruled"
    assert [_comparable(e, ruled) for e in pdf.entries] == [
        _comparable(e, ruled) for e in docx.entries
    ]
    if not ruled:
        assert _units_by_indicator(pdf) == _units_by_indicator(docx)
    refs = sorted((r.kind, str(r.value)) for i in pdf.items() for r in i.refs)
    assert refs == sorted((r.kind, str(r.value)) for i in docx.items() for r in i.refs)


TRUTH_CASES = (
    [(f"docx/{r['file']}", r["source"]) for r in DOCX]
    + [(f"docx/{r['pdf']}", r["source"]) for r in DOCX]
    + [(f"xlsx/{r['file']}", r["source"]) for r in XLSX]
)


@pytest.mark.parametrize(("name", "source"), TRUTH_CASES, ids=[n for n, _ in TRUTH_CASES])
def test_what_the_source_says(name: str, source: str) -> None:
    """Agency, year, one entry per source row with its tool and indicators, every measure
    verbatim (white space aside), units per indicator, every reference."""
    got, want = extracted(SAMPLES / name), TRUTH[source]
    assert (got.report.agency, got.report.agency_abbr, got.report.fiscal_year_be) == (
        want.agency,
        want.agency_abbr,
        want.fiscal_year_be,
    )
    assert [[i.number for i in e.indicators] for e in got.entries] == [
        list(row.indicators) for row in want.rows
    ]
    assert [e.tool for e in got.entries] == [row.tool for row in want.rows]
    assert [key(m.text) for m in got.items("measure")] == [key(m) for m in want.measures()]
    assert _units_by_indicator(got) == {
        numbers: {key(u) for u in units} for numbers, units in want.units_by_indicator().items()
    }
    refs = [(r.kind, r.value) for i in got.items() for r in i.refs]
    assert sorted(refs, key=str) == sorted(want.refs.elements(), key=str)
