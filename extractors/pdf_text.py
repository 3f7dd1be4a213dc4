"""The text layer of a PDF in reading order, with Thai repaired: a Thai-correct pdftotext.

Per page: chars recovered from the PDF itself (``extractors.pdf_glyphs``), grouped into
clusters (a base glyph and the marks drawn after it, in content-stream order), clusters into
visual lines, and each line's text repaired by ``extractors.thai.repair.repair_thai``.

Clusters are why this is not pdfplumber's ``extract_text``: it sorts glyphs by x, and Word and
PowerPoint place a zero-width Thai mark at or past the right edge of its base, so an x-sort
puts the mark after the next letter ("วสิ ยั ทศั น์" for วิสัยทัศน์) and a zero-width mark
leaves a false gap. The stream order of a base and its marks is the logical order in every
producer seen. Thai has no spaces between words, so none is put between glyphs that touch;
a visible gap (more than ``GAP_EM`` of the font size) becomes one space.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any

from pdfplumber.pdf import PDF

from extractors.pdf_decipher import GlyphDecision, has_placeholder, is_mark_placeholder
from extractors.pdf_glyphs import Char, GlyphRecovery, base_font_name
from extractors.pdfdoc import open_pdf, page_error, require_text_layer
from extractors.pdfguard import guarded
from extractors.thai.repair import repair_thai

_SPACES = re.compile(" {2,}")
GAP_EM = 0.12
"""A horizontal gap wider than this share of the font size is a space."""
LINE_EM = 0.4
"""Clusters whose vertical middles differ by less than this share of the size share a line."""
DUPLICATE_PT = 1.0
"""The same glyph drawn again within this distance is Word's fake bold, not more text."""


@dataclass(frozen=True)
class Line:
    """One visual line: its repaired ``text``, the ``raw`` text pdfminer gave for the same
    glyphs, its box, its dominant font and the chars it was built from."""

    text: str
    raw: str
    x0: float
    x1: float
    top: float
    bottom: float
    fontname: str
    bold: bool
    size: float
    chars: tuple[Char, ...] = field(repr=False)
    repairs: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class PageText:
    number: int
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class DocumentText:
    """A document's repaired text layer and what was repaired (glyph- and string-level) or
    left unrecovered, by name; ``pages_without_text`` need OCR."""

    pages: tuple[PageText, ...]
    repairs: Counter[str]
    pages_without_text: tuple[int, ...]
    glyph_decisions: tuple[GlyphDecision, ...] = ()
    """How each glyph with no usable text was read from the document's words, or why not."""

    @property
    def text(self) -> str:
        return "".join(f"{page.text}\n\f" if page.lines else "\f" for page in self.pages)


@lru_cache(maxsize=4096)
def _is_mark(text: str) -> bool:
    return bool(text) and (
        unicodedata.category(text[0]) in ("Mn", "Me") or is_mark_placeholder(text)
    )


class _Cluster:
    """A base glyph and the marks drawn on it, with the base's geometry unpacked."""

    __slots__ = ("base", "bottom", "members", "mid", "order", "size", "top", "x0", "x1")

    def __init__(self, order: int, base: Char) -> None:
        self.order = order
        self.base = base
        self.members = [base]
        self.x0, self.x1 = float(base["x0"]), float(base["x1"])
        self.top, self.bottom = float(base["top"]), float(base["bottom"])
        self.mid = (self.top + self.bottom) / 2
        self.size = float(base.get("size") or 1.0)

    def text(self, key: str) -> str:
        if len(self.members) == 1:
            return str(self.base.get(key, self.base["text"]))
        return "".join(str(c.get(key, c["text"])) for c in self.members)


def without_duplicates(chars: Iterable[Char]) -> list[Char]:
    """Chars minus a glyph drawn again at (almost) the same place: Word's fake bold.

    Glyphs are bucketed by text and rounded position, so each is compared only with the
    few drawn in the same or a neighbouring point (this runs on every char of every page):
    first by text and line, then, on a line where the same text was drawn, by x."""
    seen: dict[tuple[str, int], dict[int, list[tuple[float, float]]]] = {}
    kept = []
    near = DUPLICATE_PT
    for char in chars:
        text = char["text"]
        x0, top = char["x0"], char["top"]
        x, y = round(x0), round(top)
        if text.strip():
            duplicate = False
            for dy in (-1, 0, 1):
                by_x = seen.get((text, y + dy))
                if by_x:
                    for dx in (-1, 0, 1):
                        for ox, oy in by_x.get(x + dx, ()):
                            if -near < ox - x0 < near and -near < oy - top < near:
                                duplicate = True
            if duplicate:
                continue
        seen.setdefault((text, y), {}).setdefault(x, []).append((x0, top))
        kept.append(char)
    return kept


