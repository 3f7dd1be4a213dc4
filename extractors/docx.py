"""Word (.docx) reports: the body's tables as rows of cells of paragraphs, as Word shows them.

A .docx carries what a PDF of it has to reconstruct: the cells, the merged cells (``gridSpan``
across, ``vMerge`` down), list paragraphs (``numPr`` pointing into numbering.xml) and the text
as typed. python-docx opens the package; its XML is walked directly (lxml), since python-docx
does not expose list labels, merged cells as a grid, or nested content controls.

What the reader hands over, as the HTML reader does for the same report:

- merged cells expanded as HTML rowspan/colspan are: a cell merged down is repeated in the
  rows below marked ``spanned``; a cell merged across fills its first column;
- a list paragraph is an ``item`` block whose text starts with the label Word draws for it
  ("-", "•", "๑.", "1)"), computed from its numbering definition and the count so far;
- a manual line break (``w:br``) starts a new block, as ``<br>`` does;
- a paragraph set entirely in bold or underline is emphasised (a heading candidate);
- a table nested in a cell gives its cells' paragraphs in reading order;
- the paragraphs above a table are its title block; text boxes, headers, footers, footnotes,
  deleted revisions and field instructions are not report text and are left out.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from extractors.model import Block, Cell, RawDocument, RawTable, Row, squash
from extractors.ooxml import checked_package, corrupt_error
from schemas.errors import NoReportTableError, UnsupportedFormatError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BREAK = "\n"
_FALSE = frozenset({"0", "false", "off"})
# Elements whose children are more of the paragraph's runs (links, revisions kept, content
# controls, fields shown by their result).
_RUN_CONTAINERS = frozenset(
    W + tag
    for tag in ("hyperlink", "smartTag", "ins", "customXml", "fldSimple", "moveTo", "dir", "bdo")
)
_BLOCK_CONTAINERS = frozenset({W + "sdt", W + "sdtContent", W + "customXml"})
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_THAI_LETTERS = "กขคงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ"
_ROMAN: tuple[tuple[int, str], ...] = (
    *((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l")),
    *((40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")),
)
_LEVELS = 9


def read_docx(data: bytes) -> RawDocument:
    """The report tables of a Word document, each with the paragraphs printed above it."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    checked_package(data, "docx").close()
    try:
        document = docx.Document(io.BytesIO(data))
    except ValueError as error:
        # python-docx opens .docx only: a macro-enabled document or a template says so here
        raise UnsupportedFormatError(
            f"not a supported format: a Word file python-docx cannot open ({error}); "
            "save it as a .docx document"
        ) from error
    except (
        PackageNotFoundError,
        KeyError,
        zipfile.BadZipFile,
        etree.XMLSyntaxError,
        EOFError,
        zlib.error,  # compressed data that cannot be inflated, before its checksum is compared
    ) as error:
        raise corrupt_error("docx", error) from error
    part = document.part
    try:
        numbering_xml = part.numbering_part.element
    except (KeyError, NotImplementedError):
        numbering_xml = None
    reader = _Reader(_Styles(document.styles.element), _Numbering(numbering_xml))
    tables = reader.body(document.element.body)
    if not tables:
        raise NoReportTableError(
            "the Word document has no table (a report's measures are read from a table; "
            "this looks like a letter or a form)"
        )
    if not tables[0].preceding_lines and document.core_properties.title:
        # No text above the table: the document's title property is the only title there is.
        first = tables[0]
        tables[0] = RawTable(first.rows, (squash(document.core_properties.title),))
    return RawDocument("docx", tuple(tables), pages=None)


def _on(element: etree._Element | None) -> bool | None:
    """A toggle property's value (``<w:b/>``, ``<w:b w:val="0"/>``), or None when unset."""
    if element is None:
        return None
    if element.tag == W + "u":
        return (element.get(W + "val") or "single") != "none"
    return (element.get(W + "val") or "true").lower() not in _FALSE


