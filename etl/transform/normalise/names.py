"""Names of agencies and units in the forms people write them: abbreviated or spelled out.

Two uses, both pure:

- ``contract_names``: a text with the full names of known bodies written as their
  abbreviations (กรมส่งเสริมการปกครองท้องถิ่น → สถ., องค์การบริหารส่วนตำบลหนองบัว →
  อบต.หนองบัว): what search indexes, so that a search for an abbreviation also finds the
  texts that spell the name out (loaders/search.py). Spelling abbreviations out in the index
  instead would make every text mentioning สถ. match a search for ส่งเสริม or ท้องถิ่น.
- ``canonical_unit``: one name for a responsible unit however a report wrote it (docs/schema.md,
  "Canonical unit names"): the report's own agency left out where it qualifies the unit,
  "สำนักงาน" before an abbreviation read as the body it stands for, abbreviations spelled out,
  and the spaces a line wrap left between Thai letters removed.

Only abbreviations of bodies are used (kinds agency, ministry, unit, agency_type of
schemas/data/abbreviations.tsv); terms such as ITA are not names and stay as written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from extractors.thai.chars import THAI_LETTER, to_arabic_digits
from schemas.framework import Abbreviation, abbreviations

NAME_KINDS = frozenset({"agency", "ministry", "unit", "agency_type"})
_SPACE_BETWEEN_THAI = re.compile(rf"(?<=[{THAI_LETTER}])\s+(?=[{THAI_LETTER}])")
_WHITE_SPACE = re.compile(r"\s+")
_OFFICE = "สำนักงาน"


def _names() -> list[Abbreviation]:
    return [a for a in abbreviations() if a.kind in NAME_KINDS]


@cache
def _abbreviation_pattern() -> re.Pattern[str]:
    """A known abbreviation standing as a token: not inside a longer Thai or Latin word.
    One ending in a dot may run into what follows (อบต.หนองบัว: a type and a place)."""
    alternatives = []
    for entry in sorted(_names(), key=lambda a: len(a.abbr), reverse=True):
        after = "" if entry.abbr.endswith(".") else rf"(?![{THAI_LETTER}A-Za-z])"
        alternatives.append(re.escape(entry.abbr) + after)
    return re.compile(rf"(?<![{THAI_LETTER}A-Za-z.])(?:{'|'.join(alternatives)})")


@cache
def _expansions() -> dict[str, str]:
    return {a.abbr: a.expansion for a in _names()}


@cache
def _contractions() -> list[tuple[str, str]]:
    """(expansion, abbreviation), longest expansion first; where two abbreviations share an
    expansion (มท, มท.) the one ending in a dot, the form used for a body."""
    chosen: dict[str, str] = {}
    for entry in _names():
        held = chosen.get(entry.expansion)
        if held is None or (entry.abbr.endswith(".") and not held.endswith(".")):
            chosen[entry.expansion] = entry.abbr
    return sorted(chosen.items(), key=lambda pair: len(pair[0]), reverse=True)


def expand_abbreviations(text: str) -> str:
    """Every known abbreviation of a body spelled out."""
    return _abbreviation_pattern().sub(lambda m: _expansions()[m.group(0)], text)


def contract_names(text: str) -> str:
    """Every known name of a body written as its abbreviation."""
    for expansion, abbr in _contractions():
        if expansion in text:
            text = text.replace(expansion, abbr)
    return text


@cache
def _abbreviations_of() -> dict[str, tuple[str, ...]]:
    """Full name → every abbreviation it has (มท and มท. for กระทรวงมหาดไทย)."""
    found: dict[str, list[str]] = {}
    for entry in _names():
        found.setdefault(entry.expansion, []).append(entry.abbr)
    return {expansion: tuple(abbrs) for expansion, abbrs in found.items()}


def abbreviated_forms(text: str) -> list[str]:
    """The text with its full names abbreviated, once per abbreviation a name has (a query
    for กระทรวงมหาดไทย looks for มท. and for มท); empty when it names no body in full."""
    contracted = contract_names(text)
    if contracted == text:
        return []
    forms = [contracted]
    for expansion, abbrs in _abbreviations_of().items():
        if len(abbrs) > 1 and expansion in text:
            forms.extend(contract_names(text.replace(expansion, abbr)) for abbr in abbrs)
    return list(dict.fromkeys(forms))


def _compact(text: str) -> str:
    return _WHITE_SPACE.sub("", text)


@lru_cache(maxsize=1024)
def _own_forms(agency_abbr: str | None, agency_name: str | None) -> tuple[str, ...]:
    """How a report may name its own agency after a unit: its abbreviation, its name, and for
    a local body abbreviated as type and place (อบต.หนองบัว) the type alone (อบต.)."""
    forms = {_compact(f) for f in (agency_abbr, agency_name) if f}
    for form in list(forms):
        forms.add(expand_abbreviations(form))
    for entry in _names():
        if entry.kind != "agency_type" or not agency_abbr:
            continue
        if agency_abbr.startswith(entry.abbr) and len(agency_abbr) > len(entry.abbr):
            forms.update((entry.abbr, entry.expansion))
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


def _drop_suffix(text: str, suffix: str) -> str:
    """``text`` without its last ``len(suffix)`` non-space characters (spaces inside the
    suffix as written do not count)."""
    left = len(suffix)
    end = len(text)
    while left and end:
        end -= 1
        if not text[end].isspace():
            left -= 1
    return text[:end].rstrip()


def _without_own_agency(name: str, own: tuple[str, ...]) -> str:
    changed = True
    while changed:
        changed = False
        compact = _compact(name)
        for form in own:
            if compact.endswith(form) and len(compact) > len(form):
                name = _drop_suffix(name, form)
                changed = True
                break
    return name


@cache
def _office_of_abbreviation() -> re.Pattern[str]:
    return re.compile(rf"^{_OFFICE}\s*({_abbreviation_pattern().pattern})$")


@lru_cache(maxsize=8192)
def canonical_unit(
    text: str, agency_abbr: str | None = None, agency_name: str | None = None
) -> str:
    """The one name of a responsible unit (``agency_abbr``, ``agency_name``: of the report
    naming it): "สำนักงาน ศปท. สถ." in สถ.'s report → ศูนย์ปฏิบัติการต่อต้านการทุจริต,
    "กลุ่มพัฒนาระบบ บริหาร" → กลุ่มพัฒนาระบบบริหาร, "สำนักปลัด อบต." in อบต.หนองบัว's → สำนักปลัด.

    "สำนักงาน" followed by an abbreviation names the body the abbreviation stands for, as
    "สำนักงาน ก.พ." names สำนักงานคณะกรรมการข้าราชการพลเรือน."""
    name = _WHITE_SPACE.sub(" ", to_arabic_digits(unicodedata.normalize("NFC", text))).strip()
    name = _without_own_agency(name, _own_forms(agency_abbr, agency_name))
    office = _office_of_abbreviation().match(name)
    if office:
        name = office.group(1)
    name = _SPACE_BETWEEN_THAI.sub("", expand_abbreviations(name))
    return _WHITE_SPACE.sub(" ", name).strip()
