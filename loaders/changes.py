"""Stored year-on-year comparisons: ``measure_changes``, one row per pair of measures of an
agency's consecutive loaded fiscal years (current versions), as ``ita-etl compare`` pairs
them (``etl.transform.compare.pair_measures``).

Kept current where reports are loaded: after a report version is written, its agency's
pairs of consecutive years are worked out from what is current, the stored pairs that no
longer hold (a superseded version, a year now between two others) are deleted and the
missing ones paired. What is stored depends only on which versions are current, never on
the order they were loaded in. ``rebuild`` pairs everything again (``ita-etl db rebuild``,
after a new ita-etl changed the pairing rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select, text

from etl.transform.compare import Measure, Pair, indicator_label, pair_measures
from loaders.copy_writer import bulk_insert
from loaders.models import agencies, items, measure_changes, reports
from schemas.records import ExtractedDocument


@dataclass(frozen=True)
class ReportMeasures:
    """A report version's measures in document order, and the item id of each."""

    measures: list[Measure]
    item_ids: list[int]


def report_measures(connection: Connection, report_id: int) -> ReportMeasures:
    """The measures of one report version, with the indicators of their rows."""
    rows = connection.execute(
        text(
            "SELECT i.id, e.indicators, i.text FROM items i JOIN entries e ON e.id = i.entry_id "
            "WHERE i.report_id = :r AND i.role = 'measure' ORDER BY e.ordinal, i.ordinal, i.id"
        ),
        {"r": report_id},
    ).all()
    measures = [
        Measure(
            indicators=tuple(int(n) for n in (label or "").split("+") if n),
            text=body,
            ordinal=position,
        )
        for position, (_, label, body) in enumerate(rows)
    ]
    return ReportMeasures(measures, [row[0] for row in rows])


@dataclass(frozen=True)
class PairedItems:
    pair: Pair
    from_item_id: int | None
    to_item_id: int | None

    def row(self) -> dict[str, Any]:
        """The pair as a row of ``measure_changes`` (without agency and years)."""
        p = self.pair
        return {
            "status": p.status,
            "indicator": p.indicator_label or None,
            "from_indicator": indicator_label(p.before.indicators) if p.before else None,
            "to_indicator": indicator_label(p.after.indicators) if p.after else None,
            "similarity": p.similarity,
            "from_item_id": self.from_item_id,
            "to_item_id": self.to_item_id,
            "from_text": p.before.text if p.before else None,
            "to_text": p.after.text if p.after else None,
        }


def pair_reports(connection: Connection, before_id: int, after_id: int) -> list[PairedItems]:
    """Two report versions' measures paired, each measure with its item id."""
    before = report_measures(connection, before_id)
    after = report_measures(connection, after_id)
    return [
        PairedItems(
            pair,
            before.item_ids[pair.before.ordinal] if pair.before else None,
            after.item_ids[pair.after.ordinal] if pair.after else None,
        )
        for pair in pair_measures(before.measures, after.measures)
    ]


@dataclass(frozen=True)
class YearPair:
    from_year: int
    from_report_id: int
    to_year: int
    to_report_id: int


def consecutive_years(
    connection: Connection, agency_ids: Sequence[int]
) -> dict[int, list[YearPair]]:
    """Each agency's current reports, each with the next loaded year's."""
    current = connection.execute(
        select(reports.c.agency_id, reports.c.fiscal_year_be, reports.c.id)
        .where(reports.c.agency_id.in_(agency_ids), reports.c.superseded.is_(False))
        .order_by(reports.c.agency_id, reports.c.fiscal_year_be)
    ).all()
    years: dict[int, list[YearPair]] = {agency_id: [] for agency_id in agency_ids}
    for a, b in pairwise(current):
        if a.agency_id == b.agency_id:
            years[a.agency_id].append(YearPair(a.fiscal_year_be, a.id, b.fiscal_year_be, b.id))
    return years


