"""HTML pages: every top-level table with the text printed before it.

The parser (lxml) repairs whatever markup it is given without a word, so a page cut short
inside its table, or whose table's tags are broken, would load as a smaller report that looks
whole: ``markup_warnings`` says so on the document.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from lxml import etree

from extractors.decode import declared_charset, decode_text
from extractors.htmltable import rows_from_table, short_rows, text_lines
from extractors.model import RawDocument, RawTable

_MARK = "\x00ita-etl:table\x00"
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TABLE_OPEN = re.compile(r"<table[\s>/]", re.I)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.I)
_REPAIRS = frozenset({"ERR_TAG_NAME_MISMATCH"})
"""lxml's errors for end tags that match no open element: what a damaged table gives."""


def markup_warnings(text: str) -> list[str]:
    """What the parser repaired without a word: markup that ends inside a table (a file cut
    short: the rows after the cut are missing), and end tags inside the tables that close
    nothing (a damaged table: its cells may have run together)."""
    bare = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    opened = [m.start() for m in _TABLE_OPEN.finditer(bare)]
    if not opened:
        return []
    warnings = []
    closed = [m.end() for m in _TABLE_CLOSE.finditer(bare)]
    if len(opened) > len(closed):
        warnings.append(
            "the HTML ends inside a table: the file was cut short, so the rows after the cut "
            "are missing"
        )
    first = bare.count("\n", 0, opened[0]) + 1
    last = bare.count("\n", 0, max(closed[-1] if closed else 0, opened[-1])) + 1
    if len(opened) > len(closed):
        last = bare.count("\n") + 1
    parser = etree.HTMLParser(recover=True, encoding="utf-8")
    etree.fromstring(text.encode("utf-8", "replace"), parser)
    problems = [e for e in parser.error_log if e.type_name in _REPAIRS and first <= e.line <= last]
    if problems:
        places = "1 place" if len(problems) == 1 else f"{len(problems)} places"
        first_problem = problems[0]
        warnings.append(
            f"the parser repaired broken markup in the table ({places}; line "
            f"{first_problem.line}: {first_problem.message}): cells there may have run together"
        )
    return warnings


def short_row_warnings(root: Tag) -> list[str]:
    """Tables with rows that lost a cell (``htmltable.short_rows``): the markup balances, so
    only the count of cells shows the damage."""
    tables = [t for t in root.find_all("table") if t.find_parent("table") is None]
    warnings = []
    for number, table in enumerate(tables, 1):
        short = short_rows(table)
        if short:
            listed = ", ".join(str(n) for n in short[:5]) + (", …" if len(short) > 5 else "")
            rows = f"row {listed} has" if len(short) == 1 else f"rows {listed} have"
            warnings.append(
                f"table {number}: {rows} fewer cells than the table's columns: a cell may "
                "have been lost (a damaged or cut file)"
            )
    return warnings


def tables_with_context(root: Tag, soup: BeautifulSoup) -> list[RawTable]:
    """Top-level tables of ``root`` in document order, each with the lines before it."""
    tables = [t for t in root.find_all("table") if t.find_parent("table") is None]
    raw: list[RawTable] = []
    rows_per_table = [tuple(rows_from_table(t)) for t in tables]
    for table in tables:
        marker = soup.new_tag("p")
        marker.string = _MARK
        table.replace_with(marker)
    groups: list[list[str]] = [[]]
    for line in text_lines(root):
        if line == _MARK:
            groups.append([])
        else:
            groups[-1].append(line)
    for index, rows in enumerate(rows_per_table):
        raw.append(RawTable(rows, tuple(groups[index]) if index < len(groups) else ()))
    return raw


def read_html(data: bytes) -> RawDocument:
    text = decode_text(data, declared_charset(data))
    soup = BeautifulSoup(text, "lxml")
    root = soup.body or soup
    title_tag = soup.find("title")
    shape = short_row_warnings(root)
    tables = tables_with_context(root, soup)
    if tables and not tables[0].preceding_lines and title_tag is not None:
        # No text above the table: the page's <title> is the only title there is.
        page_title = " ".join(title_tag.get_text().split())
        tables[0] = RawTable(tables[0].rows, (page_title,) if page_title else ())
    warnings = (*markup_warnings(text), *shape)
    return RawDocument("html", tuple(tables), pages=None, warnings=warnings)
