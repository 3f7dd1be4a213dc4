"""HTML reports: the seed as one HTML table, and the 2567 report in row-per-measure layout.

Expected values come from reading samples/dla_2567.html.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import ExtractedDocument, extract_bytes, extract_file

SAMPLES = Path(__file__).parents[1] / "samples"


@pytest.fixture(scope="module")
def report_2567() -> ExtractedDocument:
    return extract_file(SAMPLES / "dla_2567.html")


def test_seed_as_one_html_table_gives_the_same_records() -> None:
    text = extract_file(SAMPLES / "dla_2566.txt")
    html = extract_file(SAMPLES / "dla_2566.html")
    assert html.source.format == "html"
    assert html.report == text.report
    assert html.entries == text.entries
    assert html.warnings == text.warnings


def test_2567_header(report_2567: ExtractedDocument) -> None:
    r = report_2567.report
    assert (r.agency, r.agency_abbr, r.fiscal_year_be, r.fiscal_year_ce) == (
        "กรมส่งเสริมการปกครองท้องถิ่น",
        "สถ.",
        2567,
        2024,
    )
    assert r.title == (
        "รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
        "ของกรมส่งเสริมการปกครองท้องถิ่น ประจำปีงบประมาณ พ.ศ. 2567"
    )


def test_2567_one_entry_per_measure_row(report_2567: ExtractedDocument) -> None:
    indicators = [[i.number for i in e.indicators] for e in report_2567.entries]
    assert indicators == [
        [1],
        [1],
        [1],
        [2],
        [2],
        [3],
        [4],
        [5],
        [5],
        [6],
        [7],
        [8],
        [9],
        [10],
        [10],
    ]
    assert [len(e.items_with_role("measure")) for e in report_2567.entries] == [1] * 15
    assert [e.tool for e in report_2567.entries] == ["IIT"] * 9 + ["EIT"] * 3 + ["OIT"] * 3
    assert {e.tool_weight_pct for e in report_2567.entries[:9]} == {30.0}
    assert {e.tool_weight_pct for e in report_2567.entries[12:]} == {40.0}


def test_2567_rowspan_indicator_and_unit(report_2567: ExtractedDocument) -> None:
    second_budget_row = report_2567.entries[4]
    assert second_budget_row.items_with_role("measure")[0].text.startswith("ส่งเสริมการรับรู้วิธีการ")
    assert [u.text for u in second_budget_row.items_with_role("unit")] == ["กองคลัง"]
    last = report_2567.entries[14]
    assert [i.name for i in last.indicators] == ["การป้องกันการทุจริต"]
    assert [u.text for u in last.items_with_role("unit")] == ["ศูนย์ปฏิบัติการต่อต้านการทุจริต"]


def test_2567_br_lines_are_items(report_2567: ExtractedDocument) -> None:
    results = report_2567.entries[0].items_with_role("result")
    assert [r.text for r in results] == [
        "เผยแพร่คู่มือการปฏิบัติงานของสำนัก/กอง ไว้หน้าเว็บไซต์ของ สถ. (www.dla.go.th)",
        "จัดประชุมชี้แจงแนวทางการปฏิบัติงาน เมื่อวันที่ 15 พฤศจิกายน 2566",
    ]
    assert [r.marker for r in results] == ["-", "-"]


def test_2567_alias_indicator_name(report_2567: ExtractedDocument) -> None:
    eighth = report_2567.entries[11].indicators[0]
    assert (eighth.number, eighth.name) == (8, "การปรับปรุงการทำงาน")
    assert eighth.raw == "ตัวชี้วัดที่ 8 การปรับปรุงระบบการทำงาน"
    assert not report_2567.entries[11].warnings


def test_2567_refs(report_2567: ExtractedDocument) -> None:
    refs = [r for i in report_2567.items() for r in i.refs]
    assert sorted(r.value for r in refs if r.kind == "date") == [
        "2023-10-02",
        "2023-11-01",
        "2023-11-15",
        "2023-12-20",
        "2024-01-05",
    ]
    assert [r.value for r in refs if r.kind == "percent"] == [95.5, 98.2, 94.1]
    assert [(r.value, r.unit) for r in refs if r.kind == "count"] == [
        (3, "รุ่น"),
        (12, "เรื่อง"),
        (2, "ครั้ง"),
    ]
    assert [r.value for r in refs if r.kind == "document"] == [
        "มท 0808.2/ว 1234",
        "คำสั่ง สถ. 1520/2566",
    ]
    assert [r.value for r in refs if r.kind == "oit_item"] == ["O35"]
    assert [r.value for r in refs if r.kind == "score"] == [100]
    assert [r.value for r in refs if r.kind == "year"] == [2566]


def test_thai_code_page_declared_in_meta_is_decoded(report_2567: ExtractedDocument) -> None:
    utf8 = (SAMPLES / "dla_2567.html").read_text(encoding="utf-8")
    cp874 = utf8.replace('charset="utf-8"', 'charset="windows-874"').encode("cp874")
    doc = extract_bytes(cp874, "dla_2567_cp874.html")
    assert doc.report == report_2567.report
    assert doc.entries == report_2567.entries


def test_tis620_without_declaration_falls_back_to_cp874() -> None:
    page = (
        "<html><body><p>รายงานผลการดำเนินการของเทศบาลตำบลบ้านใหม่ ปีงบประมาณ 2566</p><table>"
        "<tr><td>ตัวชี้วัด</td><td>มาตรการ</td><td>หน่วยงานรับผิดชอบ</td></tr>"
        "<tr><td>ตัวชี้วัดที่ 3 การใช้อำนาจ</td><td>ประกาศแนวทางการใช้ดุลพินิจ</td><td>สำนักปลัด</td></tr>"
        "</table></body></html>"
    )
    doc = extract_bytes(page.encode("cp874"), "legacy.htm")
    assert doc.report.agency == "เทศบาลตำบลบ้านใหม่"
    assert doc.report.agency_abbr == "ทต.บ้านใหม่"
    assert doc.report.fiscal_year_be == 2566
    assert [m.text for m in doc.items("measure")] == ["ประกาศแนวทางการใช้ดุลพินิจ"]
    assert [u.text for u in doc.items("unit")] == ["สำนักปลัด"]


def test_columns_recognised_by_header_words_not_position() -> None:
    page = (
        "<html><body><h1>รายงานผลการดำเนินงานตามมาตรการส่งเสริมคุณธรรม ปีงบประมาณ พ.ศ. ๒๕๖๘</h1>"
        "<table><tr><td>ผู้รับผิดชอบ</td><td>ผลลัพธ์หรือความสำเร็จ</td><td>ประเด็นการประเมิน</td>"
        "<td>ผลการดำเนินงาน</td><td>มาตรการ/กิจกรรม</td></tr>"
        "<tr><td>กองคลัง</td><td>เบิกจ่ายครบ</td><td>ตัวชี้วัดที่ 2 การใช้งบประมาณ</td>"
        "<td>รายงานทุกไตรมาส</td><td>ติดตามการใช้งบประมาณ</td></tr></table></body></html>"
    )
    doc = extract_bytes(page.encode(), "reordered.html")
    (entry,) = doc.entries
    assert [(i.role, i.text) for i in entry.items] == [
        ("measure", "ติดตามการใช้งบประมาณ"),
        ("result", "รายงานทุกไตรมาส"),
        ("outcome", "เบิกจ่ายครบ"),
        ("unit", "กองคลัง"),
    ]
    assert entry.indicators[0].number == 2
    assert entry.tool == "IIT"


def test_list_items_are_never_glued_together() -> None:
    page = (
        "<table><thead><tr><th>ตัวชี้วัด</th><th>มาตรการ</th><th>ผลการดำเนินการ</th></tr></thead>"
        "<tbody><tr><td>ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล</td>"
        "<td><ol><li>เผยแพร่ข้อมูล</li><li>ปรับปรุงเว็บไซต์</li></ol></td>"
        "<td><p>ดำเนินการแล้ว<br/>ครบถ้วน</p></td></tr></tbody></table>"
    )
    doc = extract_bytes(page.encode(), "lists.html")
    measures = doc.items("measure")
    assert [(m.marker, m.text) for m in measures] == [("1.", "เผยแพร่ข้อมูล"), ("2.", "ปรับปรุงเว็บไซต์")]
    assert [r.text for r in doc.items("result")] == ["ดำเนินการแล้ว", "ครบถ้วน"]


def test_month_in_a_date_is_not_an_abbreviation() -> None:
    page = (
        "<p>รายงานผลการดำเนินการของเทศบาลตำบลบ้านใหม่ ปีงบประมาณ 2566</p><table>"
        "<tr><td>ตัวชี้วัด</td><td>มาตรการ</td></tr>"
        "<tr><td>ตัวชี้วัดที่ 1 การปฏิบัติหน้าที่</td><td>ประกาศ ลว. 22 ก.พ. 66</td></tr></table>"
    )
    doc = extract_bytes(page.encode(), "month.html")
    assert doc.abbreviations == {"ลว.": "ลงวันที่"}


def test_table_without_indicator_column_takes_indicators_from_their_own_rows() -> None:
    """A four-column layout: a sequence number column, and each indicator on a row of its
    own spanning the table; no tool sections, so tools come from the framework."""
    page = (
        "<h1>มาตรการส่งเสริมคุณธรรมและความโปร่งใส ของเทศบาลเมืองบ้านไผ่ ประจำปีงบประมาณ พ.ศ. 2568</h1>"
        "<table><tr><th>ลำดับ</th><th>มาตรการ/กิจกรรม</th><th>ผลการดำเนินงาน</th>"
        "<th>ผู้รับผิดชอบ</th></tr>"
        '<tr><td colspan="4">ตัวชี้วัดที่ 1 การปฏิบัติหน้าที่</td></tr>'
        "<tr><td>1</td><td>จัดทำคู่มือการปฏิบัติงาน</td><td>เผยแพร่แล้ว</td><td>สำนักปลัด</td></tr>"
        "<tr><td>2</td><td>อบรมจริยธรรม</td><td>อบรม 2 รุ่น</td><td>กองการเจ้าหน้าที่</td></tr>"
        '<tr><td colspan="4">ตัวชี้วัดที่ 10 การป้องกันการทุจริต</td></tr>'
        "<tr><td>3</td><td>ประกาศเจตจำนงสุจริต</td><td>ประกาศ ณ วันที่ 1 ต.ค. 2567</td>"
        "<td>นายกเทศมนตรี</td></tr></table>"
    )
    doc = extract_bytes(page.encode(), "four-columns.html")
    assert (doc.report.agency_abbr, doc.report.fiscal_year_be) == ("ทม.บ้านไผ่", 2568)
    assert [(e.tool, [i.number for i in e.indicators]) for e in doc.entries] == [
        ("IIT", [1]),
        ("IIT", [1]),
        ("OIT", [10]),
    ]
    assert [m.text for m in doc.items("measure")] == [
        "จัดทำคู่มือการปฏิบัติงาน",
        "อบรมจริยธรรม",
        "ประกาศเจตจำนงสุจริต",
    ]
    counts = [(r.value, r.unit) for i in doc.items() for r in i.refs if r.kind == "count"]
    assert counts == [(2, "รุ่น")]
    dates = [r.value for i in doc.items() for r in i.refs if r.kind == "date"]
    assert dates == ["2024-10-01"]


def test_columns_the_schema_has_no_role_for_are_left_out() -> None:
    """A period column ("ระยะเวลาดำเนินการ") sits between measure and outcome; its month
    ranges must not become items, and the indicator spanning two rows covers both."""
    page = (
        "<p>มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน</p>"
        "<p>เทศบาลตำบลหนองแก้ว ปีงบประมาณ ๒๕๖๗</p><table><thead><tr>"
        "<th>ประเด็นการประเมิน</th><th>โครงการ/กิจกรรม</th><th>ระยะเวลาดำเนินการ</th>"
        "<th>ผลลัพธ์</th><th>ผู้รับผิดชอบ</th></tr></thead><tbody>"
        '<tr><td rowspan="2">ตัวชี้วัดที่ ๓ การใช้อำนาจ</td>'
        "<td>๑. กำหนดหลักเกณฑ์การมอบหมายงานที่เป็นธรรม<br>๒. เปิดช่องทางร้องเรียนการใช้อำนาจ</td>"
        "<td>ต.ค. ๖๖ - ก.ย. ๖๗</td><td>ไม่มีเรื่องร้องเรียน</td><td>กองช่าง</td></tr>"
        "<tr><td>- จัดทำคู่มือการปฏิบัติงาน</td><td>ธ.ค. ๖๖</td><td>มีคู่มือ ๑ ฉบับ</td>"
        "<td>สำนักปลัด</td></tr></tbody></table>"
    )
    doc = extract_bytes(page.encode(), "period-column.html")
    assert (doc.report.agency_abbr, doc.report.fiscal_year_be) == ("ทต.หนองแก้ว", 2567)
    assert [[i.number for i in e.indicators] for e in doc.entries] == [[3], [3]]
    assert [[(i.role, i.text) for i in e.items] for e in doc.entries] == [
        [
            ("measure", "กำหนดหลักเกณฑ์การมอบหมายงานที่เป็นธรรม"),
            ("measure", "เปิดช่องทางร้องเรียนการใช้อำนาจ"),
            ("outcome", "ไม่มีเรื่องร้องเรียน"),
            ("unit", "กองช่าง"),
        ],
        [
            ("measure", "จัดทำคู่มือการปฏิบัติงาน"),
            ("outcome", "มีคู่มือ 1 ฉบับ"),
            ("unit", "สำนักปลัด"),
        ],
    ]
