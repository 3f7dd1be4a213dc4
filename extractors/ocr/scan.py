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

from extractors.ocr.engine import OcrEngine, OcrPageError, OcrTimeoutError, OcrWord

if TYPE_CHECKING:
    from PIL.Image import Image

    from extractors.ocr.lines import TextLine

LAYOUT_VERSION = "13"
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
    """OCR one rendered page within ``timeout`` seconds. Raises ``OcrPageError`` for the
    page, a time-out named with the page's whole budget ("OCR timed out after 120 s")."""
    import numpy as np

    from extractors.ocr import image as imaging
    from extractors.ocr.lines import text_lines

    scale = dpi / 72
    deadline = time.monotonic() + timeout
    if engine.kind == "markdown":
        markdown = engine.markdown(image, timeout=timeout)
        return ScannedPage(width, height, scale, 0.0, markdown=markdown)
    image = imaging.cleaned(image)
    image = imaging.reverse_dark_fills(image, dpi)
    angle = imaging.skew_angle(image)
    image = imaging.rotate(image, angle)
    rules = imaging.find_rules(image, dpi)
    edges = tuple(
        (r.orientation, r.x0 / scale, r.top / scale, r.x1 / scale, r.bottom / scale) for r in rules
    )
    cells = table_cells(number, width, height, edge_dicts(edges, height))
    grey = np.array(imaging.erase_rules(image, rules, _RULE_ERASE_PX), dtype=np.uint8)
    ink = imaging.ink_mask(grey)
    under = imaging.underlines(image, rules, _RULE_ERASE_PX)
    lines: list[TextLine] = []
    for x0, top, x1, bottom in cells:
        box = (
            int(x0 * scale) + _CELL_INSET_PX,
            int(top * scale) + _CELL_INSET_PX,
            int(x1 * scale) - _CELL_INSET_PX,
            int(bottom * scale) - _CELL_INSET_PX,
        )
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        region = (slice(box[1], box[3]), slice(box[0], box[2]))
        lines += text_lines(
            grey[region], ink[region], whole_rows=True, origin=box[:2], under=under[region]
        )
        grey[region], ink[region] = 255, False
    lines += text_lines(grey, ink, whole_rows=False, under=under)
    try:
        words = _read_lines(engine, lines, deadline, timeout)
    except OcrTimeoutError:  # the engine was given what was left: the page had ``timeout``
        raise OcrPageError(f"OCR timed out after {timeout:g} s") from None
    return ScannedPage(width, height, scale, angle, edges, tuple(words))


_PICTURE_LETTERS = 2.4
_PICTURE_CONFIDENCE = 60.0
"""A "line" whose letters are 2.4 times the page's usual (a memo's heading is at most
about twice the body) and read at under 60 % confidence is a picture's pieces: dropped."""
_BOLD = 1.18
"""A line whose strokes, for its letters' height, are this much heavier than the page's
usual is bold (sample scans: bold headers 1.3–1.4 times the body's, in Laksaman and
Garuda alike). The borderless reader tells a header row from the body by it, as it does
by the font name in a text layer."""


_LINE_PAD_PX = 10
"""White border around a line image: Tesseract reads a glyph touching the edge badly."""


