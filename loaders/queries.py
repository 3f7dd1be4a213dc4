"""Reading the store back: measures, a year-on-year comparison, search hits, sources.

Every query reads the current version of each report (``reports.superseded`` false) unless it
says otherwise. Results are plain rows (column names and a dict per row) so that the CLI
prints them and ``etl.app.api`` turns them into DataFrames; ``etl.app.database.Database`` is
how both call these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from etl.transform.compare import Measure, Pair, pair_measures
from etl.transform.normalise.dates import year_to_be
from extractors.thai.chars import to_arabic_digits
from loaders import changes, migrate, search
from loaders.db import display_url, resolve_url, store_errors
from loaders.models import (
    EXPORT_VIEWS,
    INDICATOR_COVERAGE_VIEW,
    MEASURE_CHANGES,
    MEASURE_DETAILS_VIEW,
    MEASURES_VIEW,
    agencies,
    entries,
    reports,
    source_pages,
    sources,
    sources_with_reports,
    urls,
)
from loaders.store import Store, database_path
from schemas.errors import OptionError, StoreError, UsageError


def open_store(db: str | None = None, *, timeout: float | None = None) -> Store:
    """The store for reading: it must exist and be at the newest schema revision."""
    url = resolve_url(db)
    path = database_path(url)
    if path is not None and not path.exists():
        raise StoreError(f"no database at {path}: load reports first with `ita-etl ingest`")
    store = Store(url, upgrade=False, timeout=timeout, read_only=True)
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


def _compact(value: str) -> str:
    return "".join(value.split())


def find_agency(connection: Connection, name_or_abbr: str) -> AgencyRef:
    """The agency an analyst means by its abbreviation (สถ., สถ), its key or its full name,
    matched whole: a part of a name would match different agencies as more are loaded, so
    it only lists them as candidates."""
    wanted = _compact(name_or_abbr)
    forms = {wanted, wanted.rstrip("."), wanted + "."} if wanted else set()
    rows = connection.execute(
        select(agencies.c.id, agencies.c.agency_key, agencies.c.name, agencies.c.abbr).order_by(
            agencies.c.agency_key
        )
    ).all()
    hits = [
        r
        for r in rows
        if r.agency_key in forms or (r.abbr or "") in forms or _compact(r.name or "") == wanted
    ]
    if len(hits) == 1:
        return AgencyRef(hits[0].id, hits[0].agency_key, hits[0].name)
    if hits:
        raise UsageError(f"{name_or_abbr!r} matches several agencies: {_named(hits)}")
    partial = [
        r for r in rows if wanted and (wanted in _compact(r.name or "") or wanted in r.agency_key)
    ]
    if partial:
        raise UsageError(
            f"{name_or_abbr!r} matches no agency; name one of those containing it: "
            f"{_named(partial)}"
        )
    raise UsageError(
        f"{name_or_abbr!r} matches no agency; agencies: {_named(rows) or 'none loaded'}"
    )


def _named(rows: Any, most: int = 20) -> str:
    """Agencies as "key (name)", at most ``most`` of them."""
    listed = [f"{r.agency_key} ({r.name})" if r.name else r.agency_key for r in rows]
    more = f" and {len(listed) - most} more" if len(listed) > most else ""
    return ", ".join(listed[:most]) + more


def as_fiscal_year(value: int | str) -> int:
    """A fiscal year as given by a person or a notebook: 2567, "2567", "๒๕๖๗", 2024 (common
    era), 67 (short for 2567); as Buddhist era."""
    written = to_arabic_digits(str(value)).strip()
    if isinstance(value, bool) or not written.isdigit():
        raise UsageError(f"{value!r} is not a fiscal year (write 2567, or 2024 for CE)")
    year = year_to_be(int(written))
    if not 2400 <= year < 2800:
        raise UsageError(f"{value!r} is not a fiscal year (write 2567, or 2024 for CE)")
    return year


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
    return changes.report_measures(connection, report_id).measures


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
    """One agency's measures of two fiscal years (or of two versions of one year's report),
    paired."""

    agency: str
    agency_name: str | None
    from_year: int
    to_year: int
    pairs: list[Pair]
    from_version: int | None = None
    to_version: int | None = None
    """Set when two versions of one report are compared."""

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
        versions = (
            {"from_version": self.from_version, "to_version": self.to_version}
            if self.from_version is not None
            else {}
        )
        return {
            "agency": self.agency,
            "from": self.from_year,
            "to": self.to_year,
            **versions,
            "measures": self.rows(),
        }

    def title(self) -> str:
        """ "สถ. กรมส่งเสริมการปกครองท้องถิ่น: 2566 → 2567" (or "2566 version 1 → 2")."""
        name = f"{self.agency} {self.agency_name or ''}".rstrip()
        if self.from_version is not None:
            return f"{name}: {self.from_year} version {self.from_version} → {self.to_version}"
        return f"{name}: {self.from_year} → {self.to_year}"

    def counts(self) -> dict[str, int]:
        """How many pairs have each status, in the order of docs/compare.md."""
        statuses = ("carried", "changed", "new", "dropped")
        return {s: sum(p.status == s for p in self.pairs) for s in statuses}


def _label(measure: Measure | None) -> str | None:
    return "+".join(str(n) for n in sorted(measure.indicators)) if measure else None


def compare(
    connection: Connection, agency: str, from_year: int | str, to_year: int | str
) -> Comparison:
    """Pair an agency's measures of two years (current versions; CE years accepted)."""
    found = find_agency(connection, agency)
    before, after = as_fiscal_year(from_year), as_fiscal_year(to_year)
    pairs = pair_measures(
        year_measures(connection, _current_report(connection, found, before)),
        year_measures(connection, _current_report(connection, found, after)),
    )
    return Comparison(found.agency_key, found.name, before, after, pairs)


