"""Migration 0004 on a database with reports in it: down to 0003 and up again derives the
same stored comparisons, unit names and search index as loading did."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from conftest import canonical_dump, ingest
from sqlalchemy import inspect, text

from etl.app.database import Database
from loaders import migrate
from loaders.db import make_engine, resolve_url


def test_0004_down_and_up_with_reports_loaded(db_url: str, two_years: Path) -> None:
    ingest(db_url, [two_years], workers=0)
    loaded = canonical_dump(db_url)
    engine = make_engine(resolve_url(db_url), foreign_keys=False)
    try:
        with engine.begin() as c:
            config = migrate.alembic_config()
            config.attributes["connection"] = c
            command.downgrade(config, "0003")
        assert migrate.current(engine) == "0003"
        inspector = inspect(engine)
        assert "measure_changes" not in inspector.get_table_names()
        assert "measure_details" not in inspector.get_view_names()
        if engine.dialect.name == "sqlite":
            with engine.connect() as c:  # 0003's index is back and answers
                hits = c.execute(
                    text("SELECT count(*) FROM item_search WHERE item_search MATCH :q"),
                    {"q": '"ทุ จ ริ ต"'},  # ทุจริต's clusters
                ).scalar_one()
                assert hits > 0
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()
    assert canonical_dump(db_url) == loaded
    with Database(db_url) as database:
        assert len(database.changes().records) == 16
        assert database.search("ทุจริต", limit=None).total == 15
