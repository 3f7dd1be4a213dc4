"""Every table and view of the store, in one place (docs/schema.md describes them).

The ORM classes are used for their tables: loading writes with Core bulk inserts, not one
object at a time. Migrations (``migrations/versions``) create exactly this; a test compares.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import Join

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class FrameworkIndicator(Base):
    """The ITA framework (reference): one row per indicator per edition of the framework."""

    __tablename__ = "ita_indicators"
    from_be: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_be: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    tool: Mapped[str] = mapped_column(String(8))
    tool_name: Mapped[str] = mapped_column(Text)
    tool_usual_weight_pct: Mapped[float] = mapped_column(Float)


class Abbreviation(Base):
    """Abbreviations and their expansions (reference), from schemas/data/abbreviations.tsv."""

    __tablename__ = "abbreviations"
    abbr: Mapped[str] = mapped_column(Text, primary_key=True)
    expansion: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))


class Agency(Base):
    """An agency across years. ``agency_key`` is what identifies it: the abbreviation the
    report uses (or the table gives for its name), else its name without spaces."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_key: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    abbr: Mapped[str | None] = mapped_column(Text)


class Source(Base):
    """One file's bytes as parsed by one parser version, and what became of it."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("sha256", "parser_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(16))
    pages: Mapped[int | None]
    parser_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """new | updated | duplicate | failed (docs/schema.md)."""
    stage: Mapped[str | None] = mapped_column(String(8))
    """Where it failed (``schemas.errors.Stage``): input (the document was rejected) or worker
    (over a worker's time or memory limit, or the worker died), both not retried for the same
    bytes and parser version until ``--retry-failed``; parse (the parser raised unexpectedly)
    or load (writing failed), both retried by the next run."""
    error_type: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", use_alter=True), index=True
    )
    parse_seconds: Mapped[float | None] = mapped_column(Float)
    load_seconds: Mapped[float | None] = mapped_column(Float)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """The date the source gives itself (PDF ModDate, HTTP Last-Modified), which orders the
    versions of a report (``loaders.versions``); null when it gives none."""


class Report(Base):
    """One version of one agency's report for one fiscal year."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("agency_id", "fiscal_year_be", "version"),
        Index(
            "uq_reports_current",
            "agency_id",
            "fiscal_year_be",
            unique=True,
            sqlite_where=text("NOT superseded"),
            postgresql_where=text("NOT superseded"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    fiscal_year_be: Mapped[int] = mapped_column(Integer, index=True)
    fiscal_year_ce: Mapped[int | None]
    title: Mapped[str | None] = mapped_column(Text)
    agency_name: Mapped[str | None] = mapped_column(Text)
    agency_abbr: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int]
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    content_sha256: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    parser_version: Mapped[str] = mapped_column(String(32))
    warnings: Mapped[list[str]]
    repairs: Mapped[dict[str, Any]]
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Entry(Base):
    """One logical row of a report's table. ``indicators`` ("9+10") and ``indicator_names``
    repeat entry_indicators so that views stay plain SQL on both databases."""

    __tablename__ = "entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    ordinal: Mapped[int]
    tool: Mapped[str | None] = mapped_column(String(8))
    tool_weight_pct: Mapped[float | None] = mapped_column(Float)
    indicators: Mapped[str | None] = mapped_column(Text)
    indicator_names: Mapped[str | None] = mapped_column(Text)
    page_first: Mapped[int | None]
    page_last: Mapped[int | None]
    warnings: Mapped[list[str]]


class EntryIndicator(Base):
    """An indicator an entry is filed under (an entry may cover 9 and 10)."""

    __tablename__ = "entry_indicators"
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer, index=True)
    name: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class ItemRow(Base):
    """One bullet of one cell: a measure, result, outcome or responsible unit."""

    __tablename__ = "items"
    __table_args__ = (Index("ix_items_report_id_role", "report_id", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    role: Mapped[str] = mapped_column(String(16))
    ordinal: Mapped[int]
    heading: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    marker: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str | None] = mapped_column(Text)
    """The text as searched (loaders/search.py); trigram-indexed on PostgreSQL."""
    search_tokens: Mapped[str | None] = mapped_column(Text)
    """Its Thai character clusters, space-separated: what a match must align with."""
    unit_name: Mapped[str | None] = mapped_column(Text)
    """For a responsible unit, its canonical name (etl/transform/normalise/names.py); set
    when its report is loaded (loaders/store.py), again by ``db rebuild`` (loaders/units.py)."""


class RefRow(Base):
    """Something an item refers to: a date, URL, letter number, figure."""

    __tablename__ = "refs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    raw: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(Text)
    value_number: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(Text)


class CorrectionRow(Base):
    """A change normalisation made to an item's text beyond formatting."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    original: Mapped[str] = mapped_column(Text)
    corrected: Mapped[str] = mapped_column(Text)


class MeasureChange(Base):
    """One pair of an agency's measures of two consecutive loaded fiscal years (current
    versions): carried, changed, new or dropped (docs/compare.md). Kept current by loading
    (loaders/changes.py) and rebuilt by ``ita-etl db rebuild``."""

    __tablename__ = "measure_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency_key: Mapped[str] = mapped_column(Text)
    from_year_be: Mapped[int]
    to_year_be: Mapped[int]
    from_report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    to_report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    position: Mapped[int]
    """Order of the pair in the comparison (the later year's document order)."""
    status: Mapped[str] = mapped_column(String(16))
    indicator: Mapped[str | None] = mapped_column(Text)
    from_indicator: Mapped[str | None] = mapped_column(Text)
    to_indicator: Mapped[str | None] = mapped_column(Text)
    similarity: Mapped[float] = mapped_column(Float)
    from_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    to_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    from_text: Mapped[str | None] = mapped_column(Text)
    to_text: Mapped[str | None] = mapped_column(Text)


class SourcePage(Base):
    """How one page of a parsed source was read: ``text_layer``, ``repaired``, ``ocr`` (with
    the engine and its mean word confidence, 0–100) or ``none`` (``note`` says why)."""

    __tablename__ = "source_pages"
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    read_by: Mapped[str] = mapped_column(String(16))
    engine: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    text_score: Mapped[float | None] = mapped_column(Float)
    """Share of the text layer's Thai words that are not words (the garbage gate's score)."""
    note: Mapped[str | None] = mapped_column(Text)


class UrlSource(Base):
    """A report published at a URL: what the last request gave, and the validators for the
    next conditional GET. The bytes are in the blob store under ``sha256``."""

    __tablename__ = "urls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    """The ETag and Last-Modified headers of the last download, sent back as If-None-Match
    and If-Modified-Since."""
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None]
    """Of the last request: 200, 304 (not modified), 404…; None when no answer came."""
    error: Mapped[str | None] = mapped_column(Text)
    """Why the last request failed; None when it did not."""
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


sources = cast(Table, Source.__table__)
urls = cast(Table, UrlSource.__table__)
source_pages = cast(Table, SourcePage.__table__)
reports = cast(Table, Report.__table__)
agencies = cast(Table, Agency.__table__)
entries = cast(Table, Entry.__table__)
entry_indicators = cast(Table, EntryIndicator.__table__)
items = cast(Table, ItemRow.__table__)
refs = cast(Table, RefRow.__table__)
corrections = cast(Table, CorrectionRow.__table__)
ita_indicators = cast(Table, FrameworkIndicator.__table__)
abbreviation_table = cast(Table, Abbreviation.__table__)
measure_changes = cast(Table, MeasureChange.__table__)


def sources_with_reports() -> Join:
    """Each source with the report version it became and that report's agency (both absent
    for a source that failed)."""
    return sources.outerjoin(reports, reports.c.id == sources.c.report_id).outerjoin(
        agencies, agencies.c.id == reports.c.agency_id
    )


# The search index and the views are created by migrations (0002, 0004), which write their
# SQL out so that it stays what it was; these are the names the queries use.
SQLITE_SEARCH_TABLE = "items_fts"
"""SQLite full-text index over items: FTS5, trigram tokenizer, external content
``items.search_text``, rowid = items.id (loaders/search.py)."""
MEASURES_VIEW = "measures"
"""Every measure of the current version of every report, one row per measure."""
REPORT_SUMMARY_VIEW = "report_summary"
"""One row per agency per fiscal year: the current version and what it holds."""
MEASURE_DETAILS_VIEW = "measure_details"
"""One row per measure and per indicator it serves, with its row's results, outcomes and
units."""
INDICATOR_COVERAGE_VIEW = "indicator_coverage"
"""Agency × fiscal year × framework indicator: measures, results, whether it is a gap."""
MEASURE_CHANGES = "measure_changes"
EXPORT_VIEWS = (
    MEASURES_VIEW,
    REPORT_SUMMARY_VIEW,
    MEASURE_DETAILS_VIEW,
    INDICATOR_COVERAGE_VIEW,
    MEASURE_CHANGES,
)
"""What ``export`` writes, in this order (docs/schema.md): the analysts' views and the
stored comparisons."""
