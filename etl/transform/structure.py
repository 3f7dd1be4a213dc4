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

from etl.transform.normalise.abbreviations import abbreviation_for_agency
from etl.transform.normalise.dates import be_to_ce, year_to_be
from etl.transform.normalise.indicators import (
    compact,
    names_a_framework_indicator,
    parse_indicator_cell,
)
from etl.transform.normalise.split import split_cell
from etl.transform.normalise.text import normalise_plain, normalise_text, squash
from extractors.model import Block, Cell, RawDocument, RawTable, Row
from extractors.thai.chars import to_arabic_digits
from schemas.errors import NoReportTableError, UnrecognisedColumnsError
from schemas.framework import Edition, edition_for
from schemas.records import ROLES, Entry, IndicatorRef, Item, Report, Role, Tool
from schemas.table_words import ColumnRole, column_role, tool_named

_HEADER_CELL_MAX = 120
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
    "(?:" + "|".join(_AGENCY_PREFIXES) + r")[\u0e01-\u0e4e]*"
    r"(?:\s(?!ประจำ|ปีงบ|พ\.ศ|อำเภอ|จังหวัด|ที่|เพื่อ|ตาม)[\u0e01-\u0e4e]+)*"
)
_AGENCY_AT_START = re.compile(_AGENCY)
_AGENCY_AFTER_WORD = re.compile(rf"(?:^|\s|ของ)({_AGENCY})")


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


def tool_section(row: Row) -> tuple[Tool, float | None] | None:
    """The tool and weight a section row opens ("๑. IIT (ร้อยละ ๓๐)"), or None."""
    texts = _distinct_texts(row)
    if len(texts) != 1:
        return None
    text = to_arabic_digits(texts[0])
    tool = tool_named(text)
    if tool is None:
        return None
    weight = _WEIGHT.search(text)
    return tool, float(weight.group(1) or weight.group(2)) if weight else None


