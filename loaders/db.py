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
from urllib.parse import quote, unquote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry

from schemas.errors import OptionError, StoreBusyError, StoreError, UsageError

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
    file. Anything that is not a SQLite file or a PostgreSQL database with a name is an
    ``OptionError`` saying so (exit 2)."""
    given = db or os.environ.get(ENV_VAR) or DEFAULT_URL
    raw = given if "://" in given else f"sqlite:///{given}"
    for plain in ("postgresql://", "postgres://"):
        if raw.startswith(plain):
            raw = "postgresql+psycopg://" + raw[len(plain) :]
    shown = _hide_password(given)
    try:
        parsed = make_url(raw)
        _ = parsed.port  # parsed lazily: "[::1" fails here
    except (ArgumentError, ValueError) as error:
        reason = " ".join(str(error).split())
        raise OptionError(f"--db {shown!r} is not a database URL ({reason})") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise OptionError(
            f"--db {shown!r}: ita-etl stores in SQLite (a file path) or PostgreSQL "
            f"(postgresql://USER@HOST/DATABASE), not {backend}"
        )
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise OptionError(
            f"--db {shown!r}: use {backend}:// (ita-etl drives {backend} itself), "
            f"not {parsed.drivername}://"
        )
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise OptionError(
            f"--db {shown!r} names no file: an in-memory database would vanish when the "
            "command ends; give a file path"
        )
    if backend == "postgresql" and not parsed.database:
        raise OptionError(
            f"--db {shown!r} names no database: postgresql://USER@HOST/DATABASE (without it "
            "the server would pick one after the user name)"
        )
    return raw


def _hide_password(raw: str) -> str:
    try:
        url = make_url(raw)
        return raw if url.password is None else url.render_as_string(hide_password=True)
    except Exception:  # not a URL at all: it has no password to hide either
        return raw


def display_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages (a SQLite file opened read-only as
    its plain path)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database.startswith("file:"):
        return f"sqlite:///{unquote(database[len('file:') :])}"
    return parsed.render_as_string(hide_password=True)


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


def make_engine(
    url: str,
    *,
    foreign_keys: bool = True,
    timeout: float | None = None,
    read_only: bool = False,
) -> Engine:
    """An engine for ``url``; ``foreign_keys=False`` for migrations that rebuild tables.
    ``timeout``: seconds to wait to connect or for a lock (0: for ever; None: the default).
    ``read_only`` (SQLite): open the file read-only and write nothing beside it, so that
    reading works in a folder the user cannot write (``_read_only_url``)."""
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
    read_only = read_only and not in_memory
    if read_only and parsed.database:
        parsed = _read_only_url(Path(parsed.database).expanduser().resolve())
    engine = create_engine(parsed, connect_args={"timeout": seconds or _SQLITE_FOR_EVER})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        if not in_memory and not read_only:
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


def _read_only_url(database: Path) -> URL:
    """The SQLite file opened read-only (``mode=ro``). Reading a WAL database needs its
    ``-shm`` file, which SQLite creates beside it; where the folder cannot be written and
    no writer has left a ``-wal`` file, nobody can be writing it, so it is opened as
    ``immutable`` and nothing is created."""
    wal = database.with_name(database.name + "-wal")
    frozen = not os.access(database.parent, os.W_OK) and not (wal.exists() and wal.stat().st_size)
    query = {"mode": "ro", "uri": "true", **({"immutable": "1"} if frozen else {})}
    return URL.create("sqlite", database=f"file:{quote(str(database))}", query=query)


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
