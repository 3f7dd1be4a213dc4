"""Canonical names of responsible units (``items.unit_name``), written when a report loads.

The name depends on the report's agency (its own abbreviation after a unit is left out), so
it is derived here, where the report's row is at hand, rather than in the parser.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, select, update

from etl.transform.normalise.names import canonical_unit
from loaders.models import items, reports


def name_units(connection: Connection, report_ids: Sequence[int] | None = None) -> int:
    """Set ``unit_name`` of the units of these reports (None: of every report); how many."""
    if report_ids is not None and not report_ids:
        return 0
    query = (
        select(items.c.id, items.c.text, reports.c.agency_abbr, reports.c.agency_name)
        .join(reports, reports.c.id == items.c.report_id)
        .where(items.c.role == "unit")
    )
    if report_ids is not None:
        query = query.where(items.c.report_id.in_(report_ids))
    rows = [
        {"item_id": row.id, "name": canonical_unit(row.text, row.agency_abbr, row.agency_name)}
        for row in connection.execute(query)
    ]
    if rows:
        connection.execute(
            update(items)
            .where(items.c.id == bindparam("item_id"))
            .values(unit_name=bindparam("name")),
            rows,
        )
    return len(rows)
