"""Thai-aware clean-up of OCR text: only corrections with clear evidence.

- Sara am that Tesseract spells as nikhahit + sara aa (ํา → ำ): always (the two are never
  meant apart in Thai text).
- Thai digits Tesseract confuses (๖/๒, ๓/๗, ๕/๔, ๐/๘, ๙/๘): a year after พ.ศ./ปี, or a day
  of a date, that cannot be what the report means (a Buddhist-era year outside
  ``YEARS_BE``, a day past 31) is corrected when exactly one swap of a confusable digit makes
  it parse. A year after พ.ศ./ปีงบประมาณ read as no year ("๒๕๒" for ๒๕๖๗: a digit lost
  in a title font) is corrected when exactly one year the page writes elsewhere could
  have been read both as it and as the same ink read again digits-only (``scan``)
  (``fix_year_by_evidence``).
- The report's own vocabulary — column headers, tool and indicator names, months,
  ปีงบประมาณ (``ita_terms``) — read with one look-alike letter or one mark wrong
  ("ตัวขี้วัด" for ตัวชี้วัด, whose pieces ตัว|ขี้|วัด are each words, so no dictionary
  test can see it): corrected whatever the confidence, when the string read is not itself
  a word. Terms of six letters or more only, so that one letter is a small part of the
  evidence.

No general dictionary correction: "a low-confidence word that one edit makes a dictionary
word" fixed 2 characters and broke 2 on real pages, and narrowed to "one word" fixed none
and broke 2 ("สสอ." → "สีสอ."), so it was dropped. What the engine read is kept as the
item's ``raw``; benchmarks/ocr_quality.py counts what each correction fixes and what it
breaks against the true text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from extractors.thai.chars import THAI_LETTER

YEARS_BE = range(2500, 2601)
"""Years a report of this corpus can name (พ.ศ. 2500–2600)."""
LOW_CONFIDENCE = 75.0
"""Word confidence below which a year read on the page is no evidence for another."""
_CONFUSED_DIGITS = {
    "๖": "๒",
    "๒": "๖",
    "๓": "๗",
    "๗": "๓",
    "๕": "๔",
    "๔": "๕",
    "๐": "๘",
    "๘": "๙๐",
    "๙": "๘",
}
_MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
_LOOK_ALIKE = {
    "ต": "ด",
    "ด": "ต",
    "ถ": "ภ",
    "ภ": "ถ",
    "บ": "ป",
    "ป": "บ",
    "ข": "ชซ",
    "ซ": "ขช",
    "ช": "ขซ",
    "ผ": "ฝ",
    "พ": "ฟ",
    "ฟ": "พ",
    "ร": "ธ",
    "ว": "ร",
    "ค": "ด",
    "ศ": "ส",
    "ส": "ศ",
    "ท": "ห",
    "ห": "ท",
    "ญ": "ฌ",
    "ย": "ฆ",
}
_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans("0123456789", _THAI_DIGITS)
_ALL_DIGITS = frozenset(_THAI_DIGITS + "0123456789")
_YEAR_AFTER = re.compile(r"(พ\.?\s?ศ\.?|ปี(?:งบประมาณ)?)\s*$")
_MONTHS = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]
_THAI_RUN = re.compile(f"[{THAI_LETTER}]+")


def _value(digits: str) -> int:
    return int("".join(str(_THAI_DIGITS.index(d)) if d in _THAI_DIGITS else d for d in digits))


def _digit_swaps(token: str) -> list[str]:
    out = []
    for i, digit in enumerate(token):
        for other in _CONFUSED_DIGITS.get(digit, ""):
            out.append(token[:i] + other + token[i + 1 :])
    return out


def fix_year(token: str) -> str | None:
    """A Thai-digit year outside ``YEARS_BE`` that one confusable swap brings inside."""
    if len(token) != 4 or not all(d in _THAI_DIGITS for d in token) or _value(token) in YEARS_BE:
        return None
    fits = {s for s in _digit_swaps(token) if _value(s) in YEARS_BE}
    return fits.pop() if len(fits) == 1 else None


def fix_day(token: str) -> str | None:
    """A Thai-digit day past 31 (or 0) that one confusable swap makes a day."""
    if not 1 <= len(token) <= 2 or not all(d in _THAI_DIGITS for d in token):
        return None
    if 1 <= _value(token) <= 31:
        return None
    fits = {s for s in _digit_swaps(token) if 1 <= _value(s) <= 31}
    return fits.pop() if len(fits) == 1 else None


def _edits(word: str) -> set[str]:
    """Words one Thai edit away: a mark added, dropped or swapped; a look-alike letter."""
    out: set[str] = set()
    for i in range(len(word) + 1):
        for mark in _MARKS:
            out.add(word[:i] + mark + word[i:])
    for i, char in enumerate(word):
        if char in _MARKS:
            out.add(word[:i] + word[i + 1 :])
            for mark in _MARKS:
                out.add(word[:i] + mark + word[i + 1 :])
        for other in _LOOK_ALIKE.get(char, ""):
            out.add(word[:i] + other + word[i + 1 :])
    out.discard(word)
    return out


_MIN_TERM_LETTERS = 6


@lru_cache(maxsize=1)
def ita_terms() -> tuple[str, ...]:
    """Words every ITA report prints: column headers, tool and indicator names and their
    aliases, month names, ปีงบประมาณ (``schemas``)."""
    from schemas.framework import editions, month_names
    from schemas.table_words import COLUMN_KEYWORDS

    names: set[str] = {k for _, keywords in COLUMN_KEYWORDS for k in keywords}
    names |= {"ปีงบประมาณ", "ประจำปี", "ผู้รับผิดชอบ", "หน่วยงานรับผิดชอบ"}
    for edition in editions():
        for tool in edition.tools:
            names |= {tool.name, *tool.aliases}
            for indicator in tool.indicators:
                names |= {indicator.name, *indicator.aliases}
    names |= {full for _, full, _ in month_names()}
    return tuple(
        sorted(
            (n for n in names if len(_THAI_RUN.findall(n)) == 1 and len(n) >= _MIN_TERM_LETTERS),
            key=len,
            reverse=True,
        )
    )


_KEY = 3
"""Variants are looked up by their first three characters (a regular expression of all
of them takes 1.5 s to compile)."""


@lru_cache(maxsize=1)
def _term_variants() -> dict[str, list[tuple[str, str]]]:
    """Each term's one-edit misreadings (a look-alike letter, a mark added, dropped or
    swapped) with the term, by their first characters, longest first; a variant that is
    itself a word, or another term, or a misreading of two terms, is left out."""
    from extractors.thai.words import is_word

    terms = ita_terms()
    variants: dict[str, str] = {}
    clashes: set[str] = set(terms)
    for term in terms:
        for variant in _edits(term):
            if variant[0] in _MARKS or variant in clashes or is_word(variant):
                continue
            if variant in variants and variants[variant] != term:
                clashes.add(variant)
                continue
            variants[variant] = term
    index: dict[str, list[tuple[str, str]]] = {}
    for variant, term in sorted(variants.items(), key=lambda v: -len(v[0])):
        if variant not in clashes:
            index.setdefault(variant[:_KEY], []).append((variant, term))
    return index


def fix_terms(text: str) -> str | None:
    """``text`` with every misread ITA term put right (``ita_terms``), if any was."""
    index = _term_variants()
    out: list[str] = []
    start = i = 0
    while i <= len(text) - _KEY:
        for variant, term in index.get(text[i : i + _KEY], ()):
            end = i + len(variant)
            if (
                text.startswith(variant, i)
                and not text.startswith(term, i)  # a term read right, and more after it
                and not (end < len(text) and text[end] in _MARKS + "\u0e33")  # half a letter
            ):
                out += [text[start:i], term]
                i = start = i + len(variant)
                break
        else:
            i += 1
    if not out:
        return None
    return "".join(out) + text[start:]


def year_of(token: str) -> int | None:
    """The Buddhist-era year a token of four digits (Thai or Arabic) writes, if plausible."""
    if len(token) != 4 or not set(token) <= _ALL_DIGITS:
        return None
    value = _value(token)
    return value if value in YEARS_BE else None


def _readings(token: str) -> set[str]:
    """What a reading of digits may have been: any of its confusable digits swapped."""
    out = {""}
    for digit in token:
        out = {head + d for head in out for d in (digit, *_CONFUSED_DIGITS.get(digit, ""))}
    return out


def _could_be_read_as(year: str, token: str) -> bool:
    """Whether the engine could have read ``year`` as ``token``: confusable digits
    swapped, and at most one digit lost."""
    shorter = {year} if len(token) == len(year) else set()
    if len(token) == len(year) - 1:
        shorter = {year[:k] + year[k + 1 :] for k in range(len(year))}
    return any(token in _readings(s) for s in shorter)


def _thai(token: str) -> str:
    """Digits as Thai digits (the confusions are between Thai digits' shapes)."""
    return token.translate(_TO_THAI)


def fix_year_by_evidence(token: str, again: str, years: frozenset[int]) -> str | None:
    """A year after พ.ศ./ปีงบประมาณ that the engine read as no year ("๒๕๒" for ๒๕๖๗ in a
    title font: a digit lost, ๖/๒ confused), put right when the evidence is clear: exactly
    one year that the page writes elsewhere (``years``: "ตุลาคม 2566", "พ.ศ. 2567" in its
    table) could have been read as ``token`` and as one of the four-digit readings in
    ``again`` (the same ink read again, digits only). A token that is a plausible year is
    left alone (a law of พ.ศ. ๒๕๖๐ cited on a page of 2567)."""
    if not token or not set(token) <= _ALL_DIGITS or year_of(token) is not None:
        return None
    readings = [_thai(r) for r in again.split() if len(r) == 4 and set(r) <= _ALL_DIGITS]
    read = _thai(token)
    fits = {
        y
        for y in years
        if _could_be_read_as(_thai(str(y)), read)
        and any(_could_be_read_as(_thai(str(y)), r) for r in readings)
    }
    if len(fits) != 1:
        return None
    year = str(fits.pop())
    return _thai(year) if any(d in _THAI_DIGITS for d in token) else year


def must_be_year(before: Sequence[str], token: str) -> bool:
    """Whether ``token``, after the phrases ``before`` on its line, is where a year must be
    (after พ.ศ., ปี, ปีงบประมาณ) and is digits that make no plausible year: the phrase the
    engine is asked to read again, digits only."""
    return (
        bool(_YEAR_AFTER.search(" ".join(before)))
        and 2 <= len(token) <= 5
        and set(token) <= _ALL_DIGITS
        and year_of(token) is None
    )


def page_years(texts: Sequence[tuple[str, float]]) -> frozenset[int]:
    """Years a page writes with four digits read confidently: evidence for a year that the
    title's font made hard to read."""
    return frozenset(
        y
        for text, confidence in texts
        if confidence >= LOW_CONFIDENCE
        for token in re.findall(r"[0-9๐-๙]+", text)
        if (y := year_of(token)) is not None
    )


def clean_line(
    words: Sequence[tuple[str, float, str]], years: frozenset[int] = frozenset()
) -> list[tuple[str, tuple[str, ...]]]:
    """Each phrase of one OCR line cleaned (same count, same order), with the corrections
    made to it by kind. ``words``: (text, confidence 0–100, the same ink read again
    digits-only where a year must be, else ""); ``years``: the years the page writes
    elsewhere (``page_years``)."""
    texts = [text for text, _, _ in words]
    kinds: list[list[str]] = [[] for _ in words]
    for i, text in enumerate(texts):
        fixed = text.replace("\u0e4d\u0e32", "\u0e33").replace("\u0e4d \u0e32", "\u0e33")
        if fixed != text:
            kinds[i].append("ocr_sara_am")
            texts[i] = fixed
    for i, text in enumerate(texts):
        before = " ".join(texts[:i])
        after = texts[i + 1] if i + 1 < len(texts) else ""
        if _YEAR_AFTER.search(before) or (before.split()[-1:] and before.split()[-1] in _MONTHS):
            year = fix_year(text)
            if year is None:
                year = fix_year_by_evidence(text, words[i][2], years)
            if year is not None:
                texts[i] = year
                kinds[i].append("ocr_year_digit")
                continue
        if after in _MONTHS or any(after.startswith(m) for m in _MONTHS):
            day = fix_day(text)
            if day is not None:
                texts[i] = day
                kinds[i].append("ocr_day_digit")
                continue
        term = fix_terms(text)
        if term is not None:
            texts[i] = text = term
            kinds[i].append("ocr_ita_term")
    return [(text, tuple(k)) for text, k in zip(texts, kinds, strict=True)]
