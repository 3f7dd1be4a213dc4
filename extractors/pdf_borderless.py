"""Borderless tables: no rules to find, so the text itself says where cells are.

The header row is the line naming the most columns, with the lines of its cells wrapped above
and below it. The columns are where the header cells sit, their boundaries where the fewest
body glyphs fall between two header cells. Rows start where the text shows a new row (see
``_row_starts``). A line running across the columns (a tool section, a note under the table)
is a row of its own.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from extractors.model import Cell, Row
from extractors.pdf_page import Char, PageChars, Table
from extractors.pdf_text import Line
from extractors.thai.words import line_break_pieces
from schemas.table_words import column_role, report_columns_named, tool_named

Columns = list[tuple[float, float]]


@dataclass(frozen=True)
class Carried:
    """What the next page's table needs from this page's: the columns (a page without a
    header row continues them) and, per column, the last line of the last row and where that
    column's lines wrap (to tell whether the row runs on over the page break)."""

    columns: Columns
    tails: tuple[Line | None, ...] = ()
    rights: tuple[float | None, ...] = ()
    measure: int | None = None
    """The measure column, from the header row's words."""


_ROW_OPENERS = re.compile(r"^\s*(ตัวชี้วัด|[0-9๐-๙]{1,2}\.\s)")
_SEQUENCE_NUMBER = re.compile(r"^\s*[0-9๐-๙]{1,3}\.?\s*$")
_LIST_ITEM = re.compile(r"^\s*([-–—•●○◦▪■►➢✓*\uf0a7\uf0b7\uf0d8\uf0fc]|\(?[0-9๐-๙]{1,2}[.)])")
_GUTTER_PT = 2.0
"""Narrowest strip of white between two columns."""
_WORD_GAP_EM = 0.55
"""Widest space between words, as a share of the font size; a wider gap on a line is a gap
between columns."""
_MIN_COLUMN_PT = 8.0
"""Narrowest column (narrower strips of ink are stray marks)."""


def borderless_table(page: PageChars, previous: Carried | None) -> tuple[Table, Carried] | None:
    """The page's borderless table, if it has a header row (or continues a table whose
    columns the previous page gave), with what the next page needs from it."""
    lines = page.lines()
    band = header_band(lines)
    if band is None and previous is None:
        return None
    body = [ln for ln in lines if ln.top > band[1]] if band else lines
    if not body:
        return None
    columns: Columns | None = previous.columns if previous else None
    if band is not None:
        header_lines = [ln for ln in lines if band[0] <= ln.top and ln.bottom <= band[1] + 0.5]
        columns = _columns(header_lines, body)
    if not columns or len(columns) < 2:
        return None
    spanning = [ln for ln in body if _crosses(ln, columns)]
    rows: list[Row] = []
    header: list[Char] = []
    measure = previous.measure if previous else None
    if band is not None:
        header = [
            c for c in page.chars if band[0] - 0.5 <= (c["top"] + c["bottom"]) / 2 <= band[1] + 0.5
        ]
        rows.append(_row(page, header, columns))
        roles = [column_role(text) if text else None for text in rows[0].texts]
        measure = roles.index("measure") if "measure" in roles else None
    body_rows = _body_rows(page, body, spanning, columns, header, measure)
    rows.extend(body_rows.rows)
    top = band[0] if band else body[0].top
    bbox = (columns[0][0], top, columns[-1][1], max(ln.bottom for ln in body))
    continues = previous is not None and _runs_on(previous, body_rows)
    carried = Carried(
        columns,
        tuple(column[-1] if column else None for column in body_rows.last),
        body_rows.rights,
        measure,
    )
    return Table(bbox, rows, continues_above=continues), carried


def header_band(lines: Sequence[Line]) -> tuple[float, float] | None:
    """Top and bottom of a borderless table's header row: the line naming the most
    columns (a title may name two, "รายงานผลการดำเนินการตามมาตรการ…"), and the lines of
    the same header cells wrapped just above and below it."""
    scored = [(len(report_columns_named(ln.text)), -ln.top, ln) for ln in lines]
    if not scored or max(scored, key=lambda s: s[:2])[0] < 2:
        return None
    best = max(scored, key=lambda s: s[:2])[2]
    reach = 1.3 * (best.bottom - best.top)
    leading = _usual_gap(lines) + 1.0
    in_cell = _cell_gap(lines) + 1.0
    top, bottom = best.top, best.bottom
    grew = True
    while grew:
        grew = False
        for line in lines:
            if (top <= line.top and line.bottom <= bottom) or tool_named(line.text):
                continue
            # Lines of header cells follow each other at the usual leading (or at the
            # leading of one cell, when a tall header cell goes on alone) and in the
            # header's weight; the first body line is further down, past cell padding.
            wrapped = bottom < line.top <= bottom + leading or (
                bottom - 0.5 <= line.top
                and any(
                    top <= a.top
                    and a.bottom <= bottom + 0.5
                    and _overlap(a, line)
                    and 0 <= line.top - a.bottom <= in_cell
                    for a in lines
                )
            )
            below = wrapped and line.bold == best.bold and not _ROW_OPENERS.match(line.text)
            above = (
                top - reach <= line.bottom and line.top < top and report_columns_named(line.text)
            )
            beside = line.top < bottom and line.bottom > top and not _ROW_OPENERS.match(line.text)
            if below or above or beside:
                top, bottom = min(top, line.top), max(bottom, line.bottom)
                grew = True
    return top, bottom


