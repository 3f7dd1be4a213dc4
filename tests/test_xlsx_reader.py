"""What the Excel reader sees in a workbook beyond the samples: number formats, dates, merged
blocks, rich text, hidden sheets, several sheets. Workbooks are written here with openpyxl;
expected values are what Excel shows for the values and formats typed.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font

import extractors
from extractors.model import RawDocument


def read(workbook: openpyxl.Workbook) -> RawDocument:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return extractors.read(buffer.getvalue(), "book.xlsx")


def test_title_rows_header_body_and_notes() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B2"] = "รายงานผลการดำเนินการ"
    sheet.merge_cells("B2:D2")
    sheet["B3"] = "ประจำปีงบประมาณ พ.ศ. 2567"
    sheet.append([])
    sheet.append([None, "ตัวชี้วัด", "มาตรการ", "ผล"])
    sheet.append([None, "ตัวชี้วัดที่ 1", "ก", 95.5])
    sheet.append([None, None, "ข", 0.982])
    sheet.merge_cells("B6:B7")
    sheet["D6"].number_format = "0.00"
    sheet["D7"].number_format = "0.0%"
    sheet.append([None, "IIT รวม"])
    sheet.merge_cells("B8:D8")
    sheet.append([])
    sheet.append([None, "หมายเหตุ ข้อมูล ณ 30 ก.ย. 2567"])
    table = read(workbook).tables[0]
    assert table.preceding_lines == ("รายงานผลการดำเนินการ", "ประจำปีงบประมาณ พ.ศ. 2567")
    assert [r.texts for r in table.rows] == [
        ("ตัวชี้วัด", "มาตรการ", "ผล"),
        ("ตัวชี้วัดที่ 1", "ก", "95.50"),
        ("ตัวชี้วัดที่ 1", "ข", "98.2%"),
        ("IIT รวม", "", ""),
    ]
    assert table.rows[2].cells[0].spanned and not table.rows[1].cells[0].spanned


def test_values_as_excel_shows_them() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ก", "ข", "ค", "ง", "จ"])
    sheet.append([12, 3.0, 1234567.891, dt.datetime(2024, 1, 15), True])
    sheet["C2"].number_format = "#,##0.00"
    rows = read(workbook).tables[0].rows
    assert rows[1].texts == ("12", "3", "1,234,567.89", "2024-01-15", "TRUE")


def test_lines_and_emphasis_inside_a_cell() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["มาตรการ", "ผล"])
    heading = TextBlock(InlineFont(b=True, u="single"), "ด้านจริยธรรม")
    sheet.append(["ก", CellRichText([heading, "\n- แต่งตั้งคณะกรรมการ\n- จัดทำข้อกำหนด"])])
    sheet["A3"] = "สำนักปลัด\nกองคลัง"
    sheet["A3"].font = Font(bold=True)
    sheet["B3"] = "ข"
    rows = read(workbook).tables[0].rows
    assert [(b.text, b.emphasis) for b in rows[1].cells[1].blocks] == [
        ("ด้านจริยธรรม", True),
        ("- แต่งตั้งคณะกรรมการ", False),
        ("- จัดทำข้อกำหนด", False),
    ]
    assert [(b.text, b.emphasis) for b in rows[2].cells[0].blocks] == [
        ("สำนักปลัด", True),
        ("กองคลัง", True),
    ]


def test_each_visible_sheet_is_a_table() -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.append(["ตัวชี้วัด", "มาตรการ"])
    first.append(["1", "ก"])
    hidden = workbook.create_sheet("ร่าง")
    hidden.append(["ไม่ใช้", "ไม่ใช้"])
    hidden.sheet_state = "hidden"
    second = workbook.create_sheet("OIT")
    second.append(["หลักฐาน OIT"])
    second.append(["ข้อ", "รายการ"])
    second.append(["O1", "โครงสร้าง"])
    doc = read(workbook)
    assert doc.format == "xlsx"
    assert [[r.texts for r in t.rows] for t in doc.tables] == [
        [("ตัวชี้วัด", "มาตรการ"), ("1", "ก")],
        [("ข้อ", "รายการ"), ("O1", "โครงสร้าง")],
    ]
    assert doc.tables[1].preceding_lines == ("หลักฐาน OIT",)
