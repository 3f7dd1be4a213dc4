"""What loading derives from the records beyond them: canonical unit names and the stored
year-on-year comparisons. Written in the loading transaction of each report version, so
they are never out of step with what is current."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from loaders import changes, units


def after_load(connection: Connection, agency_id: int, report_id: int) -> None:
    """A report version was written: name its units, pair its agency's years again."""
    units.name_units(connection, report_id)
    changes.refresh_agency(connection, agency_id)


@dataclass(frozen=True)
class Rebuilt:
    units: int
    measure_changes: int


def rebuild(connection: Connection) -> Rebuilt:
    """Derive everything again from the records (after an upgrade changed the rules)."""
    return Rebuilt(units.name_units(connection), changes.rebuild(connection))