def _row(page: PageChars, chars: list[Char], columns: Columns) -> Row:
    cells = [
        page.cell(page.lines_of([c for c in chars if _in_column(c, columns, i)]))
        for i in range(len(columns))
    ]
    return Row(tuple(cells), page=page.number)


@dataclass(frozen=True)
class _BodyRows:
    rows: list[Row]
    first: list[list[Line]]
    """Each column's lines in the first row (empty when the first row runs across)."""
    last: list[list[Line]]
    """Each column's lines in the last row."""
    rights: tuple[float | None, ...]


def _body_rows(
    page: PageChars,
    body: list[Line],
    spanning: list[Line],
    columns: Columns,
    header: Sequence[Char],
    measure: int | None,
) -> _BodyRows:
    """Rows of a borderless body. A line running across the columns (a tool section, a
    note under the table) is a row of its own, its text in the first cell."""
    chars = [c for ln in body if ln not in spanning for c in ln.chars]
    segments = [
        page.lines_of([c for c in chars if _in_column(c, columns, i)]) for i in range(len(columns))
    ]
    starts = _row_starts(segments, spanning, measure)
    # no rule shows where a column's lines wrap: the right end of its widest line, header
    # included, is the best guess that never takes a wrap for a typed break
    rights = tuple(
        _right_edge(column, [c for c in header if _in_column(c, columns, i)])
        for i, column in enumerate(segments)
    )
    rows: list[Row] = []
    parts: list[list[list[Line]]] = []
    for top, bottom in zip(starts, [*starts[1:], float("inf")], strict=True):
        whole = [ln for ln in spanning if abs(ln.top - top) < 0.6]
        if whole:
            cells = [page.cell(whole[:1])] + [Cell()] * (len(columns) - 1)
            rows.append(Row(tuple(cells), page=page.number))
            parts.append([[] for _ in columns])
            continue
        lines = [[s for s in column if top - 0.5 <= s.top < bottom - 0.5] for column in segments]
        cells = [page.cell(column, right) for column, right in zip(lines, rights, strict=True)]
        if any(not c.is_empty for c in cells):
            rows.append(Row(tuple(cells), page=page.number))
            parts.append(lines)
    empty: list[list[Line]] = [[] for _ in columns]
    return _BodyRows(rows, parts[0] if parts else empty, parts[-1] if parts else empty, rights)


def _runs_on(previous: Carried, body: _BodyRows) -> bool:
    """Whether the page's first row is the rest of the previous page's last row, cut by the
    page break (Word and LibreOffice let a row break across pages by default). In every
    column that has text on both sides of the break, the last line before it must have
    been wrapped: no room left on it for the first word after the break. One column with
    room is a cell that ended there, so a new row. A row that opens an indicator in its
    first column is a row of its own."""
    if len(previous.tails) != len(body.first):
        return False
    compared = 0
    for index, (tail, head) in enumerate(zip(previous.tails, body.first, strict=True)):
        if tail is None or not head:
            continue
        if index == 0 and _ROW_OPENERS.match(head[0].text):
            return False
        edges = [e for e in (previous.rights[index], body.rights[index]) if e is not None]
        if not edges:
            return False
        if max(edges) - tail.x1 - _first_word_width(head[0]) > _WRAP_SLACK_EM * tail.size:
            return False
        compared += 1
    return compared > 0


_WRAP_SLACK_EM = 0.3
"""Room a wrapped line may show beyond the next word: what the producer measures and what
the PDF says differ by a fraction of an em."""