class _Styles:
    """Bold and underline as Word resolves them: the run's own, its character style's, its
    paragraph style's (each through ``basedOn``), then the document defaults."""

    def __init__(self, styles: etree._Element) -> None:
        self.by_id = {s.get(W + "styleId"): s for s in styles.iter(W + "style")}
        self.default_paragraph = next(
            (
                s.get(W + "styleId")
                for s in styles.iter(W + "style")
                if s.get(W + "type") == "paragraph"
                and (s.get(W + "default") or "") in ("1", "true")
            ),
            None,
        )
        self.defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")

    def chain(self, style_id: str | None) -> Iterator[etree._Element]:
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self.by_id:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            based = style.find(W + "basedOn")
            style_id = based.get(W + "val") if based is not None else None

    def paragraph_style(self, p: etree._Element) -> str | None:
        pstyle = p.find(f"{W}pPr/{W}pStyle")
        return pstyle.get(W + "val") if pstyle is not None else self.default_paragraph

    def emphasised(self, run: etree._Element, paragraph_style: str | None) -> bool:
        rpr = run.find(W + "rPr")
        levels: list[etree._Element | None] = [rpr]
        rstyle = rpr.find(W + "rStyle") if rpr is not None else None
        if rstyle is not None:
            levels += [s.find(W + "rPr") for s in self.chain(rstyle.get(W + "val"))]
        levels += [s.find(W + "rPr") for s in self.chain(paragraph_style)]
        levels.append(self.defaults)
        return self._first(levels, ("b", "bCs")) or self._first(levels, ("u",))

    @staticmethod
    def _first(levels: list[etree._Element | None], tags: tuple[str, ...]) -> bool:
        for rpr in levels:
            if rpr is None:
                continue
            values = [_on(rpr.find(W + tag)) for tag in tags]
            if any(v is not None for v in values):
                return any(bool(v) for v in values)
        return False

    def numbering(self, p: etree._Element, paragraph_style: str | None) -> tuple[str, int] | None:
        """The paragraph's list (numId) and level, its own or its paragraph style's."""
        own = p.find(f"{W}pPr/{W}numPr")
        sources = [own] + [s.find(f"{W}pPr/{W}numPr") for s in self.chain(paragraph_style)]
        num_id: str | None = None
        level: int | None = None
        for numpr in sources:
            if numpr is None:
                continue
            nid = numpr.find(W + "numId")
            ilvl = numpr.find(W + "ilvl")
            if num_id is None and nid is not None:
                num_id = nid.get(W + "val")
            if level is None and ilvl is not None:
                level = _int(ilvl.get(W + "val"), 0)
        if not num_id or num_id == "0":
            return None
        return num_id, min(max(level or 0, 0), _LEVELS - 1)


@dataclass(frozen=True)
class _Level:
    fmt: str
    text: str
    start: int
    legal: bool
    restart_after: int | None


def _levels(parent: etree._Element) -> dict[int, _Level]:
    out: dict[int, _Level] = {}
    for lvl in parent.iter(W + "lvl"):
        ilvl = _int(lvl.get(W + "ilvl"), 0)
        fmt = lvl.find(W + "numFmt")
        text = lvl.find(W + "lvlText")
        start = lvl.find(W + "start")
        restart = lvl.find(W + "lvlRestart")
        out[ilvl] = _Level(
            (fmt.get(W + "val") if fmt is not None else None) or "decimal",
            (text.get(W + "val") if text is not None else None) or "",
            _int(start.get(W + "val") if start is not None else None, 1),
            _on(lvl.find(W + "isLgl")) or False,
            _int(restart.get(W + "val"), 1) if restart is not None else None,
        )
    return out


