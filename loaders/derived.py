"""What loading derives from the records beyond them: canonical unit names and the stored
year-on-year comparisons. Written in the loading transaction of each report version (or of
each group of documents, ``Pending``), so they are never out of step with what is current."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

from loaders import changes, units, versions


@dataclass
class Pending:
    """What the documents of one loading transaction left to derive, done once at its end:
    a group of documents of one agency refreshes that agency's pairs once, not once a
    document. Refreshing works from what is stored, so an agency named here whose rows were
    rolled back since (a document that failed in its savepoint) costs a query and changes
    nothing. (Units are named as their items are written: ``loaders.store.write_records``.)"""

    agencies: set[int] = field(default_factory=set)
    """Agencies whose current versions may have changed, whose pairs are to be refreshed."""

    def write(self, connection: Connection) -> None:
        changes.refresh_agencies(connection, sorted(self.agencies))
        self.agencies.clear()


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
