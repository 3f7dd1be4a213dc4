"""Killed mid-run, run again: no partial document, nothing loaded twice, the rest finished.

``ita-etl ingest`` runs as a real process on a generated corpus; it is killed (SIGKILL, which
it cannot catch) once some reports are in the database, run again, and the database compared
with an uninterrupted run into a fresh one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ITA_ETL, Corpus, canonical_dump
from sqlalchemy import create_engine, text

from loaders.db import resolve_url


def reports_in(url: str) -> int:
    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM reports")).scalar_one())
    except Exception:  # not created yet
        return 0
    finally:
        engine.dispose()


def _default_interrupt() -> None:
    # A shell starts background jobs with SIGINT ignored and children inherit that, so a
    # suite run with `pytest &` would give the run no Ctrl-C to act on.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(folder: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*ITA_ETL, "ingest", str(folder), "--db", url, "--workers", "2", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_interrupt,
    )


def stop_when_loaded(process: subprocess.Popen[str], url: str, reports: int, sig: int) -> None:
    deadline = time.monotonic() + 120
    while reports_in(url) < reports:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(sig)


def group_gone(pgid: int, within: float = 10.0) -> bool:
    """Whether every process of the run (its workers too) has ended."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_sigkill_then_rerun_gives_the_contents_of_an_uninterrupted_run(
    fresh_db: Callable[[], str], corpus_maker: Callable[..., Corpus], tmp_path: Path
) -> None:
    corpus = corpus_maker(tmp_path / "corpus", 240, seed=7, bad_share=0.05, with_pdfs=False)
    killed, whole = fresh_db(), fresh_db()

    run = start(corpus.folder, killed)
    stop_when_loaded(run, killed, 40, signal.SIGKILL)
    run.communicate(timeout=30)
    assert run.returncode == -signal.SIGKILL
    assert group_gone(run.pid), "workers outlived the killed run"
    partial = reports_in(killed)
    assert 40 <= partial < len(corpus.of_kind("report"))

    rerun = subprocess.run(
        [*ITA_ETL, "ingest", str(corpus.folder), "--db", killed, "-w", "2", "--log-format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # the corpus's bad files (named bad_*, after every report) had not been reached: they fail now
    assert rerun.returncode == 1, rerun.stderr
    assert '"status": "unchanged"' in rerun.stdout  # what was loaded is not loaded again

    complete = subprocess.run(
        [*ITA_ETL, "ingest", str(corpus.folder), "--db", whole, "-w", "2", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert complete.returncode == 1, complete.stderr
    assert canonical_dump(killed) == canonical_dump(whole)


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_runs_stop_cleanly_and_say_so(
    corpus_maker: Callable[..., Corpus], tmp_path: Path, sig: int, status: int
) -> None:
    corpus = corpus_maker(tmp_path / "corpus", 150, seed=8, with_pdfs=False)
    db = str(tmp_path / "ita.db")
    run = start(corpus.folder, db)
    stop_when_loaded(run, db, 10, sig)
    _, err = run.communicate(timeout=60)
    assert run.returncode == status, err
    assert "interrupted after" in err and "run the same command again" in err
    assert group_gone(run.pid)
    assert not (tmp_path / "ita.db.lock").read_text()  # the lock was let go
    finished = subprocess.run(
        [*ITA_ETL, "ingest", str(corpus.folder), "--db", db, "-q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode in (0, 1), finished.stderr
    assert reports_in(db) >= len({(f.agency, f.year_be) for f in corpus.of_kind("report")})
