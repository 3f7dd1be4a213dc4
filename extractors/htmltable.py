"""HTML tables and cells to rows of blocks, shared by the HTML, Markdown and text readers.

Written on bs4 + lxml rather than ``pandas.read_html`` because that joins list items with no
separator, which for Thai (no spaces between words) glues two measures into one.
"""

from __future__ import annotations

from collections.abc import Iterator

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from extractors.model import Block, BlockKind, Cell, Row, squash

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "center",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
    }
)
_EMPHASIS_TAGS = frozenset({"b", "strong", "u"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "meta", "link"})


class _CellWalker:
    """Turns a cell's DOM into blocks: one per list item, paragraph or ``<br>`` line."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._buf: list[tuple[str, bool]] = []
        self._kind: list[BlockKind] = ["para"]
        self._ordered: list[int | None] = [None]

    def flush(self) -> None:
        text = squash("".join(t for t, _ in self._buf))
        if text:
            emphasis = all(e for t, e in self._buf if t.strip())
            self.blocks.append(Block(self._kind[-1], text, emphasis, self._ordered[-1]))
        self._buf.clear()

    def walk(self, node: Tag, emphasis: bool = False) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self._buf.append((str(child), emphasis))
                continue
            if not isinstance(child, Tag) or child.name in _SKIP_TAGS:
                continue
            name = child.name
            if name == "br":
                self.flush()
            elif name in ("ul", "ol"):
                self.flush()
                items = [li for li in child.children if isinstance(li, Tag) and li.name == "li"]
                for index, li in enumerate(items, start=1):
                    self._enter_item(li, emphasis, index if name == "ol" else None)
                self.flush()
            elif name == "li":
                self.flush()
                self._enter_item(child, emphasis, None)
            elif name in _BLOCK_TAGS:
                self.flush()
                self.walk(child, emphasis)
                self.flush()
            else:
                self.walk(child, emphasis or name in _EMPHASIS_TAGS)

    def _enter_item(self, li: Tag, emphasis: bool, ordered_index: int | None) -> None:
        self._kind.append("item")
        self._ordered.append(ordered_index)
        self.walk(li, emphasis)
        self.flush()
        self._kind.pop()
        self._ordered.pop()


def cell_from_tag(tag: Tag) -> Cell:
    walker = _CellWalker()
    walker.walk(tag)
    walker.flush()
    return Cell(tuple(walker.blocks))


def cell_from_html(fragment: str) -> Cell:
    """Parse one cell's HTML (or plain text) as the seed's text form carries it."""
    if "<" not in fragment:
        text = squash(fragment)
        return Cell((Block("para", text),)) if text else Cell()
    soup = BeautifulSoup(f"<div>{fragment}</div>", "lxml")
    root = soup.find("div")
    assert isinstance(root, Tag)
    return cell_from_tag(root)


def _own_rows(table: Tag) -> Iterator[Tag]:
    """The table's rows, leaving out the rows of tables nested inside its cells."""
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is table:
            yield tr


def _span(tag: Tag, attr: str) -> int:
    value = tag.get(attr)
    try:
        return max(1, min(int(str(value).strip() or 1), 1000))
    except ValueError:
        return 1


def rows_from_table(table: Tag) -> list[Row]:
    """Rows with rowspan and colspan expanded to a rectangular grid.

    A cell that spans rows is repeated in the rows below marked ``spanned`` (the indicator
    cell of the row-per-measure layout); a cell that spans columns fills the first column and
    leaves the others empty, so a section row stays one text.
    """
    grid = [cells for cells, _own in _grid(table)]
    width = max((len(r) for r in grid), default=0)
    return [
        Row(tuple(r + [Cell()] * (width - len(r)))) for r in grid if any(not c.is_empty for c in r)
    ]


def short_rows(table: Tag) -> list[int]:
    """Rows (numbered from 1) of two or more cells that fill fewer columns than the table
    has, spans counted: where a cell was lost (a damaged or cut file), since the grid pads
    them without a word. A row of one cell is a heading, short on purpose."""
    grid = _grid(table)
    width = max((len(cells) for cells, _own in grid), default=0)
    return [n for n, (cells, own) in enumerate(grid, 1) if own >= 2 and len(cells) < width]


def _grid(table: Tag) -> list[tuple[list[Cell], int]]:
    """Each row's cells, spans placed, and how many cells the row itself holds."""
    pending: dict[int, tuple[int, Cell]] = {}
    grid: list[tuple[list[Cell], int]] = []
    for tr in _own_rows(table):
        out: dict[int, Cell] = {}
        col = 0
        own = 0
        for td in (c for c in tr.children if isinstance(c, Tag) and c.name in ("td", "th")):
            while col in pending:
                col += 1
            own += 1
            cell = cell_from_tag(td)
            rowspan, colspan = _span(td, "rowspan"), _span(td, "colspan")
            for offset in range(colspan):
                placed = cell if offset == 0 else Cell()
                out[col + offset] = placed
                if rowspan > 1:
                    pending[col + offset] = (rowspan - 1, Cell(placed.blocks, spanned=True))
            col += colspan
        for c, (left, cell) in list(pending.items()):
            if c not in out:
                out[c] = cell
                if left <= 1:
                    del pending[c]
                else:
                    pending[c] = (left - 1, cell)
        width = max(out) + 1 if out else 0
        grid.append(([out.get(i, Cell()) for i in range(width)], own))
    return grid


def text_lines(node: Tag) -> list[str]:
    """The non-empty text blocks of a piece of page, for the title above a table."""
    walker = _CellWalker()
    walker.walk(node)
    walker.flush()
    return [b.text for b in walker.blocks]
