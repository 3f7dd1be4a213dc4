"""References an item makes: dates, URLs, letter and order numbers, figures, OIT item codes.

Found on the item's text after digits are made Arabic and abbreviations corrected, which keeps
every character where it was, so each reference's ``raw`` is cut from the source text at the
same place. Where two patterns claim the same characters the earlier kind in ``find_refs``
wins (a date inside an order number is part of the order).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from etl.transform.normalise.dates import find_dates, year_to_be
from extractors.thai.chars import THAI_LETTER
from extractors.thai.words import words
from schemas.records import Ref, RefKind

_URL = re.compile(
    r"(?:https?://\s?|(?<![\w.])www\.\s?)[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+"
    r"|(?<![\w.@/])[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:go|or|ac|co|in|mi|net)\.th\b(?:/[^\s()\"<>]*)?",
    re.IGNORECASE,
)
_LETTER = re.compile(
    rf"(?:ที่\s*)?(?<![{THAI_LETTER}])(?P<org>[ก-ฮ]{{2}}\.?)\s*(?P<num>\d{{4}}(?:\.\d+)*)\s*/\s*"
    r"(?P<w>ว\.?\s*)?(?P<seq>\d+)"
)
_ORDER = re.compile(
    r"คำสั่ง\s*(?P<issuer>(?:[ก-ฮ]{1,4}\.)+)?\s*(?:ที่\s*)?(?P<seq>\d+)\s*/\s*(?P<year>\d{4})(?!\d)"
)
_NUMBERED = re.compile(r"ที่\s*(?P<seq>\d+)\s*/\s*(?P<year>\d{4})(?!\d)")
_PERCENT = re.compile(r"ร้อยละ\s*(?P<n>\d+(?:\.\d+)?)|(?P<m>\d+(?:\.\d+)?)\s*(?:%|เปอร์เซ็นต์)")
_SCORE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*คะแนน")
_COUNT = re.compile(
    rf"(?P<said>จำนวน\s*)?(?<![\d.,/])(?P<n>\d+(?:,\d{{3}})*)(?![\d.,/])(?:\s*(?P<unit>[{THAI_LETTER}]+))?"
)
COUNT_UNITS = frozenset(
    {
        *("ครั้ง", "คน", "ราย", "เรื่อง", "โครงการ", "รุ่น", "ฉบับ"),
        *("แห่ง", "หน่วยงาน", "ช่องทาง", "กิจกรรม", "ข้อ", "ชุด", "เล่ม"),
    }
)
"""Words that make a bare number a count ("อบรม 2 รุ่น"); after "จำนวน" any word does. Units
of time ("4 ปี", "6 เดือน") and money are not counts of things done."""
_OIT = re.compile(r"(?<![A-Za-z])O\s?(?P<n>\d{1,2})(?![\d.])")
_YEAR = re.compile(r"(?:พ\.\s?ศ\.|(?:ประจำ)?ปี(?:งบประมาณ)?(?:\s*พ\.\s?ศ\.)?)\s*(?P<y>\d{4})(?!\d)")

_Found = tuple[int, int, RefKind, str | int | float, str | None]


def _number(text: str) -> int | float:
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() and "." not in text else value


def _urls(text: str) -> Iterator[_Found]:
    for m in _URL.finditer(text):
        raw = m.group(0).rstrip(".,;:)")
        yield m.start(), m.start() + len(raw), "url", re.sub(r"\s", "", raw), None


def _documents(text: str) -> Iterator[_Found]:
    for m in _ORDER.finditer(text):
        issuer = f"{m['issuer']} " if m["issuer"] else ""
        yield m.start(), m.end(), "document", f"คำสั่ง {issuer}{m['seq']}/{m['year']}", None
    for m in _LETTER.finditer(text):
        w = "ว " if m["w"] else ""
        yield (
            m.start(),
            m.end(),
            "document",
            f"{m['org'].rstrip('.')} {m['num']}/{w}{m['seq']}",
            None,
        )
    for m in _NUMBERED.finditer(text):
        yield m.start(), m.end(), "document", f"ที่ {m['seq']}/{m['year']}", None


def _dates(text: str) -> Iterator[_Found]:
    for d in find_dates(text):
        yield d.start, d.end, "date", d.iso, None


def _figures(text: str) -> Iterator[_Found]:
    for m in _PERCENT.finditer(text):
        yield m.start(), m.end(), "percent", float(m["n"] or m["m"]), None
    for m in _SCORE.finditer(text):
        yield m.start(), m.end(), "score", _number(m["n"]), None
    for m in _COUNT.finditer(text):
        unit = words(m["unit"])[0] if m["unit"] else None
        if not m["said"] and unit not in COUNT_UNITS:
            continue
        end = m.start("unit") + len(unit) if unit else m.end("n")
        yield m.start(), end, "count", _number(m["n"]), unit


def _codes(text: str) -> Iterator[_Found]:
    for m in _OIT.finditer(text):
        yield m.start(), m.end(), "oit_item", f"O{int(m['n'])}", None
    for m in _YEAR.finditer(text):
        yield m.start(), m.end(), "year", year_to_be(int(m["y"])), None


_FINDERS: tuple[Callable[[str], Iterator[_Found]], ...] = (
    _urls,
    _documents,
    _dates,
    _figures,
    _codes,
)


def find_refs(text: str, source: str) -> tuple[Ref, ...]:
    """References in ``text``, the normalised text; each one's ``raw`` is cut from
    ``source``, which is ``text`` before normalisation made digits Arabic, corrected
    abbreviations (both keep every character in place) and removed spaces."""
    offsets = _source_offsets(text, source)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Ref]] = []
    for finder in _FINDERS:
        for start, end, kind, value, unit in finder(text):
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            raw = source[offsets[start] : offsets[end - 1] + 1]
            found.append((start, Ref(kind, raw.strip(), value, unit)))
    return tuple(ref for _, ref in sorted(found, key=lambda f: f[0]))


def _source_offsets(text: str, source: str) -> list[int]:
    """Where each character of ``text`` is in ``source``, which differs from it only by
    same-length substitutions and spaces that ``text`` lacks."""
    offsets = []
    position = 0
    for char in text:
        while position < len(source) - 1 and source[position] == " " and char != " ":
            position += 1
        offsets.append(position)
        position += 1
    return offsets
