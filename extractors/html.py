"""HTML pages: every top-level table with the text printed before it."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from extractors.decode import declared_charset, decode_text
from extractors.htmltable import rows_from_table, text_lines
from extractors.model import RawDocument, RawTable

_MARK = "\x00ita-etl:table\x00"


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
    tables = tables_with_context(root, soup)
    if tables and not tables[0].preceding_lines and title_tag is not None:
        # No text above the table: the page's <title> is the only title there is.
        page_title = " ".join(title_tag.get_text().split())
        tables[0] = RawTable(tables[0].rows, (page_title,) if page_title else ())
    return RawDocument("html", tuple(tables), pages=None)
