"""One ingest at a time per database: the second one waits or refuses, saying who holds it.

Transactions alone would keep two ingests from corrupting the store, but not from wasting
each other's work (both parsing the same new files, one of them for nothing) or from
interleaving versions of one report in an order neither run chose. So a batch holds a lock
for its whole run:

- SQLite: an exclusive ``flock`` on ``<database>.lock`` beside the file (the ``filelock``
  library's native lock), holding the pid of the holder. The kernel releases it when the
  process ends, even by SIGKILL; the file stays (removing it would race with the next run)
  and is harmless. A lock file that cannot be opened or written (a read-only folder, a full
  disk) is a ``StoreError`` naming it, exit 3.
- PostgreSQL: a session advisory lock in a connection of its own, keyed by the schema (two
  schemas of one database are two stores), with ``application_name`` saying which process
  holds it. The server releases it when the connection drops.

Reading commands (status, compare, search, export) take no lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Connection, text

from loaders.db import display_url, store_errors
from loaders.store import Store, database_path
from schemas.errors import StoreBusyError, StoreError

_LOCK_CLASS = 0x17AE  # the first key of the advisory lock: "ita-etl ingest"
_POLL_SECONDS = 0.5


def lock_file(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def ingest_lock(
    store: Store, *, wait: bool = False, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the store's ingest lock for the block. Busy: ``StoreBusyError`` naming the
    holder, or with ``wait`` block until it is free (``on_wait`` hears why, once)."""
    path = database_path(store.url)
    if store.engine.dialect.name == "postgresql":
        with _advisory_lock(store, wait, on_wait):
            yield
    elif path is not None:
        with _file_lock(path, wait, on_wait):
            yield
    else:  # an in-memory SQLite database is private to this process
        yield


@contextmanager
def _file_lock(database: Path, wait: bool, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    target = lock_file(database)
    lock = FileLock(
        target, mode=0o644, preserve_lock_file=True, on_acquired=_write_pid, thread_local=False
    )
    try:
        try:
            lock.acquire(blocking=False)
        except Timeout:
            message = f"another ingest is running on {database} (pid {_holder_pid(target)})"
            if not wait:
                raise StoreBusyError(f"{message}; try again later or pass --wait") from None
            if on_wait:
                on_wait(f"{message}: waiting for it to finish")
            lock.acquire(poll_interval=_POLL_SECONDS)
    except OSError as error:
        reason = error.strerror or str(error)
        raise StoreError(f"{target}: cannot take the ingest lock: {reason}") from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.truncate(target, 0)  # still under the lock: the pid is no longer true
        lock.release()


def _write_pid(fd: int) -> None:
    """Say who holds the lock, in the lock file (the lock's own descriptor)."""
    pid = f"{os.getpid()}\n".encode()
    os.pwrite(fd, pid, 0)
    os.ftruncate(fd, len(pid))  # what an earlier, longer pid left after it


def _holder_pid(target: Path) -> str:
    try:
        return target.read_text(errors="replace").strip()[:64] or "unknown"
    except OSError:
        return "unknown"


def _schema_key(connection: Connection) -> int:
    schema = connection.execute(text("SELECT current_schema()")).scalar() or "public"
    return int.from_bytes(hashlib.sha256(schema.encode()).digest()[:4], "big") & 0x7FFFFFFF


@contextmanager
def _advisory_lock(
    store: Store, wait: bool, on_wait: Callable[[str], None] | None
) -> Iterator[None]:
    with store_errors(store.url), store.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        holder_name = f"ita-etl ingest pid {os.getpid()} on {socket.gethostname()}"
        connection.execute(
            text("SELECT set_config('application_name', :n, false)"), {"n": holder_name}
        )
        key = {"a": _LOCK_CLASS, "b": _schema_key(connection)}
        told = False
        while not connection.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), key).scalar():
            message = (
                f"another ingest is running on {display_url(store.url)} "
                f"({_holder(connection, key)})"
            )
            if not wait:
                raise StoreBusyError(f"{message}; try again later or pass --wait")
            if on_wait and not told:
                on_wait(f"{message}: waiting for it to finish")
                told = True
            time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                connection.execute(text("SELECT pg_advisory_unlock(:a, :b)"), key)


def _holder(connection: Connection, key: dict[str, int]) -> str:
    row = connection.execute(
        text(
            "SELECT a.application_name, a.pid FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
            "AND l.classid = :a AND l.objid = :b"
        ),
        key,
    ).first()
    if row is None:
        return "holder unknown"
    return row.application_name or f"server process {row.pid}"
