"""Thai dates and Buddhist-era years.

A small regex over day, month name and year, since ``pythainlp.util.thai_strptime`` fails on
Thai digits and slashes, misreads months 10-12 and returns only the first date. A month
abbreviation counts as a month only after a day number, so "สำนักงาน ก.พ." (the Civil
Service Commission) is never read as February.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from extractors.thai.chars import to_arabic_digits
from schemas.framework import month_names

BE_OFFSET = 543


def be_to_ce(year_be: int) -> int:
    return year_be - BE_OFFSET


def ce_to_be(year_ce: int) -> int:
    return year_ce + BE_OFFSET


def year_to_be(year: int) -> int:
    """A written year as Buddhist era: 2-digit years are BE (๖๖ = 2566), 4-digit years below
    2400 are taken as Common Era."""
    if year < 100:
        return 2500 + year
    return year if year >= 2400 else ce_to_be(year)


def _flexible(abbr: str) -> str:
    """A month abbreviation with its dots optional and a space allowed after a dot."""
    parts = abbr.rstrip(".").split(".")
    return r"\.?\s?".join(re.escape(p) for p in parts) + r"\.?"


@cache
def _month_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for number, full, abbr in month_names():
        lookup[full] = number
        lookup[abbr.replace(".", "")] = number
    return lookup


@cache
def _date_pattern() -> re.Pattern[str]:
    alternatives = []
    for _, full, abbr in month_names():
        alternatives.append(re.escape(full))
        alternatives.append(_flexible(abbr))
    alternatives.sort(key=len, reverse=True)
    month = "|".join(alternatives)
    return re.compile(
        rf"(?<![0-9๐-๙])(?P<day>[0-9๐-๙]{{1,2}})\s*(?P<month>{month})\s*"
        rf"(?:พ\.\s?ศ\.\s*)?(?P<year>[0-9๐-๙]{{4}}|[0-9๐-๙]{{2}})(?![0-9๐-๙])"
    )


_NUMERIC_DATE = re.compile(
    r"(?<![0-9๐-๙/.])(?P<day>[0-9๐-๙]{1,2})/(?P<month>[0-9๐-๙]{1,2})/(?P<year>[0-9๐-๙]{4})(?![0-9๐-๙/])"
)


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    raw: str
    date: dt.date

    @property
    def iso(self) -> str:
        return self.date.isoformat()


def _month_number(text: str) -> int | None:
    key = re.sub(r"[\s.]", "", text)
    return _month_lookup().get(key)


def find_dates(text: str) -> Iterator[FoundDate]:
    """Every valid Thai date in a text, with its span; impossible dates are skipped."""
    for match in _date_pattern().finditer(text):
        month = _month_number(match.group("month"))
        if month is None:
            continue
        found = _make(match, int(to_arabic_digits(match.group("day"))), month)
        if found:
            yield found
    for match in _NUMERIC_DATE.finditer(text):
        found = _make(
            match,
            int(to_arabic_digits(match.group("day"))),
            int(to_arabic_digits(match.group("month"))),
        )
        if found:
            yield found


def _make(match: re.Match[str], day: int, month: int) -> FoundDate | None:
    year_ce = be_to_ce(year_to_be(int(to_arabic_digits(match.group("year")))))
    try:
        date = dt.date(year_ce, month, day)
    except ValueError:
        return None
    return FoundDate(match.start(), match.end(), match.group(0), date)
