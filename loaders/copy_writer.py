"""Bulk writing: the many rows of a document (entries, indicators, items, references,
corrections, how its pages were read) and of the year-on-year pairs, by PostgreSQL's COPY.

A report has tens to hundreds of items and references; an ``INSERT`` executemany sends each
row as a statement of its own (psycopg pipelines them, but the server still plans and runs one
statement a row). ``COPY ... FROM STDIN`` streams them as one statement, in the loading
transaction, so a document is still written whole or not at all. SQLite (and any other
driver) gets one executemany (``bulk_insert``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert


def copy_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> bool:
    """COPY ``rows`` (dicts with the same keys: the columns) into ``table`` when the store is
    PostgreSQL through psycopg 3; False, writing nothing, otherwise (the caller inserts
    them). JSON columns go in as JSON, as the insert would write them."""
    if (
        not rows
        or connection.dialect.name != "postgresql"
        or connection.dialect.driver != "psycopg"
    ):
        return False
    from psycopg import sql
    from psycopg.types.json import Json

    columns = list(rows[0])
    as_json = [isinstance(table.c[column].type, JSON) for column in columns]
    convert: list[Callable[[Any], Any] | None] = [
        (lambda v: None if v is None else Json(v)) if j else None for j in as_json
    ]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        if not any(as_json):
            for row in rows:
                copy.write_row([row[column] for column in columns])
            return True
        for row in rows:
            copy.write_row(
                [
                    row[column] if c is None else c(row[column])
                    for column, c in zip(columns, convert, strict=True)
                ]
            )
    return True


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany of ``rows`` (dicts with the same keys) into ``table``.

    When no column's type converts values on the way in (the case of items: integers and
    text), the compiled statement goes to the driver's executemany as is: SQLAlchemy's
    per-row parameter handling doubled the time of an item insert on SQLite
    (benchmarks/load_speed.py). Otherwise, Core's executemany.
    """
    if copy_rows(connection, table, rows):  # PostgreSQL: by COPY
        return
    dialect = connection.dialect
    columns = [table.c[key] for key in rows[0]]
    if any(column.type.bind_processor(dialect) is not None for column in columns):
        connection.execute(insert(table), rows)
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    if compiled.positional and compiled.positiontup and len(compiled.positiontup) > 1:
        values = itemgetter(*compiled.positiontup)
        connection.exec_driver_sql(compiled.string, [values(r) for r in rows])
    else:
        connection.exec_driver_sql(compiled.string, rows)
