"""Views as an Excel workbook (openpyxl): one sheet per view, the header row bold and frozen,
a filter on every column, widths that fit the text.

Written in openpyxl's write-only mode, one row at a time, so that a national store's
measures do not have to fit in memory as cell objects. Excel cannot hold time zones or
control characters, so times are written in UTC and control characters dropped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from loaders.queries import Rows

_WIDEST = 60
"""Characters: a longer text is wrapped rather than widening its column further."""
_CELL_LIMIT = 32767
"""Characters Excel keeps in one cell."""


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:_CELL_LIMIT]
    if isinstance(value, list | dict):
        return str(value)
    return value


def _width(rows: Rows, column: str) -> float:
    longest = max(
        (len(str(r[column])) for r in rows.records[:500] if r[column] is not None), default=0
    )
    return min(max(longest, len(column)) + 2, _WIDEST)


def _sheet(book: Workbook, name: str, rows: Rows) -> None:
    # a write-only sheet passes these attributes on to a worksheet: its stubs do not show them
    sheet: Any = book.create_sheet(title=name[:31])
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(rows.columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{len(rows.records) + 1}"
    for number, column in enumerate(rows.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = _width(rows, column)
    header = []
    for column in rows.columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for record in rows.records:
        line = []
        for column in rows.columns:
            value = _cell_value(record[column])
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and len(value) > _WIDEST:
                cell.alignment = wrap
            line.append(cell)
        sheet.append(line)


def write_workbook(path: Path, tables: dict[str, Rows]) -> None:
    """One sheet per view, in the order given."""
    book = Workbook(write_only=True)
    for name, rows in tables.items():
        _sheet(book, name, rows)
    book.save(path)
