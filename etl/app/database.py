"""``Database``: one object for loading, querying and exporting a store of ITA reports.

The ``ita-etl`` command and notebooks go through it alike (in the manner of sqlite-utils'
``Database``): the CLI parses options into its arguments and prints what it returns. Every
reading method opens the store as it is (it must exist and be at the newest schema revision;
nothing is created or upgraded by reading) and reads in one transaction; ``ingest`` and
``upgrade`` create and upgrade it. Results are plain rows (``Rows``: column names and a dict
per row) or a ``Comparison``; ``etl.app.api`` turns them into pandas DataFrames.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection

from etl.orchestrate import batch
from etl.orchestrate.batch import IngestOptions, IngestSummary, Reporter
from etl.orchestrate.sources import Skipped, expand_sources
from loaders import derived, migrate, queries
from loaders.db import display_url, resolve_url, store_errors
from loaders.derived import Rebuilt
from loaders.locks import ingest_lock
from loaders.models import EXPORT_VIEWS
from loaders.queries import Comparison, Hits, Rows
from loaders.store import Store
from schemas.errors import UsageError

EXPORT_FORMATS = ("csv", "parquet", "xlsx")
XLSX_NAME = "views.xlsx"
"""The workbook ``export --format xlsx`` writes: one sheet per view."""
Names = str | Sequence[str] | None
"""One agency (or year, or role), several (any of them), or None (all)."""


def _many(value: str | int | Sequence[str | int] | Sequence[str] | None) -> tuple[str | int, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):
        return (value,)
    return tuple(value)


class Database:
    """A store of reports: a SQLite file or a PostgreSQL database.

    ``url``: a SQLAlchemy URL (``postgresql://…`` means psycopg 3) or a SQLite file path;
    default ``$ITA_ETL_DB``, else ``./ita.db``. Use it as a context manager, or ``close()`` it,
    to release its connections. ``timeout``: seconds to wait to connect, or for a lock another
    session holds (default ``$ITA_ETL_DB_TIMEOUT``, else 30; 0: for ever).
    """

    def __init__(self, url: str | None = None, *, timeout: float | None = None) -> None:
        self.url = resolve_url(url)
        self.timeout = timeout
        self._store: Store | None = None

    def __repr__(self) -> str:
        return f"Database({display_url(self.url)!r})"

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- writing --------------------------------------------------------------------------

    def ingest(
        self,
        sources: Iterable[str | Path] = (),
        *,
        from_list: Path | None = None,
        options: IngestOptions | None = None,
        reporter: Reporter | None = None,
    ) -> IngestSummary:
        """Load reports: files, folders (recursive), globs, http(s) URLs, and the lines of
        ``from_list`` (``-``: stdin). One transaction per document; the same bytes again are
        not parsed; a changed report of the same agency and year becomes the current version
        (docs/cli.md, ``ita-etl ingest``). Bad input is recorded and the rest goes on; what a
        folder held named like a report but not a file to read is in ``summary.skipped``."""
        names = list(sources)
        skipped: list[Skipped] = []
        locations = (
            expand_sources(names, from_list=from_list, skipped=skipped)
            if names or from_list
            else []
        )
        summary = batch.ingest(self._writable(), locations, options, reporter)
        summary.skipped = skipped
        return summary

    def upgrade(self) -> str:
        """Create the tables or bring them to the newest revision, and rewrite the reference
        tables (framework, abbreviations) from this version's data; the revision."""
        store = self._writable()
        with store_errors(self.url):
            migrate.refresh_reference_data(store.engine)
            return migrate.current(store.engine) or migrate.head()

    def revision(self) -> tuple[str | None, str]:
        """The schema revision the database is at (None: no ita-etl tables) and the newest
        this version knows. Creates nothing."""
        store = Store(self.url, upgrade=False, timeout=self.timeout, read_only=True)
        try:
            with store_errors(self.url):
                return migrate.current(store.engine), migrate.head()
        finally:
            store.close()

    def rebuild(self) -> Rebuilt:
        """Order every report's versions by their sources' dates (``loaders.versions``), then
        derive the canonical unit names and the stored comparisons (``measure_changes``)
        again from the records, in one transaction holding the ingest lock: after an
        upgrade of ita-etl changed how versions are ordered, units named or measures paired."""
        store = self._writable()
        with ingest_lock(store), store.writing() as connection:
            return derived.rebuild(connection)

    def _writable(self) -> Store:
        if self._store is None:
            self._store = Store(self.url, timeout=self.timeout)
        return self._store

    # --- reading --------------------------------------------------------------------------

    @contextmanager
    def _reading(self, *, snapshot: bool = False) -> Iterator[Connection]:
        """One read transaction on the store as it is (``snapshot``: every query of the
        block sees the same committed state, also on PostgreSQL)."""
        if self._store is None:
            self._store = queries.open_store(self.url, timeout=self.timeout)
        with self._store.reading(snapshot=snapshot) as connection:
            yield connection

    def measures(
        self,
        *,
        agency: str | None = None,
        fiscal_year: int | str | None = None,
        tool: str | None = None,
        indicator: int | None = None,
    ) -> Rows:
        """The ``measures`` view: one row per measure of each current report, filtered; an
        entry filed under 9 and 10 matches ``indicator`` 9 and 10. A year with no report
        loaded gives no rows (an unknown agency or a malformed year: ``UsageError``)."""
        with self._reading() as c:
            return queries.measures(
                c, agency=agency, fiscal_year=fiscal_year, tool=tool, indicator=indicator
            )

    def measure_details(
        self,
        *,
        agency: Names = None,
        fiscal_year: int | str | Sequence[int | str] | None = None,
        indicator: int | None = None,
    ) -> Rows:
        """The ``measure_details`` view: one row per measure and per indicator it serves,
        with its row's results, outcomes and units (raw and canonical)."""
        with self._reading() as c:
            return queries.measure_details(
                c,
                agencies_=[str(a) for a in _many(agency)],
                years=_many(fiscal_year),
                indicator=indicator,
            )

    def coverage(
        self, *, agency: Names = None, fiscal_year: int | str | Sequence[int | str] | None = None
    ) -> Rows:
        """The ``indicator_coverage`` view: agency × fiscal year × framework indicator with
        its measures, results and whether it is a gap (no measure)."""
        with self._reading() as c:
            return queries.coverage(
                c, agencies_=[str(a) for a in _many(agency)], years=_many(fiscal_year)
            )

    def changes(
        self,
        *,
        agency: Names = None,
        from_year: int | str | None = None,
        to_year: int | str | None = None,
        status: Names = None,
    ) -> Rows:
        """The stored year-on-year comparisons of every agency (``measure_changes``: each
        pair of consecutive loaded years), with the agency's name; filtered."""
        with self._reading() as c:
            return queries.stored_changes(
                c,
                agencies_=[str(a) for a in _many(agency)],
                from_year=from_year,
                to_year=to_year,
                statuses=[str(s) for s in _many(status)],
            )

    def reports(self) -> Rows:
        """The ``report_summary`` view: one row per agency per fiscal year."""
        with self._reading() as c:
            return queries.view_rows(c, "report_summary")

    def compare(self, agency: str, from_year: int | str, to_year: int | str) -> Comparison:
        """An agency's measures of two fiscal years (BE or CE) paired: carried, changed, new
        or dropped (docs/compare.md)."""
        with self._reading() as c:
            return queries.compare(c, agency, from_year, to_year)

    def compare_versions(
        self,
        agency: str,
        fiscal_year: int | str,
        from_version: int | None = None,
        to_version: int | None = None,
    ) -> Comparison:
        """Two versions of one report paired: what a re-publication changed (default: the
        version before the current one against the current one)."""
        with self._reading() as c:
            return queries.compare_versions(c, agency, fiscal_year, from_version, to_version)

    def search(
        self,
        query: str,
        *,
        limit: int | None = 50,
        agency: Names = None,
        fiscal_year: int | str | Sequence[int | str] | None = None,
        role: Names = None,
    ) -> Hits:
        """Items of current reports containing ``query`` (Thai needs no spaces; an agency or
        unit is found by its abbreviation or its full name), of the agencies, years and
        roles given; ``.total`` is how many match, beyond ``limit``."""
        with self._reading() as c:
            return queries.search_items(
                c,
                query,
                limit=limit,
                agencies_=[str(a) for a in _many(agency)],
                years=_many(fiscal_year),
                roles=[str(r) for r in _many(role)],
            )

    def sources(self, *, failed_only: bool = False) -> Rows:
        """Every source loaded or tried, and what became of it."""
        with self._reading() as c:
            return queries.source_rows(c, failed_only=failed_only)

    def source_counts(self, *, failed_only: bool = False) -> Rows:
        """How many sources are in each state (and, for failures, at which stage)."""
        with self._reading() as c:
            return queries.source_counts(c, failed_only=failed_only)

    def urls(self, *, failed_only: bool = False) -> Rows:
        """Every URL ingested or tried: validators, last answer, last error."""
        with self._reading() as c:
            return queries.url_rows(c, failed_only=failed_only)

    def views(self, names: Iterable[str] | None = None) -> dict[str, Rows]:
        """Whole views (default: those ``export`` writes), all read from one snapshot, so that
        they agree with each other even while an ingest is loading."""
        wanted = list(names or EXPORT_VIEWS)
        queries.check_views(wanted)
        with self._reading(snapshot=True) as c:
            return {name: queries.view_rows(c, name) for name in wanted}

    def export(
        self,
        out: str | Path,
        format: str = "csv",
        *,
        views: Iterable[str] | None = None,
        bom: bool = True,
    ) -> list[Path]:
        """Write each view (default: all of ``EXPORT_VIEWS``), from one snapshot: csv or
        parquet, one ``out/<view>.<format>`` each (csv in UTF-8 with a byte-order mark unless
        ``bom`` is false, so that Excel reads the Thai), or xlsx, one workbook
        ``out/views.xlsx`` with a sheet per view; the paths written."""
        if format not in EXPORT_FORMATS:
            raise UsageError(f"export format is csv, parquet or xlsx, not {format!r}")
        tables = self.views(views)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        if format == "xlsx":
            from etl.app.excel import write_workbook

            path = folder / XLSX_NAME
            write_workbook(path, tables)
            return [path]
        import pandas as pd

        written = []
        for name, rows in tables.items():
            frame = pd.DataFrame(rows.records, columns=rows.columns)
            path = folder / f"{name}.{format}"
            if format == "csv":
                frame.to_csv(path, index=False, encoding="utf-8-sig" if bom else "utf-8")
            else:
                frame.to_parquet(path, index=False)
            written.append(path)
        return written

    def report_html(self, agency: Names = None) -> str:
        """A self-contained HTML page (no network needed to open it): for the agencies
        given, or every agency (None), the years loaded, counts by status and coverage per
        indicator as charts, the changed measures with a word-level diff, new and dropped
        measures, the reports' warnings (docs/cli.md, ``ita-etl report``)."""
        from etl.app.report import render

        with self._reading(snapshot=True) as c:
            data = queries.report_data(c, [str(a) for a in _many(agency)])
        return render(data, database=display_url(self.url))
