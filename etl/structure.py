"""What the rows of a report table mean: header, tool sections, indicators, items.

One interpretation for every format: a reader hands over ``RawDocument`` tables and this module
finds the header by what its cells say (not by position), drops the header repeated on every
page, reads tool sections ("๑. IIT (ร้อยละ ๓๐)"), reconciles indicator cells with the
framework, joins a row broken across a PDF page, and splits cells into items.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from etl.normalise.abbreviations import abbreviation_for_agency
from etl.normalise.dates import be_to_ce, year_to_be
from etl.normalise.indicators import compact, parse_indicator_cell
from etl.normalise.split import Piece, split_cell
from etl.normalise.text import normalise_plain, normalise_text, squash
from etl.normalise.thai import to_arabic_digits
from extractors.model import Cell, RawDocument, RawTable, Row
from schemas.errors import NoReportTableError, UnrecognisedColumnsError
from schemas.framework import Edition, edition_for
from schemas.records import ROLES, Entry, IndicatorRef, Item, Report, Role, Tool

ColumnRole = str
# Checked in this order: a result header ("สรุปผลการดำเนินการตามมาตรการ/กิจกรรม") also names
# the measures, an outcome header ("ผลลัพธ์หรือความสำเร็จของการดำเนินการ") the results.
COLUMN_KEYWORDS: tuple[tuple[ColumnRole, tuple[str, ...]], ...] = (
    ("unit", ("รับผิดชอบ", "ผู้ดำเนินการ", "หน่วยดำเนินการ", "หน่วยงานดำเนินการ")),
    ("outcome", ("ผลลัพธ์", "ความสำเร็จ", "ผลสัมฤทธิ์")),
    ("result", ("สรุปผล", "ผลการดำเนิน", "ผลการปฏิบัติ", "ผลดำเนินการ", "ผลดำเนินงาน", "ผลการจัด")),
    ("indicator", ("ตัวชี้วัด", "ประเด็นการประเมิน", "ประเด็นการวัด")),
    ("measure", ("มาตรการ", "กิจกรรม", "แนวทางการดำเนิน", "โครงการ")),
    ("seq", ("ลำดับ",)),
    ("period", ("ระยะเวลา", "ช่วงเวลา", "ห้วงเวลา", "กำหนดเวลา")),
)
_HEADER_CELL_MAX = 120
_TOOL = re.compile(r"\b(IIT|EIT|OIT)\b")
_WEIGHT = re.compile(r"ร้อยละ\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*%")
_TITLE_WORDS = ("รายงาน", "มาตรการ", "ส่งเสริมคุณธรรม", "ความโปร่งใส")
_FISCAL_YEAR = re.compile(r"(?:ปีงบประมาณ|ประจำปี)\s*(?:พ\.\s?ศ\.)?\s*(\d{4})|พ\.\s?ศ\.\s*(\d{4})")
_AGENCY_PREFIXES = (
    "องค์การบริหารส่วนตำบล",
    "องค์การบริหารส่วนจังหวัด",
    "เทศบาลตำบล",
    "เทศบาลเมือง",
    "เทศบาลนคร",
    "กรุงเทพมหานคร",
    "เมืองพัทยา",
    "สำนักงาน",
    "กรม",
    "กระทรวง",
    "มหาวิทยาลัย",
    "โรงพยาบาล",
    "สถาบัน",
    "ศูนย์",
    "การไฟฟ้า",
    "การประปา",
    "การท่าเรือ",
    "ธนาคาร",
    "องค์การ",
    "สภา",
)
# An agency name: a prefix, the rest of the word, and further words unless they start what
# follows a name in a title (the fiscal year, the district and province).
_AGENCY = (
    "(?:" + "|".join(_AGENCY_PREFIXES) + r")[\u0e01-\u0e4e]+"
    r"(?:\s(?!ประจำ|ปีงบ|พ\.ศ|อำเภอ|จังหวัด|ที่|เพื่อ|ตาม)[\u0e01-\u0e4e]+)*"
)
_AGENCY_AT_START = re.compile(_AGENCY)
_AGENCY_AFTER_WORD = re.compile(rf"(?:^|\s|ของ)({_AGENCY})")


def column_role(header_text: str) -> ColumnRole | None:
    text = compact(header_text)
    for role, keywords in COLUMN_KEYWORDS:
        if any(k in text for k in keywords):
            return role
    if text in ("ที่", "ข้อ"):
        return "seq"
    return None


def header_roles(row: Row) -> dict[int, ColumnRole] | None:
    """Column roles if ``row`` is a report table's header row, else None."""
    texts = row.texts
    if any(len(t) > _HEADER_CELL_MAX for t in texts):
        return None
    roles = {i: r for i, t in enumerate(texts) if t.strip() and (r := column_role(t))}
    found = set(roles.values())
    if "measure" in found and len(found & {"indicator", "result", "outcome", "unit"}) >= 1:
        return roles
    return None


