"""What every format reader returns: the report's table as rows of cells of text blocks.

A reader only says what the file shows (a list item, a paragraph, a visual line, a bold run);
deciding what the rows mean (header, section, indicator, measures) is done once for all
formats by ``etl.transform.structure``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from schemas.records import PageReading, SourceFormat

BlockKind = Literal["item", "para", "line"]
_SPACE = re.compile(r"[\s\u00a0\u200b\ufeff]+")


def squash(text: str) -> str:
    """Collapse runs of white space (NBSP and zero-width spaces included) into one space."""
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Block:
    """A piece of a cell.

    ``item`` is an explicit list item (``<li>``); ``para`` a paragraph or a ``<br>``-separated
    line the author typed; ``line`` a visual line of a PDF, which may be a wrap of the previous
    one. ``emphasis`` marks text set entirely in bold or underline (a heading candidate).
    """

    kind: BlockKind
    text: str
    emphasis: bool = False
    ordered_index: int | None = None
    raw: str | None = None
    """The text before Thai repair, where the reader repaired it (PDF lines)."""
    after_break: bool = False
    """A PDF line that follows a line its author ended (the reader saw room left on it):
    it starts a new paragraph, as a ``<br>`` does in HTML."""


@dataclass(frozen=True)
class Cell:
    """A table cell. ``spanned`` marks the copy of a cell that spans down from the row above
    (HTML rowspan, a merged PDF cell): it tells which indicator a row is under, but its items
    belong to the first row only."""

    blocks: tuple[Block, ...] = ()
    spanned: bool = False

    @property
    def text(self) -> str:
        return " ".join(b.text for b in self.blocks if b.text.strip())

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    page: int | None = None

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.cells)


@dataclass(frozen=True)
class RawTable:
    """One table of the file and the lines of text printed between it and the previous one
    (for the first table, the title block)."""

    rows: tuple[Row, ...]
    preceding_lines: tuple[str, ...] = ()
    continues: bool | None = None
    """True when the reader saw that the table's first row (after any header) is the rest
    of a row the page break cut (a ruled PDF table whose last row on the previous page has
    no bottom rule); None when it cannot tell."""


@dataclass(frozen=True)
class RawDocument:
    """A parsed file before interpretation: its tables in reading order."""

    format: SourceFormat
    tables: tuple[RawTable, ...]
    pages: int | None = None
    warnings: tuple[str, ...] = ()
    repairs: dict[str, int] = field(default_factory=dict)
    readings: tuple[PageReading, ...] = ()
    """How each page was read (PDF only)."""
