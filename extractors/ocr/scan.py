"""One page image to what the table readers need: words placed on the page, and the page's
table rules as pdfplumber edges.

The page is deskewed, its rules found (``image``); the ruled reader (``pdf_ruled``) finds
the cells from those rules exactly as it does from a PDF's drawn lines, and each cell is
cropped and OCR'd on its own, so its lines never mix with the next column's. The rest of
the page (title block, text between tables, a borderless table) is OCR'd with Tesseract's
layout analysis, and its word boxes go through the borderless reader as a PDF's words do.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extractors.ocr.engine import OcrEngine, OcrPageError, OcrWord

if TYPE_CHECKING:
    from PIL.Image import Image

LAYOUT_VERSION = "1"
"""How a page is cut for OCR; part of the cache key with the engine's identity."""
_CELL_INSET_PX = 3
"""Pixels trimmed inside a cell's rules before OCR (the rule's own ink)."""
_RULE_ERASE_PX = 3


@dataclass(frozen=True)
class ScannedPage:
    """A page as OCR read it: its size in points, the scale of the image (pixels per point),
    the rotation removed, the rules (pt) and words (px), or the engine's Markdown."""

    width: float
    height: float
    scale: float
    angle: float
    edges: tuple[tuple[str, float, float, float, float], ...] = ()
    words: tuple[OcrWord, ...] = ()
    markdown: str | None = None

    @property
    def confidence(self) -> float | None:
        """Mean word confidence (0–100), weighted by characters."""
        weights = [(len(w.text), w.confidence) for w in self.words if w.confidence >= 0]
        total = sum(n for n, _ in weights)
        return round(sum(n * c for n, c in weights) / total, 1) if total else None