def _read_lines(
    engine: OcrEngine, lines: list[TextLine], deadline: float, timeout: float
) -> list[OcrWord]:
    """Each line OCR'd on its own (the engine's single-line mode) and its phrases (words
    the engine put no space between: Thai is written without spaces between words) placed
    on the page where their ink is; each line has a number of its own."""
    import statistics

    from PIL import Image as PILImage
    from PIL import ImageOps

    from extractors.ocr.cleanup import must_be_year
    from extractors.ocr.glyphs import read_digits
    from extractors.ocr.lines import phrase_spans

    by_width = [ln for ln in lines for _ in range(max(1, (ln.x1 - ln.x0) // 100))]
    usual = statistics.median([ln.weight for ln in by_width] or [0.0])
    letters = statistics.median([ln.core_bottom - ln.core_top for ln in by_width] or [0.0])
    out: list[OcrWord] = []
    for number, line in enumerate(lines):
        picture = ImageOps.expand(PILImage.fromarray(line.image), _LINE_PAD_PX, fill=255)
        found = engine.words(picture, block=True, timeout=_left(deadline, timeout))
        huge = line.core_bottom - line.core_top > _PICTURE_LETTERS * letters
        if huge and _confidence(found) < _PICTURE_CONFIDENCE:
            continue  # pieces of a picture (the Garuda emblem heading a memo) read as letters
        phrases = _phrases(found)
        guesses = [(w.box[0] - _LINE_PAD_PX, w.box[2] - _LINE_PAD_PX) for w in phrases]
        band = (line.x0, round(line.core_top), line.x1, round(line.core_bottom))
        bold = line.weight > _BOLD * usual
        for k, (phrase, (x0, x1)) in enumerate(
            zip(phrases, phrase_spans(line, guesses), strict=True)
        ):
            _, y0, _, y1 = phrase.box
            text = read_digits(phrase.text, line.image, x0, x1) or phrase.text
            again = ""
            if must_be_year([p.text for p in phrases[:k]], text):
                again = _read_digits(engine, line, x0, x1, _left(deadline, timeout))
            top = line.top - _LINE_PAD_PX
            out.append(
                OcrWord(
                    text,
                    phrase.confidence,
                    (line.x0 + x0, top + y0, line.x0 + x1, top + y1),
                    number,
                    band,
                    again=again,
                    bold=bold,
                    engine_text=phrase.text if text != phrase.text else "",
                )
            )
    return out


_DIGITS_SCALE = 2
"""A year is read again at twice the scale: the title fonts' Thai digits are small."""


def _confidence(words: list[OcrWord]) -> float:
    letters = sum(len(w.text) for w in words)
    return sum(len(w.text) * w.confidence for w in words) / letters if letters else 0.0


def _read_digits(engine: OcrEngine, line: TextLine, x0: int, x1: int, timeout: float) -> str:
    """The phrase at ``x0``–``x1`` of ``line`` read again with nothing but digits allowed,
    if the engine can (Tesseract can; an engine reading Markdown has no words to re-read)."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    digits = getattr(engine, "digits", None)
    if digits is None:
        return ""
    margin = _LINE_PAD_PX // 2
    crop = PILImage.fromarray(line.image[:, max(0, x0 - margin) : x1 + margin])
    crop = crop.resize(
        (crop.width * _DIGITS_SCALE, crop.height * _DIGITS_SCALE), PILImage.Resampling.LANCZOS
    )
    return " ".join(digits(ImageOps.expand(crop, _LINE_PAD_PX, fill=255), timeout=timeout))


def _left(deadline: float, timeout: float) -> float:
    """Seconds left of the page's budget; raises ``OcrPageError`` when none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise OcrPageError(f"OCR timed out after {timeout:g} s")
    return left


@dataclass
class PageWords:
    """Pseudo-chars for the table readers: one per OCR word, in points, with the cleaned
    text in ``text`` and what the engine read in ``raw_text``."""

    chars: list[dict[str, Any]] = field(default_factory=list)
    corrections: Counter[str] = field(default_factory=Counter)
    years: frozenset[int] = frozenset()
    """Years written on the page (and the pages before), evidence for the next pages."""


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


def _wrapped_terms(lines: list[list[OcrWord]], cleaned: list[list[list[Any]]]) -> None:
    """ITA terms wrapped in a narrow cell ("ผู้รับผิด" over "ชอบ") are checked across the
    wrap (``cleanup.fix_terms``): the last phrase of a line and the first of the line
    right under it, in the same column. A fix falls on one of the two phrases only."""
    from extractors.ocr.cleanup import fix_terms

    for i, upper in enumerate(lines):
        ux0, utop, ux1, ubottom = upper[0].line_box
        height = ubottom - utop
        for j, lower in enumerate(lines):
            lx0, ltop, lx1, _ = lower[0].line_box
            below = 0.5 * height < ltop - ubottom < 2.5 * height
            if not below or lx1 < ux0 or lx0 > ux1:
                continue
            head, tail = cleaned[i][-1], cleaned[j][0]
            joined = f"{head[0]}{tail[0]}"
            fixed = fix_terms(joined)
            if fixed is None:
                continue
            if fixed.startswith(head[0]):
                tail[0], tail[1] = fixed[len(head[0]) :], (*tail[1], "ocr_ita_term")
            elif fixed.endswith(tail[0]):
                head[0], head[1] = fixed[: len(fixed) - len(tail[0])], (*head[1], "ocr_ita_term")


_LETTER_PER_SIZE = 0.63
"""A Thai consonant's height over the font size (Garuda 11 pt and Laksaman 14 pt on the
sample scans: 6.8 and 9.0 pt letters); a word's size, and its box like a PDF glyph's
(0.8 of the size above the baseline, 0.2 below), come from its line's letter band."""


def page_chars(
    page: ScannedPage, clean: bool = True, years: frozenset[int] = frozenset()
) -> PageWords:
    """The page's words as chars the PDF table readers take, Thai clean-up applied per line
    (``extractors.ocr.cleanup``) with the years this page and ``years`` (earlier pages)
    write as evidence; each char says what was corrected in ``ocr_fixes``."""
    from extractors.ocr.cleanup import clean_line, page_years

    out = PageWords()
    by_line: dict[int, list[OcrWord]] = {}
    for word in page.words:
        by_line.setdefault(word.line, []).append(word)
    s = page.scale
    years = years | page_years([(w.text, w.confidence) for w in page.words])
    out.years = years
    lines = [_phrases(letters) for letters in by_line.values()]
    cleaned = [
        [list(c) for c in clean_line([(w.text, w.confidence, w.again) for w in words], years)]
        if clean
        else [[w.text, ()] for w in words]
        for words in lines
    ]
    if clean:
        _wrapped_terms(lines, cleaned)
    for words, fixed in zip(lines, cleaned, strict=True):
        texts = [str(text) for text, _ in fixed]
        for word, (_, kinds) in zip(words, fixed, strict=True):
            out.corrections.update(kinds)
            if word.engine_text:
                out.corrections["ocr_digit_shape"] += 1
        _, letter_top, _, baseline = words[0].line_box
        size = max(1.0, (baseline - letter_top) / s / _LETTER_PER_SIZE)
        top, bottom = baseline / s - 0.8 * size, baseline / s + 0.2 * size
        for index, (word, text) in enumerate(zip(words, texts, strict=True)):
            x0, _, x1, _ = word.box
            space = " " if index else ""
            out.chars.append(
                {
                    "text": space + text,
                    "raw_text": space + (word.engine_text or word.text),
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
                    "fontname": "OCR-Bold" if word.bold else "OCR",
                    "upright": True,
                    "matrix": (1.0, 0.0, 0.0, 1.0, x0 / s, page.height - bottom),
                    "ocr_confidence": word.confidence,
                    "ocr_fixes": ("ocr_digit_shape",) * bool(word.engine_text)
                    + tuple(fixed[index][1]),
                }
            )
    return out
