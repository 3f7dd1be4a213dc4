"""The seed report (samples/dla_2566.txt), checked against what the document says.

Every expected value here was written by reading the seed, with the normalisation rules
applied by hand: Thai digits to Arabic, the garbled สด./สก. to สถ., a line-wrap space removed
only where the two parts make one dictionary word (ผู้มา|ติดต่อ, ความ|หลากหลาย,
มี|ประสิทธิภาพ, เทคโนโลยี|สารสนเทศ), spaces between words kept.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from etl import ExtractedDocument, extract_file

SAMPLES = Path(__file__).parents[1] / "samples"
SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "export.schema.json").read_text())

MEASURES = [
    "กำหนดเครื่องมือให้บุคลากรในสังกัด สถ. เพื่อใช้เป็นแนวทางการปฏิบัติให้เป็นไปตามขั้นตอน ระเบียบกฎหมาย",
    "ส่งเสริมให้บุคลากรในสังกัด สถ. ตระหนักรู้และไม่ประพฤติปฏิบัติในทางที่มีชอบ",
    "กำหนดคู่มือหรือแนวทางหรือหนังสือสั่งการหรือข้อบังคับหรือข้อสั่งการของ สถ. "
    "มุ่งเน้นการปฏิบัติงานให้มีคุณธรรมและความโปร่งใสในการปฏิบัติหน้าที่ รวมถึงมุ่งผลสัมฤทธิ์ "
    "ของงานตามที่ได้รับมอบหมาย ทั้งนี้ มีประมวลจริยธรรมข้าราชการพลเรือน เพื่อยึดถือปฏิบัติหน้าที่",
    "กำหนดให้มีการติดตามการดำเนินงานการใช้งบประมาณ",
    "ส่งเสริมการรับรู้วิธีการ แนวทาง หรือตามกฎหมาย ระเบียบ หรือหนังสือสั่งการที่เกี่ยวข้องในการใช้งบประมาณ "
    "การเบิกจ่ายให้เป็นไปตามเป้าหมายตามมติคณะรัฐมนตรี และมาตรการเร่งรัดการเบิกจ่ายงบประมาณและการใช้จ่ายภาครัฐ",
    "กำหนดกลไกในการใช้อำนาจผู้บริหารของ สถ. ในการปฏิบัติโดยชอบธรรม",
    "กำหนดแนวทาง/คู่มือการใช้ ทรัพย์สินของราชการและเผยแพร่ให้ เจ้าหน้าที่ภายในหน่วยงานรับรู้และ ยึดถือปฏิบัติ",
    "กำหนดกลไกในการดำเนินงาน เพื่อการแก้ไขปัญหาการทุจริต",
    "พัฒนาระบบการดำเนินงานที่ เอื้ออำนวยต่อผู้ปฏิบัติงานให้มีประสิทธิภาพและผู้ใช้บริการได้รับ ความสะดวกรวดเร็ว",
    "กำหนดช่องทางผู้ใช้บริการ/ผู้มาติดต่อขอทราบข้อมูลข่าวสารหรือ งานภารกิจของหน่วยงานให้มีความหลากหลาย",
    "มีการสำรวจความพึงพอใจทำให้ สถ. ได้ทราบผลการดำเนินงานนำไปสู่ การปรับปรุงพัฒนาการบริการงาน "
    "ของหน่วยงานให้มีประสิทธิภาพ",
    "กำหนดทีมปฏิบัติงาน เพื่อ ขับเคลื่อนและติดตามการประเมิน ITA ของหน่วยงาน",
    "ถอดบทเรียนการดำเนินงาน เพื่อกำหนดแนวทางการดำเนินงาน ของ สถ.",
]

# Responsible units of each of the 9 rows, in order (indicator 7's cell is empty).
UNITS = [
    ["กองกฎหมายและระเบียบท้องถิ่น", "กองการเจ้าหน้าที่"],
    ["กองยุทธศาสตร์และแผนงาน"],
    ["กองการเจ้าหน้าที่"],
    ["กองคลัง", "ทุกสำนัก/กอง"],
    ["สำนักงาน เลขานุการ กรม สถ.", "กองกฎหมายและ ระเบียบท้องถิ่น"],
    ["สำนักงาน ศปท. สถ.", "ศูนย์เทคโนโลยีสารสนเทศ สถ."],
    [],
    ["กลุ่มพัฒนาระบบ บริหาร"],
    ["สำนักงาน ศปท. สถ.", "หน่วยงานภายใน ของ สถ. ที่ รับผิดชอบตัวชี้วัด (สำนัก/กอง)"],
]


@pytest.fixture(scope="module")
def seed() -> ExtractedDocument:
    return extract_file(SAMPLES / "dla_2566.txt")


def test_report_header(seed: ExtractedDocument) -> None:
    assert seed.source.format == "text"
    assert seed.report.agency == "กรมส่งเสริมการปกครองท้องถิ่น"
    assert seed.report.agency_abbr == "สถ."
    assert seed.report.fiscal_year_be == 2566
    assert seed.report.fiscal_year_ce == 2023
    assert seed.report.title is not None and seed.report.title.startswith("รายงานผลการดำเนินการ")


def test_nine_entries_with_tools_and_weights(seed: ExtractedDocument) -> None:
    assert len(seed.entries) == 9
    assert [e.tool for e in seed.entries] == ["IIT"] * 5 + ["EIT"] * 3 + ["OIT"]
    assert [e.tool_weight_pct for e in seed.entries] == [30.0] * 8 + [40.0]


def test_thirteen_measures_verbatim(seed: ExtractedDocument) -> None:
    assert [m.text for m in seed.items("measure")] == MEASURES


def test_measures_per_entry_and_ordinals(seed: ExtractedDocument) -> None:
    counts = [len(e.items_with_role("measure")) for e in seed.entries]
    assert counts == [3, 2, 1, 1, 1, 1, 1, 1, 2]
    for entry in seed.entries:
        ordinals = [m.ordinal for m in entry.items_with_role("measure")]
        assert ordinals == list(range(1, len(ordinals) + 1))


def test_units_of_each_entry(seed: ExtractedDocument) -> None:
    assert [[u.text for u in e.items_with_role("unit")] for e in seed.entries] == UNITS


def test_bullet_marks_and_numbers_are_not_text(seed: ExtractedDocument) -> None:
    units = seed.entries[5].items_with_role("unit")
    assert [u.marker for u in units] == ["๑.", "๒."]
    oit_measures = seed.entries[8].items_with_role("measure")
    assert [m.marker for m in oit_measures] == ["-", "-"]
    assert not any(i.text.startswith(("-", "•", "๑.", "1.")) for i in seed.items())


def test_indicator_numbers_reconciled_by_name(seed: ExtractedDocument) -> None:
    numbers = [[i.number for i in e.indicators] for e in seed.entries]
    assert numbers == [[1], [2], [3], [4], [5], [6], [7], [8], [9, 10]]
    eit_first = seed.entries[5]
    assert eit_first.indicators[0].name == "คุณภาพการดำเนินงาน"
    assert eit_first.indicators[0].raw.startswith("ตัวชี้วัดที่ ๒")
    (warning,) = eit_first.warnings
    assert "2" in warning and "6" in warning and "คุณภาพการดำเนินงาน" in warning
    oit = seed.entries[8]
    assert [i.name for i in oit.indicators] == ["การเปิดเผยข้อมูล", "การป้องกันการทุจริต"]
    assert not any(e.warnings for i, e in enumerate(seed.entries) if i != 5)


def test_canonical_indicator_names(seed: ExtractedDocument) -> None:
    fourth = seed.entries[3].indicators[0]
    assert fourth.name == "การใช้ทรัพย์สินของราชการ"
    assert fourth.raw == "ตัวชี้วัดที่ ๔ การใช้ทรัพย์สิน ของทางราชการ"


def test_dates(seed: ExtractedDocument) -> None:
    dates = [r.value for i in seed.items() for r in i.refs if r.kind == "date"]
    assert sorted(dates) == ["2020-12-03", "2021-02-22", "2022-12-21", "2023-03-23"]


def test_civil_service_commission_is_not_february(seed: ExtractedDocument) -> None:
    (item,) = [i for i in seed.items() if "สำนักงาน ก.พ." in i.raw]
    assert "สำนักงาน ก.พ." in item.text
    assert not [r for r in item.refs if r.kind == "date"]


def test_percent_and_other_figures(seed: ExtractedDocument) -> None:
    refs = [r for i in seed.items() for r in i.refs]
    assert [r.value for r in refs if r.kind == "percent"] == [92.43]
    (count,) = [r for r in refs if r.kind == "count"]
    assert (count.value, count.unit, count.raw) == (8, "ครั้ง", "จำนวน ๘ ครั้ง")
    assert [r.value for r in refs if r.kind == "score"] == [100]
    assert {r.value for r in refs if r.kind == "oit_item"} == {"O21"}


def test_document_numbers(seed: ExtractedDocument) -> None:
    documents = [r for i in seed.items() for r in i.refs if r.kind == "document"]
    by_raw = {r.raw: r.value for r in documents}
    assert by_raw["ที่ มท ๐๘๐๓.๔/ว ๑๖"] == "มท 0803.4/ว 16"
    assert by_raw["คำสั่ง สก. ๗๒/๒๕๖๔"] == "คำสั่ง สถ. 72/2564"
    assert by_raw["ที่ ๒๔/๒๕๖๕"] == "ที่ 24/2565"


def test_urls_rejoined(seed: ExtractedDocument) -> None:
    (item,) = [i for i in seed.items() if "www. dla.go.th" in i.raw]
    assert "www.dla.go.th" in item.text and "www. " not in item.text
    assert "www.dla.go.th" in [r.value for r in item.refs if r.kind == "url"]


def test_no_garbled_agency_abbreviation_left(seed: ExtractedDocument) -> None:
    texts = [i.text for i in seed.items()] + [i.heading or "" for i in seed.items()]
    assert not [t for t in texts if "สด." in t or "สก." in t]
    assert sum(1 for i in seed.items() if "สด." in i.raw or "สก." in i.raw) > 10
    assert seed.repairs["agency_abbr_corrected"] == sum(len(i.corrections) for i in seed.items())
    assert any("สด." in w and "สก." in w for w in seed.warnings)


def test_raw_keeps_source_digits(seed: ExtractedDocument) -> None:
    (item,) = [i for i in seed.items() if "ร้อยละ" in i.raw]
    assert "ร้อยละ ๙๒.๔๓" in item.raw
    assert "ร้อยละ 92.43" in item.text


def test_headings_inside_cells(seed: ExtractedDocument) -> None:
    results = seed.entries[0].items_with_role("result")
    assert [r.heading for r in results] == [
        None,
        "ด้านจริยธรรม",
        "ด้านจริยธรรม",
        "ด้านจริยธรรม",
        "ด้านแนวทางปฏิบัติราชการ",
        "ด้านแนวทางปฏิบัติราชการ",
    ]
    assert results[2].text == "แต่งตั้งคณะกรรมการจริยธรรมประจำกรมส่งเสริมการปกครองท้องถิ่น"


def test_dashes_running_inline_split(seed: ExtractedDocument) -> None:
    results = seed.entries[8].items_with_role("result")
    assert len(results) == 3
    assert results[0].text.endswith("ลว. 21 ธ.ค. 2565")
    assert results[1].text.startswith("มีการประชุมชี้แจงติดตามการ")
    assert results[2].text.startswith("ได้จัดทำแผนการกำกับติดตามผล")


def test_export_validates_against_schema(seed: ExtractedDocument) -> None:
    jsonschema.validate(seed.to_dict(), SCHEMA)


def test_abbreviations_used_with_their_expansions(seed: ExtractedDocument) -> None:
    assert seed.abbreviations["สถ."] == "กรมส่งเสริมการปกครองท้องถิ่น"
    assert seed.abbreviations["ศปท."] == "ศูนย์ปฏิบัติการต่อต้านการทุจริต"
    assert seed.abbreviations["มท"] == "กระทรวงมหาดไทย"
    assert seed.abbreviations["ลว."] == "ลงวันที่"
    # "สำนักงาน ก.พ." names the Civil Service Commission; "ลว. ๒๒ ก.พ. ๖๔" is February.
    assert seed.abbreviations["ก.พ."] == "สำนักงานคณะกรรมการข้าราชการพลเรือน"
    assert "สด." not in seed.abbreviations and "สก." not in seed.abbreviations
