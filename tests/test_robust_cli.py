"""The command line under hostile conditions (issue 13): a database server that never
answers, a table someone else keeps locked, malformed arguments, a closed pipe, a read-only
folder, a database newer than this ita-etl, a disk that refuses the lock file. Each ends in
one clear line and the documented exit status, never a hang or a traceback."""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import HANG_GUARD, ITA_ETL, SAMPLES, canonical_dump, ingest
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


# --- 3. the order of versions: a copy of the original does not undo the revision --------------

REVISED_FROM, REVISED_TO = "กำหนดเครื่องมือให้บุคลากรในสังกัด", "ปรับปรุงเครื่องมือให้บุคลากรในสังกัด"
"""One measure of สถ.'s 2566 report reworded: a revised version of the seed."""
PDF_OF_THE_SEED = SAMPLES / "pdf" / "dla_2566__reportlab__Garuda__ruled__portrait.pdf"
"""A PDF of the seed, whose records are the seed's (the same content hash)."""


def revised_seed() -> bytes:
    seed = (SAMPLES / "dla_2566.txt").read_text(encoding="utf-8")
    assert seed.count(REVISED_FROM) == 1
    return seed.replace(REVISED_FROM, REVISED_TO).encode()


def versions(db: str) -> list[tuple[int, bool, bool]]:
    """(version, superseded, whether it holds the revised measure) of สถ.'s 2566 report."""
    engine = create_engine(resolve_url(db))
    try:
        with engine.connect() as c:
            rows = c.execute(
                text(
                    "SELECT r.version, r.superseded, EXISTS (SELECT 1 FROM items i "
                    "WHERE i.report_id = r.id AND i.text LIKE :revised) FROM reports r "
                    "WHERE r.fiscal_year_be = 2566 ORDER BY r.version"
                ),
                {"revised": f"%{REVISED_TO}%"},
            )
            return [(int(v), bool(s), bool(r)) for v, s, r in rows]
    finally:
        engine.dispose()


def statuses(db: str, folder: Path) -> list[tuple[str, str]]:
    summary = ingest(db, [folder], workers=0, keep_results=True)
    return [(Path(r.path).name, r.status) for r in summary.results]


def test_a_copy_of_the_original_found_after_the_revision_is_a_duplicate_of_version_1(
    fresh_db: Callable[[], str], tmp_path: Path
) -> None:
    """The issue's folder: a report, its revision, then another copy (a PDF) of the original.
    Run by run, the copy is recorded as a duplicate of version 1 and the revision stays
    current; one run over the whole folder, and ``db rebuild``, leave the same database."""
    folder = tmp_path / "reports"
    folder.mkdir()
    by_runs = fresh_db()
    (folder / "a_report.txt").write_bytes((SAMPLES / "dla_2566.txt").read_bytes())
    assert statuses(by_runs, folder) == [("a_report.txt", "new")]
    (folder / "b_revised.txt").write_bytes(revised_seed())
    assert statuses(by_runs, folder) == [
        ("a_report.txt", "unchanged"),
        ("b_revised.txt", "updated"),
    ]
    (folder / "c_report.pdf").write_bytes(PDF_OF_THE_SEED.read_bytes())
    summary = ingest(by_runs, [folder], workers=0, keep_results=True)
    copy = summary.results[-1]
    assert (Path(copy.path).name, copy.status, copy.version) == ("c_report.pdf", "duplicate", 1)
    assert versions(by_runs) == [(1, True, False), (2, False, True)]

    at_once = fresh_db()
    assert statuses(at_once, folder) == [
        ("a_report.txt", "new"),
        ("b_revised.txt", "updated"),
        ("c_report.pdf", "duplicate"),
    ]
    assert canonical_dump(at_once) == canonical_dump(by_runs)
    rebuilt = run_cli("db", "rebuild", "--db", by_runs)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "0 reports' versions reordered" in rebuilt.stdout
    assert canonical_dump(at_once) == canonical_dump(by_runs)


def test_a_pdf_dated_before_the_current_version_is_kept_as_an_older_version(
    db_url: str, tmp_path: Path
) -> None:
    """The revision (text: no date of its own, so first seen now) is loaded first; then a
    PDF of the original whose ModDate is 2023: it is the older version, not the current."""
    from pypdf import PdfReader, PdfWriter

    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a_revised.txt").write_bytes(revised_seed())
    writer = PdfWriter(clone_from=PdfReader(PDF_OF_THE_SEED))
    writer.add_metadata({"/ModDate": "D:20230301090000+07'00'"})
    with (folder / "b_original.pdf").open("wb") as out:
        writer.write(out)
    assert statuses(db_url, folder) == [("a_revised.txt", "new"), ("b_original.pdf", "older")]
    assert versions(db_url) == [(1, True, False), (2, False, True)]