def refresh_agency(connection: Connection, agency_id: int) -> int:
    """Bring the agency's stored pairs in line with its current reports; rows written."""
    return refresh_agencies(connection, [agency_id])


def refresh_agencies(connection: Connection, agency_ids: Sequence[int]) -> int:
    """``refresh_agency`` of each agency: two statements for all of them when none has two
    years loaded (a group of a first ingest), more only for the agencies with pairs."""
    if not agency_ids:
        return 0
    years = consecutive_years(connection, agency_ids)
    stored: dict[int, set[tuple[int, int]]] = {agency_id: set() for agency_id in agency_ids}
    if any(years.values()):
        for row in connection.execute(
            select(
                measure_changes.c.agency_id,
                measure_changes.c.from_report_id,
                measure_changes.c.to_report_id,
            )
            .where(measure_changes.c.agency_id.in_(agency_ids))
            .distinct()
        ):
            stored[row.agency_id].add((row.from_report_id, row.to_report_id))
    else:  # no agency has two years: delete whatever pairs were stored for them
        connection.execute(
            delete(measure_changes).where(measure_changes.c.agency_id.in_(agency_ids))
        )
        return 0
    written = 0
    for agency_id in agency_ids:
        wanted = {(p.from_report_id, p.to_report_id): p for p in years[agency_id]}
        for from_id, to_id in stored[agency_id] - set(wanted):
            connection.execute(
                delete(measure_changes).where(
                    and_(
                        measure_changes.c.from_report_id == from_id,
                        measure_changes.c.to_report_id == to_id,
                    )
                )
            )
        missing = [wanted[key] for key in sorted(set(wanted) - stored[agency_id])]
        if not missing:
            continue
        agency_key = connection.execute(
            select(agencies.c.agency_key).where(agencies.c.id == agency_id)
        ).scalar_one()
        written += _insert(connection, agency_id, agency_key, missing)
    return written


def _insert(
    connection: Connection, agency_id: int, agency_key: str, pairs: Sequence[YearPair]
) -> int:
    rows = [
        {
            "agency_id": agency_id,
            "agency_key": agency_key,
            "from_year_be": year_pair.from_year,
            "to_year_be": year_pair.to_year,
            "from_report_id": year_pair.from_report_id,
            "to_report_id": year_pair.to_report_id,
            "position": position,
            **paired.row(),
        }
        for year_pair in pairs
        for position, paired in enumerate(
            pair_reports(connection, year_pair.from_report_id, year_pair.to_report_id), start=1
        )
    ]
    if rows:
        bulk_insert(connection, measure_changes, rows)
    return len(rows)


def rebuild(connection: Connection) -> int:
    """Pair every agency's consecutive years again; rows written."""
    connection.execute(delete(measure_changes))
    agency_ids = connection.execute(select(agencies.c.id).order_by(agencies.c.id)).scalars()
    return sum(refresh_agency(connection, agency_id) for agency_id in list(agency_ids))


LOST_SHARE = 0.25
"""A new version that has lost more than this share of the current version's items (and at
least ``LOST_AT_LEAST`` of them) is loaded with a warning: a download or copy cut short."""
LOST_AT_LEAST = 5


def lost_items_warning(
    connection: Connection, current_id: int, current_version: int, doc: ExtractedDocument
) -> str | None:
    """What to say when ``doc``, about to supersede report version ``current_version``
    (``current_id``), has far fewer items: it still becomes current (a report may drop
    measures), but not without a word."""
    before = connection.execute(
        select(func.count()).select_from(items).where(items.c.report_id == current_id)
    ).scalar_one()
    after = sum(len(entry.items) for entry in doc.entries)
    if before - after < max(LOST_AT_LEAST, before * LOST_SHARE):
        return None
    return (
        f"this version has {after} items where version {current_version} had {before}: "
        "is the file cut short or incomplete? (version "
        f"{current_version} is kept, superseded)"
    )
