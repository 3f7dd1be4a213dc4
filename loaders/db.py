"""Which database, and an engine for it that behaves the same on SQLite and PostgreSQL.

The URL comes from ``--db``, else ``$ITA_ETL_DB``, else ``./ita.db``. SQLite gets real
transactions (pysqlite would otherwise commit DDL on its own and begin only at the first
write), foreign keys, WAL (synchronous NORMAL) and a busy timeout; a loading transaction
takes the write lock at BEGIN so that two writers queue instead of failing half way.

No command waits on the database for ever (``--db-timeout``, default 30 s): PostgreSQL gets
a connect timeout (a server that accepts and never answers) and a lock timeout (a table
another session keeps locked), SQLite a busy timeout of the same length.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry

from schemas.errors import StoreBusyError, StoreError, UsageError

ENV_VAR = "ITA_ETL_DB"
DEFAULT_URL = "sqlite:///ita.db"
WRITE = "ita_etl_write"
"""Execution option: this connection's transactions write (SQLite: BEGIN IMMEDIATE)."""
DB_TIMEOUT_SECONDS = 30.0
"""How long to wait to connect, or for a lock someone else holds (``--db-timeout``)."""
TIMEOUT_ENV_VAR = "ITA_ETL_DB_TIMEOUT"


def resolve_url(db: str | None = None) -> str:
    """The database URL: the argument, else ``$ITA_ETL_DB``, else a SQLite file ``ita.db``
    in the working directory. ``postgresql://`` means psycopg 3; a bare path means a SQLite
    file."""
    raw = db or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in raw:
        raw = f"sqlite:///{raw}"
    for plain in ("postgresql://", "postgres://"):
        if raw.startswith(plain):
            raw = "postgresql+psycopg://" + raw[len(plain) :]
    try:
        make_url(raw)
    except ArgumentError as error:
        raise UsageError(f"not a database URL: {raw!r} ({error})") from None
    return raw


def display_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def default_timeout() -> float:
    """``$ITA_ETL_DB_TIMEOUT`` if set (seconds), else 30."""
    raw = os.environ.get(TIMEOUT_ENV_VAR)
    if not raw:
        return DB_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        raise UsageError(f"${TIMEOUT_ENV_VAR} is seconds, not {raw!r}") from None
    if not seconds >= 0:
        raise UsageError(f"${TIMEOUT_ENV_VAR} is seconds (0 or more), not {raw!r}")
    return seconds


def make_engine(url: str, *, foreign_keys: bool = True, timeout: float | None = None) -> Engine:
    """An engine for ``url``; ``foreign_keys=False`` for migrations that rebuild tables.
    ``timeout``: seconds to wait to connect or for a lock (0: for ever; None: the default)."""
    parsed = make_url(url)
    seconds = default_timeout() if timeout is None else timeout
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True, connect_args=_pg_timeouts(parsed, seconds))
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    in_memory = parsed.database in (None, "", ":memory:")
    if not in_memory and parsed.database:
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise StoreError(
                f"{parsed.database}: cannot create the database: {folder} does not exist"
            )
    engine = create_engine(parsed, connect_args={"timeout": seconds or _SQLITE_FOR_EVER})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            # WAL's NORMAL: a commit survives the process being killed and the file stays
            # consistent; only a power cut may lose the last commits, which a re-run reloads.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        writes = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine


_SQLITE_FOR_EVER = 10.0**9


def _pg_timeouts(url: URL, seconds: float) -> dict[str, Any]:
    """libpq's connect_timeout (whole seconds, at least 1) and a lock_timeout, added to the
    URL's own ``options``; a connect_timeout or lock_timeout in the URL wins."""
    args: dict[str, Any] = {}
    if seconds <= 0:
        return args
    if "connect_timeout" not in url.query:
        args["connect_timeout"] = max(1, math.ceil(seconds))
    options = url.query.get("options", "")
    options = " ".join(options) if isinstance(options, tuple) else options
    if "lock_timeout" not in options:
        args["options"] = f"{options} -c lock_timeout={math.ceil(seconds * 1000)}".strip()
    return args


def is_busy(error: BaseException) -> bool:
    """A lock held by another writer (SQLite busy, PostgreSQL lock or serialisation)."""
    text = str(getattr(error, "orig", error)).lower()
    return any(
        s in text
        for s in ("database is locked", "database is busy", "lock timeout", "could not serialize")
    )


_WAITED = " (waited --db-timeout)"


@contextmanager
def store_errors(url: str | URL) -> Iterator[None]:
    """Database errors as ``StoreError`` (exit 3) naming the database, password hidden."""
    try:
        yield
    except OperationalError as error:
        reason = " ".join(str(error.orig).split())
        if is_busy(error):
            raise StoreBusyError(f"{display_url(url)} is busy: {reason}{_WAITED}") from error
        if "timeout expired" in reason:
            reason = f"no answer from the server: {reason}{_WAITED}"
        raise StoreError(f"{display_url(url)}: {reason}") from error
    except DBAPIError as error:
        reason = " ".join(str(error.orig).split())
        raise StoreError(f"{display_url(url)}: {reason}") from error
