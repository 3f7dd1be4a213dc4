"""The records that cross stage boundaries: what extraction produces and loading consumes.

Plain frozen dataclasses so that a document can be printed, compared, pickled to a worker
process and turned into the JSON export with ``to_dict``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Role = Literal["measure", "result", "outcome", "unit"]
ROLES: tuple[Role, ...] = ("measure", "result", "outcome", "unit")
Tool = Literal["IIT", "EIT", "OIT"]
SourceFormat = Literal["text", "html", "markdown", "pdf", "docx", "xlsx"]
RefKind = Literal["date", "url", "document", "percent", "count", "score", "oit_item", "year"]


@dataclass(frozen=True)
class Ref:
    """Something an item refers to: a date, a URL, a letter number, a figure."""

    kind: RefKind
    raw: str
    value: str | int | float
    unit: str | None = None


@dataclass(frozen=True)
class Correction:
    """A change normalisation made to a text that is more than formatting."""

    kind: Literal["agency_abbr", "indicator"]
    original: str
    corrected: str


@dataclass(frozen=True)
class Item:
    """One bullet of one cell: a measure, a result, an outcome or a responsible unit."""

    role: Role
    ordinal: int
    heading: str | None
    text: str
    raw: str
    marker: str | None = None
    refs: tuple[Ref, ...] = ()
    corrections: tuple[Correction, ...] = ()


@dataclass(frozen=True)
class IndicatorRef:
    """An ITA indicator an entry is filed under, canonicalised against the framework."""

    number: int | None
    name: str | None
    raw: str


@dataclass(frozen=True)
class Entry:
    """One logical row of the report table."""

    tool: Tool | None
    tool_weight_pct: float | None
    indicators: tuple[IndicatorRef, ...]
    items: tuple[Item, ...]
    warnings: tuple[str, ...] = ()
    pages: tuple[int, int] | None = None

    def items_with_role(self, role: Role) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.role == role)


@dataclass(frozen=True)
class Report:
    title: str | None
    agency: str | None
    agency_abbr: str | None
    fiscal_year_be: int | None
    fiscal_year_ce: int | None


@dataclass(frozen=True)
class SourceInfo:
    path: str
    sha256: str
    format: SourceFormat
    pages: int | None
    size_bytes: int = 0


@dataclass(frozen=True)
class ExtractedDocument:
    """The output of parsing one file: what the loader stores and the JSON export prints."""

    source: SourceInfo
    report: Report
    entries: tuple[Entry, ...]
    warnings: tuple[str, ...] = ()
    repairs: dict[str, int] = field(default_factory=dict)
    parser_version: str = ""
    abbreviations: dict[str, str] = field(default_factory=dict)
    """The known abbreviations the items use, with their expansions from the table."""

    def items(self, role: Role | None = None) -> list[Item]:
        return [i for e in self.entries for i in e.items if role is None or i.role == role]

    def to_dict(self) -> dict[str, Any]:
        """The JSON export (schemas/export.schema.json): plain dicts, lists and scalars."""
        return _plain(asdict(self))  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
