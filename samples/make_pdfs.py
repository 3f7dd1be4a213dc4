"""Render the HTML sample reports as PDFs the way real agencies make them, for the PDF reader.

Real ITA reports are Word or browser exports in Thai fonts, and each producer damages the text
layer in its own way (split sara am, marks out of order, unmapped glyphs, PUA bullets). The
tests need such PDFs whose true text is known, without fonts or producers installed, so this
script is run by hand and its output is committed:

    .venv/bin/python samples/make_pdfs.py

It reads every source in ``PLAN``, renders it with WeasyPrint (HTML + CSS), LibreOffice (a
python-docx Word file converted headless) and ReportLab (platypus), in fonts from Debian's
fonts-thai-tlwg, ruled or borderless, portrait or landscape, then measures each PDF with
pdfplumber (pages, pages showing the header row, rows broken across pages) and writes
``samples/pdf/MANIFEST.tsv``. The text is never changed: every run of characters in a PDF is a
run of the source, whitespace collapsed as a browser does; only line breaks are the producer's.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import importlib
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

try:
    import pdfplumber
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag

    from extractors.decode import declared_charset, decode_text
    from extractors.markdown import to_html as markdown_to_html
except ImportError as missing:  # pragma: no cover - run by hand
    sys.exit(f"make_pdfs: {missing.name} is missing: run it with the project's .venv/bin/python")

os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
OUT = HERE / "pdf"
MANIFEST = OUT / "MANIFEST.tsv"
FONT_DIR = Path("/usr/share/fonts/truetype/tlwg")
# A fixed moment for every date a producer writes, so that re-running does not churn the files.
FIXED_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
AUTHOR = "ita-etl samples"
# fontTools (WeasyPrint's font subsetter) stamps each subset font with the current time unless
# SOURCE_DATE_EPOCH says otherwise.
os.environ["SOURCE_DATE_EPOCH"] = str(int(FIXED_DATE.timestamp()))

Producer = Literal["weasyprint", "libreoffice", "reportlab"]
Layout = Literal["ruled", "borderless"]
Orientation = Literal["portrait", "landscape"]
# How list items get their marker: "source" keeps the source's (typed "- " text, or the HTML
# list's own bullet); "word-symbol"/"word-wingdings" make every <li> a Word bullet paragraph
# whose glyph is in Symbol (U+F0B7) or Wingdings (U+F0A7), as most real Word reports have.
Markers = Literal["source", "word-symbol", "word-wingdings"]


@dataclass(frozen=True)
class Variant:
    producer: Producer
    font: str
    layout: Layout
    orientation: Orientation
    markers: Markers = "source"


# What to render. A new source needs one line here; STANDARD covers the three producers, five
# fonts, ruled and borderless, portrait and landscape.
STANDARD: tuple[Variant, ...] = (
    Variant("weasyprint", "Loma", "ruled", "portrait"),
    Variant("weasyprint", "Laksaman", "borderless", "landscape"),
    Variant("libreoffice", "Garuda", "ruled", "landscape"),
    Variant("libreoffice", "Laksaman", "borderless", "portrait"),
    Variant("reportlab", "Norasi", "ruled", "portrait"),
    Variant("reportlab", "Kinnari", "borderless", "portrait"),
)
SEED: tuple[Variant, ...] = (
    Variant("weasyprint", "Laksaman", "ruled", "portrait"),
    Variant("weasyprint", "Garuda", "borderless", "landscape"),
    Variant("weasyprint", "Norasi", "ruled", "landscape"),
    Variant("libreoffice", "Laksaman", "ruled", "portrait", "word-symbol"),
    Variant("libreoffice", "Loma", "borderless", "portrait"),
    Variant("libreoffice", "Norasi", "ruled", "landscape", "word-wingdings"),
    Variant("reportlab", "Laksaman", "ruled", "portrait"),
    Variant("reportlab", "Loma", "borderless", "landscape"),
    Variant("reportlab", "Garuda", "ruled", "portrait"),
)
PLAN: tuple[tuple[str, tuple[Variant, ...]], ...] = (
    ("dla_2566.html", SEED),
    ("dla_2567.html", STANDARD),
    ("obt_nongbua_2567.md", STANDARD),
)

# Body size per font: the tlwg faces differ a lot in x-height (Laksaman is TH Sarabun's design,
# set at 14-16 pt in real reports; Garuda and Loma look that size at 11-12 pt).
FONT_SIZES: dict[str, float] = {
    "Laksaman": 14,
    "Garuda": 11,
    "Loma": 12,
    "Norasi": 12,
    "Kinnari": 12,
    "Sawasdee": 12,
    "Umpush": 12,
    "Waree": 11,
    "Purisa": 11,
}
PT_PER_CM = 72 / 2.54
A4 = (595.28, 841.89)
# Margins (top, right, bottom, left) in points, the left one wider as in Thai official letters.
MARGINS = (2.0 * PT_PER_CM, 2.0 * PT_PER_CM, 2.0 * PT_PER_CM, 2.5 * PT_PER_CM)


class Missing(Exception):
    """A generation-time tool or font is not installed."""


# ---------------------------------------------------------------------------------------------
# The source: title lines, header rows, body rows of cells of paragraphs of styled runs.


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    underline: bool = False


Line = tuple[Run, ...]


@dataclass(frozen=True)
class Para:
    """A paragraph, list item or heading; ``lines`` are the ``<br>``-separated lines."""

    lines: tuple[Line, ...]
    marker: str | None = None  # None: not a list item; else the CSS list-style-type
    number: int | None = None  # an ordered item's number
    level: int = 0  # list nesting depth, 0 for the outermost list

    @property
    def text(self) -> str:
        return "\n".join("".join(r.text for r in line) for line in self.lines)


@dataclass(frozen=True)
class SourceCell:
    paras: tuple[Para, ...]
    col: int
    colspan: int = 1
    rowspan: int = 1

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paras)


Rows = tuple[tuple[SourceCell, ...], ...]


@dataclass(frozen=True)
class Report:
    source: str  # path relative to samples/
    title: tuple[Para, ...]
    header: tuple[tuple[SourceCell, ...], ...]
    body: tuple[tuple[SourceCell, ...], ...]
    notes: tuple[Para, ...]
    ncols: int

    @property
    def all_text(self) -> str:
        cells = [c.text for row in (*self.header, *self.body) for c in row]
        return "\n".join([*(p.text for p in self.title), *cells, *(p.text for p in self.notes)])


_WS = re.compile(r"[ \t\n\r\f]+")
_LIST_NONE = re.compile(r"list-style(?:-type)?\s*:\s*none", re.IGNORECASE)
_LIST_TYPE = re.compile(r"list-style(?:-type)?\s*:\s*([a-z-]+)", re.IGNORECASE)
_BLOCK = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article"}
    | {"center", "pre", "address", "dd", "dt"}
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP = frozenset(
    ("script", "style", "head", "title", "meta", "link", "nav", "aside", "footer", "noscript")
)


def _clean_line(chars: list[tuple[str, bool, bool]]) -> Line:
    """Collapse white space as a browser does (one space, none at the ends) and regroup runs."""
    kept: list[tuple[str, bool, bool]] = []
    for ch, bold, under in chars:
        if _WS.fullmatch(ch):
            if not kept or kept[-1][0] == " ":
                continue
            kept.append((" ", bold, under))
        else:
            kept.append((ch, bold, under))
    while kept and kept[-1][0] == " ":
        kept.pop()
    runs: list[Run] = []
    for ch, bold, under in kept:
        if runs and (runs[-1].bold, runs[-1].underline) == (bold, under):
            runs[-1] = Run(runs[-1].text + ch, bold, under)
        else:
            runs.append(Run(ch, bold, under))
    return tuple(runs)


class _Flow:
    """Walks a piece of DOM into paragraphs, as the browser would lay it out in blocks."""

    def __init__(self, stops: Sequence[Tag] = ()) -> None:
        self.paras: list[Para] = []
        self.stops = [id(tag) for tag in stops]  # tables: walked around, not into
        self.splits: list[int] = []  # for each stop, how many paragraphs came before it
        self._lines: list[Line] = []
        self._chars: list[tuple[str, bool, bool]] = []
        self._lists: list[tuple[str | None, int | None, int]] = [(None, None, -1)]

    def end_line(self) -> None:
        self._lines.append(_clean_line(self._chars))
        self._chars = []

    def end_para(self) -> None:
        self.end_line()
        lines = list(self._lines)
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        if lines:
            marker, number, level = self._lists[-1]
            self.paras.append(Para(tuple(lines), marker, number, max(level, 0)))
        self._lines = []

    def walk(self, node: Tag, bold: bool = False, under: bool = False) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self._chars.extend((ch, bold, under) for ch in str(child))
                continue
            if not isinstance(child, Tag) or child.name in _SKIP:
                continue
            name = child.name
            if id(child) in self.stops:
                self.end_para()
                self.splits.append(len(self.paras))
            elif name == "br":
                self.end_line()
            elif name in ("ul", "ol"):
                self.end_para()
                self._walk_list(child, bold, under)
            elif name == "li":
                self.end_para()
                self._lists.append((_marker(child), None, self._lists[-1][2] + 1))
                self.walk(child, bold, under)
                self.end_para()
                self._lists.pop()
            elif name in _BLOCK:
                self.end_para()
                self.walk(child, bold or name in _HEADINGS, under)
                self.end_para()
            else:
                self.walk(child, bold or name in ("b", "strong"), under or name == "u")

    def _walk_list(self, tag: Tag, bold: bool, under: bool) -> None:
        ordered = tag.name == "ol"
        marker = _marker(tag, ordered)
        try:
            number = int(str(tag.get("start", "1")))
        except ValueError:
            number = 1
        level = self._lists[-1][2] + 1
        for li in (c for c in tag.children if isinstance(c, Tag) and c.name == "li"):
            self._lists.append((_marker(li, ordered, marker), number if ordered else None, level))
            self.walk(li, bold, under)
            self.end_para()
            self._lists.pop()
            number += 1


def _marker(tag: Any, ordered: bool = False, inherited: str | None = None) -> str:
    """The CSS list-style-type of a list or item (the ``style`` attribute is all samples use)."""
    style = str(tag.get("style", "")) if tag is not None else ""
    if _LIST_NONE.search(style):
        return "none"
    found = _LIST_TYPE.search(style)
    if found:
        return found.group(1).lower()
    if inherited is not None:
        return inherited
    return "decimal" if ordered else "disc"


def _cell_paras(tag: Any) -> tuple[Para, ...]:
    flow = _Flow()
    flow.walk(tag)
    flow.end_para()
    return tuple(flow.paras)


def _span(tag: Any, attr: str) -> int:
    try:
        return max(1, int(str(tag.get(attr, "1")).strip() or 1))
    except ValueError:
        return 1


def _page_html(path: Path) -> str:
    """The source as HTML; Markdown (OCR output) through the project's own converter."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return decode_text(data, declared_charset(data))
    if suffix in (".md", ".markdown"):
        return markdown_to_html(decode_text(data))
    raise ValueError(f"{path.name}: only HTML and Markdown sources can be rendered")


