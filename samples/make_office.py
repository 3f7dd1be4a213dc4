"""Write the sample reports as Word and Excel files, as agencies make them, and Word's PDFs.

Agencies type these reports in Word (or LibreOffice) and publish the .docx, its PDF, or both;
OIT evidence is often kept in Excel. The readers for .docx, .xlsx and borderless PDF tables
need such files whose true text is known, so this script is run by hand and its output is
committed (the tests need neither python-docx's writer nor LibreOffice):

    .venv/bin/python samples/make_office.py

For every source in ``PLAN`` (the HTML and Markdown samples, read by ``make_pdfs.read_source``)
it writes:

- ``docx/<stem>__<font>__<layout>.docx`` with python-docx: a real table with merged cells
  (``gridSpan``, ``vMerge``), the header row repeated on each page, and lists as Word lists
  (numbering.xml definitions, never typed). ``ruled`` files turn each typed marker of the
  source ("- ", "๑. ", "1. ") into a Word list whose label draws that marker, restarting or
  continuing the count as the source does; the title's two lines are one paragraph split by
  a manual line break; a page header, a footer with the page number and a text box carry
  text that is not the report's. ``borderless`` files are the layout of issue 11: no borders
  at all, narrow columns (units wrap over two or three lines), space after each paragraph
  inside cells, and every list item a Word "•" bullet paragraph that keeps its typed "- ".
- ``docx/<same stem>.pdf``: that .docx converted by ``soffice --headless --convert-to pdf``.
- ``xlsx/<stem>.xlsx`` with openpyxl: one sheet, the title lines in rows merged across the
  table, the header, section rows merged across, rowspans merged down, a cell's paragraphs as
  lines (Alt+Enter), bold and underlined headings as rich text.
- ``docx/MANIFEST.tsv`` and ``xlsx/MANIFEST.tsv``.

Nothing in the text is changed: every character of a cell is the source's, white space
collapsed as a browser does; a typed marker moves into the list label that draws it.
Timestamps inside the ZIPs and PDFs are fixed, so re-running does not churn the files.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import make_pdfs
from make_pdfs import (
    _TBL_PR_ORDER,
    AUTHOR,
    FIXED_DATE,
    FONT_SIZES,
    W_NS,
    Line,
    Para,
    Report,
    Run,
    _pin_pdf,
    _schema_order,
    _set_fonts,
    _size_cs,
    _soffice,
    _w,
    column_fractions,
    read_source,
)

HERE = Path(__file__).resolve().parent
DOCX = HERE / "docx"
XLSX = HERE / "xlsx"

Layout = Literal["ruled", "borderless"]


@dataclass(frozen=True)
class Variant:
    font: str
    layout: Layout
    space_after: float = 0.0
    """Space after each paragraph inside body cells, in points (Word's default Normal style
    has 8 pt, with lines 1.08 apart)."""
    line: int = 240
    """Line spacing in 240ths of a line (w:spacing w:line, lineRule auto)."""


WORD_DEFAULT = {"space_after": 8.0, "line": 259}
PLAN: tuple[tuple[str, tuple[Variant, ...]], ...] = (
    (
        "dla_2566.html",
        (
            Variant("Laksaman", "ruled"),
            Variant("Umpush", "borderless", 6.0),
            Variant("Laksaman", "borderless", **WORD_DEFAULT),
        ),
    ),
    (
        "dla_2567.html",
        (
            Variant("Laksaman", "ruled"),
            Variant("Waree", "borderless", 6.0),
            Variant("Kinnari", "borderless", **WORD_DEFAULT),
        ),
    ),
    (
        "obt_nongbua_2567.md",
        (
            Variant("Laksaman", "ruled"),
            Variant("Sawasdee", "borderless", 6.0),
            Variant("Loma", "borderless", **WORD_DEFAULT),
        ),
    ),
)
XLSX_SOURCES = ("dla_2566.html", "dla_2567.html", "obt_nongbua_2567.md")

# A typed list marker at the start of a line: a dash or bullet, or an item number.
_TYPED = re.compile(r"^(?P<mark>[-•]|(?P<n>[0-9๐-๙]{1,2})(?P<suffix>[.)]))\s+(?=\S)")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


# ---------------------------------------------------------------------------------------------
# Word lists: which paragraphs are list items, and the numbering definitions that draw them.


@dataclass(frozen=True)
class Label:
    """What a Word list draws before a paragraph: a bullet glyph, or a number in a format."""

    fmt: Literal["bullet", "decimal", "thaiNumbers"]
    text: str  # lvlText: "-", "•", "%1.", "%1)"
    number: int | None = None


@dataclass(frozen=True)
class DocPara:
    lines: tuple[Line, ...]
    label: Label | None = None


def _strip_chars(line: Line, count: int) -> Line:
    """The line without its first ``count`` characters (a typed marker moved to a label)."""
    runs: list[Run] = []
    for run in line:
        if count >= len(run.text):
            count -= len(run.text)
            continue
        runs.append(replace(run, text=run.text[count:]))
        count = 0
    return tuple(runs)


def _typed_label(line: Line) -> tuple[Label, Line] | None:
    text = "".join(r.text for r in line)
    found = _TYPED.match(text)
    if not found:
        return None
    rest = _strip_chars(line, found.end())
    if not found.group("n"):
        return Label("bullet", found.group("mark")), rest
    digits = found.group("n")
    fmt: Literal["decimal", "thaiNumbers"] = "decimal" if digits.isascii() else "thaiNumbers"
    number = int(digits.translate(_THAI_DIGITS))
    return Label(fmt, f"%1{found.group('suffix')}", number), rest


def _split_inline_numbers(label: Label, line: Line) -> list[tuple[Label, Line]]:
    """ "๑. a ๒. b" typed in one paragraph: one numbered paragraph per number in sequence."""
    out: list[tuple[Label, Line]] = []
    current, rest = label, line
    while current.number is not None:
        following = current.number + 1
        digits = str(following)
        if current.fmt == "thaiNumbers":
            digits = digits.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
        text = "".join(r.text for r in rest)
        found = re.search(rf" {digits}{re.escape(current.text[-1])} (?=\S)", text)
        if not found:
            break
        out.append((current, _cut(rest, 0, found.start())))
        rest = _cut(rest, found.end(), len(text))
        current = replace(current, number=following)
    out.append((current, rest))
    return out


def _cut(line: Line, start: int, end: int) -> Line:
    runs: list[Run] = []
    at = 0
    for run in line:
        a, b = max(start - at, 0), min(end - at, len(run.text))
        if a < b:
            runs.append(replace(run, text=run.text[a:b]))
        at += len(run.text)
    return tuple(runs)


def word_lists(paras: Sequence[Para]) -> list[DocPara]:
    """A cell's paragraphs with each typed marker turned into a Word list label: a line that
    starts with one becomes a list paragraph; a line that does not stays in the paragraph
    above it after a manual line break."""
    out: list[DocPara] = []
    for para in paras:
        current: list[Line] = []
        label: Label | None = None
        for line in para.lines:
            typed = _typed_label(line)
            if typed is None:
                current.append(line)
                continue
            if current:
                out.append(DocPara(tuple(current), label))
            label, rest = typed
            pieces = _split_inline_numbers(label, rest) if label.number else [(label, rest)]
            for piece_label, piece in pieces[:-1]:
                out.append(DocPara((piece,), piece_label))
            label, last = pieces[-1]
            current = [last]
        if current:
            out.append(DocPara(tuple(current), label))
    return out


def bullet_lists(paras: Sequence[Para]) -> list[DocPara]:
    """Every paragraph that starts with a typed dash a Word "•" bullet paragraph, the
    typed "- " kept after the bullet, as authors who click the bullet button over their
    dashes leave them."""
    return [DocPara(p.lines, Label("bullet", "•") if _typed_dash(p) else None) for p in paras]


def _typed_dash(para: Para) -> bool:
    typed = _typed_label(para.lines[0]) if para.lines else None
    return typed is not None and typed[0].text == "-"


class Numbering:
    """numbering.xml: one abstract list per label kind; a new ``w:num`` with a
    ``startOverride`` for each list that restarts its count, the same ``w:num`` for
    paragraphs that continue one ("๑. IIT" … "๒. EIT" across the table's section rows)."""

    def __init__(self, document: Any) -> None:
        self.element = document.part.numbering_part.element
        self.abstracts: dict[tuple[str, str], int] = {}
        self.next_id = 10
        self.lists: dict[str, tuple[int, Label]] = {}

    def num_for(self, label: Label, thread: str) -> int:
        """The ``w:num`` for a paragraph; ``thread`` names the list it may continue."""
        known = self.lists.get(thread)
        if known is not None:
            num_id, last = known
            same = (last.fmt, last.text) == (label.fmt, label.text)
            if same and (label.number is None or label.number == (last.number or 0) + 1):
                self.lists[thread] = (num_id, label)
                return num_id
        abstract = self._abstract(label)
        num_id = self.next_id
        self.next_id += 1
        override = (
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{label.number}"/></w:lvlOverride>'
            if label.number is not None
            else ""
        )
        self._append(
            f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}">'
            f'<w:abstractNumId w:val="{abstract}"/>{override}</w:num>'
        )
        self.lists[thread] = (num_id, label)
        return num_id

    def _abstract(self, label: Label) -> int:
        key = (label.fmt, label.text)
        if key not in self.abstracts:
            abstract_id = 100 + len(self.abstracts)
            self.abstracts[key] = abstract_id
            from docx.oxml import parse_xml

            levels = "".join(
                f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{label.fmt}"/>'
                f'<w:lvlText w:val="{label.text.replace("%1", f"%{i + 1}")}"/>'
                f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{360 + 360 * i}" '
                'w:hanging="360"/></w:pPr></w:lvl>'
                for i in range(3)
            )
            abstract = parse_xml(
                f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{abstract_id}">'
                f'<w:multiLevelType w:val="hybridMultilevel"/>{levels}</w:abstractNum>'
            )
            first_num = self.element.find(_w("num"))
            if first_num is not None:
                first_num.addprevious(abstract)
            else:
                self.element.append(abstract)
        return self.abstracts[key]

    def _append(self, xml: str) -> None:
        from docx.oxml import parse_xml

        self.element.append(parse_xml(xml))


