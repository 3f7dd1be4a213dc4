"""The notebook API: the store's views and comparisons as pandas DataFrames (docs/api.md).

Each function is one call on a ``Database`` (the object the CLI uses too), turned into a
DataFrame. ``db`` is a SQLAlchemy URL or a SQLite file path; default ``$ITA_ETL_DB`` or
``./ita.db``. Years may be Buddhist era or common era (2024 means 2567).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from etl.app.database import Database
from etl.orchestrate.batch import IngestOptions, IngestSummary
from loaders.queries import COMPARE_COLUMNS, Comparison, Rows

Names = str | Sequence[str] | None
Years = int | str | Sequence[int | str] | None


def frame(rows: Rows) -> pd.DataFrame:
    """Rows as a DataFrame, with their columns even when there is no row."""
    return pd.DataFrame(rows.records, columns=rows.columns)


def ingest(
    paths: str | Path | Iterable[str | Path],
    db: str | None = None,
    *,
    options: IngestOptions | None = None,
) -> IngestSummary:
    """Load report files, folders, globs or URLs into the store, as ``ita-etl ingest`` does."""
    sources = [paths] if isinstance(paths, str | Path) else list(paths)
    with Database(db) as database:
        return database.ingest(sources, options=options)


def measures(
    db: str | None = None,
    *,
    agency: str | None = None,
    fiscal_year: int | str | None = None,
    tool: str | None = None,
    indicator: int | None = None,
) -> pd.DataFrame:
    """The ``measures`` view: one row per measure of each current report, filtered (a year
    not loaded gives an empty DataFrame)."""
    with Database(db) as database:
        return frame(
            database.measures(
                agency=agency, fiscal_year=fiscal_year, tool=tool, indicator=indicator
            )
        )


def reports(db: str | None = None) -> pd.DataFrame:
    """The ``report_summary`` view: one row per agency per fiscal year."""
    with Database(db) as database:
        return frame(database.reports())


def measure_details(
    db: str | None = None,
    *,
    agency: Names = None,
    fiscal_year: Years = None,
    indicator: int | None = None,
) -> pd.DataFrame:
    """The ``measure_details`` view: one row per measure and per indicator it serves, with
    its row's results, outcomes, units and canonical unit names."""
    with Database(db) as database:
        return frame(
            database.measure_details(agency=agency, fiscal_year=fiscal_year, indicator=indicator)
        )


def coverage(
    db: str | None = None, *, agency: Names = None, fiscal_year: Years = None
) -> pd.DataFrame:
    """The ``indicator_coverage`` view: agency × fiscal year × framework indicator."""
    with Database(db) as database:
        return frame(database.coverage(agency=agency, fiscal_year=fiscal_year))


def changes(
    db: str | None = None,
    *,
    agency: Names = None,
    from_year: int | str | None = None,
    to_year: int | str | None = None,
    status: Names = None,
) -> pd.DataFrame:
    """Every agency's stored year-on-year comparisons (``measure_changes``), filtered."""
    with Database(db) as database:
        return frame(
            database.changes(agency=agency, from_year=from_year, to_year=to_year, status=status)
        )


def _comparison_frame(comparison: Comparison) -> pd.DataFrame:
    result = pd.DataFrame(comparison.rows(), columns=list(COMPARE_COLUMNS))
    result.attrs.update(
        agency=comparison.agency, from_year=comparison.from_year, to_year=comparison.to_year
    )
    if comparison.from_version is not None:
        result.attrs.update(from_version=comparison.from_version, to_version=comparison.to_version)
    return result


def compare_years(
    agency: str, from_year: int | str, to_year: int | str, db: str | None = None
) -> pd.DataFrame:
    """An agency's measures of two years paired: carried, changed, new or dropped
    (docs/compare.md); ``.attrs`` names the agency and the years."""
    with Database(db) as database:
        return _comparison_frame(database.compare(agency, from_year, to_year))


def compare_versions(
    agency: str,
    fiscal_year: int | str,
    from_version: int | None = None,
    to_version: int | None = None,
    db: str | None = None,
) -> pd.DataFrame:
    """Two versions of one report paired (default: the previous and the current one);
    ``.attrs`` names the agency, the year and the versions."""
    with Database(db) as database:
        return _comparison_frame(
            database.compare_versions(agency, fiscal_year, from_version, to_version)
        )


def search(
    query: str,
    db: str | None = None,
    *,
    limit: int | None = None,
    agency: Names = None,
    fiscal_year: Years = None,
    role: Names = None,
) -> pd.DataFrame:
    """Items of current reports containing ``query`` (Thai works: no spaces needed; an
    abbreviation finds the full name and the other way round); ``.attrs["total"]`` is how
    many items match."""
    with Database(db) as database:
        hits = database.search(
            query, limit=limit, agency=agency, fiscal_year=fiscal_year, role=role
        )
    result = frame(hits)
    result.attrs["total"] = hits.total
    return result


def sources(db: str | None = None, *, failed_only: bool = False) -> pd.DataFrame:
    """Every source file loaded or tried, and what became of it."""
    with Database(db) as database:
        return frame(database.sources(failed_only=failed_only))


def export_views(
    out: str | Path,
    format: str = "csv",
    db: str | None = None,
    *,
    views: Iterable[str] | None = None,
    bom: bool = True,
) -> list[Path]:
    """Write each view to ``out/<view>.<format>`` (csv or parquet) or one workbook
    ``out/views.xlsx`` (xlsx); the paths written."""
    with Database(db) as database:
        return database.export(out, format, views=views, bom=bom)


def write_report(out: str | Path, agency: Names = None, db: str | None = None) -> Path:
    """Write the HTML report (``ita-etl report``) of the agencies given, or of every agency,
    to ``out``; the path."""
    with Database(db) as database:
        page = database.report_html(agency)
    path = Path(out)
    path.write_text(page, encoding="utf-8")
    return path
