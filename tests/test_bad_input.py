"""Bad input: one line on stderr naming the file and the reason, exit status 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "etl.app.cli"]

CASES = {
    "empty.txt": (b"", "the file is empty"),
    "blank.html": (b"   \n\n  ", "the file is empty"),
    "report.docx": (b"PK\x03\x04" + b"\x00" * 64, "damaged or truncated ZIP"),
    "scan.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "OCR"),
    "notes.txt": ("บันทึกข้อความธรรมดา ไม่มีตาราง\n".encode(), "not a report in a supported format"),
    "page.html": (
        "<html><body><h1>ข่าวประชาสัมพันธ์</h1><p>ไม่มีตาราง</p></body></html>".encode(),
        "no table found",
    ),
    "other-table.html": (
        "<html><body><table><tr><td>ชื่อ</td><td>ที่อยู่</td></tr>"
        "<tr><td>ก</td><td>ข</td></tr></table></body></html>".encode(),
        "could not recognise its columns",
    ),
    "fake.pdf": (b"<html>not really a pdf</html>", "no table found"),
    "binary.bin": (bytes(range(256)) * 4, "binary data"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_clear_line_and_exit_2(tmp_path: Path, name: str) -> None:
    data, reason = CASES[name]
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run([*CLI, "extract", str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0]
    assert reason in lines[0]
    assert "Traceback" not in done.stderr


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.pdf"
    done = subprocess.run([*CLI, "extract", str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {path}: cannot read the file: No such file or directory"
