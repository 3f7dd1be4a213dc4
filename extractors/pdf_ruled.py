"""Ruled tables: found by pdfplumber from the lines drawn around cells."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

from extractors.model import Cell, Row
from extractors.pdf_page import Bbox, Char, PageChars, Table, centre_inside

_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}
_OVERFLOW_GAP_PT = 1.0
"""A larger gap (or overlap) between two glyphs on a line is where another cell's text starts."""


def ruled_tables(page: PageChars, carried: Sequence[Cell] = ()) -> list[Table]:
    """The page's ruled tables, top to bottom. ``carried`` is the last row of the previous
    page's table: a merged cell may run on over the page break."""
    tables = []
    settings = {**_SETTINGS, "explicit_horizontal_lines": _open_ends(page)}
    for found in page.page.find_tables(settings):
        grid: list[list[Bbox | None]] = [list(row.cells) for row in found.rows]
        if not grid or max(len(r) for r in grid) < 2:
            continue
        bbox: Bbox = found.bbox
        rows = _rows(page, grid, carried)
        tables.append(Table(bbox, rows, open_bottom=not _ruled_at(page, bbox[3], bbox)))
        carried = rows[-1].cells
    return sorted(tables, key=lambda t: t.bbox[1])


def _ruled_at(page: PageChars, y: float, bbox: Bbox) -> bool:
    """Whether a rule is drawn across most of the table at height ``y``."""
    covered = sum(
        min(e["x1"], bbox[2]) - max(e["x0"], bbox[0])
        for e in page.page.edges
        if e["orientation"] == "h" and abs(e["top"] - y) < 2
    )
    return bool(covered >= 0.6 * (bbox[2] - bbox[0]))


def _open_ends(page: PageChars) -> list[float]:
    """Where vertical rules start and stop. A row that a page break cuts has no bottom rule
    on this page (WeasyPrint draws none), and pdfplumber sees no cell without one."""
    verticals = sorted(
        (e for e in page.page.edges if e["orientation"] == "v"), key=lambda e: e["top"]
    )
    ends: list[float] = []
    top: float | None = None
    bottom: float | None = None
    for edge in verticals:
        if top is not None and bottom is not None and edge["top"] > bottom + 1:
            ends += [top, bottom]
            top = None
        top = float(edge["top"]) if top is None else top
        bottom = float(edge["bottom"]) if bottom is None else max(bottom, float(edge["bottom"]))
    if top is not None and bottom is not None:
        ends += [top, bottom]
    return ends


def _cell_chars(page: PageChars, boxes: list[Bbox]) -> list[list[Char]]:
    """The chars of each cell. A char belongs to the cell its middle is in, except that a
    word too long for a narrow cell runs on over the rule into the next one: chars that
    continue a line without a gap stay with the cell the line started in. The next cell's
    text starts after a gap, or on top of the overflowing word (overlapping it)."""
    owner: dict[int, int] = {}
    band = (0.0, min(b[1] for b in boxes), float(page.page.width), max(b[3] for b in boxes))
    inside = [c for c in page.chars if centre_inside(c, band)]
    assigned: list[list[Char]] = [[] for _ in boxes]
    overflow = False
    first_box = _box_index(boxes)
    for char in inside:
        index = first_box(char)
        if index is None:
            overflow = True
            continue
        box = boxes[index]
        owner[id(char)] = index
        assigned[index].append(char)
        overflow |= char["x0"] < box[0] - 0.5 or char["x1"] > box[2] + 0.5
    if not overflow:
        return assigned
    assigned = [[] for _ in boxes]
    for line in page.lines_of(inside, repair=False):
        current: int | None = None
        previous_x1: float | None = None
        for char in line.chars:
            own = owner.get(id(char))
            gap = char["x0"] - previous_x1 if previous_x1 is not None else 99.0
            if own is not None and (
                current is None or (own != current and abs(gap) > _OVERFLOW_GAP_PT)
            ):
                current = own
            if current is not None:
                assigned[current].append(char)
            if str(char["text"]).strip():
                previous_x1 = char["x1"]
    return assigned


def _box_index(boxes: list[Bbox]) -> Callable[[Char], int | None]:
    """The index of the first of ``boxes`` that a char's middle is in (``centre_inside``),
    found among the boxes spanning the char's height instead of all the table's cells."""
    edges = sorted({y for box in boxes for y in (box[1], box[3])})
    spans: list[list[int]] = [[] for _ in edges]  # boxes covering [edges[k], edges[k + 1]]
    for index, box in enumerate(boxes):
        low = bisect_left(edges, box[1])
        for k in range(low, max(bisect_left(edges, box[3]), low + 1)):
            spans[k].append(index)  # a superset is harmless: each is checked below

    def first(char: Char) -> int | None:
        y = float(char["top"] + char["bottom"]) / 2
        k = bisect_right(edges, y) - 1
        candidates = spans[k] if k >= 0 else []
        if k >= 1 and edges[k] == y:  # on a rule: the cells above it hold the point too
            candidates = sorted({*spans[k - 1], *candidates})
        for index in candidates:
            if centre_inside(char, boxes[index]):
                return index
        return None

    return first


def _rows(page: PageChars, grid: list[list[Bbox | None]], carried: Sequence[Cell]) -> list[Row]:
    boxes = list(dict.fromkeys(box for row in grid for box in row if box is not None))
    content = {
        box: _cell(page, box, chars)
        for box, chars in zip(boxes, _cell_chars(page, boxes), strict=True)
    }
    cells = [[content[box] if box else Cell() for box in row] for row in grid]
    middles = _column_middles(grid)
    return [
        Row(
            tuple(
                cells[r][c] if box is not None else _covering(grid, cells, r, c, middles, carried)
                for c, box in enumerate(row)
            ),
            page=page.number,
        )
        for r, row in enumerate(grid)
    ]


def _cell(page: PageChars, box: Bbox, chars: list[Char]) -> Cell:
    """A ruled cell's lines wrap at its right rule less the padding its text keeps on the
    left (taken as the same on both sides; centred text makes it larger, and so fewer
    typed line breaks are seen, never more)."""
    lines = page.lines_of(chars)
    padding = min((line.x0 - box[0] for line in lines), default=0.0)
    return page.cell(lines, right=box[2] - max(padding, 0.0))


def _column_middles(grid: Sequence[Sequence[Bbox | None]]) -> list[float]:
    widest = max(grid, key=lambda r: sum(1 for c in r if c is not None))
    middles: list[float] = []
    for index, cell in enumerate(widest):
        if cell is not None:
            middles.append((cell[0] + cell[2]) / 2)
        else:
            middles.append(middles[-1] + 1 if middles else float(index))
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
