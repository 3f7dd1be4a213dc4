"""Splitting a cell into its items: one per bullet, number or paragraph, with its heading.

The same rules serve every format. A reader hands over blocks (``<li>`` items, paragraphs,
PDF lines); here PDF lines are joined back into paragraphs, emphasised short paragraphs become
headings, and a paragraph that runs several bullets or numbers inline ("- a - b", "๑. a ๒. b")
is cut at each one. Bullet marks and numbers are returned apart from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from etl.transform.normalise.abbreviations import table as abbreviation_table
from extractors.model import Block, Cell
from extractors.thai.chars import THAI_LETTER, is_thai_letter, to_arabic_digits
from schemas.framework import month_names

BULLETS = (
    "-–—•●○◦▪▫■□►▶➢➤✓✔❖◆◇⁃∙·*\uf0a7\uf0b7\uf0d8\uf0fc\uf076\uf0a8\uf06c\uf06e\uf075\uf0e0\uf0d2"
)
_BULLET = re.compile(rf"^\s*(?P<mark>[{re.escape(BULLETS)}])\s*")
# Item numbers: "1." "๑." "1)" "(1)" "1.1" — a number followed by a dot needs a space after it
# so that "2566" or "0803.4" inside text is never one.
_NUMBER = re.compile(
    r"^\s*(?P<mark>\((?P<p>[0-9๐-๙]{1,2})\)|(?P<n>[0-9๐-๙]{1,2})(?:\.(?P<sub>[0-9๐-๙]{1,2}))?[.)])(?=\s|$)\s*"
)
_HEADING_MAX = 80


@dataclass(frozen=True)
class Piece:
    """One item of a cell before normalisation."""

    heading: str | None
    marker: str | None
    text: str
    raw: str | None = None
    """The unrepaired text, when the reader repaired it and the piece is whole lines."""


def _one_marker(text: str) -> tuple[str | None, str]:
    for pattern in (_BULLET, _NUMBER):
        match = pattern.match(text)
        if match and text[match.end() :].strip():
            return match.group("mark"), text[match.end() :]
    return None, text


def leading_marker(text: str) -> tuple[str | None, str]:
    """Split a leading bullet or item number off a text. Word exports can put a list
    bullet glyph before a typed one ("\uf0a7 - ข้อความ"): both go, the last is kept."""
    marker, rest = _one_marker(text)
    while marker is not None:
        inner, after = _one_marker(rest)
        if inner is None:
            break
        marker, rest = inner, after
    return marker, rest


def _number_style(marker: str) -> tuple[str, int] | None:
    match = _NUMBER.match(marker + " ")
    if not match:
        return None
    if match.group("p"):
        return "()", int(to_arabic_digits(match.group("p")))
    if match.group("sub"):
        return None
    return marker[-1], int(to_arabic_digits(match.group("n")))


@cache
def _month_start() -> str:
    names = [n for _, full, abbr in month_names() for n in (full, abbr)]
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _split_bullets(mark: str, text: str) -> list[tuple[str, str]]:
    """Cut "- a - b" at each repeated bullet, but not inside a range ("5 - 10",
    "ต.ค. 65 - ก.ย. 66"): the bullet must not be followed by a number or a month."""
    between_words = re.compile(
        rf"\s+{re.escape(mark)}\s+(?![\s0-9๐-๙{re.escape(BULLETS)}]|{_month_start()})"
    )
    return [(mark, part) for part in between_words.split(text) if part.strip()]


def _split_numbers(style: str, first: int, marker: str, text: str) -> list[tuple[str, str]]:
    """Cut "๑. a ๒. b" at the following numbers in sequence, in the same style."""
    pieces: list[tuple[str, str]] = []
    current_marker, rest, expected = marker, text, first + 1
    while True:
        digits = f"(?:{expected}|{_thai(expected)})"
        if style == "()":
            pattern = rf"\s\((?P<n>{digits})\)\s"
        else:
            pattern = rf"\s(?P<n>{digits}){re.escape(style)}\s"
        match = re.search(pattern, rest)
        if not match:
            pieces.append((current_marker, rest))
            return pieces
        pieces.append((current_marker, rest[: match.start()]))
        current_marker = match.group(0).strip()
        rest = rest[match.end() :]
        expected += 1


def _thai(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))


def split_paragraph(text: str) -> list[tuple[str | None, str]]:
    """A paragraph as (marker, text) items."""
    marker, rest = leading_marker(text)
    if marker is None:
        return [(None, text.strip())] if text.strip() else []
    style = _number_style(marker)
    if style:
        pieces = _split_numbers(style[0], style[1], marker, rest)
    elif marker in BULLETS:
        pieces = _split_bullets(marker, rest)
    else:
        pieces = [(marker, rest)]
    return [(m, t.strip()) for m, t in pieces if t.strip()]


_URL_END = re.compile(r"[A-Za-z0-9./:_-]+$")
_URL_START = re.compile(r"^[A-Za-z0-9./_-]+")
_URL = re.compile(r"(https?://|www\.)\S*|\S+\.(go|or|ac|co|in)\.th\b", re.IGNORECASE)


def _breaks_a_url(before: str, after: str) -> bool:
    """Whether a line ends inside a URL that the next line finishes ("(ww" + "w.dla.go.th)"):
    such a break is joined without a space."""
    tail, head = _URL_END.search(before), _URL_START.match(after)
    if not (tail and head) or re.match(r"www\.|https?:", head.group(0), re.IGNORECASE):
        return False
    cut = len(tail.group(0))
    return any(m.start() < cut < m.end() for m in _URL.finditer(tail.group(0) + head.group(0)))


_STARTS_THAI_WORD = re.compile(f"^[{THAI_LETTER}]+(?![{THAI_LETTER}.])")


def _wrap_joiner(before: str, after: str) -> str:
    """What a line wrap stands for when two PDF lines of one paragraph are joined.

    Inside a URL, nothing. Between Thai letters, nothing either: producers wrap Thai between
    words, and most word boundaries carry no space (on samples/pdf, a space at every wrap
    made 2,262 spurious spaces; none between Thai letters loses 387 phrase spaces and adds
    40: benchmarks/wrap_spaces.py) — except before an abbreviation ("ของ | สด."), which
    stays a word of its own, as does one written without a dot ("ที่ | มท 0803.4/ว 16").
    Between two digits, nothing: that is a number cut where a narrow cell's line ran out
    (LibreOffice does it: "พฤศจิกายน 25 | 66"), while two numbers with only a space between
    them hardly occur in these reports. Elsewhere, a space."""
    if _breaks_a_url(before, after) or (before[-1:].isdigit() and after[:1].isdigit()):
        return ""
    word = _STARTS_THAI_WORD.match(after)
    if is_thai_letter(before[-1:]) and word and word.group(0) not in abbreviation_table():
        return ""
    return " "


def _paragraphs(blocks: tuple[Block, ...]) -> list[Block]:
    """PDF lines joined into paragraphs: a line that starts with a bullet or number, that
    follows or is an emphasised (heading) line, or that follows a typed line break starts a
    new paragraph."""
    out: list[Block] = []
    for block in blocks:
        if block.kind != "line":
            out.append(block)
            continue
        starts_new = (
            not out
            or out[-1].kind != "line"
            or block.emphasis != out[-1].emphasis
            or block.after_break
            or leading_marker(block.text)[0] is not None
        )
        if starts_new:
            out.append(block)
        else:
            prev = out[-1]
            sep = _wrap_joiner(prev.text, block.text)
            raw = f"{prev.raw or prev.text}{sep}{block.raw or block.text}"
            out[-1] = Block("line", f"{prev.text}{sep}{block.text}", prev.emphasis, raw=raw)
    return out


def _is_heading(block: Block, following: list[Block]) -> bool:
    text = block.text.strip()
    if block.kind == "item" or len(text) > _HEADING_MAX or leading_marker(text)[0] is not None:
        return False
    later = [b for b in following if b.text.strip()]
    if not later:
        return False
    if block.emphasis:
        return any(not b.emphasis for b in later)
    return text.endswith(":") and later[0].kind == "item"


def split_cell(cell: Cell) -> list[Piece]:
    """The items of one cell, each under the heading that precedes it in the cell."""
    paragraphs = _paragraphs(cell.blocks)
    heading: str | None = None
    pieces: list[Piece] = []
    for index, block in enumerate(paragraphs):
        if _is_heading(block, paragraphs[index + 1 :]):
            heading = block.text.strip().rstrip(":").strip()
            continue
        parts = split_paragraph(block.text)
        if block.ordered_index is not None and parts and parts[0][0] is None:
            parts[0] = (f"{block.ordered_index}.", parts[0][1])
        raw = leading_marker(block.raw)[1].strip() if block.raw and len(parts) == 1 else None
        pieces.extend(Piece(heading, m, t, raw) for m, t in parts if t)
    return pieces
