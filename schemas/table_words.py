"""The words that say what a part of a report table is: its column headers, its tool sections.

Shared by the interpretation of every format (``etl.transform.structure``) and by the borderless PDF
reader, which has to find the header row before there are cells to interpret.
"""

from __future__ import annotations

import re
from functools import cache

from schemas.framework import editions
from schemas.records import Tool

ColumnRole = str
# Checked in this order: a result header ("สรุปผลการดำเนินการตามมาตรการ/กิจกรรม") also names
# the measures, an outcome header ("ผลลัพธ์หรือความสำเร็จของการดำเนินการ") the results.
COLUMN_KEYWORDS: tuple[tuple[ColumnRole, tuple[str, ...]], ...] = (
    ("unit", ("รับผิดชอบ", "ผู้ดำเนินการ", "หน่วยดำเนินการ", "หน่วยงานดำเนินการ")),
    ("outcome", ("ผลลัพธ์", "ความสำเร็จ", "ผลสัมฤทธิ์")),
    ("result", ("สรุปผล", "ผลการดำเนิน", "ผลการปฏิบัติ", "ผลดำเนินการ", "ผลดำเนินงาน", "ผลการจัด")),
    ("indicator", ("ตัวชี้วัด", "ประเด็นการประเมิน", "ประเด็นการวัด")),
    ("measure", ("มาตรการ", "กิจกรรม", "แนวทางการดำเนิน", "โครงการ")),
    ("seq", ("ลำดับ",)),
    ("period", ("ระยะเวลา", "ช่วงเวลา", "ห้วงเวลา", "กำหนดเวลา")),
)
REPORT_COLUMNS = frozenset({"indicator", "measure", "result", "outcome", "unit"})
_TOOL_CODE = re.compile(r"\b(IIT|EIT|OIT)\b")


def packed(text: str) -> str:
    """Text without white space: header words are Thai, and wraps split them anywhere."""
    return re.sub(r"\s", "", text)


def column_role(header_text: str) -> ColumnRole | None:
    """What a header cell names: the first role, in ``COLUMN_KEYWORDS`` order, one of whose
    words it contains."""
    text = packed(header_text)
    for role, keywords in COLUMN_KEYWORDS:
        if any(k in text for k in keywords):
            return role
    if text in ("ที่", "ข้อ"):
        return "seq"
    return None


def report_columns_named(text: str) -> set[ColumnRole]:
    """Every report column a line of text names (a borderless header line runs across
    several header cells; a title names one or two)."""
    text = packed(text)
    return {
        role
        for role, keywords in COLUMN_KEYWORDS
        if role in REPORT_COLUMNS and any(k in text for k in keywords)
    }


@cache
def _tool_names() -> tuple[tuple[Tool, str], ...]:
    return tuple(
        (spec.code, name)
        for edition in editions()
        for spec in edition.tools
        for name in (spec.name, *spec.aliases)
    )


def tool_named(text: str) -> Tool | None:
    """The ITA tool a text names, by its code (IIT, EIT, OIT) or its Thai name."""
    code = _TOOL_CODE.search(text)
    if code:
        return code.group(1)  # type: ignore[return-value]
    text = packed(text)
    return next((tool for tool, name in _tool_names() if packed(name) in text), None)
