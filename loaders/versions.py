"""The order of a report's versions, and which one is current (docs/schema.md, "Versions").

A report's versions are ordered by the date their sources give themselves (a PDF's ModDate,
the HTTP Last-Modified of a download: ``sources.source_date``, the earliest of a version's
sources), else by when the version was first seen (``reports.loaded_at``); the last one is
current, and they are numbered 1, 2, … in that order. The order depends on the sources, not
on the order in which they were loaded: a revision loaded before the original, or a copy of
the original found after the revision, leaves the same versions a run in date order would,
and ``ita-etl db rebuild`` orders an existing database the same way. It also repairs what an
ita-etl before this rule left: two versions with the same content (a copy of the original
loaded as a new version after the revision) become one, the later copy's sources recorded
as duplicates of the first (``merge_copies``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, delete, func, or_, select, text, update

from loaders.models import (
    corrections,
    entries,
    entry_indicators,
    items,
    measure_changes,
    refs,
    reports,
    sources,
)


@dataclass(frozen=True)
class Ordered:
    """What ordering one report's versions did: the current version's id and number, and
    whether anything (a number, the current version, a source's status) changed."""

    current_id: int
    numbers: dict[int, int]
    """Each version's number, by report id."""
    changed: bool


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes (written as UTC); PostgreSQL aware ones."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def order_versions(connection: Connection, agency_id: int, fiscal_year_be: int) -> Ordered:
    """Number the versions of one agency's report for one year in date order, make the last
    current, and say which source made each (``new`` for version 1, ``updated`` after)."""
    these = and_(reports.c.agency_id == agency_id, reports.c.fiscal_year_be == fiscal_year_be)
    dated = (  # the sources of these versions only: a query per load that grew with the store
        select(sources.c.report_id, func.min(sources.c.source_date).label("dated"))
        .where(sources.c.report_id.in_(select(reports.c.id).where(these)))
        .group_by(sources.c.report_id)
        .subquery()
    )
    rows = connection.execute(
        select(
            reports.c.id,
            reports.c.version,
            reports.c.superseded,
            reports.c.loaded_at,
            reports.c.source_id,
            dated.c.dated,
        )
        .select_from(reports.outerjoin(dated, dated.c.report_id == reports.c.id))
        .where(these)
    ).all()
    ordered = sorted(rows, key=lambda r: (_utc(r.dated) or _utc(r.loaded_at), r.id))
    last = len(ordered)
    wanted = {row.id: (n, n != last) for n, row in enumerate(ordered, start=1)}
    moved = [r for r in ordered if (r.version, bool(r.superseded)) != wanted[r.id]]
    if moved:
        now = datetime.now(UTC)
        # out of the way first: (agency, year, version) and the one current row are unique
        for row in moved:
            connection.execute(
                update(reports)
                .where(reports.c.id == row.id)
                .values(version=-row.id, superseded=True)
            )
        for row in moved:
            number, superseded = wanted[row.id]
            values: dict[str, object] = {"version": number, "superseded": superseded}
            if superseded != bool(row.superseded):
                values["superseded_at"] = now if superseded else None
            connection.execute(update(reports).where(reports.c.id == row.id).values(values))
    retold = 0
    for n, row in enumerate(ordered, start=1):
        status = "new" if n == 1 else "updated"
        retold += connection.execute(
            update(sources)
            .where(
                sources.c.id == row.source_id,
                sources.c.status.in_(("new", "updated")),
                sources.c.status != status,
            )
            .values(status=status)
        ).rowcount
    return Ordered(
        ordered[-1].id, {r.id: wanted[r.id][0] for r in ordered}, bool(moved) or retold > 0
    )


def merge_copies(connection: Connection, agency_id: int, fiscal_year_be: int) -> int:
    """Make versions with the same content one: the first loaded keeps its rows, a later
    copy's sources become its duplicates and the copy's rows go; how many copies went. (A
    loader that compared with the current version only filed a copy of an earlier one as a
    new version.) The caller derives ``measure_changes`` again afterwards."""
    rows = connection.execute(
        select(reports.c.id, reports.c.content_sha256)
        .where(and_(reports.c.agency_id == agency_id, reports.c.fiscal_year_be == fiscal_year_be))
        .order_by(reports.c.id)
    ).all()
    first: dict[str, int] = {}
    merged = 0
    for report_id, content in rows:
        kept = first.setdefault(content, report_id)
        if kept == report_id:
            continue
        connection.execute(
            update(sources)
            .where(sources.c.report_id == report_id)
            .values(report_id=kept, status="duplicate")
        )
        _delete_version(connection, report_id)
        merged += 1
    return merged


def _delete_version(connection: Connection, report_id: int) -> None:
    """A report version's rows, search index entries and stored comparisons."""
    connection.execute(
        delete(measure_changes).where(
            or_(
                measure_changes.c.from_report_id == report_id,
                measure_changes.c.to_report_id == report_id,
            )
        )
    )
    its_items = select(items.c.id).where(items.c.report_id == report_id)
    its_entries = select(entries.c.id).where(entries.c.report_id == report_id)
    if connection.dialect.name == "sqlite":  # external-content FTS: told what to forget
        connection.execute(
            text(
                "INSERT INTO items_fts (items_fts, rowid, search_text) "
                "SELECT 'delete', id, search_text FROM items "
                "WHERE report_id = :r AND search_text IS NOT NULL"
            ),
            {"r": report_id},
        )
    connection.execute(delete(refs).where(refs.c.item_id.in_(its_items)))
    connection.execute(delete(corrections).where(corrections.c.item_id.in_(its_items)))
    connection.execute(delete(items).where(items.c.report_id == report_id))
    connection.execute(delete(entry_indicators).where(entry_indicators.c.entry_id.in_(its_entries)))
    connection.execute(delete(entries).where(entries.c.report_id == report_id))
    connection.execute(delete(reports).where(reports.c.id == report_id))


def order_all(connection: Connection) -> int:
    """Merge copies and order the versions of every report (``ita-etl db rebuild``); how
    many reports (agency and year) changed."""
    keys = connection.execute(
        select(reports.c.agency_id, reports.c.fiscal_year_be).distinct()
    ).all()
    changed = 0
    for agency_id, year in keys:
        merged = merge_copies(connection, agency_id, year)
        changed += bool(order_versions(connection, agency_id, year).changed or merged)
    return changed
