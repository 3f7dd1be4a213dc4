"""The notebook API: the store's views and comparisons as pandas DataFrames (docs/api.md).

Each function is one call on a ``Database`` (the object the CLI uses too), turned into a
DataFrame. ``db`` is a SQLAlchemy URL or a SQLite file path; default ``$ITA_ETL_DB`` or
``./ita.db``. Years may be Buddhist era or common era (2024 means 2567).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from etl.app.database import Database
from etl.orchestrate.batch import IngestOptions, IngestSummary
from loaders.queries import COMPARE_COLUMNS, Rows


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
    fiscal_year: int | None = None,
    tool: str | None = None,
    indicator: int | None = None,
) -> pd.DataFrame:
    """The ``measures`` view: one row per measure of each current report, filtered."""
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


def compare_years(agency: str, from_year: int, to_year: int, db: str | None = None) -> pd.DataFrame:
    """An agency's measures of two years paired: carried, changed, new or dropped
    (docs/compare.md); ``.attrs`` names the agency and the years."""
    with Database(db) as database:
        comparison = database.compare(agency, from_year, to_year)
    result = pd.DataFrame(comparison.rows(), columns=list(COMPARE_COLUMNS))
    result.attrs.update(
        agency=comparison.agency, from_year=comparison.from_year, to_year=comparison.to_year
    )
    return result


def search(query: str, db: str | None = None, *, limit: int | None = None) -> pd.DataFrame:
    """Items of current reports containing ``query`` (Thai works: no spaces needed)."""
    with Database(db) as database:
        return frame(database.search(query, limit=limit))


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
) -> list[Path]:
    """Write each view to ``out/<view>.<format>`` (csv or parquet); the paths written."""
    with Database(db) as database:
        return database.export(out, format, views=views)