def read_source(path: Path) -> Report:
    """The report table of an HTML or Markdown page, with the blocks before and after it.

    Site chrome (nav, aside, footer) is left out: it is the web site's, not the report's, and
    a PDF of the report would not carry it. Tables that follow one another with nothing in
    between and the same header (an OCR'd table cut at a page break) are one table again: the
    PDF producers repeat the header themselves.
    """
    soup = BeautifulSoup(_page_html(path), "lxml")
    root = soup.body or soup
    tables = [t for t in root.find_all("table") if t.find_parent("table") is None]
    if not tables:
        raise ValueError(f"{path.name}: no table")
    flow = _Flow(stops=tables)
    flow.walk(root)
    flow.end_para()
    header, body = _grid(tables[0])
    for index, table in enumerate(tables[1:], start=1):
        more_header, more_body = _grid(table)
        between = flow.splits[index] - flow.splits[index - 1]
        if between or (more_header and _texts(more_header) != _texts(header)):
            raise ValueError(f"{path.name}: several different tables; render one per source")
        body = (*body, *more_body)
    ncols = max((c.col + c.colspan for row in (*header, *body) for c in row), default=0)
    return Report(
        source=path.relative_to(HERE).as_posix(),
        title=tuple(flow.paras[: flow.splits[0]]),
        header=header,
        body=body,
        notes=tuple(flow.paras[flow.splits[-1] :]),
        ncols=ncols,
    )


def _texts(rows: Rows) -> list[list[str]]:
    return [[cell.text for cell in row] for row in rows]


def _own_rows(table: Any) -> Iterator[Any]:
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is table:
            yield tr


