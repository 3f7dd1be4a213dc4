"""Indicator cells to canonical ITA indicators, reconciling numbers against names.

Reports number indicators wrongly (the seed's EIT "ตัวชี้วัดที่ ๒ คุณภาพการดำเนินงาน" is
indicator 6) and put two in one cell. The name decides, since it is what the author copied from
the framework; every change is returned as a warning that says what was changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from extractors.thai.chars import THAI_LETTER, to_arabic_digits
from schemas.framework import Edition, Indicator
from schemas.records import IndicatorRef

_MARKER_WORD = "ตัวชี้วัด"
# "ตัวชี้วัดที่ ๙", tolerating the spaces a line wrap puts inside the word
_MARKER = re.compile(
    r"\s?".join(re.escape(c) for c in _MARKER_WORD)
    + r"\s*(?:ที่\s*)?(?P<n>[0-9๐-๙]{1,2})?\s*[.:)]?\s*"
)
_LEADING_NUMBER = re.compile(r"^\s*(?P<n>[0-9๐-๙]{1,2})(?:\.[0-9๐-๙]{1,2})?\s*[.:)]?\s+")
_INTER_THAI_SPACE = re.compile(f"(?<=[{THAI_LETTER}]) (?=[{THAI_LETTER}])")
MATCH_THRESHOLD = 85.0


@dataclass(frozen=True)
class IndicatorCell:
    indicators: tuple[IndicatorRef, ...]
    warnings: tuple[str, ...]


def compact(text: str) -> str:
    """Text with the spaces between Thai letters removed (line wraps split indicator names)."""
    return _INTER_THAI_SPACE.sub("", " ".join(text.split()))


def _segments(text: str) -> list[tuple[int | None, str, str]]:
    """(written number, written name, raw segment) for each indicator a cell names."""
    markers = list(_MARKER.finditer(text))
    if not markers:
        leading = _LEADING_NUMBER.match(text)
        if leading:
            written = int(to_arabic_digits(leading["n"]))
            return [(written, text[leading.end() :].strip(), text.strip())]
        return [(None, text.strip(), text.strip())] if text.strip() else []
    segments: list[tuple[int | None, str, str]] = []
    for index, match in enumerate(markers):
        end = markers[index + 1].start() if index + 1 < len(markers) else len(text)
        number = int(to_arabic_digits(match["n"])) if match["n"] else None
        segments.append(
            (number, text[match.end() : end].strip(), text[match.start() : end].strip())
        )
    return segments


def match_name(name: str, edition: Edition) -> tuple[Indicator | None, float]:
    """The framework indicator a written name refers to, and how sure (0-100)."""
    written = compact(name)
    if not written:
        return None, 0.0
    best: tuple[Indicator | None, float] = (None, 0.0)
    for indicator in edition.indicators:
        for candidate in (indicator.name, *indicator.aliases):
            if written == candidate:
                return indicator, 100.0
            score = fuzz.ratio(written, candidate)
            if written.startswith(candidate) and len(candidate) >= 6:
                score = max(score, 95.0 - 0.1 * (len(written) - len(candidate)))
            if score > best[1]:
                best = (indicator, score)
    return best if best[1] >= MATCH_THRESHOLD else (None, best[1])


def names_a_framework_indicator(text: str, edition: Edition) -> bool:
    """Whether a cell names an indicator of the framework by its name (a number alone, "3.",
    is no evidence: other government tables number their rows too)."""
    return any(match_name(name, edition)[0] is not None for _, name, _ in _segments(text))


@lru_cache(maxsize=4096)
def parse_indicator_cell(text: str, edition: Edition) -> IndicatorCell:
    """The indicators a cell names, reconciled with the framework (cached: the same cells
    recur in every report of a year, and a row is asked about more than once)."""
    refs: list[IndicatorRef] = []
    warnings: list[str] = []
    for number, name, raw in _segments(text):
        by_name, _ = match_name(name, edition)
        by_number = edition.indicator(number) if number is not None else None
        if by_name and number is not None and by_name.number != number:
            warnings.append(
                f"indicator '{compact(raw)}': the number {number} contradicts the name, which is "
                f"indicator {by_name.number} '{by_name.name}' in the ITA framework "
                f"{edition.from_be}-{edition.to_be}; using {by_name.number}"
            )
        chosen = by_name or by_number
        if chosen is None:
            if compact(raw):
                framework = f"{edition.from_be}-{edition.to_be}"
                warnings.append(f"indicator '{compact(raw)}' is not in the framework {framework}")
            refs.append(IndicatorRef(number, compact(name) or None, raw))
            continue
        if by_name is None and name and by_number is not None:
            warnings.append(
                f"indicator '{compact(raw)}': name not recognised; kept number {number} "
                f"'{by_number.name}' from the framework"
            )
        refs.append(IndicatorRef(chosen.number, chosen.name, raw))
    return IndicatorCell(tuple(refs), tuple(warnings))
