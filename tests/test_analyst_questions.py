"""The analyst questions of docs/schema.md: each one's SQL, as documented, on SQLite and on
PostgreSQL, against answers read from the sample documents.

What the documents say (samples/dla_2566.txt, dla_2567.html, obt_nongbua_2567.md):

- สถ. 2566 files 13 measures: indicator 1: 3, 2: 2, 3: 1, 4: 1, 5: 1, 6 (written "๒" under
  EIT): 1, 7: 1, 8: 1, and one row for indicators 9 and 10 with 2.
- สถ. 2567 files 15: 1: 3, 2: 2, 3: 1, 4: 1, 5: 2, 6: 1, 7: 1, 8: 1, 9: 1, 10: 2.
- อบต.หนองบัว 2567 files 6: indicator 1: 2 (numbered 1. and 2.), 2: 1, 5: 1, 6: 1, 9: 1; it has
  no row for 3, 4, 7, 8 and 10.
- 2566 → 2567 (docs/compare.md, read from both files): new measures under 1, 5 and 10, one
  dropped under 1; reworded under 1, 2 and 7.
- 2566's indicator 5 row: two results, one outcome, units "สำนักงาน เลขานุการ กรม สด." and
  "กองกฎหมายและ ระเบียบท้องถิ่น"; its indicator 7 row has an empty unit cell.
- Percentages are all in outcome cells: 2566 indicator 8 ร้อยละ ๙๒.๔๓; 2567 indicators 1, 2
  and 8: 95.50, 98.20, 94.10; อบต.หนองบัว indicator 6: 91.25.
- ทุจริต is in 6 items of 2566, 9 of สถ. 2567 (6 of them the unit ศูนย์ปฏิบัติการต่อต้านการทุจริต,
  once a unit cell spanning two rows) and 3 of อบต.หนองบัว (test_analyst_search.py lists them).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, ingest
from sqlalchemy import create_engine, text

from loaders.db import resolve_url

DOC = (Path(__file__).parents[1] / "docs" / "schema.md").read_text(encoding="utf-8")
FILES = ("dla_2566.txt", "dla_2567.html", "obt_nongbua_2567.md")
OBT = "อบต.หนองบัว"


def questions() -> dict[int, str]:
    """Number → SQL of each question under "## Analyst questions"."""
    section = DOC.split("## Analyst questions", 1)[1].split("### Other queries", 1)[0]
    found = re.findall(r"^### (\d+)\. [^\n]*\n\n```sql\n(.*?)```", section, re.M | re.S)
    return {int(number): sql for number, sql in found}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    if isinstance(value, float):
        return round(value, 4)
    return value


_ANSWERS: dict[str, dict[int, list[tuple[Any, ...]]]] = {}


def _answers_on(kind: str, folder: Path) -> dict[int, list[tuple[Any, ...]]]:
    """Every question's rows on a database of ``kind`` with the samples loaded (once)."""
    if kind in _ANSWERS:
        return _ANSWERS[kind]
    from conftest import _postgres_schema

    urls = iter([f"sqlite:///{folder / 'ita.db'}"]) if kind == "sqlite" else _postgres_schema()
    url = next(urls)
    engine = create_engine(resolve_url(url))
    try:
        ingest(url, [SAMPLES / name for name in FILES], workers=0)
        with engine.connect() as c:
            _ANSWERS[kind] = {
                n: [tuple(_plain(v) for v in row) for row in c.execute(text(sql))]
                for n, sql in questions().items()
            }
    finally:
        engine.dispose()
        next(urls, None)  # drops the PostgreSQL schema
    return _ANSWERS[kind]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def answers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[int, list[tuple[Any, ...]]]:
    return _answers_on(request.param, tmp_path_factory.mktemp("questions"))


