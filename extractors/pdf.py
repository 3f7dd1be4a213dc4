"""PDF reports: the report table on each page, its cells as lines of repaired Thai text.

Each page's chars are first recovered from what the PDF's own fonts say
(``extractors.pdf_glyphs``). A ruled table is then read from the lines around its cells
(``pdf_ruled``), a borderless one from where its text sits (``pdf_borderless``); each cell's
chars become visual lines of repaired Thai with the unrepaired text kept
(``extractors.pdf_text``). What the rows mean (header, sections, a row that a page break cut
in two) is decided by ``etl.transform.structure``, as for every format; this module only
tells it what the geometry shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from extractors.model import Cell, RawDocument, RawTable
from extractors.pdf_borderless import Carried, borderless_table
from extractors.pdf_page import PageChars, Table
from extractors.pdf_ruled import ruled_tables


@dataclass
class _Placed:
    """A table with its page and the text printed above it."""

    page: int
    table: Table
    above: list[str]


def read_pdf(data: bytes, password: str | None = None) -> RawDocument:
    from extractors.pdf_glyphs import GlyphRecovery
    from extractors.pdfdoc import open_pdf, require_text_layer

    counts: Counter[str] = Counter()
    placed: list[_Placed] = []
    with open_pdf(data, password) as pdf:
        recovery = GlyphRecovery(pdf)
        pending: list[str] = []
        missing: list[int] = []
        borderless_above: Carried | None = None
        carried: Sequence[Cell] = ()
        for page in pdf.pages:
            chars, _ = recovery.recover_chars(page)
            if not any(str(c["text"]).strip() for c in chars):
                missing.append(page.page_number)
                continue
            reader = PageChars(page, chars, counts)
            found = ruled_tables(reader, carried)
            if not found:
                borderless = borderless_table(reader, borderless_above)
                if borderless:
                    found, borderless_above = [borderless[0]], borderless[1]
            top = 0.0
            for table in found:
                pending += reader.text((0.0, top, float(page.width), table.bbox[1]))
                placed.append(_Placed(page.page_number, table, pending))
                pending, top = [], table.bbox[3]
                carried = table.rows[-1].cells if table.rows else ()
            if not found:
                pending += reader.text()
            page.close()
        require_text_layer(pdf, missing)
        counts.update(recovery.counts)
        pages = len(pdf.pages)
    warnings = [f"pages without a text layer (OCR needed): {missing}"] if missing else []
    return RawDocument(
        "pdf",
        tuple(_raw_tables(placed)),
        pages=pages,
        warnings=tuple(warnings),
        repairs=dict(counts),
    )


def _raw_tables(placed: list[_Placed]) -> list[RawTable]:
    """Tables in reading order. A table whose last row had no bottom rule on its page was
    cut by the page break, so the next page's first row continues it. A closed rule says
    nothing (Word and LibreOffice close a cut row's cells at the break): ``etl.transform.structure``
    then decides from what the row holds."""
    tables = []
    for index, item in enumerate(placed):
        before = placed[index - 1] if index else None
        cut = (
            before is not None
            and before.page != item.page
            and (before.table.open_bottom or item.table.continues_above)
        )
        tables.append(RawTable(tuple(item.table.rows), tuple(item.above), True if cut else None))
    return tables
