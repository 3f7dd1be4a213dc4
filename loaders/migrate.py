"""Creating and upgrading the schema with Alembic, and refreshing the reference tables.

The migrations ship in the ``migrations`` package and are found with importlib.resources,
so this works from any working directory and from an installed wheel. An upgrade runs in one
transaction holding the write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock),
so two ingests starting together do not both create the tables.
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, delete, insert, inspect, text

from loaders.db import WRITE, display_url, make_engine
from loaders.models import abbreviation_table, ita_indicators
from schemas.errors import StoreError
from schemas.framework import abbreviations, editions

_ADVISORY_LOCK = 0x17A_E71  # any constant shared by every ita-etl process


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("migrations")))
    return config


def head() -> str:
    head_revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head_revision is not None
    return head_revision


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: no ita-etl schema yet). A revision this
    ita-etl does not know is a newer one: ``StoreError`` saying so, for every command."""
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    if revision is not None and not known(revision):
        raise StoreError(
            f"{display_url(engine.url)}: the database is newer than this ita-etl (revision "
            f"{revision}; this ita-etl knows up to {head()}): upgrade ita-etl"
        )
    return revision


def known(revision: str) -> bool:
    """Whether this ita-etl's migrations include ``revision``."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest) and refresh reference data."""
    if current(engine) == head() and revision == "head":
        return
    own_engine = engine.url.get_backend_name() == "sqlite"
    if own_engine:
        engine = make_engine(engine.url.render_as_string(hide_password=False), foreign_keys=False)
    try:
        with engine.connect() as connection:
            connection.execution_options(**{WRITE: True})
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(text(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})"))
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if "ita_indicators" in inspect(connection).get_table_names():
                    refresh_reference(connection)
    finally:
        if own_engine:
            engine.dispose()


def refresh_reference_data(engine: Engine) -> None:
    """Rewrite the reference tables in a transaction of their own (``ita-etl db upgrade``:
    the framework or the abbreviation table may change without a schema revision)."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE: True})
        with connection.begin():
            refresh_reference(connection)


def refresh_reference(connection: Connection) -> None:
    """Rewrite the framework and abbreviation tables from schemas/data."""
    connection.execute(delete(ita_indicators))
    connection.execute(
        insert(ita_indicators),
        [
            {
                "from_be": edition.from_be,
                "to_be": edition.to_be,
                "number": indicator.number,
                "name": indicator.name,
                "tool": tool.code,
                "tool_name": tool.name,
                "tool_usual_weight_pct": tool.usual_weight_pct,
            }
            for edition in editions()
            for tool in edition.tools
            for indicator in tool.indicators
        ],
    )
    connection.execute(delete(abbreviation_table))
    connection.execute(
        insert(abbreviation_table),
        [{"abbr": a.abbr, "expansion": a.expansion, "kind": a.kind} for a in abbreviations()],
    )
