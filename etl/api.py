"""The notebook API: the store's views and comparisons as pandas DataFrames (docs/api.md).

Each function opens the store named by ``db`` (a SQLAlchemy URL or a SQLite file path;
default ``$ITA_ETL_DB`` or ``./ita.db``), reads, and closes it. Years may be Buddhist era or
common era (2024 means 2567).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from loaders import queries
from loaders.ingest import IngestSummary
from loaders.ingest import ingest as _ingest
from loaders.models import MEASURES_VIEW, REPORT_SUMMARY_VIEW
from loaders.store import Store
from schemas.errors import UsageError

EXPORT_VIEWS = (MEASURES_VIEW, REPORT_SUMMARY_VIEW)
COMPARE_COLUMNS = [
    "indicator",
    "status",
    "from",
    "to",
    "similarity",
    "from_indicator",
    "to_indicator",
]


def ingest(paths: str | Path | Iterable[str | Path], db: str | None = None) -> IngestSummary:
    """Load report files, folders or globs into the store (see ``ita-etl ingest``)."""
    targets = [paths] if isinstance(paths, str | Path) else list(paths)
    with Store(db) as store:
        return _ingest(targets, store)


def measures(
    db: str | None = None,
    *,
    agency: str | None = None,
    fiscal_year: int | None = None,
    tool: str | None = None,
    indicator: int | None = None,
) -> pd.DataFrame:
    """The ``measures`` view: one row per measure of each current report, filtered."""
    with queries.open_store(db) as store, store.reading() as c:
        rows = queries.measures(
            c, agency=agency, fiscal_year=fiscal_year, tool=tool, indicator=indicator
        )
    return _frame(rows)


def reports(db: str | None = None) -> pd.DataFrame:
    """The ``report_summary`` view: one row per agency per fiscal year."""
    with queries.open_store(db) as store, store.reading() as c:
        rows = queries.view_rows(c, REPORT_SUMMARY_VIEW)
    return _frame(rows)


def compare(agency: str, from_year: int, to_year: int, db: str | None = None) -> pd.DataFrame:
    """An agency's measures of two years paired: carried, changed, new or dropped. The
    agency, years and threshold-free statuses are documented in docs/compare.md."""
    with queries.open_store(db) as store, store.reading() as c:
        comparison = queries.compare(c, agency, from_year, to_year)
    frame = pd.DataFrame(comparison.rows(), columns=COMPARE_COLUMNS)
    frame.attrs.update(
        agency=comparison.agency, from_year=comparison.from_year, to_year=comparison.to_year
    )
    return frame


def search(query: str, db: str | None = None, *, limit: int | None = None) -> pd.DataFrame:
    """Items of current reports containing ``query`` (Thai works: no spaces needed)."""
    with queries.open_store(db) as store, store.reading() as c:
        rows = queries.search_items(c, query, limit=limit)
    return _frame(rows)


def sources(db: str | None = None, *, failed_only: bool = False) -> pd.DataFrame:
    """Every source file loaded or tried, and what became of it."""
    with queries.open_store(db) as store, store.reading() as c:
        rows = queries.source_rows(c, failed_only=failed_only)
    return _frame(rows)


def _frame(rows: queries.Rows) -> pd.DataFrame:
    return pd.DataFrame(rows.records, columns=rows.columns)


def export_views(
    out: str | Path,
    format: str = "csv",
    db: str | None = None,
    *,
    views: Iterable[str] | None = None,
) -> list[Path]:
    """Write each view (default: measures and report_summary) to ``out/<view>.<format>``
    (csv in UTF-8, or parquet); the paths written."""
    if format not in ("csv", "parquet"):
        raise UsageError(f"export format is csv or parquet, not {format!r}")
    folder = Path(out)
    written = []
    with queries.open_store(db) as store, store.reading() as c:
        frames = {v: _frame(queries.view_rows(c, v)) for v in views or EXPORT_VIEWS}
    folder.mkdir(parents=True, exist_ok=True)
    for view, frame in frames.items():
        path = folder / f"{view}.{format}"
        if format == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        written.append(path)
    return written
