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


# --- 9. malformed arguments: one line, exit 2 ---------------------------------------------------


@pytest.mark.parametrize(
    ("db", "says"),
    [
        ("mysql://u@localhost/ita", "ita-etl stores in SQLite (a file path) or PostgreSQL"),
        ("foo://bar", "not foo"),
        ("postgresql://[::1", "is not a database URL"),
        ("sqlite://", "names no file"),
        ("postgresql://", "names no database"),
        ("postgresql://postgres@127.0.0.1:5432", "names no database"),
        ("postgresql+psycopg2://h/x", "use postgresql://"),
    ],
)
def test_a_database_url_that_is_not_one_is_one_line_exit_2(
    db: str, says: str, tmp_path: Path
) -> None:
    run = run_cli("status", "--db", db, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    line = one_error_line(run)
    assert line.startswith(f"error: --db {db!r}") and says in line
    assert list(tmp_path.iterdir()) == []  # nothing created, nothing connected to


@pytest.mark.parametrize("command", [["ingest", str(SAMPLES / "dla_2566.txt")], ["db", "upgrade"]])
def test_writing_commands_refuse_a_url_that_is_not_one_too(
    command: list[str], tmp_path: Path
) -> None:
    run = run_cli(*command, "--db", "sqlite://", cwd=tmp_path)
    assert run.returncode == 2
    assert "names no file" in one_error_line(run)


def test_a_password_in_a_refused_url_is_not_printed() -> None:
    run = run_cli("status", "--db", "postgresql://user:secret@localhost")
    assert run.returncode == 2
    assert "secret" not in run.stderr and "***" in one_error_line(run)


@pytest.fixture
def loaded(db_url: str, two_years: Path) -> str:
    run = run_cli("ingest", str(two_years), "--db", db_url, "-w", "0")
    assert run.returncode == 0, run.stderr
    return db_url


def test_a_negative_search_limit_is_a_usage_error_and_a_huge_one_means_all(loaded: str) -> None:
    run = run_cli("search", "คู่มือ", "--limit", "-1", "--db", loaded)
    assert run.returncode == 2
    assert one_error_line(run) == (
        "error: --limit is how many items at most: 1 or more (0: all), not -1"
    )
    huge = run_cli("search", "คู่มือ", "--limit", "99999999999999999999", "-f", "csv", "--db", loaded)
    assert huge.returncode == 0, huge.stderr
    everything = run_cli("search", "คู่มือ", "--limit", "0", "-f", "csv", "--db", loaded)
    assert huge.stdout == everything.stdout and huge.stdout.count("\n") > 1


@pytest.mark.parametrize(
    "args",
    [
        ["--agency", "สถ.", "--from", "99999999999999999999", "--to", "2567"],
        ["--all", "--from", "99999999999999999999"],
        ["--agency", "สถ.", "--year", "99999999999999999999"],
    ],
)
def test_an_enormous_year_is_not_a_fiscal_year(loaded: str, args: list[str]) -> None:
    run = run_cli("compare", *args, "--db", loaded)
    assert run.returncode == 64
    assert one_error_line(run) == (
        "error: 99999999999999999999 is not a fiscal year (write 2567, or 2024 for CE)"
    )


# --- 9. a closed pipe: no traceback ------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["status", "-f", "json"], ["search", "คู่มือ"]],
)
def test_a_reader_that_went_away_ends_the_command_quietly(loaded: str, command: list[str]) -> None:
    """``ita-etl status -f json | head``: the reader closed the pipe before the output was
    written (here, before it began). Exit 141 (128 + SIGPIPE), nothing on stderr."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        run = subprocess.run(
            [*ITA_ETL, *command, "--db", loaded],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=HANG_GUARD,
        )
    finally:
        os.close(write_end)
    assert (run.returncode, run.stderr) == (141, "")


# --- 9. a database in a read-only folder: reading writes nothing -------------------------------


def as_a_user(*args: str) -> list[str]:
    """The command run without root's power to ignore file permissions (root here: CI runs
    as root), so that a read-only folder is read-only to it."""
    import os
    import shutil

    command = [*ITA_ETL, *args]
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a folder cannot be made read-only")
    drop = "-dac_override,-dac_read_search,-fowner"
    return [setpriv, "--inh-caps=-all", f"--bounding-set={drop}", "--", *command]


@pytest.fixture
def read_only_database(two_years: Path, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "shared"
    folder.mkdir()
    database = folder / "ita.db"
    run = run_cli("ingest", str(two_years), "--db", str(database), "-w", "0")
    assert run.returncode == 0, run.stderr
    (folder / "ita.db.lock").unlink()
    folder.chmod(0o555)
    database.chmod(0o444)
    try:
        yield database
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["search", "คู่มือ"],
        ["compare", "--agency", "สถ.", "--from", "2566", "--to", "2567"],
    ],
)
def test_reading_commands_work_in_a_read_only_folder_and_write_nothing(
    read_only_database: Path, command: list[str]
) -> None:
    folder = read_only_database.parent
    before = sorted(p.name for p in folder.iterdir())
    run = subprocess.run(
        as_a_user(*command, "--db", str(read_only_database)),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in folder.iterdir()) == before == ["ita.db"]


def test_ingest_into_a_read_only_folder_is_one_line(read_only_database: Path) -> None:
    run = subprocess.run(
        as_a_user("ingest", str(SAMPLES / "obt_nongbua_2567.md"), "--db", str(read_only_database)),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert run.returncode == 3
    assert one_error_line(run).startswith("error: ")


# --- 9. a database newer than this ita-etl ----------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["db", "upgrade"],
        ["ingest", "SAMPLE"],
    ],
)
def test_a_database_at_a_newer_revision_says_so_for_every_command(
    loaded: str, command: list[str]
) -> None:
    engine = create_engine(resolve_url(loaded))
    try:
        with engine.begin() as c:
            c.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    finally:
        engine.dispose()
    command = [str(SAMPLES / "dla_2566.txt") if c == "SAMPLE" else c for c in command]
    run = run_cli(*command, "--db", loaded)
    assert run.returncode == 3
    assert one_error_line(run).endswith(
        ": the database is newer than this ita-etl (revision 0099; this ita-etl knows up to "
        "0006): upgrade ita-etl"
    )


# --- 9. a lock file that cannot be written: a full disk, a read-only file ------------------


def test_a_lock_file_on_a_full_disk_is_one_line(two_years: Path, tmp_path: Path) -> None:
    """The lock file is /dev/full (bind-mounted over it): writing the pid fails with ENOSPC,
    as on a full disk."""
    import os
    import shutil

    database = tmp_path / "ita.db"
    assert run_cli("ingest", str(two_years), "--db", str(database), "-w", "0").returncode == 0
    lock = tmp_path / "ita.db.lock"
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to bind-mount /dev/full over the lock file")
    mounted = subprocess.run(["mount", "--bind", "/dev/full", str(lock)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {mounted.stderr.decode().strip()}")
    try:
        run = run_cli("ingest", str(two_years), "--db", str(database), "-w", "0")
    finally:
        subprocess.run(["umount", str(lock)], check=True)
    assert run.returncode == 3
    assert one_error_line(run) == (
        f"error: {lock}: cannot take the ingest lock: No space left on device"
    )


def test_a_lock_file_that_cannot_be_written_is_one_line(two_years: Path, tmp_path: Path) -> None:
    database = tmp_path / "ita.db"
    assert run_cli("ingest", str(two_years), "--db", str(database), "-w", "0").returncode == 0
    lock = tmp_path / "ita.db.lock"
    lock.chmod(0o444)
    run = subprocess.run(
        as_a_user("ingest", str(two_years), "--db", str(database), "-w", "0"),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert run.returncode == 3
    assert one_error_line(run) == (f"error: {lock}: cannot take the ingest lock: Permission denied")


# --- 9. a file that cannot be read ------------------------------------------------------------


def test_an_unreadable_file_is_a_recorded_failure_of_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    secret, fine = folder / "secret.txt", folder / "fine.html"
    secret.write_bytes((SAMPLES / "dla_2566.txt").read_bytes())
    fine.write_bytes((SAMPLES / "dla_2567.html").read_bytes())
    secret.chmod(0o000)
    db = str(tmp_path / "ita.db")

    def ingest_as_a_user() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            as_a_user("ingest", str(folder), "--db", db, "-w", "0"),
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )

    first = ingest_as_a_user()
    assert first.returncode == 1
    assert first.stderr == f"{secret}: cannot read the file: Permission denied\n"
    assert "1 new" in first.stdout and "1 failed" in first.stdout
    failed = subprocess.run(
        as_a_user("status", "--failed", "-f", "csv", "--db", db),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert str(secret) in failed.stdout and ",input," in failed.stdout

    again = ingest_as_a_user()  # not readable still: said once, the run does not fail for it
    assert again.returncode == 0, again.stderr
    assert "1 failed before" in again.stdout

    secret.chmod(0o644)
    readable = ingest_as_a_user()
    assert readable.returncode == 0, readable.stderr
    assert f"{secret}: new (สถ. 2566 version 1)" in readable.stdout
    left = run_cli("status", "--failed", "-f", "csv", "--db", db)
    assert left.stdout.count("\n") == 1  # the header only: the old failure is gone


@pytest.mark.parametrize("command", ["extract", "text"])
def test_extract_of_an_unreadable_file_is_one_line_not_a_usage_box(
    tmp_path: Path, command: str
) -> None:
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF_OF_THE_SEED.read_bytes())
    secret.chmod(0o000)
    run = subprocess.run(
        as_a_user(command, str(secret)), capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert run.returncode == 2
    assert one_error_line(run) == f"error: {secret}: cannot read the file: Permission denied"


def load_as_a_new_version(db: str, path: Path) -> None:
    """What ita-etl did before versions were ordered: a copy of an earlier version, its
    content not the current one's, loaded as a new current version (and no source date
    read)."""
    from dataclasses import replace

    from sqlalchemy import update

    from etl.orchestrate.parse import parse_source
    from loaders import changes, units
    from loaders import store as loading
    from loaders.content import agency_key
    from loaders.models import reports, sources

    outcome = replace(parse_source(path), source_date=None)
    doc = outcome.document
    assert doc is not None and outcome.content_sha256 is not None
    key = agency_key(doc.report)
    assert key is not None
    with Store(db) as store, store.writing() as c:
        agency_id = loading._agency_id(c, key, doc.report)
        c.execute(update(reports).where(reports.c.agency_id == agency_id).values(superseded=True))
        source_id = loading._record_source(c, outcome, status="updated")
        report_id = loading._insert_report(c, doc, agency_id, 3, outcome.content_sha256, source_id)
        c.execute(update(sources).where(sources.c.id == source_id).values(report_id=report_id))
        loading.write_records(c, doc, report_id, search=outcome.search)
        units.name_units(c, [report_id])
        changes.refresh_agency(c, agency_id)


def test_db_rebuild_repairs_a_copy_that_an_older_ita_etl_loaded_as_a_new_version(
    fresh_db: Callable[[], str], tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a_report.txt").write_bytes((SAMPLES / "dla_2566.txt").read_bytes())
    (folder / "b_revised.txt").write_bytes(revised_seed())
    (folder / "c_report.pdf").write_bytes(PDF_OF_THE_SEED.read_bytes())
    damaged = fresh_db()
    ingest(damaged, [folder / "a_report.txt", folder / "b_revised.txt"], workers=0)
    load_as_a_new_version(damaged, folder / "c_report.pdf")
    assert versions(damaged) == [(1, True, False), (2, True, True), (3, False, False)]

    rebuilt = run_cli("db", "rebuild", "--db", damaged)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "1 reports' versions reordered" in rebuilt.stdout
    assert versions(damaged) == [(1, True, False), (2, False, True)]
    at_once = fresh_db()
    ingest(at_once, [folder], workers=0)
    assert canonical_dump(damaged) == canonical_dump(at_once)
    hits = run_cli("search", "คู่มือ", "-f", "csv", "--db", damaged)
    assert hits.stdout == run_cli("search", "คู่มือ", "-f", "csv", "--db", at_once).stdout
