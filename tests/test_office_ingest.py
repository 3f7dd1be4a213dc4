"""`ingest` loads Word and Excel reports like any other source, on SQLite and PostgreSQL.

The same report as HTML, .docx, the .docx's PDF and .xlsx is one version (its records are
the same); a folder contributes its .docx and .xlsx files; a Word file that is not a report
is recorded as failed and the rest of the batch goes on.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ingest_into
from sqlalchemy import select, text

from loaders.models import sources
from loaders.store import Store

SAMPLES = Path(__file__).parents[1] / "samples"
SAME_REPORT = (
    "dla_2567.html",
    "docx/dla_2567__Laksaman__ruled.docx",
    "docx/dla_2567__Laksaman__ruled.pdf",
    "xlsx/dla_2567.xlsx",
)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as s:
        yield s


def test_one_report_in_four_formats_is_one_version(store: Store, tmp_path: Path) -> None:
    paths = []
    for name in SAME_REPORT:
        target = tmp_path / name.replace("/", "_")
        shutil.copy(SAMPLES / name, target)
        paths.append(target)
    summary = ingest_into(store, paths)
    assert [r.status for r in summary.results] == ["new", "duplicate", "duplicate", "duplicate"]
    assert {(r.agency_key, r.fiscal_year_be, r.version) for r in summary.results} == {
        (summary.results[0].agency_key, 2567, 1)
    }
    with store.engine.connect() as conn:
        formats = conn.execute(select(sources.c.format).order_by(sources.c.id)).scalars().all()
        reports = conn.execute(text("SELECT count(*) FROM reports")).scalar_one()
        entries = conn.execute(text("SELECT count(*) FROM entries")).scalar_one()
    assert formats == ["html", "docx", "pdf", "xlsx"]
    # dla_2567.html: 15 measure rows
    assert (reports, entries) == (1, 15)
    again = ingest_into(store, paths)
    assert [r.status for r in again.results] == ["unchanged"] * 4


def test_folder_of_office_files_with_a_letter_among_them(store: Store, tmp_path: Path) -> None:
    import docx

    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(SAMPLES / "docx" / "obt_nongbua_2567__Loma__borderless.docx", folder / "a.docx")
    shutil.copy(SAMPLES / "xlsx" / "dla_2566.xlsx", folder / "b.xlsx")
    letter = docx.Document()
    letter.add_paragraph("ที่ มท ๐๘๐๘.๓/ว เรื่อง ขอความอนุเคราะห์ตอบแบบสำรวจ")
    buffer = io.BytesIO()
    letter.save(buffer)
    (folder / "c.docx").write_bytes(buffer.getvalue())
    summary = ingest_into(store, [folder])
    by_name = {Path(r.path).name: r for r in summary.results}
    assert sorted(by_name) == ["a.docx", "b.xlsx", "c.docx"]
    assert by_name["a.docx"].status == "new" and by_name["a.docx"].fiscal_year_be == 2567
    assert by_name["b.xlsx"].status == "new" and by_name["b.xlsx"].fiscal_year_be == 2566
    assert by_name["c.docx"].status == "failed"
    assert "no table" in (by_name["c.docx"].reason or "")
