"""The order of a report's versions, and which one is current (docs/schema.md, "Versions").

A report's versions are ordered by the date their sources give themselves (a PDF's ModDate,
the HTTP Last-Modified of a download: ``sources.source_date``, the earliest of a version's
sources), else by when the version was first seen (``reports.loaded_at``); the last one is
current, and they are numbered 1, 2, … in that order. The order depends on the sources, not
on the order in which they were loaded: a revision loaded before the original, or a copy of
the original found after the revision, leaves the same versions a run in date order would,
and ``ita-etl db rebuild`` orders an existing database the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, func, select, update

from loaders.models import reports, sources


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
    dated = (
        select(sources.c.report_id, func.min(sources.c.source_date).label("dated"))
        .where(sources.c.report_id.is_not(None))
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
        .where(and_(reports.c.agency_id == agency_id, reports.c.fiscal_year_be == fiscal_year_be))
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


def order_all(connection: Connection) -> int:
    """Order the versions of every report (``ita-etl db rebuild``); how many reports (agency
    and year) changed."""
    keys = connection.execute(
        select(reports.c.agency_id, reports.c.fiscal_year_be).distinct()
    ).all()
    return sum(order_versions(connection, a, y).changed for a, y in keys)