def _first_word_width(line: Line) -> float:
    """How wide the line's first word is (a dictionary word of a Thai run, else up to a
    space): its share of the line's spacing characters times the line's width."""
    pieces = [p for p in line_break_pieces(line.text) if p.strip()]
    if not pieces:
        return 0.0
    spacing = [ch for ch in line.text if not ch.isspace() and not _is_mark(ch)]
    word = [ch for ch in pieces[0] if not _is_mark(ch)]
    return (line.x1 - line.x0) * len(word) / max(len(spacing), 1)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me")


def _right_edge(lines: Sequence[Line], header: Sequence[Char]) -> float | None:
    edges = [line.x1 for line in lines] + [float(c["x1"]) for c in header]
    return max(edges, default=None)


def _overlap(a: Line, b: Line) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0


def _cell_gap(lines: Sequence[Line]) -> float:
    """The usual white between a line and the line above it in the same column (fonts
    such as Laksaman leave nearly a line of it; lines of other columns interleave)."""
    gaps = []
    for line in lines:
        above = [line.top - a.bottom for a in lines if a.bottom <= line.top and _overlap(a, line)]
        if above:
            gaps.append(min(above))
    return statistics.median(gaps) if gaps else 0.0


def _usual_gap(lines: Sequence[Line]) -> float:
    ordered = sorted(lines, key=lambda ln: ln.top)
    gaps = [b.top - a.bottom for a, b in pairwise(ordered) if b.top > a.bottom]
    return statistics.median(gaps) if gaps else 0.0


def _inked(char: Char) -> bool:
    """A char that covers ground: not a space, and not a zero-width mark (ReportLab, which
    does not shape Thai, draws marks at the advance point, past their base). A glyph whose
    text went to the first glyph of its /ActualText span (the า of a LibreOffice ำ) has no
    text of its own but is drawn all the same."""
    text = str(char["text"])
    return (text == "" or bool(text.strip())) and char["x1"] - char["x0"] > 0.5


def _word_gap(line: Line) -> float:
    return max(4.0, _WORD_GAP_EM * line.size)


def _segments(line: Line) -> Columns:
    """The stretches of a line's ink separated by more than a word space."""
    spans: Columns = []
    for char in sorted((c for c in line.chars if _inked(c)), key=lambda c: c["x0"]):
        if spans and char["x0"] - spans[-1][1] <= _word_gap(line):
            spans[-1] = (spans[-1][0], max(spans[-1][1], char["x1"]))
        else:
            spans.append((char["x0"], char["x1"]))
    return spans


