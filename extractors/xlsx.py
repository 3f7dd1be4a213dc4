"""Excel (.xlsx) reports: each visible sheet's used range as a table.

OIT evidence tables and some whole reports are kept as workbooks: one report table per sheet,
a title typed (often merged across the columns) in the rows above the header. The reader says
what the sheet shows and leaves the meaning to ``etl.transform.structure``:

- the rows above the first row with two or more texts are the title block (a title row holds
  one text, whatever it is merged across); rows after a blank row below the last such row
  are notes under the table and left out, as the HTML reader leaves out the text after a
  table;
- merged cells are expanded as HTML rowspan/colspan are (repeated down marked ``spanned``,
  the first column across);
- a line break typed in a cell (Alt+Enter) starts a new block, as ``<br>`` does; a line set
  entirely in bold or underline (the cell's font, or a rich-text run's) is emphasised;
- a formula shows the value Excel or LibreOffice saved with it; a workbook written by a
  program and never opened has none, and says so.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from extractors.model import Block, Cell, RawDocument, RawTable, Row, squash
from extractors.ooxml import checked_package, corrupt_error
from schemas.errors import DocumentTooLargeError, NoReportTableError

MAX_CELLS = 2_000_000
"""Most cells a sheet's used range may span (a report table has a few thousand)."""
_FIXED_FORMAT = re.compile(r"^(?P<thousands>[#,]*0*)(?:\.(?P<places>0+))?(?P<percent>%?)$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n|_x000D_")


def read_xlsx(data: bytes) -> RawDocument:
    """The report tables of a workbook, one per visible sheet that has text."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    package = checked_package(data, "xlsx")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True, rich_text=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        SyntaxError,
        OSError,
        EOFError,
        zlib.error,
    ) as error:
        # openpyxl parses with ElementTree: a damaged part raises ParseError (a SyntaxError);
        # a missing or inconsistent one raises KeyError, ValueError, TypeError or
        # AttributeError from inside the reader; compressed data that cannot be inflated,
        # zlib.error or EOFError before its checksum is compared.
        raise corrupt_error("xlsx", error) from error
    tables: list[RawTable] = []
    warnings: list[str] = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        table = _sheet_table(sheet)
        if table is not None:
            tables.append(table)
    with package:
        unsaved = _formulas_without_values(data, workbook) if _has_formulas(package) else 0
    if not tables:
        if unsaved:
            raise NoReportTableError(
                f"the workbook's {unsaved:,} formula cells have no saved values and it has no "
                "other text (it was written by a program and never opened in Excel or "
                "LibreOffice): open and save it there, or export it to PDF"
            )
        raise NoReportTableError("the workbook has no sheet with text (no table found)")
    if unsaved:
        warnings.append(
            f"{unsaved:,} formula cells have no saved value (never calculated): left empty"
        )
    return RawDocument("xlsx", tuple(tables), pages=None, warnings=tuple(warnings))


def _sheet_table(sheet: Any) -> RawTable | None:
    if sheet.max_row * sheet.max_column > MAX_CELLS:
        raise DocumentTooLargeError(
            f"sheet {sheet.title!r} spans {sheet.max_row:,} rows by {sheet.max_column:,} "
            f"columns, more than the {MAX_CELLS:,} cells a report sheet may have"
        )
    cells: dict[tuple[int, int], Cell] = {}
    for row in sheet.iter_rows():
        for item in row:
            if item.value is not None:
                blocks = _blocks(item)
                if blocks:
                    cells[(item.row, item.column)] = Cell(blocks)
    if not cells:
        return None
    for merged in sheet.merged_cells.ranges:
        top = cells.get((merged.min_row, merged.min_col))
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if (r, c) == (merged.min_row, merged.min_col):
                    continue
                if c == merged.min_col and top is not None:
                    cells[(r, c)] = Cell(top.blocks, spanned=True)
                else:
                    cells.pop((r, c), None)
    rows_at = sorted({r for r, _ in cells})
    first_col = min(c for _, c in cells)
    width = max(c for _, c in cells) - first_col + 1
    rows = [
        Row(tuple(cells.get((r, first_col + i), Cell()) for i in range(width))) for r in rows_at
    ]
    texts = [len({c.text for c in row.cells if not c.is_empty}) for row in rows]
    table_rows = [i for i, n in enumerate(texts) if n >= 2]
    if not table_rows:
        return RawTable((), tuple(_lines(rows)))
    first, last = table_rows[0], table_rows[-1]
    while last + 1 < len(rows) and rows_at[last + 1] == rows_at[last] + 1:
        last += 1  # a row right under the table (a closing section) is the table's
    return RawTable(tuple(rows[first : last + 1]), tuple(_lines(rows[:first])))


def _lines(rows: list[Row]) -> Iterator[str]:
    for row in rows:
        for cell in row.cells:
            if not cell.spanned:
                yield from (b.text for b in cell.blocks)


def _blocks(item: Any) -> tuple[Block, ...]:
    """A cell's lines, each emphasised if all its text is bold or underlined."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock

    font = item.font
    cell_emphasis = bool(font is not None and (font.b or (font.u and font.u != "none")))
    runs: list[tuple[str, bool]] = []
    if isinstance(item.value, CellRichText):
        for part in item.value:
            if isinstance(part, TextBlock):
                inline = part.font
                bold = inline.b if inline.b is not None else (font.b if font else False)
                under = inline.u if inline.u is not None else (font.u if font else None)
                runs.append((part.text, bool(bold or (under and under != "none"))))
            else:
                runs.append((str(part), cell_emphasis))
    else:
        runs.append((_display(item.value, item.number_format), cell_emphasis))
    lines: list[list[tuple[str, bool]]] = [[]]
    for text, emphasis in runs:
        for index, piece in enumerate(_LINE_BREAK.split(text)):
            if index:
                lines.append([])
            lines[-1].append((piece, emphasis))
    blocks = []
    for line in lines:
        text = squash("".join(t for t, _ in line))
        if text:
            blocks.append(Block("para", text, all(e for t, e in line if t.strip())))
    return tuple(blocks)


def _display(value: object, number_format: str | None) -> str:
    """A value as the sheet shows it, for the number formats reports use."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, int):
        value = float(value)
    if isinstance(value, float):
        fixed = _FIXED_FORMAT.match((number_format or "").strip())
        if fixed and number_format not in (None, "General"):
            places = len(fixed.group("places") or "")
            shown = value * 100 if fixed.group("percent") else value
            comma = "," if "," in fixed.group("thousands") else ""
            return f"{shown:{comma}.{places}f}{fixed.group('percent')}"
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15g}"
    return str(value)


def _has_formulas(package: zipfile.ZipFile) -> bool:
    """Whether any sheet has a formula (``<f>``), read a block at a time."""
    for name in package.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            with package.open(name) as part:
                tail = b""
                while chunk := part.read(1 << 16):
                    if b"<f>" in tail + chunk or b"<f " in tail + chunk:
                        return True
                    tail = chunk[-2:]
    return False


def _formulas_without_values(data: bytes, values: Any) -> int:
    """Formula cells whose saved value is missing (the workbook was never calculated)."""
    import openpyxl

    formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    missing = 0
    for sheet in formulas.worksheets:
        shown = values[sheet.title]
        for row in sheet.iter_rows():
            for item in row:
                if item.data_type == "f" and shown[item.coordinate].value is None:
                    missing += 1
    return missing
