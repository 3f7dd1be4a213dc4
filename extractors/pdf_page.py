"""What the ruled and borderless table readers share: one page's recovered chars, and turning
visual lines into cell blocks (repaired text, the unrepaired text kept beside it)."""

from __future__ import annotations

import unicodedata
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
    """A table found on a page: its box, its rows, whether its last row is open at the
    bottom (no rule drawn under it: the page break cut it), and whether its first body row
    is seen to run on from the previous page's last row (a borderless cell's wrapped line)."""

    bbox: Bbox
    rows: list[Row]
    open_bottom: bool = False
    continues_above: bool = False


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

    def cell(self, lines: Sequence[Line], right: float | None = None) -> Cell:
        """A cell of visual lines; a line's repairs are counted once it lands in a cell.
        ``right``: where the cell's lines wrap, if known, to tell typed line breaks."""
        blocks: list[Block] = []
        before: Line | None = None
        for line in lines:
            self.counts.update(dict(line.repairs))
            if not line.text.strip():
                continue
            typed = before is not None and right is not None and typed_break(before, line, right)
            blocks.append(Block("line", line.text, line.bold, raw=line.raw, after_break=typed))
            before = line
        return Cell(tuple(blocks))

    def text(self, box: Bbox | None = None) -> list[str]:
        return [line.text for line in self.lines(box) if line.text.strip()]


def typed_break(before: Line, line: Line, right: float) -> bool:
    """Whether ``before`` ended where its author broke the line (Enter, ``<br>``), not where
    it wrapped: the first phrase of ``line`` (up to its first space) would have fit after it.
    A phrase is at least as wide as the word a producer wraps at, so a wrap never leaves that
    much room, whatever the producer's Thai line breaker (checked with LibreOffice's ICU,
    WeasyPrint's Pango and ReportLab on samples/pdf)."""
    head = _first_phrase(line.chars)
    if not any(str(c["text"]).isalnum() for c in head):
        return False  # a bracket alone is the start of a unit too wide for the line
    width = float(max(c["x1"] for c in head)) - float(min(c["x0"] for c in head))
    spare = right - before.x1 - width
    return spare > _ROOM_EM * line.size


_ROOM_EM = 1.5
"""Room that must be left beyond the phrase: a space, and the difference between what a
producer measures and what it draws (ReportLab counts the width of Thai marks it draws
with none, and wrapped lines with 0.4–1.1 em to spare in samples/pdf)."""


def _first_phrase(chars: Sequence[Char]) -> list[Char]:
    """The chars of a line up to its first space that a line may break at. A space next to
    punctuation does not count: line breakers keep '"สอบถามเรา" (กล่อง' and '( www' whole."""
    head: list[Char] = []
    texts = [str(c["text"]) for c in chars]
    for index, (char, text) in enumerate(zip(chars, texts, strict=True)):
        if not text.isspace():  # a glyph with no text ("") is ink all the same
            head.append(char)
            continue
        if not head:
            continue
        after = next((t for t in texts[index + 1 :] if t and not t.isspace()), "")
        before = next((t for t in reversed(texts[:index]) if t and not t.isspace()), "")
        if not (_is_punctuation(before[-1:]) or _is_punctuation(after[:1])):
            break
    return head


def _is_punctuation(ch: str) -> bool:
    return bool(ch) and unicodedata.category(ch)[0] in "PS"