# ---------------------------------------------------------------------------------------------
# The Word document.

PT_PER_CM = 72 / 2.54
A4 = (595.28, 841.89)
MARGINS = (2.0 * PT_PER_CM, 2.0 * PT_PER_CM, 2.0 * PT_PER_CM, 2.5 * PT_PER_CM)


def column_widths(report: Report, layout: Layout) -> tuple[float, ...]:
    """Ruled files spread the columns by their text (as make_pdfs does); borderless files
    squeeze the short columns (indicator, unit) as tight as authors drag them, so their
    text wraps over two or three lines."""
    width = A4[0] - MARGINS[1] - MARGINS[3]
    fractions = list(column_fractions(report))
    if layout == "borderless":
        longest = max(fractions)
        fractions = [f if f == longest else f * 0.8 for f in fractions]
        total = sum(fractions)
        fractions = [f / total for f in fractions]
    return tuple(round(f * width, 2) for f in fractions)


def _bold_runs(paragraph: Any, lines: Sequence[Line], bold_all: bool) -> None:
    from docx.oxml import OxmlElement

    for index, line in enumerate(lines):
        if index:
            paragraph.add_run().add_break()
        for run in line:
            r = paragraph.add_run(run.text)
            if run.bold or bold_all:
                rpr = r._r.get_or_add_rPr()
                for tag in ("w:b", "w:bCs"):
                    rpr.append(OxmlElement(tag))
            if run.underline:
                r.underline = True


