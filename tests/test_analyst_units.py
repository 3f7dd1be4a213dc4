"""Canonical unit names (etl/transform/normalise/names.py, items.unit_name).

Every spelling below is a unit cell of the samples as the document writes it; the name each
should have was decided by reading both สถ. reports (2567 writes its units cleanly, in one
line each) and the abbreviation table (ศปท. = ศูนย์ปฏิบัติการต่อต้านการทุจริต).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES, ingest
from sqlalchemy import create_engine, text

from etl.transform.normalise.names import abbreviated_forms, canonical_unit, contract_names
from etl.transform.normalise.names import expand_abbreviations as expand
from loaders.db import resolve_url

DLA = ("สถ.", "กรมส่งเสริมการปกครองท้องถิ่น")
OBT = ("อบต.หนองบัว", "องค์การบริหารส่วนตำบลหนองบัว")

# 2566 (dla_2566.txt) as written, after the parser's own repairs (สด./สก. → สถ.)
DLA_2566 = {
    "กองกฎหมายและระเบียบท้องถิ่น": "กองกฎหมายและระเบียบท้องถิ่น",
    "กองการเจ้าหน้าที่": "กองการเจ้าหน้าที่",
    "กองยุทธศาสตร์และแผนงาน": "กองยุทธศาสตร์และแผนงาน",
    "กองคลัง": "กองคลัง",
    "ทุกสำนัก/กอง": "ทุกสำนัก/กอง",
    "สำนักงาน เลขานุการ กรม สถ.": "สำนักงานเลขานุการกรม",
    "กองกฎหมายและ ระเบียบท้องถิ่น": "กองกฎหมายและระเบียบท้องถิ่น",
    "สำนักงาน ศปท. สถ.": "ศูนย์ปฏิบัติการต่อต้านการทุจริต",
    "ศูนย์เทคโนโลยีสารสนเทศ สถ.": "ศูนย์เทคโนโลยีสารสนเทศ",
    "กลุ่มพัฒนาระบบ บริหาร": "กลุ่มพัฒนาระบบบริหาร",
    "หน่วยงานภายใน ของ สถ. ที่ รับผิดชอบตัวชี้วัด (สำนัก/กอง)": (
        "หน่วยงานภายในของกรมส่งเสริมการปกครองท้องถิ่นที่รับผิดชอบตัวชี้วัด (สำนัก/กอง)"
    ),
}
DLA_2567 = (
    "กองการเจ้าหน้าที่",
    "ศูนย์ปฏิบัติการต่อต้านการทุจริต",
    "กองคลัง",
    "กองกฎหมายและระเบียบท้องถิ่น",
    "ศูนย์เทคโนโลยีสารสนเทศ",
    "กลุ่มพัฒนาระบบบริหาร",
)


@pytest.mark.parametrize(("written", "name"), DLA_2566.items())
def test_a_unit_of_2566_gets_its_name(written: str, name: str) -> None:
    assert canonical_unit(written, *DLA) == name


@pytest.mark.parametrize("written", DLA_2567)
def test_a_unit_written_cleanly_keeps_its_name(written: str) -> None:
    """What was right is not damaged."""
    assert canonical_unit(written, *DLA) == written


def test_the_two_years_name_their_units_alike() -> None:
    names_2566 = {canonical_unit(w, *DLA) for w in DLA_2566}
    assert set(DLA_2567) <= names_2566
    assert len(set(DLA_2566) | set(DLA_2567)) == 14
    assert len(names_2566 | set(DLA_2567)) == 10


def test_a_local_body_leaves_out_its_type() -> None:
    assert canonical_unit("สำนักปลัด อบต.", *OBT) == "สำนักปลัด"
    assert canonical_unit("กองคลัง", *OBT) == "กองคลัง"
    assert canonical_unit("สำนักปลัด อบต.หนองบัว", *OBT) == "สำนักปลัด"
    assert canonical_unit("กองช่าง เทศบาลตำบลบ้านใหม่", *OBT) == "กองช่างเทศบาลตำบลบ้านใหม่"


def test_an_office_before_an_abbreviation_is_that_body() -> None:
    assert canonical_unit("สำนักงาน ก.พ.") == "สำนักงานคณะกรรมการข้าราชการพลเรือน"
    assert canonical_unit("สำนักงาน ป.ป.ช.") == ("สำนักงานคณะกรรมการป้องกันและปราบปรามการทุจริตแห่งชาติ")
    assert canonical_unit("สำนักงานเลขานุการกรม") == "สำนักงานเลขานุการกรม"


def test_names_spelled_out_and_abbreviated() -> None:
    assert expand("อบต.หนองบัว") == "องค์การบริหารส่วนตำบลหนองบัว"
    assert expand("ผู้บริหาร สถ. และ ITA") == "ผู้บริหาร กรมส่งเสริมการปกครองท้องถิ่น และ ITA"
    assert expand("สถานที่") == "สถานที่"  # สถ inside a word is no abbreviation
    assert contract_names("ของกรมส่งเสริมการปกครองท้องถิ่น") == "ของสถ."
    assert abbreviated_forms("กระทรวงมหาดไทย") == ["มท.", "มท"]
    assert abbreviated_forms("การทุจริต") == []


def test_the_store_names_every_unit(tmp_path: Path) -> None:
    db = str(tmp_path / "ita.db")
    ingest(db, [SAMPLES / "dla_2566.txt", SAMPLES / "dla_2567.html"], workers=0)
    engine = create_engine(resolve_url(db))
    try:
        with engine.connect() as c:
            rows = c.execute(
                text(
                    "SELECT r.fiscal_year_be, i.text, i.unit_name FROM items i "
                    "JOIN reports r ON r.id = i.report_id WHERE i.role = 'unit'"
                )
            ).all()
            others = c.execute(
                text("SELECT count(*) FROM items WHERE role <> 'unit' AND unit_name IS NOT NULL")
            ).scalar_one()
    finally:
        engine.dispose()
    assert others == 0
    assert {(t, n) for y, t, n in rows if y == 2566} == set(DLA_2566.items())
    assert {(t, n) for y, t, n in rows if y == 2567} == {(t, t) for t in DLA_2567}
