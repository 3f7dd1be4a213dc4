"""Killed mid-run, run again: no partial document, nothing loaded twice, the rest finished.

``ita-etl ingest`` runs as a real process on a generated corpus; it is stopped (SIGKILL, which
it cannot catch, or SIGINT/SIGTERM, which it handles) once it has said it loaded some reports,
run again, and the database compared with an uninterrupted run into a fresh one. The test
waits on what the run prints and on its processes ending, never on a clock.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    HANG_GUARD,
    ITA_ETL,
    Corpus,
    Lines,
    canonical_dump,
    process_group,
    wait_until_gone,
)
from sqlalchemy import create_engine, text

from etl.orchestrate.batch import LOAD_GROUP
from loaders.db import resolve_url

LOADED = ("new", "updated")
"""Statuses that add a report version to the database."""
_TEXT_LINE = re.compile(r"^(?P<path>.+): (?P<status>\w+) \(")


def reports_in(url: str) -> int:
    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM reports")).scalar_one())
    finally:
        engine.dispose()


def _default_interrupt() -> None:
    # A shell starts background jobs with SIGINT ignored and children inherit that, so a
    # suite run with `pytest &` would give the run no Ctrl-C to act on.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(folder: Path, url: str, *options: str) -> subprocess.Popen[str]:
    """The run in a session of its own, so that its workers are found by its process group."""
    return subprocess.Popen(
        [*ITA_ETL, "ingest", str(folder), "--db", url, "--workers", "2", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_interrupt,
    )


def documents(lines: list[str]) -> dict[str, str]:
    """Path -> status of each document a run said it finished, from its JSON log lines or
    its text lines ("PATH: new (…)")."""
    said: dict[str, str] = {}
    for line in lines:
        if line.startswith("{"):
            event: dict[str, Any] = json.loads(line)
            if event["event"] == "document":
                said[str(event["path"])] = str(event["status"])
        elif match := _TEXT_LINE.match(line):
            said[match["path"]] = match["status"]
    return said


def is_loaded(line: str) -> bool:
    return any(status in LOADED for status in documents([line]).values())


def stop_after_loading(run: subprocess.Popen[str], out: Lines, reports: int, sig: int) -> list[int]:
    """Once the run has said it loaded ``reports`` reports (each said after its commit),
    signal it; the processes of its group (the run and its workers) at that moment."""
    out.wait_for(is_loaded, count=reports)
    group = process_group(run.pid)
    assert run.pid in group and len(group) > 1, group  # the run and its workers
    run.send_signal(sig)
    run.wait(timeout=HANG_GUARD)
    return group


def assert_all_gone(run: subprocess.Popen[str], group: list[int]) -> None:
    left = wait_until_gone([*group, *process_group(run.pid)])
    assert not left, f"processes of the stopped run still running: {left}"


def assert_loaded_once(first: dict[str, str], rerun: dict[str, str]) -> None:
    """What the first run said it loaded, the second finds unchanged; of the rest, only the
    group of documents committed as the signal came (``LOAD_GROUP`` at most, said after
    their commit) may be in without having been said."""
    done_before = {path for path, status in rerun.items() if status == "unchanged"}
    assert set(first) <= done_before
    assert len(done_before - set(first)) <= LOAD_GROUP, done_before - set(first)
    assert not set(first) & {path for path, status in rerun.items() if status in LOADED}


@pytest.mark.slow
def test_sigkill_then_rerun_gives_the_contents_of_an_uninterrupted_run(
    fresh_db: Callable[[], str], corpus_maker: Callable[..., Corpus], tmp_path: Path
) -> None:
    corpus = corpus_maker(tmp_path / "corpus", 240, seed=7, bad_share=0.05, with_pdfs=False)
    killed, whole = fresh_db(), fresh_db()

    run = start(corpus.folder, killed, "--log-format", "json")
    out, err = Lines(run.stdout), Lines(run.stderr)
    group = stop_after_loading(run, out, 40, signal.SIGKILL)
    assert run.returncode == -signal.SIGKILL, err.rest()
    assert_all_gone(run, group)
    said = documents(out.rest())
    loaded = sum(status in LOADED for status in said.values())
    assert loaded >= 40
    # one transaction per group of documents, said once committed: at most the group being
    # committed when the kill came is in without having been said, and nothing half-loaded is
    assert loaded <= reports_in(killed) <= loaded + LOAD_GROUP
    assert reports_in(killed) < len(corpus.of_kind("report"))

    rerun = subprocess.run(
        [*ITA_ETL, "ingest", str(corpus.folder), "--db", killed, "-w", "2", "--log-format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # the corpus's bad files (named bad_*, after every report) had not been reached: they fail now
    assert rerun.returncode == 1, rerun.stderr
    assert_loaded_once(said, documents(rerun.stdout.splitlines()))

    complete = subprocess.run(
        [*ITA_ETL, "ingest", str(corpus.folder), "--db", whole, "-w", "2", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert complete.returncode == 1, complete.stderr
    assert canonical_dump(killed) == canonical_dump(whole)


@pytest.fixture(scope="module")
def corpus_150(
    corpus_maker: Callable[..., Corpus], tmp_path_factory: pytest.TempPathFactory
) -> Corpus:
    return corpus_maker(tmp_path_factory.mktemp("corpus") / "c", 150, seed=8, with_pdfs=False)


@pytest.fixture(scope="module")
def uninterrupted_150(corpus_150: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The database an uninterrupted run leaves from ``corpus_150``."""
    db = str(tmp_path_factory.mktemp("whole") / "ita.db")
    whole = subprocess.run(
        [*ITA_ETL, "ingest", str(corpus_150.folder), "--db", db, "-w", "2", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert whole.returncode == 1, whole.stderr  # the corpus's bad files
    return canonical_dump(db)


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_runs_stop_cleanly_and_say_so(
    corpus_150: Corpus, uninterrupted_150: Any, tmp_path: Path, sig: int, status: int
) -> None:
    db = str(tmp_path / "ita.db")
    run = start(corpus_150.folder, db)  # a text line per document on stdout
    out, err = Lines(run.stdout), Lines(run.stderr)
    group = stop_after_loading(run, out, 10, sig)
    errors = "".join(err.rest())
    assert run.returncode == status, errors
    assert "interrupted after" in errors and "run the same command again" in errors
    assert_all_gone(run, group)
    assert not (tmp_path / "ita.db.lock").read_text()  # the lock was let go
    said = documents(out.rest())

    finished = subprocess.run(
        [*ITA_ETL, "ingest", str(corpus_150.folder), "--db", db, "--log-format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # the corpus's bad files (named bad_*, after every report) had not been reached: they fail now
    assert finished.returncode == 1, finished.stderr
    assert_loaded_once(said, documents(finished.stdout.splitlines()))
    assert canonical_dump(db) == uninterrupted_150
