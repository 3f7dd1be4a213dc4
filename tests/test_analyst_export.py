"""Excel and CSV for analysts: a workbook with a sheet per view (header frozen, filters on),
CSV with a byte-order mark by default so that Excel reads the Thai.

Row counts from the samples: 13 + 15 + 6 measures (สถ. 2566, 2567, อบต.หนองบัว 2567); in
measure_details the 2566 row for indicators 9 and 10 counts its 2 measures twice (36); 3
reports × 10 framework indicators; 16 pairs of สถ.'s measures (docs/compare.md).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import SAMPLES, ingest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from etl.app.cli import app
from loaders.models import EXPORT_VIEWS

runner = CliRunner()
FILES = ("dla_2566.txt", "dla_2567.html", "obt_nongbua_2567.md")
ROWS = {
    "measures": 34,
    "report_summary": 3,
    "measure_details": 36,
    "indicator_coverage": 30,
    "measure_changes": 16,
}
BOM = b"\xef\xbb\xbf"


def test_a_workbook_with_a_sheet_per_view(db_url: str, tmp_path: Path) -> None:
    ingest(db_url, [SAMPLES / name for name in FILES], workers=0)
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", "-f", "xlsx", "-o", str(out), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out / "views.xlsx")
    book = load_workbook(out / "views.xlsx")
    assert book.sheetnames == list(EXPORT_VIEWS)
    for name in EXPORT_VIEWS:
        sheet = book[name]
        header = [cell.value for cell in sheet[1]]
        assert sheet.max_row == 1 + ROWS[name], name
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1])
    measures = book["measures"]
    header = [cell.value for cell in measures[1]]
    texts = [row[header.index("text")] for row in measures.iter_rows(min_row=2, values_only=True)]
    assert "จัดทำแผนปฏิบัติการป้องกันการทุจริต" in texts
    summary = book["report_summary"]
    loaded_at = [c.value for c in summary[1]].index("loaded_at")
    assert all(row[loaded_at] for row in summary.iter_rows(min_row=2, values_only=True))


def test_csv_has_a_byte_order_mark_unless_asked_not_to(tmp_path: Path) -> None:
    db = str(tmp_path / "ita.db")
    ingest(db, [SAMPLES / name for name in FILES], workers=0)
    runner.invoke(app, ["export", "-o", str(tmp_path / "bom"), "--view", "measures", "--db", db])
    runner.invoke(
        app,
        ["export", "-o", str(tmp_path / "plain"), "--view", "measures", "--no-bom", "--db", db],
    )
    with_bom = (tmp_path / "bom" / "measures.csv").read_bytes()
    plain = (tmp_path / "plain" / "measures.csv").read_bytes()
    assert with_bom.startswith(BOM + b"agency_key,")
    assert plain.startswith(b"agency_key,")
    assert with_bom[len(BOM) :] == plain
    frame = pd.read_csv(tmp_path / "bom" / "measures.csv")
    assert frame.columns[0] == "agency_key"
    assert len(frame) == ROWS["measures"]
    assert frame.equals(pd.read_csv(tmp_path / "plain" / "measures.csv"))