@pytest.mark.postgres
def test_sqlite_and_postgresql_give_the_same_answers(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    sqlite = _answers_on("sqlite", tmp_path_factory.mktemp("questions"))
    postgresql = _answers_on("postgresql", tmp_path_factory.mktemp("questions"))
    assert sqlite == postgresql


def test_there_are_at_least_eight_questions() -> None:
    assert len(questions()) >= 8
    assert sorted(questions()) == list(range(1, len(questions()) + 1))


def test_measures_per_agency_and_year(answers: dict[int, list[tuple[Any, ...]]]) -> None:
    assert answers[1] == [("สถ.", 2566, 13), ("สถ.", 2567, 15), (OBT, 2567, 6)]


def test_measures_per_indicator_count_merged_rows_for_both(answers: Any) -> None:
    per = {(a, y, n): m for a, y, n, m in answers[2]}
    assert {n: per[("สถ.", 2566, n)] for n in range(1, 11)} == {
        1: 3, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 2, 10: 2
    }  # fmt: skip
    assert {n: per[("สถ.", 2567, n)] for n in range(1, 11)} == {
        1: 3, 2: 2, 3: 1, 4: 1, 5: 2, 6: 1, 7: 1, 8: 1, 9: 1, 10: 2
    }  # fmt: skip
    assert {n: m for (a, _y, n), m in per.items() if a == OBT} == {1: 2, 2: 1, 5: 1, 6: 1, 9: 1}


def test_gaps(answers: Any) -> None:
    assert [(a, y, n) for a, y, n, _name in answers[3]] == [
        (OBT, 2567, 3),
        (OBT, 2567, 4),
        (OBT, 2567, 7),
        (OBT, 2567, 8),
        (OBT, 2567, 10),
    ]
    assert answers[3][0][3] == "การใช้อำนาจ"  # the framework's name of indicator 3


def test_agencies_filing_per_indicator(answers: Any) -> None:
    by = {(y, n): (filing, reporting) for y, n, filing, reporting in answers[4]}
    assert all(by[(2566, n)] == (1, 1) for n in range(1, 11))
    obt_files = {1, 2, 5, 6, 9}
    assert {n: by[(2567, n)] for n in range(1, 11)} == {
        n: (2 if n in obt_files else 1, 2) for n in range(1, 11)
    }


def test_indicators_that_gained_or_lost_measures(answers: Any) -> None:
    assert answers[5] == [
        ("สถ.", 2566, 2567, "1", 1, 1),
        ("สถ.", 2566, 2567, "10", 1, 0),
        ("สถ.", 2566, 2567, "5", 1, 0),
    ]


def test_reworded_measures(answers: Any) -> None:
    expected = [
        ("1", "ส่งเสริมให้บุคลากรในสังกัด สถ.", "ในทางที่มีชอบ", "ในทางที่มิชอบ"),
        ("2", "ส่งเสริมการรับรู้วิธีการ", "การใช้จ่ายภาครัฐ", "ตามมติคณะรัฐมนตรี"),
        ("7", "กำหนดช่องทาง", "ให้มีความหลากหลาย", "ได้หลากหลายช่องทาง"),
    ]
    assert len(answers[6]) == len(expected)
    for row, (indicator, start, old_end, new_end) in zip(answers[6], expected, strict=True):
        assert row[3] == indicator
        assert row[5].startswith(start) and row[6].startswith(start)
        assert row[5].endswith(old_end) and row[6].endswith(new_end)
        assert 0.6 <= row[4] < 1


def test_a_measure_with_its_row_without_joins(answers: Any) -> None:
    [(measure, results, outcomes, units, unit_names)] = answers[7]
    assert measure == "กำหนดกลไกในการดำเนินงาน เพื่อการแก้ไขปัญหาการทุจริต"
    assert len(results.split("\n")) == 2
    assert results.startswith("มีหนังสือเผยแพร่เรื่องข้อกำหนด")
    assert len(outcomes.split("\n")) == 1
    assert units.split("\n") == ["สำนักงาน เลขานุการ กรม สถ.", "กองกฎหมายและ ระเบียบท้องถิ่น"]
    assert unit_names.split("\n") == ["สำนักงานเลขานุการกรม", "กองกฎหมายและระเบียบท้องถิ่น"]


def test_units_named_in_both_years(answers: Any) -> None:
    assert [name for (name,) in answers[8]] == sorted(
        [
            "กองกฎหมายและระเบียบท้องถิ่น",
            "กองการเจ้าหน้าที่",
            "กองคลัง",
            "กลุ่มพัฒนาระบบบริหาร",
            "ศูนย์ปฏิบัติการต่อต้านการทุจริต",
            "ศูนย์เทคโนโลยีสารสนเทศ",
        ]
    )


def test_measures_without_a_unit(answers: Any) -> None:
    assert [(a, y, i) for a, y, i, _m in answers[9]] == [("สถ.", 2566, "7")]


def test_items_mentioning_a_word(answers: Any) -> None:
    years = [y for y, _role, _text in answers[10]]
    assert (years.count(2566), years.count(2567)) == (6, 9 + 3)
    assert all("ทุจริต" in t.replace(" ", "") for _y, _r, t in answers[10])


def test_percentages_with_their_role(answers: Any) -> None:
    assert [(a, y, role, v) for a, y, role, v, _t in answers[11]] == [
        ("สถ.", 2566, "outcome", 92.43),
        ("สถ.", 2567, "outcome", 94.1),
        ("สถ.", 2567, "outcome", 95.5),
        ("สถ.", 2567, "outcome", 98.2),
        (OBT, 2567, "outcome", 91.25),
    ]
