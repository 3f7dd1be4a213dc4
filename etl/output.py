"""Rendering an ``ExtractedDocument`` for people (a table) and machines (JSON)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from schemas.records import ExtractedDocument


def to_json(doc: ExtractedDocument) -> str:
    return json.dumps(doc.to_dict(), ensure_ascii=False, indent=2)


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
    table = Table(show_lines=False)
    for column in ("#", "tool", "indicator", "role", "n", "heading", "text"):
        table.add_column(column, overflow="fold")
    for number, entry in enumerate(doc.entries, start=1):
        for item in entry.items:
            table.add_row(
                str(number),
                entry.tool or "-",
                _indicator_label(entry),
                item.role,
                str(item.ordinal),
                item.heading or "",
                item.text,
            )
    console.print(table)
    for warning in (*doc.warnings, *(w for e in doc.entries for w in e.warnings)):
        console.print(f"[yellow]warning:[/yellow] {warning}")