def _columns(header: Sequence[Line], body: Sequence[Line]) -> Columns:
    """Columns of a borderless table. The header row says how many there are and roughly
    where (each header cell's text sits inside its column); the body says exactly where the
    boundary between two is (the x between two header cells that the fewest body glyphs
    cover). Without a usable header, the strips of white in the body decide alone."""
    cells: Columns = []
    for span in sorted(s for line in header for s in _segments(line)):
        if cells and span[0] <= cells[-1][1]:
            cells[-1] = (cells[-1][0], max(cells[-1][1], span[1]))
        else:
            cells.append(span)
    inked = [c for ln in body for c in ln.chars if _inked(c)]
    if len(cells) < 2 or not inked:
        return _gutters(body)
    left = min(cells[0][0], min(c["x0"] for c in inked))
    right = max(cells[-1][1], max(c["x1"] for c in inked))
    coverage = Counter[int]()
    for char in inked:
        for x in range(int(char["x0"]), int(char["x1"]) + 1):
            coverage[x] += 1
    bounds = [left]
    for a, b in pairwise(cells):
        xs = range(int(a[1]) + 1, max(int(b[0]), int(a[1]) + 1) + 1)
        least = min(coverage[x] for x in xs)
        valley = [x for x in xs if coverage[x] == least]
        bounds.append(float(valley[len(valley) // 2]))
    bounds.append(right)
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def _gutters(lines: Sequence[Line]) -> Columns:
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
    spans: Columns = []
    start: int | None = None
    for x, covered in enumerate([*coverage, 0]):
        if covered > allowed and start is None:
            start = x
        elif covered <= allowed and start is not None:
            spans.append((x0 + start, x0 + x))
            start = None
    columns: Columns = []
    for span in spans:
        if columns and span[0] - columns[-1][1] < _GUTTER_PT:
            columns[-1] = (columns[-1][0], span[1])
        else:
            columns.append(span)
    return [c for c in columns if c[1] - c[0] >= _MIN_COLUMN_PT]


def _crosses(line: Line, columns: Columns) -> bool:
    """Whether a line runs on across a gutter, as a section title or a note under the table
    does: its ink bridges the strip between two columns with no gap wider than a word
    space. (A word too long for its column pokes into the strip, then a column gap
    follows before the next cell's text.)"""
    inked = sorted((c for c in line.chars if _inked(c)), key=lambda c: c["x0"])
    gaps = []
    reach = None
    for char in inked:
        if reach is not None and char["x0"] - reach > _word_gap(line):
            gaps.append((reach, char["x0"]))
        reach = char["x1"] if reach is None else max(reach, char["x1"])
    if not inked:
        return False
    first, last = inked[0]["x0"], reach or inked[0]["x1"]
    for a, b in pairwise(columns):
        middle = (a[1] + b[0]) / 2
        if first < middle < last and not any(g0 <= middle <= g1 for g0, g1 in gaps):
            return True
    return False


def _in_column(char: Char, columns: Columns, index: int) -> bool:
    middle = float(char["x0"] + char["x1"]) / 2
    left = -1e9 if index == 0 else (columns[index - 1][1] + columns[index][0]) / 2
    right = 1e9 if index == len(columns) - 1 else (columns[index][1] + columns[index + 1][0]) / 2
    return left <= middle < right


def _row_starts(
    segments: list[list[Line]], spanning: list[Line], measure: int | None = None
) -> list[float]:
    """Where rows of a borderless table start, from what the text shows:

    - a line running across the columns;
    - a column taking up again after it had stopped (cells are top-aligned, so a column
      whose text ended and resumes belongs to the next row);
    - a wider vertical gap between lines than inside cells (row padding), where two
      columns, or the first, start beside each other after it: a gap with one column going
      on alone is the spacing between paragraphs of one cell (Word's "space after");
    - a line in the first column opening an indicator ("ตัวชี้วัดที่ ๑"), unless it runs on
      from the line above it in the same cell with nothing else starting beside it (one
      cell can name two indicators, one under the other);
    - a paragraph of the measure column that is not a list item and starts beside a
      paragraph of another column (one row per measure, the indicator cell merged down);
    - every line of a first column that holds nothing but numbers (a ลำดับ column).
    """
    every = sorted((s for column in segments for s in column), key=lambda s: s.top)
    if not every and not spanning:
        return []
    pitch = statistics.median([s.bottom - s.top for s in every]) if every else 10.0
    inside = [
        b.top - a.bottom for column in segments for a, b in pairwise(column) if b.top > a.bottom
    ]
    usual_gap = statistics.median(inside) if inside else 0.0
    wide = usual_gap + max(2.5, 0.25 * pitch)
    resumed = {
        round(b.top, 1)
        for column in segments
        for a, b in pairwise(column)
        if b.top - a.bottom > usual_gap + pitch
    }
    # the first line of each paragraph-like block: first in its column, or after a gap
    opening = [
        [ln for i, ln in enumerate(column) if i == 0 or ln.top - column[i - 1].bottom > wide]
        for column in segments
    ]

    def beside(top: float) -> int:
        """How many columns start a block at this height (cells are top-aligned)."""
        return sum(any(abs(ln.top - top) <= 0.3 * pitch for ln in column) for column in opening)

    def first_starts(top: float) -> bool:
        return bool(opening) and any(abs(ln.top - top) <= 0.3 * pitch for ln in opening[0])

    starts = {round(s.top, 1) for s in spanning} | resumed
    if every:
        starts.add(round(every[0].top, 1))
    first = segments[0] if segments else []
    if len(first) > 1 and all(_SEQUENCE_NUMBER.match(line.text) for line in first):
        starts.update(round(line.top, 1) for line in first)
    for index, line in enumerate(first):
        if not _ROW_OPENERS.match(line.text):
            continue
        runs_on = index > 0 and line.top - first[index - 1].bottom <= usual_gap + 0.5 * pitch
        if (not runs_on and (index == 0 or beside(line.top) >= 2)) or any(
            abs(line.top - t) < 0.6 * pitch for t in resumed
        ):
            starts.add(round(line.top, 1))
    bottom = None
    for line in every:
        gap = bottom is not None and line.top - bottom > wide
        if gap and (beside(line.top) >= 2 or first_starts(line.top)):
            starts.add(round(line.top, 1))
        bottom = line.bottom if bottom is None else max(bottom, line.bottom)
    if measure is not None and 0 < measure < len(opening):
        for line in opening[measure][1:]:
            if not _LIST_ITEM.match(line.text) and beside(line.top) >= 2:
                starts.add(round(line.top, 1))
    return _snap(sorted(starts), pitch)


def _snap(starts: list[float], pitch: float) -> list[float]:
    """One start per row: columns' first lines of a row can sit a point or two apart."""
    out: list[float] = []
    for start in starts:
        if not out or start - out[-1] > 0.6 * pitch:
            out.append(start)
    return out