def _distinct_texts(row: Row) -> list[str]:
    return list(dict.fromkeys(t for t in row.texts if t.strip()))


def tool_section(row: Row, edition: Edition) -> tuple[Tool, float | None] | None:
    """The tool and weight a section row opens ("๑. IIT (ร้อยละ ๓๐)"), or None."""
    texts = _distinct_texts(row)
    if len(texts) != 1:
        return None
    text = to_arabic_digits(texts[0])
    match = _TOOL.search(text)
    tool: Tool | None = match.group(1) if match else None  # type: ignore[assignment]
    if tool is None:
        packed = compact(text)
        for spec in edition.tools:
            if any(name in packed for name in (spec.name, *spec.aliases)):
                tool = spec.code
    if tool is None:
        return None
    weight = _WEIGHT.search(text)
    return tool, float(weight.group(1) or weight.group(2)) if weight else None


@dataclass
class _RowEntry:
    tool: Tool | None
    weight: float | None
    indicators: tuple[IndicatorRef, ...]
    warnings: list[str]
    pieces: dict[Role, list[Piece]] = field(default_factory=dict)
    first_page: int | None = None
    last_page: int | None = None


@dataclass
class _Columns:
    roles: dict[int, ColumnRole]
    header_texts: tuple[str, ...]

    def index_of(self, role: ColumnRole) -> int | None:
        return next((i for i, r in self.roles.items() if r == role), None)


