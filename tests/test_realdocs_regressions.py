"""Real Thai government PDFs, cut to the page that shows a defect, and what the page says.

In the manner of pdfplumber's tests/test_issues.py: one test per defect, on an excerpt named
after it (tests/fixtures/realdocs/, cut from ../shared/realdocs by cut_excerpts.py beside
them; MANIFEST.tsv there names each one's public source and commit). They run in any clone:
nothing here reads ../shared.

Each test first shows the defect is in the file (pdfplumber's own text has it), then checks
the repaired text against lines read off the rendered page (``pdftoppm -r 100 -f N -l N``),
never against the code's output. Lines are compared with white space collapsed and dot
leaders ("......" of a form) written "…".
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pdfplumber
import pytest
from conftest import REALDOCS

from extractors.pdf_text import document_text, read_document_text

FIXTURES = Path(__file__).parent / "fixtures" / "realdocs"
MANIFEST = FIXTURES / "MANIFEST.tsv"
PUA = re.compile("[\ue000-\uf8ff]")


def excerpt(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def raw_text(name: str) -> str:
    """pdfplumber's text of the excerpt: the text layer as the file gives it."""
    with pdfplumber.open(FIXTURES / name) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def form_line(line: str) -> str:
    """A line with its dot leaders (three dots or more, or "…") as one "…", white space
    collapsed: forms are read by their words, not by how many dots a leader has."""
    line = re.sub(r"(?:\.{3,}|…)+", "…", line)
    return re.sub(r"\s+", " ", line).strip()


def lines_of(name: str) -> list[str]:
    return [form_line(line) for line in document_text(excerpt(name)).splitlines()]


def _manifest() -> list[dict[str, str]]:
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_the_manifest_names_each_excerpt_and_its_source() -> None:
    rows = _manifest()
    assert sorted(r["file"] for r in rows) == sorted(p.name for p in FIXTURES.glob("*.pdf"))
    for row in rows:
        assert row["source_repo"] and row["path_in_repo"] and row["test"], row
        assert re.fullmatch(r"[0-9a-f]{40}", row["commit"]), row
        for test in row["test"].split("; "):
            assert test in globals(), f"{row['file']}: no test named {test}"
        with pdfplumber.open(FIXTURES / row["file"]) as pdf:
            assert len(pdf.pages) == len(row["pages_kept"].split(","))
    # cut pages, not whole documents: 150 KB at most each
    assert all((FIXTURES / r["file"]).stat().st_size < 150_000 for r in rows)


