"""PDF layouts the samples lack, from tests/fixtures/make_pdfs.py's SUBDISTRICT_REPORT.

Expected values come from reading that HTML: four measure rows under indicators 1, 1, 2 and
9; the second row's unit cell holds two units typed on two lines ("สำนักปลัด<br>กองคลัง").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import ExtractedDocument, extract_file

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
MEASURES = [
    "จัดทำประกาศเจตนารมณ์การป้องกันการทุจริต",
    "อบรมคุณธรรมจริยธรรมให้แก่พนักงานส่วนตำบล",
    "เผยแพร่แผนการใช้จ่ายงบประมาณประจำปีบนเว็บไซต์",
    "ปรับปรุงข้อมูลบนเว็บไซต์ให้เป็นปัจจุบัน",
]


@pytest.fixture(
    scope="module",
    params=["typed_line_break_purisa_ruled.pdf", "sequence_column_sawasdee_borderless.pdf"],
)
def report(request: pytest.FixtureRequest) -> ExtractedDocument:
    return extract_file(FIXTURES / request.param)


def test_one_entry_per_numbered_row(report: ExtractedDocument) -> None:
    # regression: in the borderless copy, rows of one-line cells ran together (2 entries
    # instead of 4); a first column of nothing but numbers now starts a row at each number
    assert (report.report.agency_abbr, report.report.fiscal_year_be) == ("อบต.บ้านใหม่", 2568)
    assert [[i.number for i in e.indicators] for e in report.entries] == [[1], [1], [2], [9]]
    assert [e.tool for e in report.entries] == ["IIT", "IIT", "IIT", "OIT"]
    assert [m.text for m in report.items("measure")] == MEASURES
    assert [r.text for r in report.items("result")] == [
        "ดำเนินการแล้ว เมื่อวันที่ 15 ม.ค. 2568",
        "ผู้เข้าร่วม 45 คน คิดเป็นร้อยละ 90",
        "เผยแพร่แล้วที่ www.banmai.go.th",
        "ปรับปรุงทุกเดือน",
    ]
    refs = [(r.kind, r.value) for i in report.items("result") for r in i.refs]
    assert refs == [
        ("date", "2025-01-15"),
        ("count", 45),
        ("percent", 90.0),
        ("url", "www.banmai.go.th"),
    ]


def test_regression_typed_line_break_in_a_ruled_cell_is_two_units() -> None:
    # "สำนักปลัด" ends with room for "กองคลัง" beside it: the author broke the line, so the
    # cell holds two units, as the <br> makes it in HTML (it was one unit "สำนักปลัด กองคลัง")
    doc = extract_file(FIXTURES / "typed_line_break_purisa_ruled.pdf")
    units = [[u.text for u in e.items_with_role("unit")] for e in doc.entries]
    assert units == [["สำนักปลัด"], ["สำนักปลัด", "กองคลัง"], ["กองคลัง"], ["สำนักปลัด"]]