@dataclass
class _RowEntry:
    """An entry being assembled from one row, or from a row and its continuations."""

    tool: Tool | None
    weight: float | None
    indicator_text: str
    indicators: tuple[IndicatorRef, ...]
    indicator_warnings: list[str]
    blocks: dict[Role, list[Block]] = field(default_factory=dict)
    """Each role's cell content; a row continued on the next page adds its blocks here, so
    a sentence cut by the page break is joined back before the cell is split into items."""
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
        self.indicator_text = ""
        self.indicators: tuple[IndicatorRef, ...] = ()
        self.indicator_warnings: list[str] = []
        self.indicator_cells_span = False
        self.held: dict[Role, list[Block]] = {}
        self.last_page: int | None = None

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
            self._rows(table.rows[start:], columns, table.continues)
        if not used:
            if not any(t.rows for t in self.doc.tables):
                notes = "".join(f"; {w}" for w in self.doc.warnings)
                raise NoReportTableError(f"no table found in the document{notes}")
            raise UnrecognisedColumnsError(
                "found a table but could not recognise its columns (need a measure column, "
                "e.g. 'มาตรการ/กิจกรรม', and one of indicator, result, outcome or unit); "
                f"first row: {header_candidates[0] if header_candidates else '?'}"
            )
        return tuple(used)

    def _rows(self, rows: Sequence[Row], columns: _Columns, continues: bool | None) -> None:
        indicator_col = columns.index_of("indicator")
        role_cols = [(i, r) for i, r in sorted(columns.roles.items()) if r in ROLES]
        reader_says = continues
        for index, row in enumerate(rows):
            if _is_repeated_header(row, columns):
                continue
            section = tool_section(row)
            if section:
                self.tool, self.weight = section
                reader_says = None
                continue
            if self._indicator_context_row(row, indicator_col):
                reader_says = None
                continue
            cells = {
                i: row.cells[i] if i < len(row.cells) else Cell()
                for i in range(len(columns.header_texts))
            }
            ind_cell = cells.get(indicator_col) if indicator_col is not None else None
            measure_spans = any(cells[c].spanned for c, r in role_cols if r == "measure")
            blocks: dict[Role, list[Block]] = {}
            for col, role in role_cols:
                cell = cells[col]
                # A cell spanning down from the row above belongs to this row too (one unit
                # responsible for two measures), unless this row continues the same measure.
                if not cell.is_empty and not (cell.spanned and measure_spans):
                    blocks.setdefault(role, []).extend(cell.blocks)
            ind_spanned = ind_cell is not None and ind_cell.spanned
            ind_text = ind_cell.text if ind_cell is not None and not ind_spanned else ""
            self.indicator_cells_span |= ind_spanned
            said, reader_says = reader_says, None
            if (
                not blocks
                and ind_text
                and not any(r.number for r in self._parse_indicators(ind_text)[0])
            ):
                self.warnings.append(
                    f"ignored a row with no items that names no indicator: {squash(ind_text)[:80]}"
                )
                continue
            if self.entries and self._continues(row, blocks, ind_text, measure_spans, said):
                self._continue_previous(blocks, ind_text, row.page)
            elif blocks and not ind_text and "measure" not in blocks and self.entries:
                self._sub_row(blocks, row.page, last_on_page=index == len(rows) - 1)
            elif blocks or ind_text:
                self._add_entry(blocks, ind_text, row.page)
            self.last_page = row.page

    def _continues(
        self,
        row: Row,
        blocks: dict[Role, list[Block]],
        ind_text: str,
        measure_spans: bool,
        reader_says: bool | None,
    ) -> bool:
        """Whether a row belongs to the previous entry.

        A row under a measure cell spanning down from above does. At the top of a PDF page a
        row is the rest of one the page break cut if the reader saw that (a ruled table
        whose last row on the previous page has no bottom rule), even if it brings the rest
        of the indicator cell too. When the reader cannot tell, the row's content decides:
        a cut row's cells that ended before the break are empty in its rest, while a new
        row fills the cells its layout fills. So a row with no indicator is a rest unless
        the document merges indicator cells over measure rows and the row has every part
        the previous row had; a row with an indicator is a new row unless that indicator
        text opens no indicator of its own ("การทุจริต") or the row lacks parts the previous
        row had.
        """
        if measure_spans and not ind_text:
            return True
        if reader_says is not None:
            return reader_says
        page_break = (
            self.doc.format == "pdf" and self.last_page is not None and row.page != self.last_page
        )
        if not page_break:
            if not ind_text and "measure" in blocks:
                self.indicator_cells_span = True
            return False
        if self.held:
            return False
        previous = self.entries[-1]
        lacks = any(role not in blocks for role in previous.blocks)
        if ind_text:
            cut_indicator = not any(ref.number for ref in previous.indicators)
            return lacks or cut_indicator or not self._opens_indicator(ind_text)
        return lacks or not self.indicator_cells_span

    def _sub_row(
        self, blocks: dict[Role, list[Block]], page: int | None, last_on_page: bool
    ) -> None:
        """A row with neither an indicator nor a measure: more results, outcomes or units of
        the row above, except at the foot of a PDF page, where it is a merged cell that the
        producer drew before the rows it belongs to moved to the next page (WeasyPrint
        does): then it goes to the next entry."""
        if last_on_page and self.doc.format == "pdf":
            for role, more in blocks.items():
                self.held.setdefault(role, []).extend(more)
        else:
            self._continue_previous(blocks, "", page)

    def _opens_indicator(self, text: str) -> bool:
        """Whether an indicator cell's text starts an indicator ("ตัวชี้วัดที่ ๑๐…", "๑๐ …",
        a framework name) rather than ending one cut by a page break ("การทุจริต")."""
        packed = to_arabic_digits(compact(text))
        if re.match(r"ตัวชี้วัด|\d{1,2}\b", packed):
            return True
        names = (n for i in self.edition.indicators for n in (i.name, *i.aliases))
        return any(packed.startswith(name) for name in names)

    def _indicator_context_row(self, row: Row, indicator_col: int | None) -> bool:
        """A one-text row naming an indicator in a table with no indicator column."""
        texts = _distinct_texts(row)
        if indicator_col is not None or len(texts) != 1 or "ตัวชี้วัด" not in compact(texts[0]):
            return False
        self.indicator_text = texts[0]
        self.indicators, self.indicator_warnings = self._parse_indicators(texts[0])
        return True

    def _parse_indicators(self, text: str) -> tuple[tuple[IndicatorRef, ...], list[str]]:
        parsed = parse_indicator_cell(squash(text), self.edition)
        return parsed.indicators, list(parsed.warnings)

    def _add_entry(self, blocks: dict[Role, list[Block]], ind_text: str, page: int | None) -> None:
        warnings: list[str] = []
        if ind_text:
            self.indicator_text = ind_text
            self.indicators, warnings = self._parse_indicators(ind_text)
        elif self.indicator_warnings:
            warnings, self.indicator_warnings = self.indicator_warnings, []
        for role, held in self.held.items():
            blocks[role] = [*held, *blocks.get(role, [])]
        self.held = {}
        entry = _RowEntry(
            self.tool, self.weight, ind_text, self.indicators, warnings, blocks, page, page
        )
        self.entries.append(entry)

    def _continue_previous(
        self, blocks: dict[Role, list[Block]], ind_text: str, page: int | None
    ) -> None:
        """The rest of a row cut by a page break, or a row under a measure cell spanning
        down from the previous one: both belong to the previous entry."""
        previous = self.entries[-1]
        for role, more in blocks.items():
            previous.blocks.setdefault(role, []).extend(more)
        previous.last_page = page
        if ind_text:
            previous.indicator_text = f"{previous.indicator_text} {ind_text}".strip()
            indicators, warnings = self._parse_indicators(previous.indicator_text)
            previous.indicators = self.indicators = indicators
            previous.indicator_warnings = warnings

    def finish(self, entry: _RowEntry) -> tuple[Tool | None, tuple[str, ...]]:
        """The entry's tool (its section's, else its indicators') and its warnings."""
        warnings = list(entry.indicator_warnings)
        framework_tools = {
            ind.tool
            for ref in entry.indicators
            if ref.number and (ind := self.edition.indicator(ref.number))
        }
        if entry.tool and framework_tools and entry.tool not in framework_tools:
            warnings.append(
                f"indicators {[r.number for r in entry.indicators]} belong to "
                f"{sorted(framework_tools)} in the framework but are listed under {entry.tool}"
            )
        if "measure" not in entry.blocks:
            warnings.append("row has no measure")
        tool = entry.tool or (next(iter(framework_tools)) if len(framework_tools) == 1 else None)
        return tool, tuple(warnings)


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
    """The agency's name, written without the spaces a line wrap put in it (official
    names have none)."""
    name = _agency_in(lines)
    return compact(name) if name else None


