"""The rows of a report version: entries, their indicators, items (with their search
fields and unit names), references and corrections, each table written in bulk
(``loaders.copy_writer``) with ids drawn beforehand so that children can refer to them.
Used by the store inside its loading transactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from etl.transform.compare import indicator_label
from etl.transform.normalise.names import canonical_unit
from loaders.copy_writer import bulk_insert
from loaders.models import corrections, entries, entry_indicators, items, refs
from loaders.search import cluster_tokens, index_items, search_text
from schemas.errors import StoreError
from schemas.records import ExtractedDocument


def allocate_ids(connection: Connection, table: Table, n: int) -> list[int]:
    """``n`` fresh ids for ``table``, so that rows go in with a plain executemany (no
    RETURNING, which SQLite cannot return in order) and children can refer to them.

    SQLite: after the largest id — safe because a loading transaction holds the write lock
    from BEGIN IMMEDIATE. PostgreSQL: drawn from the table's sequence in one round trip.
    """
    if n == 0:
        return []
    if connection.dialect.name == "postgresql":
        drawn = connection.execute(
            text(
                "SELECT array_agg(nextval(pg_get_serial_sequence(:t, 'id')))"
                " FROM generate_series(1, :n)"
            ),
            {"t": table.name, "n": n},
        )
        return [int(i) for i in drawn.scalar_one()]
    if connection.dialect.name != "sqlite":
        raise StoreError(f"loading into {connection.dialect.name} is not supported")
    last = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(int(last) + 1, int(last) + 1 + n))


def _insert_with_ids(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert with ids drawn beforehand; the ids in the order of ``rows``."""
    ids = allocate_ids(connection, table, len(rows))
    for row, row_id in zip(rows, ids, strict=True):
        row["id"] = row_id
    if rows:
        bulk_insert(connection, table, rows)
    return ids


@dataclass(frozen=True)
class Written:
    """A report version whose records are to be written: its document, its row's id and
    its items' search fields if the worker derived them."""

    doc: ExtractedDocument
    report_id: int
    search: Sequence[tuple[str, str]] | None = None


def write_records(
    connection: Connection,
    doc: ExtractedDocument,
    report_id: int,
    *,
    search: Sequence[tuple[str, str]] | None = None,
) -> int:
    """Entries, their indicators, items, refs, corrections and the search index of one
    report (``search``: the items' search fields, if already derived); units with their
    canonical names (``loaders.units``). Returns the number of items."""
    return write_records_many(connection, [Written(doc, report_id, search)])


def write_records_many(connection: Connection, written: Sequence[Written]) -> int:
    """``write_records`` of several reports with one bulk insert per table. Returns the
    number of items."""
    entry_list = [(w, n, e) for w in written for n, e in enumerate(w.doc.entries, start=1)]
    entry_ids = _insert_with_ids(
        connection,
        entries,
        [
            {
                "report_id": w.report_id,
                "ordinal": n,
                "tool": e.tool,
                "tool_weight_pct": e.tool_weight_pct,
                "indicators": indicator_label([i.number for i in e.indicators if i.number]) or None,
                "indicator_names": " + ".join(i.name or i.raw for i in e.indicators) or None,
                "page_first": e.pages[0] if e.pages else None,
                "page_last": e.pages[1] if e.pages else None,
                "warnings": list(e.warnings),
            }
            for w, n, e in entry_list
        ],
    )
    indicator_rows = [
        {"entry_id": entry_id, "position": p, "number": i.number, "name": i.name, "raw": i.raw}
        for entry_id, (_, _, e) in zip(entry_ids, entry_list, strict=True)
        for p, i in enumerate(e.indicators, start=1)
    ]
    if indicator_rows:
        bulk_insert(connection, entry_indicators, indicator_rows)
    flat = [
        (entry_id, w, item)
        for entry_id, (w, _, e) in zip(entry_ids, entry_list, strict=True)
        for item in e.items
    ]
    searched: list[tuple[str, str]] | None = []
    for w in written:
        count = sum(len(e.items) for e in w.doc.entries)
        if searched is not None and w.search is not None and len(w.search) == count:
            searched.extend(w.search)
        else:
            searched = None
    item_ids = insert_items(
        connection,
        [
            {
                "entry_id": entry_id,
                "report_id": w.report_id,
                "role": item.role,
                "ordinal": item.ordinal,
                "heading": item.heading,
                "text": item.text,
                "raw": item.raw,
                "marker": item.marker,
                "unit_name": canonical_unit(
                    item.text, w.doc.report.agency_abbr, w.doc.report.agency
                )
                if item.role == "unit"
                else None,
            }
            for entry_id, w, item in flat
        ],
        search=searched,
    )
    ref_rows = [
        {
            "item_id": item_id,
            "position": p,
            "kind": ref.kind,
            "raw": ref.raw,
            "value": str(ref.value),
            "value_number": float(ref.value)
            if isinstance(ref.value, int | float) and not isinstance(ref.value, bool)
            else None,
            "unit": ref.unit,
        }
        for item_id, (_, _, item) in zip(item_ids, flat, strict=True)
        for p, ref in enumerate(item.refs, start=1)
    ]
    if ref_rows:
        bulk_insert(connection, refs, ref_rows)
    correction_rows = [
        {
            "item_id": item_id,
            "position": p,
            "kind": c.kind,
            "original": c.original,
            "corrected": c.corrected,
        }
        for item_id, (_, _, item) in zip(item_ids, flat, strict=True)
        for p, c in enumerate(item.corrections, start=1)
    ]
    if correction_rows:
        bulk_insert(connection, corrections, correction_rows)
    return len(item_ids)


def insert_items(
    connection: Connection,
    rows: list[dict[str, Any]],
    *,
    search: Sequence[tuple[str, str]] | None = None,
) -> list[int]:
    """Bulk-insert item rows (``search_text`` and ``search_tokens`` filled in here unless
    given) and index them for search, in the caller's transaction. The path
    benchmarks/load_speed.py measures."""
    if search is None or len(search) != len(rows):
        search = [(search_text(r["text"]), cluster_tokens(r["text"])) for r in rows]
    for row, (text_, tokens) in zip(rows, search, strict=True):
        row["search_text"] = text_
        row["search_tokens"] = tokens
    ids = _insert_with_ids(connection, items, rows)
    index_items(connection, [(i, row["search_text"]) for i, row in zip(ids, rows, strict=True)])
    return ids
