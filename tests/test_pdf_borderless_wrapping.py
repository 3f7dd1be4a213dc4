"""Regressions of borderless PDF tables whose cells wrap (issue 11), one per bug, each on the
Word sample PDF that showed it (samples/docx, LibreOffice). Expected values are read from the
HTML source the .docx was written from.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup

import extractors
from etl import ExtractedDocument, extract_file

SAMPLES = Path(__file__).parents[1] / "samples"


@cache
def pdf(name: str) -> ExtractedDocument:
    return extract_file(SAMPLES / "docx" / name)


def key(text: str) -> str:
    return re.sub(r"\s", "", text)


def source_rows(name: str) -> list[list[str]]:
    soup = BeautifulSoup((SAMPLES / name).read_text(encoding="utf-8"), "lxml")
    return [
        [" ".join(td.get_text(" ").split()) for td in tr.find_all(["td", "th"])]
        for tr in soup.find_all("tr")
    ]


def test_regression_actualtext_glyph_keeps_a_header_cell_whole() -> None:
    # LibreOffice writes ำ as two glyphs, the second with no text of its own (its text is the
    # first's /ActualText); it was not counted as ink, so "ผลการดำ|เนินงาน" made 6 columns
    raw = extractors.read((SAMPLES / "docx" / "dla_2567__Waree__borderless.pdf").read_bytes())
    header = source_rows("dla_2567.html")[0]
    assert [key(t) for t in raw.tables[0].rows[0].texts] == [key(t) for t in header]


def test_regression_space_after_paragraphs_does_not_split_rows() -> None:
    # Word's default 8 pt after each paragraph: a gap inside a cell with the other columns
    # done was read as a new row (the seed's first row has three "- " measures in one cell)
    doc = pdf("dla_2566__Laksaman__borderless.pdf")
    first_measures = source_rows("dla_2566.html")[2][1]
    assert [key(m.text) for m in doc.entries[0].items_with_role("measure")] == [
        key(part) for part in first_measures.split("- ") if part.strip()
    ]
    assert len(doc.entries) == len(extract_file(SAMPLES / "dla_2566.html").entries)


def test_regression_row_cut_by_a_page_break_is_one_entry() -> None:
    # indicator 6's row (typed "ตัวชี้วัดที่ ๒", named คุณภาพการดำเนินงาน) breaks over pages 8
    # and 9: every cell's last line on page 8 was wrapped, so page 9's first row continues it
    doc = pdf("dla_2566__Umpush__borderless.pdf")
    row = next(
        r for r in source_rows("dla_2566.html") if len(r) > 1 and "พัฒนาระบบการดำเนินงาน" in r[1]
    )
    entry = next(e for e in doc.entries if any("พัฒนาระบบ" in m.text for m in e.items))
    assert [i.number for i in entry.indicators] == [6]
    assert [key(m.text) for m in entry.items_with_role("measure")] == [key(row[1])]
    assert entry.pages == (8, 9)


def test_regression_measure_rows_under_a_merged_indicator_cell() -> None:
    # indicator 10's cell is merged over two measure rows; with space after paragraphs the
    # second row's cells start right under the first's: the measure column starts it
    doc = pdf("dla_2567__Waree__borderless.pdf")
    rows = source_rows("dla_2567.html")
    expected = [r[1] if len(r) == 5 else r[0] for r in rows[-2:]]
    tenth = [e for e in doc.entries if [i.number for i in e.indicators] == [10]]
    assert [[key(m.text) for m in e.items_with_role("measure")] for e in tenth] == [
        [key(text)] for text in expected
    ]


def test_regression_number_cut_at_the_line_end_joins_without_a_space() -> None:
    # "15 พฤศจิกายน 2566" in a narrow cell: LibreOffice drew "พฤศจิกายน 25" | "66"
    doc = pdf("dla_2567__Waree__borderless.pdf")
    dates = {r.value for i in doc.items("result") for r in i.refs if r.kind == "date"}
    assert "2023-11-15" in dates