@dataclass
class _Numbering:
    """List labels as Word counts them: one counter per abstract list, shared by the lists
    (``w:num``) that point to it; a list with a ``startOverride`` restarts it where it is
    first used, as Word's "restart numbering" writes it."""

    xml: etree._Element | None
    abstracts: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = field(default_factory=dict)
    counts: dict[str, list[int | None]] = field(default_factory=dict)
    used: set[tuple[str, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.xml is None:
            return
        for abstract in self.xml.iter(W + "abstractNum"):
            self.abstracts[abstract.get(W + "abstractNumId") or ""] = _levels(abstract)
        for num in self.xml.iter(W + "num"):
            ref = num.find(W + "abstractNumId")
            starts: dict[int, int] = {}
            levels: dict[int, _Level] = {}
            for override in num.iter(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl"), 0)
                start = override.find(W + "startOverride")
                if start is not None:
                    starts[ilvl] = _int(start.get(W + "val"), 1)
                levels.update(_levels(override))
            abstract_id = (ref.get(W + "val") if ref is not None else None) or ""
            self.nums[num.get(W + "numId") or ""] = (abstract_id, starts, levels)

    def label(self, num_id: str, ilvl: int) -> tuple[str, int | None] | None:
        """The label Word draws before the paragraph, and its number (None for a bullet)."""
        if num_id not in self.nums:
            return None
        abstract_id, starts, overrides = self.nums[num_id]
        levels = {**self.abstracts.get(abstract_id, {}), **overrides}
        level = levels.get(ilvl)
        if level is None:
            return None
        counts = self.counts.setdefault(abstract_id, [None] * _LEVELS)
        if (num_id, ilvl) not in self.used:
            self.used.add((num_id, ilvl))
            if ilvl in starts:
                counts[ilvl] = None
        current = counts[ilvl]
        counts[ilvl] = starts.get(ilvl, level.start) if current is None else current + 1
        for deeper in range(ilvl + 1, _LEVELS):
            below = levels.get(deeper)
            if below is None or below.restart_after != 0:
                counts[deeper] = None
        if level.fmt == "bullet":
            return _bullet(level.text), None
        text = level.text
        for index in range(_LEVELS - 1, -1, -1):
            token = f"%{index + 1}"
            if token in text:
                other = levels.get(index, level)
                value = counts[index] if counts[index] is not None else other.start
                fmt = "decimal" if level.legal and index != ilvl else other.fmt
                text = text.replace(token, _format_number(value or 0, fmt))
        return text.strip(), counts[ilvl]


def _bullet(text: str) -> str:
    """A bullet level's glyph; a letter (Courier's "o", Wingdings' "§") drawn as a bullet by
    a symbol font reads as "•"."""
    glyph = text.strip()
    if not glyph or any(unicodedata.category(ch)[0] in "LN" for ch in glyph):
        return "•"
    return glyph


def _format_number(value: int, fmt: str) -> str:
    if fmt == "none":
        return ""
    if fmt == "thaiNumbers":
        return str(value).translate(_THAI_DIGITS)
    if fmt == "thaiLetters" and value > 0:
        return _THAI_LETTERS[(value - 1) % len(_THAI_LETTERS)]
    if fmt in ("lowerLetter", "upperLetter") and value > 0:
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and value > 0:
        roman, rest = "", value
        for amount, numeral in _ROMAN:
            while rest >= amount:
                roman, rest = roman + numeral, rest - amount
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


@dataclass
class _Reader:
    styles: _Styles
    numbering: _Numbering

    def body(self, body: etree._Element) -> list[RawTable]:
        """Top-level tables in order, each with the paragraphs' lines before it."""
        tables: list[RawTable] = []
        lines: list[str] = []
        for element in _flatten(body):
            if element.tag == W + "p":
                lines.extend(b.text for b in self.paragraph(element))
            elif element.tag == W + "tbl":
                tables.append(RawTable(tuple(self.table(element)), tuple(lines)))
                lines = []
        return tables

    def table(self, tbl: etree._Element) -> list[Row]:
        """Rows with merged cells expanded to a rectangular grid (as htmltable does for
        rowspan and colspan)."""
        merged_down: dict[int, Cell] = {}
        grid: list[dict[int, Cell]] = []
        for tr in _children(tbl, "tr"):
            out: dict[int, Cell] = {}
            before = tr.find(f"{W}trPr/{W}gridBefore")
            col = _int(before.get(W + "val"), 0) if before is not None else 0
            for tc in _children(tr, "tc"):
                tcpr = tc.find(W + "tcPr")
                span_el = tcpr.find(W + "gridSpan") if tcpr is not None else None
                span = (
                    min(max(_int(span_el.get(W + "val"), 1), 1), 1000) if span_el is not None else 1
                )
                vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
                if vmerge is not None and (vmerge.get(W + "val") or "continue") == "continue":
                    above = merged_down.get(col)
                    cell = Cell(above.blocks, spanned=True) if above is not None else Cell()
                else:
                    cell = Cell(tuple(self.cell_blocks(tc)))
                    if vmerge is not None:
                        merged_down[col] = cell
                    else:
                        merged_down.pop(col, None)
                out[col] = cell
                for offset in range(1, span):
                    out[col + offset] = Cell()
                    merged_down.pop(col + offset, None)
                col += span
            grid.append(out)
        width = max((max(r) + 1 for r in grid if r), default=0)
        return [
            Row(tuple(r.get(i, Cell()) for i in range(width)))
            for r in grid
            if any(not c.is_empty for c in r.values())
        ]

    def cell_blocks(self, container: etree._Element) -> Iterator[Block]:
        for element in _flatten(container):
            if element.tag == W + "p":
                yield from self.paragraph(element)
            elif element.tag == W + "tbl":
                for row in self.table(element):
                    for cell in row.cells:
                        if not cell.spanned:
                            yield from cell.blocks

    def paragraph(self, p: etree._Element) -> list[Block]:
        """A paragraph's blocks: one per manual line break, the list label before the first."""
        style = self.styles.paragraph_style(p)
        lines: list[list[tuple[str, bool]]] = [[]]
        for text, emphasis in self._runs(p, style):
            if text == _BREAK:
                lines.append([])
            else:
                lines[-1].append((text, emphasis))
        numbered = self.styles.numbering(p, style)
        label = self.numbering.label(*numbered) if numbered else None
        blocks: list[Block] = []
        for index, pieces in enumerate(lines):
            text = squash("".join(t for t, _ in pieces))
            if not text:
                continue
            emphasis = all(e for t, e in pieces if t.strip())
            if label is None:
                blocks.append(Block("para", text, emphasis))
            elif index == 0 or not blocks:
                prefix = f"{label[0]} " if label[0] else ""
                blocks.append(Block("item", prefix + text, emphasis, label[1]))
            else:
                blocks.append(Block("item", text, emphasis))
        return blocks

    def _runs(self, parent: etree._Element, style: str | None) -> Iterator[tuple[str, bool]]:
        """The paragraph's visible text, run by run, with a line break as ``_BREAK``."""
        for child in parent:
            tag = child.tag
            if tag == W + "r":
                emphasis = self.styles.emphasised(child, style)
                for piece in child:
                    text = _run_piece(piece)
                    if text:
                        yield text, emphasis
            elif tag in _RUN_CONTAINERS:
                yield from self._runs(child, style)
            elif tag == W + "sdt":
                content = child.find(W + "sdtContent")
                if content is not None:
                    yield from self._runs(content, style)


def _run_piece(piece: etree._Element) -> str:
    """What one child of a run shows. Drawings, VML (text boxes), deleted text and field
    instructions show no report text."""
    tag = piece.tag
    if tag == W + "t":
        return piece.text or ""
    if tag in (W + "tab", W + "ptab"):
        return "\t"
    if tag in (W + "br", W + "cr"):
        return _BREAK
    if tag == W + "noBreakHyphen":
        return "-"
    if tag == W + "sym":
        try:
            return chr(int(piece.get(W + "char") or "", 16))
        except ValueError:
            return ""
    return ""


def _flatten(parent: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables of a body or cell, through content controls and custom XML."""
    for child in parent:
        if child.tag in _BLOCK_CONTAINERS:
            yield from _flatten(child)
        elif child.tag in (W + "p", W + "tbl"):
            yield child


def _children(parent: etree._Element, name: str) -> Iterator[etree._Element]:
    """Rows of a table or cells of a row, also when a content control wraps them."""
    for child in parent:
        if child.tag == W + name:
            yield child
        elif child.tag in _BLOCK_CONTAINERS:
            yield from _children(child, name)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
