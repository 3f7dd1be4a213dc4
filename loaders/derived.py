"""What loading derives from the records beyond them: canonical unit names and the stored
year-on-year comparisons. Written in the loading transaction of each report version, so
they are never out of step with what is current."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from loaders import changes, units, versions


def after_load(connection: Connection, agency_id: int, report_id: int) -> None:
    """A report version was written: name its units, pair its agency's years again."""
    units.name_units(connection, report_id)
    changes.refresh_agency(connection, agency_id)


@dataclass(frozen=True)
class Rebuilt:
    units: int
    measure_changes: int
    reordered: int = 0
    """Reports (agency and year) whose versions were numbered or made current anew."""


def rebuild(connection: Connection) -> Rebuilt:
    """Derive everything again from the records (after an upgrade changed the rules): the
    order of each report's versions first, as loading one by one would have left it."""
    reordered = versions.order_all(connection)
    return Rebuilt(units.name_units(connection), changes.rebuild(connection), reordered)
