"""A hostile document cannot stall or kill the batch: a parse over the time limit, one that
explodes in memory, and a worker killed mid-parse are each recorded as failed with the reason,
and the other documents load.

The hostile files are real PDFs (tests/conftest.py): one whose page is two billion operators
(hours of parsing: a run ends only if the parse is stopped), one with 300,000 text operators on
a page (about 14 s of parsing), one whose 1 MB page inflates to 1 GB.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import HANG_GUARD, ITA_ETL, SAMPLES, endless_pdf_bytes, memory_bomb_pdf


def good_reports(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for name in ("dla_2566.txt", "dla_2567.html"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())


def documents(stdout: str) -> dict[str, dict[str, object]]:
    events = [json.loads(line) for line in stdout.splitlines()]
    return {Path(str(e["path"])).name: e for e in events if e["event"] == "document"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "limits", "reason", "error_type"),
    [
        # only the time limit can stop it: its memory stays flat
        ("endless.pdf", ("--doc-timeout", "3"), "timed out after 3 s", "DocumentTimeoutError"),
        # only the memory limit can stop it: no time limit, so no race between the two
        ("bomb.pdf", ("--doc-timeout", "0"), "ran out of memory", "MemoryError"),
    ],
)
def test_a_document_over_the_time_or_memory_limit_fails_alone(
    tmp_path: Path, name: str, limits: tuple[str, ...], reason: str, error_type: str
) -> None:
    folder = tmp_path / "reports"
    good_reports(folder)
    hostile = endless_pdf_bytes() if name == "endless.pdf" else memory_bomb_pdf()
    (folder / name).write_bytes(hostile)
    db = str(tmp_path / "ita.db")
    command = [*ITA_ETL, "ingest", str(folder), "--db", db, "-w", "2", "--log-format", "json"]
    command += [*limits, "--doc-memory", "512"]
    try:  # the endless parse ends only if it is stopped, and the run with it
        run = subprocess.run(command, capture_output=True, text=True, timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the run did not end: the parse of {name} was not stopped")
    assert run.returncode == 1, run.stderr
    docs = documents(run.stdout)
    assert docs[name]["status"] == "failed"
    assert reason in str(docs[name]["error"])
    assert docs["dla_2566.txt"]["status"] == docs["dla_2567.html"]["status"] == "new"

    failed = subprocess.run(
        [*ITA_ETL, "status", "--db", db, "--failed", "-f", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {Path(r["path"]).name: r for r in json.loads(failed.stdout)}
    assert list(rows) == [name]
    assert (rows[name]["stage"], rows[name]["error_type"]) == ("worker", error_type)


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.slow
def test_a_worker_killed_mid_parse_fails_its_document_and_the_batch_goes_on(
    tmp_path: Path, endless_pdf: bytes
) -> None:
    folder = tmp_path / "reports"
    good_reports(folder)
    (folder / "zz_slow.pdf").write_bytes(endless_pdf)
    run = subprocess.Popen(
        [
            *ITA_ETL,
            "ingest",
            str(folder),
            "--db",
            str(tmp_path / "ita.db"),
            "-w",
            "2",
            "--log-format",
            "json",
            "--doc-timeout",
            "120",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert run.stdout is not None
    lines = [run.stdout.readline(), run.stdout.readline()]  # the two good reports, loaded
    assert all('"status": "new"' in line for line in lines), lines
    for worker in children(run.pid):  # one is parsing zz_slow.pdf, the other is idle
        os.kill(worker, signal.SIGKILL)
    rest, err = run.communicate(timeout=60)
    assert run.returncode == 1, err
    slow = documents(rest)["zz_slow.pdf"]
    assert slow["status"] == "failed"
    assert slow["error"] == "worker crashed (signal 9: SIGKILL)"
