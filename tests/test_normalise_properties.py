"""Property tests for Thai digits, Buddhist-era years and Thai dates."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from etl.transform.normalise.dates import be_to_ce, ce_to_be, find_dates, year_to_be
from extractors.thai.chars import THAI_DIGITS, to_arabic_digits

FULL_MONTHS = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
SHORT_MONTHS = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
]  # fmt: skip


def thai(number: int | str) -> str:
    return "".join(THAI_DIGITS[int(c)] if c.isdigit() else c for c in str(number))


@given(st.integers(min_value=0, max_value=10**12))
def test_thai_digits_read_as_the_same_number(n: int) -> None:
    assert to_arabic_digits(thai(n)) == str(n)


@given(st.text())
def test_digit_mapping_keeps_length_and_everything_else(text: str) -> None:
    mapped = to_arabic_digits(text)
    assert len(mapped) == len(text)
    assert not any(c in THAI_DIGITS for c in mapped)
    assert all(a == b for a, b in zip(text, mapped, strict=True) if a not in THAI_DIGITS)


@given(st.integers(min_value=1900, max_value=2200))
def test_buddhist_era_round_trip(ce: int) -> None:
    assert be_to_ce(ce_to_be(ce)) == ce
    assert year_to_be(ce) == ce + 543
    assert year_to_be(ce + 543) == ce + 543


@st.composite
def written_dates(draw: st.DrawFn) -> tuple[str, dt.date]:
    date = draw(st.dates(min_value=dt.date(1957, 1, 1), max_value=dt.date(2099, 12, 31)))
    month = draw(st.sampled_from([FULL_MONTHS, SHORT_MONTHS]))[date.month - 1]
    be = date.year + 543
    year = str(be) if draw(st.booleans()) or be < 2500 or be > 2599 else str(be)[2:]
    era = draw(st.sampled_from(["", "พ.ศ. ", "พ.ศ."]))
    day = str(date.day)
    text = f"{day} {month} {era}{year}"
    if draw(st.booleans()):
        text = thai(text)
    before = draw(st.sampled_from(["", "ลว. ", "เมื่อวันที่ ", "ลงวันที่ "]))
    after = draw(st.sampled_from(["", " และ", " เรื่อง การประชุม"]))
    return before + text + after, date


@given(written_dates())
def test_thai_dates_to_iso(case: tuple[str, dt.date]) -> None:
    text, date = case
    assert [d.date for d in find_dates(text)] == [date]


@given(st.sampled_from(SHORT_MONTHS), st.sampled_from(["สำนักงาน ", "มติ ", "หลักเกณฑ์ที่ ", ""]))
def test_month_abbreviation_without_a_day_is_not_a_date(month: str, before: str) -> None:
    assert list(find_dates(f"{before}{month} กำหนด")) == []


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=32, max_value=99))
def test_impossible_days_are_not_dates(month: int, day: int) -> None:
    assert list(find_dates(f"{day} {FULL_MONTHS[month - 1]} 2566")) == []
