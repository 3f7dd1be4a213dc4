"""Normalisers on hand-written Thai strings; each expectation is what the string means."""

from __future__ import annotations

import pytest

from etl.transform.normalise.abbreviations import (
    abbreviation_for_agency,
    contract_expansions,
    correct_garbled,
    find_known,
)
from etl.transform.normalise.indicators import parse_indicator_cell
from etl.transform.normalise.refs import find_refs
from etl.transform.normalise.split import split_cell, split_paragraph
from etl.transform.normalise.text import normalise_text
from extractors.model import Block, Cell
from extractors.thai.chars import to_arabic_digits
from extractors.thai.words import join_wrapped_words
from schemas.framework import edition_for

EDITION, _ = edition_for(2566)


@pytest.mark.parametrize(
    ("wrapped", "expected"),
    [
        ("ชักซ้อมความ เข้าใจ", "ชักซ้อมความเข้าใจ"),
        ("ผู้ มาติดต่อ", "ผู้มาติดต่อ"),
        ("ความพึง พอใจของผู้รับบริการ", "ความพึงพอใจของผู้รับบริการ"),
        ("ศูนย์เทคโนโลยี สารสนเทศ", "ศูนย์เทคโนโลยีสารสนเทศ"),
    ],
)
def test_line_wrap_space_inside_a_word_removed(wrapped: str, expected: str) -> None:
    assert join_wrapped_words(wrapped) == (expected, 1)


@pytest.mark.parametrize(
    "phrases",
    [
        "ทั้งนี้ มีประมวลจริยธรรม",
        "ดังนั้น การใช้อำนาจ",
        "ประจำปีงบประมาณ พ.ศ. 2566",
        "สำนักงาน ก.พ. กำหนด",
        "รับรู้และ ยึดถือปฏิบัติ",
        "ผู้บริหาร สถ. เมื่อวันที่",
        "ในการใช้งบประมาณ การเบิกจ่าย",
    ],
)
def test_phrase_separating_space_kept(phrases: str) -> None:
    assert join_wrapped_words(phrases) == (phrases, 0)


def test_url_space_and_double_spaces() -> None:
    result = normalise_text("เว็บไซต์  ของ สถ.  ( www. dla.go.th )")
    assert result.text == "เว็บไซต์ ของ สถ. (www.dla.go.th)"
    assert [r.value for r in result.refs] == ["www.dla.go.th"]


def test_garbled_agency_abbreviation_corrected_known_ones_kept() -> None:
    text, corrections = correct_garbled("สด. แจ้ง สก. และ สป. กับ อบต. และ ก.พ.", "สถ.")
    assert text == "สถ. แจ้ง สถ. และ สป. กับ อบต. และ ก.พ."
    assert [(c.original, c.corrected) for c in corrections] == [("สด.", "สถ."), ("สก.", "สถ.")]


def test_no_correction_without_a_known_agency_abbreviation() -> None:
    assert correct_garbled("สด. แจ้ง", None) == ("สด. แจ้ง", ())


def test_abbreviations_and_agency_names() -> None:
    assert abbreviation_for_agency("กรมส่งเสริมการปกครองท้องถิ่น") == "สถ."
    assert abbreviation_for_agency("องค์การบริหารส่วนตำบลหนองบัว") == "อบต.หนองบัว"
    assert abbreviation_for_agency("สำนักงานสาธารณสุขอำเภอนายายอาม") == "สสอ.นายายอาม"
    assert abbreviation_for_agency("บริษัทตัวอย่าง") is None
    assert find_known("ตามหนังสือ สถ. ที่ มท 0810 ลว. 1 ม.ค. 67") == ["สถ.", "มท", "ลว."]
    assert contract_expansions("ผู้บริหารของกรมส่งเสริมการปกครองท้องถิ่น") == "ผู้บริหารของสถ."


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("หนังสือ ที่ มท ๐๘๐๓.๔/ว ๑๖ ลงวันที่", "document", "มท 0803.4/ว 16"),
        ("ตามคำสั่ง สถ. ๗๒/๒๕๖๔", "document", "คำสั่ง สถ. 72/2564"),
        ("ได้คะแนน ร้อยละ ๙๒.๔๓", "percent", 92.43),
        ("ผ่านเกณฑ์ 87.5%", "percent", 87.5),
        ("จำนวน ๘ ครั้ง", "count", 8),
        ("จัดอบรม ๓ รุ่น", "count", 3),
        ("ได้รับ ๑๐๐ คะแนน", "score", 100),
        ("เลือก O๒๑ การขับเคลื่อน", "oit_item", "O21"),
        ("ประจำปีงบประมาณ พ.ศ. ๒๕๖๗", "year", 2567),
        ("ดูที่ https://www.dla.go.th/ita.", "url", "https://www.dla.go.th/ita"),
        ("เผยแพร่ทาง nongbua.go.th แล้ว", "url", "nongbua.go.th"),
    ],
)
def test_references(text: str, kind: str, value: object) -> None:
    refs = find_refs(to_arabic_digits(text), text)
    assert [(r.kind, r.value) for r in refs] == [(kind, value)]


@pytest.mark.parametrize("text", ["แผน 4 ปี", "รอบ 6 เดือน", "ภายใน 1 วันทำการ", "ข้อ 1.2 ระบุ"])
def test_numbers_that_are_not_counts(text: str) -> None:
    assert [r for r in find_refs(text, text) if r.kind == "count"] == []


