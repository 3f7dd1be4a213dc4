"""Two ingests on one database: the second refuses (exit 3, naming the holder) or, with
--wait, waits; the database ends as one run would leave it. Reading commands take no lock."""

from __future__ import annotations

import os
import select
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ITA_ETL, Corpus, canonical_dump
from sqlalchemy import create_engine, text

from loaders.db import resolve_url
from loaders.locks import ingest_lock, lock_file
from loaders.store import Store, database_path
from schemas.errors import StoreBusyError


def held_by(url: str, pid: int) -> bool:
    """Whether process ``pid`` holds the ingest lock (read without taking it)."""
    path = database_path(resolve_url(url))
    if path is not None:
        lock = lock_file(path)
        return lock.exists() and lock.read_text().strip() == str(pid)
    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as c:
            return bool(
                c.execute(
                    text(
                        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name "
                        "LIKE :name"
                    ),
                    {"name": f"ita-etl ingest pid {pid} %"},
                ).scalar()
            )
    finally:
        engine.dispose()


def ingest_cmd(folder: Path, url: str, *extra: str) -> list[str]:
    return [*ITA_ETL, "ingest", str(folder), "--db", url, "-w", "1", *extra]


def test_a_held_lock_makes_the_next_ingest_refuse_or_wait(db_url: str, two_years: Path) -> None:
    with Store(db_url) as store, ingest_lock(store):
        refused = subprocess.run(
            ingest_cmd(two_years, db_url), capture_output=True, text=True, timeout=60
        )
        assert refused.returncode == 3
        assert "another ingest is running on" in refused.stderr
        assert f"pid {os.getpid()}" in refused.stderr
        assert "--wait" in refused.stderr
        with pytest.raises(StoreBusyError), Store(db_url) as other, ingest_lock(other):
            pass
        status = subprocess.run(
            [*ITA_ETL, "status", "--db", db_url], capture_output=True, text=True, timeout=60
        )
        assert status.returncode == 0, status.stderr  # reading needs no lock

        waiting = subprocess.Popen(
            ingest_cmd(two_years, db_url, "--wait"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        told = first_stderr_line(waiting, timeout=60)
        assert "waiting for it to finish" in told
        time.sleep(0.5)
        assert waiting.poll() is None  # still waiting for us
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, told + err
    assert "2 new" in out


def first_stderr_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The process's first line on stderr; a fixed sleep instead raced the process's start
    on a loaded machine (it had not reached the lock when the holder let go)."""
    assert process.stderr is not None
    ready, _, _ = select.select([process.stderr], [], [], timeout)
    assert ready, f"nothing on stderr within {timeout} s"
    return process.stderr.readline()


@pytest.mark.slow
def test_two_ingests_at_once_leave_the_database_one_run_would(
    fresh_db: Callable[[], str], corpus_maker: Callable[..., Corpus], tmp_path: Path
) -> None:
    corpus = corpus_maker(tmp_path / "corpus", 120, seed=9, with_pdfs=False)
    shared, alone = fresh_db(), fresh_db()
    with Store(shared):
        pass  # created, so both runs race on the lock and not on creating the schema
    first = subprocess.Popen(
        ingest_cmd(corpus.folder, shared), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    results: dict[str, subprocess.CompletedProcess[str]] = {}

    def run(name: str, *extra: str) -> None:
        results[name] = subprocess.run(
            ingest_cmd(corpus.folder, shared, *extra), capture_output=True, text=True, timeout=300
        )

    deadline = time.monotonic() + 60
    while not held_by(shared, first.pid):
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    racers = [
        threading.Thread(target=run, args=("refusing",)),
        threading.Thread(target=run, args=("waiting", "--wait")),
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    first.communicate(timeout=300)
    assert first.returncode == 1  # the corpus's bad files
    assert results["refusing"].returncode == 3
    assert f"pid {first.pid}" in results["refusing"].stderr
    # all done by the first, whose bad files are no new failure for the second
    assert results["waiting"].returncode == 0
    waited = results["waiting"].stdout
    assert "0 new, 0 updated" in waited
    assert "0 failed, " in waited and "failed before" in waited

    subprocess.run(ingest_cmd(corpus.folder, alone), capture_output=True, timeout=300)
    assert canonical_dump(shared) == canonical_dump(alone)