def _grid(table: Tag) -> tuple[Rows, Rows]:
    """Header and body rows with every cell placed in its grid column (rowspans honoured)."""
    rows: list[tuple[bool, tuple[SourceCell, ...]]] = []
    taken: dict[tuple[int, int], bool] = {}
    for r, tr in enumerate(_own_rows(table)):
        tags = [c for c in tr.children if isinstance(c, Tag) and c.name in ("td", "th")]
        cells: list[SourceCell] = []
        col = 0
        for td in tags:
            while (r, col) in taken:
                col += 1
            rowspan, colspan = _span(td, "rowspan"), _span(td, "colspan")
            cells.append(SourceCell(_cell_paras(td), col, colspan, rowspan))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken[(r + dr, col + dc)] = True
            col += colspan
        in_head = tr.find_parent("thead") is not None
        all_th = bool(tags) and all(t.name == "th" for t in tags)
        rows.append((in_head or all_th, tuple(cells)))
    n_head = 0
    if any(is_head for is_head, _ in rows):
        while n_head < len(rows) and rows[n_head][0]:
            n_head += 1
    header = tuple(cells for _, cells in rows[:n_head])
    body = tuple(cells for _, cells in rows[n_head:])
    return header, body


# ---------------------------------------------------------------------------------------------
# Page geometry shared by the three producers, and by the measurement of the PDFs.


@dataclass(frozen=True)
class Geometry:
    page: tuple[float, float]
    margins: tuple[float, float, float, float]  # top, right, bottom, left
    size: float
    col_widths: tuple[float, ...]  # points

    @property
    def content_width(self) -> float:
        return self.page[0] - self.margins[1] - self.margins[3]

    def col_left(self, col: int) -> float:
        return self.margins[3] + sum(self.col_widths[:col])


def column_fractions(report: Report) -> tuple[float, ...]:
    """Column widths from the amount of text each column holds, so any source lays out."""
    totals = [0.0] * report.ncols
    for row in report.body:
        for cell in row:
            if cell.colspan == 1:
                totals[cell.col] += len(cell.text)
    weights = [max(t, 1.0) ** 0.5 for t in totals]
    raw = [w / sum(weights) for w in weights]
    floor = 0.75 / report.ncols
    clamped = [max(f, floor) for f in raw]
    return tuple(f / sum(clamped) for f in clamped)


def geometry(report: Report, variant: Variant) -> Geometry:
    page = A4 if variant.orientation == "portrait" else (A4[1], A4[0])
    width = page[0] - MARGINS[1] - MARGINS[3]
    widths = tuple(round(f * width, 2) for f in column_fractions(report))
    return Geometry(page, MARGINS, FONT_SIZES.get(variant.font, 12), widths)


def list_indent(para: Para, size: float) -> float:
    return 0.0 if para.marker is None else size * (0.9 + 1.2 * para.level)


# ---------------------------------------------------------------------------------------------
# WeasyPrint: an HTML page with a stylesheet, as printing a web page or an HTML export.


def _html_runs(line: Line) -> str:
    out = []
    for run in line:
        text = html.escape(run.text, quote=False)
        if run.underline:
            text = f"<u>{text}</u>"
        if run.bold:
            text = f"<b>{text}</b>"
        out.append(text)
    return "".join(out)


def _html_paras(paras: Sequence[Para]) -> str:
    out: list[str] = []
    open_list: tuple[str, int] | None = None
    for para in paras:
        body = "<br>".join(_html_runs(line) for line in para.lines)
        if para.marker is None:
            if open_list:
                out.append(f"</{open_list[0]}>")
                open_list = None
            out.append(f"<p>{body}</p>")
            continue
        tag = "ol" if para.number is not None else "ul"
        if open_list != (tag, para.level):
            if open_list:
                out.append(f"</{open_list[0]}>")
            start = f' start="{para.number}"' if para.number is not None else ""
            indent = f"padding-left: {0.9 + 1.2 * para.level:.1f}em"
            out.append(f'<{tag}{start} style="list-style-type: {para.marker}; {indent}">')
            open_list = (tag, para.level)
        out.append(f"<li>{body}</li>")
    if open_list:
        out.append(f"</{open_list[0]}>")
    return "".join(out)


def _html_row(cells: Sequence[SourceCell], tag: str) -> str:
    parts = []
    for cell in cells:
        spans = ""
        if cell.colspan > 1:
            spans += f' colspan="{cell.colspan}"'
        if cell.rowspan > 1:
            spans += f' rowspan="{cell.rowspan}"'
        parts.append(f"<{tag}{spans}>{_html_paras(cell.paras)}</{tag}>")
    return "<tr>" + "".join(parts) + "</tr>"


def weasyprint_html(report: Report, variant: Variant, geo: Geometry) -> str:
    top, right, bottom, left = geo.margins
    rule = "0.6pt solid #000" if variant.layout == "ruled" else "none"
    shade = "#d9d9d9" if variant.layout == "ruled" else "transparent"
    margin = f"{top:.2f}pt {right:.2f}pt {bottom:.2f}pt {left:.2f}pt"
    css = f"""
@page {{ size: A4 {variant.orientation}; margin: {margin}; }}
html {{ font-family: "{variant.font}"; font-size: {geo.size}pt; }}
body {{ margin: 0; }}
.title {{ text-align: center; font-weight: bold; font-size: {geo.size + 2}pt; margin: 0; }}
.title:last-of-type {{ margin-bottom: 8pt; }}
.note {{ margin: 6pt 0 0 0; }}
table {{ border-collapse: collapse; table-layout: fixed; width: 100%; }}
th, td {{ border: {rule}; padding: 2pt 4pt; vertical-align: top; text-align: left; }}
th {{ text-align: center; vertical-align: middle; background: {shade}; }}
p, ul, ol {{ margin: 0; }}
"""
    cols = "".join(f'<col style="width: {w:.2f}pt">' for w in geo.col_widths)
    head = "".join(_html_row(row, "th") for row in report.header)
    body = "".join(_html_row(row, "td") for row in report.body)
    title_text = report.title[0].text if report.title else report.source
    titles = "".join(
        f'<p class="title">{"<br>".join(_html_runs(line) for line in p.lines)}</p>'
        for p in report.title
    )
    notes = "".join(
        f'<p class="note">{"<br>".join(_html_runs(line) for line in p.lines)}</p>'
        for p in report.notes
    )
    return (
        '<!DOCTYPE html>\n<html lang="th"><head><meta charset="utf-8">'
        f"<title>{html.escape(title_text)}</title>"
        f'<meta name="author" content="{AUTHOR}"><style>{css}</style></head><body>'
        f"{titles}<table><colgroup>{cols}</colgroup><thead>{head}</thead>"
        f"<tbody>{body}</tbody></table>{notes}</body></html>"
    )