def _clusters(chars: Sequence[Char]) -> list[_Cluster]:
    """A base glyph and the marks (and emptied /ActualText members) that follow it in the
    content stream and sit on or next to it."""
    clusters: list[_Cluster] = []
    last: _Cluster | None = None
    for char in chars:
        text = char["text"]
        if last is not None and (not text or _is_mark(text)):
            mid = (char["top"] + char["bottom"]) / 2
            if (
                abs(char["x0"] - last.x1) <= last.size
                and abs(mid - last.mid) <= LINE_EM * last.size
            ):
                last.members.append(char)
                last.x1 = max(last.x1, char["x1"])
                continue
        last = _Cluster(len(clusters), char)
        clusters.append(last)
    return clusters


def _rows(clusters: list[_Cluster]) -> list[list[_Cluster]]:
    """Clusters grouped into visual lines, top to bottom."""
    rows: list[list[_Cluster]] = []
    means: list[float] = []
    for cluster in sorted(clusters, key=attrgetter("mid")):
        if rows and abs(cluster.mid - means[-1]) <= LINE_EM * cluster.size:
            rows[-1].append(cluster)
            means[-1] += (cluster.mid - means[-1]) / len(rows[-1])
        else:
            rows.append([cluster])
            means.append(cluster.mid)
    return rows


def _join(row: list[_Cluster]) -> tuple[str, str]:
    """The row's raw and recovered texts: cluster texts left to right, one space where the
    page shows a gap (measured once for both)."""
    raws: list[str] = []
    texts: list[str] = []
    previous: _Cluster | None = None
    for cluster in row:
        if len(cluster.members) == 1:
            base = cluster.base
            raw = str(base["raw_text"] if "raw_text" in base else base["text"])
            text = str(base["text"])
        else:
            raw, text = cluster.text("raw_text"), cluster.text("text")
        if previous is not None:
            size = previous.size if previous.size < cluster.size else cluster.size
            if cluster.x0 - previous.x1 > GAP_EM * size:
                if not raws[-1].endswith(" ") and not raw.startswith(" "):
                    raws.append(" ")
                if not texts[-1].endswith(" ") and not text.startswith(" "):
                    texts.append(" ")
        raws.append(raw)
        texts.append(text)
        previous = cluster
    return _single_spaced("".join(raws)), _single_spaced("".join(texts))


def _single_spaced(joined: str) -> str:
    return _SPACES.sub(" ", joined) if "  " in joined else joined


def _line(row: list[_Cluster], repair: bool) -> Line:
    row.sort(key=_reading_order)
    chars: list[Char] = []
    fonts: dict[str, int] = {}
    for cluster in row:
        for c in cluster.members:
            c = c.get("page_char", c)
            chars.append(c)
            if c["text"]:
                font = str(c.get("fontname", ""))
                fonts[font] = fonts.get(font, 0) + 1
    raw, text = _join(row)
    raw, text = raw.strip(), text.strip()
    counts: Counter[str] = Counter()
    if repair and not has_placeholder(text):
        text, counts = repair_thai(text)
    # the first of the most frequent, as Counter.most_common(1) picks it
    fontname = base_font_name(max(fonts.items(), key=_count)[0]) if fonts else ""
    bases = [c.base.get("page_char", c.base) for c in row]
    # each cluster's size rounded: counted by exact size first (a line has one or two), in
    # the order each rounded size first appears, as rounding every cluster would count them
    sizes: dict[float, int] = {}
    for exact, n in Counter(map(_size, row)).items():
        size = round(exact, 1)
        sizes[size] = sizes.get(size, 0) + n
    return Line(
        text=text,
        raw=raw,
        x0=float(min(map(_x0, bases))),
        x1=float(max(map(_x1, bases))),
        top=float(min(map(_top, bases))),
        bottom=float(max(map(_bottom, bases))),
        fontname=fontname,
        bold="bold" in fontname.lower(),
        size=max(sizes.items(), key=_count)[0],
        chars=tuple(chars),
        repairs=tuple(sorted(counts.items())),
    )


_size = attrgetter("size")
_x0, _x1, _top, _bottom = (itemgetter(key) for key in ("x0", "x1", "top", "bottom"))


def _reading_order(cluster: _Cluster) -> tuple[float, int]:
    return cluster.x0, cluster.order


def _count(item: tuple[Any, int]) -> int:
    return item[1]


def _orientation(char: Char) -> int:
    """The text direction in degrees (0, 90, 180, 270) from the glyph's matrix; pdfminer's
    ``upright`` calls some rotated text upright when the matrix has rounding noise."""
    a, b = (char.get("matrix") or (1.0, 0.0))[:2]
    if b == 0 and a > 0:
        return 0  # upright text, nearly every char: no trigonometry
    return round(math.degrees(math.atan2(b, a)) / 90) % 4 * 90


