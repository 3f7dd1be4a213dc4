"""Issue 13, defect 4: an export read its views one by one, so an ingest committing between two
of them gave a measures.csv that disagreed with report_summary.csv (1,873 rows against 1,926
counted, in 5 of 12 exports during an ingest on PostgreSQL). All views of one export are read
in one snapshot. The ingest is made to commit at the worst moment, between the first view
and the second, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, ingest

import etl
from loaders import queries

MEASURES_2566 = 13  # the seed's 2566 report: 13 measures, read from samples/dla_2566.txt


def test_an_export_is_one_snapshot_while_an_ingest_commits(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(db_url, [SAMPLES / "dla_2566.txt"])
    real_view_rows: Callable[..., Any] = queries.view_rows
    committed: list[str] = []

    def a_commit_between_views(connection: Any, view: str) -> Any:
        rows = real_view_rows(connection, view)
        if not committed:  # after the first view is read, another report is loaded for real
            committed.append(view)
            summary = ingest(db_url, [SAMPLES / "dla_2567.html"])
            assert summary.counts["new"] == 1
        return rows

    monkeypatch.setattr(queries, "view_rows", a_commit_between_views)
    written = etl.Database(db_url).export(tmp_path / "out", "csv")
    monkeypatch.undo()

    import pandas as pd

    measures = pd.read_csv(tmp_path / "out" / "measures.csv")
    summary = pd.read_csv(tmp_path / "out" / "report_summary.csv")
    assert committed == ["measures"] and len(written) >= 2
    # both views are of the database as it was when the export began
    assert len(measures) == summary["measures"].sum() == MEASURES_2566
    assert list(summary["fiscal_year_be"]) == [2566]
    # and the ingest did commit: a new export sees it
    after = etl.Database(db_url).views(["report_summary"])["report_summary"]
    assert len(after.records) == 2
