"""Markdown with HTML tables, as Thai OCR (typhoon-ocr) returns a scanned report's pages.

Expected values from reading samples/obt_nongbua_2567.md: two pages, the header repeated on
the second, tool sections named in Thai with the code in brackets and no weight.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import ExtractedDocument, extract_bytes, extract_file

SAMPLES = Path(__file__).parents[1] / "samples"


@pytest.fixture(scope="module")
def ocr_report() -> ExtractedDocument:
    return extract_file(SAMPLES / "obt_nongbua_2567.md")


def test_title_block(ocr_report: ExtractedDocument) -> None:
    r = ocr_report.report
    assert ocr_report.source.format == "markdown"
    assert (r.agency, r.agency_abbr, r.fiscal_year_be) == (
        "องค์การบริหารส่วนตำบลหนองบัว",
        "อบต.หนองบัว",
        2567,
    )


def test_both_pages_read_and_repeated_header_dropped(ocr_report: ExtractedDocument) -> None:
    assert [[i.number for i in e.indicators] for e in ocr_report.entries] == [
        [1],
        [2],
        [5],
        [6],
        [9],
    ]
    assert [e.tool for e in ocr_report.entries] == ["IIT", "IIT", "IIT", "EIT", "OIT"]
    assert {e.tool_weight_pct for e in ocr_report.entries} == {None}


def test_numbered_measures_split(ocr_report: ExtractedDocument) -> None:
    measures = ocr_report.entries[0].items_with_role("measure")
    assert [(m.marker, m.text) for m in measures] == [
        ("1.", "ประกาศเจตจำนงสุจริตของผู้บริหาร"),
        ("2.", "จัดทำคู่มือการปฏิบัติงานด้านการให้บริการ"),
    ]
    assert len(ocr_report.items("measure")) == 6


def test_refs(ocr_report: ExtractedDocument) -> None:
    refs = {(r.kind, r.value) for i in ocr_report.items() for r in i.refs}
    assert refs == {
        ("date", "2023-10-10"),
        ("url", "www.nongbua.go.th"),
        ("year", 2567),
        ("oit_item", "O13"),
        ("count", 45),
        ("count", 33),
        ("percent", 91.25),
        ("score", 95.5),
    }


def test_pipe_table() -> None:
    page = (
        "# รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรม ของเทศบาลเมืองบ้านไผ่ ปีงบประมาณ 2568\n\n"
        "| ตัวชี้วัด | มาตรการ | ผู้รับผิดชอบ |\n"
        "|---|---|---|\n"
        "| ตัวชี้วัดที่ 7 ประสิทธิภาพการสื่อสาร | - เปิดเพจเฟซบุ๊ก<br>- ตอบคำถามภายใน 1 วัน | สำนักปลัด |\n"
    )
    doc = extract_bytes(page.encode(), "page.md")
    assert doc.report.agency == "เทศบาลเมืองบ้านไผ่"
    assert [m.text for m in doc.items("measure")] == ["เปิดเพจเฟซบุ๊ก", "ตอบคำถามภายใน 1 วัน"]
    assert doc.entries[0].tool == "EIT"