@pytest.mark.skipif(
    not (REALDOCS / "MANIFEST.tsv").is_file(),
    reason="../shared/realdocs not present: the excerpts' sources are checked against it",
)
def test_the_sources_are_those_of_shared_realdocs() -> None:
    with (REALDOCS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        shared = {r["file"]: r for r in csv.DictReader(handle, delimiter="\t")}
    for row in _manifest():
        source = shared[row["realdocs_file"]]
        assert (row["source_repo"], row["path_in_repo"], row["commit"]) == (
            source["source_repo"],
            source["path_in_repo"],
            source["commit"],
        )


# --- ita_moph_nysso_2563/EB1_1.2.pdf, page 2 (the foreword), Word 2007 ----------------------

NIKHAHIT = "zero_width_nikhahit_eb1_1.2_p2.pdf"


def test_split_sara_am_from_a_zero_width_nikhahit() -> None:
    raw = raw_text(NIKHAHIT)
    assert "ค าน า" in raw and "ส านักงานสาธารณสุขอ าเภอหนองใหญ่" in raw
    with pdfplumber.open(FIXTURES / NIKHAHIT) as pdf:
        spaces = [c for c in pdf.pages[0].chars if c["text"] == " " and c["x1"] == c["x0"]]
    assert len(spaces) == 12  # a zero-width "space" under each of the page's 12 ำ

    lines = lines_of(NIKHAHIT)
    for line in (
        "คำนำ",
        "เอกสารฉบับนี้จัดทำขึ้นเพื่อสรุปวิเคราะห์และรายงานผลการจัดซื้อจัดจ้างในรอบ",
        "ดำเนินงานรวมถึงข้อเสนอแนะแนวทางในการดำเนินงานจากการดำเนินงานการจัดซื้อจัดจ้างปีงบประมาณ",
        "คุณลักษณะเฉพาะครุภัณฑ์การติดต่อประสานงาน ปัญหาของตัวบุคคล และปัญหาอื่นๆ ซึ่งปัญหาเหล่านี้",
        "ผู้ปฏิบัติงานจะนำไปศึกษาวิเคราะห์ และหาวิธีการแก้ไขเพื่อนำมาพัฒนาปรับปรุงระบบการจัดซื้อจัดจ้างให้มี",
        "ประสิทธิภาพต่อไป",
        "กลุ่มงานบริหารทั่วไป งานพัสดุ สำนักงานสาธารณสุขอำเภอหนองใหญ่",
    ):
        assert line in lines
    # "พ.ศ. ๒๕๖๒ นั้น…" on the page: the year is typed 25๖๒ in TH SarabunIT๙, whose Latin
    # digits are drawn as Thai ones, so only the words after it are the page's
    assert any(
        line.startswith("พ.ศ.")
        and line.endswith("นั้นผู้ปฏิบัติได้ประสบกับปัญหาและอุปสรรคในการดำเนินงานทั้งในการกำหนดรายละเอียด")
        for line in lines
    )
    assert " า" not in document_text(excerpt(NIKHAHIT))


# --- dla_local_forms/child_support_grant_form_dr05.pdf, Word 2019 ----------------------------

MARKS = "marks_out_of_order_dr05_p1.pdf"


def test_marks_out_of_order_follow_their_base() -> None:
    raw = raw_text(MARKS)
    assert "หมายเลขโทรศัพทท์ ตี่ ิดต่อได้" in raw  # โทรศัพท์ที่ติดต่อ, marks sorted by x
    assert "สัญชาต.ิ" in raw

    lines = lines_of(MARKS)
    for line in (
        "แบบ ดร.05",
        "แบบคำร้องขอคัดค้าน",
        "วันที่…เดือน…พ.ศ…",
        "เรื่อง ขอคัดค้านรายชื่อผู้มีสิทธิรับเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด",
        "เรียน นายกองค์การบริหารส่วนตำบล/นายกเทศมนตรีเทศบาล/นายกเมืองพัทยา/ผู้อำนวยการเขต…",
        "เกิดวันที่…เดือน…พ.ศ. …อายุ … ปี สัญชาติ…เชื้อชาติ…",
        "ประกอบอาชีพ…หมายเลขโทรศัพท์ที่ติดต่อได้…ขอยื่นคำร้องขอคัดค้าน",
        "โดยมีรายละเอียด ดังนี้",
        "ข้าพเจ้าในฐานะเป็นผู้มีส่วนได้ส่วนเสีย ขอคัดค้าน เด็กชาย/เด็กหญิง/นาย/นาง/นางสาว…",
        "…ซึ่งเป็นผู้ปกครองที่มีสิทธิได้รับเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด",
        "จึงเรียนมาเพื่อโปรดพิจารณา",
        "(ลงชื่อ)…ผู้ยื่นคำร้องขอคัดค้าน",
    ):
        assert line in lines


# --- dla_local_forms/child_support_grant_form_dr06.pdf, Word 2010 ----------------------------

FORM_DR06 = "sara_aa_as_sara_am_and_wingdings_dr06_p1.pdf"


def test_sara_aa_read_as_sara_am() -> None:
    raw = raw_text(FORM_DR06)
    assert "แบบค ำร้องขอเปลี่ยนแปลงสิทธิผู้รับเงินอุดหนุนเพื่อกำรเลี้ยงดูเด็กแรกเกิด" in raw
    assert "เรียน นำยกองค์กำรบริหำรส่วนต ำบล" in raw

    lines = lines_of(FORM_DR06)
    for line in (
        "แบบ ดร.06",
        "แบบคำร้องขอเปลี่ยนแปลงสิทธิผู้รับเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด",
        "วันที่ยื่นคำร้อง…เดือน…พ.ศ…",
        "ส่วนที่ 1 ข้อมูลของผู้ยื่นคำร้อง",
        "เรียน นายกองค์การบริหารส่วนตำบล/นายกเทศมนตรีเทศบาล/นายกเมืองพัทยา/ผู้อำนวยการเขต…",
        "มีความประสงค์ยื่นคำร้องขอเปลี่ยนแปลงสิทธิผู้รับเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิดของ",
        "เด็กชาย/เด็กหญิง…",
        "โดยขอเปลี่ยนแปลงผู้มีสิทธิรับเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด",
        "จาก เด็กชาย/เด็กหญิง/นาย/นาง/นางสาว…",
        "เป็น เด็กชาย/เด็กหญิง/นาย/นาง/นางสาว…",
        "เนื่องจาก…",
        "ข้าพเจ้าขอรับรองว่าข้อความข้างต้นเป็นความจริง",
        "ลงชื่อ…ผู้ยื่นคำร้อง",
        "ลงชื่อ…ผู้รับคำร้อง",
        "ตำแหน่ง…",
        "หมายเหตุ : ให้แนบ แบบคำร้องขอลงทะเบียน (แบบ ดร.01) และแบบรับรองสถานะของครัวเรือน "
        "(แบบ ดร.02) ของผู้ยื่นขอเปลี่ยนแปลงสิทธิ",
    ):
        assert line in lines


def test_wingdings_check_boxes() -> None:
    with pdfplumber.open(FIXTURES / FORM_DR06) as pdf:
        symbols = [c["text"] for c in pdf.pages[0].chars if PUA.match(c["text"])]
    assert sorted(set(symbols)) == ["\uf063", "\uf071", "\uf0a6"]  # Webdings, Wingdings

    text = document_text(excerpt(FORM_DR06))
    assert not PUA.search(text)
    lines = lines_of(FORM_DR06)
    # the 13 boxes of the national ID number, grouped 1-4-5-2-1
    assert "เลขประจำตัวประชาชน ☐ - ☐☐☐☐ - ☐☐☐☐☐ - ☐☐ - ☐" in lines
    # five round choices drawn as circles, one glyph for all five
    choices = next(line for line in lines if line.startswith("ข้าพเจ้า"))
    circle = choices[len("ข้าพเจ้า")]
    assert "CIRCLE" in unicodedata.name(circle)
    assert choices == (
        f"ข้าพเจ้า{circle}เด็กชาย {circle}เด็กหญิง {circle} นาย {circle}นาง {circle}นางสาว …"
    )
    # two shadowed check boxes in part 3
    squares = [ch for ch in text if "SHADOWED WHITE SQUARE" in unicodedata.name(ch, "")]
    assert len(squares) == 2


# --- ita_moph_nysso_2563/EB1_1.7.pdf, Word 2007 -----------------------------------------------

THAI_PUA = "thai_pua_marks_eb1_1.7_p1.pdf"


def test_thai_pua_marks_are_mapped() -> None:
    raw = raw_text(THAI_PUA)
    assert raw.count("\uf702") == 3  # sara ii, moved left for a tall consonant (ป)

    doc = read_document_text(excerpt(THAI_PUA))
    assert not PUA.search(doc.text)
    lines = [form_line(line) for line in doc.text.splitlines()]
    for line in (
        "วัน/เดือน/ปี : ๙ ธันวาคม ๒๕๖๓",
        "ประจำปีงบประมาณ พ.ศ. ๒๕๖๔",
        "แบบสำรวจหลักฐานเชิงประจักษ์ (Evidence Based Integrity and Transparency Assessment :EBIT) "
        "ประจำปี",
        "งบประมาณ พ.ศ. ๒๕๖๔",
    ):
        assert line in lines
    assert doc.repairs["pua"] == 3


# --- budget_bill_2565/budget-pdf_14.pdf, page 3 (a title page), Adobe Acrobat 9 ----------------

DRAWN_TWICE = "glyphs_drawn_twice_budget_2565_p3.pdf"


def test_glyphs_drawn_twice_are_read_once() -> None:
    raw = raw_text(DRAWN_TWICE)
    assert "เเออกกสสาารรงงบบปปรระะมมาาณณ" in raw and "งงบบปปรระะมมาาณณรราายยจจ่า่ายย" in raw

    lines = lines_of(DRAWN_TWICE)
    assert lines[:2] == ["เอกสารงบประมาณ ฉบับที่ ๓", "งบประมาณรายจ่าย"]
    # the page's other lines also carry glyphs with no Unicode (ประจำปี, สำนัก): not
    # asserted here, they belong to the budget volume's own work