def _is_repeated_header(row: Row, columns: _Columns) -> bool:
    texts = [compact(t) for t in row.texts]
    header = [compact(t) for t in columns.header_texts]
    same = sum(1 for a, b in zip(texts, header, strict=False) if a and a == b)
    return same >= max(2, len([h for h in header if h]) // 2) or header_roles(row) == columns.roles


class _Interpreter:
    def __init__(self, doc: RawDocument, edition: Edition) -> None:
        self.doc = doc
        self.edition = edition
        self.entries: list[_RowEntry] = []
        self.warnings: list[str] = []
        self.tool: Tool | None = None
        self.weight: float | None = None
        self.indicators: tuple[IndicatorRef, ...] = ()
        self.indicator_warnings: list[str] = []

    def run(self) -> tuple[RawTable, ...]:
        columns: _Columns | None = None
        used: list[RawTable] = []
        header_candidates: list[str] = []
        for table in self.doc.tables:
            start = 0
            found = None
            for index, row in enumerate(table.rows):
                roles = header_roles(row)
                if roles:
                    found, start = _Columns(roles, row.texts), index + 1
                    break
            if (
                found is None
                and columns is not None
                and len(table.rows)
                and _width(table.rows) == len(columns.header_texts)
            ):
                found = columns
            if found is None:
                if table.rows:
                    header_candidates.append(" | ".join(t for t in table.rows[0].texts if t)[:200])
                continue
            columns = found
            used.append(table)
            self._rows(table.rows[start:], columns)
        if not used:
            if not any(t.rows for t in self.doc.tables):
                raise NoReportTableError("no table found in the document")
            raise UnrecognisedColumnsError(
                "found a table but could not recognise its columns (need a measure column, "
                "e.g. 'มาตรการ/กิจกรรม', and one of indicator, result, outcome or unit); "
                f"first row: {header_candidates[0] if header_candidates else '?'}"
            )
        return tuple(used)

    def _rows(self, rows: Sequence[Row], columns: _Columns) -> None:
        indicator_col = columns.index_of("indicator")
        role_cols = [(i, r) for i, r in sorted(columns.roles.items()) if r in ROLES]
        for row in rows:
            if _is_repeated_header(row, columns):
                continue
            section = tool_section(row, self.edition)
            if section:
                self.tool, self.weight = section
                continue
            if self._indicator_context_row(row, indicator_col):
                continue
            cells = {
                i: row.cells[i] if i < len(row.cells) else Cell()
                for i in range(len(columns.header_texts))
            }
            ind_cell = cells.get(indicator_col) if indicator_col is not None else None
            measure_spans = any(cells[c].spanned for c, r in role_cols if r == "measure")
            pieces: dict[Role, list[Piece]] = {}
            for col, role in role_cols:
                cell = cells[col]
                # A cell spanning down from the row above belongs to this row too (one unit
                # responsible for two measures), unless this row continues the same measure.
                if not cell.is_empty and not (cell.spanned and measure_spans):
                    pieces.setdefault(role, []).extend(split_cell(cell))
            ind_text = ind_cell.text if ind_cell is not None and not ind_cell.spanned else ""
            page_break = row.starts_page and self.doc.format == "pdf"
            if self.entries and not ind_text and (measure_spans or page_break):
                self._continue_previous(pieces, row.page)
                continue
            if ind_text:
                self._set_indicators(ind_text)
            if not pieces and not ind_text:
                continue
            self._add_entry(pieces, row.page)

    def _indicator_context_row(self, row: Row, indicator_col: int | None) -> bool:
        """A one-text row naming an indicator in a table with no indicator column."""
        texts = _distinct_texts(row)
        if indicator_col is not None or len(texts) != 1 or "ตัวชี้วัด" not in compact(texts[0]):
            return False
        self._set_indicators(texts[0])
        return True

    def _set_indicators(self, text: str) -> None:
        parsed = parse_indicator_cell(squash(text), self.edition)
        self.indicators = parsed.indicators
        self.indicator_warnings = list(parsed.warnings)

    def _tool_for_entry(self, warnings: list[str]) -> Tool | None:
        framework_tools = {
            ind.tool
            for ref in self.indicators
            if ref.number and (ind := self.edition.indicator(ref.number))
        }
        if self.tool and framework_tools and self.tool not in framework_tools:
            warnings.append(
                f"indicators {[r.number for r in self.indicators]} belong to "
                f"{sorted(framework_tools)} in the framework but are listed under {self.tool}"
            )
        if self.tool:
            return self.tool
        return next(iter(framework_tools)) if len(framework_tools) == 1 else None

    def _add_entry(self, pieces: dict[Role, list[Piece]], page: int | None) -> None:
        warnings = list(self.indicator_warnings)
        self.indicator_warnings = []
        tool = self._tool_for_entry(warnings)
        if "measure" not in pieces:
            warnings.append("row has no measure")
        self.entries.append(
            _RowEntry(tool, self.weight, self.indicators, warnings, pieces, page, page)
        )

    def _continue_previous(self, pieces: dict[Role, list[Piece]], page: int | None) -> None:
        """A row broken by a page break (its rest is on the new page), or a row under a
        measure cell spanning down from the previous one: both belong to that entry."""
        previous = self.entries[-1]
        for role, more in pieces.items():
            previous.pieces.setdefault(role, []).extend(more)
        previous.last_page = page


def _width(rows: Sequence[Row]) -> int:
    return max(len(r.cells) for r in rows)


def _title_block(lines: Sequence[str]) -> list[str]:
    """The report title: from the first line that reads like one to the fiscal-year line."""
    lines = [squash(line) for line in lines if line.strip()]
    start = next((i for i, line in enumerate(lines) if any(w in line for w in _TITLE_WORDS)), None)
    if start is None:
        return lines[-3:]
    block = lines[start : start + 4]
    for end, line in enumerate(block):
        if _FISCAL_YEAR.search(to_arabic_digits(line)):
            return block[: end + 1]
    return block[:2]


def _find_agency(lines: Sequence[str]) -> str | None:
    """The agency a title names: a name after "ของ" ("…ภายในของกรมส่งเสริม…"), a line that
    is a name, or a name starting a word; Thai has no spaces, so a prefix inside a word
    ("โปร่งใสภายใน" holds "สภา") must not count."""
    for line in lines:
        for of in re.finditer(r"ของ\s*", line):
            match = _AGENCY_AT_START.match(line, of.end())
            if match:
                return squash(match.group(0))
    for line in lines:
        match = _AGENCY_AT_START.match(line)
        if match:
            return squash(match.group(0))
    for line in lines:
        found = _AGENCY_AFTER_WORD.search(line)
        if found:
            return squash(found.group(1))
    return None


def read_report(lines: Sequence[str]) -> tuple[Report, list[str]]:
    """Agency and fiscal year from the lines above the table."""
    warnings: list[str] = []
    block = _title_block(lines)
    title = normalise_plain(" ".join(block)) if block else None
    searchable = [to_arabic_digits(squash(line)) for line in (*block, *lines)]
    year_be = None
    for line in searchable:
        match = _FISCAL_YEAR.search(line)
        if match:
            year_be = year_to_be(int(match.group(1) or match.group(2)))
            break
    agency = _find_agency(searchable)
    if agency is None:
        warnings.append("agency not found in the title block")
    if year_be is None:
        warnings.append("fiscal year not found in the title block")
    abbr = abbreviation_for_agency(agency) if agency else None
    ce = be_to_ce(year_be) if year_be else None
    return Report(title, agency, abbr, year_be, ce), warnings


def build_entries(
    doc: RawDocument,
) -> tuple[Report, tuple[Entry, ...], tuple[str, ...], Counter[str]]:
    """Interpret a ``RawDocument``: its report header, entries, warnings and repair counts."""
    first_lines = doc.tables[0].preceding_lines if doc.tables else ()
    report, warnings = read_report(first_lines)
    edition, covered = edition_for(report.fiscal_year_be)
    if report.fiscal_year_be and not covered:
        warnings.append(
            f"no ITA framework on file for fiscal year {report.fiscal_year_be}; indicators "
            f"matched against the {edition.from_be}-{edition.to_be} framework"
        )
    interpreter = _Interpreter(doc, edition)
    used = interpreter.run()
    if used and used[0] is not doc.tables[0] and not (report.agency and report.fiscal_year_be):
        report, warnings = read_report(used[0].preceding_lines)
    counts: Counter[str] = Counter()
    corrected: Counter[str] = Counter()
    entries = []
    for raw in interpreter.entries:
        items: list[Item] = []
        for role in ROLES:
            for ordinal, piece in enumerate(raw.pieces.get(role, []), start=1):
                norm = normalise_text(piece.text, report.agency_abbr)
                counts["wrap_space_removed"] += norm.wrap_spaces_removed
                corrected.update(c.original for c in norm.corrections)
                heading = (
                    normalise_plain(piece.heading, report.agency_abbr) if piece.heading else None
                )
                items.append(
                    Item(
                        role,
                        ordinal,
                        heading,
                        norm.text,
                        norm.source,
                        piece.marker,
                        norm.refs,
                        norm.corrections,
                    )
                )
        pages = (
            (raw.first_page, raw.last_page)
            if doc.format == "pdf" and raw.first_page and raw.last_page
            else None
        )
        entries.append(
            Entry(raw.tool, raw.weight, raw.indicators, tuple(items), tuple(raw.warnings), pages)
        )
    if corrected:
        forms = ", ".join(f"{form} ×{n}" for form, n in corrected.most_common())
        warnings.append(
            f"corrected garbled forms of the agency abbreviation {report.agency_abbr}: {forms}"
        )
        counts["agency_abbr_corrected"] = sum(corrected.values())
    if not entries:
        warnings.append("the report table has no rows with measures")
    return report, tuple(entries), tuple(warnings), counts
