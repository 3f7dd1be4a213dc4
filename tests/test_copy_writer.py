"""PostgreSQL's items and refs go in by COPY (``loaders.copy_writer``) and read back as the
same rows the plain bulk insert writes into SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import _postgres_schema
from sqlalchemy import select, text

from etl.orchestrate.parse import parse_source
from loaders.copy_writer import copy_rows
from loaders.models import items, refs
from loaders.store import Store

SAMPLES = Path(__file__).parents[1] / "samples"
REPORTS = ["dla_2566.txt", "dla_2567.html", "obt_nongbua_2567.md"]


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _postgres_schema()


def _rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Items and refs without their ids, in loading order."""
    with store.engine.connect() as connection:
        item_rows = connection.execute(
            select(
                items.c.role,
                items.c.ordinal,
                items.c.heading,
                items.c.text,
                items.c.raw,
                items.c.marker,
                items.c.search_text,
                items.c.search_tokens,
            ).order_by(items.c.id)
        ).all()
        ref_rows = connection.execute(
            select(
                refs.c.position,
                refs.c.kind,
                refs.c.raw,
                refs.c.value,
                refs.c.value_number,
                refs.c.unit,
            ).order_by(refs.c.item_id, refs.c.position)
        ).all()
    return {"items": [tuple(r) for r in item_rows], "refs": [tuple(r) for r in ref_rows]}


@pytest.mark.postgres
def test_copied_rows_are_the_inserted_rows(pg_url: str, tmp_path: Path) -> None:
    outcomes = [parse_source(SAMPLES / name) for name in REPORTS]
    loaded = {}
    for url in (f"sqlite:///{tmp_path / 'ita.db'}", pg_url):
        with Store(url) as store:
            for outcome in outcomes:
                assert store.load(outcome).status == "new"
            loaded[store.engine.dialect.name] = _rows(store)
    assert loaded["postgresql"]["items"]
    assert loaded["postgresql"]["refs"]
    assert loaded["postgresql"] == loaded["sqlite"]


@pytest.mark.postgres
def test_items_go_in_by_copy_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    with Store(pg_url) as store:
        store.load(parse_source(SAMPLES / "dla_2566.txt"))
        with store.engine.begin() as connection:
            entry_id, report_id = connection.execute(
                text("SELECT id, report_id FROM entries ORDER BY id LIMIT 1")
            ).one()
            row = {
                "id": 10_000,
                "entry_id": entry_id,
                "report_id": report_id,
                "role": "measure",
                "ordinal": 99,
                "heading": None,
                "text": "ข้อ\tหนึ่ง\\n",
                "raw": "r",
                "marker": None,
                "search_text": "s",
                "search_tokens": "t",
            }
            assert copy_rows(connection, items, [row])
            copied = connection.execute(select(items.c.text).where(items.c.id == 10_000))
            assert copied.scalar_one() == "ข้อ\tหนึ่ง\\n"  # tabs and backslashes survive COPY
    with Store(f"sqlite:///{tmp_path / 'ita.db'}") as sqlite, sqlite.engine.begin() as connection:
        assert not copy_rows(connection, items, [row])  # SQLite: the caller inserts
