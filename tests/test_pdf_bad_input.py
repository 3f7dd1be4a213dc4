"""Bad PDFs through ``ita-etl extract``: one line naming the file and the reason, exit 2.

The fixtures were made by tests/fixtures/make_pdfs.py (encrypted with the password "secret",
cut short, image-only pages, text with no table, HTML saved under a .pdf name).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
CLI = [sys.executable, "-m", "etl.app.cli", "extract"]

CASES = {
    "encrypted.pdf": "encrypted; open it with --password",
    "truncated.pdf": "truncated or damaged",
    "scanned.pdf": "no text layer on pages 1–3: OCR needed",
    "blank.pdf": "no text and no images",
    "partly_scanned.pdf": "no table found in the document; no text layer on page 2: OCR needed",
    "word_like_thai.pdf": "no table found in the document",
    "not_a_pdf.pdf": "could not recognise its columns",
}


NO_OCR = {"scanned.pdf", "partly_scanned.pdf"}
"""Read with --ocr never: what a scan gives where OCR is not wanted (tests/test_ocr.py reads
scans by OCR)."""


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_line_and_exit_2(name: str) -> None:
    path = FIXTURES / name
    options = ["--ocr", "never"] if name in NO_OCR else []
    done = subprocess.run([*CLI, str(path), *options], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: ")
    assert CASES[name] in line


def test_password_opens_an_encrypted_pdf() -> None:
    path = FIXTURES / "encrypted.pdf"
    wrong = subprocess.run([*CLI, str(path), "--password", "nope"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "password" in wrong.stderr
    right = subprocess.run(
        [*CLI, str(path), "--password", "secret"], capture_output=True, text=True
    )
    # Opened: what remains is that this fixture holds no report table.
    assert right.returncode == 2
    assert right.stderr.strip() == f"error: {path}: no table found in the document"