def _agency_in(lines: Sequence[str]) -> str | None:
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
    agency = _find_agency([" ".join(searchable[: len(block)]), *searchable])
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
        tool, entry_warnings = interpreter.finish(raw)
        items: list[Item] = []
        for role in ROLES:
            pieces = split_cell(Cell(tuple(raw.blocks.get(role, ()))))
            for ordinal, piece in enumerate(pieces, start=1):
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
                        squash(piece.raw) if piece.raw else norm.source,
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
        entries.append(Entry(tool, raw.weight, raw.indicators, tuple(items), entry_warnings, pages))
    if corrected:
        forms = ", ".join(f"{form} ×{n}" for form, n in corrected.most_common())
        warnings.append(
            f"corrected garbled forms of the agency abbreviation {report.agency_abbr}: {forms}"
        )
        counts["agency_abbr_corrected"] = sum(corrected.values())
    if not entries:
        warnings.append("the report table has no rows with measures")
    elif not _names_the_ita(report, entries, edition):
        raise NoReportTableError(
            "its tables have columns like a report's, but neither they nor the title name an "
            "ITA indicator or integrity measures: not an ITA report"
        )
    return report, tuple(entries), tuple(warnings), counts


_ITA_TITLE = re.compile(r"ITA|คุณธรรม|โปร่งใส|ทุจริต|มาตรการ", re.I)


def _names_the_ita(report: Report, entries: Sequence[Entry], edition: Edition) -> bool:
    """Whether a table read as a report is one of ITA measures: an indicator cell that names a
    framework indicator, or a title that speaks of integrity measures. Other government
    tables have "ตัวชี้วัด" and "กิจกรรม" columns and numbered rows too (the budget bill's
    output tables: realdocs budget-pdf_14.pdf) and read like a report without either."""
    if report.title and _ITA_TITLE.search(report.title):
        return True
    return any(names_a_framework_indicator(i.raw, edition) for e in entries for i in e.indicators)
