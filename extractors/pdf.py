"""PDF reports: the report table on each page, its cells as lines of repaired Thai text.

A ruled table comes from pdfplumber's line-based table finder. A borderless table has no
lines to find: its header row is found by what it says, its columns are the vertical strips
of white that no text crosses below the header, and its rows start where the text says a new
row starts (``_row_starts``). Either way each cell's characters, recovered from the PDF's own
fonts (``extractors.pdf_glyphs``), become visual lines of repaired text with the unrepaired
text kept (``extractors.pdf_text``). What the rows mean (header, sections, a row that a page
break cut in two) is decided by ``etl.structure``, as for every format.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extractors.model import Block, Cell, RawDocument, RawTable, Row
from extractors.pdf_text import Line, lines_from_chars

Bbox = tuple[float, float, float, float]
Char = dict[str, Any]

_RULED = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}
_HEADER_ROLES = (
    ("indicator", re.compile(r"ตัวชี้วัด")),
    ("measure", re.compile(r"มาตรการ|กิจกรรม")),
    ("result", re.compile(r"ผลการดำเนิน|สรุปผล")),
    ("outcome", re.compile(r"ผลลัพธ์|ความสำเร็จ")),
    ("unit", re.compile(r"รับผิดชอบ")),
)
_SECTION = re.compile(r"\b(IIT|EIT|OIT)\b|การวัดการรับรู้|การเปิดเผยข้อมูลสาธารณะ")
_ROW_OPENERS = re.compile(r"^\s*(ตัวชี้วัด|[0-9๐-๙]{1,2}\.\s)")
_GUTTER_PT = 2.0
"""Narrowest strip of white between two columns of a borderless table."""
_WORD_GAP_PT = 5.0
"""Widest space between words; a wider gap on a line is a gap between columns."""
_MIN_COLUMN_PT = 8.0
"""Narrowest column of a borderless table (narrower strips of ink are stray marks)."""


def _centre_inside(char: Char, box: Bbox) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _blocks(lines: Sequence[Line], counts: Counter[str]) -> tuple[Block, ...]:
    blocks = []
    for line in lines:
        counts.update(dict(line.repairs))
        if line.text.strip():
            blocks.append(Block("line", line.text, line.bold, raw=line.raw))
    return tuple(blocks)


def _text(lines: Sequence[Line]) -> list[str]:
    return [line.text for line in lines if line.text.strip()]


@dataclass
class _Table:
    """A table found on a page: its box, rows of cells, and whether its last row is open at
    the bottom (cut by the page break: True, not cut: False, cannot tell: None)."""

    bbox: Bbox
    rows: list[Row]
    open_bottom: bool = False


class _Page:
    def __init__(self, page: Any, chars: list[Char], counts: Counter[str]) -> None:
        self.page = page
        self.number: int = page.page_number
        self.chars = chars
        self.counts = counts

    def lines(self, box: Bbox | None = None) -> list[Line]:
        chars = self.chars if box is None else [c for c in self.chars if _centre_inside(c, box)]
        return lines_from_chars(chars)

    def cell(self, box: Bbox) -> Cell:
        return Cell(_blocks(self.lines(box), self.counts))

    # Ruled tables ---------------------------------------------------------------------

    def ruled_tables(self, carried: Sequence[Cell] = ()) -> list[_Table]:
        """The page's ruled tables; ``carried`` is the last row of the previous page's
        table, whose merged cells may run on into this page."""
        tables = []
        for found in self.page.find_tables({**_RULED, "explicit_horizontal_lines": self._open_ends()}):
            grid: list[list[Bbox | None]] = [list(row.cells) for row in found.rows]
            if len(grid) < 1 or max(len(r) for r in grid) < 2:
                continue
            bbox: Bbox = tuple(found.bbox)  # type: ignore[assignment]
            rows = self._ruled_rows(grid, carried)
            tables.append(_Table(bbox, rows, not self._ruled_at(bbox[3], bbox)))
            carried = rows[-1].cells if rows else ()
        return sorted(tables, key=lambda t: t.bbox[1])

    def _ruled_at(self, y: float, bbox: Bbox) -> bool:
        """Whether a rule is drawn across most of the table at height ``y``."""
        width = bbox[2] - bbox[0]
        covered = sum(
            min(e["x1"], bbox[2]) - max(e["x0"], bbox[0])
            for e in self.page.edges
            if e["orientation"] == "h" and abs(e["top"] - y) < 2
        )
        return covered >= 0.6 * width

    def _open_ends(self) -> list[float]:
        """Where vertical rules start and stop: a row that a page break cuts has no bottom
        rule on this page (nor a top rule on the next), so pdfplumber would not see it as a
        cell without a rule drawn there."""
        verticals = sorted(
            (e for e in self.page.edges if e["orientation"] == "v"), key=lambda e: e["top"]
        )
        ends: list[float] = []
        top = bottom = None
        for edge in verticals:
            if bottom is not None and edge["top"] > bottom + 1:
                ends += [top, bottom]
                top = None
            top = edge["top"] if top is None else top
            bottom = edge["bottom"] if bottom is None else max(bottom, edge["bottom"])
        if top is not None and bottom is not None:
            ends += [top, bottom]
        return ends

    def _cell_chars(self, boxes: list[Bbox]) -> list[list[Char]]:
        """The chars of each cell. A char belongs to the cell its middle is in, except that
        a word too long for a narrow cell runs on over the rule into the next one: chars
        that continue a line without a gap stay with the cell the line started in. Text of
        the next cell starts after a gap, or on top of the overflowing word (overlapping it)."""
        owner: dict[int, int] = {}
        for char in self.chars:
            for index, box in enumerate(boxes):
                if _centre_inside(char, box):
                    owner[id(char)] = index
                    break
        band = (0.0, min(b[1] for b in boxes), float(self.page.width), max(b[3] for b in boxes))
        inside = [c for c in self.chars if _centre_inside(c, band)]
        assigned: list[list[Char]] = [[] for _ in boxes]
        for line in lines_from_chars(inside, repair=False):
            current: int | None = None
            previous_x1 = None
            for char in line.chars:
                own = owner.get(id(char))
                gap = char["x0"] - previous_x1 if previous_x1 is not None else 99.0
                if own is not None and (current is None or (own != current and abs(gap) > 1.0)):
                    current = own
                if current is not None:
                    assigned[current].append(char)
                if str(char["text"]).strip():
                    previous_x1 = char["x1"]
        return assigned

    def _ruled_rows(self, grid: list[list[Bbox | None]], carried: Sequence[Cell]) -> list[Row]:
        boxes = list(dict.fromkeys(box for row in grid for box in row if box is not None))
        content = {
            box: Cell(_blocks(lines_from_chars(chars), self.counts))
            for box, chars in zip(boxes, self._cell_chars(boxes), strict=True)
        }
        cells = [[content[box] if box else Cell() for box in row] for row in grid]
        columns = _column_middles(grid)
        rows = []
        for r, row in enumerate(grid):
            out = [
                cells[r][c] if box is not None else _covering(grid, cells, r, c, columns, carried)
                for c, box in enumerate(row)
            ]
            rows.append(Row(tuple(out), page=self.number))
        return rows

    # Borderless tables ----------------------------------------------------------------

    def header_band(self, lines: Sequence[Line]) -> tuple[float, float] | None:
        """Top and bottom of a borderless table's header row: the line naming the most
        columns (a title may name two, "รายงานผลการดำเนินการตามมาตรการ…"), and the lines of
        the same header cells wrapped just above and below it."""
        scored = [(len(_header_roles(ln.text)), -ln.top, ln) for ln in lines]
        if not scored or max(scored, key=lambda s: s[:2])[0] < 2:
            return None
        best = max(scored, key=lambda s: s[:2])[2]
        reach = 1.3 * (best.bottom - best.top)
        top, bottom = best.top, best.bottom
        grew = True
        while grew:
            grew = False
            for line in lines:
                if top <= line.top <= bottom or _SECTION.search(line.text):
                    continue
                below = bottom < line.top <= bottom + reach and not _ROW_OPENERS.match(line.text)
                above = top - reach <= line.bottom < top and _header_roles(line.text)
                if below or above:
                    top, bottom = min(top, line.top), max(bottom, line.bottom)
                    grew = True
        return top, bottom

    def borderless_table(
        self, previous: list[tuple[float, float]] | None
    ) -> tuple[_Table, list[tuple[float, float]]] | None:
        """The page's borderless table, if it has a header row (or continues a table whose
        columns the previous page gave), with the columns it used."""
        lines = self.lines()
        band = self.header_band(lines)
        if band is None and previous is None:
            return None
        body = [ln for ln in lines if ln.top > band[1]] if band else lines
        if not body:
            return None
        columns = _gutters(body) if band else previous
        if not columns or len(columns) < 2:
            return None
        spanning = [ln for ln in body if _crosses(ln, columns)]
        rows: list[Row] = []
        if band is not None:
            header = [c for c in self.chars if band[0] - 0.5 <= (c["top"] + c["bottom"]) / 2 <= band[1] + 0.5]
            rows.append(self._row([header], columns))
        rows.extend(self._body_rows(body, spanning, columns))
        top = band[0] if band else body[0].top
        bbox = (columns[0][0], top, columns[-1][1], max(ln.bottom for ln in body))
        return _Table(bbox, rows), columns

    def _row(self, chars: list[list[Char]], columns: list[tuple[float, float]]) -> Row:
        flat = [c for group in chars for c in group]
        cells = [
            Cell(_blocks(lines_from_chars([c for c in flat if _in_column(c, columns, i)]), self.counts))
            for i in range(len(columns))
        ]
        return Row(tuple(cells), page=self.number)

    def _body_rows(
        self, body: list[Line], spanning: list[Line], columns: list[tuple[float, float]]
    ) -> list[Row]:
        """Rows of a borderless body. A line running across the columns (a tool section, a
        note under the table) is a row of its own, its text in the first cell."""
        chars = [c for ln in body if ln not in spanning for c in ln.chars]
        segments = [
            lines_from_chars([c for c in chars if _in_column(c, columns, i)])
            for i in range(len(columns))
        ]
        starts = _row_starts(segments, spanning)
        rows: list[Row] = []
        for top, bottom in zip(starts, [*starts[1:], float("inf")], strict=True):
            whole = [ln for ln in spanning if abs(ln.top - top) < 0.6]
            if whole:
                cells = [Cell(_blocks(whole[:1], self.counts))] + [Cell()] * (len(columns) - 1)
                rows.append(Row(tuple(cells), page=self.number))
                continue
            cells = [
                Cell(_blocks([s for s in column if top - 0.5 <= s.top < bottom - 0.5], self.counts))
                for column in segments
            ]
            if any(not c.is_empty for c in cells):
                rows.append(Row(tuple(cells), page=self.number))
        return rows


def _header_roles(text: str) -> set[str]:
    packed = _compact(text)
    return {role for role, pattern in _HEADER_ROLES if pattern.search(packed)}


def _compact(text: str) -> str:
    return re.sub(r"\s", "", text)


def _first_body_top(lines: Sequence[Line]) -> float:
    return lines[0].top if lines else 0.0


def _inked(char: Char) -> bool:
    """A char that covers ground: not a space, and not a zero-width mark (ReportLab, which
    does not shape Thai, draws marks at the advance point, past their base)."""
    return bool(str(char["text"]).strip()) and char["x1"] - char["x0"] > 0.5


def _gutters(lines: Sequence[Line]) -> list[tuple[float, float]]:
    """Columns of a borderless table: x-ranges covered by text, separated by strips that no
    line's glyphs cross (a few lines crossing one, such as section titles, are tolerated)."""
    inked = [c for ln in lines for c in ln.chars if _inked(c)]
    if not inked:
        return []
    x0 = min(c["x0"] for c in inked)
    coverage = [0] * (int(max(c["x1"] for c in inked) - x0) + 2)
    for char in inked:
        for x in range(int(char["x0"] - x0), int(char["x1"] - x0) + 1):
            coverage[x] += 1
    allowed = max(1, len(lines) // 50)
    spans: list[tuple[float, float]] = []
    start: int | None = None
    for x, covered in enumerate([*coverage, 0]):
        if covered > allowed and start is None:
            start = x
        elif covered <= allowed and start is not None:
            spans.append((x0 + start, x0 + x))
            start = None
    columns: list[tuple[float, float]] = []
    for span in spans:
        if columns and span[0] - columns[-1][1] < _GUTTER_PT:
            columns[-1] = (columns[-1][0], span[1])
        else:
            columns.append(span)
    return [c for c in columns if c[1] - c[0] >= _MIN_COLUMN_PT]


def _crosses(line: Line, columns: list[tuple[float, float]]) -> bool:
    """Whether a line runs on across a gutter, as a section title or a note under the table
    does: its ink bridges the strip between two columns with no gap wider than a word
    space. (A word too long for its column pokes into the strip, then a column gap
    follows before the next cell's text.)"""
    inked = sorted((c for c in line.chars if _inked(c)), key=lambda c: c["x0"])
    gaps = []
    reach = None
    for char in inked:
        if reach is not None and char["x0"] - reach > _WORD_GAP_PT:
            gaps.append((reach, char["x0"]))
        reach = char["x1"] if reach is None else max(reach, char["x1"])
    if not inked:
        return False
    first, last = inked[0]["x0"], reach or inked[0]["x1"]
    for a, b in zip(columns, columns[1:], strict=False):
        middle = (a[1] + b[0]) / 2
        if first < middle < last and not any(g0 <= middle <= g1 for g0, g1 in gaps):
            return True
    return False


def _in_column(char: Char, columns: list[tuple[float, float]], index: int) -> bool:
    middle = (char["x0"] + char["x1"]) / 2
    left = -1e9 if index == 0 else (columns[index - 1][1] + columns[index][0]) / 2
    right = 1e9 if index == len(columns) - 1 else (columns[index][1] + columns[index + 1][0]) / 2
    return left <= middle < right


def _row_starts(segments: list[list[Line]], spanning: list[Line]) -> list[float]:
    """Where rows of a borderless table start, from what the text shows:

    - a line running across the columns;
    - a line in the first column opening an indicator ("ตัวชี้วัดที่ ๑");
    - a column taking up again after it had stopped (cells are top-aligned, so a column
      whose text ended and resumes belongs to the next row);
    - a wider vertical gap than between the lines of a cell (row padding).
    """
    every = sorted((s for column in segments for s in column), key=lambda s: s.top)
    if not every and not spanning:
        return []
    gaps = [b.top - a.bottom for a, b in zip(every, every[1:], strict=False) if b.top > a.bottom]
    usual_gap = statistics.median(gaps) if gaps else 0.0
    pitch = statistics.median([s.bottom - s.top for s in every]) if every else 10.0
    starts = {round(s.top, 1) for s in spanning}
    if every:
        starts.add(round(every[0].top, 1))
    if segments and segments[0]:
        starts.update(round(s.top, 1) for s in segments[0] if _ROW_OPENERS.match(s.text))
    for column in segments:
        for before, after in zip(column, column[1:], strict=False):
            if after.top - before.bottom > usual_gap + pitch:
                starts.add(round(after.top, 1))
    previous_bottom = None
    for line in every:
        if previous_bottom is not None and line.top - previous_bottom > usual_gap + max(2.5, 0.25 * pitch):
            starts.add(round(line.top, 1))
        previous_bottom = line.bottom if previous_bottom is None else max(previous_bottom, line.bottom)
    return _snap(sorted(starts), pitch)


def _snap(starts: list[float], pitch: float) -> list[float]:
    """One start per row: columns' first lines of a row can sit a point or two apart."""
    out: list[float] = []
    for start in starts:
        if not out or start - out[-1] > 0.6 * pitch:
            out.append(start)
    return out


def _column_middles(grid: Sequence[Sequence[Bbox | None]]) -> list[float]:
    widest = max(grid, key=lambda r: sum(1 for c in r if c is not None))
    middles: list[float] = []
    for index, cell in enumerate(widest):
        middles.append((cell[0] + cell[2]) / 2 if cell else (middles[-1] + 1 if middles else float(index)))
    return middles


def _covering(
    grid: list[list[Bbox | None]],
    cells: list[list[Cell]],
    r: int,
    c: int,
    middles: list[float],
    carried: Sequence[Cell],
) -> Cell:
    """The cell pdfplumber leaves out because a merged cell covers its place: nothing for a
    cell spanning from the left, a copy marked spanned of one spanning down from a row
    above, or of the previous page's last row when the merged cell runs on over the break."""
    boxes = [b for b in grid[r] if b is not None]
    if not boxes or c >= len(middles):
        return Cell()
    y = (boxes[0][1] + boxes[0][3]) / 2
    for above in range(r, -1, -1):
        for col, box in enumerate(grid[above]):
            if box is not None and box[0] <= middles[c] <= box[2] and box[1] <= y <= box[3]:
                if above == r:
                    return Cell()
                if not cells[above][col].is_empty:
                    return Cell(cells[above][col].blocks, spanned=True)
    if c < len(carried) and not carried[c].is_empty:
        return Cell(carried[c].blocks, spanned=True)
    return Cell()


@dataclass
class _Placed:
    """A table with its page and the text printed above it."""

    page: int
    table: _Table
    above: list[str]


def read_pdf(data: bytes, password: str | None = None) -> RawDocument:
    from extractors.pdf_glyphs import GlyphRecovery
    from extractors.pdfdoc import open_pdf, require_text_layer

    counts: Counter[str] = Counter()
    placed: list[_Placed] = []
    with open_pdf(data, password) as pdf:
        recovery = GlyphRecovery(pdf)
        pending: list[str] = []
        missing: list[int] = []
        columns: list[tuple[float, float]] | None = None
        carried: Sequence[Cell] = ()
        for page in pdf.pages:
            chars, _ = recovery.recover_chars(page)
            if not any(str(c["text"]).strip() for c in chars):
                missing.append(page.page_number)
                continue
            reader = _Page(page, chars, counts)
            found = reader.ruled_tables(carried)
            if not found:
                borderless = reader.borderless_table(columns)
                if borderless:
                    found, columns = [borderless[0]], borderless[1]
            top = 0.0
            for table in found:
                pending += _text(reader.lines((0.0, top, float(page.width), table.bbox[1])))
                placed.append(_Placed(page.page_number, table, pending))
                pending, top = [], table.bbox[3]
                carried = table.rows[-1].cells if table.rows else ()
            if not found:
                pending += _text(reader.lines())
            page.close()
        require_text_layer(pdf, missing)
        counts.update(recovery.counts)
        pages = len(pdf.pages)
    warnings = [f"pages without a text layer (OCR needed): {missing}"] if missing else []
    return RawDocument(
        "pdf", tuple(_raw_tables(placed)), pages=pages, warnings=tuple(warnings), repairs=dict(counts)
    )


def _raw_tables(placed: list[_Placed]) -> list[RawTable]:
    """Tables in reading order. A table whose last row had no bottom rule on its page was
    cut by the page break, so the next page's first row continues it. A closed rule says
    nothing (Word and LibreOffice close a cut row's cells at the break): ``etl.structure``
    then decides from what the row holds."""
    tables = []
    for index, item in enumerate(placed):
        before = placed[index - 1] if index else None
        cut = before is not None and before.page != item.page and before.table.open_bottom
        tables.append(RawTable(tuple(item.table.rows), tuple(item.above), True if cut else None))
    return tables
