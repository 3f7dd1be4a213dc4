"""Word and Excel files that hold no report, or cannot be read: one clear line each.

Every bad file is made here by the real tools (python-docx, openpyxl, msoffcrypto-tool,
zipfile) from the committed samples, so each case is what a user would meet: a password set
in Office, a download cut short, a letter instead of a report, a workbook written by a
program and never opened, a zip bomb.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import extractors
from etl import extract_bytes
from extractors.ooxml import MAX_UNPACKED_BYTES
from schemas.errors import (
    CorruptDocumentError,
    DocumentTooLargeError,
    EncryptedDocumentError,
    InputError,
    NoReportTableError,
    UnsupportedFormatError,
)

SAMPLES = Path(__file__).parents[1] / "samples"
DOCX = SAMPLES / "docx" / "obt_nongbua_2567__Laksaman__ruled.docx"
XLSX = SAMPLES / "xlsx" / "obt_nongbua_2567.xlsx"
REAL_LETTER = (
    Path(__file__).parents[2]
    / "shared"
    / "realdocs"
    / "dla_local_forms"
    / "dla_letter_mt0808.3_w_2567-06.docx"
)


def reason(data: bytes, name: str, expected: type[InputError]) -> str:
    with pytest.raises(expected) as caught:
        extract_bytes(data, name)
    line = caught.value.one_line()
    assert "\n" not in line and line.startswith(f"{name}: ")
    return line


def encrypted(plain: bytes) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("ความลับ", out)
    return out.getvalue()


@pytest.mark.parametrize("sample", [DOCX, XLSX], ids=["docx", "xlsx"])
def test_password_protected(sample: Path) -> None:
    line = reason(encrypted(sample.read_bytes()), sample.name, EncryptedDocumentError)
    assert "password-protected" in line


@pytest.mark.parametrize("sample", [DOCX, XLSX], ids=["docx", "xlsx"])
def test_cut_short(sample: Path) -> None:
    data = sample.read_bytes()
    line = reason(data[: len(data) // 2], sample.name, CorruptDocumentError)
    assert "damaged" in line


@pytest.mark.parametrize("sample", [DOCX, XLSX], ids=["docx", "xlsx"])
def test_a_damaged_part(sample: Path) -> None:
    main = "word/document.xml" if sample.suffix == ".docx" else "xl/workbook.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(sample) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info, body[: len(body) // 3] if info.filename == main else body)
    line = reason(out.getvalue(), sample.name, CorruptDocumentError)
    assert "damaged or incomplete" in line


def test_docx_with_no_table() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("บันทึกข้อความ")
    document.add_paragraph("เรื่อง ขอเชิญประชุมคณะทำงาน ITA ประจำปีงบประมาณ พ.ศ. 2567")
    buffer = io.BytesIO()
    document.save(buffer)
    line = reason(buffer.getvalue(), "memo.docx", NoReportTableError)
    assert "no table" in line


@pytest.mark.skipif(not REAL_LETTER.is_file(), reason="needs ../shared/realdocs (not in a clone)")
def test_real_dla_letter_is_one_clear_line() -> None:
    # a real circular letter of สถ. (text boxes, images, no table): not a report
    line = reason(REAL_LETTER.read_bytes(), REAL_LETTER.name, NoReportTableError)
    assert "no table" in line


def test_xlsx_of_formulas_only() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in range(1, 6):
        sheet.cell(row, 1, f"=ROW()*{row}")
        sheet.cell(row, 2, f'=CONCATENATE("ตัวชี้วัดที่ ", A{row})')
    buffer = io.BytesIO()
    workbook.save(buffer)
    line = reason(buffer.getvalue(), "evidence.xlsx", NoReportTableError)
    assert "10 formula cells have no saved values" in line


def test_xlsx_with_text_and_unsaved_formulas_warns() -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(XLSX)
    sheet = workbook.active
    sheet.cell(sheet.max_row + 2, 1, "=SUM(1,2)")
    buffer = io.BytesIO()
    workbook.save(buffer)
    doc = extract_bytes(buffer.getvalue(), "report.xlsx")
    assert doc.entries
    assert any("1 formula cells have no saved value" in w for w in doc.warnings)


def _bomb(declared_only: bool) -> bytes:
    """A .docx whose document part inflates past the limit: honestly (300 MB of spaces,
    deflated to a few hundred KB), or by a directory that claims it does."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(DOCX) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
    ):
        for info in source.infolist():
            if info.filename != "word/document.xml":
                zf.writestr(info.filename, source.read(info.filename))
        if declared_only:
            zf.writestr("word/document.xml", source.read("word/document.xml"))
        else:
            with zf.open("word/document.xml", "w", force_zip64=True) as part:
                chunk = b" " * (1 << 20)
                for _ in range(MAX_UNPACKED_BYTES // len(chunk) + 44):
                    part.write(chunk)
    data = bytearray(out.getvalue())
    if declared_only:
        # the central directory's "uncompressed size" of the document part, made huge
        entry = data.rfind(b"PK\x01\x02", 0, data.find(b"PK\x05\x06"))
        while data[entry + 46 : entry + 46 + 17] != b"word/document.xml":
            entry = data.rfind(b"PK\x01\x02", 0, entry)
        data[entry + 24 : entry + 28] = (0xFFFF0000).to_bytes(4, "little")
    return bytes(data)


@pytest.mark.parametrize("declared_only", [False, True], ids=["inflates", "directory-claims"])
def test_zip_bomb_refused_from_its_directory(declared_only: bool) -> None:
    line = reason(_bomb(declared_only), "bomb.docx", DocumentTooLargeError)
    assert "would unpack to" in line and "nothing was unpacked" in line


def test_zip_that_is_not_an_office_file() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("reports/2567.pdf", b"%PDF-1.4")
    line = reason(out.getvalue(), "reports.zip", UnsupportedFormatError)
    assert "not a Word (.docx) or Excel (.xlsx) file" in line


def test_format_is_recognised_by_content_not_name() -> None:
    assert extractors.detect_format(DOCX.read_bytes(), "report.pdf") == "docx"
    assert extractors.detect_format(XLSX.read_bytes(), "report.docx") == "xlsx"
    doc = extract_bytes(XLSX.read_bytes(), "download.bin")
    assert doc.source.format == "xlsx" and doc.entries


def test_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(_bomb(declared_only=True))
    done = subprocess.run(
        [sys.executable, "-m", "etl.app.cli", "extract", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "would unpack to" in lines[0]
