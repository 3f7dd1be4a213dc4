"""The ITA framework and the abbreviation table, loaded from the data files beside this module."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from schemas.records import Tool


@dataclass(frozen=True)
class Indicator:
    number: int
    name: str
    aliases: tuple[str, ...]
    tool: Tool


@dataclass(frozen=True)
class ToolSpec:
    code: Tool
    name: str
    aliases: tuple[str, ...]
    usual_weight_pct: float
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Edition:
    """The framework as it stood over a range of Buddhist-era fiscal years."""

    from_be: int
    to_be: int
    tools: tuple[ToolSpec, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for t in self.tools for i in t.indicators)

    def indicator(self, number: int) -> Indicator | None:
        return next((i for i in self.indicators if i.number == number), None)

    def tool(self, code: str) -> ToolSpec | None:
        return next((t for t in self.tools if t.code == code), None)


@dataclass(frozen=True)
class Abbreviation:
    abbr: str
    expansion: str
    kind: str


def _data(name: str) -> str:
    return resources.files("schemas").joinpath("data", name).read_text(encoding="utf-8")


@cache
def editions() -> tuple[Edition, ...]:
    raw = json.loads(_data("ita_framework.json"))
    result = []
    for ed in raw["editions"]:
        tools = tuple(
            ToolSpec(
                code=t["code"],
                name=t["name"],
                aliases=tuple(t["aliases"]),
                usual_weight_pct=float(t["usual_weight_pct"]),
                indicators=tuple(
                    Indicator(i["number"], i["name"], tuple(i["aliases"]), t["code"])
                    for i in t["indicators"]
                ),
            )
            for t in ed["tools"]
        )
        result.append(Edition(ed["from_be"], ed["to_be"], tools))
    return tuple(result)


def edition_for(fiscal_year_be: int | None) -> tuple[Edition, bool]:
    """The edition covering a year, and whether it really covers it (False: nearest used)."""
    eds = editions()
    if fiscal_year_be is None:
        return eds[-1], False
    for ed in eds:
        if ed.from_be <= fiscal_year_be <= ed.to_be:
            return ed, True
    nearest = min(
        eds, key=lambda e: min(abs(e.from_be - fiscal_year_be), abs(e.to_be - fiscal_year_be))
    )
    return nearest, False


def _tsv_rows(name: str) -> list[dict[str, str]]:
    lines = [ln for ln in _data(name).splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@cache
def abbreviations() -> tuple[Abbreviation, ...]:
    return tuple(
        Abbreviation(r["abbr"], r["expansion"], r["kind"]) for r in _tsv_rows("abbreviations.tsv")
    )


@cache
def month_names() -> tuple[tuple[int, str, str], ...]:
    """(month number, full Thai name, abbreviated name) for the twelve months."""
    return tuple((int(r["month"]), r["full"], r["abbr"]) for r in _tsv_rows("month_names.tsv"))


@cache
def confusable_letters() -> dict[str, frozenset[str]]:
    return {
        r["letter"]: frozenset(r["confusable_with"].split())
        for r in _tsv_rows("confusable_letters.tsv")
    }