def render_weasyprint(report: Report, variant: Variant, geo: Geometry, target: Path) -> None:
    import weasyprint

    document = weasyprint.HTML(string=weasyprint_html(report, variant, geo), base_url=str(HERE))
    # A fixed identifier: WeasyPrint otherwise writes a random /ID on every run.
    document.write_pdf(target, pdf_identifier=target.stem.encode("ascii"))


# ---------------------------------------------------------------------------------------------
# LibreOffice: a Word document (real table, repeated header row, rows that may break across
# pages, Word bullet lists) converted headless, as a Word-to-PDF export.

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BULLETS = {"word-symbol": ("\uf0b7", "Symbol"), "word-wingdings": ("\uf0a7", "Wingdings")}


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _set_fonts(rpr: Any, font: str, size: float) -> None:
    """Set one font for every script (Thai is a complex script in Word: w:cs and w:szCs)."""
    from docx.oxml import OxmlElement

    for tag in ("rFonts", "sz", "szCs", "lang"):
        for old in rpr.findall(_w(tag)):
            rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(_w(attr), font)
    rpr.insert(0, fonts)
    for tag in ("sz", "szCs"):
        el = OxmlElement(f"w:{tag}")
        el.set(_w("val"), str(round(size * 2)))
        rpr.append(el)
    lang = OxmlElement("w:lang")
    lang.set(_w("val"), "th-TH")
    lang.set(_w("bidi"), "th-TH")
    rpr.append(lang)


