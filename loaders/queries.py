"""Reading the store back: measures, a year-on-year comparison, search hits, sources.

Every query reads the current version of each report (``reports.superseded`` false) unless it
says otherwise. Results are plain rows (column names and a dict per row) so that the CLI
prints them and ``etl.app.api`` turns them into DataFrames; ``etl.app.database.Database`` is
how both call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from etl.transform.compare import Measure, Pair, pair_measures
from etl.transform.normalise.dates import year_to_be
from loaders import migrate, search
from loaders.db import display_url, resolve_url, store_errors
from loaders.models import (
    EXPORT_VIEWS,
    MEASURES_VIEW,
    agencies,
    reports,
    sources,
    sources_with_reports,
    urls,
)
from loaders.store import Store, database_path
from schemas.errors import StoreError, UsageError


def open_store(db: str | None = None) -> Store:
    """The store for reading: it must exist and be at the newest schema revision."""
    url = resolve_url(db)
    path = database_path(url)
    if path is not None and not path.exists():
        raise StoreError(f"no database at {path}: load reports first with `ita-etl ingest`")
    store = Store(url, upgrade=False)
    with store_errors(url):
        revision = migrate.current(store.engine)
    if revision != migrate.head():
        store.close()
        state = f"is at revision {revision}" if revision else "has no ita-etl tables"
        raise StoreError(
            f"{display_url(url)} {state}, this version needs {migrate.head()}: "
            "run `ita-etl db upgrade`"
        )
    return store


@dataclass(frozen=True)
class Rows:
    """A query's column names (kept when no row matched) and its rows."""

    columns: list[str]
    records: list[dict[str, Any]]


def _rows(result: Any) -> Rows:
    columns = list(result.keys())
    return Rows(columns, [dict(zip(columns, r, strict=True)) for r in result])


@dataclass(frozen=True)
class AgencyRef:
    id: int
    agency_key: str
    name: str | None


def find_agency(connection: Connection, name_or_abbr: str) -> AgencyRef:
    """The agency an analyst means by an abbreviation (สถ., สถ), a key or a name."""
    wanted = "".join(name_or_abbr.split())
    candidates = {wanted, wanted.rstrip("."), wanted + "."}
    rows = connection.execute(
        select(agencies.c.id, agencies.c.agency_key, agencies.c.name, agencies.c.abbr)
    ).all()
    hits = [
        r
        for r in rows
        if r.agency_key in candidates
        or (r.abbr or "") in candidates
        or "".join((r.name or "").split()) == wanted
    ]
    if not hits:
        hits = [r for r in rows if wanted and wanted in "".join((r.name or "").split())]
    if len(hits) == 1:
        return AgencyRef(hits[0].id, hits[0].agency_key, hits[0].name)
    known = ", ".join(sorted(r.agency_key for r in (hits or rows))[:20]) or "none loaded"
    which = "matches several agencies" if hits else "matches no agency"
    raise UsageError(f"{name_or_abbr!r} {which}; agencies: {known}")


def _current_report(connection: Connection, agency: AgencyRef, year: int) -> int:
    report_id = connection.execute(
        select(reports.c.id).where(
            reports.c.agency_id == agency.id,
            reports.c.fiscal_year_be == year,
            reports.c.superseded.is_(False),
        )
    ).scalar()
    if report_id is None:
        years = connection.execute(
            select(reports.c.fiscal_year_be)
            .where(reports.c.agency_id == agency.id, reports.c.superseded.is_(False))
            .order_by(reports.c.fiscal_year_be)
        ).scalars()
        have = ", ".join(str(y) for y in years) or "none"
        raise UsageError(f"no report of {agency.agency_key} for {year} (years loaded: {have})")
    return int(report_id)


def year_measures(connection: Connection, report_id: int) -> list[Measure]:
    """A report version's measures in document order, with their entries' indicators."""
    rows = connection.execute(
        text(
            "SELECT e.indicators, i.text FROM items i JOIN entries e ON e.id = i.entry_id "
            "WHERE i.report_id = :r AND i.role = 'measure' ORDER BY e.ordinal, i.ordinal"
        ),
        {"r": report_id},
    ).all()
    return [
        Measure(tuple(int(n) for n in (label or "").split("+") if n), body, position)
        for position, (label, body) in enumerate(rows)
    ]


COMPARE_COLUMNS = (
    "indicator",
    "status",
    "from",
    "to",
    "similarity",
    "from_indicator",
    "to_indicator",
)
"""The columns of a comparison's rows (docs/compare.md)."""


@dataclass(frozen=True)
class Comparison:
    """One agency's measures of two fiscal years, paired."""

    agency: str
    agency_name: str | None
    from_year: int
    to_year: int
    pairs: list[Pair]

    def rows(self) -> list[dict[str, Any]]:
        """The pairs as the JSON/CSV rows documented in docs/compare.md."""
        return [
            {
                "indicator": p.indicator_label,
                "status": p.status,
                "from": p.before.text if p.before else None,
                "to": p.after.text if p.after else None,
                "similarity": p.similarity,
                "from_indicator": _label(p.before),
                "to_indicator": _label(p.after),
            }
            for p in self.pairs
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "from": self.from_year,
            "to": self.to_year,
            "measures": self.rows(),
        }


def _label(measure: Measure | None) -> str | None:
    return "+".join(str(n) for n in sorted(measure.indicators)) if measure else None