def image_key(image: Image) -> str:
    """The page image's hash: what the cache is keyed by, with the engine."""
    digest = hashlib.sha256()
    digest.update(f"{image.mode} {image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


class ImagePage:
    """Enough of a pdfplumber page for the table readers: a number, a size, the rules as
    edges, and ``find_tables`` over them. The tables found are kept, so that their cells
    can be cropped and OCR'd."""

    def __init__(self, number: int, width: float, height: float, edges: list[dict[str, Any]]):
        self.page_number = number
        self.width = width
        self.height = height
        self.bbox = (0.0, 0.0, width, height)
        self.edges = edges
        self.found: list[Any] = []

    def find_tables(self, settings: dict[str, Any]) -> list[Any]:
        from pdfplumber.table import TableFinder, TableSettings

        self.found = TableFinder(self, TableSettings.resolve(settings)).tables  # type: ignore[arg-type]
        return self.found

    def close(self) -> None:
        pass


def edge_dicts(
    edges: tuple[tuple[str, float, float, float, float], ...], height: float
) -> list[dict[str, Any]]:
    out = []
    for orientation, x0, top, x1, bottom in edges:
        out.append(
            {
                "object_type": "line",
                "orientation": orientation,
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": bottom,
                "y0": height - bottom,
                "y1": height - top,
                "width": x1 - x0,
                "height": bottom - top,
                "doctop": top,
            }
        )
    return out


def table_cells(
    number: int, width: float, height: float, edges: list[dict[str, Any]]
) -> list[tuple[float, float, float, float]]:
    """The cells of the ruled tables the PDF reader would find on these rules."""
    from extractors.pdf_page import PageChars
    from extractors.pdf_ruled import ruled_tables

    page = ImagePage(number, width, height, edges)
    ruled_tables(PageChars(page, [], Counter()))
    return [cell for table in page.found for cell in table.cells]


def scan_page(
    engine: OcrEngine,
    image: Image,
    dpi: float,
    number: int,
    width: float,
    height: float,
    timeout: float,
) -> ScannedPage:
    """OCR one rendered page. Raises ``OcrPageError`` (time-out) for the page."""
    from extractors.ocr import image as imaging

    scale = dpi / 72
    deadline = time.monotonic() + timeout
    if engine.kind == "markdown":
        markdown = engine.markdown(image, timeout=timeout)
        return ScannedPage(width, height, scale, 0.0, markdown=markdown)
    image = imaging.cleaned(image)
    angle = imaging.skew_angle(image)
    image = imaging.rotate(image, angle)
    rules = imaging.find_rules(image, dpi)
    edges = tuple(
        (r.orientation, r.x0 / scale, r.top / scale, r.x1 / scale, r.bottom / scale) for r in rules
    )
    cells = table_cells(number, width, height, edge_dicts(edges, height))
    clean = imaging.erase_rules(image, rules, _RULE_ERASE_PX)
    words: list[OcrWord] = []
    line_offset = 0
    for x0, top, x1, bottom in cells:
        box = (
            int(x0 * scale) + _CELL_INSET_PX,
            int(top * scale) + _CELL_INSET_PX,
            int(x1 * scale) - _CELL_INSET_PX,
            int(bottom * scale) - _CELL_INSET_PX,
        )
        if not imaging.has_ink(clean, box):
            continue
        found = engine.words(clean.crop(box), block=True, timeout=_left(deadline, timeout))
        words += [_moved(w, box[0], box[1], line_offset) for w in found]
        line_offset += max((w.line for w in found), default=-1) + 1
    outside = _blank(clean, cells, scale)
    if imaging.has_ink(outside, (0, 0, outside.width, outside.height)):
        found = engine.words(outside, block=False, timeout=_left(deadline, timeout))
        words += [_moved(w, 0, 0, line_offset) for w in found]
    return ScannedPage(width, height, scale, angle, edges, tuple(words))


def _left(deadline: float, timeout: float) -> float:
    """Seconds left of the page's budget; raises ``OcrPageError`` when none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise OcrPageError(f"OCR timed out after {timeout:g} s")
    return left


def _moved(word: OcrWord, dx: int, dy: int, line_offset: int) -> OcrWord:
    x0, y0, x1, y1 = word.box
    l0, t0, l1, t1 = word.line_box
    return OcrWord(
        word.text,
        word.confidence,
        (x0 + dx, y0 + dy, x1 + dx, y1 + dy),
        word.line + line_offset,
        (l0 + dx, t0 + dy, l1 + dx, t1 + dy),
        word.space_before,
    )


def _blank(image: Image, cells: list[tuple[float, float, float, float]], scale: float) -> Image:
    """The page with its table cells painted white: what is left is read as page text."""
    from PIL import ImageDraw

    out = image.copy()
    draw = ImageDraw.Draw(out)
    for x0, top, x1, bottom in cells:
        draw.rectangle((x0 * scale, top * scale, x1 * scale, bottom * scale), fill=255)
    return out


@dataclass
class PageWords:
    """Pseudo-chars for the table readers: one per OCR word, in points, with the cleaned
    text in ``text`` and what the engine read in ``raw_text``."""

    chars: list[dict[str, Any]] = field(default_factory=list)
    corrections: Counter[str] = field(default_factory=Counter)


def _phrases(words: list[OcrWord]) -> list[OcrWord]:
    """The words of one line joined where the engine put no space between them (Thai is
    written without spaces between words): one box, the lowest confidence."""
    out: list[OcrWord] = []
    for word in words:
        if out and not word.space_before:
            last = out[-1]
            box = (
                min(last.box[0], word.box[0]),
                min(last.box[1], word.box[1]),
                max(last.box[2], word.box[2]),
                max(last.box[3], word.box[3]),
            )
            confidence = min(last.confidence, word.confidence)
            out[-1] = OcrWord(last.text + word.text, confidence, box, last.line, last.line_box)
        else:
            out.append(word)
    return out


_LINE_HEIGHT_PER_SIZE = 1.45
"""A Thai text line's box (upper marks to descenders) over its font size."""


def page_chars(page: ScannedPage, clean: bool = True) -> PageWords:
    """The page's words as chars the PDF table readers take, Thai clean-up applied per line
    (``extractors.ocr.cleanup``)."""
    from extractors.ocr.cleanup import clean_line

    out = PageWords()
    by_line: dict[int, list[OcrWord]] = {}
    for word in page.words:
        by_line.setdefault(word.line, []).append(word)
    s = page.scale
    for letters in by_line.values():
        words = _phrases(letters)
        texts, counts = (
            clean_line([(w.text, w.confidence) for w in words])
            if clean
            else (
                [w.text for w in words],
                Counter[str](),
            )
        )
        out.corrections.update(counts)
        _, line_top, _, line_bottom = words[0].line_box
        top, bottom = line_top / s, line_bottom / s
        size = max(1.0, (bottom - top) / _LINE_HEIGHT_PER_SIZE)
        for index, (word, text) in enumerate(zip(words, texts, strict=True)):
            x0, _, x1, _ = word.box
            space = " " if index else ""
            out.chars.append(
                {
                    "text": space + text,
                    "raw_text": space + word.text,
                    "x0": x0 / s,
                    "x1": x1 / s,
                    "top": top,
                    "bottom": bottom,
                    "y0": page.height - bottom,
                    "y1": page.height - top,
                    "doctop": top,
                    "width": (x1 - x0) / s,
                    "height": bottom - top,
                    "size": size,
                    "fontname": "OCR",
                    "upright": True,
                    "matrix": (1.0, 0.0, 0.0, 1.0, x0 / s, page.height - bottom),
                    "ocr_confidence": word.confidence,
                }
            )
    return out
