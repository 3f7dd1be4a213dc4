"""Rendering an ``ExtractedDocument`` for people (a table) and machines (JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from extractors.thai.words import line_break_pieces
from schemas.records import ExtractedDocument


def to_json(doc: ExtractedDocument) -> str:
    return json.dumps(doc.to_dict(), ensure_ascii=False, indent=2)


class ThaiCell:
    """A table cell whose lines wrap between words, Thai ones included: rich alone wraps
    only at spaces and folds a Thai phrase wherever the column ends."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pieces = line_break_pieces(text)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(p) for p in self.pieces), default=0)
        return Measurement(min(widest, 12), cell_len(self.text)).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("\n".join(wrap(self.pieces, options.max_width)), overflow="fold")


def wrap(pieces: Iterable[str], width: int) -> list[str]:
    """Greedy line filling; a piece wider than the line is left for the text to fold."""
    lines: list[str] = []
    line = ""
    for piece in pieces:
        if line.strip() and cell_len(line + piece.rstrip()) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def rows_table(columns: Iterable[str], rows: Iterable[Iterable[str]]) -> Table:
    table = Table(show_lines=True)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(ThaiCell(value) for value in row))
    return table


def _indicator_label(entry: Any) -> str:
    return " + ".join(f"{i.number or '?'} {i.name or i.raw}" for i in entry.indicators) or "-"


def print_table(doc: ExtractedDocument, console: Console) -> None:
    r = doc.report
    console.print(f"[bold]{r.title or '(no title)'}[/bold]")
    console.print(
        f"agency: {r.agency or '?'} ({r.agency_abbr or '-'})   "
        f"fiscal year: {r.fiscal_year_be or '?'} (CE {r.fiscal_year_ce or '?'})   "
        f"source: {doc.source.format}, {len(doc.entries)} entries"
    )
    console.print(
        rows_table(
            ("#", "tool", "indicator", "role", "n", "heading", "text"),
            (
                (
                    str(number),
                    entry.tool or "-",
                    _indicator_label(entry),
                    item.role,
                    str(item.ordinal),
                    item.heading or "",
                    item.text,
                )
                for number, entry in enumerate(doc.entries, start=1)
                for item in entry.items
            ),
        )
    )
    for warning in (*doc.warnings, *(w for e in doc.entries for w in e.warnings)):
        console.print(f"[yellow]warning:[/yellow] {warning}")
