"""Alembic environment: runs on the connection ``loaders.migrate`` hands over.

Run through ``ita-etl db upgrade`` (or ``loaders.migrate.upgrade``), which opens the
transaction, takes the lock and passes the connection in ``config.attributes``. Without one
(the ``alembic`` command pointed at this folder), the URL comes from ``ITA_ETL_DB`` or
``./ita.db`` like everywhere else. SQLite runs in batch mode: it cannot alter most of a
table, so Alembic rebuilds it.
"""

from __future__ import annotations

from alembic import context

from loaders.db import make_engine, resolve_url
from loaders.models import Base

config = context.config


def run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("ita-etl migrations run online only: use `ita-etl db upgrade`")

given = config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = make_engine(resolve_url(config.get_main_option("sqlalchemy.url")), foreign_keys=False)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()
