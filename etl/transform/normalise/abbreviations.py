"""Abbreviations: finding them, naming an agency's, and repairing garbled forms of it.

PDF text layers and OCR turn a consonant into one that looks like it (สถ. comes out as สด. or
สก.). A token that is one such letter away from the report's own agency abbreviation, and is
not itself a known abbreviation, is taken as that abbreviation and recorded as a correction.
"""

from __future__ import annotations

import re
from functools import cache

from extractors.thai.chars import THAI_LETTER
from schemas.framework import Abbreviation, abbreviations, confusable_letters
from schemas.records import Correction

# A Thai abbreviation: one to four consonants and a dot, possibly repeated (ก.พ.ร., ป.ป.ช.).
_ABBR_TOKEN = re.compile(rf"(?<![{THAI_LETTER}.])((?:[ก-ฮ]{{1,4}}\.)+)")


@cache
def table() -> dict[str, Abbreviation]:
    return {a.abbr: a for a in abbreviations()}


@cache
def _by_expansion() -> list[Abbreviation]:
    return sorted(abbreviations(), key=lambda a: len(a.expansion), reverse=True)


def expansion(abbr: str) -> str | None:
    entry = table().get(abbr)
    return entry.expansion if entry else None


@cache
def _known_pattern() -> re.Pattern[str]:
    keys = sorted(table(), key=len, reverse=True)
    alternatives = "|".join(re.escape(k) for k in keys)
    return re.compile(rf"(?<![{THAI_LETTER}A-Za-z.])(?:{alternatives})(?![{THAI_LETTER}A-Za-z])")


def find_known(text: str) -> list[str]:
    """Known abbreviations used in a text, in order of first use."""
    seen: dict[str, None] = {}
    for match in _known_pattern().finditer(text):
        seen.setdefault(match.group(0))
    return list(seen)


def abbreviation_for_agency(name: str) -> str | None:
    """The abbreviation an agency goes by: from the table, or an agency type's abbreviation
    and the place name (องค์การบริหารส่วนตำบลบ้านใหม่ -> อบต.บ้านใหม่)."""
    compact = name.replace(" ", "")
    for entry in _by_expansion():
        if entry.expansion == compact and entry.kind == "agency":
            return entry.abbr
    for entry in _by_expansion():
        if (
            entry.kind == "agency_type"
            and compact.startswith(entry.expansion)
            and len(compact) > len(entry.expansion)
        ):
            return entry.abbr + compact[len(entry.expansion) :]
    return None


@cache
def garbled_forms_of(abbr: str) -> frozenset[str]:
    """Spellings one confusable consonant away from ``abbr`` that are not real abbreviations."""
    confusables = confusable_letters()
    forms = set()
    for i, ch in enumerate(abbr):
        for other in confusables.get(ch, ()):
            candidate = abbr[:i] + other + abbr[i + 1 :]
            if candidate not in table():
                forms.add(candidate)
    return frozenset(forms)


def correct_garbled(text: str, agency_abbr: str | None) -> tuple[str, tuple[Correction, ...]]:
    """Replace garbled forms of the report's agency abbreviation (same length, so character
    positions in the text are kept)."""
    if not agency_abbr or not agency_abbr.endswith("."):
        return text, ()
    forms = garbled_forms_of(agency_abbr)
    if not forms:
        return text, ()
    corrections: list[Correction] = []

    def fix(match: re.Match[str]) -> str:
        token = match.group(1)
        if token in forms:
            corrections.append(Correction("agency_abbr", token, agency_abbr))
            return agency_abbr
        return token

    return _ABBR_TOKEN.sub(fix, text), tuple(corrections)


def contract_expansions(text: str) -> str:
    """Write every known expansion as its abbreviation, so that "กรมส่งเสริมการปกครองท้องถิ่น"
    and "สถ." compare equal."""
    for entry in _by_expansion():
        if entry.kind in ("agency", "ministry", "word") and entry.expansion in text:
            text = text.replace(entry.expansion, entry.abbr)
    return text
