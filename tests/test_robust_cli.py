"""The command line under hostile conditions (issue 13): a database server that never
answers, a table someone else keeps locked, malformed arguments, a closed pipe, a read-only
folder, a database newer than this ita-etl, a disk that refuses the lock file. Each ends in
one clear line and the documented exit status, never a hang or a traceback."""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import HANG_GUARD, ITA_ETL, SAMPLES
from sqlalchemy import create_engine, text

from loaders.db import resolve_url
from loaders.store import Store


def run_cli(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ITA_ETL, *args],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        **kwargs,  # type: ignore[call-overload]
    )


def one_error_line(run: subprocess.CompletedProcess[str]) -> str:
    """The single line a failed command printed on stderr (no traceback, no usage box)."""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr and "unexpected" not in run.stderr
    return lines[0]


# --- 6. a PostgreSQL server that accepts and never answers -----------------------------------


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word; its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        done.set()
        listener.close()
        for connection in held:
            connection.close()


@pytest.mark.parametrize(
    "command", [["status"], ["search", "คู่มือ"], ["db", "upgrade"], ["ingest", "SAMPLE"]]
)
def test_a_silent_postgresql_server_fails_each_command_after_the_db_timeout(
    silent_server: int, command: list[str]
) -> None:
    command = [str(SAMPLES / "dla_2566.txt") if c == "SAMPLE" else c for c in command]
    url = f"postgresql://postgres@127.0.0.1:{silent_server}/test"
    run = run_cli(*command, "--db", url, "--db-timeout", "1")
    assert run.returncode == 3
    assert one_error_line(run) == (
        f"error: postgresql+psycopg://postgres@127.0.0.1:{silent_server}/test: no answer from "
        "the server: connection timeout expired (waited --db-timeout)"
    )


def test_the_db_timeout_comes_from_the_environment_too(silent_server: int) -> None:
    import os

    env = {**os.environ, "ITA_ETL_DB_TIMEOUT": "1"}
    run = run_cli("status", "--db", f"postgresql://postgres@127.0.0.1:{silent_server}/t", env=env)
    assert run.returncode == 3
    assert "connection timeout expired" in one_error_line(run)


def test_a_table_locked_by_another_session_fails_after_the_db_timeout(
    db_url: str, two_years: Path
) -> None:
    """Another session holds a lock the command needs (PostgreSQL: an exclusive lock on
    reports; SQLite: a write transaction): the command gives up after --db-timeout."""
    assert run_cli("ingest", str(two_years), "--db", db_url, "-w", "0").returncode == 0
    engine = create_engine(resolve_url(db_url))
    try:
        with engine.connect() as holder:
            if holder.dialect.name == "postgresql":
                holder.execute(text("LOCK TABLE reports IN ACCESS EXCLUSIVE MODE"))
            else:
                holder.exec_driver_sql("BEGIN IMMEDIATE")
            run = run_cli("db", "rebuild", "--db", db_url, "--db-timeout", "1")
            holder.rollback()
    finally:
        engine.dispose()
    assert run.returncode == 3
    line = one_error_line(run)
    assert line.startswith("error: ") and "is busy: " in line
    assert line.endswith("(waited --db-timeout)")
    assert "lock timeout" in line or "database is locked" in line


def test_a_store_opened_with_a_timeout_gives_it_to_postgresql(db_url: str) -> None:
    with Store(db_url, timeout=2.5) as store, store.reading() as connection:
        if connection.dialect.name == "postgresql":
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "2500ms"
