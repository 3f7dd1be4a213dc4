"""Alembic migrations: from an empty database, from the previous revision with data in it,
and the models in loaders/models.py equal to what the migrations build."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import ingest_into
from sqlalchemy import inspect, text

from loaders import migrate
from loaders.db import make_engine, resolve_url
from loaders.models import Base
from loaders.queries import open_store, search_items
from loaders.store import Store

TABLES = {
    "ita_indicators",
    "abbreviations",
    "agencies",
    "sources",
    "reports",
    "entries",
    "entry_indicators",
    "items",
    "refs",
    "corrections",
}


def test_upgrade_from_an_empty_database(db_url: str) -> None:
    engine = make_engine(resolve_url(db_url))
    try:
        assert migrate.current(engine) is None
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head() == "0006"
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) >= TABLES
        assert {"measures", "report_summary"} <= set(inspector.get_view_names())
        with engine.connect() as c:
            # the 2562-2568 framework: indicators 1-10; the abbreviation table's rows
            numbers = c.execute(text("SELECT number FROM ita_indicators ORDER BY number"))
            assert list(numbers.scalars()) == list(range(1, 11))
            assert c.execute(
                text("SELECT expansion FROM abbreviations WHERE abbr = 'สถ.'")
            ).scalar() == ("กรมส่งเสริมการปกครองท้องถิ่น")
        migrate.upgrade(engine)  # at head already: nothing to do
    finally:
        engine.dispose()


def test_upgrade_from_the_previous_revision_keeps_and_indexes_the_rows(
    db_url: str, two_years: Path
) -> None:
    engine = make_engine(resolve_url(db_url))
    try:
        migrate.upgrade(engine, "0001")
        assert migrate.current(engine) == "0001"
        # load a report with the 0001 schema: rows as they were before search existed
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO agencies (id, agency_key, name, abbr) "
                    "VALUES (1, 'สถ.', 'กรมส่งเสริมการปกครองท้องถิ่น', 'สถ.')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO sources (id, path, sha256, size_bytes, parser_version, status, "
                    "loaded_at) VALUES (1, 'old.txt', :sha, 1, '0.9', 'new', :now)"
                ),
                {"sha": "0" * 64, "now": "2024-01-01T00:00:00+00:00"},
            )
            c.execute(
                text(
                    "INSERT INTO reports (id, agency_id, fiscal_year_be, version, superseded, "
                    "content_sha256, source_id, parser_version, warnings, repairs, loaded_at, "
                    "agency_name, agency_abbr) VALUES (1, 1, 2565, 1, false, :sha, 1, '0.9', "
                    "'[]', '{}', :now, 'กรมส่งเสริมการปกครองท้องถิ่น', 'สถ.')"
                ),
                {"sha": "0" * 64, "now": "2024-01-01T00:00:00+00:00"},
            )
            c.execute(
                text(
                    "INSERT INTO entries (id, report_id, ordinal, tool, indicators, warnings) "
                    "VALUES (1, 1, 1, 'IIT', '5', '[]')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO entry_indicators (entry_id, position, number, raw) "
                    "VALUES (1, 1, 5, 'ตัวชี้วัดที่ 5')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO items (id, entry_id, report_id, role, ordinal, text, raw) "
                    "VALUES (1, 1, 1, 'measure', 1, :t, :t)"
                ),
                {"t": "จัดทำแผนป้องกันการทุจริต ประจำปี ๒๕๖๕"},
            )
            if c.dialect.name == "postgresql":  # ids were given: move the sequences past them
                for table in ("agencies", "sources", "reports", "entries", "items"):
                    c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1)"))
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
        with engine.connect() as c:
            measure = c.execute(text("SELECT fiscal_year_be, text FROM measures")).one()
            assert tuple(measure) == (2565, "จัดทำแผนป้องกันการทุจริต ประจำปี ๒๕๖๕")
            assert c.execute(text("SELECT search_text FROM items")).scalar() == (
                "จัดทำแผนป้องกันการทุจริตประจำปี2565"
            )
            assert [r["item_id"] for r in search_items(c, "ทุจริต").records] == [1]
    finally:
        engine.dispose()
    # and the store goes on loading into the upgraded database
    with Store(db_url) as store:
        ingest_into(store, [two_years])
    with open_store(db_url) as store, store.reading() as c:
        years = c.execute(text("SELECT fiscal_year_be FROM report_summary ORDER BY 1"))
        assert list(years.scalars()) == [2565, 2566, 2567]


def test_the_models_are_what_the_migrations_build(db_url: str) -> None:
    engine = make_engine(resolve_url(db_url))
    try:
        migrate.upgrade(engine)
        with engine.connect() as c:
            diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    finally:
        engine.dispose()
    search_objects = ("items_fts", "ix_items_search_text_trgm")
    leftovers = [d for d in diff if not any(name in repr(d) for name in search_objects)]
    assert leftovers == []


def test_downgrade_to_the_previous_revision_and_back(db_url: str) -> None:
    engine = make_engine(resolve_url(db_url))
    try:
        migrate.upgrade(engine)
        from alembic import command

        with engine.begin() as c:
            config = migrate.alembic_config()
            config.attributes["connection"] = c
            command.downgrade(config, "0001")
        assert migrate.current(engine) == "0001"
        assert "measures" not in inspect(engine).get_view_names()
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()


def test_db_upgrade_at_the_newest_revision_rewrites_the_reference_tables(db_url: str) -> None:
    """``ita-etl db upgrade`` says it refreshes the reference tables: it must, even when the
    schema is already at the newest revision (the framework can change without a migration)."""
    from etl import Database

    with Database(db_url) as database:
        database.upgrade()
        engine = make_engine(resolve_url(db_url))
        try:
            with engine.begin() as c:
                c.execute(text("DELETE FROM abbreviations WHERE abbr = 'สถ.'"))
                c.execute(text("UPDATE ita_indicators SET name = 'x' WHERE number = 1"))
            assert database.upgrade() == migrate.head()
            with engine.connect() as c:
                expansion = c.execute(
                    text("SELECT expansion FROM abbreviations WHERE abbr = 'สถ.'")
                ).scalar()
                names = set(
                    c.execute(text("SELECT name FROM ita_indicators WHERE number = 1")).scalars()
                )
        finally:
            engine.dispose()
    # schemas/data/abbreviations.tsv and ita_framework.json, read there
    assert expansion == "กรมส่งเสริมการปกครองท้องถิ่น"
    assert names == {"การปฏิบัติหน้าที่"}
