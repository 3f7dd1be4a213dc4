"""What the ruled and borderless table readers share: one page's recovered chars, and turning
visual lines into cell blocks (repaired text, the unrepaired text kept beside it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extractors.model import Block, Cell, Row
from extractors.pdf_text import Line, lines_from_chars, without_duplicates

Bbox = tuple[float, float, float, float]
Char = dict[str, Any]


def centre_inside(char: Char, box: Bbox) -> bool:
    x = float(char["x0"] + char["x1"]) / 2
    y = float(char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


@dataclass
class Table:
    """A table found on a page: its box, its rows, and whether its last row is open at the
    bottom (no rule drawn under it: the page break cut it)."""

    bbox: Bbox
    rows: list[Row]
    open_bottom: bool = False


class PageChars:
    """A page and its chars as recovered from the PDF's fonts; counts the repairs made to
    the text of every line read from it."""

    def __init__(self, page: Any, chars: list[Char], counts: Counter[str]) -> None:
        self.page = page
        self.number: int = page.page_number
        self.chars = without_duplicates(chars)
        self.counts = counts
        self._all_lines: list[Line] | None = None

    def lines(self, box: Bbox | None = None) -> list[Line]:
        if box is None:
            if self._all_lines is None:
                self._all_lines = self.lines_of(self.chars)
            return self._all_lines
        return self.lines_of([c for c in self.chars if centre_inside(c, box)])

    def lines_of(self, chars: Sequence[Char], *, repair: bool = True) -> list[Line]:
        """Visual lines of some of this page's chars."""
        return lines_from_chars(chars, repair=repair, deduplicated=True)

    def cell(self, lines: Sequence[Line]) -> Cell:
        """A cell of visual lines; a line's repairs are counted once it lands in a cell."""
        blocks = []
        for line in lines:
            self.counts.update(dict(line.repairs))
            if line.text.strip():
                blocks.append(Block("line", line.text, line.bold, raw=line.raw))
        return Cell(tuple(blocks))

    def text(self, box: Bbox | None = None) -> list[str]:
        return [line.text for line in self.lines(box) if line.text.strip()]