def _turned(char: Char, orientation: int) -> Char:
    """The char with its box turned so that its text runs left to right, top down."""
    x0, x1 = float(char["x0"]), float(char["x1"])
    y0, y1 = float(char["y0"]), float(char["y1"])
    if orientation == 90:
        box = (y0, y1, x0, x1)
    elif orientation == 180:
        box = (-x1, -x0, y0, y1)
    else:
        box = (-y1, -y0, -x1, -x0)
    return dict(
        char, x0=box[0], x1=box[1], top=box[2], bottom=box[3], size=box[3] - box[2], page_char=char
    )


def lines_from_chars(
    chars: Sequence[Char], *, repair: bool = True, deduplicated: bool = False
) -> list[Line]:
    """Visual lines of some chars (a page, or the chars inside one table cell): horizontal
    lines top to bottom, then any rotated text; each line's text is repaired
    (``repair=False`` keeps the recovered glyph text as it is). ``deduplicated`` says the
    caller already dropped Word's fake-bold redraws (``without_duplicates``)."""
    upright: list[Char] = []
    by_orientation: dict[int, list[Char]] = {0: upright}
    for char in chars:
        matrix = char.get("matrix")
        if matrix and matrix[1] == 0 and matrix[0] > 0:  # _orientation's 0, the usual case
            upright.append(char)
            continue
        orientation = _orientation(char)
        turned = char if orientation == 0 else _turned(char, orientation)
        by_orientation.setdefault(orientation, []).append(turned)
    if not upright:
        del by_orientation[0]
    lines = []
    for orientation in sorted(by_orientation):
        group = by_orientation[orientation]
        rows = _rows(_clusters(group if deduplicated else without_duplicates(group)))
        lines += [
            _line(row, repair) for row in rows if any(str(c.base["text"]).strip() for c in row)
        ]
    return lines


def read_document_text(
    data: bytes, *, password: str | None = None, read_glyphs: bool = True
) -> DocumentText:
    """Every page's lines, repaired; raises an ``InputError`` for a file that is not a
    readable PDF or has no text layer at all (``ScannedDocumentError`` says which pages).

    Glyphs with no usable text are read from the document's words once every page is seen
    (``extractors.pdf_decipher``); when one that had a character turns out to be another,
    the pages are read a second time with the readings applied. ``read_glyphs=False``
    leaves them as the PDF gives them."""
    with guarded(), open_pdf(data, password) as pdf:
        recovery = GlyphRecovery(pdf, read_glyphs=read_glyphs)
        pages, missing = _read_pages(pdf, recovery)
        require_text_layer(pdf, missing)
        if recovery.decide():
            if recovery.key.reread:
                recovery = GlyphRecovery(pdf, key=recovery.key)
                pages, missing = _read_pages(pdf, recovery)
            else:
                pages = [deciphered_page(page_text, recovery) for page_text in pages]
        repairs = Counter(recovery.counts)
        for page_text in pages:
            for line in page_text.lines:
                repairs.update(dict(line.repairs))
    return DocumentText(tuple(pages), repairs, tuple(missing), recovery.key.decisions)


def _read_pages(pdf: PDF, recovery: GlyphRecovery) -> tuple[list[PageText], list[int]]:
    """Each page's lines, and the pages with no text."""
    pages: list[PageText] = []
    missing: list[int] = []
    for page in pdf.pages:
        try:
            chars, _ = recovery.recover_chars(page)
        except MemoryError:
            raise  # the worker's memory limit, not a broken page
        except Exception as error:
            raise page_error(page.page_number, error) from None
        if not any(str(c["text"]).strip() for c in chars):
            missing.append(page.page_number)
        pages.append(PageText(page.page_number, tuple(lines_from_chars(chars))))
        page.close()
    return pages, missing


def deciphered_page(page: PageText, recovery: GlyphRecovery) -> PageText:
    """The page's lines with the glyphs held in doubt read (``extractors.pdf_decipher``)."""
    lines = []
    for line in page.lines:
        if has_placeholder(line.text):
            text, counts = recovery.key.apply(line.text)
            line = replace(line, text=text, repairs=tuple(sorted(counts.items())))
        lines.append(line)
    return PageText(page.number, tuple(lines))


def document_text(data: bytes, *, password: str | None = None, raw: bool = False) -> str:
    """The text layer in reading order, pages ended by a form feed like pdftotext;
    ``raw=True`` gives pdfplumber's own ``extract_text``, unrepaired."""
    if raw:
        with guarded(), open_pdf(data, password) as pdf:
            return "".join(f"{page.extract_text()}\n\f" for page in pdf.pages)
    return read_document_text(data, password=password).text
