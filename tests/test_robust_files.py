"""Hostile and damaged files (issue 13): each ends as one line naming the file and the reason,
exit 2, recorded at stage ``input`` in a batch and not tried again; none hangs, none runs the
machine out of memory, none is reported as an internal error.

The hostile files are made by tests/fixtures/hostile.py; benchmarks/robustness.py runs many
more (seeded mutations of the samples) through the same command.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import HANG_GUARD, ITA_ETL


def extract(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``ita-etl extract`` as a real process; a run past HANG_GUARD is a hang, and fails."""
    try:
        return subprocess.run(
            [*ITA_ETL, "extract", str(path), *options],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"extract {path.name} did not end")


def one_clean_line(done: subprocess.CompletedProcess[str], path: Path, reason: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: "), line
    assert reason in line, line


# --- not a file -------------------------------------------------------------------------------


def test_a_directory_named_like_a_report_is_bad_input(tmp_path: Path) -> None:
    folder = tmp_path / "x.pdf"
    folder.mkdir()
    one_clean_line(extract(folder), folder, "not a file: a folder")


def test_extract_on_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    one_clean_line(extract(fifo), fifo, "not a file: a named pipe (FIFO)")
