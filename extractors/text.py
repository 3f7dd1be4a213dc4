"""The seed's text form: one table row per line, cells separated by tabs, cells holding HTML.

Lines before the first row are the title block; blank lines separate pages, and each page
repeats the header row (the interpretation stage drops the repeats).
"""

from __future__ import annotations

from extractors.decode import decode_text
from extractors.htmltable import cell_from_html
from extractors.model import RawDocument, RawTable, Row


def is_table_line(line: str) -> bool:
    return line.count("\t") >= 2


def read_text(data: bytes) -> RawDocument:
    lines = decode_text(data).splitlines()
    title: list[str] = []
    rows: list[Row] = []
    page = 1
    for line in lines:
        if is_table_line(line):
            rows.append(Row(tuple(cell_from_html(c) for c in line.split("\t")), page=page))
        elif not line.strip():
            if rows and rows[-1].page == page:
                page += 1
        elif not rows:
            text = cell_from_html(line).text
            if text:
                title.append(text)
    return RawDocument(
        "text", (RawTable(tuple(rows), tuple(title)),), pages=None, warnings=_cut_short(lines)
    )


def _cut_short(lines: list[str]) -> tuple[str, ...]:
    """A warning when the last row has fewer cells than the rows before it: a file cut
    short mid-row (what follows the cut is missing, and nothing else would say so)."""
    table = [line.count("\t") + 1 for line in lines if is_table_line(line)]
    last = next((line for line in reversed(lines) if line.strip()), "")
    cells = last.count("\t") + 1
    if not table or "\t" not in last or cells >= max(table):
        return ()
    return (
        f"the last row has {cells} of {max(table)} cells: the file was cut short, so the rows "
        "after the cut are missing",
    )