def compare_versions(
    connection: Connection,
    agency: str,
    year: int | str,
    from_version: int | None = None,
    to_version: int | None = None,
) -> Comparison:
    """Pair the measures of two versions of one agency's report for one year: what a
    re-publication changed. Default: the version before the current one, and the current."""
    found = find_agency(connection, agency)
    be = as_fiscal_year(year)
    versions = connection.execute(
        select(reports.c.version, reports.c.id, reports.c.superseded)
        .where(reports.c.agency_id == found.id, reports.c.fiscal_year_be == be)
        .order_by(reports.c.version)
    ).all()
    if not versions:
        _current_report(connection, found, be)  # raises, naming the years loaded
    ids = {v.version: v.id for v in versions}
    current = next((v.version for v in versions if not v.superseded), versions[-1].version)
    later = current if to_version is None else to_version
    earlier = (later - 1) if from_version is None else from_version
    have = ", ".join(str(v) for v in ids)
    if len(ids) == 1 and from_version is None:
        raise UsageError(
            f"{found.agency_key}'s {be} report has one version ({have}): nothing to compare"
        )
    for wanted in (earlier, later):
        if wanted not in ids:
            raise UsageError(
                f"no version {wanted} of {found.agency_key}'s {be} report (versions: {have})"
            )
    pairs = pair_measures(
        year_measures(connection, ids[earlier]), year_measures(connection, ids[later])
    )
    return Comparison(found.agency_key, found.name, be, be, pairs, earlier, later)