def compare(connection: Connection, agency: str, from_year: int, to_year: int) -> Comparison:
    """Pair an agency's measures of two years (current versions; CE years accepted)."""
    found = find_agency(connection, agency)
    before, after = year_to_be(from_year), year_to_be(to_year)
    pairs = pair_measures(
        year_measures(connection, _current_report(connection, found, before)),
        year_measures(connection, _current_report(connection, found, after)),
    )
    return Comparison(found.agency_key, found.name, before, after, pairs)


def measures(
    connection: Connection,
    *,
    agency: str | None = None,
    fiscal_year: int | None = None,
    tool: str | None = None,
    indicator: int | None = None,
) -> Rows:
    """Rows of the ``measures`` view, filtered; an entry filed under 9 and 10 matches
    either."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if agency is not None:
        clauses.append("agency_key = :agency")
        params["agency"] = find_agency(connection, agency).agency_key
    if fiscal_year is not None:
        clauses.append("fiscal_year_be = :year")
        params["year"] = year_to_be(fiscal_year)
    if tool is not None:
        clauses.append("tool = :tool")
        params["tool"] = tool.upper()
    if indicator is not None:
        clauses.append(
            "item_id IN (SELECT i.id FROM items i JOIN entry_indicators ei "
            "ON ei.entry_id = i.entry_id WHERE ei.number = :indicator)"
        )
        params["indicator"] = indicator
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = (
        f"SELECT * FROM {MEASURES_VIEW}{where} "
        "ORDER BY agency_key, fiscal_year_be, entry_ordinal, ordinal"
    )
    return _rows(connection.execute(text(sql), params))


def view_rows(connection: Connection, view: str) -> Rows:
    """Every row of one of the analysts' views."""
    if view not in EXPORT_VIEWS:
        raise UsageError(f"no view {view!r}; the views are {', '.join(EXPORT_VIEWS)}")
    order = "agency_key, fiscal_year_be" + (
        ", entry_ordinal, ordinal" if view == MEASURES_VIEW else ""
    )
    return _rows(connection.execute(text(f"SELECT * FROM {view} ORDER BY {order}")))


def search_items(connection: Connection, query: str, *, limit: int | None = 50) -> Rows:
    """Items of current report versions containing ``query`` (docs/cli.md, search)."""
    if not search.has_terms(query):
        raise UsageError(f"nothing to search for in {query!r}")
    matching, params = search.matching_items(connection.dialect.name, query)
    sql = (
        "SELECT a.agency_key, r.agency_name AS agency, r.fiscal_year_be, e.tool, "
        "e.indicators AS indicator, e.indicator_names AS indicator_name, i.role, i.ordinal, "
        "i.text, r.version AS report_version, i.id AS item_id "
        "FROM items i JOIN entries e ON e.id = i.entry_id "
        "JOIN reports r ON r.id = i.report_id JOIN agencies a ON a.id = r.agency_id "
        f"WHERE NOT r.superseded AND i.id IN ({matching}) "
        "ORDER BY a.agency_key, r.fiscal_year_be, e.ordinal, "
        "CASE i.role WHEN 'measure' THEN 1 WHEN 'result' THEN 2 WHEN 'outcome' THEN 3 "
        "ELSE 4 END, i.ordinal" + (" LIMIT :limit" if limit else "")
    )
    if limit:
        params["limit"] = str(limit)
    try:
        return _rows(connection.execute(text(sql), params))
    except (OperationalError, ProgrammingError) as error:
        raise UsageError(f"cannot search for {query!r}: {error.orig}") from error


def source_rows(connection: Connection, *, failed_only: bool = False) -> Rows:
    """Every source and what became of it, newest first."""
    query = (
        select(
            sources.c.id,
            sources.c.path,
            sources.c.status,
            sources.c.stage,
            sources.c.error_type,
            sources.c.error,
            sources.c.format,
            sources.c.parser_version,
            agencies.c.agency_key,
            reports.c.fiscal_year_be,
            reports.c.version,
            reports.c.superseded,
            sources.c.sha256,
            sources.c.parse_seconds,
            sources.c.load_seconds,
            sources.c.loaded_at,
        )
        .select_from(sources_with_reports())
        .order_by(sources.c.id)
    )
    if failed_only:
        query = query.where(sources.c.status == "failed")
    return _rows(connection.execute(query))


def source_counts(connection: Connection, *, failed_only: bool = False) -> Rows:
    """How many sources are in each state: status, and for failures the stage."""
    query = (
        select(sources.c.status, sources.c.stage, func.count().label("sources"))
        .group_by(sources.c.status, sources.c.stage)
        .order_by(sources.c.status, sources.c.stage)
    )
    if failed_only:
        query = query.where(sources.c.status == "failed")
    return _rows(connection.execute(query))


def url_rows(connection: Connection, *, failed_only: bool = False) -> Rows:
    """Every URL ingested or tried: the validators and bytes of its last download, what the
    last request answered."""
    query = select(
        urls.c.url,
        urls.c.http_status,
        urls.c.error,
        urls.c.etag,
        urls.c.last_modified,
        urls.c.sha256,
        urls.c.size_bytes,
        urls.c.fetched_at,
        urls.c.checked_at,
    ).order_by(urls.c.url)
    if failed_only:
        query = query.where(urls.c.error.is_not(None))
    return _rows(connection.execute(query))
