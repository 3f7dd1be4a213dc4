"""PostgreSQL's COPY for the many rows of a document: its items and their references.

A report has tens to hundreds of items and references; an ``INSERT`` executemany sends each
row as a statement of its own (psycopg pipelines them, but the server still plans and runs one
statement a row). ``COPY ... FROM STDIN`` streams them as one statement, in the loading
transaction, so a document is still written whole or not at all. Other tables (a row or a few
per document) and SQLite keep the plain bulk insert (``loaders.store.bulk_insert``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table

COPIED_TABLES = frozenset({"items", "refs"})
"""The tables written by COPY on PostgreSQL: the ones with many rows per document."""


def copy_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> bool:
    """COPY ``rows`` (dicts with the same keys: the columns) into ``table`` when the store is
    PostgreSQL through psycopg 3 and the table is one of ``COPIED_TABLES``; False, writing
    nothing, otherwise (the caller inserts them)."""
    if (
        not rows
        or table.name not in COPIED_TABLES
        or connection.dialect.name != "postgresql"
        or connection.dialect.driver != "psycopg"
    ):
        return False
    from psycopg import sql

    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])
    return True
