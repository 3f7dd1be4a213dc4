"""Item rows loaded per second: the loader's bulk insert against a bare DB-API executemany.

For SQLite (a temporary file) and PostgreSQL (a temporary schema on $ITA_ETL_TEST_PG_URL,
default 127.0.0.1:5432/test) it loads the seed once (for an agency, report and entry to refer
to), then inserts N synthetic item rows made from the samples' texts into the ``items`` table
three ways, each in its own transaction, best of ``--repeat`` runs:

- loader, insert: ``loaders.store._insert_with_ids`` — ids drawn in one query, then one Core
  executemany (``connection.execute(insert(items), rows)``), the path ``Store.load`` takes;
- bare executemany: the same rows as tuples through the driver's ``cursor.executemany`` into
  the same table (same indexes and foreign keys), ids drawn beforehand and not timed;
- loader, with search: ``loaders.store.insert_items``, which also derives search_text and the
  Thai character clusters and (SQLite) fills the FTS5 index — what a document really costs.

Run by hand from the repository root:

    .venv/bin/python benchmarks/load_speed.py [--rows 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from etl import Database, IngestOptions
from etl.transform.pipeline import extract_file
from loaders import search
from loaders.models import items
from loaders.records import _insert_with_ids, allocate_ids, insert_items
from loaders.store import Store

SAMPLES = Path(__file__).parents[1] / "samples"
PG_URL = os.environ.get("ITA_ETL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
COLUMNS = [
    "id",
    "entry_id",
    "report_id",
    "role",
    "ordinal",
    "heading",
    "text",
    "raw",
    "marker",
    "search_text",
    "search_tokens",
]


def synthetic_rows(n: int, entry_id: int, report_id: int) -> list[dict[str, Any]]:
    texts = [
        i.text
        for name in ("dla_2566.txt", "dla_2567.html")
        for i in extract_file(SAMPLES / name).items()
    ]
    roles = ("measure", "result", "outcome", "unit")
    rows = []
    for k in range(n):
        body = f"{texts[k % len(texts)]} ({k})"
        rows.append(
            {
                "entry_id": entry_id,
                "report_id": report_id,
                "role": roles[k % 4],
                "ordinal": k % 7 + 1,
                "heading": None,
                "text": body,
                "raw": body,
                "marker": "-",
            }
        )
    return rows


def with_search_columns(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        dict(
            r,
            search_text=search.search_text(r["text"]),
            search_tokens=search.cluster_tokens(r["text"]),
        )
        for r in rows
    ]


def timed(store: Store, step: Callable[[Connection], object]) -> float:
    with store.engine.connect() as connection:
        connection.execution_options(ita_etl_write=True)
        with connection.begin():
            started = time.perf_counter()
            step(connection)
            elapsed = time.perf_counter() - started
    return elapsed


def bare_executemany(store: Store, rows: list[dict[str, Any]]) -> float:
    """The driver alone: ids drawn first (untimed), then one cursor.executemany."""
    with store.engine.connect() as connection:
        connection.execution_options(ita_etl_write=True)
        with connection.begin():
            ids = allocate_ids(connection, items, len(rows))
            tuples = [(i, *(r[c] for c in COLUMNS[1:])) for i, r in zip(ids, rows, strict=True)]
            marks = ", ".join(
                ["?"] * len(COLUMNS)
                if connection.dialect.name == "sqlite"
                else ["%s"] * len(COLUMNS)
            )
            sql = f"INSERT INTO items ({', '.join(COLUMNS)}) VALUES ({marks})"
            cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            started = time.perf_counter()
            cursor.executemany(sql, tuples)
            elapsed = time.perf_counter() - started
            cursor.close()
    return elapsed


def run(label: str, url: str, n: int, repeat: int) -> None:
    with Database(url) as database:
        database.ingest([SAMPLES / "dla_2566.txt"], options=IngestOptions(workers=0))
    with Store(url) as store:
        with store.engine.connect() as c:
            entry_id, report_id = c.execute(text("SELECT id, report_id FROM entries LIMIT 1")).one()
        plain = synthetic_rows(n, entry_id, report_id)
        prepared = with_search_columns(plain)
        loader, bare, full = [], [], []
        for _ in range(repeat):
            loader.append(
                timed(store, lambda c: _insert_with_ids(c, items, [dict(r) for r in prepared]))
            )
            bare.append(bare_executemany(store, prepared))
            full.append(timed(store, lambda c: insert_items(c, [dict(r) for r in plain])))
        best_loader, best_bare, best_full = min(loader), min(bare), min(full)
        print(
            f"{label:10} {n:>7} rows  bare executemany {n / best_bare:>9,.0f} rows/s   "
            f"loader insert {n / best_loader:>9,.0f} rows/s   "
            f"ratio {best_loader / best_bare:4.2f}x   "
            f"loader with search {n / best_full:>8,.0f} rows/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("sqlite", f"sqlite:///{folder}/bench.db", args.rows, args.repeat)
    import psycopg

    server = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"postgresql skipped: not reachable ({' '.join(str(error).split())})")
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema},public"})
            run("postgresql", url.render_as_string(hide_password=False), args.rows, args.repeat)
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