def test_reference_raw_is_cut_from_the_source_text() -> None:
    source = "คำสั่ง สก. ๗๒/๒๕๖๔ ลว. ๒๒ ก.พ. ๖๔"
    result = normalise_text(source, "สถ.")
    assert [(r.kind, r.raw, r.value) for r in result.refs] == [
        ("document", "คำสั่ง สก. ๗๒/๒๕๖๔", "คำสั่ง สถ. 72/2564"),
        ("date", "๒๒ ก.พ. ๖๔", "2021-02-22"),
    ]
    assert result.text == "คำสั่ง สถ. 72/2564 ลว. 22 ก.พ. 64"


@pytest.mark.parametrize(
    ("paragraph", "items"),
    [
        ("- ก่อน - หลัง", [("-", "ก่อน"), ("-", "หลัง")]),
        ("• หนึ่ง • สอง", [("•", "หนึ่ง"), ("•", "สอง")]),
        ("\uf0b7 ข้อแรก", [("\uf0b7", "ข้อแรก")]),
        ("๑. สำนักงาน ๒. ศูนย์ ๓. กอง", [("๑.", "สำนักงาน"), ("๒.", "ศูนย์"), ("๓.", "กอง")]),
        ("1) ก 2) ข", [("1)", "ก"), ("2)", "ข")]),
        ("(1) ก (2) ข", [("(1)", "ก"), ("(2)", "ข")]),
        ("- ระยะเวลา ๑ ต.ค. ๖๕ - ๓๐ ก.ย. ๖๖", [("-", "ระยะเวลา ๑ ต.ค. ๖๕ - ๓๐ ก.ย. ๖๖")]),
        ("- ช่วง ต.ค. ๖๕ - ก.ย. ๖๖", [("-", "ช่วง ต.ค. ๖๕ - ก.ย. ๖๖")]),
        ("วิธีใช้ (๑) คลิก (๒) แชท", [(None, "วิธีใช้ (๑) คลิก (๒) แชท")]),
        ("พ.ศ. ๒๕๖๖ มีผล", [(None, "พ.ศ. ๒๕๖๖ มีผล")]),
        ("๑. หนึ่ง ๓. ไม่ใช่ลำดับถัดไป", [("๑.", "หนึ่ง ๓. ไม่ใช่ลำดับถัดไป")]),
    ],
)
def test_split_paragraph(paragraph: str, items: list[tuple[str | None, str]]) -> None:
    assert split_paragraph(paragraph) == items


def test_two_indicators_in_one_cell() -> None:
    cell = parse_indicator_cell("ตัวชี้วัดที่ ๙ การเปิดเผยข้อมูล ตัวชี้วัดที่ ๑๐ การป้องกัน การ ทุจริต", EDITION)
    assert [(i.number, i.name) for i in cell.indicators] == [
        (9, "การเปิดเผยข้อมูล"),
        (10, "การป้องกันการทุจริต"),
    ]
    assert cell.warnings == ()


def test_number_contradicting_name_is_reconciled_by_name() -> None:
    cell = parse_indicator_cell("ตัวชี้วัดที่ ๒ คุณภาพการ ดำเนินงาน", EDITION)
    assert [(i.number, i.name) for i in cell.indicators] == [(6, "คุณภาพการดำเนินงาน")]
    (warning,) = cell.warnings
    assert "number 2" in warning and "indicator 6" in warning


def test_indicator_named_without_number_and_unknown_name() -> None:
    named = parse_indicator_cell("การใช้อำนาจ", EDITION)
    assert [(i.number, i.name) for i in named.indicators] == [(3, "การใช้อำนาจ")]
    unknown = parse_indicator_cell("ตัวชี้วัดที่ 12 การบริหารความเสี่ยง", EDITION)
    assert [(i.number, i.name) for i in unknown.indicators] == [(12, "การบริหารความเสี่ยง")]
    assert "not in the framework" in unknown.warnings[0]


def _joined(*lines: str) -> str:
    (piece,) = split_cell(Cell(tuple(Block("line", line) for line in lines)))
    return piece.text


def test_pdf_lines_wrapped_between_thai_words_join_without_a_space() -> None:
    # held-out WeasyPrint rendering of "กำหนดหลักเกณฑ์การมอบหมายงานที่เป็นธรรม" wrapped
    # after มอบหมาย: the page shows no space there, and the source had none
    assert _joined("กำหนดหลักเกณฑ์การมอบหมาย", "งานที่เป็นธรรม") == ("กำหนดหลักเกณฑ์การมอบหมายงานที่เป็นธรรม")


def test_pdf_line_wrap_keeps_a_space_before_an_abbreviation_and_outside_thai() -> None:
    assert _joined("จริยธรรมของ", "สด. เพื่อเป็นแนวทาง") == "จริยธรรมของ สด. เพื่อเป็นแนวทาง"
    assert _joined("ภายใน", "ม.ค. 2568") == "ภายใน ม.ค. 2568"
    assert _joined("คิดเป็นร้อยละ", "92.43") == "คิดเป็นร้อยละ 92.43"
    assert _joined("POPUP BOX", "สอบถามเรา") == "POPUP BOX สอบถามเรา"
    assert _joined("(ww", "w.dla.go.th)") == "(www.dla.go.th)"


def test_typed_line_break_starts_a_new_item() -> None:
    cell = Cell((Block("line", "สำนักปลัด"), Block("line", "กองคลัง", after_break=True)))
    assert [p.text for p in split_cell(cell)] == ["สำนักปลัด", "กองคลัง"]


def test_pdf_line_wrap_keeps_the_space_before_a_letter_number() -> None:
    # regression: "ที่" | "มท 0803.4/ว 16" glued to "ที่มท" lost the document reference
    assert _joined("ตามหนังสือที่", "มท 0803.4/ว 16") == "ตามหนังสือที่ มท 0803.4/ว 16"