def _list_paragraph(paragraph: Any, num_id: int) -> None:
    from docx.oxml import OxmlElement

    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(_w("val"), "0")
    nid = OxmlElement("w:numId")
    nid.set(_w("val"), str(num_id))
    numpr.extend([ilvl, nid])
    ppr.insert(0, numpr)


def _text_box(paragraph: Any, text: str) -> None:
    """A floating VML text box anchored to the paragraph (the "ด่วนที่สุด" stamp of letters):
    drawn on the page, not part of the report's text."""
    from docx.oxml import parse_xml

    run = parse_xml(
        f'<w:r xmlns:w="{W_NS}" xmlns:v="urn:schemas-microsoft-com:vml">'
        '<w:pict><v:shape id="stamp" type="#_x0000_t202" '
        'style="position:absolute;margin-left:360pt;margin-top:-30pt;width:90pt;height:22pt;'
        'z-index:1" filled="f" stroked="t"><v:textbox><w:txbxContent><w:p><w:r>'
        f"<w:t>{text}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    paragraph._p.append(run)


def build_docx(report: Report, variant: Variant, target: Path) -> None:
    import docx
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    size = FONT_SIZES.get(variant.font, 12)
    ruled = variant.layout == "ruled"
    document = docx.Document()
    core = document.core_properties
    core.author = core.last_modified_by = AUTHOR
    core.title = report.title[0].text if report.title else report.source
    core.created = core.modified = FIXED_DATE.replace(tzinfo=None)
    core.revision = 1

    styles = document.styles.element
    defaults = styles.find(_w("docDefaults"))
    _set_fonts(defaults.find(_w("rPrDefault")).find(_w("rPr")), variant.font, size)
    spacing = defaults.find(_w("pPrDefault")).find(_w("pPr")).find(_w("spacing"))
    for attr, value in (("after", "0"), ("line", str(variant.line)), ("lineRule", "auto")):
        spacing.set(_w(attr), value)
    _set_fonts(document.styles["Normal"].element.get_or_add_rPr(), variant.font, size)

    section = document.sections[0]
    section.page_width, section.page_height = Pt(A4[0]), Pt(A4[1])
    top, right, bottom, left = MARGINS
    section.top_margin, section.right_margin = Pt(top), Pt(right)
    section.bottom_margin, section.left_margin = Pt(bottom), Pt(left)
    if ruled:
        section.header.paragraphs[0].text = "ฉบับเผยแพร่ต่อสาธารณะ"
        section.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("หน้า ")
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
            run = footer.add_run()
            if kind:
                fld = OxmlElement("w:fldChar")
                fld.set(_w("fldCharType"), kind)
                run._r.append(fld)
            else:
                instr = OxmlElement("w:instrText")
                instr.text = text
                run._r.append(instr)

    title_lines = [line for para in report.title for line in para.lines]
    if ruled and title_lines:
        # The title typed as one paragraph, its lines ended by Shift+Enter.
        title_paras = [DocPara(tuple(title_lines))]
    else:
        title_paras = [DocPara(p.lines) for p in report.title]
    for index, para in enumerate(title_paras):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _bold_runs(paragraph, para.lines, bold_all=True)
        for run in paragraph.runs:
            run.font.size = Pt(size + 2)
            run._r.get_or_add_rPr().find(_w("sz")).addnext(_size_cs(size + 2))
        if ruled and index == 0:
            _text_box(paragraph, "เอกสารแนบ ๑")
    if title_paras:
        document.paragraphs[-1].paragraph_format.space_after = Pt(8)

    numbering = Numbering(document)
    widths = column_widths(report, variant.layout)
    rows = (*report.header, *report.body)
    table = document.add_table(rows=len(rows), cols=report.ncols)
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(_w("type"), "fixed")
    tbl_pr.append(layout)
    width = OxmlElement("w:tblW")
    width.set(_w("w"), str(round(sum(widths) * 20)))
    width.set(_w("type"), "dxa")
    for old in tbl_pr.findall(_w("tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        if ruled:
            for attr, value in (("val", "single"), ("sz", "4"), ("space", "0")):
                el.set(_w(attr), value)
            el.set(_w("color"), "000000")
        else:
            el.set(_w("val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)
    _schema_order(tbl_pr, _TBL_PR_ORDER)
    for gc, w in zip(table._tbl.tblGrid.findall(_w("gridCol")), widths, strict=True):
        gc.set(_w("w"), str(round(w * 20)))
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.width = Pt(widths[c])
        if r < len(report.header):
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))

    for r, cells in enumerate(rows):
        header = r < len(report.header)
        for spec in cells:
            cell = table.cell(r, spec.col)
            if spec.rowspan > 1 or spec.colspan > 1:
                cell = cell.merge(table.cell(r + spec.rowspan - 1, spec.col + spec.colspan - 1))
            full_width = spec.colspan == report.ncols
            paras = word_lists(spec.paras) if ruled else bullet_lists(spec.paras)
            thread = "sections" if full_width else f"cell {r} {spec.col}"
            for index, para in enumerate(paras):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                if header:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif variant.space_after:
                    paragraph.paragraph_format.space_after = Pt(variant.space_after)
                if para.label is not None:
                    _list_paragraph(paragraph, numbering.num_for(para.label, thread))
                _bold_runs(paragraph, para.lines, bold_all=header)
            if header:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for para in report.notes:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(6)
        _bold_runs(paragraph, para.lines, bold_all=False)
    buffer = io.BytesIO()
    document.save(buffer)
    target.write_bytes(pinned_zip(buffer.getvalue()))


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def pinned_zip(data: bytes) -> bytes:
    """The same ZIP with every member's timestamp fixed, and the document's "modified" date
    (openpyxl sets it to now on saving), so re-running writes the same bytes."""
    out = io.BytesIO()
    stamp = FIXED_DATE.timetuple()[:6]
    modified = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + modified + rb"\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()


def to_pdf(source: Path, target: Path) -> int:
    """``soffice --headless --convert-to pdf`` with a throw-away profile; the page count."""
    import pdfplumber

    with tempfile.TemporaryDirectory(prefix="ita-etl-lo-") as tmp:
        work = Path(tmp)
        profile = (work / "profile").as_uri()
        cmd = [
            _soffice(),
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
        produced = work / f"{source.stem}.pdf"
        if done.returncode != 0 or not produced.exists():
            raise RuntimeError(f"soffice failed on {source.name}: {done.stdout}{done.stderr}")
        target.write_bytes(_pin_pdf(produced.read_bytes(), target.stem))
    with pdfplumber.open(target) as pdf:
        return len(pdf.pages)


# ---------------------------------------------------------------------------------------------
# The Excel workbook.


def _rich(paras: Sequence[Para], bold_all: bool) -> Any:
    """A cell's paragraphs as lines; rich text where a run is bold or underlined."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    lines = [line for para in paras for line in para.lines]
    plain = "\n".join("".join(r.text for r in line) for line in lines)
    if bold_all or not any(r.bold or r.underline for line in lines for r in line):
        return plain
    parts: list[Any] = []
    for index, line in enumerate(lines):
        if index:
            parts.append("\n")
        for run in line:
            if run.bold or run.underline:
                font = InlineFont(b=run.bold or None, u="single" if run.underline else None)
                parts.append(TextBlock(font, run.text))
            else:
                parts.append(run.text)
    return CellRichText(parts)


def build_xlsx(report: Report, target: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "รายงาน"
    workbook.properties.creator = workbook.properties.lastModifiedBy = AUTHOR
    workbook.properties.created = workbook.properties.modified = FIXED_DATE.replace(tzinfo=None)
    font = "TH SarabunPSK"
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 1
    for para in report.title:
        for line in para.lines:
            cell = sheet.cell(row, 1, "".join(r.text for r in line))
            cell.font = Font(name=font, size=16, bold=True)
            cell.alignment = Alignment(horizontal="center")
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=report.ncols)
            row += 1
    for index, cells in enumerate((*report.header, *report.body)):
        header = index < len(report.header)
        for spec in cells:
            cell = sheet.cell(row, spec.col + 1, _rich(spec.paras, header))
            cell.font = Font(name=font, size=14, bold=header)
            cell.alignment = wrap
            if spec.rowspan > 1 or spec.colspan > 1:
                sheet.merge_cells(
                    start_row=row,
                    start_column=spec.col + 1,
                    end_row=row + spec.rowspan - 1,
                    end_column=spec.col + spec.colspan,
                )
        row += 1
    for para in report.notes:
        row += 1
        sheet.cell(row, 1, para.text).font = Font(name=font, size=14)
    for col, fraction in enumerate(column_fractions(report), start=1):
        sheet.column_dimensions[get_column_letter(col)].width = round(120 * fraction, 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    target.write_bytes(pinned_zip(buffer.getvalue()))


# ---------------------------------------------------------------------------------------------
# The run.

DOCX_COLUMNS = (
    *("file", "source", "font", "layout", "space_after_pt", "line_spacing", "lists", "pdf"),
    *("pdf_producer", "pdf_pages"),
)
XLSX_COLUMNS = ("file", "source", "sheets")


def file_stem(source: str, variant: Variant) -> str:
    return f"{Path(source).stem}__{variant.font}__{variant.layout}"


def _write_manifest(path: Path, columns: Sequence[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> int:
    try:
        make_pdfs.check_tools(
            make_pdfs.Variant("libreoffice", v.font, "ruled", "portrait")
            for _, variants in PLAN
            for v in variants
        )
        import openpyxl  # noqa: F401

        version = make_pdfs.producer_version("libreoffice")
    except (make_pdfs.Missing, ImportError) as error:
        print(f"make_office: {error}", file=sys.stderr)
        return 2
    DOCX.mkdir(exist_ok=True)
    XLSX.mkdir(exist_ok=True)
    docx_rows: list[dict[str, str]] = []
    made: set[str] = set()
    for source, variants in PLAN:
        report = read_source(HERE / source)
        for variant in variants:
            stem = file_stem(source, variant)
            docx_path, pdf_path = DOCX / f"{stem}.docx", DOCX / f"{stem}.pdf"
            build_docx(report, variant, docx_path)
            pages = to_pdf(docx_path, pdf_path)
            made.update({docx_path.name, pdf_path.name})
            print(f"{docx_path.name}: {docx_path.stat().st_size // 1024} KB; PDF {pages} pages")
            docx_rows.append(
                {
                    "file": docx_path.name,
                    "source": report.source,
                    "font": variant.font,
                    "layout": variant.layout,
                    "space_after_pt": f"{variant.space_after:g}",
                    "line_spacing": f"{variant.line / 240:.2f}",
                    "lists": "word-numbering" if variant.layout == "ruled" else "word-bullets",
                    "pdf": pdf_path.name,
                    "pdf_producer": f"libreoffice {version}",
                    "pdf_pages": str(pages),
                }
            )
    xlsx_rows: list[dict[str, str]] = []
    for source in XLSX_SOURCES:
        report = read_source(HERE / source)
        target = XLSX / f"{Path(source).stem}.xlsx"
        build_xlsx(report, target)
        made.add(target.name)
        print(f"{target.name}: {target.stat().st_size // 1024} KB")
        xlsx_rows.append({"file": target.name, "source": report.source, "sheets": "1"})
    for folder in (DOCX, XLSX):
        for stale in folder.iterdir():
            if stale.suffix in (".docx", ".pdf", ".xlsx") and stale.name not in made:
                stale.unlink()
                print(f"removed {stale.name}: no longer in the plan")
    _write_manifest(DOCX / "MANIFEST.tsv", DOCX_COLUMNS, docx_rows)
    _write_manifest(XLSX / "MANIFEST.tsv", XLSX_COLUMNS, xlsx_rows)
    print(f"wrote {len(docx_rows)} .docx with their PDFs and {len(xlsx_rows)} .xlsx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
