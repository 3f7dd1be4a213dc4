"""The notebook API (etl.app.api, docs/api.md): DataFrames from the store, on both databases."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from sample_truth import CORRUPTION_HITS

import etl
from etl.app import api
from schemas.errors import StoreError


def test_the_api_returns_dataframes(db_url: str, two_years: Path, tmp_path: Path) -> None:
    summary = api.ingest(two_years, db=db_url)
    assert summary.counts["new"] == 2

    everything = api.measures(db_url)
    assert len(everything) == 13 + 15
    assert {"agency_key", "fiscal_year_be", "tool", "indicators", "text"} <= set(everything)
    year = api.measures(db_url, agency="สถ.", fiscal_year=2024)  # CE year
    assert len(year) == 15 and set(year["fiscal_year_be"]) == {2567}
    # 2566's single row for indicators 9 and 10 answers a filter on either
    ten = api.measures(db_url, fiscal_year=2566, indicator=10)
    assert list(ten["indicators"]) == ["9+10", "9+10"]
    assert len(api.measures(db_url, tool="eit", fiscal_year=2567)) == 3
    assert api.measures(db_url, fiscal_year=2560).empty

    pairs = api.compare_years("สถ.", 2566, 2567, db=db_url)
    assert pairs["status"].value_counts().to_dict() == {
        "carried": 9,
        "changed": 3,
        "new": 3,
        "dropped": 1,
    }
    assert pairs.attrs == {"agency": "สถ.", "from_year": 2566, "to_year": 2567}

    hits = api.search("ทุจริต", db=db_url)
    assert {"agency_key", "fiscal_year_be", "indicator", "role", "text"} <= set(hits)
    found = Counter(
        (year, indicator, role, re.sub(r"\s", "", text))
        for year, indicator, role, text in hits[
            ["fiscal_year_be", "indicator", "role", "text"]
        ].itertuples(index=False)
    )
    # every item of the two reports holding the word, listed by reading them
    assert found == Counter(
        (h.fiscal_year_be, h.indicator, h.role, re.sub(r"\s", "", h.text)) for h in CORRUPTION_HITS
    )

    summary_rows = api.reports(db_url)
    assert list(summary_rows["measures"]) == [13, 15]
    assert list(api.sources(db_url)["status"]) == ["new", "new"]

    written = api.export_views(tmp_path / "out", "parquet", db=db_url)
    assert [p.name for p in written] == [
        "measures.parquet",
        "report_summary.parquet",
        "measure_details.parquet",
        "indicator_coverage.parquet",
        "measure_changes.parquet",
    ]
    assert len(pd.read_parquet(written[0])) == 28
    csv_files = api.export_views(tmp_path / "out", "csv", db=db_url, views=["report_summary"])
    assert list(pd.read_csv(csv_files[0])["fiscal_year_be"]) == [2566, 2567]


def test_etl_reexports_the_api() -> None:
    assert etl.measures is api.measures
    assert etl.compare_years is api.compare_years
    assert etl.search is api.search


def test_reading_a_missing_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database"):
        api.measures(str(tmp_path / "none.db"))
    assert not (tmp_path / "none.db").exists()