def measures(
    connection: Connection,
    *,
    agency: str | None = None,
    fiscal_year: int | str | None = None,
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
        params["year"] = as_fiscal_year(fiscal_year)
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


_VIEW_ORDER = {
    MEASURES_VIEW: "agency_key, fiscal_year_be, entry_ordinal, ordinal",
    MEASURE_DETAILS_VIEW: "agency_key, fiscal_year_be, entry_ordinal, measure_ordinal, "
    "indicator_number",
    INDICATOR_COVERAGE_VIEW: "agency_key, fiscal_year_be, indicator_number",
    MEASURE_CHANGES: "agency_key, from_year_be, to_year_be, position",
}


def check_views(names: list[str]) -> None:
    """``UsageError`` naming the views for a name that is not one of them."""
    for name in names:
        if name not in EXPORT_VIEWS:
            raise UsageError(f"no view {name!r}; the views are {', '.join(EXPORT_VIEWS)}")


def view_rows(connection: Connection, view: str) -> Rows:
    """Every row of one of the analysts' views (or of ``measure_changes``)."""
    check_views([view])
    order = _VIEW_ORDER.get(view, "agency_key, fiscal_year_be")
    return _rows(connection.execute(text(f"SELECT * FROM {view} ORDER BY {order}")))


def _filters(
    connection: Connection,
    *,
    agencies_: Sequence[str] = (),
    years: Sequence[int | str] = (),
    agency_column: str = "agency_key",
    year_column: str = "fiscal_year_be",
) -> tuple[list[str], dict[str, Any]]:
    """WHERE clauses (and their parameters) for agencies (any of) and years (any of)."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if agencies_:
        keys = sorted({find_agency(connection, a).agency_key for a in agencies_})
        names = [f":agency{n}" for n in range(len(keys))]
        clauses.append(f"{agency_column} IN ({', '.join(names)})")
        params.update({name[1:]: key for name, key in zip(names, keys, strict=True)})
    if years:
        be = sorted({as_fiscal_year(y) for y in years})
        names = [f":year{n}" for n in range(len(be))]
        clauses.append(f"{year_column} IN ({', '.join(names)})")
        params.update({name[1:]: year for name, year in zip(names, be, strict=True)})
    return clauses, params


def _where(clauses: list[str]) -> str:
    return f" WHERE {' AND '.join(clauses)}" if clauses else ""


def measure_details(
    connection: Connection,
    *,
    agencies_: Sequence[str] = (),
    years: Sequence[int | str] = (),
    indicator: int | None = None,
) -> Rows:
    """Rows of ``measure_details``: one per measure and per indicator it serves."""
    clauses, params = _filters(connection, agencies_=agencies_, years=years)
    if indicator is not None:
        clauses.append("indicator_number = :indicator")
        params["indicator"] = indicator
    sql = (
        f"SELECT * FROM {MEASURE_DETAILS_VIEW}{_where(clauses)} "
        f"ORDER BY {_VIEW_ORDER[MEASURE_DETAILS_VIEW]}"
    )
    return _rows(connection.execute(text(sql), params))


def coverage(
    connection: Connection, *, agencies_: Sequence[str] = (), years: Sequence[int | str] = ()
) -> Rows:
    """Rows of ``indicator_coverage``: agency × year × framework indicator."""
    clauses, params = _filters(connection, agencies_=agencies_, years=years)
    sql = (
        f"SELECT * FROM {INDICATOR_COVERAGE_VIEW}{_where(clauses)} "
        f"ORDER BY {_VIEW_ORDER[INDICATOR_COVERAGE_VIEW]}"
    )
    return _rows(connection.execute(text(sql), params))


CHANGE_COLUMNS = (
    "agency_key",
    "agency",
    "from_year_be",
    "to_year_be",
    "indicator",
    "status",
    "from_text",
    "to_text",
    "similarity",
    "from_indicator",
    "to_indicator",
    "from_item_id",
    "to_item_id",
)
"""The columns ``compare --all`` gives (``measure_changes`` with the agency's name)."""


def stored_changes(
    connection: Connection,
    *,
    agencies_: Sequence[str] = (),
    from_year: int | str | None = None,
    to_year: int | str | None = None,
    statuses: Sequence[str] = (),
) -> Rows:
    """Every agency's stored year-on-year pairs (``measure_changes``), filtered."""
    clauses, params = _filters(connection, agencies_=agencies_, agency_column="c.agency_key")
    for column, year in (("from_year_be", from_year), ("to_year_be", to_year)):
        if year is not None:
            clauses.append(f"c.{column} = :{column}")
            params[column] = as_fiscal_year(year)
    if statuses:
        names = [f":status{n}" for n in range(len(statuses))]
        clauses.append(f"c.status IN ({', '.join(names)})")
        params.update({name[1:]: s for name, s in zip(names, statuses, strict=True)})
    columns = ", ".join("a.name AS agency" if c == "agency" else f"c.{c}" for c in CHANGE_COLUMNS)
    sql = (
        f"SELECT {columns} FROM {MEASURE_CHANGES} c JOIN agencies a ON a.id = c.agency_id"
        f"{_where(clauses)} ORDER BY c.agency_key, c.from_year_be, c.to_year_be, c.position"
    )
    return _rows(connection.execute(text(sql), params))


@dataclass(frozen=True)
class Hits(Rows):
    """Search hits: the rows asked for (at most the limit) and how many items match."""

    total: int


ROLES = ("measure", "result", "outcome", "unit")
_NO_LIMIT = 2**31 - 1


def search_items(
    connection: Connection,
    query: str,
    *,
    limit: int | None = 50,
    agencies_: Sequence[str] = (),
    years: Sequence[int | str] = (),
    roles: Sequence[str] = (),
) -> Hits:
    """Items of current report versions containing ``query`` (docs/cli.md, search), of the
    agencies, years and roles given (any of each)."""
    if limit is not None and limit < 0:
        raise OptionError(f"--limit is how many items at most: 1 or more (0: all), not {limit}")
    if limit is not None and limit > _NO_LIMIT:
        limit = None  # more items than any database holds: all of them
    long = search.too_long(query)
    if long is not None:
        raise UsageError(long)
    if not search.has_terms(query):
        raise UsageError(f"nothing to search for in {query!r}")
    for role in roles:
        if role not in ROLES:
            raise UsageError(f"no role {role!r}; the roles are {', '.join(ROLES)}")
    matching, search_params = search.matching_items(connection.dialect.name, query)
    params: dict[str, Any] = dict(search_params)
    clauses, filters = _filters(
        connection,
        agencies_=agencies_,
        years=years,
        agency_column="a.agency_key",
        year_column="r.fiscal_year_be",
    )
    params.update(filters)
    if roles:
        names = [f":role{n}" for n in range(len(roles))]
        clauses.append(f"i.role IN ({', '.join(names)})")
        params.update({name[1:]: role for name, role in zip(names, roles, strict=True)})
    extra = "".join(f" AND {c}" for c in clauses)
    sql = (
        "SELECT a.agency_key, r.agency_name AS agency, r.fiscal_year_be, e.tool, "
        "e.indicators AS indicator, e.indicator_names AS indicator_name, i.role, i.ordinal, "
        "i.text, r.version AS report_version, i.id AS item_id, count(*) OVER () AS total "
        "FROM items i JOIN entries e ON e.id = i.entry_id "
        "JOIN reports r ON r.id = i.report_id JOIN agencies a ON a.id = r.agency_id "
        f"WHERE NOT r.superseded AND i.id IN ({matching}){extra} "
        "ORDER BY a.agency_key, r.fiscal_year_be, e.ordinal, "
        "CASE i.role WHEN 'measure' THEN 1 WHEN 'result' THEN 2 WHEN 'outcome' THEN 3 "
        "ELSE 4 END, i.ordinal" + (" LIMIT :limit" if limit else "")
    )
    if limit:
        params["limit"] = limit
    try:
        found = _rows(connection.execute(text(sql), params))
    except (OperationalError, ProgrammingError) as error:
        raise UsageError(f"cannot search for {query!r}: {error.orig}") from error
    total = found.records[0]["total"] if found.records else 0
    for record in found.records:
        del record["total"]
    return Hits(found.columns[:-1], found.records, total)


def source_rows(connection: Connection, *, failed_only: bool = False) -> Rows:
    """Every source and what became of it, newest first: every column of ``sources`` with
    the agency, fiscal year, version and superseded flag of the report it holds."""
    query = (
        select(
            sources.c.id,
            sources.c.path,
            sources.c.status,
            sources.c.stage,
            sources.c.error_type,
            sources.c.error,
            sources.c.format,
            sources.c.pages,
            sources.c.size_bytes,
            sources.c.parser_version,
            sources.c.report_id,
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


@dataclass(frozen=True)
class ReportData:
    """What ``ita-etl report`` shows, read in one snapshot: for each agency asked for (all
    when none), its years (``report_summary``), ``indicator_coverage``, the stored
    comparisons and, per current report version, its warnings, repairs and sources."""

    summary: Rows
    coverage: Rows
    changes: Rows
    notes: list[dict[str, Any]]


def report_data(connection: Connection, agencies_: Sequence[str] = ()) -> ReportData:
    clauses, params = _filters(connection, agencies_=agencies_)
    summary = _rows(
        connection.execute(
            text(
                f"SELECT * FROM report_summary{_where(clauses)} ORDER BY agency_key, fiscal_year_be"
            ),
            params,
        )
    )
    keys = [str(a) for a in agencies_]
    return ReportData(
        summary,
        coverage(connection, agencies_=keys),
        stored_changes(connection, agencies_=keys),
        _notes(connection, [int(r["report_id"]) for r in summary.records]),
    )


def _notes(connection: Connection, report_ids: list[int]) -> list[dict[str, Any]]:
    """Per report version: title, warnings (the report's, then its rows'), repairs, sources,
    and for each source how its pages were read (``source_pages``: read by OCR with which
    engine and confidence, or not read and why), so a reader sees which pages to check."""
    if not report_ids:
        return []
    found = connection.execute(
        select(
            agencies.c.agency_key,
            reports.c.fiscal_year_be,
            reports.c.version,
            reports.c.title,
            reports.c.warnings,
            reports.c.repairs,
            reports.c.id,
        )
        .join(agencies, agencies.c.id == reports.c.agency_id)
        .where(reports.c.id.in_(report_ids))
        .order_by(agencies.c.agency_key, reports.c.fiscal_year_be)
    ).all()
    row_warnings: dict[int, list[str]] = {}
    for entry in connection.execute(
        select(entries.c.report_id, entries.c.ordinal, entries.c.indicators, entries.c.warnings)
        .where(entries.c.report_id.in_(report_ids))
        .order_by(entries.c.report_id, entries.c.ordinal)
    ):
        for warning in entry.warnings or ():
            where = f"row {entry.ordinal}" + (
                f" (indicator {entry.indicators})" if entry.indicators else ""
            )
            row_warnings.setdefault(entry.report_id, []).append(f"{where}: {warning}")
    pages_read: dict[int, list[dict[str, Any]]] = {}
    for page in connection.execute(
        select(
            source_pages.c.source_id,
            source_pages.c.page,
            source_pages.c.read_by,
            source_pages.c.engine,
            source_pages.c.confidence,
            source_pages.c.note,
        )
        .join(sources, sources.c.id == source_pages.c.source_id)
        .where(sources.c.report_id.in_(report_ids))
        .order_by(source_pages.c.source_id, source_pages.c.page)
    ):
        pages_read.setdefault(page.source_id, []).append(
            {
                "page": page.page,
                "read_by": page.read_by,
                "engine": page.engine,
                "confidence": page.confidence,
                "note": page.note,
            }
        )
    files: dict[int, list[dict[str, Any]]] = {}
    for source in connection.execute(
        select(
            sources.c.id,
            sources.c.report_id,
            sources.c.path,
            sources.c.format,
            sources.c.pages,
            sources.c.status,
        )
        .where(sources.c.report_id.in_(report_ids))
        .order_by(sources.c.id)
    ):
        files.setdefault(source.report_id, []).append(
            {
                "path": source.path,
                "format": source.format,
                "pages": source.pages,
                "status": source.status,
                "pages_read": pages_read.get(source.id, []),
            }
        )
    return [
        {
            "agency_key": r.agency_key,
            "fiscal_year_be": r.fiscal_year_be,
            "version": r.version,
            "title": r.title,
            "warnings": [*(r.warnings or ()), *row_warnings.get(r.id, ())],
            "repairs": dict(r.repairs or {}),
            "sources": files.get(r.id, []),
        }
        for r in found
    ]