def _numbering(document: Any, markers: Markers) -> dict[str, int]:
    """Add bullet and decimal list definitions to the numbering part; their numIds by kind."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    glyph, font = _BULLETS.get(markers, _BULLETS["word-symbol"])
    defs = {
        "bullet": (901, f'<w:numFmt w:val="bullet"/><w:lvlText w:val="{glyph}"/>', font),
        "decimal": (902, '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>', None),
    }
    first_num = numbering.find(_w("num"))
    ids: dict[str, int] = {}
    for kind, (num_id, fmt, lvl_font) in defs.items():
        levels = []
        for ilvl in range(3):
            fmt_l = fmt.replace("%1", f"%{ilvl + 1}")
            rfonts = (
                f'<w:rPr><w:rFonts w:ascii="{lvl_font}" w:hAnsi="{lvl_font}" w:hint="default"/>'
                "</w:rPr>"
                if lvl_font
                else ""
            )
            left = 300 + 340 * ilvl
            levels.append(
                f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/>{fmt_l}<w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{left}" w:hanging="300"/></w:pPr>{rfonts}</w:lvl>'
            )
        abstract = parse_xml(
            f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{num_id}">'
            f'<w:multiLevelType w:val="hybridMultilevel"/>{"".join(levels)}</w:abstractNum>'
        )
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        numbering.append(
            parse_xml(
                f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}">'
                f'<w:abstractNumId w:val="{num_id}"/></w:num>'
            )
        )
        ids[kind] = num_id
    return ids


def _restart_decimal(document: Any, base: int, start: int, counter: list[int]) -> int:
    """A new w:num for one ordered list, so each list counts from its own start."""
    from docx.oxml import parse_xml

    counter[0] += 1
    num_id = 1000 + counter[0]
    document.part.numbering_part.element.append(
        parse_xml(
            f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}"><w:abstractNumId w:val="{base}"/>'
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
            "</w:num>"
        )
    )
    return num_id


def _docx_para(paragraph: Any, para: Para, bold_all: bool = False) -> None:
    from docx.oxml import OxmlElement

    for i, line in enumerate(para.lines):
        if i:
            paragraph.add_run().add_break()
        for run in line:
            r = paragraph.add_run(run.text)
            if run.bold or bold_all:
                rpr = r._r.get_or_add_rPr()
                for tag in ("w:b", "w:bCs"):
                    rpr.append(OxmlElement(tag))
            if run.underline:
                r.underline = True


def _fill_docx_cell(
    document: Any,
    cell: Any,
    paras: Sequence[Para],
    variant: Variant,
    numbers: dict[str, int],
    counter: list[int],
    header: bool,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    size = FONT_SIZES.get(variant.font, 12)
    list_num: int | None = None
    previous: Para | None = None
    for index, para in enumerate(paras):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        if header:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if para.marker is not None:
            word_list = para.marker not in ("none",) or variant.markers != "source"
            if word_list:
                ordered = para.number is not None
                if ordered and (previous is None or previous.number is None):
                    list_num = _restart_decimal(
                        document, numbers["decimal"], para.number or 1, counter
                    )
                num_id = list_num if ordered and list_num else numbers["bullet"]
                ppr = paragraph._p.get_or_add_pPr()
                numpr = OxmlElement("w:numPr")
                ilvl = OxmlElement("w:ilvl")
                ilvl.set(_w("val"), str(min(para.level, 2)))
                nid = OxmlElement("w:numId")
                nid.set(_w("val"), str(num_id))
                numpr.extend([ilvl, nid])
                ppr.insert(0, numpr)
            else:
                # A typed "- " marker: a hanging indent as authors set it in Word.
                indent = list_indent(para, size)
                paragraph.paragraph_format.left_indent = Pt(indent)
                paragraph.paragraph_format.first_line_indent = Pt(-min(indent, size * 0.6))
        _docx_para(paragraph, para, bold_all=header)
        previous = para


def build_docx(report: Report, variant: Variant, geo: Geometry, target: Path) -> None:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    document = docx.Document()
    core = document.core_properties
    core.author = core.last_modified_by = AUTHOR
    core.title = report.title[0].text if report.title else report.source
    core.created = core.modified = FIXED_DATE.replace(tzinfo=None)
    core.revision = 1

    styles = document.styles.element
    defaults = styles.find(_w("docDefaults"))
    _set_fonts(defaults.find(_w("rPrDefault")).find(_w("rPr")), variant.font, geo.size)
    spacing = defaults.find(_w("pPrDefault")).find(_w("pPr")).find(_w("spacing"))
    for attr, value in (("after", "0"), ("line", "240"), ("lineRule", "auto")):
        spacing.set(_w(attr), value)
    _set_fonts(document.styles["Normal"].element.get_or_add_rPr(), variant.font, geo.size)

    section = document.sections[0]
    if variant.orientation == "landscape":
        section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Pt(geo.page[0]), Pt(geo.page[1])
    top, right, bottom, left = geo.margins
    section.top_margin, section.right_margin = Pt(top), Pt(right)
    section.bottom_margin, section.left_margin = Pt(bottom), Pt(left)

    for para in report.title:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _docx_para(paragraph, para, bold_all=True)
        for run in paragraph.runs:
            run.font.size = Pt(geo.size + 2)
            size = run._r.get_or_add_rPr().find(_w("sz"))
            assert size is not None
            size.addnext(_size_cs(geo.size + 2))
    if report.title:
        document.paragraphs[-1].paragraph_format.space_after = Pt(8)

    numbers = _numbering(document, variant.markers)
    counter = [0]
    rows = (*report.header, *report.body)
    table = document.add_table(rows=len(rows), cols=report.ncols)
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(_w("type"), "fixed")
    tbl_pr.append(layout)
    width = OxmlElement("w:tblW")
    width.set(_w("w"), str(round(sum(geo.col_widths) * 20)))
    width.set(_w("type"), "dxa")
    for old in tbl_pr.findall(_w("tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        if variant.layout == "ruled":
            el.set(_w("val"), "single")
            el.set(_w("sz"), "4")
            el.set(_w("space"), "0")
            el.set(_w("color"), "000000")
        else:
            el.set(_w("val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)
    _schema_order(tbl_pr, _TBL_PR_ORDER)
    for gc, w in zip(table._tbl.tblGrid.findall(_w("gridCol")), geo.col_widths, strict=True):
        gc.set(_w("w"), str(round(w * 20)))
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.width = Pt(geo.col_widths[c])
        if r < len(report.header):
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))

    for r, cells in enumerate(rows):
        header = r < len(report.header)
        for spec in cells:
            cell = table.cell(r, spec.col)
            if spec.rowspan > 1 or spec.colspan > 1:
                far = table.cell(r + spec.rowspan - 1, spec.col + spec.colspan - 1)
                cell = cell.merge(far)
            _fill_docx_cell(document, cell, spec.paras, variant, numbers, counter, header)
            if header:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                if variant.layout == "ruled":
                    shade = OxmlElement("w:shd")
                    shade.set(_w("val"), "clear")
                    shade.set(_w("color"), "auto")
                    shade.set(_w("fill"), "D9D9D9")
                    cell._tc.get_or_add_tcPr().append(shade)

    for para in report.notes:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(6)
        _docx_para(paragraph, para)
    document.save(str(target))


_TBL_PR_ORDER = (
    *("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize"),
    *("tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd"),
    *("tblLayout", "tblCellMar", "tblLook"),
)


def _schema_order(element: Any, order: Sequence[str]) -> None:
    """Put children in the order the OOXML schema wants (Word rejects others, LibreOffice not)."""
    rank = {_w(tag): i for i, tag in enumerate(order)}
    children = sorted(element, key=lambda child: rank.get(child.tag, len(rank)))
    for child in children:
        element.append(child)


def _size_cs(size: float) -> Any:
    from docx.oxml import OxmlElement

    el = OxmlElement("w:szCs")
    el.set(_w("val"), str(round(size * 2)))
    return el


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:[0-9]{14}[^)]*\)")
_PDF_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]{32})")
_PDF_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")


def _pin_pdf(data: bytes, seed: str) -> bytes:
    """Overwrite the run-specific dates, /ID and checksum in place (same lengths, so the xref
    offsets hold)."""
    import hashlib

    stamp = FIXED_DATE.strftime("%Y%m%d%H%M%S").encode()

    def date(match: re.Match[bytes]) -> bytes:
        old = match.group(0)
        head = old[: old.index(b"(D:") + 3]
        fixed = head + stamp + old[len(head) + 14 :]
        return fixed

    data = _PDF_DATE.sub(date, data)
    digest = hashlib.md5(seed.encode(), usedforsecurity=False).hexdigest().upper().encode()

    def ident(match: re.Match[bytes]) -> bytes:
        a, b = match.group(1), match.group(2)
        return (
            match.group(0)
            .replace(a, digest[: len(a)].ljust(len(a), b"0"))
            .replace(b, digest[: len(b)].ljust(len(b), b"0"))
        )

    data = _PDF_ID.sub(ident, data)
    # LibreOffice's /DocChecksum covers the run-specific bytes: recompute it over the rest.
    found = _PDF_CHECKSUM.search(data)
    if found:
        blank = data[: found.start(1)] + b"0" * len(found.group(1)) + data[found.end(1) :]
        fixed = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode()
        data = data[: found.start(1)] + fixed[: len(found.group(1))] + data[found.end(1) :]
    return data


def render_libreoffice(report: Report, variant: Variant, geo: Geometry, target: Path) -> None:
    soffice = _soffice()
    with tempfile.TemporaryDirectory(prefix="ita-etl-lo-") as tmp:
        work = Path(tmp)
        source = work / f"{target.stem}.docx"
        build_docx(report, variant, geo, source)
        profile = (work / "profile").as_uri()
        cmd = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
        produced = work / f"{target.stem}.pdf"
        if done.returncode != 0 or not produced.exists():
            raise RuntimeError(f"soffice failed on {source.name}: {done.stdout}{done.stderr}")
        target.write_bytes(_pin_pdf(produced.read_bytes(), target.stem))


# ---------------------------------------------------------------------------------------------
# ReportLab: platypus Table with repeatRows, Paragraphs in cells, tlwg TTFs, no Thai shaping.

_OPENERS = "([{\"'“‘<"
_CLOSERS = ")]}.,;:!?\"'”’>/%"
_NO_LINE_START = "ะาำๅๆฯ"


def _is_thai_letter(ch: str) -> bool:
    return "\u0e01" <= ch <= "\u0e4f"


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


def _may_break(before: str, after: str) -> bool:
    """Whether a line may end between two characters (Thai: between words only)."""
    if _is_mark(after) or after in _NO_LINE_START or after == " ":
        return False
    if before == " ":
        return True
    if before in _OPENERS or after in _CLOSERS:
        return False
    return (_is_thai_letter(before) and _is_thai_letter(after)) or before == "/"


@dataclass
class _Wrapper:
    """Line breaking for ReportLab, which breaks only at spaces (a Thai sentence has none).

    Break opportunities are pythainlp's word boundaries; each visual line is then given to
    ReportLab as one line (joined by ``<br/>``), so the text layer holds the source's
    characters in order and nothing else.
    """

    fonts: dict[bool, str]  # regular and bold, by bold
    size: float
    words: Callable[[str], list[str]]
    bold: bool = False  # the whole text is set bold (a header cell, a title)
    cache: dict[tuple[str, str], float] = field(default_factory=dict)

    def width(self, chars: Sequence[tuple[str, Run]]) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        total = 0.0
        for ch, run in chars:
            font = self.fonts[run.bold or self.bold]
            key = (ch, font)
            if key not in self.cache:
                self.cache[key] = stringWidth(ch, font, self.size)
            total += self.cache[key]
        return total

    def units(self, chars: list[tuple[str, Run]]) -> list[list[tuple[str, Run]]]:
        text = "".join(ch for ch, _ in chars)
        tokens = self.words(text)
        if "".join(tokens) != text:
            tokens = list(text)
        bounds: set[int] = set()
        pos = 0
        for tok in tokens:
            pos += len(tok)
            bounds.add(pos)
        units: list[list[tuple[str, Run]]] = [[]]
        for i, item in enumerate(chars):
            before = text[i - 1] if i else ""
            if i and (i in bounds or before == " ") and _may_break(before, text[i]):
                units.append([])
            units[-1].append(item)
        return [u for u in units if u]

    def wrap(self, line: Line, avail: float) -> list[list[tuple[str, Run]]]:
        chars = [(ch, run) for run in line for ch in run.text]
        lines: list[list[tuple[str, Run]]] = [[]]
        for unit in self.units(chars):
            self._place(lines, unit, avail)
        return [_rstrip(x) for x in lines if _rstrip(x)]

    def _place(
        self, lines: list[list[tuple[str, Run]]], piece: list[tuple[str, Run]], avail: float
    ) -> None:
        """Greedy fill; a piece wider than a whole line is cut into syllables, then clusters."""
        if self.width(_rstrip(lines[-1] + piece)) <= avail:
            lines[-1].extend(piece if lines[-1] else _lstrip(piece))
            return
        if _rstrip(lines[-1]):
            lines[-1] = _rstrip(lines[-1])
            lines.append([])
            piece = _lstrip(piece)
            if self.width(_rstrip(piece)) <= avail:
                lines[-1].extend(piece)
                return
        finer = self._finer(piece)
        if finer is None:
            lines[-1].extend(piece)
            return
        for part in finer:
            self._place(lines, part, avail)

    def _finer(self, piece: list[tuple[str, Run]]) -> list[list[tuple[str, Run]]] | None:
        from pythainlp.tokenize import syllable_tokenize

        text = "".join(ch for ch, _ in piece)
        cuts: list[int] = []
        if any(_is_thai_letter(ch) for ch in text):
            syllables = syllable_tokenize(text, engine="dict")
            if "".join(syllables) == text and len(syllables) > 1:
                cuts = list(itertools.accumulate(len(x) for x in syllables))[:-1]
        if not cuts:
            cuts = [
                i
                for i in range(1, len(text))
                if not _is_mark(text[i]) and text[i] not in _NO_LINE_START and text[i] != " "
            ]
        if not cuts:
            return None
        bounds = [0, *cuts, len(text)]
        return [piece[a:b] for a, b in itertools.pairwise(bounds)]


def _rstrip(chars: list[tuple[str, Run]]) -> list[tuple[str, Run]]:
    end = len(chars)
    while end and chars[end - 1][0] == " ":
        end -= 1
    return chars[:end]


def _lstrip(chars: list[tuple[str, Run]]) -> list[tuple[str, Run]]:
    start = 0
    while start < len(chars) and chars[start][0] == " ":
        start += 1
    return chars[start:]


def _rl_markup(chars: Sequence[tuple[str, Run]], bold_all: bool) -> str:
    out: list[str] = []
    for run_key, group in _group(chars):
        bold, under = run_key
        text = html.escape("".join(group), quote=False)
        if under:
            text = f"<u>{text}</u>"
        if bold or bold_all:
            text = f"<b>{text}</b>"
        out.append(text)
    return "".join(out)


def _group(chars: Sequence[tuple[str, Run]]) -> Iterator[tuple[tuple[bool, bool], list[str]]]:
    key: tuple[bool, bool] | None = None
    group: list[str] = []
    for ch, run in chars:
        k = (run.bold, run.underline)
        if k != key and group:
            assert key is not None
            yield key, group
            group = []
        key = k
        group.append(ch)
    if group and key is not None:
        yield key, group


def _register_reportlab_font(font: str) -> dict[bool, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = FONT_DIR / f"{font}.ttf", FONT_DIR / f"{font}-Bold.ttf"
    if not bold.exists():
        bold = regular
    names = {False: font, True: f"{font}-Bold"}
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(font, str(regular)))
        pdfmetrics.registerFont(TTFont(f"{font}-Bold", str(bold)))
        pdfmetrics.registerFontFamily(
            font, normal=font, bold=f"{font}-Bold", italic=font, boldItalic=f"{font}-Bold"
        )
    return names


def _word_splitter(report: Report) -> Callable[[str], list[str]]:
    """pythainlp's newmm, taught the report's abbreviations so "สถ." is not split as ส|ถ."""
    from pythainlp.corpus import thai_words
    from pythainlp.tokenize import word_tokenize
    from pythainlp.util import dict_trie

    abbreviations = set(re.findall(r"(?:[ก-ฮ]{1,4}\.)+", report.all_text))
    trie = dict_trie(set(thai_words()) | abbreviations)

    def split(text: str) -> list[str]:
        return list(word_tokenize(text, custom_dict=trie, engine="newmm", keep_whitespace=True))

    return split


def render_reportlab(report: Report, variant: Variant, geo: Geometry, target: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    fonts = _register_reportlab_font(variant.font)
    words = _word_splitter(report)
    pad_x, pad_y = 4.0, 2.0

    def paragraphs(paras: Sequence[Para], avail: float, heading: bool, size: float) -> list[Any]:
        """Heading text (title, header cells) is bold and centred, as in the other producers."""
        wrapper = _Wrapper(fonts, size, words, bold=heading)
        out = []
        for para in paras:
            indent = list_indent(para, size)
            lines = [
                _rl_markup(visual, heading)
                for line in para.lines
                for visual in wrapper.wrap(line, avail - indent - 0.5)
            ]
            bullet = None
            if para.marker not in (None, "none"):
                bullet = f"{para.number}." if para.number is not None else "•"
            style = ParagraphStyle(
                f"p{size}{indent}{heading}",
                fontName=variant.font,
                fontSize=size,
                leading=round(size * 1.35, 1),
                leftIndent=indent,
                bulletIndent=max(indent - size * 0.8, 0),
                alignment=TA_CENTER if heading else TA_LEFT,
            )
            out.append(Paragraph("<br/>".join(lines), style, bulletText=bullet))
        return out

    rows = (*report.header, *report.body)
    n_head = len(report.header)
    data: list[list[Any]] = [["" for _ in range(report.ncols)] for _ in rows]
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad_x),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad_x),
        ("TOPPADDING", (0, 0), (-1, -1), pad_y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad_y + 2),
    ]
    if n_head:
        commands.append(("VALIGN", (0, 0), (-1, n_head - 1), "MIDDLE"))
    if variant.layout == "ruled":
        commands.append(("GRID", (0, 0), (-1, -1), 0.6, colors.black))
        if n_head:
            commands.append(("BACKGROUND", (0, 0), (-1, n_head - 1), colors.HexColor("#d9d9d9")))
    for r, cells in enumerate(rows):
        for spec in cells:
            span_width = sum(geo.col_widths[spec.col : spec.col + spec.colspan])
            data[r][spec.col] = paragraphs(spec.paras, span_width - 2 * pad_x, r < n_head, geo.size)
            if spec.rowspan > 1 or spec.colspan > 1:
                end = (spec.col + spec.colspan - 1, r + spec.rowspan - 1)
                commands.append(("SPAN", (spec.col, r), end))
    # splitByRow=0: fill the page and break the row that does not fit, as Word does; ReportLab
    # would otherwise move a whole row to the next page whenever it can.
    table = Table(
        data,
        colWidths=list(geo.col_widths),
        repeatRows=n_head,
        splitByRow=0,
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(TableStyle(commands))
    story: list[Any] = paragraphs(report.title, geo.content_width, True, geo.size + 2)
    story.append(Spacer(1, 8))
    story.append(table)
    for para in paragraphs(report.notes, geo.content_width, False, geo.size):
        story.extend([Spacer(1, 6), para])
    top, _, bottom, left = geo.margins
    # A frame without ReportLab's default 6 pt padding, so the table sits where the other
    # producers put it (the measurement reads columns at the same x).
    frame = Frame(left, bottom, geo.content_width, geo.page[1] - top - bottom, 0, 0, 0, 0)
    doc = BaseDocTemplate(
        str(target),
        pagesize=geo.page,
        pageTemplates=[PageTemplate("page", [frame])],
        title=report.title[0].text if report.title else report.source,
        author=AUTHOR,
        creator=AUTHOR,
        invariant=1,
    )
    doc.build(story)


# ---------------------------------------------------------------------------------------------
# Measuring what came out: pages, pages that show the header row, rows broken across pages.

# The letters every producer keeps in order: consonants, digits, Latin. Vowels and marks are
# left out, they are what producers reorder, split or map to the wrong character.
_SKELETON = re.compile(r"[\u0e01-\u0e2e\u0e50-\u0e59A-Za-z0-9]")
_CID = re.compile(r"\(cid:\d+\)")
_ANCHOR = 10


def skeleton(text: str) -> str:
    return "".join(_SKELETON.findall(_CID.sub("", text)))


@dataclass
class _Stream:
    """The skeleton letters of a band of columns, page after page, in reading order."""

    text: str
    pages: list[int]  # page number of each letter
    tops: list[float]
    page_starts: dict[int, int]  # index of each page's first letter (and one past the last page)


@dataclass
class Measured:
    pages: int
    header_repeats: int
    broken_rows: list[int]  # 1-based indexes of the body rows drawn on more than one page
    misses: list[str]


Bands = dict[int, tuple[float, float]]  # per page, a vertical range to leave out


def _band_stream(pdf: Any, left: float, right: float, skip: Bands) -> _Stream:
    text: list[str] = []
    pages: list[int] = []
    tops: list[float] = []
    starts: dict[int, int] = {}
    for number, page in enumerate(pdf.pages, start=1):
        starts[number] = len(text)
        low, high = skip.get(number, (1.0, 0.0))
        chars: list[tuple[float, float, str]] = []
        for char in page.chars:
            middle = (char["x0"] + char["x1"]) / 2
            if left <= middle < right and not low <= char["top"] <= high:
                chars.extend((char["top"], char["x0"], letter) for letter in skeleton(char["text"]))
        chars.sort()
        lines: list[list[tuple[float, float, str]]] = []
        for item in chars:
            if lines and item[0] - lines[-1][0][0] <= 3.0:
                lines[-1].append(item)
            else:
                lines.append([item])
        for line in lines:
            for top, _, letter in sorted(line, key=lambda c: c[1]):
                text.append(letter)
                pages.append(number)
                tops.append(top)
    starts[len(pdf.pages) + 1] = len(text)
    return _Stream("".join(text), pages, tops, starts)


def _locate(stream: _Stream, skel: str, start: int) -> tuple[int, int] | None:
    """Where a cell's first and last letters are in the stream (index range), or None.

    The whole skeleton first; failing that (a letter the producer mapped to something else),
    anchors of a few letters from each end.
    """
    at = stream.text.find(skel, start)
    if at >= 0:
        return at, at + len(skel) - 1
    size = min(_ANCHOR, max(len(skel) // 2, 3))
    heads = [skel[i : i + size] for i in range(0, len(skel) - size + 1, 2)]
    for head in heads:
        at = stream.text.find(head, start)
        if at >= 0:
            break
    else:
        return None
    limit = at + len(skel) * 2 + 20
    for shift in range(0, len(skel) - size + 1, 2):
        tail = skel[len(skel) - shift - size : len(skel) - shift]
        end = stream.text.find(tail, at, limit)
        if end >= 0:
            return at, end + size - 1
    return at, at


def measure(pdf_path: Path, report: Report, geo: Geometry) -> Measured:
    """Count pages, pages showing the header row, and body rows drawn on more than one page.

    Each column is read as a band of x, letters in reading order; the repeated header rows
    are found first and taken out, so that a cell broken across a page reads on unbroken and
    the pages its first and last letters are on tell whether its row was broken.
    """
    with pdfplumber.open(pdf_path) as pdf:
        n_pages = len(pdf.pages)

        def bands(skip: Bands) -> Callable[[int, int], _Stream]:
            cache: dict[tuple[int, int], _Stream] = {}

            def stream(col: int, colspan: int) -> _Stream:
                if (col, colspan) not in cache:
                    left = geo.col_left(col) - (geo.margins[3] if col == 0 else 0)
                    last = col + colspan == report.ncols
                    right = geo.col_left(col + colspan) + (geo.margins[1] if last else 0)
                    cache[(col, colspan)] = _band_stream(pdf, left, right, skip)
                return cache[(col, colspan)]

            return stream

        whole = bands({})
        header_cells = [c for row in report.header for c in row if skeleton(c.text)]
        header_at: Bands = {}
        for number in range(1, n_pages + 1):
            tops: list[float] = []
            for cell in header_cells:
                s = whole(cell.col, cell.colspan)
                skel = skeleton(cell.text)
                at = s.text.find(skel, s.page_starts[number], s.page_starts[number + 1])
                if at < 0:
                    break
                tops.extend(s.tops[at : at + len(skel)])
            else:
                if tops and max(tops) - min(tops) < geo.page[1] / 3 and min(tops) < geo.page[1] / 2:
                    header_at[number] = (min(tops) - 1.0, max(tops) + 1.0)

        body = bands(header_at)
        cursors: dict[tuple[int, int], int] = {}
        floor_page = 1
        broken: list[int] = []
        misses: list[str] = []
        for index, row in enumerate(report.body, start=1):
            row_pages: list[int] = []
            for cell in row:
                skel = skeleton(cell.text)
                if not skel:
                    continue
                s = body(cell.col, cell.colspan)
                key = (cell.col, cell.colspan)
                found = _locate(s, skel, max(cursors.get(key, 0), s.page_starts[floor_page]))
                if found is None:
                    misses.append(f"row {index} col {cell.col + 1}: {cell.text[:30]!r}")
                    continue
                cursors[key] = found[1] + 1
                row_pages.extend((s.pages[found[0]], s.pages[found[1]]))
            if row_pages:
                floor_page = min(row_pages)
                if max(row_pages) > min(row_pages):
                    broken.append(index)
    return Measured(n_pages, len(header_at), broken, misses)


# ---------------------------------------------------------------------------------------------
# Checks, versions, the run.

RENDERERS: dict[str, Callable[[Report, Variant, Geometry, Path], None]] = {
    "weasyprint": render_weasyprint,
    "libreoffice": render_libreoffice,
    "reportlab": render_reportlab,
}
MANIFEST_COLUMNS = (
    "file",
    "source",
    "producer",
    "producer_version",
    "font",
    "layout",
    "orientation",
    "pages",
    "header_repeats",
    "rows_broken_across_pages",
    "list_markers",
)


def _soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise Missing("LibreOffice (soffice) is not on PATH: apt-get install libreoffice-writer")


def producer_version(producer: str) -> str:
    if producer == "weasyprint":
        return str(importlib.import_module("weasyprint").__version__)
    if producer == "reportlab":
        return str(importlib.import_module("reportlab").Version)
    done = subprocess.run(
        [_soffice(), "--version"], capture_output=True, text=True, timeout=120, check=False
    )
    found = re.search(r"LibreOffice ([0-9.]+)", done.stdout)
    if not found:
        raise Missing(f"cannot read the LibreOffice version from {done.stdout!r}")
    return found.group(1)


def check_tools(variants: Iterable[Variant]) -> None:
    """Fail early, and say what to install, when a producer, library or font is missing."""
    needs = {
        "weasyprint": "weasyprint",
        "libreoffice": "docx",
        "reportlab": "reportlab",
    }
    wanted = list(variants)
    modules = {"bs4", "pdfplumber", "pythainlp"} | {needs[v.producer] for v in wanted}
    for module in sorted(modules):
        try:
            importlib.import_module(module)
        except ImportError as error:
            package = {"docx": "python-docx", "bs4": "beautifulsoup4"}.get(module, module)
            raise Missing(
                f"Python package {package!r} is missing: pip install {package}"
            ) from error
    if any(v.producer == "libreoffice" for v in wanted):
        _soffice()
    fc_list = shutil.which("fc-list")
    families = (
        subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, check=False).stdout
        if fc_list
        else ""
    )
    for font in sorted({v.font for v in wanted}):
        if not (FONT_DIR / f"{font}.ttf").exists():
            raise Missing(f"font {font} not found in {FONT_DIR}: apt-get install fonts-thai-tlwg")
        if fc_list and font not in families:
            raise Missing(f"fontconfig does not know {font}: run fc-cache, check fonts-thai-tlwg")


def file_name(report: Report, variant: Variant) -> str:
    stem = Path(report.source).stem
    return (
        f"{stem}__{variant.producer}__{variant.font}__{variant.layout}__{variant.orientation}.pdf"
    )


def main() -> int:
    try:
        missing = [source for source, _ in PLAN if not (HERE / source).is_file()]
        if missing:
            raise Missing(f"sources not found in {HERE}: {', '.join(missing)}")
        check_tools(v for _, variants in PLAN for v in variants)
        versions = {
            p: producer_version(p) for p in sorted({v.producer for _, vs in PLAN for v in vs})
        }
    except Missing as error:
        print(f"make_pdfs: {error}", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    rows: list[dict[str, str]] = []
    made: set[str] = set()
    incomplete = 0
    for source, variants in PLAN:
        report = read_source(HERE / source)
        for variant in variants:
            name = file_name(report, variant)
            if name in made:
                raise SystemExit(f"make_pdfs: two variants would both write {name}")
            made.add(name)
            geo = geometry(report, variant)
            target = OUT / name
            RENDERERS[variant.producer](report, variant, geo, target)
            result = measure(target, report, geo)
            print(
                f"{name}: {result.pages} pages, header on {result.header_repeats}, "
                f"body rows broken across pages {result.broken_rows}, "
                f"{target.stat().st_size // 1024} KB"
            )
            for miss in result.misses:
                print(f"  not located in the PDF: {miss}", file=sys.stderr)
            incomplete += len(result.misses)
            rows.append(
                {
                    "file": name,
                    "source": report.source,
                    "producer": variant.producer,
                    "producer_version": versions[variant.producer],
                    "font": variant.font,
                    "layout": variant.layout,
                    "orientation": variant.orientation,
                    "pages": str(result.pages),
                    "header_repeats": str(result.header_repeats),
                    "rows_broken_across_pages": str(len(result.broken_rows)),
                    "list_markers": variant.markers,
                }
            )
    for stale in OUT.glob("*.pdf"):
        if stale.name not in made:
            stale.unlink()
            print(f"removed {stale.name}: no longer in the plan")
    with MANIFEST.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=MANIFEST_COLUMNS, delimiter="\t", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {MANIFEST.relative_to(HERE.parent)} ({len(rows)} PDFs)")
    if incomplete:
        print(
            f"make_pdfs: {incomplete} cells not found in their PDFs: the counts of broken rows "
            "are lower bounds",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
