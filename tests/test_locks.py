"""Two ingests on one database: the second refuses (exit 3, naming the holder) or, with
--wait, waits; the database ends as one run would leave it. Reading commands take no lock."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import HANG_GUARD, ITA_ETL, Corpus, Lines, canonical_dump, table_counts
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


def test_a_held_lock_makes_the_next_ingest_refuse_or_wait(
    db_url: str, two_years: Path, tmp_path: Path
) -> None:
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
        out, err = Lines(waiting.stdout), Lines(waiting.stderr)
        told = "".join(err.wait_for(lambda line: "waiting for it to finish" in line))
        # The same ingest into a database nobody holds, run to its end: by then a waiter that
        # did not wait (it had a head start) would have done the same work. This one did none.
        control = subprocess.run(
            ingest_cmd(two_years, f"sqlite:///{tmp_path / 'control.db'}"),
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
        assert control.returncode == 0 and "2 new" in control.stdout, control.stderr
        assert waiting.poll() is None  # still waiting for us
        assert table_counts(db_url)["sources"] == 0
    waiting.wait(timeout=HANG_GUARD)
    assert waiting.returncode == 0, told + "".join(err.rest())
    assert "2 new" in "".join(out.rest())


@pytest.mark.slow
def test_two_ingests_at_once_leave_the_database_one_run_would(
    fresh_db: Callable[[], str], corpus_maker: Callable[..., Corpus], tmp_path: Path
) -> None:
    corpus = corpus_maker(tmp_path / "corpus", 120, seed=9, with_pdfs=False)
    shared, alone = fresh_db(), fresh_db()
    with Store(shared):
        pass  # created, so both runs race on the lock and not on creating the schema
    first = subprocess.Popen(
        ingest_cmd(corpus.folder, shared),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first_out, first_err = Lines(first.stdout), Lines(first.stderr)
    results: dict[str, subprocess.CompletedProcess[str]] = {}

    def run(name: str, *extra: str) -> None:
        results[name] = subprocess.run(
            ingest_cmd(corpus.folder, shared, *extra), capture_output=True, text=True, timeout=300
        )

    first_out.wait_for(lambda line: ": new (" in line)  # loading, so holding the lock
    assert held_by(shared, first.pid)
    racers = [
        threading.Thread(target=run, args=("refusing",)),
        threading.Thread(target=run, args=("waiting", "--wait")),
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    first.wait(timeout=300)
    assert first.returncode == 1, first_err.rest()  # the corpus's bad files
    assert results["refusing"].returncode == 3
    assert f"pid {first.pid}" in results["refusing"].stderr
    # all done by the first, whose bad files are no new failure for the second
    assert results["waiting"].returncode == 0
    waited = results["waiting"].stdout
    assert "0 new, 0 updated" in waited
    assert "0 failed, " in waited and "failed before" in waited

    subprocess.run(ingest_cmd(corpus.folder, alone), capture_output=True, timeout=300)
    assert canonical_dump(shared) == canonical_dump(alone)
